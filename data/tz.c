/* tz.c — TZif files (RFC 8536) and POSIX TZ rules, without the C library's
 * process-wide TZ; see tz.h.
 *
 * tz_parse resolves each transition's time type at parse time, so a zone is
 * two parallel arrays (`at_s`, `off_s`) searched by bisection, plus the
 * footer rule evaluated per year.  Real files are 100 B to 4 KiB with up to a
 * few hundred transitions; every count in a header is checked against the
 * bytes actually present before anything is read, so a hostile file can cost
 * no more than its length.
 *
 * Calendar arithmetic uses days since 1970-01-01 (Howard Hinnant's civil
 * algorithms, exact for every int64 day count used here); times far outside
 * any calendar (beyond about ±10^9 years) are clamped before the rule's year
 * is computed, so no query can overflow. */
#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY_S 86400
#define HOUR_S 3600
/* Rule evaluation clamps unix time to ±2^55 s (about ±10^9 years). */
#define RULE_CLAMP_S ((int64_t)1 << 55)
/* Longest footer TZ string accepted (real ones are under 60 bytes). */
#define FOOTER_MAX 255

/* ---- calendar ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The year of the day `z` days from 1970-01-01. */
static int64_t year_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	return (int64_t)yoe + era * 400 + (mp >= 10);
}

static unsigned month_days(int64_t y, unsigned m)
{
	static const unsigned char len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return len[m - 1] + (m == 2 && is_leap(y));
}

/* Local seconds since 1970-01-01 00:00 (in the clock the date is given in)
 * of a rule date in year y. */
static int64_t date_local_s(int64_t y, const struct tz_date *d)
{
	int64_t days;
	if (d->kind == 'J') {
		/* Julian day 1..365: Feb 29 is never counted. */
		days = days_from_civil(y, 1, 1) + d->day - 1 + (is_leap(y) && d->day >= 60);
	} else if (d->kind == 'D') {
		days = days_from_civil(y, 1, 1) + d->day;
	} else {
		int64_t first = days_from_civil(y, d->month, 1);
		/* 1970-01-01 was a Thursday (4, counting from Sunday = 0). */
		int first_wday = (int)((first % 7 + 7 + 4) % 7);
		unsigned off = (unsigned)((d->wday - first_wday + 7) % 7) + (d->week - 1u) * 7u;
		while (off >= month_days(y, d->month))
			off -= 7;
		days = first + off;
	}
	return days * DAY_S + d->time_s;
}

static int32_t rule_offset(const struct tz_rule *r, int64_t t)
{
	if (!r->has_dst)
		return r->std_off_s;
	if (t > RULE_CLAMP_S)
		t = RULE_CLAMP_S;
	if (t < -RULE_CLAMP_S)
		t = -RULE_CLAMP_S;
	/* The year in local standard time: with DST all year
	 * (`EST5EDT,0/0,J365/25`) the year's end joins the next year's start. */
	int64_t y = year_from_days(floor_div(t + r->std_off_s, DAY_S));
	int64_t start = date_local_s(y, &r->start) - r->std_off_s;
	int64_t end = date_local_s(y, &r->end) - r->dst_off_s;
	bool dst = start < end ? (start <= t && t < end) : !(end <= t && t < start);
	return dst ? r->dst_off_s : r->std_off_s;
}

/* ---- queries ---- */

int32_t tz_offset_s(const struct tz *z, int64_t unix_s)
{
	unsigned n = z->count;
	if (n == 0)
		return z->has_rule ? rule_offset(&z->rule, unix_s) : z->before_off_s;
	if (unix_s < z->at_s[0])
		return z->before_off_s;
	if (z->has_rule && unix_s >= z->at_s[n - 1])
		return rule_offset(&z->rule, unix_s);
	/* The last transition at or before unix_s. */
	unsigned lo = 0, hi = n; /* at_s[lo] <= unix_s < at_s[hi] (hi == n: +inf) */
	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;
		if (z->at_s[mid] <= unix_s)
			lo = mid;
		else
			hi = mid;
	}
	return z->off_s[lo];
}

