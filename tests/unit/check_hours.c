/* check_hours.c — unit tests of station opening hours (data/hours.c): every
 * accepted syntax with the minutes it opens, OSM override semantics, hours
 * past midnight, holidays, the rejected parts of the grammar with their codes
 * and messages, limits, the canonical text, and a property test against a
 * minute-by-minute reference model on generated rule lists. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/hours.h"

Suite *hours_suite(void);

enum { MO, TU, WE, TH, FR, SA, SU };

static struct hours h;
static struct yz_errbuf eb;

static enum yz_err parse(const char *s)
{
	eb.msg[0] = '\0';
	return hours_parse(s, strlen(s), &h, &eb);
}

static int hm(int hour, int minute)
{
	return hour * 60 + minute;
}

static int open_at(int wd, int hour, int minute)
{
	return hours_open_at(&h, wd, hm(hour, minute));
}

/* Parse `s`, which must succeed, and compare hours_format with `canon`. */
#define ck_parse_ok(s, canon)                                                        \
	do {                                                                         \
		ck_assert_msg(parse(s) == YZ_OK, "\"%s\": %s", s, eb.msg);             \
		ck_assert(hours_known(&h));                                          \
		char text_[HOURS_FORMAT_MAX];                                        \
		hours_format(&h, text_, sizeof text_);                               \
		ck_assert_str_eq(text_, canon);                                      \
	} while (0)

/* Parse `s`, which must fail with `code`, leave the unknown table, and say
 * something containing `needle`. */
#define ck_parse_fails(s, code, needle)                                              \
	do {                                                                         \
		enum yz_err e_ = parse(s);                                           \
		ck_assert_msg(e_ == (code), "\"%s\": got %s (%s)", s, yz_errname(e_),  \
			      eb.msg);                                               \
		ck_assert(!hours_known(&h));                                         \
		ck_assert_msg(strncmp(eb.msg, "hours: ", 7) == 0, "%s", eb.msg);       \
		ck_assert_msg(strstr(eb.msg, needle) != NULL, "\"%s\" lacks \"%s\"",    \
			      eb.msg, needle);                                       \
		ck_assert_int_eq(week_minutes(&h), 0);                               \
	} while (0)

/* Count of open minutes in the week. */
static int week_minutes(const struct hours *t)
{
	int n = 0;
	for (int d = 0; d < 7; d++)
		for (int m = 0; m < 1440; m++)
			n += hours_open_at(t, d, m);
	return n;
}

/* ---- accepted syntax ---- */

START_TEST(test_simple_week)
{
	ck_parse_ok("Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00", "Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00");
	ck_assert(!hours_partial(&h));
	ck_assert_int_eq(open_at(MO, 7, 59), 0);
	ck_assert_int_eq(open_at(MO, 8, 0), 1);
	ck_assert_int_eq(open_at(WE, 19, 59), 1);
	ck_assert_int_eq(open_at(FR, 20, 0), 0); /* the end is exclusive */
	ck_assert_int_eq(open_at(SA, 8, 59), 0);
	ck_assert_int_eq(open_at(SA, 9, 0), 1);
	ck_assert_int_eq(open_at(SU, 17, 59), 1);
	ck_assert_int_eq(open_at(SU, 18, 0), 0);
	ck_assert_int_eq(week_minutes(&h), 5 * 720 + 2 * 540);
}
END_TEST

START_TEST(test_always)
{
	ck_parse_ok("24/7", "24/7");
	ck_assert_int_eq(week_minutes(&h), 7 * 1440);
	ck_parse_ok("  24/7 ; ", "24/7");
	ck_parse_ok("Mo-Su 00:00-24:00", "24/7");
	ck_parse_ok("00:00-24:00", "24/7");
	ck_parse_ok("Mo-Su", "24/7");
	ck_parse_ok("open", "24/7");
	ck_parse_ok("24/7; Su off", "Mo-Sa 00:00-24:00");
	ck_assert_int_eq(open_at(SA, 23, 59), 1);
	ck_assert_int_eq(open_at(SU, 0, 0), 0);
}
END_TEST

START_TEST(test_day_lists_and_ranges)
{
	ck_parse_ok("Mo,We,Fr 10:00-12:00", "Mo,We,Fr 10:00-12:00");
	ck_assert_int_eq(open_at(MO, 11, 0), 1);
	ck_assert_int_eq(open_at(TU, 11, 0), 0);
	ck_assert_int_eq(open_at(FR, 11, 0), 1);
	ck_parse_ok("Mo-We,Fr-Su 10:00-12:00", "Mo-We,Fr-Su 10:00-12:00");
	ck_assert_int_eq(open_at(TH, 11, 0), 0);
	ck_parse_ok("Sa,Su 10:00-12:00", "Sa,Su 10:00-12:00");
	ck_parse_ok("Tu 10:00-12:00", "Tu 10:00-12:00");
	ck_parse_ok("Mo-Mo 10:00-12:00", "Mo 10:00-12:00");
}
END_TEST

