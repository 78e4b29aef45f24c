/* render.h — drawing one tile of a layer from the loaded data and a style.
 *
 * The renderer reads the data through plain read-only arrays (the road
 * network and its grids, the drawing indexes built at load — road chains,
 * community rings in chunks — stations, communities), so it never sees the
 * server.  Each worker thread owns one render workspace: the rasterizer's
 * scratch, a canvas, a path, a segment stamp table and a PNG writer,
 * allocated once. */
#ifndef YZ_RENDER_H
#define YZ_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "data/communities.h"
#include "data/mapfeat.h"
#include "data/stations.h"
#include "path.h"
#include "pngenc.h"
#include "raster.h"
#include "borders.h"
#include "ringidx.h"
#include "roadchain.h"
#include "routing/coverage.h"
#include "routing/graph.h"
#include "routing/spatial.h"
#include "style.h"
#include "tilemath.h"

struct text_font;
struct text_shaper;
struct label_ws;
struct label_cand;

/* What a tile can show (all borrowed, read-only). */
struct render_data {
	const struct network *net;
	const struct grid *piece_grid;         /* over the network's pieces */
	const struct roadchain *chain;         /* segments joined for drawing; NULL: one by one */
	const struct grid *seg_grid;           /* piece_grid's cells listing segments; NULL: use pieces */
	const struct station *stations;
	uint32_t station_count;
	const struct grid *station_grid;
	const struct communityset *comm;
	const struct borders *borders;         /* comm's outlines, each shared border once;
						* NULL: stroke every ring */
	const struct ringidx *border_idx;      /* the borders' lines in chunks; NULL: project
						* whole lines */
	const struct grid *border_grid;        /* over the lines' boxes; NULL: test them all */
	const struct ringidx *comm_ring_idx;   /* comm's rings in chunks, for fills; NULL:
						* project whole rings */
	const struct mapfeat_set *feat;        /* base-map areas and lines, may be NULL */
	const struct grid *feat_grid;          /* over feat's boxes; NULL: scan them all */
	const struct text_font *font;          /* labels' font; NULL: no labels */
	bool hide_stations;                    /* map tiles without the station layers (a page
						* that draws its own markers asks for this) */
	/* the coverage layer: time to the nearest station on one mode's graph,
	 * gaps beyond the limit (NULL: coverage tiles stay empty) */
	const struct coverage_field *cover;
	const struct graph *cover_graph;
	double cover_limit_ms;
};

/* A stretch of a segment in one coverage band (render scratch). */
struct cover_stretch {
	uint32_t seg;
	float x0, x1;
	uint32_t band;
};

struct render_ws {
	struct rast rast;           /* sized for 512 × 512 */
	struct pngenc *png;         /* the thread's PNG writer (pngenc.h), for whoever encodes the canvas */
	struct rast_canvas canvas;  /* sized for 512 × 512; w/h set per tile */
	struct path path;
	float *xy;                  /* scratch polyline, px */
	uint32_t xy_cap;
	uint32_t *seg_stamp;        /* segments already taken in this tile */
	uint32_t seg_cap, stamp;
	uint32_t *seg_drawn;        /* [seg_cap] segments already stroked in this pass */
	uint32_t drawn_stamp;
	uint32_t *feat_stamp;       /* base-map features already taken by a layer */
	uint32_t feat_cap, feat_cur;
	uint32_t *segs;             /* segments touching the tile */
	uint32_t seg_count, segs_cap;
	uint32_t *near;             /* stations or border lines near the tile, ascending */
	uint32_t near_count, near_cap;
	/* labels: created on first use when the data has a font */
	struct text_shaper *shaper;
	struct label_ws *labels;
	struct label_cand *cands;
	uint32_t cand_cap;
	float *line_xy;             /* all candidate polylines, px */
	uint32_t line_cap;
	/* coverage: the tile's segments cut into bands */
	struct cover_stretch *stretch;
	uint32_t stretch_n, stretch_cap;
};

enum yz_err render_ws_init(struct render_ws *w);
void render_ws_fini(struct render_ws *w);

/* Draw tile `t` of the `map`, `stations` or `coverage` layer into w->canvas (premultiplied
 * RGBA, size 256·scale).  YZ_ENOMEM only. */
enum yz_err render_tile(struct render_ws *w, const struct render_data *d, const struct style *s,
			const struct tile_req *t);

#endif
