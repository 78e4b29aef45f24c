/* http.c — libmicrohttpd glue (the only file that includes microhttpd.h).
 *
 * One daemon with a thread pool (one thread per core), internal polling.
 * The raw URI is captured by the URI log callback before MHD decodes it, so
 * the query string is parsed by our own fuzzed parser (common/query.c).
 * Every response passes through finish(): CORS, gzip when accepted, metrics.
 *
 * Dataset pinning: `current` is swapped under `data_lock`; each request takes
 * a reference on its holder and drops it when done, and the last reference
 * to a replaced holder frees it.  The lock is held for a pointer copy only. */
#include "http.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <malloc.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "api.h"
#include "common/json.h"
#include "tiles/style.h"
#include "tiles/text.h"
#include "tiles/tcache.h"
#include "tilejob.h"

/* ---- routes --------------------------------------------------------------- */

typedef void route_fn(struct http_request *, struct http_response *);

struct route {
	const char *path;      /* exact path, or prefix when it ends in '/' */
	const char *name;      /* metrics label */
	route_fn *fn;
	bool post;             /* POST only (admin); every other route is GET/HEAD */
};

/* Order matters: the first match wins; "/" (static) last. */
static const struct route routes[] = {
	{"/health", "health", api_health},
	{"/metrics", "metrics", api_metrics},
	{"/api/stations", "stations", api_stations},
	{"/api/stations/", "station", api_station_one},
	{"/api/communities", "communities", api_communities},
	{"/api/route", "route", api_route},
	{"/api/nearest", "nearest", api_nearest},
	{"/api/isochrone", "isochrone", api_isochrone},
	{"/api/coverage", "coverage", api_coverage},
	{"/api/suggest", "suggest", api_suggest},
	{"/api/", "api_unknown", NULL},
	{"/admin/reload", "admin_reload", api_admin_reload, true},
	{"/admin/", "admin_unknown", NULL},
	{"/tiles/", "tiles", api_tiles},
	{"/", "static", api_static},
};
#define ROUTE_COUNT (sizeof routes / sizeof routes[0])

static int route_find(const char *path)
{
	for (size_t i = 0; i < ROUTE_COUNT; i++) {
		size_t n = strlen(routes[i].path);
		if (routes[i].path[n - 1] == '/' ? !strncmp(path, routes[i].path, n)
						: !strcmp(path, routes[i].path))
			return (int)i;
	}
	return (int)ROUTE_COUNT - 1;
}

/* ---- metrics -------------------------------------------------------------- */

static const int status_slots[] = {200, 204, 304, 400, 401, 404, 405, 413, 414, 422, 429, 500, 503};
#define STATUS_SLOTS (sizeof status_slots / sizeof status_slots[0])
static const double latency_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				    0.1, 0.25, 0.5, 1, 2.5};
#define LAT_BUCKETS (sizeof latency_le / sizeof latency_le[0])

struct route_metrics {
	atomic_ulong by_status[STATUS_SLOTS + 1]; /* last: other */
	atomic_ulong latency[LAT_BUCKETS + 1];    /* last: +Inf */
	atomic_ulong latency_sum_us;
	atomic_ulong count;
};

/* ---- server ----------------------------------------------------------------- */

struct data_holder {
	struct dataset *data;
	unsigned refs;
};

#define HTTP_MAX_STYLES 16
#define IP_SLOTS 4096u

struct http_server {
	struct MHD_Daemon *daemon;
	struct style *styles[HTTP_MAX_STYLES];
	struct text_font *font;        /* labels; NULL when unavailable */
	char style_names[HTTP_MAX_STYLES][64];
	unsigned style_count, style_default;
	unsigned port;
	char static_root[1024];
	pthread_mutex_t data_lock;
	struct data_holder *current;
	struct route_metrics metrics[ROUTE_COUNT];
	atomic_uint in_flight;
	atomic_ulong connections_open;
	struct timespec started;
	struct tcache *tiles;          /* rendered tiles; NULL when off */
	struct solid *solids;          /* shared PNGs of one-colour tiles */
	/* load shedding: open connections in total and per client address
	 * (hashed into slots; a collision only makes a count conservative) */
	unsigned busy_connections, busy_per_client;
	unsigned max_url, max_body;    /* request limits in bytes */
	atomic_uint ip_conns[IP_SLOTS];
	/* reloads */
	http_reload_fn *reload;
	void *reload_ctx;
	pthread_mutex_t reload_lock;   /* held for a whole reload: one at a time */
	pthread_mutex_t status_lock;   /* guards last_reload */
	struct http_reload_status last_reload;
	char admin_token[256];         /* "" = admin endpoints off */
	size_t admin_token_len;
};

