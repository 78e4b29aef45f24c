/* e2e_routing.c — the routing endpoints of the running server over real TCP:
 * /api/route, /api/nearest and /api/isochrone, and the route / nearest /
 * isochrone commands of the command line (SPEC §3, §4, §6, §7).
 *
 * The checks are about meaning, not only shape:
 *   - route: the geometry starts and ends at the snapped points and is as
 *     long as distance_m; the duration fits the mode's speeds (SPEC §2); A→A
 *     costs nothing; durations obey the triangle inequality; walking is
 *     symmetric; and the duration equals a reference Dijkstra on the mode's
 *     graph exported by `yizhan export-edges`, between junctions.
 *   - nearest: ranked by time, each time equal to /api/route's to the
 *     station, nothing faster left out, filters (services, open_now at a
 *     given instant) against the station list and a small opening-hours
 *     evaluator written here.
 *   - isochrone: rings closed and oriented (RFC 7946), areas growing and
 *     matching area_m2, the snapped point and the whole reachable network
 *     inside, the reachable network cut exactly at the limit (its length
 *     against the reference graph), and the containment rule of SPEC §3/§7
 *     measured on the graph's junctions.
 *   - the CLI prints exactly the API's JSON.
 *
 * One server on the bundled Shanghai dataset per test case, started by an
 * unchecked fixture in the runner (Check forks every test).  The fixture
 * also exports each mode's graph once (CSV: segment ends, cost each way,
 * length) into memory the forked tests inherit.  Times: the API's durations
 * are ms / 1000 printed with 3 decimals, so equal routes agree to 0.001 s. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/e2e.h"

Suite *routing_suite(void);

/* ck_assert_msg that costs nothing when it holds: Check's asserts record
 * their location with the parent on every call, which dominates loops over
 * 10^5 network points. */
#define need(cond, ...)                          \
	do {                                     \
		if (!(cond))                     \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

#define R_EARTH_M 6371008.8  /* SPEC §2 */
#define DEG_M (R_EARTH_M * M_PI / 180.0)
#define MAX_ST 200
#define TARGET_MAX 1024

enum { WALK, EBIKE, CAR, MODES };
static const char *const mode_names[MODES] = {"walk", "ebike", "car"};
/* SPEC §2 speeds, km/h: the fastest class of each mode, and the slowest
 * (steps for walking, footways for e-bikes; a car's maxspeed may lower any
 * class, so no lower bound for cars). */
static const double vmax_kmh[MODES] = {5, 18, 90};
static const double vmin_kmh[MODES] = {3, 6, 0};

static struct sproc *srv;
static unsigned port;

/* Query points: four stations' own positions (on a road) and points off the
 * roads, snapped some tens of metres.  All snap in every mode. */
struct pt {
	double lon, lat;
	const char *name;
};
static const struct pt pts[] = {
	{121.45, 31.22, "off-road, Changle Rd"},         /* 0 */
	{121.47, 31.245, "off-road, Jing'an"},            /* 1 */
	{121.435, 31.205, "off-road, Xuhui"},             /* 2 */
	{121.4732464, 31.2720666, "SH-002 (north)"},      /* 3 */
	{121.4609224, 31.1871894, "SH-080 (south)"},      /* 4 */
	{121.5148347, 31.2540822, "SH-034 (east)"},       /* 5 */
	{121.4184684, 31.2613474, "SH-004 (north-west)"}, /* 6 */
	{121.4863585, 31.2346392, "SH-044 (centre)"},     /* 7 */
};

/* ---- geometry -------------------------------------------------------------------- */

static double hav_m(double lon1, double lat1, double lon2, double lat2)
{
	double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
	double dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180;
	double h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
	return 2 * R_EARTH_M * asin(fmin(1, sqrt(h)));
}

/* A local flat frame (x east, y north, metres) centred on a query point. */
struct frame {
	double lon0, lat0, kx;
};

static void frame_init(struct frame *f, double lon0, double lat0)
{
	f->lon0 = lon0;
	f->lat0 = lat0;
	f->kx = DEG_M * cos(lat0 * M_PI / 180);
}

static void frame_xy(const struct frame *f, double lon, double lat, double *x, double *y)
{
	*x = (lon - f->lon0) * f->kx;
	*y = (lat - f->lat0) * DEG_M;
}

static double seg_dist(double px, double py, double ax, double ay, double bx, double by)
{
	double vx = bx - ax, vy = by - ay, vv = vx * vx + vy * vy;
	double t = vv > 0 ? ((px - ax) * vx + (py - ay) * vy) / vv : 0;
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	return hypot(ax + t * vx - px, ay + t * vy - py);
}

/* Position i of a coordinates array, checked to be [lon, lat] in Shanghai. */
static void position(const struct jval *coords, size_t i, double *lon, double *lat,
		     const char *where)
{
	const struct jval *p = jval_at(coords, i);
	need(jval_count(p) == 2 && jval_num(jval_at(p, 0), lon) && jval_num(jval_at(p, 1), lat),
	     "%s: position %zu is not [lon, lat]", where, i);
	need(*lon > 120.8 && *lon < 122.2 && *lat > 30.6 && *lat < 31.9,
	     "%s: position %zu [%f, %f] is not in Shanghai (lon/lat order?)", where, i, *lon,
	     *lat);
}

/* The haversine length of a line's positions (at least `min` of them). */
static double line_length(const struct jval *coords, size_t min, const char *where)
{
	need(coords && coords->type == JVAL_ARR && jval_count(coords) >= min,
	     "%s: a line of %zu positions", where, jval_count(coords));
	double len = 0, plon = 0, plat = 0;
	for (size_t i = 0; i < jval_count(coords); i++) {
		double lon, lat;
		position(coords, i, &lon, &lat, where);
		if (i)
			len += hav_m(plon, plat, lon, lat);
		plon = lon;
		plat = lat;
	}
	return len;
}

/* A LineString geometry: its coordinates (≥ 2 positions, RFC 7946). */
static const struct jval *linestring(const struct jval *g, const char *where)
{
	const char *t = jval_str(jval_get(g, "type"));
	need(t && !strcmp(t, "LineString"), "%s: geometry type %s", where, t ? t : "(none)");
	const struct jval *c = jval_get(g, "coordinates");
	line_length(c, 2, where);
	return c;
}

/* Polygons read into the query's frame.  Each ring keeps its edges binned
 * in horizontal bands, so a point-in-ring test reads only the edges of the
 * point's band: the tests ask it for 10^5 network points. */
#define RING_BANDS 512
struct ring {
	size_t n;     /* positions, the last equal to the first */
	double *x, *y;
	double min_x, max_x, min_y, max_y, band_h;
	uint32_t *band_first; /* [RING_BANDS + 1] */
	uint32_t *band_edge;  /* edge i runs from position i to i + 1 */
};
struct polygon {
	size_t count; /* ring[0] exterior, then holes */
	struct ring *ring;
};
struct shape {
	size_t count;
	struct polygon *poly;
	double area_m2; /* exteriors minus holes */
};

static double ring_signed_area(const struct ring *r)
{
	double a = 0;
	for (size_t i = 0; i + 1 < r->n; i++)
		a += r->x[i] * r->y[i + 1] - r->x[i + 1] * r->y[i];
	return a / 2;
}

static uint32_t ring_band(const struct ring *r, double y)
{
	double b = floor((y - r->min_y) / r->band_h);
	return b < 0 ? 0 : b >= RING_BANDS ? RING_BANDS - 1 : (uint32_t)b;
}

static void ring_index(struct ring *r)
{
	r->min_x = r->min_y = INFINITY;
	r->max_x = r->max_y = -INFINITY;
	for (size_t i = 0; i < r->n; i++) {
		r->min_x = fmin(r->min_x, r->x[i]);
		r->max_x = fmax(r->max_x, r->x[i]);
		r->min_y = fmin(r->min_y, r->y[i]);
		r->max_y = fmax(r->max_y, r->y[i]);
	}
	r->band_h = fmax((r->max_y - r->min_y) / RING_BANDS, 1e-9);
	r->band_first = calloc(RING_BANDS + 1, sizeof *r->band_first);
	ck_assert(r->band_first);
	for (int pass = 0; pass < 2; pass++) {
		uint32_t *fill = NULL;
		if (pass) {
			for (int b = 0; b < RING_BANDS; b++)
				r->band_first[b + 1] += r->band_first[b];
			r->band_edge = malloc((r->band_first[RING_BANDS] + 1) * sizeof *r->band_edge);
			fill = malloc((RING_BANDS + 1) * sizeof *fill);
			ck_assert(r->band_edge && fill);
			memcpy(fill, r->band_first, (RING_BANDS + 1) * sizeof *fill);
		}
		for (size_t i = 0; i + 1 < r->n; i++) {
			uint32_t b0 = ring_band(r, fmin(r->y[i], r->y[i + 1]));
			uint32_t b1 = ring_band(r, fmax(r->y[i], r->y[i + 1]));
			for (uint32_t b = b0; b <= b1; b++) {
				if (pass)
					r->band_edge[fill[b]++] = (uint32_t)i;
				else
					r->band_first[b + 1]++;
			}
		}
		free(fill);
	}
}

/* Crossing-number test, over the edges of the point's band. */
static bool ring_contains(const struct ring *r, double x, double y)
{
	if (x < r->min_x || x > r->max_x || y < r->min_y || y > r->max_y)
		return false;
	uint32_t b = ring_band(r, y);
	bool in = false;
	for (uint32_t e = r->band_first[b]; e < r->band_first[b + 1]; e++) {
		size_t i = r->band_edge[e];
		double x1 = r->x[i], y1 = r->y[i], x2 = r->x[i + 1], y2 = r->y[i + 1];
		if ((y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1))
			in = !in;
	}
	return in;
}

/* Inside one polygon's exterior and none of its holes. */
static bool shape_contains(const struct shape *s, double x, double y)
{
	for (size_t k = 0; k < s->count; k++) {
		const struct polygon *p = &s->poly[k];
		if (!ring_contains(&p->ring[0], x, y))
			continue;
		bool in_hole = false;
		for (size_t h = 1; h < p->count && !in_hole; h++)
			in_hole = ring_contains(&p->ring[h], x, y);
		if (!in_hole)
			return true;
	}
	return false;
}

/* Distance to the nearest ring edge. */
static double shape_boundary_dist(const struct shape *s, double x, double y)
{
	double best = INFINITY;
	for (size_t k = 0; k < s->count; k++)
		for (size_t h = 0; h < s->poly[k].count; h++) {
			const struct ring *r = &s->poly[k].ring[h];
			for (size_t i = 0; i + 1 < r->n; i++)
				best = fmin(best, seg_dist(x, y, r->x[i], r->y[i], r->x[i + 1], r->y[i + 1]));
		}
	return best;
}

static void read_ring(const struct jval *c, const struct frame *f, struct ring *r, const char *where)
{
	need(c && c->type == JVAL_ARR && jval_count(c) >= 4,
	     "%s: a ring of %zu positions (RFC 7946: at least 4)", where, jval_count(c));
	need(jval_equal(jval_at(c, 0), jval_at(c, jval_count(c) - 1)), "%s: ring not closed",
	     where);
	r->n = jval_count(c);
	r->x = malloc(r->n * sizeof *r->x);
	r->y = malloc(r->n * sizeof *r->y);
	ck_assert(r->x && r->y);
	for (size_t i = 0; i < r->n; i++) {
		double lon, lat;
		position(c, i, &lon, &lat, where);
		frame_xy(f, lon, lat, &r->x[i], &r->y[i]);
	}
	ring_index(r);
}

static void read_polygon(const struct jval *rings, const struct frame *f, struct polygon *p,
			 double *area, const char *where)
{
	need(rings && rings->type == JVAL_ARR && jval_count(rings) >= 1,
	     "%s: a polygon without rings", where);
	p->count = jval_count(rings);
	p->ring = calloc(p->count, sizeof *p->ring);
	ck_assert(p->ring);
	for (size_t h = 0; h < p->count; h++) {
		char w[TARGET_MAX + 192];
		snprintf(w, sizeof w, "%s ring %zu", where, h);
		read_ring(jval_at(rings, h), f, &p->ring[h], w);
		double a = ring_signed_area(&p->ring[h]);
		/* RFC 7946 §3.1.6: exteriors counter-clockwise, holes clockwise */
		if (h == 0)
			need(a > 0, "%s: exterior ring is clockwise (signed area %.1f m²)", w, a);
		else
			need(a < 0, "%s: hole is counter-clockwise (signed area %.1f m²)", w, a);
		*area += a;
	}
}

/* A Polygon or MultiPolygon geometry, checked and read into `s`. */
static void read_shape(const struct jval *g, const struct frame *f, struct shape *s,
		       const char *where)
{
	const char *t = jval_str(jval_get(g, "type"));
	const struct jval *c = jval_get(g, "coordinates");
	need(t && (!strcmp(t, "Polygon") || !strcmp(t, "MultiPolygon")),
	     "%s: geometry type %s", where, t ? t : "(none)");
	bool multi = !strcmp(t, "MultiPolygon");
	need(c && c->type == JVAL_ARR && jval_count(c) >= 1, "%s: empty %s", where, t);
	s->count = multi ? jval_count(c) : 1;
	s->poly = calloc(s->count, sizeof *s->poly);
	ck_assert(s->poly);
	s->area_m2 = 0;
	for (size_t k = 0; k < s->count; k++) {
		char w[TARGET_MAX + 128];
		snprintf(w, sizeof w, "%s polygon %zu", where, k);
		read_polygon(multi ? jval_at(c, k) : c, f, &s->poly[k], &s->area_m2, w);
	}
}

static void shape_free(struct shape *s)
{
	for (size_t k = 0; k < s->count; k++) {
		for (size_t h = 0; h < s->poly[k].count; h++) {
			free(s->poly[k].ring[h].x);
			free(s->poly[k].ring[h].y);
			free(s->poly[k].ring[h].band_first);
			free(s->poly[k].ring[h].band_edge);
		}
		free(s->poly[k].ring);
	}
	free(s->poly);
	memset(s, 0, sizeof *s);
}

/* ---- the reference graphs (yizhan export-edges) -------------------------------------- */

/* One mode's graph as exported: segments with their ends, the time each way
 * (ms, -1 when not allowed) and length; node positions; incidence lists. */
struct refgraph {
	uint32_t n, m;            /* node ids 0..n-1 (the file's ids - 1), segments */
	uint32_t *u, *v;          /* [m] ends */
	int64_t *fwd_ms, *bwd_ms; /* [m] u→v, v→u; -1 not allowed */
	double *len_m;            /* [m] */
	double *lon, *lat;        /* [n] NAN for ids that are not in the graph */
	bool *shared;             /* [n] another node has the same position */
	uint32_t *first, *adj;    /* [n+1], [2m]: node → incident segments */
	double min_lon, min_lat, max_lon, max_lat;
	bool all_5kmh;            /* every segment at exactly 5 km/h (walk: no steps) */
};

static struct refgraph ref[MODES];
static bool ref_loaded;

struct keyed {
	double lon, lat;
	uint32_t id;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->lon != y->lon)
		return x->lon < y->lon ? -1 : 1;
	if (x->lat != y->lat)
		return x->lat < y->lat ? -1 : 1;
	return 0;
}

