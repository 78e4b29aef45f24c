/* check_tz.c — unit tests of time zones (data/tz.c): known local times and
 * the 2026 DST transitions of Shanghai, Berlin and New York; agreement with
 * glibc's localtime_r (TZ set in this test process only) for several zones
 * and for every zone of zone1970.tab, at every transition and on a sampled
 * grid 1990-2040; POSIX footer rules against glibc's reading of the same TZ
 * strings up to 2100; zone name checks; and TZif files that are truncated,
 * corrupt or hostile (built byte by byte here), which must be rejected or
 * bounded. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data/tz.h"

Suite *tz_suite(void);

static struct tz z;
static struct yz_errbuf eb;

/* 1990-01-01, 2040-01-01 and 2100-01-01 00:00 UTC. */
#define T1990 INT64_C(631152000)
#define T2040 INT64_C(2208988800)
#define T2100 INT64_C(4102444800)

static int have_zoneinfo(void)
{
	FILE *f = fopen(TZ_DIR "/Asia/Shanghai", "rb");
	if (f)
		fclose(f);
	return f != NULL;
}

#define SKIP_WITHOUT_TZDATA()                                                        \
	do {                                                                         \
		if (!have_zoneinfo()) {                                              \
			fprintf(stderr, "%s: skipped, no %s\n", __func__, TZ_DIR);   \
			return;                                                      \
		}                                                                    \
	} while (0)

static void load(const char *name)
{
	enum yz_err err = tz_load(name, &z, &eb);
	ck_assert_msg(err == YZ_OK, "%s: %s", name, eb.msg);
	ck_assert_str_eq(tz_name(&z), name);
}

static void ck_local(int64_t t, int32_t off, int wd, int hour, int minute)
{
	int w = -1, m = -1;
	ck_assert_int_eq(tz_offset_s(&z, t), off);
	tz_local(&z, t, &w, &m);
	ck_assert_int_eq(w, wd);
	ck_assert_int_eq(m, hour * 60 + minute);
}

/* ---- glibc as the reference ---- */

static char saved_tz[256];
static int had_tz;

static void set_libc_tz(const char *value)
{
	const char *old = getenv("TZ");
	had_tz = old != NULL;
	if (old)
		snprintf(saved_tz, sizeof saved_tz, "%s", old);
	setenv("TZ", value, 1);
	tzset();
}

static void restore_libc_tz(void)
{
	if (had_tz)
		setenv("TZ", saved_tz, 1);
	else
		unsetenv("TZ");
	tzset();
}

/* Compare z at t with glibc's localtime_r under the current TZ; 0 when they
 * agree, else a message in `why`.  Plain code: a passing Check assertion
 * costs a write to the runner, too slow for millions of points. */
static int differs(const struct tz *zone, int64_t t, char *why, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm)) {
		snprintf(why, cap, "localtime_r failed at %lld", (long long)t);
		return 1;
	}
	int w, m;
	int32_t off = tz_offset_s(zone, t);
	tz_local(zone, t, &w, &m);
	int lw = (tm.tm_wday + 6) % 7, lm = tm.tm_hour * 60 + tm.tm_min;
	if (off == tm.tm_gmtoff && w == lw && m == lm)
		return 0;
	snprintf(why, cap, "t=%lld: offset %ld, day %d, minute %d; libc %ld, %d, %d", (long long)t,
		 (long)off, w, m, (long)tm.tm_gmtoff, lw, lm);
	return 1;
}

/* Sampled grid from lo to hi with an odd step, plus both sides of every
 * transition of the table in that period.  Returns points compared. */
static long compare_with_libc(const struct tz *zone, const char *tzvalue, int64_t lo,
			      int64_t hi, int64_t step)
{
	char why[200];
	long n = 0;
	set_libc_tz(tzvalue);
	for (int64_t t = lo; t < hi; t += step, n++)
		if (differs(zone, t, why, sizeof why)) {
			restore_libc_tz();
			ck_abort_msg("%s: %s", tzvalue, why);
		}
	for (unsigned i = 0; i < zone->count; i++) {
		int64_t at = zone->at_s[i];
		if (at < lo || at >= hi)
			continue;
		for (int64_t d = -1; d <= 0; d++, n++)
			if (differs(zone, at + d, why, sizeof why)) {
				restore_libc_tz();
				ck_abort_msg("%s (transition %u): %s", tzvalue, i, why);
			}
	}
	restore_libc_tz();
	return n;
}

