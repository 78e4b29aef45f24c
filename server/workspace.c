/* workspace.c — thread-local search workspaces (see workspace.h).  A
 * pthread key's destructor frees a worker's workspace when MHD's pool
 * threads exit, so sanitizer runs see no leak. */
#include "workspace.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_key_t ws_key;
static pthread_once_t ws_once = PTHREAD_ONCE_INIT;

static void ws_destroy(void *p)
{
	struct search *s = p;
	search_fini(s);
	free(s);
}

static void ws_make_key(void)
{
	pthread_key_create(&ws_key, ws_destroy);
}

struct search *workspace_search(uint32_t nodes)
{
	pthread_once(&ws_once, ws_make_key);
	struct search *s = pthread_getspecific(ws_key);
	if (s && s->node_capacity >= nodes)
		return s;
	if (s) {
		search_fini(s);
	} else {
		s = calloc(1, sizeof *s);
		if (!s)
			return NULL;
		pthread_setspecific(ws_key, s);
	}
	if (search_init(s, nodes) != YZ_OK) {
		free(s);
		pthread_setspecific(ws_key, NULL);
		return NULL;
	}
	return s;
}