/* Per-request state, created by the URI log callback. */
struct req_state {
	char *raw_uri;
	size_t body_bytes;
	bool too_large;
	bool headers_seen;  /* the first handler call (headers only) is past */
	struct timespec t0;
};

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

double http_uptime_s(const struct http_server *s)
{
	return elapsed_s(&s->started);
}

/* After a replaced dataset is freed: hand its pages back to the system.
 * The new dataset was built while the old one was still served, so without
 * this the process keeps the peak of two datasets resident for good. */
static void release_memory(void)
{
	malloc_trim(0);
}

static struct data_holder *data_acquire(struct http_server *s)
{
	pthread_mutex_lock(&s->data_lock);
	struct data_holder *h = s->current;
	h->refs++;
	pthread_mutex_unlock(&s->data_lock);
	return h;
}

static void data_release(struct http_server *s, struct data_holder *h)
{
	pthread_mutex_lock(&s->data_lock);
	int free_it = --h->refs == 0 && h != s->current;
	pthread_mutex_unlock(&s->data_lock);
	if (free_it) {
		dataset_free(h->data);
		free(h);
		release_memory();
	}
}

void http_swap_dataset(struct http_server *s, struct dataset *data)
{
	struct data_holder *h = calloc(1, sizeof *h);
	if (!h) {
		dataset_free(data);
		return;
	}
	h->data = data;
	h->refs = 1; /* the server's own reference */
	pthread_mutex_lock(&s->data_lock);
	struct data_holder *old = s->current;
	s->current = h;
	int free_old = old && --old->refs == 0;
	pthread_mutex_unlock(&s->data_lock);
	/* Keys carry the data version, so old tiles would only miss; clearing
	 * frees their memory now (and stops flights on the old data from
	 * publishing: the cache's generation check). */
	if (s->tiles)
		tcache_clear(s->tiles);
	if (free_old) {
		dataset_free(old->data);
		free(old);
		release_memory();
	}
}

/* ---- errors ------------------------------------------------------------------- */

int http_status_of(enum yz_err err)
{
	switch (err) {
	case YZ_OK: return 200;
	case YZ_EPARSE: return 400;
	case YZ_ERANGE: return 400;
	case YZ_ENOTFOUND: return 404;
	case YZ_ELIMIT: return 413;
	case YZ_ESNAP: return 422;
	case YZ_EUNREACHABLE: return 422;
	case YZ_EEMPTY: return 422;
	case YZ_ENOMEM: return 503;
	case YZ_EBUSY: return 503;
	default: return 500;
	}
}

void http_error(struct http_response *res, int status, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	res->status = status;
	res->content_type = "application/json; charset=utf-8";
	res->etag[0] = '\0';
	res->cache_control = "no-store";
	res->compressible = true;
	res->tile_cache = NULL;
	res->disposition = NULL;
	buf_reset(&res->body);
	struct json j;
	json_init(&j, &res->body);
	json_obj_begin(&j);
	json_key(&j, "error");
	json_obj_begin(&j);
	json_key(&j, "code");
	json_str(&j, code);
	json_key(&j, "message");
	json_str(&j, msg);
	json_obj_end(&j);
	json_obj_end(&j);
}

void http_busy(struct http_response *res)
{
	http_error(res, 503, "nomem", "out of memory, try again");
	res->retry_after_s = 1;
}

void http_fail(struct http_response *res, enum yz_err err, const char *msg)
{
	http_error(res, http_status_of(err), yz_errname(err), "%s", msg);
}

/* ---- gzip ------------------------------------------------------------------------ */

static bool accepts_gzip(struct MHD_Connection *c)
{
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
	if (!ae)
		return false;
	/* "gzip" as a token, not refused with q=0 */
	const char *p = strcasestr(ae, "gzip");
	if (!p)
		return false;
	const char *q = strchr(p, ';');
	const char *comma = strchr(p, ',');
	if (q && (!comma || q < comma)) {
		while (*++q == ' ')
			;
		if (!strncmp(q, "q=0", 3) && (q[3] == '\0' || q[3] == ',' || !strncmp(q + 3, ".0", 2)))
			return false;
	}
	return true;
}