/* ---- known local times ---- */

START_TEST(test_shanghai)
{
	SKIP_WITHOUT_TZDATA();
	load("Asia/Shanghai");
	/* 2026-12-04T00:00Z is Friday 08:00 in Shanghai. */
	ck_local(INT64_C(1796342400), 8 * 3600, 4, 8, 0);
	ck_local(INT64_C(1796342400) - 8 * 3600 - 60, 8 * 3600, 3, 23, 59);
	/* +8 all year since 1991 (China's DST ended in September 1991). */
	for (int64_t t = INT64_C(694224000); t < T2040 + 86400 * 365 * 60LL; t += 86400 * 13 + 3607)
		if (tz_offset_s(&z, t) != 8 * 3600)
			ck_abort_msg("Shanghai at %lld: %ld", (long long)t, (long)tz_offset_s(&z, t));
	/* Summer 1990 was daylight time (+9). */
	ck_assert_int_eq(tz_offset_s(&z, INT64_C(646790400)), 9 * 3600); /* 1990-07-01 */
	struct tz copy = z; /* a plain value */
	ck_assert_int_eq(tz_offset_s(&copy, INT64_C(1796342400)), 8 * 3600);
}
END_TEST

START_TEST(test_berlin_2026)
{
	SKIP_WITHOUT_TZDATA();
	load("Europe/Berlin");
	const int64_t spring = INT64_C(1774746000); /* 2026-03-29 01:00Z */
	const int64_t autumn = INT64_C(1792890000); /* 2026-10-25 01:00Z */
	ck_local(spring - 1, 3600, 6, 1, 59);  /* Sunday 01:59:59 CET */
	ck_local(spring, 7200, 6, 3, 0);       /* Sunday 03:00 CEST */
	ck_local(autumn - 1, 7200, 6, 2, 59);  /* Sunday 02:59:59 CEST */
	ck_local(autumn, 3600, 6, 2, 0);       /* Sunday 02:00 CET again */
	ck_local(INT64_C(1782864000), 7200, 2, 2, 0); /* 2026-07-01 00:00Z, Wednesday */
	ck_local(INT64_C(1767225600), 3600, 3, 1, 0); /* 2026-01-01 00:00Z, Thursday */
	/* Beyond the table (2037) the footer rule gives the same shape:
	 * 2050-03-27 01:00Z is the last Sunday of March. */
	ck_assert_int_eq(tz_offset_s(&z, INT64_C(2531955600) - 1), 3600);
	ck_assert_int_eq(tz_offset_s(&z, INT64_C(2531955600)), 7200);
}
END_TEST

START_TEST(test_new_york_2026)
{
	SKIP_WITHOUT_TZDATA();
	load("America/New_York");
	const int64_t spring = INT64_C(1772953200); /* 2026-03-08 07:00Z */
	const int64_t autumn = INT64_C(1793512800); /* 2026-11-01 06:00Z */
	ck_local(spring - 1, -5 * 3600, 6, 1, 59);
	ck_local(spring, -4 * 3600, 6, 3, 0);
	ck_local(autumn - 1, -4 * 3600, 6, 1, 59);
	ck_local(autumn, -5 * 3600, 6, 1, 0);
	/* 2026-12-04T00:00Z is still Thursday 19:00 in New York. */
	ck_local(INT64_C(1796342400), -5 * 3600, 3, 19, 0);
}
END_TEST

