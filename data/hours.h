/* hours.h — station opening hours: the part of OSM `opening_hours` that rest
 * stations use (SPEC §1 `hours`), compiled into a small weekly table and
 * evaluated for the `open_now` filter (SPEC §3).
 *
 * Pure functions over bytes: no allocation, no global state, no locale; a
 * libFuzzer target covers them (tests/fuzz/fuzz_hours.c).
 *
 * Accepted syntax (spaces, tabs, CR and LF anywhere between tokens, keywords
 * and day names case-insensitive):
 *   24/7                                      a rule by itself (`24/7; Su off`)
 *   Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00     rules separated by ';'
 *   Mo-Fr 08:00-12:00,14:00-18:00            several time ranges
 *   Fr-Mo 10:00-16:00                         day ranges may wrap (Fr,Sa,Su,Mo)
 *   Fr,Sa 22:00-02:00                         past midnight: until 02:00 the
 *                                             next day; 08:00-08:00 is 24 h
 *   08:00-20:00                               no days: every day
 *   Mo-Fr                                     no times: all day (00:00-24:00)
 *   Su off   Su closed   off                  closed (no days: every day)
 *   Mo-Fr 08:00-18:00 open                    `open` changes nothing
 *   Mo-Fr 08:00-12:00, Sa 09:00-11:00         ',' then a day starts an
 *                                             additional rule (see below)
 * Times are H:MM or HH:MM, 00:00 to 23:59 as a start, up to 24:00 as an end.
 *
 * Meaning (as opening_hours.js, the reference implementation): rules apply in
 * order and a ';' rule replaces everything earlier rules said about each day
 * it names — the day's own hours, the part of them that ran past midnight
 * into the next day, and the part of the previous day's hours that ran into
 * it.  So `Mo-Su 08:00-20:00; Su off` is closed all Sunday, and both
 * `Mo-Su 22:00-02:00; Sa off` and `Fr 22:00-02:00; Sa 10:00-12:00` are closed
 * at Sa 01:00.  An additional (',') rule adds its hours to the days it names
 * without removing anything, which is how OSM writes hours past midnight
 * next to another day's rule: `Fr 22:00-02:00, Sa 10:00-12:00` is open at
 * Sa 01:00.  Days no rule names are closed.
 *
 * Holidays: `PH` (public holiday) and `SH` (school holiday) are dropped from
 * day lists, and a rule that names only holidays (`PH off`, `SH 10:00-12:00`)
 * is ignored; either sets the partial flag.  We have no holiday calendar, so
 * the table describes the ordinary week: exact on ordinary days, possibly
 * wrong on a holiday.  Such hours still count for `open_now`; the API may say
 * "holidays not considered" (hours_partial).
 *
 * Everything else of the OSM grammar is rejected with YZ_EPARSE rather than
 * guessed: months, dates, years, week numbers, `easter`, nth weekdays
 * (`Mo[1]`), sunrise/sunset, open ends (`18:00+`), extended times (`26:00`),
 * comments in quotes, fallback rules (`||`), the `unknown` modifier, and
 * times with `off` (`12:00-13:00 off`, whose meaning implementations disagree
 * on).  A station whose hours we cannot read must never show as open: a
 * failed parse leaves the "unknown" table, for which hours_open_at answers 0
 * at every minute, so the `open_now` filter excludes the station and the API
 * reports its hours as unknown (hours_known() is false). */
#ifndef YZ_HOURS_H
#define YZ_HOURS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Limits: longer input is YZ_ELIMIT (OSM itself caps tag values at 255
 * characters), as is a day that would need more than HOURS_MAX_RANGES
 * separate ranges. */
#define HOURS_MAX_LEN 512
#define HOURS_MAX_RANGES 8

/* Room hours_format may need, NUL included. */
#define HOURS_FORMAT_MAX 1024

