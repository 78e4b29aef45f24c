/* graph_build.h — turning a roadset into the network and per-mode graphs. */
#ifndef YZ_GRAPH_BUILD_H
#define YZ_GRAPH_BUILD_H

#include "common/err.h"
#include "data/roads.h"
#include "graph.h"

/* Build the network (junctions, segments split at junctions, haversine
 * lengths) and, for each mode, the CSR graph of its largest strongly
 * connected component.  Every array is malloc'd and owned by the caller:
 * free with graph_build_free.  Fails only with YZ_ENOMEM or YZ_ELIMIT (more
 * than 2^32-2 points); on failure nothing is left allocated.
 * The names pool of `rs` is copied. */
enum yz_err graph_build(const struct roadset *rs, struct network *net,
			struct graph graphs[MODE_COUNT], struct yz_errbuf *eb);

/* Free what graph_build allocated (NULL-safe, leaves zeroed structs). */
void graph_build_free(struct network *net, struct graph graphs[MODE_COUNT]);

#endif