START_TEST(test_utc)
{
	SKIP_WITHOUT_TZDATA();
	static const char *const names[] = { "UTC", "Etc/UTC", "Etc/GMT", "Zulu" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		load(names[i]);
		for (int64_t t = -T2100; t < T2100; t += 86400 * 97 + 1)
			if (tz_offset_s(&z, t) != 0)
				ck_abort_msg("%s at %lld", names[i], (long long)t);
		ck_local(0, 0, 3, 0, 0); /* 1970-01-01 was a Thursday */
		ck_local(-1, 0, 2, 23, 59);
	}
	/* Etc/GMT-14 is fourteen hours east (POSIX signs). */
	load("Etc/GMT-14");
	ck_local(0, 14 * 3600, 3, 14, 0);
}
END_TEST

/* ---- agreement with glibc ---- */

START_TEST(test_zones_match_libc)
{
	SKIP_WITHOUT_TZDATA();
	/* DST north and south, negative DST (Dublin), 45-minute offsets,
	 * transitions at 24:00 or 25:00 (Santiago, Jerusalem), day-long rule
	 * times (Gaza: M3.4.4/50), negative rule times (Nuuk), and zones
	 * without DST. */
	static const char *const zones[] = {
		"Asia/Shanghai",     "Asia/Urumqi",        "Asia/Hong_Kong",   "Asia/Taipei",
		"Europe/Berlin",     "America/New_York",   "UTC",              "Australia/Sydney",
		"Australia/Lord_Howe", "Europe/Dublin",    "Pacific/Chatham",  "America/Santiago",
		"Asia/Jerusalem",    "Asia/Gaza",          "America/Nuuk",     "Antarctica/Troll",
		"Africa/Casablanca", "America/Havana",     "Asia/Tehran",      "Asia/Kolkata",
		"Pacific/Kiritimati", "Pacific/Apia",      "America/St_Johns", "Europe/London",
	};
	long points = 0;
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		struct tz zone;
		char tzvalue[80];
		if (tz_load(zones[i], &zone, &eb) != YZ_OK)
			ck_abort_msg("%s: %s", zones[i], eb.msg);
		snprintf(tzvalue, sizeof tzvalue, ":%s", zones[i]);
		points += compare_with_libc(&zone, tzvalue, T1990, T2040, 4 * 3600 + 1807);
		/* Every 15 minutes through 2026 and 2039 (the footer rule). */
		points += compare_with_libc(&zone, tzvalue, INT64_C(1767225600),
					    INT64_C(1767225600) + 366 * 86400, 900);
		points += compare_with_libc(&zone, tzvalue, INT64_C(2177452800),
					    INT64_C(2177452800) + 366 * 86400, 900);
	}
	ck_assert_int_gt(points, 2000000);
}
END_TEST

START_TEST(test_all_zones_match_libc)
{
	SKIP_WITHOUT_TZDATA();
	FILE *f = fopen(TZ_DIR "/zone1970.tab", "r");
	if (!f) {
		fprintf(stderr, "%s: skipped, no zone1970.tab\n", __func__);
		return;
	}
	char line[512];
	int zones = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		/* codes \t coordinates \t TZ [\t comments] */
		char *name = strchr(line, '\t');
		name = name ? strchr(name + 1, '\t') : NULL;
		if (!name)
			continue;
		name++;
		name[strcspn(name, "\t\n")] = '\0';
		struct tz zone;
		char tzvalue[128];
		if (tz_load(name, &zone, &eb) != YZ_OK) {
			fclose(f);
			ck_abort_msg("%s: %s", name, eb.msg);
		}
		snprintf(tzvalue, sizeof tzvalue, ":%s", name);
		compare_with_libc(&zone, tzvalue, T1990, T2040, 3 * 86400 + 3 * 3600 + 7);
		zones++;
	}
	fclose(f);
	ck_assert_int_gt(zones, 300);
}
END_TEST

/* ---- synthetic TZif files ---- */

struct tzif_spec {
	char version;        /* 0 or '2' */
	unsigned count;      /* transitions */
	const int64_t *at;
	const unsigned char *idx;
	unsigned types;
	const int32_t *utoff;
	const char *footer;  /* version 2: NULL means "" */
};

static size_t put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return 4;
}