/* One opening on one weekday, in minutes from that day's midnight. */
struct hours_range {
	uint16_t start_min; /* 0..1439 */
	uint16_t end_min;   /* start_min+1 .. 1440 inside the table; from
			       hours_day_range up to 2880, where above 1440 the
			       range runs past midnight into the next day */
};

/* A compiled weekly table: caller storage, 248 bytes, owns no heap, may be
 * copied and shared read-only between threads.  The fields are private: use
 * the functions below.  Invariants of a known table: each day's ranges lie
 * within the day, sorted by start, disjoint and not touching (merged); a day
 * with spill_min > 0 has a last range ending at 1440.  Splitting what runs
 * past midnight off as `spill_min` keeps the override rule above exact: a
 * rule for day d clears d's ranges and spill and the spill of d - 1. */
struct hours {
	bool known;       /* false: never parsed or the parse failed */
	bool partial;     /* holiday rules were dropped (see above) */
	uint8_t count[7]; /* ranges per weekday, 0 = Monday .. 6 = Sunday */
	uint8_t zero;     /* always 0: no padding anywhere, so equal tables are
			     equal bytes (memcmp) */
	uint16_t spill_min[7]; /* the day's hours go on until this minute of the
				  next day, 0..1440; 0: they end by midnight */
	struct hours_range range[7][HOURS_MAX_RANGES];
};

/* Parsing.
 *
 * hours_parse compiles the `len` bytes at `s` (need not be NUL-terminated;
 * may be NULL when `len` is 0) into `out`.  Returns
 *   YZ_OK      success; `out` is known;
 *   YZ_EEMPTY  nothing but spaces and ';' (an empty `hours` field means the
 *              hours are unknown, not that the station is closed), or only
 *              holiday rules (`PH off` says nothing about ordinary days);
 *   YZ_EPARSE  malformed or unsupported syntax, including NUL bytes and
 *              anything outside printable ASCII;
 *   YZ_ELIMIT  longer than HOURS_MAX_LEN, or a day needs too many ranges.
 * On failure `out` is set to the unknown table (hours_init) and `eb` (may be
 * NULL) gets one line starting with "hours: ", with the 1-based column and a
 * printable excerpt, e.g. `hours: hour out of range at column 7 near "25:00-26:00"`. */
enum yz_err hours_parse(const char *s, size_t len, struct hours *out, struct yz_errbuf *eb);

/* Set `h` to the unknown table: not known, closed at every minute. */
void hours_init(struct hours *h);

/* Evaluation.
 *
 * 1 when open at `minute_of_day` (0..1439) local time on `weekday` (0 = Monday
 * .. 6 = Sunday), counting the previous day's hours that run past midnight;
 * else 0.  Unknown hours and arguments out of range answer 0 (closed), the safe
 * answer for a filter. */
int hours_open_at(const struct hours *h, int weekday, int minute_of_day);

/* Whether `h` holds successfully parsed hours. */
bool hours_known(const struct hours *h);

/* Whether holiday rules were dropped while parsing (see the top of this file). */
bool hours_partial(const struct hours *h);

/* Reading the table, e.g. for a "today 22:00-02:00" label.  The number of
 * ranges that start on `weekday` (0 for a bad weekday or unknown hours), and
 * range `i` of them in start order: true and `*out` set when `i` exists,
 * else false and `*out` untouched.  The last range of a day includes the
 * spill past midnight (end_min up to 2880).  The previous day's spill is not
 * repeated here. */
unsigned hours_day_count(const struct hours *h, int weekday);
bool hours_day_range(const struct hours *h, int weekday, unsigned i, struct hours_range *out);

/* Canonical text of a known table, e.g. `Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00`,
 * `24/7` or `off` (closed every day); "" for unknown hours.  Holidays are not
 * written (the table has none).  hours_parse of the text gives the same table
 * again, partial flag aside.  Writes at most `cap` bytes including the NUL
 * (HOURS_FORMAT_MAX is always enough) and returns the full length, like
 * snprintf; the text is cut when `cap` is too small. */
size_t hours_format(const struct hours *h, char *buf, size_t cap);

#endif
