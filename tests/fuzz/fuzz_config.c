/* fuzz_config.c — libFuzzer target for the dataset.conf parser.
 *
 * Invariants checked: every string field stays NUL-terminated within its
 * buffer, max_snap stays in its documented range, and a successful parse
 * always has a road source with a path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct yz_errbuf eb;
	config_init(&c);
	enum yz_err err = config_parse(&c, (const char *)data, size, &eb);
	if (!memchr(c.name, '\0', sizeof c.name) || !memchr(c.timezone, '\0', sizeof c.timezone))
		abort();
	if (!(c.max_snap_m > 0 && c.max_snap_m <= 100000))
		abort();
	for (int s = 0; s < CONFIG_SOURCE_COUNT; s++) {
		if (!memchr(c.src[s].path, '\0', CONFIG_STR) || !memchr(c.src[s].crs, '\0', CONFIG_STR))
			abort();
		for (int f = 0; f < CONFIG_FIELD_COUNT; f++)
			if (!memchr(c.src[s].field[f], '\0', CONFIG_STR))
				abort();
	}
	if (err == YZ_OK && (!c.src[CONFIG_ROADS].present || !c.src[CONFIG_ROADS].path[0]))
		abort();
	if (err != YZ_OK && !memchr(eb.msg, '\0', sizeof eb.msg))
		abort();
	return 0;
}