static size_t put_header(unsigned char *p, char version, uint32_t timecnt, uint32_t typecnt,
			 uint32_t charcnt)
{
	memset(p, 0, 44);
	memcpy(p, "TZif", 4);
	p[4] = (unsigned char)version;
	put32(p + 32, timecnt);
	put32(p + 36, typecnt);
	put32(p + 40, charcnt);
	return 44;
}

static size_t put_block(unsigned char *p, const struct tzif_spec *s, unsigned tsize)
{
	size_t n = 0;
	for (unsigned i = 0; i < s->count; i++) {
		if (tsize == 8) {
			n += put32(p + n, (uint32_t)((uint64_t)s->at[i] >> 32));
			n += put32(p + n, (uint32_t)s->at[i]);
		} else {
			n += put32(p + n, (uint32_t)(int32_t)s->at[i]);
		}
	}
	for (unsigned i = 0; i < s->count; i++)
		p[n++] = s->idx[i];
	for (unsigned i = 0; i < s->types; i++) {
		n += put32(p + n, (uint32_t)s->utoff[i]);
		p[n++] = 0;
		p[n++] = 0;
	}
	memcpy(p + n, "ABC", 4);
	return n + 4;
}

/* Write the file into buf (large enough) and return its length. */
static size_t build_tzif(unsigned char *buf, const struct tzif_spec *s)
{
	size_t n = 0;
	if (s->version == 0) {
		n += put_header(buf, 0, s->count, s->types, 4);
		return n + put_block(buf + n, s, 4);
	}
	/* A minimal version-1 block, as `zic -b slim` writes. */
	n += put_header(buf, s->version, 0, 1, 4);
	struct tzif_spec none = { 0, 0, NULL, NULL, 1, (const int32_t[]){ 0 }, NULL };
	n += put_block(buf + n, &none, 4);
	n += put_header(buf + n, s->version, s->count, s->types, 4);
	n += put_block(buf + n, s, 8);
	n += (size_t)sprintf((char *)buf + n, "\n%s\n", s->footer ? s->footer : "");
	return n;
}

static unsigned char filebuf[64 * 1024];

START_TEST(test_footer_rules_match_libc)
{
	/* Zones with no transitions: the footer rule alone decides, compared
	 * with glibc reading the same POSIX TZ string.  These are the rule
	 * shapes of today's tzdata plus the odd corners POSIX and RFC 8536
	 * allow (Jn and n dates, 1-digit hours, seconds in times). */
	static const char *const rules[] = {
		"CST-8",
		"CET-1CEST,M3.5.0,M10.5.0/3",
		"EST5EDT,M3.2.0,M11.1.0",
		"AEST-10AEDT,M10.1.0,M4.1.0/3",
		"IST-1GMT0,M10.5.0,M3.5.0/1",
		"<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
		"EET-2EEST,M3.4.4/50,M10.4.4/50",
		"IST-2IDT,M3.4.4/26,M10.5.0",
		"<-04>4<-03>,M9.1.6/24,M4.1.6/24",
		"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
		"<+00>0<+02>-2,M3.5.0/1,M10.5.0/3",
		"EET-2EEST,M4.5.5/0,M10.5.4/24",
		"NST3:30NDT,M3.2.0,M11.1.0",
		"XXX3YYY,J60/2,J300/2",
		"XXX3YYY,59/2,300/2",
		"XXX-3YYY-5:30:15,M2.5.1/1:02:03,M12.5.6/23:59:59",
		"XXX+3YYY+1,J1/0,J365/23",
	};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		struct tzif_spec s = { '2', 0, NULL, NULL, 1, (const int32_t[]){ 0 }, rules[i] };
		size_t n = build_tzif(filebuf, &s);
		ck_assert_msg(tz_parse(filebuf, n, &z, &eb) == YZ_OK, "%s: %s", rules[i], eb.msg);
		ck_assert_str_eq(tz_name(&z), "");
		compare_with_libc(&z, rules[i], 0, T2100, 11 * 3600 + 59);
		compare_with_libc(&z, rules[i], INT64_C(1767225600), INT64_C(1767225600) + 366 * 86400,
				  900);
	}
}
END_TEST