/* gzip `in` into `out`; returns 0 on success. */
static int gzip_buf(const char *in, size_t len, struct buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 4, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	size_t bound = deflateBound(&z, (uLong)len) + 32;
	buf_reserve(out, bound);
	if (out->failed) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->data;
	z.avail_out = (uInt)bound;
	int rc = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

/* ---- request handling ---------------------------------------------------------- */

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	(void)con;
	struct http_server *s = cls;
	struct req_state *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &st->t0);
	size_t n = strnlen(uri, (size_t)s->max_url + 1);
	st->raw_uri = strndup(uri, n);
	return st;
}

static void completed(void *cls, struct MHD_Connection *con, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)con;
	(void)toe;
	struct req_state *st = *con_cls;
	if (st) {
		free(st->raw_uri);
		free(st);
		*con_cls = NULL;
	}
}

static void record(struct http_server *s, int route, int status, double secs)
{
	struct route_metrics *m = &s->metrics[route];
	size_t slot = STATUS_SLOTS;
	for (size_t i = 0; i < STATUS_SLOTS; i++)
		if (status_slots[i] == status)
			slot = i;
	atomic_fetch_add(&m->by_status[slot], 1);
	size_t b = LAT_BUCKETS;
	for (size_t i = 0; i < LAT_BUCKETS; i++)
		if (secs <= latency_le[i]) {
			b = i;
			break;
		}
	atomic_fetch_add(&m->latency[b], 1);
	atomic_fetch_add(&m->latency_sum_us, (unsigned long)(secs * 1e6));
	atomic_fetch_add(&m->count, 1);
}

static enum MHD_Result respond(struct http_server *s, struct MHD_Connection *con,
			    struct http_response *res, struct req_state *st, int route,
			    bool head_only, bool shed)
{
	struct buf gz;
	buf_init(&gz);
	const char *body = res->body.data ? res->body.data : "";
	size_t len = res->body.failed ? 0 : res->body.len;
	bool gzipped = false;
	if (res->body.failed) {
		http_busy(res);
		body = res->body.data ? res->body.data : "";
		len = res->body.len;
	}
	if (res->compressible && len > 1024 && accepts_gzip(con) && !gzip_buf(body, len, &gz)) {
		body = gz.data;
		len = gz.len;
		gzipped = true;
	}
	(void)head_only; /* MHD omits the body of a HEAD response itself */
	/* Hand the body's buffer to MHD instead of copying it (a nearest answer
	 * is ~14 KB): steal it from its buf, MHD frees it after sending. */
	struct buf *owner = gzipped ? &gz : &res->body;
	struct MHD_Response *r;
	if (len && owner->data == body) {
		size_t n;
		char *data = buf_steal(owner, &n);
		r = MHD_create_response_from_buffer_with_free_callback(len, data, free);
		if (!r)
			free(data);
	} else {
		r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	}
	buf_fini(&gz);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", res->content_type ? res->content_type
								      : "application/json");
	MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
	if (res->compressible)
		MHD_add_response_header(r, "Vary", "Accept-Encoding");
	if (gzipped)
		MHD_add_response_header(r, "Content-Encoding", "gzip");
	if (res->etag[0])
		MHD_add_response_header(r, "ETag", res->etag);
	if (res->cache_control)
		MHD_add_response_header(r, "Cache-Control", res->cache_control);
	if (res->allow)
		MHD_add_response_header(r, "Allow", res->allow);
	if (res->tile_cache)
		MHD_add_response_header(r, "X-Tile-Cache", res->tile_cache);
	if (res->disposition)
		MHD_add_response_header(r, "Content-Disposition", res->disposition);
	if (res->retry_after_s > 0) {
		char ra[16];
		snprintf(ra, sizeof ra, "%d", res->retry_after_s);
		MHD_add_response_header(r, "Retry-After", ra);
	}
	if (res->challenge)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"yizhan admin\"");
	if (shed) /* a shed request's connection goes, freeing its slot */
		MHD_add_response_header(r, "Connection", "close");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (res->status == 204) {
		/* CORS preflight */
		MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
		MHD_add_response_header(r, "Access-Control-Allow-Headers", "*");
		MHD_add_response_header(r, "Access-Control-Max-Age", "86400");
	}
	enum MHD_Result ret = MHD_queue_response(con, (unsigned)res->status, r);
	MHD_destroy_response(r);
	record(s, route, res->status, elapsed_s(&st->t0));
	return ret;
}

