/* source_path.h — resolving a source path named in a dataset config. */
#ifndef YZ_SOURCE_PATH_H
#define YZ_SOURCE_PATH_H

#include <stddef.h>

/* Join `dir` and `path` into out (absolute paths and dir NULL/"" are kept as
 * they are).  Returns 0, or -1 when the result does not fit. */
int source_path(char *out, size_t cap, const char *dir, const char *path);

#endif