START_TEST(test_wrapping_day_range)
{
	ck_parse_ok("Fr-Mo 10:00-16:00", "Mo,Fr-Su 10:00-16:00");
	ck_assert_int_eq(open_at(FR, 12, 0), 1);
	ck_assert_int_eq(open_at(SA, 12, 0), 1);
	ck_assert_int_eq(open_at(SU, 12, 0), 1);
	ck_assert_int_eq(open_at(MO, 12, 0), 1);
	ck_assert_int_eq(open_at(TU, 12, 0), 0);
	ck_assert_int_eq(open_at(TH, 12, 0), 0);
	ck_parse_ok("Su-Tu 10:00-16:00", "Mo,Tu,Su 10:00-16:00");
	ck_parse_ok("Tu-Mo 10:00-16:00", "Mo-Su 10:00-16:00");
}
END_TEST

START_TEST(test_several_time_ranges)
{
	ck_parse_ok("08:00-12:00,14:00-18:00", "Mo-Su 08:00-12:00,14:00-18:00");
	ck_assert_int_eq(open_at(TH, 11, 59), 1);
	ck_assert_int_eq(open_at(TH, 12, 0), 0);
	ck_assert_int_eq(open_at(TH, 13, 59), 0);
	ck_assert_int_eq(open_at(TH, 14, 0), 1);
	ck_assert_int_eq(hours_day_count(&h, TH), 2);
	/* Unsorted, overlapping and touching ranges merge. */
	ck_parse_ok("Mo 14:00-18:00,08:00-12:00", "Mo 08:00-12:00,14:00-18:00");
	ck_parse_ok("Mo 08:00-12:00,11:00-13:00", "Mo 08:00-13:00");
	ck_parse_ok("Mo 08:00-12:00,12:00-13:00", "Mo 08:00-13:00");
	ck_parse_ok("Mo 08:00-12:00 , 14:00 - 18:00", "Mo 08:00-12:00,14:00-18:00");
}
END_TEST

START_TEST(test_times_only_and_days_only)
{
	/* No days: every day. */
	ck_parse_ok("06:30-21:30", "Mo-Su 06:30-21:30");
	for (int d = 0; d < 7; d++) {
		ck_assert_int_eq(open_at(d, 6, 29), 0);
		ck_assert_int_eq(open_at(d, 6, 30), 1);
		ck_assert_int_eq(open_at(d, 21, 29), 1);
		ck_assert_int_eq(open_at(d, 21, 30), 0);
	}
	/* No times: all day. */
	ck_parse_ok("Mo-Fr", "Mo-Fr 00:00-24:00");
	ck_assert_int_eq(open_at(MO, 0, 0), 1);
	ck_assert_int_eq(open_at(FR, 23, 59), 1);
	ck_assert_int_eq(open_at(SA, 0, 0), 0);
	ck_parse_ok("Mo-Fr open", "Mo-Fr 00:00-24:00");
	ck_parse_ok("Mo-Fr 09:00-17:00 open", "Mo-Fr 09:00-17:00");
}
END_TEST

START_TEST(test_lenient_spelling)
{
	ck_parse_ok("mo-fr 8:00-20:00", "Mo-Fr 08:00-20:00");
	ck_parse_ok("MO-FR 08:00-20:00;SA 9:30-12:00", "Mo-Fr 08:00-20:00; Sa 09:30-12:00");
	ck_parse_ok(" \tMo - Fr\t08:00 -20:00 ;; ", "Mo-Fr 08:00-20:00");
	ck_parse_ok("Mo-Fr08:00-20:00", "Mo-Fr 08:00-20:00");
	ck_parse_ok("Sa, Su 10:00-12:00", "Sa,Su 10:00-12:00");
	ck_parse_ok("Mo-Fr 08:00-20:00;\r\nSa 10:00-12:00", "Mo-Fr 08:00-20:00; Sa 10:00-12:00");
	ck_parse_ok("Su CLOSED; 10:00-12:00", "Mo-Su 10:00-12:00");
	ck_parse_ok("Mo 10:00-12:00; Su Off", "Mo 10:00-12:00");
}
END_TEST

START_TEST(test_not_nul_terminated)
{
	const char text[] = "Mo 10:00-12:00XYZ";
	ck_assert_int_eq(hours_parse(text, 14, &h, &eb), YZ_OK);
	ck_assert_int_eq(open_at(MO, 11, 0), 1);
	ck_assert_int_eq(hours_parse(NULL, 0, &h, &eb), YZ_EEMPTY);
}
END_TEST

/* ---- overrides ---- */

START_TEST(test_override_day_off)
{
	ck_parse_ok("Mo-Su 08:00-20:00; Su off", "Mo-Sa 08:00-20:00");
	ck_assert_int_eq(open_at(SA, 12, 0), 1);
	ck_assert_int_eq(open_at(SU, 12, 0), 0);
	ck_assert_int_eq(open_at(SU, 8, 0), 0);
	ck_parse_ok("Mo-Su 08:00-20:00; Su closed", "Mo-Sa 08:00-20:00");
	ck_parse_ok("Mo-Su 08:00-20:00; Sa,Su off", "Mo-Fr 08:00-20:00");
}
END_TEST

