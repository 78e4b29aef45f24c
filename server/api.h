/* api.h — the endpoint handlers.  Each takes a pinned request and fills a
 * response; none sees libmicrohttpd. */
#ifndef YZ_API_H
#define YZ_API_H

#include "http.h"

/* Limits of the data endpoints (documented in the README). */
#define API_MAX_BBOX_DEG2 25.0   /* bbox area for /api/stations, square degrees */
#define API_MAX_Q_BYTES 200      /* search text */
#define API_MAX_MINUTES 60.0     /* any time limit, minutes */
#define API_DEFAULT_MINUTES 15.0 /* coverage, suggest, coverage tiles */

void api_health(struct http_request *req, struct http_response *res);
void api_metrics(struct http_request *req, struct http_response *res);
void api_stations(struct http_request *req, struct http_response *res);
void api_station_one(struct http_request *req, struct http_response *res);
void api_communities(struct http_request *req, struct http_response *res);
void api_static(struct http_request *req, struct http_response *res);

void api_route(struct http_request *req, struct http_response *res);
void api_nearest(struct http_request *req, struct http_response *res);
void api_isochrone(struct http_request *req, struct http_response *res);
void api_tiles(struct http_request *req, struct http_response *res);
void api_coverage(struct http_request *req, struct http_response *res);
void api_admin_reload(struct http_request *req, struct http_response *res);
void api_suggest(struct http_request *req, struct http_response *res);

/* Shared parameter helpers: write an error into `res` and return -1 on
 * failure. */
int api_mode(struct http_request *req, struct http_response *res, enum mode *out);
/* One time limit `minutes` in (0, API_MAX_MINUTES], API_DEFAULT_MINUTES when
 * absent (coverage, suggest, coverage tiles). */
int api_one_limit(struct http_request *req, struct http_response *res, double *minutes);
int api_check_params(struct http_request *req, struct http_response *res,
		     const char *const *known);
struct snap;
int api_snap(const struct dataset *d, enum mode m, const char *what, double lon, double lat,
	     struct snap *out, struct http_response *res);
struct json;
struct polyline;
/* `at=UNIX_SECONDS` (for reproducible open_now answers) or the clock. */
int api_now(struct http_request *req, struct http_response *res, int64_t *now);
/* A station's members: id, name, kind, address, phone, hours, open_now (at
 * `now`), services — the same in /api/stations and /api/nearest. */
struct station;
void api_write_station_props(struct json *j, const struct dataset *d, const struct station *s,
			     int64_t now);
/* "open_now": true/false, or null when the station's hours are unknown. */
void api_write_open(struct json *j, const struct dataset *d, uint32_t i, int64_t now);
void api_write_line(struct json *j, const struct polyline *l);
/* A community's Polygon or MultiPolygon (holes kept). */
struct communityset;
struct community;
void api_write_community_geometry(struct json *j, const struct communityset *cs,
				  const struct community *c);

#define API_ATTRIBUTION "© OpenStreetMap contributors"

/* The dataset summary /health shows and `yizhan info` prints. */
void api_write_summary(const struct dataset *d, struct buf *out);

#endif
