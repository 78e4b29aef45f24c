/* fuzz_tilez.c — libFuzzer target for the tile deflate compressor
 * (tiles/tilez.c).
 *
 * The first four bytes give the two match distances (1..32768 each), the
 * rest is the data.  Invariants, each an abort() when violated: the call
 * succeeds, the output fits tilez_bound, and zlib's inflate gives back the
 * data exactly.  One workspace for every input, as a thread keeps it.
 * Build: make fuzz (clang); replay without libFuzzer with
 * tests/fuzz/replay.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tests/fuzz/fuzz_check.h"
#include "tiles/tilez.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tilez *z;
	if (!z)
		CHECK(tilez_new(&z) == YZ_OK);
	if (size < 4)
		return 0;
	unsigned near = 1 + ((unsigned)data[0] | (unsigned)data[1] << 8) % 32768;
	unsigned far = 1 + ((unsigned)data[2] | (unsigned)data[3] << 8) % 32768;
	data += 4;
	size -= 4;
	size_t cap = tilez_bound(size), len = 0;
	uint8_t *out = malloc(cap), *back = malloc(size + 1);
	CHECK(out && back);
	CHECK(tilez_compress(z, data, size, near, far, out, cap, &len) == YZ_OK);
	CHECK(len > 0 && len <= cap);
	uLongf got = size + 1;
	CHECK(uncompress(back, &got, out, len) == Z_OK);
	CHECK(got == size && !memcmp(back, data, size));
	free(out);
	free(back);
	return 0;
}