START_TEST(test_footer_all_year_dst)
{
	/* RFC 8536 §3.3.1: "EST5EDT,0/0,J365/25" is daylight time all year. */
	struct tzif_spec s = { '2', 0, NULL, NULL, 1, (const int32_t[]){ 0 },
			       "EST5EDT,0/0,J365/25" };
	size_t n = build_tzif(filebuf, &s);
	ck_assert_int_eq(tz_parse(filebuf, n, &z, &eb), YZ_OK);
	for (int64_t t = 0; t < T2100; t += 3600 * 7 + 13)
		if (tz_offset_s(&z, t) != -4 * 3600)
			ck_abort_msg("at %lld: %ld", (long long)t, (long)tz_offset_s(&z, t));
	for (int64_t y = 0; y < 130; y++) { /* around every new year */
		int64_t ny = (y * 365 + (y + 1) / 4) * 86400;
		for (int64_t d = -6 * 3600; d <= 6 * 3600; d += 900)
			if (tz_offset_s(&z, ny + d) != -4 * 3600)
				ck_abort_msg("at %lld", (long long)(ny + d));
	}
}
END_TEST

START_TEST(test_table_then_footer)
{
	/* Two transitions, then the footer. */
	const int64_t at[] = { 1000000000, 1100000000 };
	const unsigned char idx[] = { 1, 0 };
	const int32_t utoff[] = { 3600, 7200 };
	struct tzif_spec s = { '2', 2, at, idx, 2, utoff, "XXX-5" };
	size_t n = build_tzif(filebuf, &s);
	ck_assert_int_eq(tz_parse(filebuf, n, &z, &eb), YZ_OK);
	ck_assert_int_eq(tz_offset_s(&z, 0), 3600); /* before: type 0 */
	ck_assert_int_eq(tz_offset_s(&z, 999999999), 3600);
	ck_assert_int_eq(tz_offset_s(&z, 1000000000), 7200);
	ck_assert_int_eq(tz_offset_s(&z, 1099999999), 7200);
	ck_assert_int_eq(tz_offset_s(&z, 1100000000), 5 * 3600); /* footer */
	ck_assert_int_eq(tz_offset_s(&z, INT64_MAX), 5 * 3600);
	ck_assert_int_eq(tz_offset_s(&z, INT64_MIN), 3600);

	/* An empty footer keeps the last transition's offset. */
	s.footer = "";
	n = build_tzif(filebuf, &s);
	ck_assert_int_eq(tz_parse(filebuf, n, &z, &eb), YZ_OK);
	ck_assert_int_eq(tz_offset_s(&z, INT64_C(4000000000)), 3600);

	/* Version 1: 32-bit times, no footer. */
	s.version = 0;
	n = build_tzif(filebuf, &s);
	ck_assert_int_eq(tz_parse(filebuf, n, &z, &eb), YZ_OK);
	ck_assert_int_eq(tz_offset_s(&z, 999999999), 3600);
	ck_assert_int_eq(tz_offset_s(&z, 1000000000), 7200);
	ck_assert_int_eq(tz_offset_s(&z, INT64_C(4000000000)), 3600);
}
END_TEST

