/* e2e_api.c — every endpoint of the running server over real TCP: /health,
 * /api/stations (all, by service, by text, by bbox, combined),
 * /api/stations/{id}, /api/communities, /metrics, the page at /, and the
 * HTTP behaviour around them (gzip, CORS, preflight, keep-alive, pipelining,
 * HEAD, ETag).
 *
 * One server on the bundled Shanghai dataset (80 stations SH-001…SH-080, 10
 * districts) is started by an unchecked fixture in the runner and shared by
 * all tests, which Check runs in forked children.  Expected filter results
 * are computed here from the unfiltered list, so the tests check the
 * server's filters against the contract's definition, not against numbers
 * copied from today's data. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/support/e2e.h"

Suite *api_suite(void);

static struct sproc *srv;
static unsigned port;

static void server_up(void)
{
	static const char *const args[] = {"serve", E2E_DATASET, "--port", "0", "--host",
					   "127.0.0.1", "--web", "web", NULL};
	srv = e2e_serve(args);
	port = sproc_port(srv);
}

static void server_down(void)
{
	sproc_stop(srv, 6000);
	sproc_free(srv);
	srv = NULL;
}

/* GET `target`, assert the status and valid JSON; the tree is the caller's. */
static struct jval *get_json(const char *target, int status, struct hc_response *r)
{
	ck_assert_why(e2e_get(port, target, status, r));
	struct jval *v = e2e_json(r);
	ck_assert_why(v != NULL);
	return v;
}

/* ---- stations as the tests see them --------------------------------------- */

static const char *const service_keys[] = {
	"water",   "hot_water", "charging", "microwave", "toilet",  "wifi",    "first_aid",
	"umbrella", "seating",  "heating",  "cooling",   "repair",  "reading", "legal_aid",
};
#define SERVICE_KEYS (sizeof service_keys / sizeof service_keys[0])

struct st {
	const char *id, *name, *address;
	double lon, lat;
	uint32_t services; /* bit i: service_keys[i] */
};

/* Check one station Feature and extract it; `where` names it in messages. */
static void read_station(const struct jval *f, struct st *out, const char *where)
{
	ck_assert_msg(jval_str(jval_get(f, "type")) && !strcmp(jval_str(jval_get(f, "type")), "Feature"),
		      "%s: not a Feature", where);
	const struct jval *g = jval_get(f, "geometry");
	const char *gt = jval_str(jval_get(g, "type"));
	ck_assert_msg(gt && !strcmp(gt, "Point"), "%s: geometry is not a Point", where);
	const struct jval *c = jval_get(g, "coordinates");
	ck_assert_msg(jval_count(c) == 2 && jval_num(jval_at(c, 0), &out->lon) &&
			      jval_num(jval_at(c, 1), &out->lat),
		      "%s: coordinates are not [lon, lat]", where);
	/* lon/lat order: in Shanghai lon ≈ 121.5, lat ≈ 31.2. */
	ck_assert_msg(out->lon > 120.8 && out->lon < 122.2 && out->lat > 30.6 && out->lat < 31.9,
		      "%s: [%f, %f] is not a lon/lat position in Shanghai", where, out->lon, out->lat);
	const struct jval *p = jval_get(f, "properties");
	out->id = jval_str(jval_get(p, "id"));
	out->name = jval_str(jval_get(p, "name"));
	out->address = jval_str(jval_get(p, "address"));
	ck_assert_msg(out->id && *out->id, "%s: no properties.id", where);
	ck_assert_msg(out->name && *out->name, "%s: no properties.name", where);
	ck_assert_msg(out->address, "%s: no properties.address", where);
	const char *fid = jval_str(jval_get(f, "id"));
	ck_assert_msg(fid && !strcmp(fid, out->id), "%s: Feature id differs from properties.id", where);
	const struct jval *sv = jval_get(p, "services");
	ck_assert_msg(sv && sv->type == JVAL_ARR, "%s: services is not an array", where);
	out->services = 0;
	for (size_t i = 0; i < jval_count(sv); i++) {
		const char *k = jval_str(jval_at(sv, i));
		ck_assert_msg(k != NULL, "%s: a service is not a string", where);
		size_t s = 0;
		while (s < SERVICE_KEYS && strcmp(service_keys[s], k))
			s++;
		ck_assert_msg(s < SERVICE_KEYS, "%s: unknown service \"%s\"", where, k);
		out->services |= 1u << s;
	}
}

/* A FeatureCollection of stations: check and extract into `out` (room for
 * `cap`); returns the number of features. */
