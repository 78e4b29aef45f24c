/* workspace.c — thread-local search workspaces (see workspace.h).  A
 * pthread key's destructor frees a worker's workspace when MHD's pool
 * threads exit, so sanitizer runs see no leak. */
#include "workspace.h"

#include "tiles/render.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_key_t ws_key, iso_key, render_key;
static pthread_once_t ws_once = PTHREAD_ONCE_INIT;

static void ws_destroy(void *p)
{
	struct search *s = p;
	search_fini(s);
	free(s);
}

static void iso_destroy(void *p)
{
	struct iso_scratch *x = p;
	iso_ws_fini(&x->iso);
	for (int i = 0; i < ISO_MAX_LIMITS; i++)
		contour_result_fini(&x->res[i]);
	free(x);
}

static void render_destroy(void *p)
{
	render_ws_fini(p);
	free(p);
}

static void ws_make_key(void)
{
	pthread_key_create(&ws_key, ws_destroy);
	pthread_key_create(&iso_key, iso_destroy);
	pthread_key_create(&render_key, render_destroy);
}

struct iso_scratch *workspace_iso(void)
{
	pthread_once(&ws_once, ws_make_key);
	struct iso_scratch *x = pthread_getspecific(iso_key);
	if (x)
		return x;
	x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	iso_ws_init(&x->iso);
	for (int i = 0; i < ISO_MAX_LIMITS; i++)
		contour_result_init(&x->res[i]);
	pthread_setspecific(iso_key, x);
	return x;
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

struct render_ws *workspace_render(void)
{
	pthread_once(&ws_once, ws_make_key);
	struct render_ws *w = pthread_getspecific(render_key);
	if (w)
		return w;
	w = calloc(1, sizeof *w);
	if (!w || render_ws_init(w) != YZ_OK) {
		free(w);
		return NULL;
	}
	pthread_setspecific(render_key, w);
	return w;
}