START_TEST(test_many_transitions_keep_recent)
{
	enum { N = 1500 };
	static int64_t at[N];
	static unsigned char idx[N];
	const int32_t utoff[] = { 0, 3600, 7200 };
	for (unsigned i = 0; i < N; i++) {
		at[i] = (int64_t)i * 86400 - 500 * 86400;
		idx[i] = (unsigned char)(1 + i % 2);
	}
	struct tzif_spec s = { '2', N, at, idx, 3, utoff, NULL };
	size_t n = build_tzif(filebuf, &s);
	ck_assert_int_eq(tz_parse(filebuf, n, &z, &eb), YZ_OK);
	ck_assert_uint_eq(z.count, TZ_MAX_TRANSITIONS);
	ck_assert(z.at_s[0] == at[N - TZ_MAX_TRANSITIONS]);
	/* The most recent ones are exact... */
	for (unsigned i = N - TZ_MAX_TRANSITIONS; i < N; i++) {
		ck_assert_int_eq(tz_offset_s(&z, at[i]), utoff[idx[i]]);
		ck_assert_int_eq(tz_offset_s(&z, at[i] + 43200), utoff[idx[i]]);
	}
	/* ...and before them holds the last dropped transition's offset. */
	ck_assert_int_eq(tz_offset_s(&z, at[N - TZ_MAX_TRANSITIONS] - 1),
			 utoff[idx[N - TZ_MAX_TRANSITIONS - 1]]);
	ck_assert_int_eq(tz_offset_s(&z, INT64_MIN), utoff[idx[N - TZ_MAX_TRANSITIONS - 1]]);
}
END_TEST

static unsigned char *read_zone_file(const char *name, size_t *len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", TZ_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *data = malloc(TZ_MAX_FILE);
	*len = data ? fread(data, 1, TZ_MAX_FILE, f) : 0;
	fclose(f);
	return data;
}

START_TEST(test_truncated_rejected)
{
	SKIP_WITHOUT_TZDATA();
	static const char *const names[] = { "Asia/Shanghai", "Europe/Berlin", "Etc/UTC" };
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		size_t len;
		unsigned char *data = read_zone_file(names[k], &len);
		ck_assert_ptr_nonnull(data);
		ck_assert_int_eq(tz_parse(data, len, &z, &eb), YZ_OK);
		/* Every proper prefix is rejected, and leaves UTC behind. */
		for (size_t cut = 0; cut < len; cut++) {
			enum yz_err err = tz_parse(data, cut, &z, &eb);
			if (err != YZ_EFORMAT)
				ck_abort_msg("%s cut at %zu of %zu: %s", names[k], cut, len,
					     yz_errname(err));
			if (z.count != 0 || z.has_rule || tz_offset_s(&z, 1000) != 0)
				ck_abort_msg("%s cut at %zu: not reset to UTC", names[k], cut);
			if (strncmp(eb.msg, "tz: ", 4) != 0)
				ck_abort_msg("message \"%s\"", eb.msg);
		}
		/* One byte too many is rejected as well. */
		data[len] = '\n';
		ck_assert_int_eq(tz_parse(data, len + 1, &z, &eb), YZ_EFORMAT);
		free(data);
	}
	ck_assert_int_eq(tz_parse(NULL, 0, &z, &eb), YZ_EFORMAT);
	ck_assert_ptr_nonnull(strstr(eb.msg, "truncated"));
}
END_TEST

