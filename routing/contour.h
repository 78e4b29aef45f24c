/* contour.h — isochrone polygons from the reachable part of a road network
 * (SPEC §3 isochrone, §7 isochrone containment).
 *
 * Pure geometry: the caller hands over straight pieces of road, in metres in
 * a local frame, that are reachable within a limit (edges cut exactly at the
 * limit beforehand), and gets back polygons in lon/lat that contain every
 * piece and exclude what lies well away from all of them.
 * Several limits (5, 10, 15 min) are built in one call: each piece carries the
 * index of the smallest limit it is reachable within, and the polygon of
 * limit i covers the pieces of levels 0..i.  The method and its parameters
 * are explained at the top of contour.c.
 *
 * Threads: a workspace and a result belong to one thread at a time; distinct
 * workspaces may run concurrently.  Nothing here has global state. */
#ifndef YZ_CONTOUR_H
#define YZ_CONTOUR_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/json.h"

/* At most this many limits per call (the API allows 6). */
#define CONTOUR_MAX_LEVELS 8
/* Piece coordinates beyond this distance from the frame origin are refused:
 * the local flat frame means nothing that far out. */
#define CONTOUR_MAX_COORD_M 2.0e6

/* One straight piece of reachable road.  A piece with both ends equal is a
 * reachable point (the start of the search). */
struct contour_piece {
	float x0, y0, x1, y1; /* metres east / north of the frame origin, finite, |v| <= CONTOUR_MAX_COORD_M */
	uint32_t level;       /* smallest limit index it is reachable within, < level_count */
};

/* Parameters.  contour_params_init fills the defaults given for each field;
 * callers change what they need.  All lengths in metres, areas in m². */
struct contour_params {
	double lon0, lat0;      /* frame origin, degrees (|lat0| <= 85): pieces are in
				 * geo_frame_init(lon0, lat0) */
	uint32_t level_count;   /* limits in this call, 1..CONTOUR_MAX_LEVELS; default 1 */
	double cell_m;          /* raster cell side, > 0; default 8.  Grown (never shrunk) when the
				 * extent would need more than max_cells cells, or buffer + close
				 * more than 16 cells */
	double buffer_m;        /* radius of the disk drawn around the roads, >= 0; default 16.  The
				 * outline then runs at most 31 m from a road, ~21 m along a straight
				 * one (contour.c, guarantees).  Raised to (CONTOUR_BUFFER_MIN_CELLS +
				 * simplify_cells) cells when smaller: what keeps every piece inside */
	double close_m;         /* radius of the morphological closing that fills narrow gaps between
				 * buffered roads, >= 0; default 16; 0 = none */
	double hole_min_m2;     /* enclosed unreachable areas smaller than this are filled, >= 0;
				 * default 200 000 (a block of some 450 m × 450 m) */
	double simplify_cells;  /* Douglas–Peucker tolerance in cells, 0..1; default 0.5 (removes the
				 * raster staircase); 0 keeps every corner of the raster outline */
	double min_area_m2;     /* polygons smaller than this are dropped, >= 0; default 200 (none
				 * drawn around a reachable piece is that small) */
	uint32_t max_cells;     /* bound on the raster, 4096..2^26; default 2^21 (256 KB a grid) */
};

/* Marking cells puts a sample within 0.71 cell of every point of a piece,
 * and the marching-squares outline of the samples within 0.79 cell of a
 * point contains it: the buffer must be at least the sum, plus the
 * simplification tolerance (contour.c, guarantee (a)). */
#define CONTOUR_BUFFER_MIN_CELLS 1.5

/* Output for one limit: polygons as a flat ring list.  Ring r has the points
 * [ring_first[r], ring_first[r + 1]), closed (its last point repeats its
 * first).  Each polygon is its exterior ring (counter-clockwise, ring_outer 1)
 * followed by its holes (clockwise, ring_outer 0), RFC 7946.  Rings are
 * simple, no two rings cross or touch, every hole lies inside its exterior.
 * The arrays are owned by the result and reused by the next contour_build
 * into the same result; after a successful build ring_first is never NULL. */
