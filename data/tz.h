/* tz.h — IANA time zones, read from the system's TZif files, for the local
 * time that station hours are evaluated in (SPEC §3 `open_now`: the dataset's
 * time zone, default Asia/Shanghai).
 *
 * Why not localtime_r: it follows the process-wide TZ, and changing TZ under
 * running worker threads is a data race; a dataset may also name another zone
 * than the host's.  A `struct tz` is a self-contained value instead: loaded
 * once, copied freely, read by any number of threads, no free needed.
 *
 * Format: RFC 8536 (TZif versions 1 to 4).  The 64-bit section is used when
 * present.  After the last transition the footer's POSIX TZ string applies,
 * DST rules included (`CET-1CEST,M3.5.0,M10.5.0/3`, Jn, n and Mm.w.d dates,
 * RFC 8536 transition hours from -167 to 167); a file without a footer (v1)
 * keeps the last transition's offset.  Before the first transition, time type
 * 0 applies (RFC 8536).  Leap-second files ("right/...") are rejected: unix
 * time has no leap seconds.  Offsets agree with glibc's localtime_r for every
 * zone of the tzdata package (checked 1800-2400 while writing this;
 * tests/unit/check_tz.c checks zone1970.tab 1990-2040 and footer rules to 2100).
 *
 * No tzdata: when /usr/share/zoneinfo is missing, tz_load fails with
 * YZ_ENOTFOUND and says so; callers then fall back to a fixed offset
 * (tz_fixed), UTC+8 for Asia/Shanghai, which has had no DST since 1991. */
#ifndef YZ_TZ_H
#define YZ_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define TZ_DIR "/usr/share/zoneinfo"
/* Longest zone name accepted (the longest IANA name has 32 bytes). */
#define TZ_NAME_MAX 63
/* Transitions kept; a file with more keeps the most recent ones (real zones
 * have at most a few hundred, so this only bounds hostile input). */
#define TZ_MAX_TRANSITIONS 512
/* Largest TZif file read (real ones are under 4 KiB). */
#define TZ_MAX_FILE (256 * 1024)
/* Offsets from UTC accepted, in seconds: RFC 8536 -89999 .. 93599 (about
 * -25 h .. +26 h). */
#define TZ_MIN_OFFSET_S (-89999)
#define TZ_MAX_OFFSET_S 93599

/* One date of a POSIX TZ rule: when DST starts or ends in a year. */
struct tz_date {
	uint8_t kind;   /* 'J': Julian day 1..365 without Feb 29; 'D': day 0..365;
			   'M': month.week.weekday */
	uint8_t month;  /* 'M': 1..12 */
	uint8_t week;   /* 'M': 1..5, 5 = the last such weekday of the month */
	uint8_t wday;   /* 'M': 0 = Sunday .. 6 */
	uint16_t day;   /* 'J': 1..365; 'D': 0..365 */
	int32_t time_s; /* local time of day of the change, -167 h .. 167 h */
};

/* The footer's rule for times after the table. */
struct tz_rule {
	int32_t std_off_s; /* seconds east of UTC in standard time */
	int32_t dst_off_s; /* in daylight time (== std_off_s when no DST) */
	bool has_dst;
	struct tz_date start; /* DST starts, in local standard time */
	struct tz_date end;   /* DST ends, in local daylight time */
};

/* A loaded zone: 6256 bytes of caller storage, no heap, may be copied and
 * shared read-only between threads.  Fields are private: use the functions
 * below.  Invariants: count <= TZ_MAX_TRANSITIONS, at_s strictly increasing,
 * every offset within [TZ_MIN_OFFSET_S, TZ_MAX_OFFSET_S]. */
struct tz {
	char name[TZ_NAME_MAX + 1]; /* the zone's name, "" when unnamed */
	uint16_t count;             /* transitions kept */
	bool has_rule;              /* a footer rule applies after the table */
	int32_t before_off_s;       /* offset before at_s[0] (or always, when
				       count == 0 and there is no rule) */
	struct tz_rule rule;
	int64_t at_s[TZ_MAX_TRANSITIONS];  /* unix time of each transition */
	int32_t off_s[TZ_MAX_TRANSITIONS]; /* offset from that moment on */
};

/* Loading.
 *
 * tz_load reads TZ_DIR/<zone_name> and parses it into `out`.  The name must
 * be 1..TZ_NAME_MAX bytes of [A-Za-z0-9_+-/] with no empty component, and
 * not start or end with '/' (so no "..", no absolute path), else YZ_EPARSE.
 * Returns YZ_ENOTFOUND when the zone does not exist or TZ_DIR is missing (the
 * message says which: "install the tzdata package"), YZ_EIO when the file
 * cannot be read, and tz_parse's errors.  On failure `out` is the UTC zone
 * (tz_fixed(out, "", 0)) and `eb` (may be NULL) gets one line naming the zone.
 * tz_load_from does the same under another directory (tests, containers). */
enum yz_err tz_load(const char *zone_name, struct tz *out, struct yz_errbuf *eb);
enum yz_err tz_load_from(const char *dir, const char *zone_name, struct tz *out,
			 struct yz_errbuf *eb);

/* Parse the `len` bytes of a TZif file (pure; fuzzed).  Returns YZ_OK,
 * YZ_EFORMAT for a truncated, inconsistent or otherwise corrupt file
 * (including a bad footer and leap-second data), YZ_EVERSION for an unknown
 * version byte.  `out`'s name is set to "".  On failure `out` is UTC as above. */
enum yz_err tz_parse(const unsigned char *bytes, size_t len, struct tz *out,
		     struct yz_errbuf *eb);

/* A zone with one fixed offset (seconds east of UTC, clamped to the accepted
 * range) and the given name (NULL: "", cut at TZ_NAME_MAX bytes).  The
 * fallback when tzdata is missing: tz_fixed(&z, "Asia/Shanghai", 8 * 3600). */
void tz_fixed(struct tz *out, const char *name, int32_t off_s);

/* Queries; defined for every int64_t. */

/* Seconds east of UTC in effect at unix time `unix_s`. */
int32_t tz_offset_s(const struct tz *z, int64_t unix_s);

/* Local weekday (0 = Monday .. 6 = Sunday) and minute of the day (0..1439) at
 * unix time `unix_s` — the arguments of hours_open_at.  Either pointer may be
 * NULL. */
void tz_local(const struct tz *z, int64_t unix_s, int *weekday, int *minute_of_day);

/* The zone's name as given to tz_load or tz_fixed; "" for tz_parse. */
const char *tz_name(const struct tz *z);

#endif