START_TEST(test_corrupt_rejected)
{
	const int64_t at[] = { 1000, 2000 };
	const unsigned char idx[] = { 1, 0 };
	const int32_t utoff[] = { 3600, 7200 };
	struct tzif_spec s = { '2', 2, at, idx, 2, utoff, "CST-8" };
	size_t n = build_tzif(filebuf, &s);
	ck_assert_int_eq(tz_parse(filebuf, n, &z, &eb), YZ_OK);
	/* Where the 64-bit block starts: after the v1 header and block. */
	const size_t h2 = 44 + 6 + 4;
	const size_t data2 = h2 + 44;

	static unsigned char bad[sizeof filebuf];
#define MUTATE(off, byte, code, needle)                                              \
	do {                                                                         \
		memcpy(bad, filebuf, n);                                             \
		bad[off] = (unsigned char)(byte);                                    \
		ck_assert_int_eq(tz_parse(bad, n, &z, &eb), code);                   \
		ck_assert_msg(strstr(eb.msg, needle) != NULL, "%s", eb.msg);           \
	} while (0)
	MUTATE(0, 'X', YZ_EFORMAT, "magic");
	MUTATE(4, 'x', YZ_EVERSION, "version");
	MUTATE(4, '1', YZ_EVERSION, "version");
	MUTATE(data2 + 6, 0xD0, YZ_EFORMAT, "out of order"); /* first time > second */
	MUTATE(data2 + 16, 2, YZ_EFORMAT, "no time type");
	MUTATE(data2 + 16 + 2 + 4, 2, YZ_EFORMAT, "bad flags"); /* isdst 2 */
	MUTATE(data2 + 16 + 2 + 5, 9, YZ_EFORMAT, "bad flags"); /* desigidx past chars */
	MUTATE(data2 + 16 + 2, 0x7F, YZ_EFORMAT, "out of range"); /* utoff huge */
	MUTATE(h2 + 39, 0, YZ_EFORMAT, "time types"); /* typecnt 0 */
	MUTATE(h2 + 31, 1, YZ_EFORMAT, "truncated"); /* leapcnt 1: no bytes for it */
	MUTATE(h2 + 35, 0xFF, YZ_EFORMAT, "truncated"); /* timecnt 255 */
	MUTATE(h2 + 32, 0xFF, YZ_EFORMAT, "truncated"); /* timecnt near 2^32 */
	MUTATE(n - 5, '\n', YZ_EFORMAT, "after the footer");
	MUTATE(n - 1, 'x', YZ_EFORMAT, "unterminated footer");
	MUTATE(n - 7, 'x', YZ_EFORMAT, "missing footer");
	MUTATE(n - 4, '+', YZ_EFORMAT, "bad footer");
#undef MUTATE

	static const char *const bad_footers[] = {
		"CS-8",                     /* abbreviation too short */
		"CST",                      /* no offset */
		"CST-25",                   /* offset hours > 24 */
		"CST-8:60",                 /* minutes > 59 */
		"CET-1CEST",                /* DST without dates */
		"CET-1CEST,M3.5.0",         /* one date */
		"CET-1CEST,M13.5.0,M10.5.0", /* month 13 */
		"CET-1CEST,M3.6.0,M10.5.0", /* week 6 */
		"CET-1CEST,M3.5.7,M10.5.0", /* weekday 7 */
		"CET-1CEST,J0,J100",        /* Julian day 0 */
		"CET-1CEST,366,100",        /* day 366 */
		"CET-1CEST,M3.5.0/168,M10.5.0", /* 168 hours */
		"CET-1CEST,M3.5.0,M10.5.0/3x",  /* trailing junk */
		"<AB>-1",                   /* quoted abbreviation too short */
		"<A B>-1",                  /* bad character */
		"<ABC-1",                   /* unterminated */
		"CST-8CDT-25,J1,J2",        /* DST offset hours > 24 */
	};
	for (size_t i = 0; i < sizeof bad_footers / sizeof bad_footers[0]; i++) {
		s.footer = bad_footers[i];
		n = build_tzif(filebuf, &s);
		enum yz_err err = tz_parse(filebuf, n, &z, &eb);
		ck_assert_msg(err == YZ_EFORMAT, "footer \"%s\": %s", bad_footers[i], yz_errname(err));
		ck_assert_ptr_nonnull(strstr(eb.msg, "footer"));
	}
}
END_TEST

/* ---- loading ---- */

START_TEST(test_bad_names)
{
	static const char *const names[] = {
		"../etc/passwd", "/etc/localtime", "", "Asia//Shanghai", "Asia/", "Asia/Shang hai",
		"Asia/./Shanghai", "Europe/..", "..", "Asia\\Shanghai", "Asia/Shanghai\n",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		z.count = 7;
		enum yz_err err = tz_load(names[i], &z, &eb);
		ck_assert_msg(err == YZ_EPARSE, "\"%s\": %s", names[i], yz_errname(err));
		ck_assert_ptr_nonnull(strstr(eb.msg, "bad zone name"));
		ck_assert_uint_eq(z.count, 0);
		ck_assert_int_eq(tz_offset_s(&z, 0), 0);
	}
	ck_assert_int_eq(tz_load(NULL, &z, &eb), YZ_EPARSE);
	ck_assert_int_eq(tz_load("../x", &z, NULL), YZ_EPARSE);
}
END_TEST