static size_t read_collection(const struct jval *v, struct st *out, size_t cap, const char *where)
{
	const char *t = jval_str(jval_get(v, "type"));
	ck_assert_msg(t && !strcmp(t, "FeatureCollection"), "%s: not a FeatureCollection", where);
	const struct jval *fs = jval_get(v, "features");
	ck_assert_msg(fs && fs->type == JVAL_ARR, "%s: no features array", where);
	size_t n = jval_count(fs);
	ck_assert_msg(n <= cap, "%s: %zu features, more than %zu", where, n, cap);
	for (size_t i = 0; i < n; i++) {
		char w[256];
		snprintf(w, sizeof w, "%s feature %zu", where, i);
		read_station(jval_at(fs, i), &out[i], w);
	}
	double count;
	if (jval_num(jval_get(v, "count"), &count))
		ck_assert_msg(count == (double)n, "%s: count %g but %zu features", where, count, n);
	return n;
}

#define MAX_ST 200

struct listing {
	struct hc_response r;
	struct jval *v;
	struct st st[MAX_ST];
	size_t n;
};

static void list_fetch(struct listing *l, const char *target)
{
	hc_response_init(&l->r);
	l->v = get_json(target, 200, &l->r);
	const char *ct = hc_header(&l->r, "Content-Type");
	ck_assert_msg(ct && strstr(ct, "json"), "%s: Content-Type %s", target, ct ? ct : "(none)");
	l->n = read_collection(l->v, l->st, MAX_ST, target);
}

static void list_free(struct listing *l)
{
	jval_free(l->v);
	hc_response_fini(&l->r);
}

/* The ids of `got` are exactly those of the stations of `all` for which
 * keep() holds (order free). */
typedef bool keep_fn(const struct st *s, const void *arg);

static void assert_same_set(const struct listing *all, keep_fn *keep, const void *arg,
			    const struct listing *got, const char *what)
{
	size_t want = 0;
	for (size_t i = 0; i < all->n; i++) {
		if (!keep(&all->st[i], arg))
			continue;
		want++;
		size_t j = 0;
		while (j < got->n && strcmp(got->st[j].id, all->st[i].id))
			j++;
		ck_assert_msg(j < got->n, "%s: station %s (%s) is missing", what, all->st[i].id,
			      all->st[i].name);
	}
	for (size_t j = 0; j < got->n; j++) {
		size_t i = 0;
		while (i < all->n && strcmp(got->st[j].id, all->st[i].id))
			i++;
		ck_assert_msg(i < all->n && keep(&all->st[i], arg), "%s: station %s (%s) should not be there",
			      what, got->st[j].id, got->st[j].name);
	}
	ck_assert_msg(got->n == want, "%s: %zu stations, expected %zu (duplicates?)", what, got->n, want);
}

static size_t service_index(const char *key)
{
	size_t s = 0;
	while (s < SERVICE_KEYS && strcmp(service_keys[s], key))
		s++;
	ck_assert(s < SERVICE_KEYS);
	return s;
}

/* ---- /health ----------------------------------------------------------------- */

START_TEST(health_summary)
{
	struct hc_response r;
	hc_response_init(&r);
	struct jval *v = get_json("/health", 200, &r);
	const char *ct = hc_header(&r, "Content-Type");
	ck_assert_msg(ct && !strncmp(ct, "application/json", 16), "Content-Type %s", ct);
	ck_assert_str_eq(jval_str(jval_get(v, "status")), "ok");
	const struct jval *d = jval_get(v, "dataset");
	ck_assert_msg(d && d->type == JVAL_OBJ, "no dataset object: %s", r.body);
	const char *name = jval_str(jval_get(d, "name"));
	ck_assert_msg(name && strstr(name, "上海"), "dataset name \"%s\"", name ? name : "(none)");
	double x;
	ck_assert_msg(jval_num(jval_get(d, "stations"), &x) && x == 80, "stations: %s", r.body);
	ck_assert_msg(jval_num(jval_get(d, "communities"), &x) && x == 10, "communities: %s", r.body);
	static const char *const modes[] = {"walk", "ebike", "car"};
	for (size_t m = 0; m < 3; m++) {
		const struct jval *mo = jval_get(jval_get(d, "modes"), modes[m]);
		ck_assert_msg(mo != NULL, "no mode %s in %s", modes[m], r.body);
		ck_assert_msg(jval_num(jval_get(mo, "nodes"), &x) && x > 0, "%s nodes", modes[m]);
		ck_assert_msg(jval_num(jval_get(mo, "arcs"), &x) && x > 0, "%s arcs", modes[m]);
	}
	const struct jval *demo = jval_get(d, "demo");
	ck_assert_msg(demo && demo->type == JVAL_BOOL && demo->b, "demo is not true");
	const char *attr = jval_str(jval_get(d, "attribution"));
	ck_assert_msg(attr && strstr(attr, "OpenStreetMap"), "attribution \"%s\"", attr ? attr : "");
	const struct jval *snap = jval_get(d, "from_snapshot");
	ck_assert_msg(snap && snap->type == JVAL_BOOL && !snap->b, "from_snapshot should be false");
	ck_assert_msg(jval_num(jval_get(v, "uptime_s"), &x) && x >= 0, "uptime_s");
	jval_free(v);
	hc_response_fini(&r);
}
END_TEST