START_TEST(test_override_shorter_day)
{
	ck_parse_ok("Mo-Fr 09:00-17:00; Fr 09:00-12:00", "Mo-Th 09:00-17:00; Fr 09:00-12:00");
	ck_assert_int_eq(open_at(TH, 16, 0), 1);
	ck_assert_int_eq(open_at(FR, 11, 59), 1);
	ck_assert_int_eq(open_at(FR, 12, 0), 0);
	ck_assert_int_eq(open_at(FR, 16, 0), 0);
	/* The override replaces, it does not add: */
	ck_parse_ok("Mo-Fr 09:00-12:00; Fr 14:00-17:00", "Mo-Th 09:00-12:00; Fr 14:00-17:00");
	ck_assert_int_eq(open_at(FR, 10, 0), 0);
	ck_assert_int_eq(open_at(FR, 15, 0), 1);
}
END_TEST

START_TEST(test_override_order_matters)
{
	/* A later rule without days overrides every day. */
	ck_parse_ok("Mo-Fr 08:00-12:00; 14:00-20:00", "Mo-Su 14:00-20:00");
	ck_parse_ok("Su off; 10:00-12:00", "Mo-Su 10:00-12:00");
	ck_parse_ok("10:00-12:00; Su off", "Mo-Sa 10:00-12:00");
	ck_parse_ok("off", "off");
	ck_assert_int_eq(week_minutes(&h), 0);
	ck_parse_ok("Mo 10:00-12:00; off", "off");
	ck_parse_ok("off; Mo 10:00-12:00", "Mo 10:00-12:00");
}
END_TEST

START_TEST(test_additional_rule)
{
	/* ',' then a day adds without replacing. */
	ck_parse_ok("Mo-Fr 08:00-12:00, Fr 14:00-18:00", "Mo-Th 08:00-12:00; Fr 08:00-12:00,14:00-18:00");
	ck_assert_int_eq(open_at(FR, 10, 0), 1);
	ck_assert_int_eq(open_at(FR, 15, 0), 1);
	ck_parse_ok("Mo-Fr 08:00-20:00, Sa 09:00-12:00", "Mo-Fr 08:00-20:00; Sa 09:00-12:00");
	ck_parse_ok("Mo off, Tu 10:00-11:00", "Tu 10:00-11:00");
	ck_parse_ok("24/7, Mo 10:00-11:00", "24/7");
	ck_parse_fails("Mo-Fr 08:00-20:00, Fr off", YZ_EPARSE, "use ';'");
	ck_parse_fails("Mo-Fr 08:00-20:00, ", YZ_EPARSE, "',' must be followed");
	ck_parse_fails("Mo-Fr 08:00-20:00, Jan", YZ_EPARSE, "',' must be followed");
	ck_parse_fails("Mo, 08:00-20:00", YZ_EPARSE, "',' must be followed");
}
END_TEST

/* ---- past midnight ---- */

START_TEST(test_past_midnight)
{
	ck_parse_ok("Fr 22:00-02:00", "Fr 22:00-02:00");
	ck_assert_int_eq(open_at(FR, 21, 59), 0);
	ck_assert_int_eq(open_at(FR, 22, 0), 1);
	ck_assert_int_eq(open_at(FR, 23, 59), 1);
	ck_assert_int_eq(open_at(SA, 0, 0), 1);
	ck_assert_int_eq(open_at(SA, 1, 0), 1);
	ck_assert_int_eq(open_at(SA, 1, 59), 1);
	ck_assert_int_eq(open_at(SA, 2, 0), 0);
	ck_assert_int_eq(open_at(FR, 1, 0), 0); /* Thursday night is not open */
	ck_assert_int_eq(open_at(FR, 2, 0), 0);
	ck_assert_int_eq(week_minutes(&h), 240);

	struct hours_range r;
	ck_assert_int_eq(hours_day_count(&h, FR), 1);
	ck_assert(hours_day_range(&h, FR, 0, &r));
	ck_assert_int_eq(r.start_min, hm(22, 0));
	ck_assert_int_eq(r.end_min, 1440 + hm(2, 0));
	ck_assert(!hours_day_range(&h, FR, 1, &r));
	ck_assert_int_eq(hours_day_count(&h, SA), 0);
}
END_TEST

START_TEST(test_past_midnight_week_wrap)
{
	/* Sunday night runs into Monday morning. */
	ck_parse_ok("Su 20:00-03:00", "Su 20:00-03:00");
	ck_assert_int_eq(open_at(MO, 2, 59), 1);
	ck_assert_int_eq(open_at(MO, 3, 0), 0);
	ck_assert_int_eq(open_at(SU, 2, 0), 0);
	ck_parse_ok("Mo-Su 18:00-06:00", "Mo-Su 18:00-06:00");
	ck_assert_int_eq(week_minutes(&h), 7 * 720);
	ck_assert_int_eq(open_at(MO, 5, 0), 1);
	ck_assert_int_eq(open_at(MO, 12, 0), 0);
}
END_TEST

