/* solid.c — see solid.h. */
#include "solid.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pngenc.h"

struct solid_entry {
	uint8_t px[4];
	struct buf png;
};

struct solid {
	pthread_mutex_t lock;
	unsigned count[2];                       /* per size: 256, 512 px */
	struct solid_entry entry[2][SOLID_MAX];
};

enum yz_err solid_new(struct solid **out)
{
	struct solid *s = calloc(1, sizeof *s);
	*out = s;
	if (!s)
		return YZ_ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	return YZ_OK;
}

void solid_free(struct solid *s)
{
	if (!s)
		return;
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < s->count[k]; i++)
			buf_fini(&s->entry[k][i].png);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int solid_canvas(const struct rast_canvas *c, unsigned w, unsigned h, uint8_t px[4])
{
	if (c->later) { /* cleared, and nothing painted since */
		memcpy(px, c->later_px, 4);
		return 1;
	}
	const uint8_t *row0 = c->px;
	/* the first row, pixel by pixel; then every other row as bytes */
	for (unsigned x = 1; x < w; x++)
		if (memcmp(row0 + 4 * x, row0, 4))
			return 0;
	for (unsigned y = 1; y < h; y++)
		if (memcmp(c->px + (size_t)y * c->stride, row0, 4 * (size_t)w))
			return 0;
	memcpy(px, row0, 4);
	return 1;
}

/* Encodes the tile of colour px, side × side, into png. */
static enum yz_err encode(const uint8_t px[4], unsigned side, struct buf *png)
{
	struct rast_canvas cv;
	enum yz_err err = rast_canvas_init(&cv, side, side);
	if (err)
		return err;
	for (size_t i = 0; i < (size_t)side * side; i++)
		memcpy(cv.px + 4 * i, px, 4);
	err = pngenc_rgba(&cv, png, SOLID_LEVEL);
	rast_canvas_fini(&cv);
	return err;
}

const struct buf *solid_png(struct solid *s, const uint8_t px[4], unsigned side)
{
	if (!s || (side != 256 && side != 512))
		return NULL;
	unsigned k = side == 512;
	const struct buf *found = NULL;
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < s->count[k] && !found; i++)
		if (!memcmp(s->entry[k][i].px, px, 4))
			found = &s->entry[k][i].png;
	if (!found && s->count[k] < SOLID_MAX) {
		struct solid_entry *e = &s->entry[k][s->count[k]];
		memcpy(e->px, px, 4);
		buf_init(&e->png);
		if (encode(px, side, &e->png) || e->png.failed) {
			buf_fini(&e->png);
		} else {
			s->count[k]++;
			found = &e->png;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return found;
}
