/* workspace.h — per-thread scratch for queries: each worker thread (and the
 * CLI's one thread) owns one search workspace, allocated on first use and
 * grown when a reloaded dataset has more nodes.  Freed at thread exit. */
#ifndef YZ_WORKSPACE_H
#define YZ_WORKSPACE_H

#include "routing/isochrone.h"
#include "routing/search.h"

/* Isochrone scratch: the reachable-network workspace and one polygon result
 * per limit. */
struct iso_scratch {
	struct iso_ws iso;
	struct contour_result res[ISO_MAX_LIMITS];
};

/* The calling thread's search workspace for graphs of up to `nodes` nodes,
 * or NULL when memory is short. */
struct search *workspace_search(uint32_t nodes);

/* The calling thread's isochrone scratch, or NULL when memory is short. */
struct iso_scratch *workspace_iso(void);

struct render_ws;
/* The calling thread's tile-rendering workspace, or NULL when memory is short. */
struct render_ws *workspace_render(void);

#endif