START_TEST(test_past_midnight_edges)
{
	/* An end equal to the start is 24 hours; 00:00 as an end is midnight. */
	ck_parse_ok("Mo 08:00-08:00", "Mo 08:00-08:00");
	ck_assert_int_eq(open_at(TU, 7, 59), 1);
	ck_assert_int_eq(open_at(TU, 8, 0), 0);
	ck_assert_int_eq(week_minutes(&h), 1440);
	ck_parse_ok("Mo 20:00-00:00", "Mo 20:00-24:00");
	ck_assert_int_eq(open_at(TU, 0, 0), 0);
	ck_parse_ok("Mo 00:00-00:00", "Mo 00:00-24:00");
	ck_parse_ok("Mo 23:59-00:01", "Mo 23:59-00:01");
	ck_assert_int_eq(week_minutes(&h), 2);
	/* Merged hours that run further past midnight than their own start. */
	ck_parse_ok("Mo 00:00-24:00,16:40-09:20", "Mo 00:00-24:00,23:59-09:20");
	ck_assert_int_eq(open_at(TU, 9, 19), 1);
	ck_assert_int_eq(open_at(TU, 9, 20), 0);
}
END_TEST

START_TEST(test_past_midnight_override)
{
	/* OSM semantics (opening_hours.js): a ';' rule for Saturday replaces
	 * everything about Saturday, including Friday's hours after midnight... */
	ck_parse_ok("Fr 22:00-02:00; Sa 10:00-12:00", "Fr 22:00-24:00; Sa 10:00-12:00");
	ck_assert_int_eq(open_at(FR, 23, 0), 1);
	ck_assert_int_eq(open_at(SA, 1, 0), 0);
	ck_assert_int_eq(open_at(SA, 11, 0), 1);
	ck_parse_ok("Mo-Su 22:00-02:00; Sa off", "Mo-Th,Su 22:00-02:00, Fr 22:00-24:00");
	ck_assert_int_eq(open_at(SA, 1, 0), 0);
	ck_assert_int_eq(open_at(SU, 1, 0), 0);
	ck_assert_int_eq(open_at(MO, 1, 0), 1);
	/* ...and a rule for Friday replaces Friday's hours, the part after
	 * midnight included, and the part of Thursday's that ran into Friday. */
	ck_parse_ok("Mo-Su 22:00-02:00; Fr 18:00-20:00",
		    "Mo-We,Sa,Su 22:00-02:00, Th 22:00-24:00; Fr 18:00-20:00");
	ck_assert_int_eq(open_at(SA, 1, 0), 0);
	ck_assert_int_eq(open_at(FR, 1, 0), 0);
	ck_assert_int_eq(open_at(TH, 1, 0), 1);
	ck_assert_int_eq(open_at(TH, 23, 0), 1);
	/* ',' adds without cutting. */
	ck_parse_ok("Fr 22:00-02:00, Sa 10:00-12:00", "Fr 22:00-02:00, Sa 10:00-12:00");
	ck_assert_int_eq(open_at(SA, 1, 0), 1);
	ck_assert_int_eq(open_at(SA, 11, 0), 1);
	/* A later rule that does not touch Friday or Saturday keeps the night. */
	ck_parse_ok("Fr 22:00-02:00; Mo 10:00-12:00", "Mo 10:00-12:00; Fr 22:00-02:00");
	ck_assert_int_eq(open_at(SA, 1, 0), 1);
}
END_TEST

/* ---- holidays ---- */

START_TEST(test_holidays_partial)
{
	ck_parse_ok("Mo-Fr 08:00-18:00; PH off", "Mo-Fr 08:00-18:00");
	ck_assert(hours_partial(&h));
	ck_assert_int_eq(open_at(MO, 9, 0), 1);
	ck_parse_ok("Mo-Su,PH 08:00-20:00", "Mo-Su 08:00-20:00");
	ck_assert(hours_partial(&h));
	ck_parse_ok("Sa,Su,PH 10:00-16:00; SH off", "Sa,Su 10:00-16:00");
	ck_assert(hours_partial(&h));
	ck_parse_ok("Mo-Fr 08:00-18:00; PH 10:00-12:00", "Mo-Fr 08:00-18:00");
	ck_assert(hours_partial(&h));
	ck_parse_ok("Mo-Fr 08:00-18:00, PH off", "Mo-Fr 08:00-18:00");
	ck_parse_ok("ph,Mo 10:00-12:00", "Mo 10:00-12:00");
	ck_parse_ok("Mo-Fr 08:00-18:00", "Mo-Fr 08:00-18:00");
	ck_assert(!hours_partial(&h));
	/* Nothing but holidays says nothing about ordinary days. */
	ck_parse_fails("PH off", YZ_EEMPTY, "holiday");
	ck_parse_fails("PH,SH 10:00-12:00; PH off", YZ_EEMPTY, "holiday");
	/* Holiday offsets are not read. */
	ck_parse_fails("PH +1 day off", YZ_EPARSE, "(+)");
}
END_TEST