/* ---- /api/stations ---------------------------------------------------------------- */

START_TEST(stations_all)
{
	struct listing l;
	list_fetch(&l, "/api/stations");
	ck_assert_uint_eq(l.n, 80);
	const char *ct = hc_header(&l.r, "Content-Type");
	ck_assert_msg(strstr(ct, "application/geo+json") != NULL, "Content-Type %s", ct);
	/* Ids SH-001…SH-080, each once. */
	bool seen[81] = {false};
	for (size_t i = 0; i < l.n; i++) {
		unsigned k;
		char tail;
		ck_assert_msg(sscanf(l.st[i].id, "SH-%3u%c", &k, &tail) == 1 && k >= 1 && k <= 80,
			      "unexpected id %s", l.st[i].id);
		ck_assert_msg(!seen[k], "id %s twice", l.st[i].id);
		seen[k] = true;
	}
	const char *attr = jval_str(jval_get(l.v, "attribution"));
	ck_assert_msg(attr && strstr(attr, "OpenStreetMap"), "no attribution");
	list_free(&l);
}
END_TEST

static bool has_services(const struct st *s, const void *arg)
{
	uint32_t mask = *(const uint32_t *)arg;
	return (s->services & mask) == mask;
}

START_TEST(stations_by_service)
{
	struct listing all, got;
	list_fetch(&all, "/api/stations");

	uint32_t mask = 1u << service_index("charging");
	list_fetch(&got, "/api/stations?service=charging");
	ck_assert_msg(got.n > 0 && got.n <= 80, "%zu stations with charging", got.n);
	for (size_t i = 0; i < got.n; i++)
		ck_assert_msg(got.st[i].services & mask, "%s has no charging", got.st[i].id);
	assert_same_set(&all, has_services, &mask, &got, "service=charging");
	list_free(&got);

	/* Several services: all of them; ',' or ';', any case, spaces. */
	static const char *const multi[] = {"/api/stations?service=water,toilet",
					    "/api/stations?service=toilet;water",
					    "/api/stations?service=WATER,%20Toilet"};
	mask = 1u << service_index("water") | 1u << service_index("toilet");
	for (size_t k = 0; k < 3; k++) {
		list_fetch(&got, multi[k]);
		ck_assert_msg(got.n > 0, "%s: nothing", multi[k]);
		assert_same_set(&all, has_services, &mask, &got, multi[k]);
		list_free(&got);
	}

	/* Every known service is accepted, and the rare ones really filter. */
	for (size_t s = 0; s < SERVICE_KEYS; s++) {
		char target[128];
		snprintf(target, sizeof target, "/api/stations?service=%s", service_keys[s]);
		mask = 1u << s;
		list_fetch(&got, target);
		assert_same_set(&all, has_services, &mask, &got, target);
		list_free(&got);
	}

	/* An empty service list is no filter. */
	list_fetch(&got, "/api/stations?service=");
	ck_assert_uint_eq(got.n, 80);
	list_free(&got);
	list_free(&all);
}
END_TEST

static bool contains_text(const struct st *s, const void *arg)
{
	const char *q = arg;
	return strcasestr(s->name, q) || strcasestr(s->address, q);
}

/* The first `chars` UTF-8 characters of s, into out. */
static void utf8_prefix(const char *s, size_t chars, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t c = 0; c < chars && s[n]; c++) {
		n++;
		while (((unsigned char)s[n] & 0xC0) == 0x80)
			n++;
	}
	ck_assert(n < cap);
	memcpy(out, s, n);
	out[n] = '\0';
}

