/* api_tiles.c — /tiles/{layer}/{z}/{x}/{y}.png and …@2x.png (SPEC §5).
 *
 * Tiles are drawn by the project's rasterizer (tiles/render.c) with the
 * style chosen by `style=` (default: the first style loaded, light), encoded
 * as PNG, and carry an ETag made of the dataset version, the style's hash
 * and the tile address, so `If-None-Match` answers 304 without drawing.
 *
 * Encoded tiles are kept in the server's tile cache (tiles/tcache.h) under
 * the ETag's 64-bit hash, so a changed dataset or style misses by itself.
 * A miss renders once however many requests ask for the tile at the same
 * time (the cache's single-flight); fully transparent tiles are all served
 * with one shared PNG per size, which the cache borrows instead of copying.
 * The response carries X-Tile-Cache: hit|miss.  Drawing and encoding are
 * server/tilejob.c's, shared with `yizhan render` and `yizhan seed`.
 * The coverage layer takes `mode` (default ebike) and `minutes` (default
 * 15, at most 60) and draws that mode's nearest-station field; both are
 * part of its cache key.  `stations=0` leaves the station layers out of map
 * tiles, for a page that draws its own markers over them. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "tiles/pngenc.h"
#include "tiles/render.h"
#include "tiles/tcache.h"
#include "tilejob.h"
#include "workspace.h"

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

void api_tiles(struct http_request *req, struct http_response *res)
{
	static const char *const known[] = {"style", "mode", "minutes", "stations", NULL};
	if (api_check_params(req, res, known))
		return;
	struct tile_req t;
	struct yz_errbuf eb;
	enum yz_err err = tilepath_parse(req->path + strlen("/tiles/"), &t, &eb);
	if (err) {
		http_fail(res, err, eb.msg);
		return;
	}
	enum mode m = MODE_EBIKE;
	double minutes = API_DEFAULT_MINUTES;
	const char *v;
	int stations = 1;
	if ((v = query_get(&req->query, "stations")) && (err = query_bool("stations", v, &stations, &eb))) {
		http_fail(res, err, eb.msg);
		return;
	}
	if (t.layer == TILE_LAYER_COVERAGE) {
		if (api_mode(req, res, &m) || api_one_limit(req, res, &minutes))
			return;
	}
	const char *style_name = query_get(&req->query, "style");
	const struct style *st = http_style(req->server, style_name);
	if (!st) {
		http_error(res, 400, "parse", "style: no style named \"%.40s\"",
			   style_name ? style_name : "");
		return;
	}
	uint64_t h = mix(mix(req->data->version, style_hash(st)),
			 ((uint64_t)t.layer << 60) ^ ((uint64_t)t.z << 52) ^ ((uint64_t)t.x << 26) ^ t.y);
	h = mix(h, t.scale);
	if (t.layer == TILE_LAYER_MAP && !stations)
		h = mix(h, 0x5747u); /* the map without its station layers */
	if (t.layer == TILE_LAYER_COVERAGE) {
		uint64_t bits;
		memcpy(&bits, &minutes, sizeof bits);
		h = mix(mix(h, (uint64_t)m), bits);
	}
	snprintf(res->etag, sizeof res->etag, "\"t%016llx\"", (unsigned long long)h);
	res->cache_control = "public, max-age=3600";
	res->compressible = false;
	if (req->if_none_match && !strcmp(req->if_none_match, res->etag)) {
		res->status = 304;
		return;
	}
	res->content_type = "image/png";

	struct tcache *tc = http_tile_cache(req->server);
	struct tcache_flight *fl = NULL;
	if (tc) {
		struct tcache_entry *e;
		if (tcache_get_or_begin(tc, h, &e, &fl) == TCACHE_HIT) {
			/* One copy of ~10–40 KB into the body, which the HTTP
			 * layer then hands to MHD without another. */
			buf_add(&res->body, e->bytes, e->len);
			tcache_unref(e);
			res->tile_cache = "hit";
			return; /* a failed body is turned into a 503 by the HTTP layer */
		}
	}
	res->tile_cache = "miss";
	struct render_ws *w = workspace_render();
	if (!w) {
		tcache_abandon(tc, fl);
		http_busy(res);
		return;
	}
	struct render_data rd;
	tilejob_data(req->data, http_font(req->server), &rd);
	tilejob_coverage(req->data, m, minutes, &rd);
	rd.hide_stations = !stations;
	struct tilejob_out made;
	err = tilejob_render(w, &rd, st, &t, http_solid_tiles(req->server), &res->body, &made);
	if (err || res->body.failed) {
		tcache_abandon(tc, fl);
		http_busy(res);
		return;
	}
	/* Publishing failing for memory only costs a later re-render. */
	if (made.shared)
		tcache_finish_borrowed(tc, fl, made.shared->data, made.shared->len);
	else
		tcache_finish(tc, fl, res->body.data, res->body.len);
}