/* ---- rejected ---- */

START_TEST(test_reject_bad_times)
{
	ck_parse_fails("Mo-Fr 25:00-26:00", YZ_EPARSE, "hour out of range");
	ck_parse_fails("Mo-Fr 08:00-26:00", YZ_EPARSE, "hour out of range");
	ck_parse_fails("08:60-10:00", YZ_EPARSE, "hour out of range");
	ck_parse_fails("08:00-24:01", YZ_EPARSE, "hour out of range");
	ck_parse_fails("24:00-02:00", YZ_EPARSE, "cannot start at 24:00");
	ck_parse_fails("08:00-", YZ_EPARSE, "expected a time after '-'");
	ck_parse_fails("08:00", YZ_EPARSE, "needs an end");
	ck_parse_fails("08:00 20:00", YZ_EPARSE, "needs an end");
	ck_parse_fails("8-20", YZ_EPARSE, "HH:MM");
	ck_parse_fails("08:0-20:00", YZ_EPARSE, "HH:MM");
	ck_parse_fails("08:000-20:00", YZ_EPARSE, "HH:MM");
	ck_parse_fails("008:00-20:00", YZ_EPARSE, "HH:MM");
	ck_parse_fails("08:00-20:00,", YZ_EPARSE, "',' must be followed");
	ck_parse_fails("08:00-20:00-22:00", YZ_EPARSE, "unexpected");
	ck_parse_fails("Mo 18:00+", YZ_EPARSE, "open ends");
	ck_parse_fails("Mo 10:00-16:00/90", YZ_EPARSE, "unexpected");
}
END_TEST

START_TEST(test_reject_bad_days)
{
	ck_parse_fails("Mo-Xx", YZ_EPARSE, "unknown word");
	ck_parse_fails("Mo-Xx 08:00-10:00", YZ_EPARSE, "column 4");
	ck_parse_fails("Mon-Fri 08:00-10:00", YZ_EPARSE, "unknown word");
	ck_parse_fails("Mo- 08:00-10:00", YZ_EPARSE, "expected a weekday after '-'");
	ck_parse_fails("Mo-PH", YZ_EPARSE, "unknown word");
	ck_parse_fails("Mo[1] 10:00-12:00", YZ_EPARSE, "nth weekdays");
	ck_parse_fails("Mo-Fr 08:00-20:00; Sa,", YZ_EPARSE, "',' must be followed");
}
END_TEST

START_TEST(test_reject_unsupported)
{
	ck_parse_fails("Jan-Mar Mo-Fr 08:00-12:00", YZ_EPARSE, "month");
	ck_parse_fails("Mo-Fr 08:00-20:00; Dec 25 off", YZ_EPARSE, "month");
	ck_parse_fails("week 01-10 Mo 08:00-12:00", YZ_EPARSE, "week");
	ck_parse_fails("2024 Mo-Fr 08:00-12:00", YZ_EPARSE, "years");
	ck_parse_fails("easter off", YZ_EPARSE, "easter");
	ck_parse_fails("sunrise-sunset", YZ_EPARSE, "sun");
	ck_parse_fails("Mo 08:00-sunset", YZ_EPARSE, "expected a time");
	ck_parse_fails("Mo-Fr 08:00-20:00 \"by appointment\"", YZ_EPARSE, "comments");
	ck_parse_fails("\"call us\"", YZ_EPARSE, "comments");
	ck_parse_fails("Mo-Fr 08:00-20:00 || \"on call\"", YZ_EPARSE, "fallback");
	ck_parse_fails("Mo-Fr 08:00-20:00 unknown", YZ_EPARSE, "unknown modifier");
	ck_parse_fails("Mo 12:00-13:00 off", YZ_EPARSE, "times with off");
	ck_parse_fails("Mo-Fr: 08:00-20:00", YZ_EPARSE, "wide-range");
	ck_parse_fails("Mo-Fr 8am-8pm", YZ_EPARSE, "HH:MM");
	ck_parse_fails("24/7 open", YZ_EPARSE, "unknown word");
}
END_TEST

START_TEST(test_reject_bytes)
{
	ck_parse_fails("周一至周五 08:00-20:00", YZ_EPARSE, "only ASCII");
	ck_parse_fails("Mo-Fr 08：00-20：00", YZ_EPARSE, "only ASCII"); /* full-width colon */
	ck_parse_fails("Mo-Fr 08:00\xe2\x80\x93" "20:00", YZ_EPARSE, "only ASCII"); /* en dash */
	ck_parse_fails("Mo\x01", YZ_EPARSE, "control character");
	const char nul[] = "Mo 10:00-12:00\0; Tu 10:00-12:00";
	ck_assert_int_eq(hours_parse(nul, sizeof nul - 1, &h, &eb), YZ_EPARSE);
	ck_assert(!hours_known(&h));
	ck_parse_fails("Mo-Fr 08:00-20:00 ~ 21:00", YZ_EPARSE, "unexpected character");
}
END_TEST