START_TEST(stations_by_text)
{
	struct listing all, got;
	list_fetch(&all, "/api/stations");
	const struct st *first = NULL;
	for (size_t i = 0; i < all.n; i++)
		if (!strcmp(all.st[i].id, "SH-001"))
			first = &all.st[i];
	ck_assert_msg(first != NULL, "no SH-001");

	/* A Chinese substring of SH-001's name, percent-encoded UTF-8. */
	char sub[64], enc[256], target[320];
	utf8_prefix(first->name, 4, sub, sizeof sub);
	ck_assert_msg(strlen(sub) > 4, "name \"%s\" is not Chinese text", first->name);
	ck_assert_int_gt(hc_pct_encode(sub, enc, sizeof enc), 0);
	snprintf(target, sizeof target, "/api/stations?q=%s", enc);
	list_fetch(&got, target);
	bool found = false;
	for (size_t i = 0; i < got.n; i++)
		found |= !strcmp(got.st[i].id, "SH-001");
	ck_assert_msg(found, "q=%s (%s) does not return SH-001", enc, sub);
	assert_same_set(&all, contains_text, sub, &got, target);
	list_free(&got);

	/* The whole name finds the station; q also searches the address. */
	hc_pct_encode(first->name, enc, sizeof enc);
	snprintf(target, sizeof target, "/api/stations?q=%s", enc);
	list_fetch(&got, target);
	assert_same_set(&all, contains_text, first->name, &got, target);
	list_free(&got);
	const struct st *with_addr = NULL;
	for (size_t i = 0; i < all.n && !with_addr; i++)
		if (strlen(all.st[i].address) > 12)
			with_addr = &all.st[i];
	ck_assert_msg(with_addr != NULL, "no station has an address");
	hc_pct_encode(with_addr->address, enc, sizeof enc);
	snprintf(target, sizeof target, "/api/stations?q=%s", enc);
	list_fetch(&got, target);
	ck_assert_msg(got.n >= 1, "q=address of %s finds nothing", with_addr->id);
	assert_same_set(&all, contains_text, with_addr->address, &got, target);
	list_free(&got);

	/* Text that is nowhere: an empty collection, count 0. */
	hc_pct_encode("不存在的驿站zzz", enc, sizeof enc);
	snprintf(target, sizeof target, "/api/stations?q=%s", enc);
	list_fetch(&got, target);
	ck_assert_uint_eq(got.n, 0);
	list_free(&got);
	list_free(&all);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* A value halfway between the sorted values k-1 and k of `v`: no station
 * lies on it, so rounding cannot decide the test. */
static double cut(const double *sorted, size_t k)
{
	return (sorted[k - 1] + sorted[k]) / 2;
}

static bool in_box(const struct st *s, const void *arg)
{
	const double *b = arg;
	return s->lon >= b[0] && s->lon <= b[2] && s->lat >= b[1] && s->lat <= b[3];
}

/* A bbox covering roughly the south-west quarter of the stations. */
static void quarter_box(const struct listing *all, double box[4])
{
	double xs[MAX_ST], ys[MAX_ST];
	for (size_t i = 0; i < all->n; i++) {
		xs[i] = all->st[i].lon;
		ys[i] = all->st[i].lat;
	}
	qsort(xs, all->n, sizeof xs[0], cmp_double);
	qsort(ys, all->n, sizeof ys[0], cmp_double);
	box[0] = xs[0] - 0.01;
	box[1] = ys[0] - 0.01;
	box[2] = cut(xs, all->n / 2);
	box[3] = cut(ys, all->n / 2);
}

START_TEST(stations_by_bbox)
{
	struct listing all, got;
	list_fetch(&all, "/api/stations");
	double box[4];
	quarter_box(&all, box);
	char target[256];
	snprintf(target, sizeof target, "/api/stations?bbox=%.7f,%.7f,%.7f,%.7f", box[0], box[1],
		 box[2], box[3]);
	list_fetch(&got, target);
	ck_assert_msg(got.n > 0 && got.n < 80, "%s: %zu stations", target, got.n);
	for (size_t i = 0; i < got.n; i++)
		ck_assert_msg(in_box(&got.st[i], box), "%s: %s at [%f, %f] is outside", target,
			      got.st[i].id, got.st[i].lon, got.st[i].lat);
	assert_same_set(&all, in_box, box, &got, target);
	list_free(&got);

	/* A box with no station (in the sea east of Shanghai). */
	list_fetch(&got, "/api/stations?bbox=123,30,123.5,30.5");
	ck_assert_uint_eq(got.n, 0);
	list_free(&got);
	/* A box around all of them, within the area limit. */
	list_fetch(&got, "/api/stations?bbox=120.5,30.5,122.5,32");
	ck_assert_uint_eq(got.n, 80);
	list_free(&got);
	list_free(&all);
}
END_TEST

struct combo {
	double box[4];
	uint32_t mask;
	const char *q;
};

static bool combo_keep(const struct st *s, const void *arg)
{
	const struct combo *c = arg;
	return in_box(s, c->box) && has_services(s, &c->mask) && (!c->q || contains_text(s, c->q));
}

START_TEST(stations_combined)
{
	struct listing all, got;
	list_fetch(&all, "/api/stations");
	struct combo c = {.mask = 1u << service_index("charging")};
	quarter_box(&all, c.box);
	char target[512];
	snprintf(target, sizeof target, "/api/stations?bbox=%.7f,%.7f,%.7f,%.7f&service=charging",
		 c.box[0], c.box[1], c.box[2], c.box[3]);
	list_fetch(&got, target);
	ck_assert_msg(got.n > 0, "%s: nothing", target);
	assert_same_set(&all, combo_keep, &c, &got, target);
	list_free(&got);

	/* Add a text that one of the stations found has: "驿站" or "服务站". */
	c.q = "驿站";
	char enc[64];
	hc_pct_encode(c.q, enc, sizeof enc);
	snprintf(target, sizeof target,
		 "/api/stations?q=%s&service=charging&bbox=%.7f,%.7f,%.7f,%.7f", enc, c.box[0],
		 c.box[1], c.box[2], c.box[3]);
	list_fetch(&got, target);
	ck_assert_msg(got.n > 0, "%s: nothing", target);
	assert_same_set(&all, combo_keep, &c, &got, target);
	list_free(&got);
	list_free(&all);
}
END_TEST

/* ---- /api/stations/{id} ------------------------------------------------------------ */

START_TEST(station_by_id)
{
	struct hc_response rl, r;
	hc_response_init(&rl);
	hc_response_init(&r);
	struct jval *list = get_json("/api/stations", 200, &rl);
	static const char *const ids[] = {"SH-001", "SH-042", "SH-080"};
	for (size_t k = 0; k < 3; k++) {
		char target[64];
		snprintf(target, sizeof target, "/api/stations/%s", ids[k]);
		struct jval *one = get_json(target, 200, &r);
		struct st s;
		read_station(one, &s, target);
		ck_assert_str_eq(s.id, ids[k]);
		const struct jval *fs = jval_get(list, "features");
		const struct jval *same = NULL;
		for (size_t i = 0; i < jval_count(fs); i++)
			if (!strcmp(jval_str(jval_get(jval_at(fs, i), "id")), ids[k]))
				same = jval_at(fs, i);
		ck_assert_msg(jval_equal(one, same), "%s differs from its entry in /api/stations:\n%s",
			      target, r.body);
		jval_free(one);
	}

	/* Unknown ids: 404 with the error shape. */
	static const char *const unknown[] = {"/api/stations/SH-999", "/api/stations/sh-001",
					      "/api/stations/SH-001x", "/api/stations/",
					      "/api/stations/SH-001/extra"};
	for (size_t k = 0; k < 5; k++) {
		ck_assert_msg(hc_get(port, unknown[k], &r) == HC_OK, "GET %s failed", unknown[k]);
		ck_assert_msg(e2e_is_error(&r, 404, "notfound"), "%s: %s", unknown[k], e2e_why);
	}
	jval_free(list);
	hc_response_fini(&rl);
	hc_response_fini(&r);
}
END_TEST

/* ---- /api/communities --------------------------------------------------------------- */

static void check_ring(const struct jval *ring, const char *where)
{
	size_t n = jval_count(ring);
	ck_assert_msg(ring && ring->type == JVAL_ARR && n >= 4, "%s: a ring of %zu positions", where, n);
	for (size_t i = 0; i < n; i++) {
		const struct jval *p = jval_at(ring, i);
		double lon, lat;
		ck_assert_msg(jval_count(p) == 2 && jval_num(jval_at(p, 0), &lon) &&
				      jval_num(jval_at(p, 1), &lat),
			      "%s: position %zu is not [lon, lat]", where, i);
		ck_assert_msg(lon > 120.8 && lon < 122.2 && lat > 30.6 && lat < 31.9,
			      "%s: [%f, %f] is not in Shanghai (lon/lat order?)", where, lon, lat);
	}
	ck_assert_msg(jval_equal(jval_at(ring, 0), jval_at(ring, n - 1)), "%s: ring not closed", where);
}

static void check_polygon(const struct jval *rings, const char *where)
{
	ck_assert_msg(rings && rings->type == JVAL_ARR && jval_count(rings) >= 1,
		      "%s: a polygon without rings", where);
	for (size_t i = 0; i < jval_count(rings); i++)
		check_ring(jval_at(rings, i), where);
}

START_TEST(communities_all)
{
	struct hc_response r;
	hc_response_init(&r);
	struct jval *v = get_json("/api/communities", 200, &r);
	ck_assert_str_eq(jval_str(jval_get(v, "type")), "FeatureCollection");
	const struct jval *fs = jval_get(v, "features");
	ck_assert_uint_eq(jval_count(fs), 10);
	for (size_t i = 0; i < jval_count(fs); i++) {
		const struct jval *f = jval_at(fs, i);
		char where[64];
		snprintf(where, sizeof where, "community %zu", i);
		ck_assert_str_eq(jval_str(jval_get(f, "type")), "Feature");
		const char *name = jval_str(jval_path(f, "properties.name"));
		ck_assert_msg(name && *name, "%s: no name", where);
		const struct jval *g = jval_get(f, "geometry");
		const char *gt = jval_str(jval_get(g, "type"));
		const struct jval *coords = jval_get(g, "coordinates");
		ck_assert_msg(gt != NULL, "%s: no geometry type", where);
		if (!strcmp(gt, "Polygon")) {
			check_polygon(coords, where);
		} else {
			ck_assert_msg(!strcmp(gt, "MultiPolygon"), "%s: geometry %s", where, gt);
			ck_assert_msg(jval_count(coords) >= 2, "%s: MultiPolygon of %zu polygons", where,
				      jval_count(coords));
			for (size_t k = 0; k < jval_count(coords); k++)
				check_polygon(jval_at(coords, k), where);
		}
	}
	jval_free(v);

	/* No parameters are known here. */
	ck_assert(hc_get(port, "/api/communities?bbox=1,1,2,2", &r) == HC_OK);
	ck_assert_why(e2e_is_error(&r, 400, NULL));
	hc_response_fini(&r);
}
END_TEST

/* ---- /metrics ------------------------------------------------------------------------ */

/* The value of the yizhan_requests_total line with these labels, or -1. */
static double requests_total(const char *text, const char *endpoint, const char *status)
{
	char want[160];
	snprintf(want, sizeof want, "yizhan_requests_total{endpoint=\"%s\",status=\"%s\"} ", endpoint,
		 status);
	for (const char *p = text; (p = strstr(p, want)); p++)
		if (p == text || p[-1] == '\n')
			return strtod(p + strlen(want), NULL);
	return -1;
}

START_TEST(metrics_counts)
{
	struct hc_response r;
	hc_response_init(&r);
	static const char *const used[][3] = {
		{"/health", "health", "200"},
		{"/api/stations", "stations", "200"},
		{"/api/stations/SH-001", "station", "200"},
		{"/api/stations/nope", "station", "404"},
		{"/api/communities", "communities", "200"},
		{"/api/stations?bbox=x", "stations", "400"},
		{"/", "static", "200"},
	};
	size_t n = sizeof used / sizeof used[0];
	for (size_t i = 0; i < n; i++)
		ck_assert(hc_get(port, used[i][0], &r) == HC_OK);
	ck_assert_why(e2e_get(port, "/metrics", 200, &r));
	const char *ct = hc_header(&r, "Content-Type");
	ck_assert_msg(ct && !strncmp(ct, "text/plain", 10), "Content-Type %s", ct ? ct : "(none)");
	ck_assert_msg(strstr(r.body, "# TYPE yizhan_requests_total counter\n") != NULL, "%s", r.body);
	double before[16];
	for (size_t i = 0; i < n; i++) {
		before[i] = requests_total(r.body, used[i][1], used[i][2]);
		ck_assert_msg(before[i] >= 1, "no yizhan_requests_total line for %s %s:\n%s",
			      used[i][1], used[i][2], r.body);
	}
	/* Every sample line is "name{labels} number" or "name number". */
	for (const char *line = r.body; *line;) {
		const char *nl = strchr(line, '\n');
		ck_assert_msg(nl != NULL, "last line without a newline");
		if (*line != '#') {
			const char *sp = memrchr(line, ' ', (size_t)(nl - line));
			char *end;
			ck_assert_msg(sp != NULL, "bad line %.*s", (int)(nl - line), line);
			strtod(sp + 1, &end);
			ck_assert_msg(end == nl, "bad value in %.*s", (int)(nl - line), line);
		}
		line = nl + 1;
	}
	/* The counters count. */
	ck_assert(hc_get(port, "/health", &r) == HC_OK);
	ck_assert(hc_get(port, "/health", &r) == HC_OK);
	ck_assert_why(e2e_get(port, "/metrics", 200, &r));
	double after = requests_total(r.body, "health", "200");
	ck_assert_msg(after >= before[0] + 2, "health 200: %g then %g", before[0], after);
	ck_assert_msg(requests_total(r.body, "metrics", "200") >= 1, "metrics not counted");
	hc_response_fini(&r);
}
END_TEST

/* ---- the page ---------------------------------------------------------------------------- */

START_TEST(page_index)
{
	struct hc_response r, r2;
	hc_response_init(&r);
	hc_response_init(&r2);
	ck_assert_why(e2e_get(port, "/", 200, &r));
	const char *ct = hc_header(&r, "Content-Type");
	ck_assert_msg(ct && !strncmp(ct, "text/html", 9), "Content-Type %s", ct ? ct : "(none)");
	ck_assert_msg(strstr(r.body, "<html") && strstr(r.body, "驿站"), "not the page: %.300s", r.body);
	ck_assert_why(e2e_get(port, "/index.html", 200, &r2));
	ck_assert_msg(r.body_len == r2.body_len && !memcmp(r.body, r2.body, r.body_len),
		      "/ and /index.html differ");

	/* Conditional GET. */
	const char *etag = hc_header(&r, "ETag");
	ck_assert_msg(etag != NULL, "no ETag on the page");
	char hdr[128];
	snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", etag);
	ck_assert(hc_request(port, "GET", "/", hdr, &r2) == HC_OK);
	ck_assert_msg(r2.status == 304 && r2.body_len == 0, "If-None-Match: %d", r2.status);
	ck_assert(hc_request(port, "GET", "/", "If-None-Match: \"other\"\r\n", &r2) == HC_OK);
	ck_assert_int_eq(r2.status, 200);

	/* A file that is not there. */
	ck_assert(hc_get(port, "/nope.html", &r2) == HC_OK);
	ck_assert_why(e2e_is_error(&r2, 404, NULL));
	hc_response_fini(&r);
	hc_response_fini(&r2);
}
END_TEST

/* ---- HTTP behaviour ---------------------------------------------------------------------- */

START_TEST(gzip_when_asked)
{
	struct hc_response plain, gz;
	hc_response_init(&plain);
	hc_response_init(&gz);
	static const char *const targets[] = {"/api/stations", "/api/communities", "/metrics"};
	for (size_t k = 0; k < 3; k++) {
		ck_assert_why(e2e_get(port, targets[k], 200, &plain));
		ck_assert_msg(!hc_header(&plain, "Content-Encoding"), "%s: encoded unasked", targets[k]);
		ck_assert_msg(hc_header_has(&plain, "Vary", "Accept-Encoding"), "%s: no Vary", targets[k]);
		ck_assert(hc_request(port, "GET", targets[k], "Accept-Encoding: gzip, deflate\r\n", &gz) ==
			  HC_OK);
		ck_assert_int_eq(gz.status, 200);
		const char *ce = hc_header(&gz, "Content-Encoding");
		ck_assert_msg(ce && !strcmp(ce, "gzip"), "%s: Content-Encoding %s", targets[k],
			      ce ? ce : "(none)");
		ck_assert_msg(hc_header_has(&gz, "Vary", "Accept-Encoding"), "%s: no Vary", targets[k]);
		ck_assert_msg(gz.body_len < plain.body_len, "%s: gzip did not shrink", targets[k]);
		char *dec;
		size_t dec_len;
		ck_assert_msg(hc_gunzip(gz.body, gz.body_len, &dec, &dec_len) == 0,
			      "%s: not valid gzip", targets[k]);
		if (k < 2) /* /metrics changes between two requests */
			ck_assert_msg(dec_len == plain.body_len && !memcmp(dec, plain.body, dec_len),
				      "%s: decoded gzip differs from the plain body", targets[k]);
		else
			ck_assert_msg(strstr(dec, "yizhan_requests_total") != NULL, "metrics: %.200s", dec);
		free(dec);
	}
	/* Refused with q=0, and not offered: plain. */
	ck_assert(hc_request(port, "GET", "/api/stations", "Accept-Encoding: gzip;q=0\r\n", &gz) ==
		  HC_OK);
	ck_assert_msg(!hc_header(&gz, "Content-Encoding"), "gzip;q=0 was answered with gzip");
	ck_assert(hc_request(port, "GET", "/api/stations", "Accept-Encoding: identity\r\n", &gz) ==
		  HC_OK);
	ck_assert_msg(!hc_header(&gz, "Content-Encoding"), "identity was answered encoded");
	hc_response_fini(&plain);
	hc_response_fini(&gz);
}
END_TEST

START_TEST(cors_and_preflight)
{
	struct hc_response r;
	hc_response_init(&r);
	static const char *const targets[] = {"/api/stations", "/health", "/api/stations/nope"};
	for (size_t k = 0; k < 3; k++) {
		ck_assert(hc_request(port, "GET", targets[k], "Origin: http://example.org\r\n", &r) == HC_OK);
		const char *acao = hc_header(&r, "Access-Control-Allow-Origin");
		ck_assert_msg(acao && !strcmp(acao, "*"), "%s: Access-Control-Allow-Origin %s", targets[k],
			      acao ? acao : "(none)");
	}
	ck_assert(hc_request(port, "OPTIONS", "/api/stations",
			     "Origin: http://example.org\r\nAccess-Control-Request-Method: GET\r\n"
			     "Access-Control-Request-Headers: content-type\r\n",
			     &r) == HC_OK);
	ck_assert_int_eq(r.status, 204);
	ck_assert_uint_eq(r.body_len, 0);
	ck_assert_msg(hc_header_has(&r, "Access-Control-Allow-Methods", "GET"),
		      "preflight without Access-Control-Allow-Methods: GET");
	const char *acao = hc_header(&r, "Access-Control-Allow-Origin");
	ck_assert_msg(acao && !strcmp(acao, "*"), "preflight without Access-Control-Allow-Origin");
	hc_response_fini(&r);
}
END_TEST

START_TEST(keep_alive_and_pipelining)
{
	struct hc_conn *c;
	struct hc_response r;
	hc_response_init(&r);
	ck_assert(hc_connect(port, &c) == HC_OK);
	static const char get_health[] = "GET /health HTTP/1.1\r\nHost: t\r\n\r\n";
	static const char get_one[] = "GET /api/stations/SH-001 HTTP/1.1\r\nHost: t\r\n\r\n";
	/* Two requests one after the other on one connection. */
	for (int i = 0; i < 2; i++) {
		ck_assert(hc_send(c, get_health, sizeof get_health - 1) == HC_OK);
		enum hc_result rc = hc_read(c, false, 5000, &r);
		ck_assert_msg(rc == HC_OK, "request %d on the connection: %s", i + 1, hc_strerror(rc));
		ck_assert_int_eq(r.status, 200);
		ck_assert_msg(!r.closed, "the server closed a keep-alive connection");
	}
	/* Three pipelined in one write: three answers, in order. */
	char batch[512];
	snprintf(batch, sizeof batch, "%s%s%s", get_one, get_health, get_one);
	ck_assert(hc_send(c, batch, strlen(batch)) == HC_OK);
	for (int i = 0; i < 3; i++) {
		enum hc_result rc = hc_read(c, false, 5000, &r);
		ck_assert_msg(rc == HC_OK, "pipelined response %d: %s", i + 1, hc_strerror(rc));
		ck_assert_int_eq(r.status, 200);
		bool is_station = strstr(r.body, "\"SH-001\"") != NULL;
		ck_assert_msg(is_station == (i != 1), "pipelined response %d out of order: %.120s", i + 1,
			      r.body);
	}
	ck_assert_uint_eq(hc_pending(c), 0);
	/* Connection: close is honoured. */
	static const char closing[] = "GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	ck_assert(hc_send(c, closing, sizeof closing - 1) == HC_OK);
	ck_assert(hc_read(c, false, 5000, &r) == HC_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(hc_at_eof(c, 3000), "the connection stays open after Connection: close");
	hc_close(c);
	hc_response_fini(&r);
}
END_TEST

START_TEST(head_requests)
{
	struct hc_conn *c;
	struct hc_response get, head;
	hc_response_init(&get);
	hc_response_init(&head);
	static const char *const targets[] = {"/health", "/api/stations", "/", "/api/stations/nope"};
	ck_assert(hc_connect(port, &c) == HC_OK);
	for (size_t k = 0; k < 4; k++) {
		ck_assert(hc_get(port, targets[k], &get) == HC_OK);
		char req[256];
		snprintf(req, sizeof req, "HEAD %s HTTP/1.1\r\nHost: t\r\n\r\n", targets[k]);
		ck_assert(hc_send(c, req, strlen(req)) == HC_OK);
		ck_assert(hc_read(c, true, 5000, &head) == HC_OK);
		ck_assert_int_eq(head.status, get.status);
		const char *cl = hc_header(&head, "Content-Length");
		/* /health holds the uptime, so only its length may vary by a byte or two. */
		ck_assert_msg(cl != NULL, "HEAD %s: no Content-Length", targets[k]);
		if (k)
			ck_assert_msg(strtoull(cl, NULL, 10) == get.body_len,
				      "HEAD %s: Content-Length %s, GET body %zu", targets[k], cl,
				      get.body_len);
		ck_assert_str_eq(hc_header(&head, "Content-Type"), hc_header(&get, "Content-Type"));
	}
	/* No body bytes followed any HEAD response: the connection is clean and
	 * the next request gets a well-formed answer. */
	ck_assert_msg(!hc_at_eof(c, 100) && hc_pending(c) == 0, "%zu stray bytes after HEAD",
		      hc_pending(c));
	static const char next[] = "GET /api/stations/SH-002 HTTP/1.1\r\nHost: t\r\n\r\n";
	ck_assert(hc_send(c, next, sizeof next - 1) == HC_OK);
	ck_assert(hc_read(c, false, 5000, &get) == HC_OK);
	ck_assert_int_eq(get.status, 200);
	struct jval *v = e2e_json(&get);
	ck_assert_why(v != NULL);
	ck_assert_str_eq(jval_str(jval_get(v, "id")), "SH-002");
	jval_free(v);
	hc_close(c);
	hc_response_fini(&get);
	hc_response_fini(&head);
}
END_TEST

Suite *api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("endpoints");
	tcase_add_unchecked_fixture(tc, server_up, server_down);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT_S);
	tcase_add_test(tc, health_summary);
	tcase_add_test(tc, stations_all);
	tcase_add_test(tc, stations_by_service);
	tcase_add_test(tc, stations_by_text);
	tcase_add_test(tc, stations_by_bbox);
	tcase_add_test(tc, stations_combined);
	tcase_add_test(tc, station_by_id);
	tcase_add_test(tc, communities_all);
	tcase_add_test(tc, metrics_counts);
	tcase_add_test(tc, page_index);
	suite_add_tcase(s, tc);

	TCase *http = tcase_create("http");
	tcase_add_unchecked_fixture(http, server_up, server_down);
	tcase_set_timeout(http, E2E_TEST_TIMEOUT_S);
	tcase_add_test(http, gzip_when_asked);
	tcase_add_test(http, cors_and_preflight);
	tcase_add_test(http, keep_alive_and_pipelining);
	tcase_add_test(http, head_requests);
	suite_add_tcase(s, http);
	return s;
}