static enum MHD_Result count_host(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	(void)kind;
	(void)value;
	if (!strcasecmp(key, MHD_HTTP_HEADER_HOST))
		++*(int *)cls;
	return MHD_YES;
}

static int host_headers(struct MHD_Connection *con)
{
	int n = 0;
	MHD_get_connection_values(con, MHD_HEADER_KIND, count_host, &n);
	return n;
}

/* True when the path part (before '?') of the raw URI holds an escaped NUL. */
static bool path_has_nul(const char *raw)
{
	for (const char *p = raw; *p && *p != '?'; p++)
		if (p[0] == '%' && p[1] == '0' && p[2] == '0')
			return true;
	return false;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *con, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	(void)upload_data;
	struct http_server *s = cls;
	struct req_state *st = *con_cls;
	if (!st)
		return MHD_NO; /* out of memory in uri_log: drop the connection */
	if (!st->headers_seen) {
		/* Answering on the first call would make MHD discard the request
		 * body and close the connection: wait for the full request —
		 * unless the announced body is over the limit anyway; then answer
		 * now rather than read it all (closing is right for that). */
		st->headers_seen = true;
		const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (!cl || strtoull(cl, NULL, 10) <= s->max_body)
			return MHD_YES;
		st->too_large = true;
	}
	if (*upload_data_size) {
		/* Bodies are not used by any endpoint; count them to bound them. */
		st->body_bytes += *upload_data_size;
		if (st->body_bytes > s->max_body)
			st->too_large = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	atomic_fetch_add(&s->in_flight, 1);
	struct http_response res = {.status = 200, .compressible = true};
	buf_init(&res.body);
	int route = route_find(url);
	bool is_get = !strcmp(method, "GET"), is_head = !strcmp(method, "HEAD");
	bool is_post = !strcmp(method, "POST");
	struct data_holder *h = NULL;
	bool shed = false;
	unsigned long open = atomic_load(&s->connections_open);
	unsigned per_client = 0;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci && ci->socket_context)
		per_client = atomic_load(&s->ip_conns[(uintptr_t)ci->socket_context - 1]);

	if (st->too_large) {
		http_error(&res, 413, "limit", "request body larger than %u bytes", s->max_body);
	} else if (!st->raw_uri || strlen(st->raw_uri) > s->max_url) {
		http_error(&res, 414, "limit", "URL longer than %u bytes", s->max_url);
	} else if (path_has_nul(st->raw_uri)) {
		/* MHD decodes %00 and hands us the path cut there, so
		 * "/api/stations/SH-001%00x" would be read as SH-001. */
		http_error(&res, 400, "parse", "NUL byte (%%00) in the path");
	} else if (!strcmp(version, MHD_HTTP_VERSION_1_1) && host_headers(con) != 1) {
		/* RFC 9112 §3.2: exactly one Host in HTTP/1.1 */
		http_error(&res, 400, "parse", "an HTTP/1.1 request needs exactly one Host header");
	} else if (strcmp(routes[route].name, "health") &&
		   (open > s->busy_connections || per_client > s->busy_per_client)) {
		/* saturated: a quick answer and a closed connection rather than a
		 * queue (health checks still pass, so monitoring sees the cause) */
		shed = true;
		if (per_client > s->busy_per_client)
			http_error(&res, 429, "busy", "too many connections from your address (%u), "
				   "try again shortly", per_client);
		else
			http_error(&res, 503, "busy", "server saturated (%lu connections), try again "
				   "shortly", open);
		res.retry_after_s = 1;
	} else if (routes[route].post && !s->admin_token_len) {
		/* admin endpoints are off without a token: as if they did not exist */
		http_error(&res, 404, "notfound", "no such endpoint: %.200s", url);
	} else if (!strcmp(method, "OPTIONS")) {
		if (!routes[route].fn || routes[route].post) {
			http_error(&res, 404, "notfound", "no such endpoint: %.200s", url);
		} else {
			res.status = 204;
			res.compressible = false;
		}
	} else if (routes[route].post ? !is_post : !is_get && !is_head) {
		http_error(&res, 405, "method", "method %.16s not allowed; use %s", method,
			   routes[route].post ? "POST" : "GET");
		res.allow = routes[route].post ? "POST" : "GET, HEAD, OPTIONS";
	} else {
		const char *qm = strchr(st->raw_uri, '?');
		struct yz_errbuf eb;
		struct http_request req = {
			.method = method,
			.path = url,
			.if_none_match = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
								     "If-None-Match"),
			.authorization = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
								     MHD_HTTP_HEADER_AUTHORIZATION),
			.static_root = s->static_root,
			.server = s,
		};
		enum yz_err err = qm ? query_parse(qm + 1, strlen(qm + 1), &req.query, &eb)
				     : query_parse(NULL, 0, &req.query, &eb);
		if (err) {
			http_fail(&res, err, eb.msg);
		} else if (!routes[route].fn) {
			http_error(&res, 404, "notfound", "no such endpoint: %.200s", url);
		} else {
			h = data_acquire(s);
			req.data = h->data;
			routes[route].fn(&req, &res);
		}
	}
	enum MHD_Result ret = respond(s, con, &res, st, route, is_head, shed);
	buf_fini(&res.body);
	if (h)
		data_release(s, h);
	atomic_fetch_sub(&s->in_flight, 1);
	return ret;
}