START_TEST(test_empty)
{
	/* An empty field: hours unknown, not closed. */
	ck_parse_fails("", YZ_EEMPTY, "empty");
	ck_parse_fails("   ", YZ_EEMPTY, "empty");
	ck_parse_fails(" ; ;", YZ_EEMPTY, "empty");
}
END_TEST

START_TEST(test_message_excerpt)
{
	ck_parse_fails("Mo-Fr 08:00-20:00; Sa 09:00-31:00 and some very long trailing text",
		       YZ_EPARSE, "column 29 near \"31:00 and some very long...\"");
	ck_parse_fails("Mo-Fr 08:00-20:00 \"x\"", YZ_EPARSE, "near \"?x?\"");
	ck_parse_fails("08:00-", YZ_EPARSE, "at the end");
	/* A NULL error buffer is fine. */
	ck_assert_int_eq(hours_parse("bad", 3, &h, NULL), YZ_EPARSE);
	ck_assert_int_eq(hours_parse("Mo", 2, &h, NULL), YZ_OK);
}
END_TEST

START_TEST(test_failure_resets_previous)
{
	ck_parse_ok("24/7", "24/7");
	ck_assert_int_eq(parse("Mo 25:00-26:00"), YZ_EPARSE);
	ck_assert(!hours_known(&h));
	ck_assert(!hours_partial(&h));
	ck_assert_int_eq(week_minutes(&h), 0);
	ck_assert_uint_eq(hours_day_count(&h, MO), 0);
	char text[8] = "x";
	ck_assert_uint_eq(hours_format(&h, text, sizeof text), 0);
	ck_assert_str_eq(text, "");
	struct hours fresh;
	hours_init(&fresh);
	ck_assert(!hours_known(&fresh));
	ck_assert_int_eq(hours_open_at(&fresh, MO, 0), 0);
}
END_TEST

/* ---- limits ---- */

START_TEST(test_limits)
{
	char big[HOURS_MAX_LEN + 2];
	memset(big, ' ', sizeof big);
	memcpy(big, "Mo", 2);
	ck_assert_int_eq(hours_parse(big, HOURS_MAX_LEN, &h, &eb), YZ_OK);
	ck_assert_int_eq(hours_parse(big, HOURS_MAX_LEN + 1, &h, &eb), YZ_ELIMIT);
	ck_assert(!hours_known(&h));
	ck_assert_ptr_nonnull(strstr(eb.msg, "longer than"));

	ck_parse_ok("Mo 01:00-01:30,02:00-02:30,03:00-03:30,04:00-04:30,05:00-05:30,"
		    "06:00-06:30,07:00-07:30,08:00-08:30",
		    "Mo 01:00-01:30,02:00-02:30,03:00-03:30,04:00-04:30,05:00-05:30,"
		    "06:00-06:30,07:00-07:30,08:00-08:30");
	ck_parse_fails("Mo 01:00-01:30,02:00-02:30,03:00-03:30,04:00-04:30,05:00-05:30,"
		       "06:00-06:30,07:00-07:30,08:00-08:30,09:00-09:30",
		       YZ_ELIMIT, "too many time ranges");
	/* Ranges that merge do not count twice. */
	ck_parse_ok("Mo 01:00-01:30,02:00-02:30,03:00-03:30,04:00-04:30,05:00-05:30,"
		    "06:00-06:30,07:00-07:30,08:00-08:30,08:30-09:30",
		    "Mo 01:00-01:30,02:00-02:30,03:00-03:30,04:00-04:30,05:00-05:30,"
		    "06:00-06:30,07:00-07:30,08:00-09:30");
	/* Additional rules add up in one day. */
	ck_parse_fails("Mo 01:00-01:30,02:00-02:30,03:00-03:30,04:00-04:30,05:00-05:30,"
		       "06:00-06:30,07:00-07:30,08:00-08:30, Mo 10:00-11:00",
		       YZ_ELIMIT, "too many time ranges");
}
END_TEST

START_TEST(test_open_at_bad_arguments)
{
	ck_parse_ok("24/7", "24/7");
	ck_assert_int_eq(hours_open_at(&h, -1, 0), 0);
	ck_assert_int_eq(hours_open_at(&h, 7, 0), 0);
	ck_assert_int_eq(hours_open_at(&h, 0, -1), 0);
	ck_assert_int_eq(hours_open_at(&h, 0, 1440), 0);
	ck_assert_uint_eq(hours_day_count(&h, 7), 0);
	struct hours_range r = { 1, 2 };
	ck_assert(!hours_day_range(&h, -1, 0, &r));
	ck_assert_int_eq(r.start_min, 1);
}
END_TEST

/* ---- canonical text ---- */

