/* tilejob.c — see tilejob.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dataset.h"
#include "tilejob.h"
#include "tiles/pngenc.h"
#include "tiles/style.h"

void tilejob_data(const struct dataset *d, const struct text_font *font, struct render_data *out)
{
	*out = (struct render_data){
		.net = &d->net,
		.piece_grid = &d->piece_grid,
		.chain = &d->road_chain,
		.seg_grid = &d->seg_grid,
		.stations = d->stations,
		.station_count = d->station_count,
		.station_grid = &d->station_grid,
		.comm = &d->comm,
		.borders = &d->borders,
		.border_idx = &d->border_idx,
		.border_grid = &d->border_grid,
		.comm_ring_idx = &d->comm_ring_idx,
		.feat = &d->feat,
		.feat_grid = &d->feat_grid,
		.font = font,
	};
}

void tilejob_coverage(const struct dataset *d, enum mode m, double minutes, struct render_data *rd)
{
	rd->cover = &d->cover[m];
	rd->cover_graph = &d->graph[m];
	rd->cover_limit_ms = minutes * 60000.0;
}

enum yz_err tilejob_render(struct render_ws *w, const struct render_data *rd, const struct style *st,
			   const struct tile_req *t, struct solid *solids, struct buf *png,
			   struct tilejob_out *out)
{
	*out = (struct tilejob_out){0};
	enum yz_err err = render_tile(w, rd, st, t);
	if (err)
		return err;
	unsigned side = TILE_SIZE * t->scale;
	uint8_t px[4];
	if (solid_canvas(&w->canvas, side, side, px)) {
		out->solid = 1;
		out->empty = px[3] == 0;
		out->shared = solid_png(solids, px, side);
		if (out->shared) {
			buf_add(png, out->shared->data, out->shared->len);
			return png->failed ? YZ_ENOMEM : YZ_OK;
		}
	}
	return pngenc_write(w->png, &w->canvas, png, PNGENC_DEFAULT_LEVEL);
}

enum yz_err tilejob_style_load(const char *file_or_name, struct style **out, struct yz_errbuf *eb)
{
	*out = NULL;
	const char *s = file_or_name && *file_or_name ? file_or_name : TILEJOB_STYLE_DEFAULT;
	size_t len = strlen(s);
	if (strchr(s, '/') || (len > 5 && !strcmp(s + len - 5, ".json")))
		return style_load_file(s, out, eb);
	if (len > 64 || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
				len)
		return yz_fail(eb, YZ_EPARSE,
			       "style \"%.64s\": not a style name (letters, digits, _ and -) "
			       "nor a path to a .json file",
			       s);
	char path[128];
	snprintf(path, sizeof path, "%s/%s.json", TILEJOB_STYLES_DIR, s);
	return style_load_file(path, out, eb);
}

static uint32_t tile_col(double lon, unsigned z)
{
	double n = ldexp(1.0, (int)z);
	double x = floor((lon + 180.0) / 360.0 * n);
	return x < 0 ? 0 : x > n - 1 ? (uint32_t)(n - 1) : (uint32_t)x;
}

static uint32_t tile_row(double lat, unsigned z)
{
	const double max_lat = 85.0511287798066;
	lat = lat > max_lat ? max_lat : lat < -max_lat ? -max_lat : lat;
	double n = ldexp(1.0, (int)z);
	double r = lat * M_PI / 180.0;
	double y = floor((1.0 - asinh(tan(r)) / M_PI) / 2.0 * n);
	return y < 0 ? 0 : y > n - 1 ? (uint32_t)(n - 1) : (uint32_t)y;
}

void tilejob_range(double w, double s, double e, double n, unsigned z, uint32_t *x0, uint32_t *y0,
		   uint32_t *x1, uint32_t *y1)
{
	*x0 = tile_col(w, z);
	*x1 = tile_col(e, z);
	*y0 = tile_row(n, z); /* rows grow southwards */
	*y1 = tile_row(s, z);
}

uint64_t tilejob_pixel_hash(const uint8_t *px, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		h ^= px[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