void http_call(const char *path, const char *query, const struct dataset *data,
	       struct http_response *res)
{
	int route = route_find(path);
	struct yz_errbuf eb;
	struct http_request req = {.method = "GET", .path = path, .data = data};
	enum yz_err err = query_parse(query, strlen(query), &req.query, &eb);
	if (err)
		http_fail(res, err, eb.msg);
	else if (!routes[route].fn || routes[route].post || !strcmp(routes[route].name, "static") ||
		 !strcmp(routes[route].name, "metrics") || !strcmp(routes[route].name, "health") ||
		 !strcmp(routes[route].name, "tiles"))
		http_error(res, 404, "notfound", "no such query: %.100s", path);
	else
		routes[route].fn(&req, res);
}

/* The slot of a client address in the per-client connection counts. */
static unsigned ip_slot(const struct sockaddr *sa)
{
	const unsigned char *p = NULL;
	size_t n = 0;
	if (sa && sa->sa_family == AF_INET) {
		p = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
		n = 4;
	} else if (sa && sa->sa_family == AF_INET6) {
		p = (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
		n = 16;
	}
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h % IP_SLOTS;
}

static void notify_connection(void *cls, struct MHD_Connection *con, void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		atomic_fetch_add(&s->connections_open, 1);
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		unsigned slot = ip_slot(ci ? ci->client_addr : NULL);
		atomic_fetch_add(&s->ip_conns[slot], 1);
		*socket_context = (void *)(uintptr_t)(slot + 1);
	} else {
		atomic_fetch_sub(&s->connections_open, 1);
		if (*socket_context)
			atomic_fetch_sub(&s->ip_conns[(uintptr_t)*socket_context - 1], 1);
		*socket_context = NULL;
	}
}

/* ---- reloads and the admin token ---------------------------------------------- */

enum yz_err http_reload(struct http_server *s, struct yz_errbuf *eb)
{
	if (!s->reload)
		return yz_fail(eb, YZ_ENOTFOUND, "this server cannot reload");
	if (pthread_mutex_trylock(&s->reload_lock))
		return yz_fail(eb, YZ_EBUSY, "a reload is already running");
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct dataset *d = NULL;
	enum yz_err err = s->reload(s->reload_ctx, &d, eb);
	if (!err)
		http_swap_dataset(s, d);
	pthread_mutex_lock(&s->status_lock);
	struct http_reload_status *r = &s->last_reload;
	r->any = true;
	r->ok = err == YZ_OK;
	r->count++;
	r->at_unix = (int64_t)time(NULL);
	r->duration_s = elapsed_s(&t0);
	snprintf(r->message, sizeof r->message, "%s", err ? eb->msg : "");
	pthread_mutex_unlock(&s->status_lock);
	pthread_mutex_unlock(&s->reload_lock);
	return err;
}

void http_reload_status(void *server, struct http_reload_status *out)
{
	struct http_server *s = server;
	pthread_mutex_lock(&s->status_lock);
	*out = s->last_reload;
	pthread_mutex_unlock(&s->status_lock);
}

const char *http_admin_token(void *server, size_t *len)
{
	struct http_server *s = server;
	*len = s ? s->admin_token_len : 0;
	return s && s->admin_token_len ? s->admin_token : NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap; /* MHD's own messages (client resets …) are not ours to print */
}