START_TEST(test_format_round_trip)
{
	static const char *const samples[] = {
		"Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00",
		"Mo-Su 22:00-02:00; Sa off",
		"Fr 22:00-02:00, Sa 10:00-12:00",
		"Th-Tu 18:00-06:00, We 23:00-01:00",
		"Mo 00:00-24:00,16:40-09:20; Tu 05:00-06:00",
		"Mo-Fr 07:00-09:00,11:00-13:00,17:00-23:30; Sa 10:00-04:00",
		"24/7; We 10:00-10:00",
		"off",
	};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		struct hours a, b;
		char text[HOURS_FORMAT_MAX], again[HOURS_FORMAT_MAX];
		ck_assert_int_eq(hours_parse(samples[i], strlen(samples[i]), &a, &eb), YZ_OK);
		size_t n = hours_format(&a, text, sizeof text);
		ck_assert_uint_eq(n, strlen(text));
		ck_assert_msg(hours_parse(text, n, &b, &eb) == YZ_OK, "%s: %s", text, eb.msg);
		ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "%s -> %s", samples[i], text);
		hours_format(&b, again, sizeof again);
		ck_assert_str_eq(text, again);
	}
}
END_TEST

START_TEST(test_format_truncates_like_snprintf)
{
	ck_parse_ok("Mo-Fr 08:00-20:00", "Mo-Fr 08:00-20:00");
	char small[6];
	ck_assert_uint_eq(hours_format(&h, small, sizeof small), 17);
	ck_assert_str_eq(small, "Mo-Fr");
	ck_assert_uint_eq(hours_format(&h, NULL, 0), 17);
}
END_TEST

/* ---- property test against a reference model ---- */

/* The reference: for each day d, which of the 2880 minutes from d's midnight
 * are open "because of day d" (a rule naming d), one bit per minute.  A ';'
 * rule naming d clears all of d's bits and the previous day's bits past its
 * midnight; a ',' rule only sets bits.  Open at (d, m) when d's bit m or the
 * previous day's bit 1440 + m is set.  Deliberately naive: no ranges, no
 * merging, no spill field. */
struct model {
	unsigned char own[7][2880];
};

struct gen_range {
	int start, end; /* minutes, as written: end <= start wraps */
};

static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng_state >> 33) % n;
}

static void put_time_text(char *buf, size_t cap, int min)
{
	size_t n = strlen(buf);
	snprintf(buf + n, cap - n, "%02d:%02d", min / 60, min % 60);
}

START_TEST(test_model_random_rules)
{
	static const char *const names[7] = { "Mo", "Tu", "We", "Th", "Fr", "Sa", "Su" };
	rng_state = 20261204;
	for (int iter = 0; iter < 3000; iter++) {
		struct model m;
		memset(&m, 0, sizeof m);
		char text[HOURS_MAX_LEN + 64] = "";
		int nrules = 1 + (int)rnd(4);
		bool days_only = false; /* the text so far ends with a day name */
		for (int r = 0; r < nrules; r++) {
			/* After a day name, ", Mo" would continue the day list. */
			bool additional = r > 0 && !days_only && rnd(3) == 0;
			unsigned days = 0;
			bool named = rnd(5) != 0, off = !additional && rnd(6) == 0;
			if (r > 0)
				strcat(text, additional ? ", " : "; ");
			if (additional)
				named = true;
			if (named) {
				int items = 1 + (int)rnd(2);
				for (int k = 0; k < items; k++) {
					int a = (int)rnd(7), b = rnd(2) ? (int)rnd(7) : a;
					if (k > 0)
						strcat(text, ",");
					strcat(text, names[a]);
					if (b != a) {
						strcat(text, "-");
						strcat(text, names[b]);
					}
					for (int d = a;; d = (d + 1) % 7) {
						days |= 1u << d;
						if (d == b)
							break;
					}
				}
			} else {
				days = 0x7F;
			}
			struct gen_range gr[3];
			int ng = off ? 0 : (int)rnd(4);
			for (int k = 0; k < ng; k++) {
				gr[k].start = (int)rnd(24 * 4) * 15;
				gr[k].end = (int)rnd(24 * 4 + 1) * 15;
				strcat(text, k == 0 ? " " : ",");
				put_time_text(text, sizeof text, gr[k].start);
				strcat(text, "-");
				put_time_text(text, sizeof text, gr[k].end);
			}
			if (off)
				strcat(text, " off");
			else if (ng == 0 && !named)
				strcat(text, " open");
			days_only = named && ng == 0 && !off;

			/* The model's reading of the rule. */
			if (!additional) {
				for (int d = 0; d < 7; d++)
					if (days & (1u << d)) {
						memset(m.own[(d + 6) % 7] + 1440, 0, 1440);
					}
				for (int d = 0; d < 7; d++)
					if (days & (1u << d))
						memset(m.own[d], 0, 2880);
			}
			for (int d = 0; d < 7; d++) {
				if (!(days & (1u << d)) || off)
					continue;
				if (ng == 0)
					memset(m.own[d], 1, 1440);
				for (int k = 0; k < ng; k++) {
					int s = gr[k].start, e = gr[k].end;
					if (e <= s)
						e += 1440;
					memset(m.own[d] + s, 1, (size_t)(e - s));
				}
			}
		}

		enum yz_err err = hours_parse(text, strlen(text), &h, &eb);
		if (err == YZ_ELIMIT)
			continue; /* a day with more than 8 ranges */
		ck_assert_msg(err == YZ_OK, "\"%s\": %s", text, eb.msg);
		/* Plain comparisons in the loop: each Check assertion that passes
		 * still costs a write to the runner. */
		for (int d = 0; d < 7; d++)
			for (int mi = 0; mi < 1440; mi++) {
				int want = m.own[d][mi] || m.own[(d + 6) % 7][1440 + mi];
				if (hours_open_at(&h, d, mi) != want)
					ck_abort_msg("\"%s\" at %s %02d:%02d: %d", text, names[d],
						     mi / 60, mi % 60, !want);
			}

		/* The canonical text gives the same table back. */
		struct hours b;
		char canon[HOURS_FORMAT_MAX];
		hours_format(&h, canon, sizeof canon);
		ck_assert_msg(hours_parse(canon, strlen(canon), &b, &eb) == YZ_OK, "%s: %s", canon,
			      eb.msg);
		b.partial = h.partial;
		ck_assert_msg(memcmp(&h, &b, sizeof h) == 0, "\"%s\" -> \"%s\"", text, canon);
	}
}
END_TEST

