/* spatial.h — a uniform grid index over the network's shape pieces and over
 * stations, in the same CSR shape as the graph: cell_first[cells + 1],
 * cell_items[].  Read-only after building; arrays may live in a snapshot.
 *
 * A "piece" is the straight stretch between shape points p and p + 1 of one
 * segment, named by p.  A piece is listed in every cell its bounding box
 * touches, so a query looks only at the cells around it. */
#ifndef YZ_SPATIAL_H
#define YZ_SPATIAL_H

#include <stdint.h>

#include "common/err.h"
#include "graph.h"

struct grid {
	int32_t min_lon_e7, min_lat_e7;   /* south-west corner of cell (0, 0) */
	int32_t cell_lon_e7, cell_lat_e7; /* cell size, > 0 */
	uint32_t cols, rows;              /* cols * rows cells, row-major */
	uint32_t item_count;
	const uint32_t *cell_first;       /* [cols * rows + 1] */
	const uint32_t *cell_items;       /* [item_count] */
};

/* Index every piece of every segment of `net` (items are piece ids p, the
 * index of the piece's first shape point).  Arrays malloc'd: grid_free. */
enum yz_err grid_build_pieces(struct grid *g, const struct network *net, struct yz_errbuf *eb);

/* Index `n` points (items are their indexes). */
enum yz_err grid_build_points(struct grid *g, const int32_t *lon_e7, const int32_t *lat_e7,
			      uint32_t n, struct yz_errbuf *eb);

/* Index `n` boxes given as min lon, min lat, max lon, max lat (e7, four per
 * box); an inverted box is left out.  Items are their indexes. */
enum yz_err grid_build_boxes(struct grid *g, const int32_t *box_e7, uint32_t n,
			     struct yz_errbuf *eb);

/* The same cells as a piece grid, listing the segments that own their
 * pieces, each once per cell (what drawing wants: whole segments). */
enum yz_err grid_segments_of(struct grid *g, const struct grid *pieces, const struct network *net,
			     struct yz_errbuf *eb);

void grid_free(struct grid *g);

/* Cell coordinates of a point, clamped to the grid. */
void grid_cell_of(const struct grid *g, int32_t lon_e7, int32_t lat_e7, int32_t *cx, int32_t *cy);

/* Segment that owns piece p (binary search over seg_pt_first). */
uint32_t network_piece_seg(const struct network *net, uint32_t p);

/* 0 when the arrays are consistent (sizes and ranges), for snapshots. */
int grid_validate(const struct grid *g, uint32_t item_limit);

#endif