void tz_local(const struct tz *z, int64_t unix_s, int *weekday, int *minute_of_day)
{
	int32_t off = tz_offset_s(z, unix_s);
	/* Remainder first: days * DAY_S itself may not fit for unix_s near
	 * INT64_MIN. */
	int64_t days = unix_s / DAY_S, sec = unix_s % DAY_S;
	if (sec < 0) {
		sec += DAY_S;
		days--;
	}
	sec += off; /* |off| < 2 days */
	while (sec < 0) {
		sec += DAY_S;
		days--;
	}
	while (sec >= DAY_S) {
		sec -= DAY_S;
		days++;
	}
	/* 1970-01-01 was a Thursday: 3 counting from Monday = 0. */
	if (weekday)
		*weekday = (int)(((days % 7) + 7 + 3) % 7);
	if (minute_of_day)
		*minute_of_day = (int)(sec / 60);
}

const char *tz_name(const struct tz *z)
{
	return z->name;
}

static void set_name(struct tz *z, const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n > TZ_NAME_MAX)
		n = TZ_NAME_MAX;
	if (n)
		memcpy(z->name, name, n);
	z->name[n] = '\0';
}

void tz_fixed(struct tz *out, const char *name, int32_t off_s)
{
	memset(out, 0, sizeof *out);
	if (off_s < TZ_MIN_OFFSET_S)
		off_s = TZ_MIN_OFFSET_S;
	if (off_s > TZ_MAX_OFFSET_S)
		off_s = TZ_MAX_OFFSET_S;
	out->before_off_s = off_s;
	set_name(out, name);
}

/* ---- POSIX TZ strings (the TZif footer) ---- */

struct cursor {
	const char *p, *end;
};

static bool at_digit(const struct cursor *c)
{
	return c->p < c->end && *c->p >= '0' && *c->p <= '9';
}

static bool take(struct cursor *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

/* 1..maxd digits, value <= max. */
static bool number(struct cursor *c, int maxd, long max, long *out)
{
	long v = 0;
	int nd = 0;
	while (at_digit(c) && nd < maxd) {
		v = v * 10 + (*c->p - '0');
		c->p++;
		nd++;
	}
	if (nd == 0 || at_digit(c) || v > max)
		return false;
	*out = v;
	return true;
}

/* A zone abbreviation: three or more letters, or <...> of letters, digits,
 * '+' and '-'. */
static bool abbrev(struct cursor *c)
{
	const char *start = c->p;
	if (take(c, '<')) {
		start = c->p;
		while (c->p < c->end && *c->p != '>') {
			char ch = *c->p;
			if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			      (ch >= '0' && ch <= '9') || ch == '+' || ch == '-'))
				return false;
			c->p++;
		}
		if (c->p - start < 3)
			return false;
		return take(c, '>');
	}
	while (c->p < c->end && ((*c->p >= 'A' && *c->p <= 'Z') || (*c->p >= 'a' && *c->p <= 'z')))
		c->p++;
	return c->p - start >= 3;
}

/* [+-]h[h[h]][:mm[:ss]], hours up to max_h; seconds in *out, sign applied. */
static bool hms(struct cursor *c, long max_h, int32_t *out)
{
	long sign = 1, h, m = 0, s = 0;
	if (take(c, '-'))
		sign = -1;
	else
		take(c, '+');
	if (!number(c, 3, max_h, &h))
		return false;
	if (take(c, ':')) {
		if (!number(c, 2, 59, &m))
			return false;
		if (take(c, ':') && !number(c, 2, 59, &s))
			return false;
	}
	*out = (int32_t)(sign * (h * HOUR_S + m * 60 + s));
	return true;
}

/* A rule date and its optional /time (default 02:00:00). */
static bool rule_date(struct cursor *c, struct tz_date *d)
{
	long v;
	memset(d, 0, sizeof *d);
	if (take(c, 'J')) {
		if (!number(c, 3, 365, &v) || v < 1)
			return false;
		d->kind = 'J';
		d->day = (uint16_t)v;
	} else if (take(c, 'M')) {
		long m, w, wd;
		if (!number(c, 2, 12, &m) || m < 1 || !take(c, '.') || !number(c, 1, 5, &w) ||
		    w < 1 || !take(c, '.') || !number(c, 1, 6, &wd))
			return false;
		d->kind = 'M';
		d->month = (uint8_t)m;
		d->week = (uint8_t)w;
		d->wday = (uint8_t)wd;
	} else {
		if (!number(c, 3, 365, &v))
			return false;
		d->kind = 'D';
		d->day = (uint16_t)v;
	}
	d->time_s = 2 * HOUR_S;
	/* RFC 8536 §3.3.1 extends POSIX: hours from -167 to 167. */
	if (take(c, '/') && !hms(c, 167, &d->time_s))
		return false;
	return true;
}