/* ---- real-world strings ---- */

START_TEST(test_real_world)
{
	static const struct {
		const char *text;
		int wd, hour, minute, open;
	} cases[] = {
		{ "Mo-Fr 09:00-17:00; Sa 09:00-12:00; Su,PH off", SA, 11, 0, 1 },
		{ "Mo-Fr 09:00-17:00; Sa 09:00-12:00; Su,PH off", SU, 11, 0, 0 },
		{ "Mo-Su 07:00-21:00", SU, 20, 59, 1 },
		{ "Mo-Fr 08:30-11:30,13:30-17:30", TU, 12, 30, 0 },
		{ "Mo-Fr 08:30-11:30,13:30-17:30", TU, 13, 30, 1 },
		{ "Mo-Th 10:00-24:00; Fr-Sa 10:00-02:00; Su 12:00-22:00", SA, 1, 30, 1 },
		/* OSM semantics: the Sunday rule replaces Saturday's night too;
		 * "Fr-Sa 10:00-02:00, Su 12:00-22:00" would keep it. */
		{ "Mo-Th 10:00-24:00; Fr-Sa 10:00-02:00; Su 12:00-22:00", SU, 1, 30, 0 },
		{ "Mo-Th 10:00-24:00; Fr-Sa 10:00-02:00, Su 12:00-22:00", SU, 1, 30, 1 },
		{ "Mo-Th 10:00-24:00; Fr-Sa 10:00-02:00; Su 12:00-22:00", MO, 1, 30, 0 },
		{ "Mo-Sa 06:00-22:00; Su 08:00-20:00; PH off", SU, 7, 0, 0 },
		{ "24/7", WE, 3, 0, 1 },
		{ "Mo-Fr 07:30-19:30; Sa-Su 09:00-17:00", SA, 17, 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_msg(parse(cases[i].text) == YZ_OK, "%s: %s", cases[i].text, eb.msg);
		ck_assert_msg(open_at(cases[i].wd, cases[i].hour, cases[i].minute) == cases[i].open,
			      "%s, day %d %02d:%02d", cases[i].text, cases[i].wd, cases[i].hour,
			      cases[i].minute);
	}
}
END_TEST

Suite *hours_suite(void)
{
	Suite *s = suite_create("hours");
	TCase *tc = tcase_create("syntax");
	tcase_add_test(tc, test_simple_week);
	tcase_add_test(tc, test_always);
	tcase_add_test(tc, test_day_lists_and_ranges);
	tcase_add_test(tc, test_wrapping_day_range);
	tcase_add_test(tc, test_several_time_ranges);
	tcase_add_test(tc, test_times_only_and_days_only);
	tcase_add_test(tc, test_lenient_spelling);
	tcase_add_test(tc, test_not_nul_terminated);
	tcase_add_test(tc, test_real_world);
	suite_add_tcase(s, tc);

	tc = tcase_create("semantics");
	tcase_add_test(tc, test_override_day_off);
	tcase_add_test(tc, test_override_shorter_day);
	tcase_add_test(tc, test_override_order_matters);
	tcase_add_test(tc, test_additional_rule);
	tcase_add_test(tc, test_past_midnight);
	tcase_add_test(tc, test_past_midnight_week_wrap);
	tcase_add_test(tc, test_past_midnight_edges);
	tcase_add_test(tc, test_past_midnight_override);
	tcase_add_test(tc, test_holidays_partial);
	suite_add_tcase(s, tc);

	tc = tcase_create("rejected");
	tcase_add_test(tc, test_reject_bad_times);
	tcase_add_test(tc, test_reject_bad_days);
	tcase_add_test(tc, test_reject_unsupported);
	tcase_add_test(tc, test_reject_bytes);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_message_excerpt);
	tcase_add_test(tc, test_failure_resets_previous);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_open_at_bad_arguments);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_format_round_trip);
	tcase_add_test(tc, test_format_truncates_like_snprintf);
	tcase_add_test(tc, test_model_random_rules);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
