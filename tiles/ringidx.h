/* ringidx.h — long lines cut into chunks with boxes and lengths.
 *
 * A community's border can run for thousands of points (a coastline, a
 * district's edge), and a tile near it used to project every one of them
 * (a sine and a logarithm each, far from the tile) and scan every segment
 * for the few it shows.  Cut into chunks of RINGIDX_CHUNK segments, each
 * with its box in lon/lat, a tile takes only the chunks whose box meets its
 * own and projects those.  Each chunk also carries the line's length up to
 * its first point (in zoom-0 world pixels, so any zoom's pixels are a
 * multiple), which keeps a dashed outline's pattern in phase wherever the
 * tile picks it up — the same phase in every tile.  The lines are the
 * community borders (borders.h): whole rings, or open runs of them.
 *
 * Built once per dataset at load (not stored in snapshots); read-only
 * after that. */
#ifndef YZ_RINGIDX_H
#define YZ_RINGIDX_H

#include <stdint.h>

#include "common/err.h"

#define RINGIDX_CHUNK 32u /* segments per chunk */

struct ringidx {
	uint32_t line_count;
	uint32_t *line_first; /* [line_count + 1]: line r's chunks are [line_first[r], line_first[r + 1]) */
	int32_t *box;         /* [4 · chunks] min lon, min lat, max lon, max lat (e7) of a chunk's points */
	double *along;        /* [chunks] length from the line's first point to the chunk's first
	                       * point, zoom-0 world pixels (256 per world width) */
};

/* Lines r = 0..line_count−1 are points [line_pt_first[r], line_pt_first[r + 1])
 * of lon_e7/lat_e7 (a ring's last point repeats its first).  Chunk k of a
 * line holds its segments [k·CHUNK, (k+1)·CHUNK) (the last chunk fewer),
 * i.e. points first + k·CHUNK … first + min((k+1)·CHUNK, segments).
 * YZ_ENOMEM (ix then owns nothing). */
enum yz_err ringidx_build(struct ringidx *ix, uint32_t line_count, const uint32_t *line_pt_first,
			  const int32_t *lon_e7, const int32_t *lat_e7);
void ringidx_free(struct ringidx *ix);

#endif