static bool offset_ok(long v)
{
	return v >= TZ_MIN_OFFSET_S && v <= TZ_MAX_OFFSET_S;
}

/* A POSIX TZ string such as `CST-8` or `CET-1CEST,M3.5.0,M10.5.0/3`.  POSIX
 * offsets count west of UTC; the rule stores seconds east. */
static bool posix_tz(const char *s, size_t n, struct tz_rule *r)
{
	struct cursor c = { s, s + n };
	int32_t west;
	memset(r, 0, sizeof *r);
	if (!abbrev(&c) || !hms(&c, 24, &west) || !offset_ok(-(long)west))
		return false;
	r->std_off_s = r->dst_off_s = -west;
	if (c.p == c.end)
		return true;
	if (!abbrev(&c))
		return false;
	r->has_dst = true;
	r->dst_off_s = r->std_off_s + HOUR_S;
	if (c.p < c.end && *c.p != ',') {
		if (!hms(&c, 24, &west))
			return false;
		r->dst_off_s = -west;
	}
	if (!offset_ok(r->dst_off_s))
		return false;
	/* POSIX leaves a DST zone without dates implementation-defined; TZif
	 * footers always give them. */
	if (!take(&c, ',') || !rule_date(&c, &r->start) || !take(&c, ',') ||
	    !rule_date(&c, &r->end))
		return false;
	return c.p == c.end;
}

/* ---- TZif ---- */

