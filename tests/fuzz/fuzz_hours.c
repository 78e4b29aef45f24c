/* fuzz_hours.c — libFuzzer target for station opening hours (data/hours.c).
 *
 * The input is parsed as an `opening_hours` value.  Invariants, each an
 * abort() when violated: only the documented error codes; input longer than
 * HOURS_MAX_LEN is YZ_ELIMIT; on failure the table is unknown and closed at
 * every minute and the message is one printable line starting "hours: "; on
 * success the input was printable ASCII, the table keeps its invariants
 * (ranges within the day, sorted, merged, unused slots zero, spill only after
 * a range ending at midnight), the partial flag implies a PH or SH in the
 * text, hours_open_at agrees with a minute map built from the fields,
 * hours_day_range agrees with it too, the canonical text parses back to the
 * same bytes and formats to itself, and appending "; off" or "; 24/7" closes
 * or opens every minute.
 * Build: clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_hours.c
 *        data/hours.c common/err.c; replay without libFuzzer with
 *        tests/fuzz/replay.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/hours.h"
#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct yz_errbuf eb;

static void check_msg(void)
{
	size_t n = strnlen(eb.msg, sizeof eb.msg);
	CHECK(n > 7 && n < sizeof eb.msg);
	CHECK(strncmp(eb.msg, "hours: ", 7) == 0);
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)eb.msg[i] >= 0x20 && (unsigned char)eb.msg[i] < 0x7F);
}

/* Open minutes of the week, probing every `step`th minute. */
static int week_open(const struct hours *h, int step)
{
	int n = 0;
	for (int d = 0; d < 7; d++)
		for (int m = 0; m < 1440; m += step)
			n += hours_open_at(h, d, m);
	return n;
}

static int has_holiday_word(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		char a = (char)(s[i] | 0x20), b = (char)(s[i + 1] | 0x20);
		if ((a == 'p' || a == 's') && b == 'h')
			return 1;
	}
	return 0;
}

/* The fields' invariants, and hours_open_at against a map built from them. */
static void check_table(const struct hours *h)
{
	static unsigned char own[7][2880];
	memset(own, 0, sizeof own);
	CHECK(h->known && h->zero == 0);
	for (int d = 0; d < 7; d++) {
		unsigned n = h->count[d];
		CHECK(n <= HOURS_MAX_RANGES);
		CHECK(h->spill_min[d] <= 1440);
		for (unsigned i = 0; i < n; i++) {
			const struct hours_range *r = &h->range[d][i];
			CHECK(r->start_min < r->end_min && r->end_min <= 1440);
			if (i > 0)
				CHECK(h->range[d][i - 1].end_min < r->start_min);
			memset(own[d] + r->start_min, 1, (size_t)(r->end_min - r->start_min));
		}
		for (unsigned i = n; i < HOURS_MAX_RANGES; i++)
			CHECK(h->range[d][i].start_min == 0 && h->range[d][i].end_min == 0);
		if (h->spill_min[d] > 0) {
			CHECK(n > 0 && h->range[d][n - 1].end_min == 1440);
			memset(own[d] + 1440, 1, h->spill_min[d]);
		}
		CHECK(hours_day_count(h, d) == n);
		for (unsigned i = 0; i < n; i++) {
			struct hours_range r;
			CHECK(hours_day_range(h, d, i, &r));
			CHECK(r.start_min == h->range[d][i].start_min);
			CHECK(r.end_min == h->range[d][i].end_min + (i + 1 == n ? h->spill_min[d] : 0));
		}
		struct hours_range untouched = { 7, 7 };
		CHECK(!hours_day_range(h, d, n, &untouched) && untouched.start_min == 7);
	}
	for (int d = 0; d < 7; d++)
		for (int m = 0; m < 1440; m++)
			CHECK(hours_open_at(h, d, m) == (own[d][m] || own[(d + 6) % 7][1440 + m]));
	CHECK(hours_open_at(h, -1, 0) == 0 && hours_open_at(h, 7, 0) == 0);
	CHECK(hours_open_at(h, 0, -1) == 0 && hours_open_at(h, 0, 1440) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hours h, again;
	const char *s = (const char *)data;

	memset(eb.msg, 0x5A, sizeof eb.msg);
	enum yz_err err = hours_parse(s, size, &h, &eb);
	CHECK(err == YZ_OK || err == YZ_EPARSE || err == YZ_EEMPTY || err == YZ_ELIMIT);
	if (size > HOURS_MAX_LEN)
		CHECK(err == YZ_ELIMIT);
	if (err != YZ_OK) {
		check_msg();
		CHECK(!hours_known(&h) && !hours_partial(&h));
		CHECK(week_open(&h, 13) == 0); /* most inputs fail: keep them cheap */
		char text[4] = "x";
		CHECK(hours_format(&h, text, sizeof text) == 0 && text[0] == '\0');
		return 0;
	}

	for (size_t i = 0; i < size; i++)
		CHECK((data[i] >= 0x20 && data[i] < 0x7F) || data[i] == '\t' || data[i] == '\n' ||
		      data[i] == '\r');
	check_table(&h);
	if (hours_partial(&h))
		CHECK(has_holiday_word(data, size));

	/* Deterministic. */
	CHECK(hours_parse(s, size, &again, NULL) == YZ_OK && memcmp(&h, &again, sizeof h) == 0);

	/* Canonical text: parses back to the same table, formats to itself. */
	static char text[HOURS_FORMAT_MAX], text2[HOURS_FORMAT_MAX];
	size_t n = hours_format(&h, text, sizeof text);
	CHECK(n > 0 && n < sizeof text && strlen(text) == n);
	memset(eb.msg, 0, sizeof eb.msg);
	err = hours_parse(text, n, &again, &eb);
	if (err != YZ_OK) {
		fprintf(stderr, "canonical \"%s\": %s\n", text, eb.msg);
		abort();
	}
	CHECK(!hours_partial(&again));
	again.partial = h.partial;
	CHECK(memcmp(&h, &again, sizeof h) == 0);
	CHECK(hours_format(&again, text2, sizeof text2) == n && strcmp(text, text2) == 0);
	/* Cut output is a prefix, NUL-terminated. */
	char small[9];
	CHECK(hours_format(&h, small, sizeof small) == n);
	CHECK(strlen(small) == (n < sizeof small ? n : sizeof small - 1));
	CHECK(strncmp(small, text, strlen(small)) == 0);

	/* A final ';' rule for every day overrides everything before it. */
	static char longer[HOURS_MAX_LEN + 16];
	if (size + 7 <= HOURS_MAX_LEN) {
		memcpy(longer, data, size);
		memcpy(longer + size, "; off", 5);
		CHECK(hours_parse(longer, size + 5, &again, NULL) == YZ_OK);
		CHECK(week_open(&again, 1) == 0);
		memcpy(longer + size, "; 24/7", 6);
		CHECK(hours_parse(longer, size + 6, &again, NULL) == YZ_OK);
		CHECK(week_open(&again, 1) == 7 * 1440);
	}
	return 0;
}