const struct style *http_style(void *server, const char *name)
{
	struct http_server *s = server;
	if (!s->style_count)
		return NULL;
	if (!name || !*name)
		return s->styles[s->style_default];
	for (unsigned i = 0; i < s->style_count; i++)
		if (!strcmp(s->style_names[i], name))
			return s->styles[i];
	return NULL;
}

const struct text_font *http_font(void *server)
{
	return ((struct http_server *)server)->font;
}

static void free_styles(struct http_server *s)
{
	text_font_close(s->font);
	s->font = NULL;
	for (unsigned i = 0; i < s->style_count; i++)
		style_free(s->styles[i]);
	s->style_count = 0;
}

/* Every *.json of `dir`, in name order; any file that fails to parse fails
 * the start with its message (a broken style must not go unnoticed). */
static enum yz_err load_styles(struct http_server *s, const char *dir, struct yz_errbuf *eb)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return yz_fail(eb, YZ_EIO, "%s: cannot read the styles folder", dir);
	enum yz_err err = YZ_OK;
	for (int i = 0; i < n; i++) {
		const char *f = names[i]->d_name;
		size_t len = strlen(f);
		if (!err && len > 5 && len < 64 && !strcmp(f + len - 5, ".json") &&
		    s->style_count < HTTP_MAX_STYLES) {
			char path[1024];
			snprintf(path, sizeof path, "%s/%s", dir, f);
			err = style_load_file(path, &s->styles[s->style_count], eb);
			if (!err) {
				snprintf(s->style_names[s->style_count], 64, "%.*s", (int)(len - 5), f);
				if (!strcmp(s->style_names[s->style_count], "light"))
					s->style_default = s->style_count;
				s->style_count++;
			}
		}
		free(names[i]);
	}
	free(names);
	if (!err && !s->style_count)
		err = yz_fail(eb, YZ_EEMPTY, "%s: no style files (*.json)", dir);
	if (!err) {
		struct yz_errbuf feb;
		if (text_font_open(TEXT_FONT_DEFAULT, TEXT_FACE_DEFAULT, &s->font, &feb))
			fprintf(stderr, "yizhan: tiles without labels: %s\n", feb.msg);
	}
	return err;
}

struct tcache *http_tile_cache(void *server)
{
	return server ? ((struct http_server *)server)->tiles : NULL;
}

struct solid *http_solid_tiles(void *server)
{
	return server ? ((struct http_server *)server)->solids : NULL;
}

/* Undo a partial http_start: tile cache, styles, the dataset (owned since
 * the start), s. */
static void start_failed(struct http_server *s)
{
	tcache_free(s->tiles);
	solid_free(s->solids);
	free_styles(s);
	dataset_free(s->current->data);
	free(s->current);
	pthread_mutex_destroy(&s->data_lock);
	pthread_mutex_destroy(&s->reload_lock);
	pthread_mutex_destroy(&s->status_lock);
	free(s);
}

