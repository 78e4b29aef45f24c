/* http.h — the HTTP server: libmicrohttpd glue, the route table, limits,
 * gzip, CORS, metrics, graceful drain.  Only server/ sees libmicrohttpd, and
 * only http.c includes it.
 *
 * Handlers are plain functions over a request and a response; they never see
 * MHD.  The dataset a request reads is pinned for the request's life, so a
 * reload can swap in a new one without disturbing requests in flight. */
#ifndef YZ_HTTP_H
#define YZ_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/query.h"
#include "dataset.h"

/* Limits (documented in the README): the defaults and the largest values the
 * options below accept (a query string is parsed up to QUERY_MAX_BYTES). */
#define HTTP_MAX_URL 4096            /* bytes of path + query; longer → 414 */
#define HTTP_MAX_BODY 65536          /* request body bytes; larger → 413 */
#define HTTP_MAX_BODY_LIMIT (1u << 20)
#define HTTP_HEADER_KB 64            /* connection memory for the request's headers */
#define HTTP_HEADER_KB_LIMIT 1024

struct http_request {
	const char *method;          /* "GET", "HEAD", … */
	const char *path;            /* decoded path, no query */
	struct query query;          /* decoded query parameters */
	const struct dataset *data;  /* pinned for the request */
	const char *if_none_match;   /* If-None-Match header or NULL */
	const char *authorization;   /* Authorization header or NULL */
	const char *static_root;     /* folder of the web page */
	void *server;                /* the http_server, for /health and /metrics */
};

struct http_response {
	int status;
	const char *content_type;    /* static string */
	struct buf body;
	char etag[48];               /* "" = none */
	const char *cache_control;   /* static string or NULL */
	const char *allow;           /* for 405: the allowed methods */
	int retry_after_s;           /* > 0 adds Retry-After */
	bool compressible;           /* text: gzip when the client accepts it */
	const char *tile_cache;      /* "hit" or "miss" adds X-Tile-Cache; static string or NULL */
	const char *disposition;     /* Content-Disposition (downloads); static string or NULL */
	bool challenge;              /* 401: add WWW-Authenticate: Bearer */
};

/* Fill `res` with the SPEC §4 error body {"error":{"code","message"}}. */
void http_error(struct http_response *res, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The HTTP status for an error code (one table for the whole server). */
int http_status_of(enum yz_err err);

/* 503 "nomem" with Retry-After: 1, for a request that ran out of memory
 * (a transient condition: the client should simply try again). */
void http_busy(struct http_response *res);

/* Set an error response from an error code and its detail message. */
void http_fail(struct http_response *res, enum yz_err err, const char *msg);

struct http_server;

/* Builds a fresh dataset for a reload (SIGHUP, POST /admin/reload). */
typedef enum yz_err http_reload_fn(void *ctx, struct dataset **out, struct yz_errbuf *eb);

struct http_options {
	const char *host;            /* listen address, default 127.0.0.1 */
	unsigned port;               /* 0 = any free port (reported by http_port) */
	unsigned threads;            /* 0 = number of cores */
	const char *static_root;     /* folder served at / */
	unsigned max_connections;    /* total, default 1024; beyond it connections are refused */
	unsigned per_ip_connections; /* from one client address, default 256; beyond: refused */
	unsigned busy_connections;   /* above this many open connections requests get 503 and
				      * Retry-After (default 7/8 of max_connections) */
	unsigned busy_per_client;    /* above this many from one address: 429 and Retry-After
				      * (default 7/8 of per_ip_connections) */
	unsigned timeout_s;          /* idle connection timeout, default 15 */
	unsigned max_url;            /* bytes, 0 = HTTP_MAX_URL; at most HTTP_MAX_URL */
	unsigned max_body;           /* bytes, 0 = HTTP_MAX_BODY; at most HTTP_MAX_BODY_LIMIT */
	unsigned header_kb;          /* KiB per connection for headers, 0 = HTTP_HEADER_KB */
	const char *admin_token;     /* bearer token of POST /admin/reload; NULL or "" = the
				      * admin endpoints answer 404 */
	http_reload_fn *reload;      /* rebuilds the dataset; NULL = no reloads */
	void *reload_ctx;
	const char *styles_dir;      /* tile styles: every *.json there, default "styles" */
	unsigned tile_cache_mb;      /* bound of the rendered-tile cache in MiB, 0 = default
				      * 256; HTTP_TILE_CACHE_OFF: no cache */
};

#define HTTP_TILE_CACHE_OFF 0xffffffffu

/* Start listening; `data` becomes the served dataset (the server owns it).
 * Fails with YZ_EIO and a message (port in use …). */
enum yz_err http_start(const struct http_options *opt, struct dataset *data,
		       struct http_server **out, struct yz_errbuf *eb);
unsigned http_port(const struct http_server *s);
/* Stop accepting, wait up to `drain_ms` for requests in flight, stop, free
 * the server and its dataset. */
void http_stop(struct http_server *s, unsigned drain_ms);

/* The style named `name` (a file name without .json), or the default
 * ("light", else the first loaded) when name is NULL or ""; NULL when there
 * is no such style.  Styles live as long as the server. */
struct style;
const struct style *http_style(void *server, const char *name);

/* The server's rendered-tile cache, or NULL when it is off or there is no
 * server (`server` NULL: http_call).  Lives as long as the server. */
struct tcache;
struct tcache *http_tile_cache(void *server);

/* The shared PNGs of one-colour tiles (tiles/solid.h); NULL when there is
 * no server.  They live as long as the server, so the tile cache may borrow
 * them. */
struct solid;
struct solid *http_solid_tiles(void *server);

/* The labels' font, or NULL when it could not be opened (tiles are then
 * drawn without labels, and start-up said so). */
struct text_font;
const struct text_font *http_font(void *server);

/* Replace the served dataset; the old one is freed once no request uses it.
 * The tile cache is cleared: its tiles were drawn from the old data. */
void http_swap_dataset(struct http_server *s, struct dataset *data);

/* Reload now: build a dataset with the options' reload function beside the
 * served one and swap it in (requests in flight finish on the old one); a
 * failure keeps the old data.  The outcome is kept for /health.  One reload
 * at a time: YZ_EBUSY while another runs; YZ_ENOTFOUND when the server has
 * no reload function. */
enum yz_err http_reload(struct http_server *s, struct yz_errbuf *eb);

/* The last reload's outcome (any = false before the first). */
struct http_reload_status {
	bool any, ok;
	unsigned count;              /* reloads tried since start */
	int64_t at_unix;             /* when the last one ended */
	double duration_s;
	char message[512];           /* why it failed, or "" */
};
void http_reload_status(void *server, struct http_reload_status *out);

/* The admin bearer token (NULL when admin endpoints are off) and its length. */
const char *http_admin_token(void *server, size_t *len);

/* Run the handler of `path` with the raw query string `query` on `data`,
 * without a server (the CLI's query commands).  `res` must be initialised
 * by the caller (status 200, empty body) and is filled as for a request. */
void http_call(const char *path, const char *query, const struct dataset *data,
	       struct http_response *res);

/* Prometheus text exposition of the server's metrics into `out`. */
void http_metrics_text(struct http_server *s, struct buf *out);
double http_uptime_s(const struct http_server *s);

#endif
