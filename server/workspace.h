/* workspace.h — per-thread scratch for queries: each worker thread (and the
 * CLI's one thread) owns one search workspace, allocated on first use and
 * grown when a reloaded dataset has more nodes.  Freed at thread exit. */
#ifndef YZ_WORKSPACE_H
#define YZ_WORKSPACE_H

#include "routing/search.h"

/* The calling thread's search workspace for graphs of up to `nodes` nodes,
 * or NULL when memory is short. */
struct search *workspace_search(uint32_t nodes);

#endif