enum yz_err http_start(const struct http_options *opt, struct dataset *data,
		       struct http_server **out, struct yz_errbuf *eb)
{
	*out = NULL;
	struct http_server *s = calloc(1, sizeof *s);
	if (!s)
		return yz_fail(eb, YZ_ENOMEM, "out of memory");
	pthread_mutex_init(&s->data_lock, NULL);
	pthread_mutex_init(&s->reload_lock, NULL);
	pthread_mutex_init(&s->status_lock, NULL);
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	s->reload = opt->reload;
	s->reload_ctx = opt->reload_ctx;
	if (opt->admin_token && *opt->admin_token) {
		size_t n = strlen(opt->admin_token);
		if (n >= sizeof s->admin_token) {
			pthread_mutex_destroy(&s->data_lock);
			pthread_mutex_destroy(&s->reload_lock);
			pthread_mutex_destroy(&s->status_lock);
			free(s);
			dataset_free(data);
			return yz_fail(eb, YZ_ELIMIT, "the admin token is longer than %zu bytes",
				       sizeof s->admin_token - 1);
		}
		memcpy(s->admin_token, opt->admin_token, n + 1);
		s->admin_token_len = n;
	}
	unsigned max_conn = opt->max_connections ? opt->max_connections : 1024u;
	unsigned per_ip = opt->per_ip_connections ? opt->per_ip_connections : 256u;
	s->busy_connections = opt->busy_connections ? opt->busy_connections : max_conn / 8 * 7;
	s->busy_per_client = opt->busy_per_client ? opt->busy_per_client : per_ip / 8 * 7;
	s->max_url = opt->max_url && opt->max_url < HTTP_MAX_URL ? opt->max_url : HTTP_MAX_URL;
	s->max_body = opt->max_body ? (opt->max_body < HTTP_MAX_BODY_LIMIT ? opt->max_body
									  : HTTP_MAX_BODY_LIMIT)
				    : HTTP_MAX_BODY;
	unsigned header_kb = opt->header_kb ? (opt->header_kb < HTTP_HEADER_KB_LIMIT ? opt->header_kb
										 : HTTP_HEADER_KB_LIMIT)
					    : HTTP_HEADER_KB;
	snprintf(s->static_root, sizeof s->static_root, "%s",
		 opt->static_root ? opt->static_root : "web");
	http_swap_dataset(s, data);
	if (!s->current) {
		free(s);
		return yz_fail(eb, YZ_ENOMEM, "out of memory");
	}
	enum yz_err serr = load_styles(s, opt->styles_dir ? opt->styles_dir : "styles", eb);
	if (serr) {
		start_failed(s);
		return serr;
	}
	if (opt->tile_cache_mb != HTTP_TILE_CACHE_OFF &&
	    tcache_new((size_t)(opt->tile_cache_mb ? opt->tile_cache_mb : 256) << 20, 0,
		       &s->tiles)) {
		start_failed(s);
		return yz_fail(eb, YZ_ENOMEM, "out of memory for the tile cache");
	}
	if (solid_new(&s->solids)) {
		start_failed(s);
		return yz_fail(eb, YZ_ENOMEM, "out of memory");
	}

	const char *host = opt->host && *opt->host ? opt->host : "127.0.0.1";
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;
	struct sockaddr *addr;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
			 MHD_USE_TURBO; /* opportunistic reads and writes: fewer epoll rounds */
	memset(&a4, 0, sizeof a4);
	memset(&a6, 0, sizeof a6);
	if (inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons((uint16_t)opt->port);
		addr = (struct sockaddr *)&a4;
	} else if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons((uint16_t)opt->port);
		addr = (struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	} else if (!strcmp(host, "localhost")) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons((uint16_t)opt->port);
		a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		addr = (struct sockaddr *)&a4;
	} else {
		start_failed(s);
		return yz_fail(eb, YZ_EPARSE, "--host %s: not a numeric IPv4/IPv6 address", host);
	}
	unsigned threads = opt->threads;
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	s->daemon = MHD_start_daemon(
		flags, (uint16_t)opt->port, NULL, NULL, handle, s,
		MHD_OPTION_SOCK_ADDR, addr,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_LIMIT, max_conn,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
		MHD_OPTION_CONNECTION_TIMEOUT, opt->timeout_s ? opt->timeout_s : 15u,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)header_kb * 1024,
		MHD_OPTION_URI_LOG_CALLBACK, uri_log, s,
		MHD_OPTION_NOTIFY_COMPLETED, completed, s,
		MHD_OPTION_NOTIFY_CONNECTION, notify_connection, s,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
		MHD_OPTION_END);
	if (!s->daemon) {
		start_failed(s);
		return yz_fail(eb, YZ_EIO, "cannot listen on %s:%u (port in use?)", host, opt->port);
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : opt->port;
	*out = s;
	return YZ_OK;
}

unsigned http_port(const struct http_server *s)
{
	return s->port;
}

void http_stop(struct http_server *s, unsigned drain_ms)
{
	if (!s)
		return;
	/* Stop accepting, then let requests in flight finish (bounded). */
	MHD_quiesce_daemon(s->daemon);
	for (unsigned waited = 0; waited < drain_ms; waited += 10) {
		if (atomic_load(&s->in_flight) == 0)
			break;
		usleep(10000);
	}
	MHD_stop_daemon(s->daemon);
	if (s->current) {
		dataset_free(s->current->data);
		free(s->current);
	}
	free_styles(s);
	/* After the daemon stopped: no flight is open, no request holds an
	 * entry; the cache goes before the one-colour tiles its entries borrow. */
	tcache_free(s->tiles);
	solid_free(s->solids);
	pthread_mutex_destroy(&s->data_lock);
	pthread_mutex_destroy(&s->reload_lock);
	pthread_mutex_destroy(&s->status_lock);
	free(s);
}