struct tzif_header {
	char version; /* 0 (version 1), or '2', '3', '4' */
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Read the 44-byte header at `at`; *block is the size of the data block
 * that follows, for times of `tsize` bytes. */
static enum yz_err read_header(const unsigned char *b, size_t len, size_t at, unsigned tsize,
			       struct tzif_header *h, uint64_t *block, struct yz_errbuf *eb)
{
	if (len - at < 44)
		return yz_fail(eb, YZ_EFORMAT, "tz: truncated header (%zu bytes)", len - at);
	const unsigned char *p = b + at;
	if (memcmp(p, "TZif", 4) != 0)
		return yz_fail(eb, YZ_EFORMAT, "tz: not a TZif file (bad magic)");
	h->version = (char)p[4];
	if (h->version != 0 && (h->version < '2' || h->version > '9'))
		return yz_fail(eb, YZ_EVERSION, "tz: unknown TZif version byte 0x%02x", p[4]);
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	*block = (uint64_t)h->timecnt * (tsize + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
		 (uint64_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
	if (*block > len - at - 44)
		return yz_fail(eb, YZ_EFORMAT,
			       "tz: truncated: the header announces %llu bytes of data, %zu remain",
			       (unsigned long long)*block, len - at - 44);
	return YZ_OK;
}

/* Check and load the data block at `at` (times of `tsize` bytes) into z. */
static enum yz_err read_block(const unsigned char *b, size_t at, unsigned tsize,
			      const struct tzif_header *h, struct tz *z, struct yz_errbuf *eb)
{
	if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0)
		return yz_fail(eb, YZ_EFORMAT, "tz: %u time types and %u abbreviation bytes",
			       h->typecnt, h->charcnt);
	if ((h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
	    (h->isutcnt != 0 && h->isutcnt != h->typecnt))
		return yz_fail(eb, YZ_EFORMAT, "tz: indicator counts do not match the type count");
	if (h->leapcnt != 0)
		return yz_fail(eb, YZ_EFORMAT,
			       "tz: leap-second data (a \"right/\" zone) is not supported");

	const unsigned char *times = b + at;
	const unsigned char *idx = times + (size_t)h->timecnt * tsize;
	const unsigned char *types = idx + h->timecnt;
	const unsigned char *indic = types + (size_t)h->typecnt * 6 + h->charcnt;

	int32_t off[256];
	for (uint32_t i = 0; i < h->typecnt; i++) {
		const unsigned char *t = types + (size_t)i * 6;
		int32_t utoff = (int32_t)be32(t);
		if (!offset_ok(utoff))
			return yz_fail(eb, YZ_EFORMAT, "tz: time type %u: offset %ld s out of range",
				       i, (long)utoff);
		if (t[4] > 1 || t[5] >= h->charcnt)
			return yz_fail(eb, YZ_EFORMAT, "tz: time type %u: bad flags", i);
		off[i] = utoff;
	}
	for (uint32_t i = 0; i < h->isstdcnt + h->isutcnt; i++)
		if (indic[i] > 1)
			return yz_fail(eb, YZ_EFORMAT, "tz: bad standard/UT indicator");

	int64_t prev = 0;
	for (uint32_t i = 0; i < h->timecnt; i++) {
		int64_t t = tsize == 8 ? be64(times + (size_t)i * 8)
				       : (int64_t)(int32_t)be32(times + (size_t)i * 4);
		if (i > 0 && t <= prev)
			return yz_fail(eb, YZ_EFORMAT, "tz: transition %u out of order", i);
		if (idx[i] >= h->typecnt)
			return yz_fail(eb, YZ_EFORMAT, "tz: transition %u: no time type %u", i,
				       idx[i]);
		prev = t;
	}

	/* Keep the most recent TZ_MAX_TRANSITIONS; what comes before the first
	 * kept one is the type of the last dropped one (or type 0). */
	uint32_t skip = h->timecnt > TZ_MAX_TRANSITIONS ? h->timecnt - TZ_MAX_TRANSITIONS : 0;
	z->before_off_s = skip ? off[idx[skip - 1]] : off[0];
	z->count = (uint16_t)(h->timecnt - skip);
	for (uint32_t i = skip; i < h->timecnt; i++) {
		z->at_s[i - skip] = tsize == 8 ? be64(times + (size_t)i * 8)
					       : (int64_t)(int32_t)be32(times + (size_t)i * 4);
		z->off_s[i - skip] = off[idx[i]];
	}
	return YZ_OK;
}

static enum yz_err parse_tzif(const unsigned char *b, size_t len, struct tz *z,
			      struct yz_errbuf *eb)
{
	struct tzif_header h1, h2;
	uint64_t block;
	enum yz_err err;
	if ((err = read_header(b, len, 0, 4, &h1, &block, eb)) != YZ_OK)
		return err;
	if (h1.version == 0) {
		if ((err = read_block(b, 44, 4, &h1, z, eb)) != YZ_OK)
			return err;
		if (44 + block != len)
			return yz_fail(eb, YZ_EFORMAT, "tz: %zu bytes after the data",
				       len - 44 - (size_t)block);
		return YZ_OK;
	}

	/* Version 2+: skip the 32-bit block, use the 64-bit one. */
	size_t at = 44 + (size_t)block;
	if ((err = read_header(b, len, at, 8, &h2, &block, eb)) != YZ_OK)
		return err;
	at += 44;
	if ((err = read_block(b, at, 8, &h2, z, eb)) != YZ_OK)
		return err;
	at += (size_t)block;

	/* Footer: '\n', a POSIX TZ string (possibly empty), '\n', end. */
	if (at >= len || b[at] != '\n')
		return yz_fail(eb, YZ_EFORMAT, "tz: missing footer");
	const unsigned char *s = b + at + 1;
	const unsigned char *nl = memchr(s, '\n', len - at - 1);
	if (!nl)
		return yz_fail(eb, YZ_EFORMAT, "tz: unterminated footer");
	size_t n = (size_t)(nl - s);
	if ((size_t)(nl + 1 - b) != len)
		return yz_fail(eb, YZ_EFORMAT, "tz: bytes after the footer");
	if (n > FOOTER_MAX)
		return yz_fail(eb, YZ_EFORMAT, "tz: footer longer than %d bytes", FOOTER_MAX);
	if (n > 0) {
		if (!posix_tz((const char *)s, n, &z->rule)) {
			char shown[FOOTER_MAX + 1];
			for (size_t i = 0; i < n; i++)
				shown[i] = s[i] >= 0x20 && s[i] < 0x7F ? (char)s[i] : '?';
			shown[n] = '\0';
			return yz_fail(eb, YZ_EFORMAT, "tz: bad footer TZ string \"%.60s\"", shown);
		}
		z->has_rule = true;
	}
	return YZ_OK;
}

enum yz_err tz_parse(const unsigned char *bytes, size_t len, struct tz *out,
		     struct yz_errbuf *eb)
{
	tz_fixed(out, "", 0);
	enum yz_err err = parse_tzif(bytes, len, out, eb);
	if (err != YZ_OK)
		tz_fixed(out, "", 0);
	return err;
}

/* ---- loading ---- */

/* [A-Za-z0-9_+-] components joined by single '/'. */
static bool name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == '/') {
			if (name[i + 1] == '/')
				return false;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-'))
			return false;
	}
	return true;
}

/* Read a whole regular file of at most TZ_MAX_FILE bytes into a new heap
 * block. */
static enum yz_err read_file(const char *dir, const char *path, const char *name,
			     unsigned char **data, size_t *len, struct yz_errbuf *eb)
{
	struct stat st;
	enum yz_err err = YZ_OK;
	unsigned char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT || e == ENOTDIR) {
			if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
				return yz_fail(eb, YZ_ENOTFOUND,
					       "tz: %s is missing, cannot load zone \"%s\": install "
					       "the tzdata package",
					       dir, name);
			return yz_fail(eb, YZ_ENOTFOUND, "tz: no such zone \"%s\" in %s", name, dir);
		}
		return yz_fail(eb, YZ_EIO, "tz: %s: %s", path, strerror(e));
	}
	if (fstat(fd, &st) != 0) {
		err = yz_fail(eb, YZ_EIO, "tz: %s: %s", path, strerror(errno));
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		err = yz_fail(eb, YZ_ENOTFOUND, "tz: \"%s\" is a folder of zones, not a zone", name);
		goto done;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TZ_MAX_FILE) {
		err = yz_fail(eb, YZ_EFORMAT, "tz: %s: not a TZif file", path);
		goto done;
	}
	/* One byte more than the size, to notice a file that grew. */
	size_t cap = (size_t)st.st_size + 1, got = 0;
	buf = malloc(cap);
	if (!buf) {
		err = yz_fail(eb, YZ_ENOMEM, "tz: %s: out of memory", path);
		goto done;
	}
	for (;;) {
		ssize_t r = read(fd, buf + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = yz_fail(eb, YZ_EIO, "tz: %s: %s", path, strerror(errno));
			goto done;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got == cap) {
			err = yz_fail(eb, YZ_EIO, "tz: %s: changed while reading", path);
			goto done;
		}
	}
	*data = buf;
	*len = got;
	buf = NULL;
