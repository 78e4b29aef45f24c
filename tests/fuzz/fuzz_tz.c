/* fuzz_tz.c — libFuzzer target for TZif files and POSIX TZ rules
 * (data/tz.c).
 *
 * The input is parsed twice: as a whole TZif file, and — so the fuzzer
 * reaches the footer parser and the DST rule arithmetic without having to
 * build a valid file first — as the footer TZ string of a minimal version-2
 * file with no transitions (input up to its first newline).  Invariants, each
 * an abort() when violated: only the documented error codes; on failure the
 * zone is plain UTC and the message is one printable line starting "tz: "; on
 * success at most TZ_MAX_TRANSITIONS strictly increasing transitions with
 * offsets in range, tz_offset_s returns each transition's offset at its
 * instant and the previous one just before, footer offsets are the rule's
 * standard or daylight offset, and for every probed time (transitions,
 * extremes, values taken from the input) the offset is in range and
 * tz_local's weekday and minute equal a 128-bit reference computation.
 * Build: clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_tz.c
 *        data/tz.c common/err.c; replay without libFuzzer with
 *        tests/fuzz/replay.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/tz.h"
#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct yz_errbuf eb;
static struct tz z;

static void check_msg(void)
{
	size_t n = strnlen(eb.msg, sizeof eb.msg);
	CHECK(n > 4 && n < sizeof eb.msg);
	CHECK(strncmp(eb.msg, "tz: ", 4) == 0);
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)eb.msg[i] >= 0x20 && (unsigned char)eb.msg[i] < 0x7F);
}

static int in_range(int32_t off)
{
	return off >= TZ_MIN_OFFSET_S && off <= TZ_MAX_OFFSET_S;
}

/* tz_local against arithmetic in 128 bits, which cannot overflow. */
static void probe(int64_t t)
{
	int32_t off = tz_offset_s(&z, t);
	CHECK(in_range(off));
	if (z.has_rule && (z.count == 0 || t >= z.at_s[z.count - 1]))
		CHECK(off == z.rule.std_off_s || off == z.rule.dst_off_s);
	__int128 local = (__int128)t + off;
	__int128 days = local / 86400, sec = local % 86400;
	if (sec < 0) {
		sec += 86400;
		days--;
	}
	int want_wd = (int)(((days + 3) % 7 + 7) % 7), want_min = (int)(sec / 60);
	int wd = -1, min = -1;
	tz_local(&z, t, &wd, &min);
	CHECK(wd == want_wd && min == want_min);
}

static void check_zone(const uint8_t *data, size_t size)
{
	CHECK(z.count <= TZ_MAX_TRANSITIONS);
	CHECK(z.name[0] == '\0' && tz_name(&z)[0] == '\0');
	CHECK(in_range(z.before_off_s));
	if (z.has_rule)
		CHECK(in_range(z.rule.std_off_s) && in_range(z.rule.dst_off_s));
	for (unsigned i = 0; i < z.count; i++) {
		CHECK(in_range(z.off_s[i]));
		if (i > 0)
			CHECK(z.at_s[i - 1] < z.at_s[i]);
		bool footer = z.has_rule && i + 1 == z.count;
		if (!footer)
			CHECK(tz_offset_s(&z, z.at_s[i]) == z.off_s[i]);
		if (z.at_s[i] > INT64_MIN)
			CHECK(tz_offset_s(&z, z.at_s[i] - 1) ==
			      (i == 0 ? z.before_off_s : z.off_s[i - 1]));
		probe(z.at_s[i]);
		if (z.at_s[i] < INT64_MAX)
			probe(z.at_s[i] + 1);
	}
	static const int64_t fixed[] = { INT64_MIN, INT64_MIN + 1, -(INT64_C(1) << 55) - 1,
					 -1, 0, 1, INT64_C(1796342400), INT64_C(4102444800),
					 (INT64_C(1) << 55) + 1, INT64_MAX - 1, INT64_MAX };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		probe(fixed[i]);
	/* Times taken from the input's bytes. */
	for (size_t i = 0; i + 8 <= size && i < 256; i += 8) {
		int64_t t;
		memcpy(&t, data + i, 8);
		probe(t);
		probe(t >> 20);
	}
	/* Two years around now, every 13 hours, through any rule changes. */
	const int64_t y2026 = INT64_C(1767225600);
	for (int64_t t = y2026; t < y2026 + 731 * 86400; t += 13 * 3600 + 1)
		probe(t);
}

/* A minimal version-2 TZif file around a footer string. */
static size_t wrap_footer(uint8_t *out, const uint8_t *s, size_t n)
{
	static const uint8_t header[44] = { 'T', 'Z', 'i', 'f', '2', [39] = 1, [43] = 4 };
	size_t len = 0;
	for (int k = 0; k < 2; k++) {
		memcpy(out + len, header, 44);
		len += 44;
		memset(out + len, 0, 6); /* one type: UTC, standard */
		len += 6;
		memcpy(out + len, "UTC", 4);
		len += 4;
	}
	out[len++] = '\n';
	memcpy(out + len, s, n);
	len += n;
	out[len++] = '\n';
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(eb.msg, 0x5A, sizeof eb.msg);
	enum yz_err err = tz_parse(data, size, &z, &eb);
	CHECK(err == YZ_OK || err == YZ_EFORMAT || err == YZ_EVERSION);
	if (err == YZ_OK) {
		check_zone(data, size);
	} else {
		check_msg();
		CHECK(z.count == 0 && !z.has_rule && z.before_off_s == 0);
		CHECK(tz_offset_s(&z, 12345) == 0);
	}

	/* The input up to its first newline as a footer. */
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - data) : size;
	if (n <= 300) {
		static uint8_t file[512];
		size_t len = wrap_footer(file, data, n);
		memset(eb.msg, 0x5A, sizeof eb.msg);
		err = tz_parse(file, len, &z, &eb);
		CHECK(err == YZ_OK || err == YZ_EFORMAT);
		if (err == YZ_OK) {
			CHECK(z.count == 0 && z.before_off_s == 0 && z.has_rule == (n > 0));
			check_zone(data, size);
		} else {
			check_msg();
		}
	}
	return 0;
}