static void ref_read(struct refgraph *g, const char *path, const char *mode)
{
	FILE *f = fopen(path, "r");
	need(f != NULL, "export-edges --mode %s wrote no %s", mode, path);
	char line[512];
	size_t lines = 0;
	uint32_t max_id = 0;
	need(fgets(line, sizeof line, f) && !strncmp(line, "id,source,target,cost_s,", 24),
	     "export-edges --mode %s: unexpected header %s", mode, line);
	while (fgets(line, sizeof line, f))
		lines++;
	need(lines > 100, "export-edges --mode %s: %zu segments", mode, lines);
	g->u = malloc(lines * sizeof *g->u);
	g->v = malloc(lines * sizeof *g->v);
	g->fwd_ms = malloc(lines * sizeof *g->fwd_ms);
	g->bwd_ms = malloc(lines * sizeof *g->bwd_ms);
	g->len_m = malloc(lines * sizeof *g->len_m);
	ck_assert(g->u && g->v && g->fwd_ms && g->bwd_ms && g->len_m);
	rewind(f);
	ck_assert(fgets(line, sizeof line, f));
	double (*xy)[4] = malloc(lines * sizeof *xy);
	ck_assert(xy);
	g->m = 0;
	g->all_5kmh = true;
	while (fgets(line, sizeof line, f)) {
		unsigned id, a, b;
		double cf, cb, len, x1, y1, x2, y2;
		need(sscanf(line, "%u,%u,%u,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &id, &a, &b, &cf, &cb,
				     &len, &x1, &y1, &x2, &y2) == 10 && a >= 1 && b >= 1,
			      "export-edges --mode %s: bad line %s", mode, line);
		uint32_t s = g->m++;
		g->u[s] = a - 1;
		g->v[s] = b - 1;
		g->fwd_ms[s] = cf < 0 ? -1 : llround(cf * 1000);
		g->bwd_ms[s] = cb < 0 ? -1 : llround(cb * 1000);
		g->len_m[s] = len;
		need(g->fwd_ms[s] >= 0 || g->bwd_ms[s] >= 0, "%s: segment %u unusable", mode, id);
		double t = (g->fwd_ms[s] >= 0 ? g->fwd_ms[s] : g->bwd_ms[s]) / 1000.0;
		if (len > 5 && fabs(len / (5 / 3.6) - t) > 0.002 + 1e-4 * t)
			g->all_5kmh = false;
		xy[s][0] = x1;
		xy[s][1] = y1;
		xy[s][2] = x2;
		xy[s][3] = y2;
		max_id = a > max_id ? a : max_id;
		max_id = b > max_id ? b : max_id;
	}
	fclose(f);
	g->n = max_id;
	g->lon = malloc(g->n * sizeof *g->lon);
	g->lat = malloc(g->n * sizeof *g->lat);
	g->shared = calloc(g->n, sizeof *g->shared);
	g->first = calloc((size_t)g->n + 1, sizeof *g->first);
	g->adj = malloc(2 * (size_t)g->m * sizeof *g->adj);
	ck_assert(g->lon && g->lat && g->shared && g->first && g->adj);
	for (uint32_t i = 0; i < g->n; i++)
		g->lon[i] = g->lat[i] = NAN;
	g->min_lon = g->min_lat = INFINITY;
	g->max_lon = g->max_lat = -INFINITY;
	for (uint32_t s = 0; s < g->m; s++) {
		g->lon[g->u[s]] = xy[s][0];
		g->lat[g->u[s]] = xy[s][1];
		g->lon[g->v[s]] = xy[s][2];
		g->lat[g->v[s]] = xy[s][3];
		g->min_lon = fmin(g->min_lon, fmin(xy[s][0], xy[s][2]));
		g->max_lon = fmax(g->max_lon, fmax(xy[s][0], xy[s][2]));
		g->min_lat = fmin(g->min_lat, fmin(xy[s][1], xy[s][3]));
		g->max_lat = fmax(g->max_lat, fmax(xy[s][1], xy[s][3]));
		g->first[g->u[s] + 1]++;
		if (g->v[s] != g->u[s])
			g->first[g->v[s] + 1]++;
	}
	free(xy);
	for (uint32_t i = 0; i < g->n; i++)
		g->first[i + 1] += g->first[i];
	uint32_t *fill = malloc(((size_t)g->n + 1) * sizeof *fill);
	ck_assert(fill);
	memcpy(fill, g->first, ((size_t)g->n + 1) * sizeof *fill);
	for (uint32_t s = 0; s < g->m; s++) {
		g->adj[fill[g->u[s]]++] = s;
		if (g->v[s] != g->u[s])
			g->adj[fill[g->v[s]]++] = s;
	}
	free(fill);
	/* Nodes at one position (bridges over streets, layers): a query there
	 * may snap to either, so the tests do not start at them. */
	struct keyed *k = malloc(g->n * sizeof *k);
	ck_assert(k);
	uint32_t kn = 0;
	for (uint32_t i = 0; i < g->n; i++)
		if (!isnan(g->lon[i]))
			k[kn++] = (struct keyed){g->lon[i], g->lat[i], i};
	qsort(k, kn, sizeof *k, keyed_cmp);
	for (uint32_t i = 1; i < kn; i++)
		if (!keyed_cmp(&k[i - 1], &k[i]))
			g->shared[k[i - 1].id] = g->shared[k[i].id] = true;
	free(k);
}

static void ref_load_all(void)
{
	if (ref_loaded)
		return;
	char dir[512];
	need(sproc_mkdtemp(dir, sizeof dir) == 0, "no temporary directory");
	for (int m = 0; m < MODES; m++) {
		char path[600];
		snprintf(path, sizeof path, "%s/%s.csv", dir, mode_names[m]);
		const char *const args[] = {"export-edges", E2E_DATASET, "--mode", mode_names[m],
					    "-o", path, NULL};
		struct sproc_result res;
		need(sproc_run(args, 120000, &res) == 0, "cannot run %s", sproc_bin());
		need(res.status == 0, "export-edges --mode %s: status %d\n%s", mode_names[m],
		     res.status, res.err);
		sproc_result_fini(&res);
		ref_read(&ref[m], path, mode_names[m]);
	}
	sproc_rmtree(dir);
	ref_loaded = true;
}

/* Dijkstra on the reference graph: times (ms) from `src`, or to it when
 * `backward`; INT64_MAX when not reached.  A plain binary heap with lazy
 * deletion: a few thousand nodes. */
struct hitem {
	int64_t key;
	uint32_t node;
};

static void heap_push(struct hitem *h, size_t *n, int64_t key, uint32_t node)
{
	size_t i = (*n)++;
	while (i > 0 && h[(i - 1) / 2].key > key) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = (struct hitem){key, node};
}

static struct hitem heap_pop(struct hitem *h, size_t *n)
{
	struct hitem top = h[0], last = h[--*n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1].key < h[c].key)
			c++;
		if (h[c].key >= last.key)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = last;
	return top;
}

static int64_t *ref_dijkstra(const struct refgraph *g, uint32_t src, bool backward)
{
	int64_t *d = malloc(g->n * sizeof *d);
	struct hitem *h = malloc((2 * (size_t)g->m + 2) * sizeof *h);
	ck_assert(d && h);
	for (uint32_t i = 0; i < g->n; i++)
		d[i] = INT64_MAX;
	size_t hn = 0;
	d[src] = 0;
	heap_push(h, &hn, 0, src);
	while (hn) {
		struct hitem it = heap_pop(h, &hn);
		if (it.key > d[it.node])
			continue;
		uint32_t x = it.node;
		for (uint32_t e = g->first[x]; e < g->first[x + 1]; e++) {
			uint32_t s = g->adj[e];
			/* forward: from x = u to v costs u→v; backward (times to
			 * the source): v reaches x = u by v→u */
			int64_t out_uv = backward ? g->bwd_ms[s] : g->fwd_ms[s];
			int64_t out_vu = backward ? g->fwd_ms[s] : g->bwd_ms[s];
			if (g->u[s] == x && out_uv >= 0 && d[x] + out_uv < d[g->v[s]]) {
				d[g->v[s]] = d[x] + out_uv;
				heap_push(h, &hn, d[g->v[s]], g->v[s]);
			}
			if (g->v[s] == x && out_vu >= 0 && d[x] + out_vu < d[g->u[s]]) {
				d[g->u[s]] = d[x] + out_vu;
				heap_push(h, &hn, d[g->u[s]], g->u[s]);
			}
		}
	}
	free(h);
	return d;
}

/* Network length reachable within `limit_ms` (SPEC §3: edge parts cut
 * exactly at the limit), from the times `d` of a search from (or to, with
 * `to`) a junction. */
