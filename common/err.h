/* err.h — the one table of error codes.
 *
 * Every fallible function in yizhan returns an `enum yz_err`; human detail goes
 * into a caller-owned buffer (see yz_errbuf below).  The table is an X-macro so
 * the enum and its strings can never drift apart.  The server maps codes to HTTP
 * statuses in one place (server/http.c). */
#ifndef YZ_ERR_H
#define YZ_ERR_H

#include <stddef.h>

#define YZ_ERR_TABLE(X)                                                   \
	X(YZ_OK, "ok", "ok")                                                    \
	X(YZ_ENOMEM, "nomem", "out of memory")                                     \
	X(YZ_EIO, "io", "input/output error")                                   \
	X(YZ_ENOTFOUND, "notfound", "not found")                                      \
	X(YZ_EPARSE, "parse", "malformed input")                                   \
	X(YZ_ERANGE, "range", "value out of range")                                \
	X(YZ_ECRS, "crs", "unknown or unusable coordinate reference system")     \
	X(YZ_EFORMAT, "format", "unsupported or corrupt file format")               \
	X(YZ_EVERSION, "version", "unsupported file version")                        \
	X(YZ_ECHECKSUM, "checksum", "checksum mismatch")                              \
	X(YZ_EEMPTY, "empty", "no usable data")                                    \
	X(YZ_ELIMIT, "limit", "request exceeds a documented limit")                \
	X(YZ_ESNAP, "snap", "nothing to snap to within the snapping distance")    \
	X(YZ_EUNREACHABLE, "unreachable", "no path between the points")        \
	X(YZ_EBUSY, "busy", "busy, try again later")

enum yz_err {
#define YZ_ERR_ENUM(code, name, text) code,
	YZ_ERR_TABLE(YZ_ERR_ENUM)
#undef YZ_ERR_ENUM
	YZ_ERR_COUNT
};

/* Short English description of a code; never NULL. */
const char *yz_strerror(enum yz_err err);

/* Stable machine name of a code (YZ_EPARSE → "parse"), for JSON error bodies. */
const char *yz_errname(enum yz_err err);

/* A caller-owned buffer that loaders fill with the human detail of a failure,
 * e.g. "roads.osm.pbf: way 4412: no geometry". */
#define YZ_ERRBUF_SIZE 512
struct yz_errbuf {
	char msg[YZ_ERRBUF_SIZE];
};

/* printf-style: overwrite the buffer's message. Returns `err` so callers can
 * write `return yz_fail(eb, YZ_EIO, "%s: %s", path, strerror(errno));`.
 * `eb` may be NULL (the detail is then dropped). */
enum yz_err yz_fail(struct yz_errbuf *eb, enum yz_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
