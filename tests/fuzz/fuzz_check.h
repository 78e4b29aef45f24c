/* fuzz_check.h — the fuzz targets' invariant check: an abort() with the file,
 * line and condition, which libFuzzer (and the replay) report as a crash. */
#ifndef YZ_FUZZ_CHECK_H
#define YZ_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                               \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                             \
			abort();                                                    \
		}                                                                   \
	} while (0)

#endif
