/* buf.h — a growable byte buffer, the one way yizhan builds output text.
 *
 * Appends never fail visibly: on allocation failure the buffer enters a sticky
 * `failed` state, further appends are ignored, and the owner checks `failed`
 * once at the end (so JSON writers need no error check per token). */
#ifndef YZ_BUF_H
#define YZ_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;   /* NUL-terminated while !failed; owned by the buf */
	size_t len;   /* bytes used, excluding the terminating NUL */
	size_t cap;   /* bytes allocated */
	bool failed;  /* an allocation failed; contents are incomplete */
};

/* Lifecycle: init leaves an empty buffer that owns nothing; fini frees. */
void buf_init(struct buf *b);
void buf_fini(struct buf *b);
/* Forget the contents, keep the allocation. */
void buf_reset(struct buf *b);
/* Hand the data to the caller (who frees it) and leave the buffer empty.
 * Returns NULL if the buffer failed. `len_out` may be NULL. */
char *buf_steal(struct buf *b, size_t *len_out);

/* Appending */
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
