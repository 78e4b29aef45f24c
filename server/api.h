/* api.h — the endpoint handlers.  Each takes a pinned request and fills a
 * response; none sees libmicrohttpd. */
#ifndef YZ_API_H
#define YZ_API_H

#include "http.h"

/* Limits of the data endpoints (documented in the README). */
#define API_MAX_BBOX_DEG2 25.0   /* bbox area for /api/stations, square degrees */
#define API_MAX_Q_BYTES 200      /* search text */

void api_health(struct http_request *req, struct http_response *res);
void api_metrics(struct http_request *req, struct http_response *res);
void api_stations(struct http_request *req, struct http_response *res);
void api_station_one(struct http_request *req, struct http_response *res);
void api_communities(struct http_request *req, struct http_response *res);
void api_static(struct http_request *req, struct http_response *res);

/* The dataset summary /health shows and `yizhan info` prints. */
void api_write_summary(const struct dataset *d, struct buf *out);

#endif