static double ref_reach_m(const struct refgraph *g, const int64_t *d, bool to, int64_t limit_ms)
{
	double sum = 0;
	for (uint32_t s = 0; s < g->m; s++) {
		int64_t T = g->fwd_ms[s] >= 0 ? g->fwd_ms[s] : g->bwd_ms[s];
		/* the stretch anchored at u (reached from u, or reaching the
		 * point through u) and the one anchored at v */
		bool at_u = to ? g->bwd_ms[s] >= 0 : g->fwd_ms[s] >= 0;
		bool at_v = to ? g->fwd_ms[s] >= 0 : g->bwd_ms[s] >= 0;
		double fu = 0, fv = 0;
		if (at_u && d[g->u[s]] <= limit_ms)
			fu = T > 0 ? fmin(1, (double)(limit_ms - d[g->u[s]]) / (double)T) : 1;
		if (at_v && d[g->v[s]] <= limit_ms)
			fv = T > 0 ? fmin(1, (double)(limit_ms - d[g->v[s]]) / (double)T) : 1;
		sum += fmin(1, fu + fv) * g->len_m[s];
	}
	return sum;
}

/* The node of the graph nearest to (lon, lat), not sharing its position. */
static uint32_t ref_node_near(const struct refgraph *g, double lon, double lat)
{
	uint32_t best = UINT32_MAX;
	double bd = INFINITY;
	for (uint32_t i = 0; i < g->n; i++) {
		if (isnan(g->lon[i]) || g->shared[i] || g->first[i + 1] - g->first[i] < 2)
			continue;
		double dd = hav_m(lon, lat, g->lon[i], g->lat[i]);
		if (dd < bd) {
			bd = dd;
			best = i;
		}
	}
	ck_assert(best != UINT32_MAX);
	return best;
}

/* ---- fixtures and requests ------------------------------------------------------------- */

static void server_up(void)
{
	static const char *const args[] = {"serve", E2E_DATASET, "--port", "0", "--host",
					   "127.0.0.1", NULL};
	srv = e2e_serve(args);
	port = sproc_port(srv);
	ref_load_all();
}

static void server_down(void)
{
	sproc_stop(srv, 6000);
	sproc_free(srv);
	srv = NULL;
}

/* The target of the last request, for messages. */
static char target[TARGET_MAX];

/* GET the target: 200 with a JSON body; the tree is the caller's. */
__attribute__((format(printf, 1, 2))) static struct jval *get_ok(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(target, sizeof target, fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof target);
	struct hc_response r;
	hc_response_init(&r);
	ck_assert_why(e2e_get(port, target, 200, &r));
	const char *ct = hc_header(&r, "Content-Type");
	need(ct && strstr(ct, "json"), "%s: Content-Type %s", target, ct ? ct : "(none)");
	struct jval *v = e2e_json(&r);
	ck_assert_why(v != NULL);
	hc_response_fini(&r);
	return v;
}

/* GET the target: the SPEC §4 error shape with this status and code. */
static void get_error(const char *t, int status, const char *code)
{
	struct hc_response r;
	hc_response_init(&r);
	enum hc_result rc = hc_get(port, t, &r);
	need(rc == HC_OK, "GET %s: %s", t, hc_strerror(rc));
	need(e2e_is_error(&r, status, code), "GET %s: %s", t, e2e_why);
	hc_response_fini(&r);
}

static double num(const struct jval *v, const char *key, const char *where)
{
	double x;
	need(jval_num(jval_get(v, key), &x), "%s: no number \"%s\"", where, key);
	need(isfinite(x), "%s: %s is not finite", where, key);
	return x;
}

static void expect_mode(const struct jval *v, const char *mode, const char *where)
{
	const char *m = jval_str(jval_get(v, "mode"));
	need(m && !strcmp(m, mode), "%s: mode %s, expected %s", where, m ? m : "(none)", mode);
}

/* ---- stations ---------------------------------------------------------------------------- */

static const char *const service_keys[] = {
	"water",   "hot_water", "charging", "microwave", "toilet",  "wifi",    "first_aid",
	"umbrella", "seating",  "heating",  "cooling",   "repair",  "reading", "legal_aid",
};
#define SERVICE_KEYS (sizeof service_keys / sizeof service_keys[0])

struct st {
	const char *id, *name, *hours;
	double lon, lat;
	uint32_t services;
};

struct stations {
	struct jval *v;
	size_t n;
	struct st s[MAX_ST];
};

static uint32_t service_mask(const struct jval *arr, const char *where)
{
	need(arr && arr->type == JVAL_ARR, "%s: services is not an array", where);
	uint32_t mask = 0;
	for (size_t i = 0; i < jval_count(arr); i++) {
		const char *k = jval_str(jval_at(arr, i));
		size_t s = 0;
		while (k && s < SERVICE_KEYS && strcmp(service_keys[s], k))
			s++;
		need(k && s < SERVICE_KEYS, "%s: unknown service %s", where, k ? k : "(non-string)");
		mask |= 1u << s;
	}
	return mask;
}

/* "a,b" → the mask of those service keys. */
static uint32_t mask_of(const char *list)
{
	uint32_t mask = 0;
	char buf[128];
	snprintf(buf, sizeof buf, "%s", list);
	for (char *save, *k = strtok_r(buf, ",;", &save); k; k = strtok_r(NULL, ",;", &save)) {
		size_t s = 0;
		while (s < SERVICE_KEYS && strcmp(service_keys[s], k))
			s++;
		ck_assert(s < SERVICE_KEYS);
		mask |= 1u << s;
	}
	return mask;
}

static void stations_fetch(struct stations *l, const char *query)
{
	l->v = get_ok("/api/stations%s", query);
	const struct jval *fs = jval_get(l->v, "features");
	l->n = jval_count(fs);
	need(l->n <= MAX_ST, "%zu stations", l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct jval *f = jval_at(fs, i), *p = jval_get(f, "properties");
		struct st *s = &l->s[i];
		s->id = jval_str(jval_get(p, "id"));
		s->name = jval_str(jval_get(p, "name"));
		s->hours = jval_str(jval_get(p, "hours"));
		const struct jval *c = jval_path(f, "geometry.coordinates");
		need(s->id && s->name && s->hours && jval_num(jval_at(c, 0), &s->lon) &&
				      jval_num(jval_at(c, 1), &s->lat),
			      "/api/stations%s: feature %zu lacks id, name, hours or a point", query, i);
		s->services = service_mask(jval_get(p, "services"), s->id);
	}
}

static const struct st *station_by_id(const struct stations *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->s[i].id, id))
			return &l->s[i];
	return NULL;
}

/* ---- opening hours, the subset the dataset uses ---------------------------------------- */

/* Open at `minute` (0..1439) of weekday `wday` (0 = Monday)?  1 or 0, or -1
 * for syntax this evaluator does not know.  Knows "24/7" and rules
 * "Mo-Fr 07:00-21:00; Sa,Su 09:00-18:00": day lists and ranges, one time
 * range each, ending by midnight, end exclusive; a later rule replaces an
 * earlier one for its days (OSM opening_hours). */
/* "Mo".."Su" at p → 0..6, else -1. */
static int day_index(const char *p)
{
	static const char days[] = "MoTuWeThFrSaSu";
	for (int k = 0; k < 7; k++)
		if (p[0] == days[2 * k] && p[0] && p[1] == days[2 * k + 1])
			return k;
	return -1;
}

static int hours_open(const char *h, int wday, int minute)
{
	if (!strcmp(h, "24/7"))
		return 1;
	int open = 0;
	const char *p = h;
	while (*p) {
		while (*p == ' ')
			p++;
		bool day_on[7] = {false};
		for (;;) {
			int a = day_index(p), b = a;
			if (a < 0)
				return -1;
			p += 2;
			if (*p == '-') {
				b = day_index(p + 1);
				if (b < 0)
					return -1;
				p += 3;
			}
			if (b < a)
				return -1;
			for (int k = a; k <= b; k++)
				day_on[k] = true;
			if (*p != ',')
				break;
			p++;
		}
		int h0, m0, h1, m1, used;
		if (sscanf(p, " %2d:%2d-%2d:%2d%n", &h0, &m0, &h1, &m1, &used) != 4)
			return -1;
		p += used;
		int t0 = h0 * 60 + m0, t1 = h1 * 60 + m1;
		if (t1 <= t0 || t1 > 1440)
			return -1;
		if (day_on[wday])
			open = minute >= t0 && minute < t1;
		while (*p == ' ')
			p++;
		if (*p == ';')
			p++;
		else if (*p)
			return -1;
	}
	return open;
}

/* ---- /api/route ------------------------------------------------------------------------- */

struct route {
	double duration_s, distance_m, from_m, to_m;
	double line_m; /* haversine length of the geometry */
	double first_lon, first_lat, last_lon, last_lat;
};

/* Duration bounds of SPEC §2 for a path of `dist` metres. */
static void check_speed(int m, double duration, double dist, const char *where)
{
	double fastest = dist / (vmax_kmh[m] / 3.6);
	need(duration >= fastest - 0.01,
	     "%s: %.2f m in %.3f s is faster than %s's %g km/h", where, dist, duration,
	     mode_names[m], vmax_kmh[m]);
	if (vmin_kmh[m] > 0)
		need(duration <= dist / (vmin_kmh[m] / 3.6) + 0.01,
		     "%s: %.2f m in %.3f s is slower than %s's slowest %g km/h", where, dist,
		     duration, mode_names[m], vmin_kmh[m]);
	if (m == WALK && ref[WALK].all_5kmh)
		need(fabs(duration - fastest) <= 0.01 * fastest + 0.01,
		     "%s: walking %.2f m took %.3f s, not %.3f s at 5 km/h (the walk graph "
		     "has no steps)", where, dist, duration, fastest);
}

/* GET /api/route from a to b and check what every route must satisfy. */
static void route_get(int m, double alon, double alat, double blon, double blat, struct route *out)
{
	struct jval *v = get_ok("/api/route?from=%.7f,%.7f&to=%.7f,%.7f&mode=%s", alon, alat, blon,
				blat, mode_names[m]);
	char where[TARGET_MAX];
	snprintf(where, sizeof where, "%s", target);
	expect_mode(v, mode_names[m], where);
	out->duration_s = num(v, "duration_s", where);
	out->distance_m = num(v, "distance_m", where);
	const struct jval *snap = jval_get(v, "snap");
	out->from_m = num(snap, "from_m", where);
	out->to_m = num(snap, "to_m", where);
	need(out->duration_s >= 0 && out->distance_m >= 0, "%s: negative", where);
	need(out->from_m >= 0 && out->from_m <= 1000 && out->to_m >= 0 && out->to_m <= 1000,
	     "%s: snap distances %.2f, %.2f outside [0, max_snap]", where, out->from_m,
	     out->to_m);
	const struct jval *c = linestring(jval_get(v, "geometry"), where);
	size_t n = jval_count(c);
	position(c, 0, &out->first_lon, &out->first_lat, where);
	position(c, n - 1, &out->last_lon, &out->last_lat, where);
	out->line_m = line_length(c, 2, where);
	/* The geometry runs from the snapped start to the snapped end. */
	double d0 = hav_m(alon, alat, out->first_lon, out->first_lat);
	double d1 = hav_m(blon, blat, out->last_lon, out->last_lat);
	need(d0 <= out->from_m + 1, "%s: the geometry starts %.2f m from `from`, snap %.2f m",
	     where, d0, out->from_m);
	need(d1 <= out->to_m + 1, "%s: the geometry ends %.2f m from `to`, snap %.2f m", where,
	     d1, out->to_m);
	/* ... and the snap distances are the distances to those points (the
	 * equirectangular frame of SPEC §7 and haversine agree to mm here). */
	need(fabs(d0 - out->from_m) <= 0.5 && fabs(d1 - out->to_m) <= 0.5,
	     "%s: ends %.2f / %.2f m from the query points, snap says %.2f / %.2f", where, d0,
	     d1, out->from_m, out->to_m);
	need(fabs(out->line_m - out->distance_m) <= 0.01 * out->distance_m + 0.5,
	     "%s: the geometry is %.2f m long, distance_m %.2f", where, out->line_m,
	     out->distance_m);
	check_speed(m, out->duration_s, out->distance_m, where);
	jval_free(v);
}

static double route_s(int m, const struct pt *a, const struct pt *b)
{
	struct route r;
	route_get(m, a->lon, a->lat, b->lon, b->lat, &r);
	return r.duration_s;
}