struct contour_result {
	uint32_t ring_count;
	uint32_t polygon_count;   /* exterior rings; 0 when nothing is reachable */
	uint32_t *ring_first;     /* [ring_count + 1] */
	uint8_t *ring_outer;      /* [ring_count] 1 exterior, 0 hole */
	double *lon, *lat;        /* [pt_count] degrees */
	uint32_t pt_count;
	double area_m2;           /* exteriors minus holes, in the frame */
	double cell_m, buffer_m;  /* the values actually used (after coarsening) */
	/* private: allocated sizes */
	uint32_t ring_cap, pt_cap;
};

/* The scratch memory of contour_build, kept between calls so that a worker
 * thread's repeated queries allocate nothing once it has grown to the largest
 * query.  Caller storage; fields are private to contour.c. */
struct contour_ws {
	uint64_t *grid;           /* bit grids: raw, work, tmp, visited; the morphology window */
	size_t grid_cap;          /* words */
	uint32_t *order;          /* pieces sorted by level */
	size_t order_cap;
	uint32_t *run_x, *run_parent, *run_area, *run_aux, *run_roots; /* raster runs, union–find */
	uint8_t *run_flag;
	size_t run_cap;
	uint32_t *row_first;      /* first run of each row */
	size_t row_cap;
	int32_t *vx, *vy;         /* raw ring vertices, half-cell units */
	uint8_t *keep;            /* per raw vertex: kept by the simplification */
	uint32_t *s_idx, *s_next; /* simplified rings: raw vertex, successor */
	uint8_t *s_bad;           /* simplified segment in conflict */
	uint32_t *stack;          /* Douglas–Peucker chains */
	size_t v_cap;
	uint32_t *ring_first, *ring_root, *s_ring_first, *out_order, *out_key; /* rings */
	int64_t *ring_area2;
	size_t ring_cap;
	uint32_t *tile_first, *tile_items; /* segment bins of the topology check */
	size_t tile_cap, item_cap;
};

/* Lifecycle.  init leaves an empty workspace (no allocation); fini frees it
 * and may be called on an initialised, never used workspace. */
void contour_ws_init(struct contour_ws *ws);
void contour_ws_fini(struct contour_ws *ws);

/* Defaults (see each field) for the frame centred on (lon0, lat0). */
void contour_params_init(struct contour_params *p, double lon0, double lat0);

/* Result lifecycle: init leaves an empty result; fini frees its arrays. */
void contour_result_init(struct contour_result *r);
void contour_result_fini(struct contour_result *r);

/* Build the polygons of every limit.  `pieces` (n of them, any order,
 * borrowed for the call) are in metres in the frame of p; `out` points to
 * p->level_count initialised results, each overwritten (arrays reused or
 * grown).  n == 0 gives empty results.
 *
 * Returns YZ_OK; YZ_ERANGE for a parameter out of its range, a piece with a
 * non-finite or out-of-range coordinate or a level >= level_count; YZ_ELIMIT
 * when n exceeds UINT32_MAX; YZ_ENOMEM.  On failure `eb` (may be NULL) says
 * why and every result is left empty but still owned (fini it as usual) —
 * except for a level_count out of range, which leaves `out` untouched.
 * Memory: the workspace grows to the largest call seen (about 4 grids of
 * max_cells bits, plus arrays linear in the outline and the pieces). */
enum yz_err contour_build(struct contour_ws *ws, const struct contour_params *p,
			  const struct contour_piece *pieces, size_t n, struct contour_result *out,
			  struct yz_errbuf *eb);

/* Write r as one GeoJSON geometry object: a Polygon when it has exactly one
 * exterior, otherwise a MultiPolygon (with an empty coordinates array when it
 * has none).  Positions with 7 decimals (json_lonlat). */
void contour_write_geojson(struct json *j, const struct contour_result *r);

#endif