void http_metrics_text(struct http_server *s, struct buf *out)
{
	buf_adds(out, "# HELP yizhan_requests_total HTTP requests by endpoint and status.\n"
		      "# TYPE yizhan_requests_total counter\n");
	for (size_t r = 0; r < ROUTE_COUNT; r++) {
		for (size_t i = 0; i <= STATUS_SLOTS; i++) {
			unsigned long v = atomic_load(&s->metrics[r].by_status[i]);
			if (!v)
				continue;
			if (i < STATUS_SLOTS)
				buf_printf(out, "yizhan_requests_total{endpoint=\"%s\",status=\"%d\"} %lu\n",
					   routes[r].name, status_slots[i], v);
			else
				buf_printf(out, "yizhan_requests_total{endpoint=\"%s\",status=\"other\"} %lu\n",
					   routes[r].name, v);
		}
	}
	buf_adds(out, "# HELP yizhan_request_duration_seconds Time from request line to response.\n"
		      "# TYPE yizhan_request_duration_seconds histogram\n");
	for (size_t r = 0; r < ROUTE_COUNT; r++) {
		unsigned long count = atomic_load(&s->metrics[r].count);
		if (!count)
			continue;
		unsigned long cum = 0;
		for (size_t b = 0; b < LAT_BUCKETS; b++) {
			cum += atomic_load(&s->metrics[r].latency[b]);
			buf_printf(out,
				   "yizhan_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} %lu\n",
				   routes[r].name, latency_le[b], cum);
		}
		cum += atomic_load(&s->metrics[r].latency[LAT_BUCKETS]);
		buf_printf(out,
			   "yizhan_request_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} %lu\n",
			   routes[r].name, cum);
		buf_printf(out, "yizhan_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n",
			   routes[r].name, (double)atomic_load(&s->metrics[r].latency_sum_us) / 1e6);
		buf_printf(out, "yizhan_request_duration_seconds_count{endpoint=\"%s\"} %lu\n",
			   routes[r].name, count);
	}
	buf_printf(out, "# HELP yizhan_connections_open Connections open now.\n"
			"# TYPE yizhan_connections_open gauge\nyizhan_connections_open %lu\n",
		   atomic_load(&s->connections_open));
	if (s->tiles) {
		struct tcache_stats ts;
		tcache_stats(s->tiles, &ts);
		buf_printf(out,
			   "# HELP yizhan_tile_cache_hits_total Tile requests served from the cache.\n"
			   "# TYPE yizhan_tile_cache_hits_total counter\n"
			   "yizhan_tile_cache_hits_total %llu\n"
			   "# HELP yizhan_tile_cache_misses_total Tile requests that rendered.\n"
			   "# TYPE yizhan_tile_cache_misses_total counter\n"
			   "yizhan_tile_cache_misses_total %llu\n"
			   "# HELP yizhan_tile_cache_evictions_total Tiles dropped for the byte bound.\n"
			   "# TYPE yizhan_tile_cache_evictions_total counter\n"
			   "yizhan_tile_cache_evictions_total %llu\n"
			   "# HELP yizhan_tile_cache_waits_total Requests that waited for the same tile's render.\n"
			   "# TYPE yizhan_tile_cache_waits_total counter\n"
			   "yizhan_tile_cache_waits_total %llu\n"
			   "# HELP yizhan_tile_cache_bytes Bytes held by the tile cache.\n"
			   "# TYPE yizhan_tile_cache_bytes gauge\n"
			   "yizhan_tile_cache_bytes %llu\n"
			   "# HELP yizhan_tile_cache_max_bytes The tile cache's bound.\n"
			   "# TYPE yizhan_tile_cache_max_bytes gauge\n"
			   "yizhan_tile_cache_max_bytes %llu\n"
			   "# HELP yizhan_tile_cache_entries Tiles held by the tile cache.\n"
			   "# TYPE yizhan_tile_cache_entries gauge\n"
			   "yizhan_tile_cache_entries %llu\n",
			   (unsigned long long)ts.hits, (unsigned long long)ts.misses,
			   (unsigned long long)ts.evictions, (unsigned long long)ts.waits,
			   (unsigned long long)ts.bytes, (unsigned long long)ts.max_bytes,
			   (unsigned long long)ts.entries);
	}
	buf_printf(out, "# HELP yizhan_uptime_seconds Seconds since start.\n"
			"# TYPE yizhan_uptime_seconds gauge\nyizhan_uptime_seconds %.3f\n",
		   http_uptime_s(s));
}