START_TEST(route_semantics)
{
	static const int pairs[][2] = {{0, 3}, {4, 3}, {1, 5}, {6, 7}, {2, 0}, {5, 6}, {7, 4}};
	for (int m = 0; m < MODES; m++)
		for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
			const struct pt *a = &pts[pairs[k][0]], *b = &pts[pairs[k][1]];
			struct route r;
			route_get(m, a->lon, a->lat, b->lon, b->lat, &r);
			need(r.duration_s > 0 && r.distance_m > 0,
			     "%s: %s → %s: duration %.3f, distance %.2f", mode_names[m],
			     a->name, b->name, r.duration_s, r.distance_m);
			/* the network path is not shorter than the straight line
			 * between the snapped ends */
			double straight = hav_m(r.first_lon, r.first_lat, r.last_lon, r.last_lat);
			need(r.distance_m >= straight - 0.5,
			     "%s: %s → %s: %.2f m, straight line %.2f m", mode_names[m], a->name,
			     b->name, r.distance_m, straight);
		}
}
END_TEST

START_TEST(route_same_point)
{
	static const int which[] = {0, 2, 3, 7};
	for (int m = 0; m < MODES; m++)
		for (size_t k = 0; k < sizeof which / sizeof which[0]; k++) {
			const struct pt *a = &pts[which[k]];
			struct route r;
			route_get(m, a->lon, a->lat, a->lon, a->lat, &r);
			need(r.duration_s == 0 && r.distance_m == 0,
			     "%s: %s → itself: %.3f s, %.2f m", mode_names[m], a->name,
			     r.duration_s, r.distance_m);
			need(r.from_m == r.to_m, "%s: %s → itself: snaps %.2f and %.2f",
			     mode_names[m], a->name, r.from_m, r.to_m);
			need(r.first_lon == r.last_lon && r.first_lat == r.last_lat,
			     "%s: %s → itself: the geometry moves", mode_names[m], a->name);
		}
}
END_TEST

START_TEST(route_modes_compared)
{
	/* South to north, about 9 km as the crow flies. */
	const struct pt *a = &pts[4], *b = &pts[3];
	double walk = route_s(WALK, a, b), ebike = route_s(EBIKE, a, b), car = route_s(CAR, a, b);
	need(car < walk && ebike < walk, "%s → %s: walk %.0f s, ebike %.0f s, car %.0f s",
	     a->name, b->name, walk, ebike, car);
	need(walk > 3600, "walking %s → %s takes %.0f s", a->name, b->name, walk);
	/* Walking ignores direction (SPEC §2): the same time both ways. */
	static const int pairs[][2] = {{4, 3}, {0, 7}, {2, 6}, {1, 5}};
	for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
		const struct pt *p = &pts[pairs[k][0]], *q = &pts[pairs[k][1]];
		struct route there, back;
		route_get(WALK, p->lon, p->lat, q->lon, q->lat, &there);
		route_get(WALK, q->lon, q->lat, p->lon, p->lat, &back);
		need(fabs(there.duration_s - back.duration_s) <= 0.002,
		     "walk %s ⇄ %s: %.3f s there, %.3f s back", p->name, q->name,
		     there.duration_s, back.duration_s);
	}
}
END_TEST

START_TEST(route_triangle_inequality)
{
	static const int triples[][3] = {{0, 1, 5}, {4, 7, 3}, {6, 2, 5}, {3, 0, 4}, {2, 7, 1}};
	for (int m = 0; m < MODES; m++)
		for (size_t k = 0; k < sizeof triples / sizeof triples[0]; k++) {
			const struct pt *a = &pts[triples[k][0]], *b = &pts[triples[k][1]],
					*c = &pts[triples[k][2]];
			double ab = route_s(m, a, b), bc = route_s(m, b, c), ac = route_s(m, a, c);
			need(ac <= ab + bc + 1,
			     "%s: %s → %s %.3f s > via %s %.3f + %.3f s", mode_names[m], a->name,
			     c->name, ac, b->name, ab, bc);
		}
}
END_TEST

/* Between junctions the duration is the reference graph's shortest time. */
START_TEST(route_optimal)
{
	for (int m = 0; m < MODES; m++) {
		const struct refgraph *g = &ref[m];
		uint32_t seed = 12345u + (uint32_t)m;
		for (int k = 0; k < 10; k++) {
			uint32_t a, b;
			do {
				seed = seed * 1103515245u + 12345u;
				a = (seed >> 8) % g->n;
			} while (isnan(g->lon[a]) || g->shared[a]);
			do {
				seed = seed * 1103515245u + 12345u;
				b = (seed >> 8) % g->n;
			} while (isnan(g->lon[b]) || g->shared[b] || b == a);
			int64_t *d = ref_dijkstra(g, a, false);
			need(d[b] != INT64_MAX, "%s: reference: node %u does not reach %u (not "
			     "one strongly connected component)", mode_names[m], a + 1, b + 1);
			struct route r;
			route_get(m, g->lon[a], g->lat[a], g->lon[b], g->lat[b], &r);
			need(r.from_m < 0.01 && r.to_m < 0.01, "%s: a junction snaps %.2f m away",
			     target, fmax(r.from_m, r.to_m));
			need(fabs(r.duration_s - d[b] / 1000.0) <= 0.0015,
			     "%s: %.3f s, the shortest time on the exported graph is %.3f s",
			     target, r.duration_s, d[b] / 1000.0);
			free(d);
		}
	}
}
END_TEST

static void far_points(double out[4][2])
{
	/* 2 km beyond the extent of every mode's graph, west, east, south and
	 * north of it */
	double w = INFINITY, e = -INFINITY, s = INFINITY, n = -INFINITY;
	for (int m = 0; m < MODES; m++) {
		w = fmin(w, ref[m].min_lon);
		e = fmax(e, ref[m].max_lon);
		s = fmin(s, ref[m].min_lat);
		n = fmax(n, ref[m].max_lat);
	}
	double midlat = (s + n) / 2, midlon = (w + e) / 2;
	double dlon = 2000 / (DEG_M * cos(midlat * M_PI / 180)), dlat = 2000 / DEG_M;
	double p[4][2] = {{w - dlon, midlat}, {e + dlon, midlat}, {midlon, s - dlat}, {midlon, n + dlat}};
	memcpy(out, p, sizeof p);
}