done:
	free(buf);
	close(fd);
	return err;
}

enum yz_err tz_load_from(const char *dir, const char *zone_name, struct tz *out,
			 struct yz_errbuf *eb)
{
	unsigned char *data = NULL;
	size_t len = 0;
	char path[4096];
	struct yz_errbuf inner;
	enum yz_err err;

	tz_fixed(out, "", 0);
	if (!zone_name || !name_ok(zone_name)) {
		char shown[TZ_NAME_MAX + 1];
		size_t n = zone_name ? strnlen(zone_name, TZ_NAME_MAX) : 0;
		for (size_t i = 0; i < n; i++)
			shown[i] = zone_name[i] >= 0x20 && zone_name[i] < 0x7F ? zone_name[i] : '?';
		shown[n] = '\0';
		return yz_fail(eb, YZ_EPARSE,
			       "tz: bad zone name \"%s\": expected a name such as Asia/Shanghai",
			       shown);
	}
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, zone_name) >= sizeof path)
		return yz_fail(eb, YZ_ELIMIT, "tz: path of zone \"%s\" too long", zone_name);
	if ((err = read_file(dir, path, zone_name, &data, &len, eb)) != YZ_OK)
		return err;
	err = tz_parse(data, len, out, &inner);
	free(data);
	if (err != YZ_OK)
		/* inner.msg starts with "tz: "; name the file. */
		return yz_fail(eb, err, "tz: %s: %s", path, inner.msg + 4);
	set_name(out, zone_name);
	return YZ_OK;
}

enum yz_err tz_load(const char *zone_name, struct tz *out, struct yz_errbuf *eb)
{
	return tz_load_from(TZ_DIR, zone_name, out, eb);
}
