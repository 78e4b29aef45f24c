/* stroke.h — lines become polygons: the outline of a stroked polyline, disks,
 * circle outlines and a map pin, appended to a `struct path` for the one fill
 * routine (tiles/raster), which must fill with the NONZERO winding rule.
 *
 * Orientation: every ring this module writes winds clockwise on screen (x
 * right, y down), i.e. has a positive shoelace area Σ(x_i·y_{i+1} − x_{i+1}·y_i),
 * except the holes it makes on purpose (inner circle of stroke_ring, hole of
 * a pin, inner side of a closed polyline), which wind the other way inside a
 * clockwise ring.  So the winding number of any output is ≥ 0 everywhere and
 * strokes drawn into one path union correctly.
 *
 * Nothing here clips: the fill does.  Point counts do not depend on where the
 * geometry lies, except dashes (see stroke_polyline). */
#ifndef YZ_STROKE_H
#define YZ_STROKE_H

#include <stdint.h>

#include "path.h"

/* Enum zero values are the SVG defaults, so a zero-initialised style with a
 * width set is SVG's default stroke (miter join, limit 4, butt caps, solid). */
enum stroke_join { STROKE_JOIN_MITER = 0, STROKE_JOIN_ROUND, STROKE_JOIN_BEVEL };
enum stroke_cap { STROKE_CAP_BUTT = 0, STROKE_CAP_ROUND, STROKE_CAP_SQUARE };

/* Strokes with more dashes than this in one call draw the remainder solid,
 * which bounds the output of unclipped dashed lines (clip them first). */
#define STROKE_MAX_DASHES 65536u
/* Coordinates, widths and radii beyond this many pixels are invalid input
 * (treated like NaN): it keeps every intermediate finite. */
#define STROKE_COORD_MAX 1e15f

struct stroke_style {
	float width;               /* px, > 0; ≤ 0 or non-finite draws nothing */
	enum stroke_join join;
	float miter_limit;         /* SVG: max miter length / width; ≤ 0 or NaN means 4; < 1 acts as 1 */
	enum stroke_cap cap;
	const float *dash;         /* borrowed for the call: on, off, on, … lengths in px */
	unsigned dash_count;       /* 0 = solid; odd counts repeat (SVG); any negative or
	                            * non-finite entry, or an all-zero list, = solid */
	float dash_offset;         /* px into the pattern at the start; may be negative */
};

/* ---- Strokes ---- */

/* Appends the outline of the polyline xy[0..2n) (x0, y0, x1, y1, …; px) to
 * `out`, `closed` joining the last point to the first.  Round joins and caps
 * deviate at most `tolerance` px from the true arc (≤ 0 or NaN means 0.25;
 * arcs are capped at 1024 segments per circle).
 *   - Consecutive equal points are skipped.  Non-finite points (and points
 *     beyond STROKE_COORD_MAX) split the line: each finite run is stroked as
 *     an open polyline (a closed one is opened at the split), and the dash
 *     pattern restarts on each run.
 *   - A run whose points all coincide (a single point included) draws a
 *     round cap as a disk, a square cap as a width×width square along x,
 *     and nothing with butt caps.
 *   - Dashes follow the length across vertices (joins inside a dash), each
 *     dash gets caps; on a closed line a dash running over the start point
 *     continues into the first one.  Output grows with length/pattern period,
 *     bounded by STROKE_MAX_DASHES per call.
 * Never fails by itself; an allocation failure sets out->failed (see path.h).
 * xy and st are only read during the call. */
void stroke_polyline(struct path *out, const float *xy, uint32_t n, int closed,
                     const struct stroke_style *st, float tolerance);

/* The same, where it comes near the box [lo, hi]² only: the runs of
 * consecutive segments whose bounding boxes meet the box are stroked as open
 * polylines, the rest left out.  A left-out segment lies wholly beyond the
 * box on one side, so when the box is the visible area grown by more than
 * any half-width, cap or join reaches, the visible pixels are those of
 * stroke_polyline (up to float rounding); but a long line costs what comes
 * near the box, not its whole length.  Runs end on points outside the box;
 * a solid run with both ends outside gets butt ends (its caps are out of
 * sight by the box's margin).
 * Dashes keep their phase: a run's pattern starts at its distance along the
 * whole line.  A closed dashed line restarts its pattern at its first point
 * (as stroke_polyline does), so runs are cut there; when that point is in
 * the box the line is drawn whole instead, since only the whole line draws
 * the join of a dash over it.  `scratch` has room for 2n + 2 floats when
 * closed (a run over the first point is copied there), else may be NULL. */
void stroke_polyline_near(struct path *out, const float *xy, uint32_t n, int closed,
			  const struct stroke_style *st, float tolerance, float lo, float hi,
			  float *scratch);

/* How far outside its line a stroke of style st can paint a pixel: half its
 * width, times the miter limit as drawn for miter joins (a miter's tip is at
 * most that far from its point) or √2 for square caps, plus a pixel — the
 * box margin stroke_polyline_near needs. */
float stroke_reach(const struct stroke_style *st);

/* The length of one period of st's dash pattern as drawn, px (an odd list
 * repeated twice, as SVG does); 0 when the line is drawn solid — no
 * pattern, or an invalid one. */
double stroke_dash_period(const struct stroke_style *st);

/* ---- Shapes ---- (r, width in px; tolerance as above; invalid sizes draw nothing) */

/* A filled disk of radius r centred on (cx, cy): one clockwise ring. */
void stroke_circle(struct path *out, float cx, float cy, float r, float tolerance);
/* A circle outline: the band r ± width/2, as a clockwise outer ring and a
 * counter-clockwise inner ring (a hole under NONZERO); a disk when
 * width/2 ≥ r. */
void stroke_ring(struct path *out, float cx, float cy, float r, float width, float tolerance);
/* A map pin whose point is (x, y): a head circle of radius r centred 2r above
 * the point, with straight sides tangent to it meeting at the point (60°),
 * 3r tall; hole_r > 0 (< r) cuts a round hole in the middle of the head. */
void stroke_marker_pin(struct path *out, float x, float y, float r, float hole_r, float tolerance);

#endif