START_TEST(route_errors)
{
	double far[4][2];
	far_points(far);
	const struct pt *a = &pts[0];
	for (int k = 0; k < 4; k++) {
		char t[TARGET_MAX];
		snprintf(t, sizeof t, "/api/route?from=%.7f,%.7f&to=%.7f,%.7f&mode=%s", far[k][0], far[k][1],
			 a->lon, a->lat, mode_names[k % MODES]);
		get_error(t, 422, "snap");
		snprintf(t, sizeof t, "/api/route?from=%.7f,%.7f&to=%.7f,%.7f", a->lon, a->lat, far[k][0],
			 far[k][1]);
		get_error(t, 422, "snap");
	}
	static const char *const bad[] = {
		"/api/route?from=abc&to=121.45,31.22",
		"/api/route?from=121.45,31.22,3&to=121.45,31.22",
		"/api/route?from=1,2,3&to=121.45,31.22",
		"/api/route?from=NaN,1&to=121.45,31.22",
		"/api/route?from=121.45,NaN&to=121.45,31.22",
		"/api/route?from=inf,31.22&to=121.45,31.22",
		"/api/route?from=121.45&to=121.45,31.22",
		"/api/route?from=121.45;31.22&to=121.45,31.22",
		"/api/route?from=121.45,%2031.22&to=121.45,31.22",
		"/api/route?from=0x79,31&to=121.45,31.22",
		"/api/route?from=&to=121.45,31.22",
		"/api/route?from=121.45,31.22&to=",
		"/api/route?to=121.45,31.22",
		"/api/route?from=121.45,31.22",
		"/api/route",
		"/api/route?from=181,31.22&to=121.45,31.22",
		"/api/route?from=121.45,91&to=121.45,31.22",
		"/api/route?from=121.45,31.22&to=121.46,31.23&mode=bus",
		"/api/route?from=121.45,31.22&to=121.46,31.23&mode=walk&avoid=tolls",
		"/api/route?from=121.45,31.22&to=121.46,31.23&From=1,2",
		"/api/route?from=121.45,31.22&to=121.46,31.23&k=3",
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		get_error(bad[k], 400, NULL);
	/* An empty mode is the default (ebike). */
	struct jval *v = get_ok("/api/route?from=121.45,31.22&to=121.46,31.23&mode=");
	expect_mode(v, "ebike", target);
	jval_free(v);
	v = get_ok("/api/route?from=121.45,31.22&to=121.46,31.23");
	expect_mode(v, "ebike", target);
	jval_free(v);
}
END_TEST

/* ---- /api/nearest ----------------------------------------------------------------------- */

struct hit {
	const char *id;
	double duration_s, distance_m, straight_m, snap_m, lon, lat;
	const struct jval *obj;
};

struct nearest {
	struct jval *v;
	double snap_m;
	size_t n;
	struct hit h[64];
};

/* GET /api/nearest and check every result against the station list: the
 * fields, their order, the route's ends and length, the speed bounds. */
static void nearest_get(struct nearest *out, const struct stations *all, int m, const struct pt *q,
			const char *extra)
{
	out->v = get_ok("/api/nearest?lon=%.7f&lat=%.7f&mode=%s%s", q->lon, q->lat, mode_names[m],
			extra);
	char where[TARGET_MAX];
	snprintf(where, sizeof where, "%s", target);
	expect_mode(out->v, mode_names[m], where);
	out->snap_m = num(out->v, "snap_m", where);
	const struct jval *res = jval_get(out->v, "results");
	need(res && res->type == JVAL_ARR, "%s: no results array", where);
	out->n = jval_count(res);
	need(out->n <= 50, "%s: %zu results", where, out->n);
	for (size_t i = 0; i < out->n; i++) {
		const struct jval *o = jval_at(res, i);
		struct hit *h = &out->h[i];
		char w[TARGET_MAX + 64];
		snprintf(w, sizeof w, "%s result %zu", where, i);
		h->obj = o;
		h->id = jval_str(jval_get(o, "id"));
		need(h->id != NULL, "%s: no id", w);
		const struct st *s = station_by_id(all, h->id);
		need(s != NULL, "%s: unknown station %s", w, h->id);
		for (size_t j = 0; j < i; j++)
			need(strcmp(out->h[j].id, h->id), "%s: %s twice", w, h->id);
		h->duration_s = num(o, "duration_s", w);
		h->distance_m = num(o, "distance_m", w);
		h->straight_m = num(o, "straight_m", w);
		h->snap_m = num(o, "snap_m", w);
		h->lon = num(o, "lon", w);
		h->lat = num(o, "lat", w);
		need(h->lon == s->lon && h->lat == s->lat, "%s: %s at [%.7f, %.7f], listed at "
		     "[%.7f, %.7f]", w, h->id, h->lon, h->lat, s->lon, s->lat);
		const char *name = jval_str(jval_get(o, "name")), *hours = jval_str(jval_get(o, "hours"));
		need(name && !strcmp(name, s->name), "%s: name differs from the list", w);
		need(hours && !strcmp(hours, s->hours), "%s: hours differ from the list", w);
		need(jval_str(jval_get(o, "address")) && jval_str(jval_get(o, "phone")) &&
				      jval_str(jval_get(o, "kind")),
			      "%s: address, phone or kind is not a string", w);
		need(service_mask(jval_get(o, "services"), w) == s->services,
		     "%s: services differ from the list", w);
		const struct jval *open = jval_get(o, "open_now");
		need(open && (open->type == JVAL_BOOL || open->type == JVAL_NULL),
		     "%s: open_now is not true, false or null", w);
		need(i == 0 || h->duration_s >= out->h[i - 1].duration_s,
		     "%s: %.3f s after %.3f s: not ordered by duration", w, h->duration_s,
		     out->h[i - 1].duration_s);
		double straight = hav_m(q->lon, q->lat, s->lon, s->lat);
		need(fabs(h->straight_m - straight) <= 0.02 + 1e-6 * straight,
		     "%s: straight_m %.2f, the great-circle distance is %.2f", w, h->straight_m,
		     straight);
		need(h->snap_m >= 0 && h->snap_m <= 1000, "%s: snap_m %.2f", w, h->snap_m);
		const struct jval *c = linestring(jval_get(o, "route"), w);
		double lon0, lat0, lon1, lat1;
		position(c, 0, &lon0, &lat0, w);
		position(c, jval_count(c) - 1, &lon1, &lat1, w);
		need(hav_m(q->lon, q->lat, lon0, lat0) <= out->snap_m + 1,
		     "%s: the route starts %.2f m from the query, snapped %.2f m", w,
		     hav_m(q->lon, q->lat, lon0, lat0), out->snap_m);
		need(hav_m(s->lon, s->lat, lon1, lat1) <= h->snap_m + 1,
		     "%s: the route ends %.2f m from %s, which snaps %.2f m", w,
		     hav_m(s->lon, s->lat, lon1, lat1), h->id, h->snap_m);
		double len = line_length(c, 2, w);
		need(fabs(len - h->distance_m) <= 0.01 * h->distance_m + 0.5,
		     "%s: the route is %.2f m long, distance_m %.2f", w, len, h->distance_m);
		check_speed(m, h->duration_s, h->distance_m, w);
	}
}

static void nearest_free(struct nearest *n)
{
	jval_free(n->v);
	n->v = NULL;
}

START_TEST(nearest_ranked)
{
	struct stations all;
	stations_fetch(&all, "");
	static const int which[] = {0, 3, 7};
	for (int m = 0; m < MODES; m++)
		for (size_t k = 0; k < 3; k++) {
			const struct pt *q = &pts[which[k]];
			struct nearest n;
			nearest_get(&n, &all, m, q, "&k=8");
			need(n.n == 8, "%s: %zu results for k=8", target, n.n);
			struct route self;
			route_get(m, q->lon, q->lat, q->lon, q->lat, &self);
			need(fabs(self.from_m - n.snap_m) <= 0.01,
			     "%s: %s: snap_m %.2f, route snaps %.2f", mode_names[m], q->name,
			     n.snap_m, self.from_m);
			/* each time is /api/route's to the station (snapped alike) */
			for (size_t i = 0; i < n.n; i++) {
				struct route r;
				route_get(m, q->lon, q->lat, n.h[i].lon, n.h[i].lat, &r);
				need(fabs(r.duration_s - n.h[i].duration_s) <= 0.01,
				     "%s from %s to %s: nearest says %.3f s, route %.3f s",
				     mode_names[m], q->name, n.h[i].id, n.h[i].duration_s,
				     r.duration_s);
				need(fabs(r.to_m - n.h[i].snap_m) <= 0.01,
				     "%s: %s snaps %.2f m in nearest, %.2f m in route",
				     mode_names[m], n.h[i].id, n.h[i].snap_m, r.to_m);
			}
			nearest_free(&n);
		}
	jval_free(all.v);
}
END_TEST

/* k=50 of 80: the 50 returned are the 50 fastest by /api/route's times. */
START_TEST(nearest_nothing_skipped)
{
	struct stations all;
	stations_fetch(&all, "");
	const struct pt *q = &pts[7];
	for (int m = 0; m < MODES; m++) {
		struct nearest n;
		nearest_get(&n, &all, m, q, "&k=50");
		need(n.n == 50, "%s: %zu results", target, n.n);
		double last = n.h[n.n - 1].duration_s;
		for (size_t i = 0; i < all.n; i++) {
			struct route r;
			route_get(m, q->lon, q->lat, all.s[i].lon, all.s[i].lat, &r);
			size_t j = 0;
			while (j < n.n && strcmp(n.h[j].id, all.s[i].id))
				j++;
			if (j < n.n)
				need(fabs(r.duration_s - n.h[j].duration_s) <= 0.01,
				     "%s to %s: nearest %.3f s, route %.3f s", mode_names[m],
				     all.s[i].id, n.h[j].duration_s, r.duration_s);
			else
				need(r.duration_s >= last - 0.01,
				     "%s: %s (%.3f s) was left out, but the 50th is %.3f s",
				     mode_names[m], all.s[i].id, r.duration_s, last);
		}
		nearest_free(&n);
	}
	jval_free(all.v);
}
END_TEST

START_TEST(nearest_k)
{
	struct stations all;
	stations_fetch(&all, "");
	const struct pt *q = &pts[0];
	struct nearest def, one, seven, fifty;
	nearest_get(&def, &all, EBIKE, q, "");
	need(def.n == 3, "no k: %zu results, the default is 3", def.n);
	nearest_get(&one, &all, EBIKE, q, "&k=1");
	ck_assert_uint_eq(one.n, 1);
	nearest_get(&seven, &all, EBIKE, q, "&k=7");
	ck_assert_uint_eq(seven.n, 7);
	nearest_get(&fifty, &all, EBIKE, q, "&k=50");
	ck_assert_uint_eq(fifty.n, 50);
	/* a smaller k is a prefix of a larger one (by time; ties may swap ids) */
	for (size_t i = 0; i < 7; i++) {
		need(seven.h[i].duration_s == fifty.h[i].duration_s,
		     "k=7 result %zu: %.3f s, k=50: %.3f s", i, seven.h[i].duration_s,
		     fifty.h[i].duration_s);
		if (i < 3)
			ck_assert(def.h[i].duration_s == fifty.h[i].duration_s);
	}
	ck_assert(one.h[0].duration_s == fifty.h[0].duration_s);
	/* mode defaults to ebike */
	struct jval *v = get_ok("/api/nearest?lon=%.7f&lat=%.7f", q->lon, q->lat);
	expect_mode(v, "ebike", target);
	jval_free(v);
	nearest_free(&def);
	nearest_free(&one);
	nearest_free(&seven);
	nearest_free(&fifty);
	jval_free(all.v);
}
END_TEST

START_TEST(nearest_services)
{
	struct stations all;
	stations_fetch(&all, "");
	static const char *const lists[] = {"legal_aid", "repair", "reading", "microwave,toilet",
					    "wifi;first_aid"};
	const struct pt *q = &pts[7];
	for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
		uint32_t mask = mask_of(lists[k]);
		char extra[160], query[160];
		snprintf(extra, sizeof extra, "&k=50&service=%s", lists[k]);
		snprintf(query, sizeof query, "?service=%s", lists[k]);
		struct stations having;
		stations_fetch(&having, query);
		size_t want = 0;
		for (size_t i = 0; i < all.n; i++)
			want += (all.s[i].services & mask) == mask;
		need(having.n == want && want > 0, "/api/stations%s: %zu stations, expected %zu",
		     query, having.n, want);
		for (int m = 0; m < MODES; m++) {
			struct nearest n, first;
			nearest_get(&n, &all, m, q, extra);
			for (size_t i = 0; i < n.n; i++) {
				const struct st *s = station_by_id(&all, n.h[i].id);
				need((s->services & mask) == mask, "%s: %s lacks a service", target,
				     s->id);
			}
			/* every station is reachable here: all of them come back */
			need(n.n == (want < 50 ? want : 50), "%s: %zu results, %zu stations have %s",
			     target, n.n, want, lists[k]);
			snprintf(extra, sizeof extra, "&k=1&service=%s", lists[k]);
			nearest_get(&first, &all, m, q, extra);
			ck_assert_uint_eq(first.n, 1);
			ck_assert(first.h[0].duration_s == n.h[0].duration_s);
			/* nothing with these services is faster than the first */
			for (size_t i = 0; i < having.n; i++) {
				struct route r;
				route_get(m, q->lon, q->lat, having.s[i].lon, having.s[i].lat, &r);
				need(r.duration_s >= first.h[0].duration_s - 0.01,
				     "%s service=%s: first is %s at %.3f s but %s takes %.3f s",
				     mode_names[m], lists[k], first.h[0].id,
				     first.h[0].duration_s, having.s[i].id, r.duration_s);
			}
			snprintf(extra, sizeof extra, "&k=50&service=%s", lists[k]);
			nearest_free(&n);
			nearest_free(&first);
		}
		jval_free(having.v);
	}
	/* An empty list is no filter. */
	struct nearest a, b;
	nearest_get(&a, &all, EBIKE, q, "&k=10&service=");
	nearest_get(&b, &all, EBIKE, q, "&k=10");
	ck_assert_uint_eq(a.n, b.n);
	for (size_t i = 0; i < a.n; i++)
		ck_assert(a.h[i].duration_s == b.h[i].duration_s);
	nearest_free(&a);
	nearest_free(&b);
	jval_free(all.v);
}
END_TEST

/* Instants in Asia/Shanghai (UTC+8, no DST), with weekday and minute. */
struct instant {
	long long at;
	const char *text;
};
static const struct instant instants[] = {
	{1764874800, "Fri 2025-12-05 03:00"},
	{1764901800, "Fri 2025-12-05 10:30"},
	{1764941400, "Fri 2025-12-05 21:30"},
	{1764981000, "Sat 2025-12-06 08:30"},
	{1765071000, "Sun 2025-12-07 09:30"},
	{1765090800, "Sun 2025-12-07 15:00"},
	{1765101600, "Sun 2025-12-07 18:00"},
	{1765152000, "Mon 2025-12-08 08:00"},
};

static void local_time(long long at, int *wday, int *minute)
{
	long long t = at + 8 * 3600, days = t / 86400;
	*wday = (int)((days + 3) % 7); /* 1970-01-01 was a Thursday; 0 = Monday */
	*minute = (int)(t % 86400 / 60);
}

START_TEST(nearest_open_now)
{
	struct stations all;
	stations_fetch(&all, "");
	/* Fri 03:00: only the round-the-clock stations (in this dataset the
	 * ones whose hours are "24/7"). */
	struct nearest n;
	char extra[128];
	snprintf(extra, sizeof extra, "&k=50&open_now=1&at=%lld", instants[0].at);
	nearest_get(&n, &all, EBIKE, &pts[7], extra);
	size_t always = 0;
	for (size_t i = 0; i < all.n; i++)
		always += !strcmp(all.s[i].hours, "24/7");
	need(always > 0 && always < 50, "%zu stations open 24/7", always);
	need(n.n == always, "%s: %zu open at %s, %zu stations are 24/7", target, n.n,
	     instants[0].text, always);
	for (size_t i = 0; i < n.n; i++) {
		const struct st *s = station_by_id(&all, n.h[i].id);
		need(!strcmp(s->hours, "24/7"), "%s: %s (%s) is open at %s", target, s->id,
		     s->hours, instants[0].text);
		const struct jval *open = jval_get(n.h[i].obj, "open_now");
		need(open->type == JVAL_BOOL && open->b, "%s: %s open_now is not true", target,
		     s->id);
	}
	size_t night = n.n;
	nearest_free(&n);

	/* At every instant: the filter keeps exactly the stations open by their
	 * hours (up to k), and each result's open_now agrees with its hours. */
	for (size_t t = 0; t < sizeof instants / sizeof instants[0]; t++) {
		int wday, minute;
		local_time(instants[t].at, &wday, &minute);
		size_t open_count = 0;
		for (size_t i = 0; i < all.n; i++) {
			int o = hours_open(all.s[i].hours, wday, minute);
			need(o >= 0, "the test cannot read %s's hours \"%s\"", all.s[i].id,
			     all.s[i].hours);
			open_count += o;
		}
		snprintf(extra, sizeof extra, "&k=50&open_now=1&at=%lld", instants[t].at);
		nearest_get(&n, &all, WALK, &pts[4], extra);
		size_t want = open_count < 50 ? open_count : 50;
		need(n.n == want, "%s (%s): %zu results, %zu stations are open", target,
		     instants[t].text, n.n, open_count);
		for (size_t i = 0; i < n.n; i++) {
			const struct st *s = station_by_id(&all, n.h[i].id);
			need(hours_open(s->hours, wday, minute) == 1, "%s: %s (%s) is closed at %s",
			     target, s->id, s->hours, instants[t].text);
		}
		if (t == 1)
			need(n.n > night, "%zu open at %s, %zu at %s", n.n, instants[1].text,
			     night, instants[0].text);
		nearest_free(&n);
		/* Without the filter, from two ends of the city so that all 80
		 * stations are among the results. */
		for (int e = 0; e < 2; e++) {
			snprintf(extra, sizeof extra, "&k=50&at=%lld", instants[t].at);
			nearest_get(&n, &all, EBIKE, &pts[e ? 3 : 4], extra);
			ck_assert_uint_eq(n.n, 50);
			for (size_t i = 0; i < n.n; i++) {
				const struct st *s = station_by_id(&all, n.h[i].id);
				const struct jval *open = jval_get(n.h[i].obj, "open_now");
				bool want_open = hours_open(s->hours, wday, minute) == 1;
				need(open->type == JVAL_BOOL && open->b == want_open,
				     "%s: %s \"%s\" at %s: open_now %s, expected %s", target,
				     s->id, s->hours, instants[t].text,
				     open->type == JVAL_BOOL ? (open->b ? "true" : "false") : "null",
				     want_open ? "true" : "false");
			}
			nearest_free(&n);
		}
	}
	/* open_now=0 is no filter. */
	snprintf(extra, sizeof extra, "&k=50&open_now=0&at=%lld", instants[0].at);
	nearest_get(&n, &all, EBIKE, &pts[7], extra);
	ck_assert_uint_eq(n.n, 50);
	nearest_free(&n);
	jval_free(all.v);
}
END_TEST