START_TEST(test_missing_zones)
{
	SKIP_WITHOUT_TZDATA();
	ck_assert_int_eq(tz_load("No/Such_Zone", &z, &eb), YZ_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(eb.msg, "no such zone \"No/Such_Zone\""));
	ck_assert_int_eq(tz_load("Asia/Shanghai/x", &z, &eb), YZ_ENOTFOUND);
	ck_assert_int_eq(tz_load("Europe", &z, &eb), YZ_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(eb.msg, "folder"));
	/* Files of the package that are not TZif. */
	ck_assert_int_eq(tz_load("leapseconds", &z, &eb), YZ_EFORMAT);
	ck_assert_ptr_nonnull(strstr(eb.msg, TZ_DIR "/leapseconds"));
	FILE *f = fopen(TZ_DIR "/right/Asia/Shanghai", "rb");
	if (f) {
		fclose(f);
		ck_assert_int_eq(tz_load("right/Asia/Shanghai", &z, &eb), YZ_EFORMAT);
		ck_assert_ptr_nonnull(strstr(eb.msg, "leap-second"));
	}
}
END_TEST

START_TEST(test_no_tzdata)
{
	/* As on a system without the tzdata package. */
	ck_assert_int_eq(tz_load_from("/nonexistent/zoneinfo", "Asia/Shanghai", &z, &eb),
			 YZ_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(eb.msg, "install the tzdata package"));
	ck_assert_ptr_nonnull(strstr(eb.msg, "Asia/Shanghai"));
	/* The documented fallback. */
	tz_fixed(&z, "Asia/Shanghai", 8 * 3600);
	ck_assert_str_eq(tz_name(&z), "Asia/Shanghai");
	ck_local(INT64_C(1796342400), 8 * 3600, 4, 8, 0);
	tz_fixed(&z, NULL, 99 * 3600);
	ck_assert_int_eq(tz_offset_s(&z, 0), TZ_MAX_OFFSET_S);
	ck_assert_str_eq(tz_name(&z), "");
}
END_TEST

START_TEST(test_extreme_times)
{
	SKIP_WITHOUT_TZDATA();
	static const char *const names[] = { "Europe/Berlin", "Australia/Sydney", "Asia/Shanghai" };
	static const int64_t times[] = { INT64_MIN, INT64_MIN + 1, -(INT64_C(1) << 55), -1, 0,
					 INT64_C(1) << 55, INT64_MAX - 1, INT64_MAX };
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		load(names[k]);
		for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
			int w = -1, m = -1;
			int32_t off = tz_offset_s(&z, times[i]);
			ck_assert(off >= TZ_MIN_OFFSET_S && off <= TZ_MAX_OFFSET_S);
			tz_local(&z, times[i], &w, &m);
			ck_assert(w >= 0 && w <= 6 && m >= 0 && m < 1440);
			tz_local(&z, times[i], NULL, NULL);
		}
	}
}
END_TEST

Suite *tz_suite(void)
{
	Suite *s = suite_create("tz");
	TCase *tc = tcase_create("zones");
	tcase_add_test(tc, test_shanghai);
	tcase_add_test(tc, test_berlin_2026);
	tcase_add_test(tc, test_new_york_2026);
	tcase_add_test(tc, test_utc);
	tcase_add_test(tc, test_extreme_times);
	suite_add_tcase(s, tc);

	tc = tcase_create("libc");
	tcase_add_test(tc, test_zones_match_libc);
	tcase_add_test(tc, test_all_zones_match_libc);
	tcase_add_test(tc, test_footer_rules_match_libc);
	tcase_add_test(tc, test_footer_all_year_dst);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("tzif");
	tcase_add_test(tc, test_table_then_footer);
	tcase_add_test(tc, test_many_transitions_keep_recent);
	tcase_add_test(tc, test_truncated_rejected);
	tcase_add_test(tc, test_corrupt_rejected);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_test(tc, test_bad_names);
	tcase_add_test(tc, test_missing_zones);
	tcase_add_test(tc, test_no_tzdata);
	suite_add_tcase(s, tc);
	return s;
}