START_TEST(nearest_errors)
{
	static const char *const bad[] = {
		"/api/nearest?lon=121.45&lat=31.22&k=0",
		"/api/nearest?lon=121.45&lat=31.22&k=51",
		"/api/nearest?lon=121.45&lat=31.22&k=abc",
		"/api/nearest?lon=121.45&lat=31.22&k=-1",
		"/api/nearest?lon=121.45&lat=31.22&k=1.5",
		"/api/nearest?lon=121.45&lat=31.22&k=",
		"/api/nearest?lon=121.45&lat=31.22&k=99999999999999999999",
		"/api/nearest?lon=121.45&lat=31.22&open_now=maybe",
		"/api/nearest?lon=121.45&lat=31.22&open_now=",
		"/api/nearest?lon=121.45&lat=31.22&open_now=2",
		"/api/nearest?lon=121.45&lat=31.22&service=bogus",
		"/api/nearest?lon=121.45&lat=31.22&service=water,nope",
		"/api/nearest?lon=121.45&lat=31.22&at=abc",
		"/api/nearest?lon=121.45&lat=31.22&at=-1",
		"/api/nearest?lon=121.45&lat=31.22&at=1.5",
		"/api/nearest?lon=121.45&lat=31.22&mode=plane",
		"/api/nearest?lon=121.45&lat=31.22&radius=5",
		"/api/nearest?lon=121.45",
		"/api/nearest?lat=31.22",
		"/api/nearest?lon=abc&lat=31.22",
		"/api/nearest?lon=121.45&lat=NaN",
		"/api/nearest?lon=121.45,31.22&lat=31.22",
		"/api/nearest?lon=200&lat=31.22",
		"/api/nearest?lon=121.45&lat=-95",
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		get_error(bad[k], 400, NULL);
	double far[4][2];
	far_points(far);
	for (int k = 0; k < 4; k++) {
		char t[TARGET_MAX];
		snprintf(t, sizeof t, "/api/nearest?lon=%.7f&lat=%.7f&mode=%s", far[k][0], far[k][1],
			 mode_names[k % MODES]);
		get_error(t, 422, "snap");
	}
	/* the bounds themselves are accepted */
	struct jval *v = get_ok("/api/nearest?lon=121.45&lat=31.22&k=1&open_now=true");
	jval_free(v);
}
END_TEST

/* ---- /api/isochrone ----------------------------------------------------------------------- */

#define ISO_MAX 6

struct iso {
	struct jval *v;
	struct frame f;
	size_t npoly, nnet;
	double minutes[ISO_MAX], area_m2[ISO_MAX];
	struct shape shape[ISO_MAX];
	const struct jval *net[ISO_MAX];      /* MultiLineString coordinates */
	double net_m[ISO_MAX];                /* their haversine length */
	double snap_m;
	double at_lon, at_lat;                /* the snapped query point */
	double at_x, at_y;
};

/* GET /api/isochrone and check its structure: polygons per limit in order,
 * valid rings, area_m2, growing areas, the snapped point inside; networks
 * per limit when asked. */
static void iso_get(struct iso *out, int m, double lon, double lat, const char *extra)
{
	memset(out, 0, sizeof *out);
	/* the snapped point: the geometry of a route from the point to itself */
	struct route self;
	route_get(m, lon, lat, lon, lat, &self);
	out->at_lon = self.first_lon;
	out->at_lat = self.first_lat;
	out->v = get_ok("/api/isochrone?lon=%.7f&lat=%.7f&mode=%s%s", lon, lat, mode_names[m], extra);
	char where[TARGET_MAX];
	snprintf(where, sizeof where, "%s", target);
	frame_init(&out->f, lon, lat);
	frame_xy(&out->f, out->at_lon, out->at_lat, &out->at_x, &out->at_y);
	const char *t = jval_str(jval_get(out->v, "type"));
	need(t && !strcmp(t, "FeatureCollection"), "%s: not a FeatureCollection", where);
	out->snap_m = num(out->v, "snap_m", where);
	need(fabs(out->snap_m - self.from_m) <= 0.01, "%s: snap_m %.2f, route snaps %.2f",
	     where, out->snap_m, self.from_m);
	const struct jval *fs = jval_get(out->v, "features");
	need(fs && fs->type == JVAL_ARR, "%s: no features", where);
	for (size_t i = 0; i < jval_count(fs); i++) {
		const struct jval *f = jval_at(fs, i), *p = jval_get(f, "properties");
		char w[TARGET_MAX + 64];
		snprintf(w, sizeof w, "%s feature %zu", where, i);
		const char *ft = jval_str(jval_get(f, "type"));
		need(ft && !strcmp(ft, "Feature"), "%s: not a Feature", w);
		const char *kind = jval_str(jval_get(p, "kind"));
		double minutes = num(p, "minutes", w);
		need(kind && (!strcmp(kind, "polygon") || !strcmp(kind, "network")),
		     "%s: kind %s", w, kind ? kind : "(none)");
		if (!strcmp(kind, "polygon")) {
			need(out->nnet == 0, "%s: a polygon after the networks", w);
			need(out->npoly < ISO_MAX, "%s: more than %d polygons", w, ISO_MAX);
			size_t k = out->npoly++;
			out->minutes[k] = minutes;
			out->area_m2[k] = num(p, "area_m2", w);
			read_shape(jval_get(f, "geometry"), &out->f, &out->shape[k], w);
			double a = out->shape[k].area_m2;
			need(fabs(a - out->area_m2[k]) <= 0.01 * a + 100,
			     "%s: the polygon's area is %.0f m², area_m2 says %.0f", w, a,
			     out->area_m2[k]);
			/* limits ascend; a larger limit never covers less (up to the
			 * outline's simplification) */
			need(k == 0 || (minutes > out->minutes[k - 1] &&
					a >= out->shape[k - 1].area_m2 * 0.999),
			     "%s: %g min, %.0f m² after %g min, %.0f m²", w, minutes, a,
			     out->minutes[k - 1], out->shape[k - 1].area_m2);
			need(shape_contains(&out->shape[k], out->at_x, out->at_y),
			     "%s: the snapped point [%.7f, %.7f] is outside the %g-minute "
			     "polygon", w, out->at_lon, out->at_lat, minutes);
		} else {
			size_t k = out->nnet++;
			need(k < out->npoly && minutes == out->minutes[k],
			     "%s: network for %g min, expected one per polygon, in order", w,
			     minutes);
			const struct jval *g = jval_get(f, "geometry");
			const char *gt = jval_str(jval_get(g, "type"));
			need(gt && !strcmp(gt, "MultiLineString"), "%s: geometry %s", w,
			     gt ? gt : "(none)");
			out->net[k] = jval_get(g, "coordinates");
			need(out->net[k] && out->net[k]->type == JVAL_ARR &&
					      jval_count(out->net[k]) > 0,
				      "%s: an empty network", w);
			for (size_t l = 0; l < jval_count(out->net[k]); l++)
				out->net_m[k] += line_length(jval_at(out->net[k], l), 2, w);
			need(k == 0 || out->net_m[k] >= out->net_m[k - 1] - 0.05,
			     "%s: %.0f m of network within %g min, %.0f m within %g", w,
			     out->net_m[k], minutes, out->net_m[k - 1], out->minutes[k - 1]);
		}
	}
	need(out->npoly >= 1, "%s: no polygon", where);
}

static void iso_free(struct iso *s)
{
	for (size_t k = 0; k < s->npoly; k++)
		shape_free(&s->shape[k]);
	jval_free(s->v);
	s->v = NULL;
}

/* The network of limit k lies inside the polygon of limit k (SPEC §3: the
 * polygon contains every reachable network position): its vertices and
 * points every 4 m along it. */
static void check_network_inside(const struct iso *s, size_t k, const char *where)
{
	const struct jval *lines = s->net[k];
	for (size_t l = 0; l < jval_count(lines); l++) {
		const struct jval *c = jval_at(lines, l);
		double px = 0, py = 0;
		for (size_t i = 0; i < jval_count(c); i++) {
			double lon, lat, x, y;
			position(c, i, &lon, &lat, where);
			frame_xy(&s->f, lon, lat, &x, &y);
			int steps = i ? (int)ceil(hypot(x - px, y - py) / 4) : 1;
			for (int j = 1; j <= steps; j++) {
				double qx = px + (x - px) * j / steps, qy = py + (y - py) * j / steps;
				if (!i)
					qx = x, qy = y;
				need(shape_contains(&s->shape[k], qx, qy),
				     "%s: network point [%.7f, %.7f] (%.1f m from the outline) is "
				     "outside the %g-minute polygon", where, s->f.lon0 + qx / s->f.kx,
				     s->f.lat0 + qy / DEG_M, shape_boundary_dist(&s->shape[k], qx, qy),
				     s->minutes[k]);
			}
			px = x;
			py = y;
		}
	}
}

/* The pieces of a network (limit k) binned in square cells, for distance
 * queries up to the cell size. */
#define SEGIDX_CELL_M 100.0
struct segidx {
	size_t n;
	double (*seg)[4];     /* x0, y0, x1, y1 in the isochrone's frame */
	double x0, y0;        /* grid origin */
	uint32_t cols, rows;
	uint32_t *first, *item;
};

static void segidx_cell_range(double a, double b, double origin, uint32_t count, uint32_t *lo,
			      uint32_t *hi)
{
	double c0 = floor((fmin(a, b) - origin) / SEGIDX_CELL_M);
	double c1 = floor((fmax(a, b) - origin) / SEGIDX_CELL_M);
	*lo = c0 < 0 ? 0 : c0 >= count ? count - 1 : (uint32_t)c0;
	*hi = c1 < 0 ? 0 : c1 >= count ? count - 1 : (uint32_t)c1;
}

static void segidx_build(struct segidx *ix, const struct iso *s, size_t k, const char *where)
{
	memset(ix, 0, sizeof *ix);
	const struct jval *lines = s->net[k];
	size_t cap = 0;
	for (size_t l = 0; l < jval_count(lines); l++)
		cap += jval_count(jval_at(lines, l));
	ix->seg = malloc((cap + 1) * sizeof *ix->seg);
	ck_assert(ix->seg);
	double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
	for (size_t l = 0; l < jval_count(lines); l++) {
		const struct jval *c = jval_at(lines, l);
		double px = 0, py = 0;
		for (size_t i = 0; i < jval_count(c); i++) {
			double lon, lat, x, y;
			position(c, i, &lon, &lat, where);
			frame_xy(&s->f, lon, lat, &x, &y);
			if (i) {
				double *g = ix->seg[ix->n++];
				g[0] = px, g[1] = py, g[2] = x, g[3] = y;
			}
			minx = fmin(minx, x), maxx = fmax(maxx, x);
			miny = fmin(miny, y), maxy = fmax(maxy, y);
			px = x;
			py = y;
		}
	}
	ix->x0 = minx - SEGIDX_CELL_M;
	ix->y0 = miny - SEGIDX_CELL_M;
	ix->cols = (uint32_t)((maxx - ix->x0) / SEGIDX_CELL_M) + 2;
	ix->rows = (uint32_t)((maxy - ix->y0) / SEGIDX_CELL_M) + 2;
	size_t cells = (size_t)ix->cols * ix->rows;
	ix->first = calloc(cells + 1, sizeof *ix->first);
	ck_assert(ix->first);
	for (int pass = 0; pass < 2; pass++) {
		uint32_t *fill = NULL;
		if (pass) {
			for (size_t c = 0; c < cells; c++)
				ix->first[c + 1] += ix->first[c];
			ix->item = malloc((ix->first[cells] + 1) * sizeof *ix->item);
			fill = malloc((cells + 1) * sizeof *fill);
			ck_assert(ix->item && fill);
			memcpy(fill, ix->first, (cells + 1) * sizeof *fill);
		}
		for (size_t i = 0; i < ix->n; i++) {
			uint32_t cx0, cx1, cy0, cy1;
			segidx_cell_range(ix->seg[i][0], ix->seg[i][2], ix->x0, ix->cols, &cx0, &cx1);
			segidx_cell_range(ix->seg[i][1], ix->seg[i][3], ix->y0, ix->rows, &cy0, &cy1);
			for (uint32_t cy = cy0; cy <= cy1; cy++)
				for (uint32_t cx = cx0; cx <= cx1; cx++) {
					size_t c = (size_t)cy * ix->cols + cx;
					if (pass)
						ix->item[fill[c]++] = (uint32_t)i;
					else
						ix->first[c + 1]++;
				}
		}
		free(fill);
	}
}

/* Distance to the nearest network piece when it is at most the cell size,
 * else INFINITY. */
static double segidx_dist(const struct segidx *ix, double x, double y)
{
	uint32_t cx0, cx1, cy0, cy1;
	segidx_cell_range(x - SEGIDX_CELL_M, x + SEGIDX_CELL_M, ix->x0, ix->cols, &cx0, &cx1);
	segidx_cell_range(y - SEGIDX_CELL_M, y + SEGIDX_CELL_M, ix->y0, ix->rows, &cy0, &cy1);
	double best = INFINITY;
	for (uint32_t cy = cy0; cy <= cy1; cy++)
		for (uint32_t cx = cx0; cx <= cx1; cx++) {
			size_t c = (size_t)cy * ix->cols + cx;
			for (uint32_t e = ix->first[c]; e < ix->first[c + 1]; e++) {
				const double *g = ix->seg[ix->item[e]];
				best = fmin(best, seg_dist(x, y, g[0], g[1], g[2], g[3]));
			}
		}
	return best <= SEGIDX_CELL_M ? best : INFINITY;
}

static void segidx_free(struct segidx *ix)
{
	free(ix->seg);
	free(ix->first);
	free(ix->item);
	memset(ix, 0, sizeof *ix);
}

/* The outline follows the reachable network: every polygon vertex of limit
 * k lies within 100 m of it.  SPEC §3 asks the polygon to exclude what lies
 * clearly beyond the network; the method's own bound (routing/contour.c:
 * buffer + closing + rasterisation) is about 45 m, so 100 m catches a bloated
 * outline without tying the test to the parameters. */
static void check_outline_near(const struct iso *s, size_t k, const struct segidx *ix,
			       const char *where)
{
	const struct shape *sh = &s->shape[k];
	for (size_t p = 0; p < sh->count; p++)
		for (size_t h = 0; h < sh->poly[p].count; h++) {
			const struct ring *r = &sh->poly[p].ring[h];
			for (size_t i = 0; i < r->n; i++)
				need(segidx_dist(ix, r->x[i], r->y[i]) <= SEGIDX_CELL_M,
				     "%s: the %g-minute outline passes [%.7f, %.7f], more than %.0f m "
				     "from the reachable network", where, s->minutes[k],
				     s->f.lon0 + r->x[i] / s->f.kx, s->f.lat0 + r->y[i] / DEG_M,
				     SEGIDX_CELL_M);
		}
}

/* Polygons nest: every vertex of limit k's polygon lies inside limit k+1's,
 * or on its outline (within the simplification's 10 m). */
static void check_nested(const struct iso *s, const char *where)
{
	for (size_t k = 0; k + 1 < s->npoly; k++) {
		const struct shape *in = &s->shape[k], *out = &s->shape[k + 1];
		for (size_t p = 0; p < in->count; p++)
			for (size_t h = 0; h < in->poly[p].count; h++) {
				const struct ring *r = &in->poly[p].ring[h];
				for (size_t i = 0; i < r->n; i++) {
					if (shape_contains(out, r->x[i], r->y[i]))
						continue;
					double d = shape_boundary_dist(out, r->x[i], r->y[i]);
					need(d <= 10, "%s: a vertex of the %g-minute polygon lies "
					     "%.1f m outside the %g-minute one", where, s->minutes[k],
					     d, s->minutes[k + 1]);
				}
			}
	}
}

START_TEST(iso_polygons)
{
	static const int which[] = {0, 3, 6};
	for (int m = 0; m < MODES; m++)
		for (size_t k = 0; k < 3; k++) {
			const struct pt *q = &pts[which[k]];
			struct iso s;
			iso_get(&s, m, q->lon, q->lat, "");
			need(s.npoly == 3 && s.minutes[0] == 5 && s.minutes[1] == 10 &&
					      s.minutes[2] == 15 && s.nnet == 0,
				      "%s: %zu polygons, %zu networks; expected 5, 10, 15 minutes",
				      target, s.npoly, s.nnet);
			const struct jval *p0 = jval_path(s.v, "features.0.properties");
			expect_mode(p0, mode_names[m], target);
			const char *dir = jval_str(jval_get(p0, "direction"));
			need(dir && !strcmp(dir, "from"), "%s: direction %s", target,
			     dir ? dir : "(none)");
			for (size_t i = 1; i < 3; i++)
				need(s.shape[i].area_m2 > s.shape[i - 1].area_m2 * 1.05,
				     "%s: %.0f m² within %g min, %.0f m² within %g", target,
				     s.shape[i].area_m2, s.minutes[i], s.shape[i - 1].area_m2,
				     s.minutes[i - 1]);
			check_nested(&s, target);
			iso_free(&s);
		}
}
END_TEST

START_TEST(iso_network)
{
	static const int which[] = {1, 5};
	for (int m = 0; m < MODES; m++)
		for (size_t w = 0; w < 2; w++) {
			const struct pt *q = &pts[which[w]];
			for (int to = 0; to < 2; to++) {
				struct iso s;
				iso_get(&s, m, q->lon, q->lat, to ? "&network=1&direction=to" : "&network=1");
				need(s.npoly == 3 && s.nnet == 3, "%s: %zu polygons, %zu networks",
				     target, s.npoly, s.nnet);
				for (size_t k = 1; k < 3; k++)
					need(s.net_m[k] > s.net_m[k - 1] * 1.05,
					     "%s: %.0f m of network within %g min, %.0f m within %g",
					     target, s.net_m[k], s.minutes[k], s.net_m[k - 1],
					     s.minutes[k - 1]);
				for (size_t k = 0; k < 3; k++) {
					check_network_inside(&s, k, target);
					struct segidx ix;
					segidx_build(&ix, &s, k, target);
					check_outline_near(&s, k, &ix, target);
					segidx_free(&ix);
				}
				/* no network point is farther than the fastest speed
				 * allows, as the crow flies */
				for (size_t k = 0; k < 3; k++) {
					double reach = vmax_kmh[m] / 3.6 * s.minutes[k] * 60 + 1;
					const struct jval *lines = s.net[k];
					for (size_t l = 0; l < jval_count(lines); l++) {
						const struct jval *c = jval_at(lines, l);
						for (size_t i = 0; i < jval_count(c); i++) {
							double lon, lat;
							position(c, i, &lon, &lat, target);
							double d = hav_m(s.at_lon, s.at_lat, lon, lat);
							need(d <= reach, "%s: network point %.0f m "
							     "from the snapped point within %g min",
							     target, d, s.minutes[k]);
						}
					}
				}
				iso_free(&s);
			}
		}
}
END_TEST

/* Walking, from an off-road point: the route to points of the 5-minute
 * network takes at most 5 minutes. */
START_TEST(iso_network_times)
{
	const struct pt *q = &pts[0];
	struct iso s;
	iso_get(&s, WALK, q->lon, q->lat, "&network=1&minutes=5");
	ck_assert_uint_eq(s.nnet, 1);
	const struct jval *lines = s.net[0];
	size_t nl = jval_count(lines), checked = 0;
	for (size_t l = 0; l < nl && checked < 40; l += 1 + nl / 20) {
		const struct jval *c = jval_at(lines, l);
		/* both ends of the stretch (lines have ≥ 2 positions) */
		for (int e = 0; e < 2; e++) {
			double lon, lat;
			position(c, e ? jval_count(c) - 1 : 0, &lon, &lat, target);
			struct route r;
			route_get(WALK, q->lon, q->lat, lon, lat, &r);
			need(r.to_m < 0.05, "%s: a network point snaps %.2f m away", target, r.to_m);
			need(r.duration_s <= 300 + 1, "network point [%.7f, %.7f] of the 5-minute "
			     "walk isochrone from %s takes %.3f s to reach", lon, lat, q->name,
			     r.duration_s);
			checked++;
		}
	}
	need(checked >= 10, "only %zu network points checked", checked);
	iso_free(&s);
}
END_TEST

/* From (or to) a junction, against the reference graph: the reachable
 * network is cut exactly at each limit (its length), and the polygon obeys
 * SPEC §3/§7's containment rule measured on the graph's junctions: ≥ 98 %
 * of those reachable within T inside, ≥ 90 % of those needing ≥ 1.25 T
 * outside, not counting those within 20 m of a reachable position. */
static void iso_exact_case(int m, bool to, double lon, double lat, const char *minutes)
{
	const struct refgraph *g = &ref[m];
	uint32_t at = ref_node_near(g, lon, lat);
	int64_t *d = ref_dijkstra(g, at, to);
	struct iso s;
	char extra[96];
	snprintf(extra, sizeof extra, "&network=1&minutes=%s%s", minutes, to ? "&direction=to" : "");
	iso_get(&s, m, g->lon[at], g->lat[at], extra);
	need(s.snap_m < 0.01, "%s: a junction snaps %.2f m away", target, s.snap_m);
	for (size_t k = 0; k < s.npoly; k++) {
		int64_t L = llround(s.minutes[k] * 60000);
		double want = ref_reach_m(g, d, to, L);
		need(fabs(s.net_m[k] - want) <= 0.005 * want + 5,
		     "%s: %.1f m of network within %g min, the exported graph gives %.1f m",
		     target, s.net_m[k], s.minutes[k], want);
		check_network_inside(&s, k, target);
		struct segidx ix;
		segidx_build(&ix, &s, k, target);
		check_outline_near(&s, k, &ix, target);
		size_t in_n = 0, in_inside = 0, out_n = 0, out_outside = 0;
		for (uint32_t i = 0; i < g->n; i++) {
			if (isnan(g->lon[i]))
				continue;
			double x, y;
			frame_xy(&s.f, g->lon[i], g->lat[i], &x, &y);
			bool inside = shape_contains(&s.shape[k], x, y);
			if (d[i] <= L) {
				in_n++;
				in_inside += inside;
			} else if (d[i] >= L + L / 4) {
				/* forgiven within 20 m of a reachable position */
				if (inside && segidx_dist(&ix, x, y) <= 20)
					continue;
				out_n++;
				out_outside += !inside;
			}
		}
		need(in_n > 0 && in_inside >= 0.98 * (double)in_n,
		     "%s: %zu of %zu junctions reachable within %g min are inside", target,
		     in_inside, in_n, s.minutes[k]);
		need(out_outside >= 0.9 * (double)out_n,
		     "%s: only %zu of %zu junctions needing ≥ 1.25 × %g min are outside",
		     target, out_outside, out_n, s.minutes[k]);
		segidx_free(&ix);
	}
	iso_free(&s);
	free(d);
}

START_TEST(iso_exact)
{
	iso_exact_case(WALK, false, 121.45, 31.22, "5,10");
	iso_exact_case(WALK, true, 121.4863585, 31.2346392, "7.5");
	iso_exact_case(EBIKE, false, 121.47, 31.245, "3,6");
	iso_exact_case(EBIKE, true, 121.47, 31.245, "3,6");
	iso_exact_case(CAR, false, 121.4863585, 31.2346392, "2,4");
	iso_exact_case(CAR, true, 121.4863585, 31.2346392, "2,4");
}
END_TEST

START_TEST(iso_direction)
{
	const struct pt *q = &pts[0];
	struct iso from, to;
	/* walking ignores direction: the same reach both ways */
	iso_get(&from, WALK, q->lon, q->lat, "&network=1");
	iso_get(&to, WALK, q->lon, q->lat, "&network=1&direction=to");
	const char *dir = jval_str(jval_path(to.v, "features.0.properties.direction"));
	need(dir && !strcmp(dir, "to"), "%s: direction %s", target, dir ? dir : "(none)");
	for (size_t k = 0; k < 3; k++) {
		need(fabs(from.net_m[k] - to.net_m[k]) <= 0.01 * from.net_m[k],
		     "walk %g min: %.0f m reachable from, %.0f m to", from.minutes[k],
		     from.net_m[k], to.net_m[k]);
		need(fabs(from.shape[k].area_m2 - to.shape[k].area_m2) <=
				      0.01 * from.shape[k].area_m2,
			      "walk %g min: %.0f m² from, %.0f m² to", from.minutes[k],
			      from.shape[k].area_m2, to.shape[k].area_m2);
	}
	iso_free(&from);
	iso_free(&to);
	/* one-way streets: driving there and back reach different networks */
	iso_get(&from, CAR, q->lon, q->lat, "&network=1&minutes=3,6");
	iso_get(&to, CAR, q->lon, q->lat, "&network=1&minutes=3,6&direction=to");
	bool differ = false;
	for (size_t k = 0; k < 2; k++)
		differ |= fabs(from.net_m[k] - to.net_m[k]) > 0.001 * from.net_m[k];
	need(differ && !jval_equal(from.net[1], to.net[1]),
	     "car: the same network from and to %s (%.0f / %.0f m)", q->name, from.net_m[1],
	     to.net_m[1]);
	iso_free(&from);
	iso_free(&to);
}
END_TEST

START_TEST(iso_limits)
{
	const struct pt *q = &pts[7];
	struct iso s;
	/* sorted, repeats dropped, fractions kept */
	iso_get(&s, EBIKE, q->lon, q->lat, "&minutes=10,2.5,5,5");
	need(s.npoly == 3 && s.minutes[0] == 2.5 && s.minutes[1] == 5 && s.minutes[2] == 10,
	     "%s: %zu polygons", target, s.npoly);
	iso_free(&s);
	/* six limits, and the largest allowed */
	iso_get(&s, EBIKE, q->lon, q->lat, "&minutes=1,2,3,4,5,6");
	ck_assert_uint_eq(s.npoly, 6);
	iso_free(&s);
	iso_get(&s, WALK, q->lon, q->lat, "&minutes=60");
	need(s.npoly == 1 && s.minutes[0] == 60, "%s", target);
	iso_free(&s);
	iso_get(&s, CAR, q->lon, q->lat, "&minutes=60&network=0");
	need(s.npoly == 1 && s.nnet == 0, "%s", target);
	iso_free(&s);
	/* a polygon with one limit is still a valid, contained shape */
	iso_get(&s, WALK, q->lon, q->lat, "&minutes=0.5&network=1");
	need(s.npoly == 1 && s.nnet == 1, "%s", target);
	check_network_inside(&s, 0, target);
	iso_free(&s);
	/* each feature is labelled with its own limit, however close two are
	 * and however small (the limits must be > 0) */
	iso_get(&s, WALK, q->lon, q->lat, "&minutes=5.0001,5&network=1");
	need(s.npoly == 2 && s.minutes[0] == 5 && s.minutes[1] == 5.0001 && s.nnet == 2,
	     "%s: labelled %g and %g", target, s.minutes[0], s.minutes[1]);
	iso_free(&s);
	iso_get(&s, WALK, q->lon, q->lat, "&minutes=0.0001");
	need(s.npoly == 1 && s.minutes[0] == 0.0001, "%s: labelled %g", target, s.minutes[0]);
	iso_free(&s);
}
END_TEST

START_TEST(iso_errors)
{
	static const char *const bad[] = {
		"/api/isochrone?lon=121.45&lat=31.22&minutes=61",
		"/api/isochrone?lon=121.45&lat=31.22&minutes=60.001",
		"/api/isochrone?lon=121.45&lat=31.22&minutes=0",
		"/api/isochrone?lon=121.45&lat=31.22&minutes=-5",
		"/api/isochrone?lon=121.45&lat=31.22&minutes=abc",
		"/api/isochrone?lon=121.45&lat=31.22&minutes=",
		"/api/isochrone?lon=121.45&lat=31.22&minutes=5,,10",
		"/api/isochrone?lon=121.45&lat=31.22&minutes=5,",
		"/api/isochrone?lon=121.45&lat=31.22&minutes=NaN",
		"/api/isochrone?lon=121.45&lat=31.22&minutes=1e3",
		"/api/isochrone?lon=121.45&lat=31.22&minutes=5,10,70",
		"/api/isochrone?lon=121.45&lat=31.22&direction=sideways",
		"/api/isochrone?lon=121.45&lat=31.22&direction=",
		"/api/isochrone?lon=121.45&lat=31.22&direction=TO",
		"/api/isochrone?lon=121.45&lat=31.22&network=maybe",
		"/api/isochrone?lon=121.45&lat=31.22&network=",
		"/api/isochrone?lon=121.45&lat=31.22&mode=boat",
		"/api/isochrone?lon=121.45&lat=31.22&k=3",
		"/api/isochrone?lon=121.45",
		"/api/isochrone?lat=31.22",
		"/api/isochrone?lon=x&lat=31.22",
		"/api/isochrone?lon=121.45&lat=91",
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		get_error(bad[k], 400, NULL);
	/* Seven limits exceed the documented "at most 6": the server answers as
	 * for its other documented limits (bbox area, q length, parameter
	 * count), 413 "limit". */
	get_error("/api/isochrone?lon=121.45&lat=31.22&minutes=1,2,3,4,5,6,7", 413, "limit");
	get_error("/api/isochrone?lon=121.45&lat=31.22&minutes=5,5,5,5,5,5,5", 413, "limit");
	double far[4][2];
	far_points(far);
	for (int k = 0; k < 4; k++) {
		char t[TARGET_MAX];
		snprintf(t, sizeof t, "/api/isochrone?lon=%.7f&lat=%.7f&mode=%s", far[k][0], far[k][1],
			 mode_names[k % MODES]);
		get_error(t, 422, "snap");
	}
}
END_TEST

/* ---- the command line ------------------------------------------------------------------- */

/* Run `yizhan args…`; compare its stdout with the body of GET `api`
 * (parsed, deep equality) and its exit status with `status`. */
static void cli_vs_api(const char *const *args, const char *api, int status, int http_status)
{
	struct sproc_result res;
	need(sproc_run(args, 60000, &res) == 0, "cannot run %s", sproc_bin());
	need(res.status == status, "%s %s: status %d, expected %d; stderr: %s", sproc_bin(),
	     args[0], res.status, status, res.err);
	char err[256];
	struct jval *cli = jval_parse(res.out, strlen(res.out), err, sizeof err);
	need(cli != NULL, "%s %s: stdout is not JSON (%s): %.300s", sproc_bin(), args[0], err,
	     res.out);
	struct hc_response r;
	hc_response_init(&r);
	ck_assert_why(e2e_get(port, api, http_status, &r));
	struct jval *web = e2e_json(&r);
	ck_assert_why(web != NULL);
	need(jval_equal(cli, web), "%s %s prints\n%.600s\nbut GET %s returns\n%.600s",
	     sproc_bin(), args[0], res.out, api, r.body);
	jval_free(cli);
	jval_free(web);
	hc_response_fini(&r);
	sproc_result_fini(&res);
}

START_TEST(cli_route)
{
	const char *const args[] = {"route", E2E_DATASET, "--from", "121.4609224,31.1871894",
				    "--to", "121.45,31.22", "--mode", "car", NULL};
	cli_vs_api(args, "/api/route?from=121.4609224,31.1871894&to=121.45,31.22&mode=car", 0, 200);
}
END_TEST

START_TEST(cli_nearest)
{
	const char *const args[] = {"nearest", E2E_DATASET, "--lon", "121.47", "--lat", "31.245",
				    "--k", "12", "--service", "water,charging", "--open_now", "1",
				    "--at", "1764981000", "--mode", "walk", NULL};
	cli_vs_api(args,
		   "/api/nearest?lon=121.47&lat=31.245&k=12&service=water,charging&open_now=1"
		   "&at=1764981000&mode=walk",
		   0, 200);
}
END_TEST

START_TEST(cli_isochrone)
{
	const char *const args[] = {"isochrone", E2E_DATASET, "--lon", "121.4863585", "--lat",
				    "31.2346392", "--minutes", "4,8", "--direction", "to",
				    "--network", "1", "--mode", "ebike", NULL};
	cli_vs_api(args,
		   "/api/isochrone?lon=121.4863585&lat=31.2346392&minutes=4,8&direction=to&network=1"
		   "&mode=ebike",
		   0, 200);
}
END_TEST

START_TEST(cli_errors)
{
	/* bad input: exit 1, the API's error JSON on stdout */
	const char *const bad_from[] = {"route", E2E_DATASET, "--from", "abc", "--to", "121.45,31.22",
					NULL};
	cli_vs_api(bad_from, "/api/route?from=abc&to=121.45,31.22", 1, 400);
	const char *const bad_k[] = {"nearest", E2E_DATASET, "--lon", "121.45", "--lat", "31.22",
				     "--k", "51", NULL};
	cli_vs_api(bad_k, "/api/nearest?lon=121.45&lat=31.22&k=51", 1, 400);
	const char *const far[] = {"isochrone", E2E_DATASET, "--lon", "121.2", "--lat", "31.22", NULL};
	cli_vs_api(far, "/api/isochrone?lon=121.2&lat=31.22", 1, 422);
}
END_TEST

Suite *routing_suite(void)
{
	Suite *s = suite_create("routing");
	TCase *route = tcase_create("route");
	tcase_add_unchecked_fixture(route, server_up, server_down);
	tcase_set_timeout(route, E2E_TEST_TIMEOUT_S);
	tcase_add_test(route, route_semantics);
	tcase_add_test(route, route_same_point);
	tcase_add_test(route, route_modes_compared);
	tcase_add_test(route, route_triangle_inequality);
	tcase_add_test(route, route_optimal);
	tcase_add_test(route, route_errors);
	suite_add_tcase(s, route);

	TCase *nearest = tcase_create("nearest");
	tcase_add_unchecked_fixture(nearest, server_up, server_down);
	tcase_set_timeout(nearest, E2E_TEST_TIMEOUT_S);
	tcase_add_test(nearest, nearest_ranked);
	tcase_add_test(nearest, nearest_nothing_skipped);
	tcase_add_test(nearest, nearest_k);
	tcase_add_test(nearest, nearest_services);
	tcase_add_test(nearest, nearest_open_now);
	tcase_add_test(nearest, nearest_errors);
	suite_add_tcase(s, nearest);

	TCase *iso = tcase_create("isochrone");
	tcase_add_unchecked_fixture(iso, server_up, server_down);
	tcase_set_timeout(iso, E2E_TEST_TIMEOUT_S);
	tcase_add_test(iso, iso_polygons);
	tcase_add_test(iso, iso_network);
	tcase_add_test(iso, iso_network_times);
	tcase_add_test(iso, iso_exact);
	tcase_add_test(iso, iso_direction);
	tcase_add_test(iso, iso_limits);
	tcase_add_test(iso, iso_errors);
	suite_add_tcase(s, iso);

	TCase *cli = tcase_create("cli");
	tcase_add_unchecked_fixture(cli, server_up, server_down);
	tcase_set_timeout(cli, E2E_TEST_TIMEOUT_S);
	tcase_add_test(cli, cli_route);
	tcase_add_test(cli, cli_nearest);
	tcase_add_test(cli, cli_isochrone);
	tcase_add_test(cli, cli_errors);
	suite_add_tcase(s, cli);
	return s;
}
