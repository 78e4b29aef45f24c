/* hours.c — OSM `opening_hours` for rest stations; see hours.h for the
 * accepted syntax and its meaning.
 *
 * A recursive-descent parser over the bytes, one rule at a time: each rule is
 * first collected into a `struct rule` (days, merged ranges, spill, modifier)
 * and only then applied to the weekly table, so a rule that fails halfway
 * never touches the table, and the table is copied to the caller only when
 * the whole input was accepted.  Inputs are at most HOURS_MAX_LEN bytes and
 * the table is 248 bytes, so everything lives on the stack.
 *
 * Table invariants (kept by range_add and apply_rule): per day at most
 * HOURS_MAX_RANGES ranges within [0, 1440], sorted, disjoint, not touching,
 * unused slots zero (equal tables are equal bytes: the fuzz target and the
 * tests compare with memcmp); spill_min[d] > 0 only when day d's last range
 * ends at 1440. */
#include "hours.h"

#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(struct hours) == 248, "struct hours has no padding");

#define DAY_MIN 1440
#define ALL_DAYS 0x7F

/* Room for a quoted excerpt of the input in a message. */
#define EXCERPT_MAX 24

enum modifier { MOD_NONE, MOD_OPEN, MOD_OFF };

/* One rule, as read: applied to the table only once it is complete. */
struct rule {
	uint8_t days;     /* bit d: weekday d named (0 = Monday) */
	bool named_days;  /* a weekday appeared; else the rule means every day */
	bool named_holiday; /* PH or SH appeared (and were dropped) */
	bool has_times;
	enum modifier mod;
	uint8_t count;    /* own ranges, merged, within the day */
	struct hours_range range[HOURS_MAX_RANGES];
	uint16_t spill_min; /* longest run past midnight, 0..1440 */
};

struct parser {
	const char *s;
	size_t len, pos;
	struct yz_errbuf *eb;
};

static const char *const day_names[7] = { "Mo", "Tu", "We", "Th", "Fr", "Sa", "Su" };

/* ---- lexing helpers ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->len && is_space(p->s[p->pos]))
		p->pos++;
}

/* The byte at the cursor, or '\0' at the end (a NUL inside the input is
 * rejected before parsing, so '\0' always means the end). */
static char peek(const struct parser *p)
{
	return p->pos < p->len ? p->s[p->pos] : '\0';
}

/* Length of the run of letters at `at`. */
static size_t word_len(const struct parser *p, size_t at)
{
	size_t n = 0;
	while (at + n < p->len && is_alpha(p->s[at + n]))
		n++;
	return n;
}

/* Whether the word of length n at `at` is `kw` (lower case), ignoring case. */
static bool word_is(const struct parser *p, size_t at, size_t n, const char *kw)
{
	if (strlen(kw) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(p->s[at + i]) != kw[i])
			return false;
	return true;
}

/* 0..6 for a day name (Mo..Su), 7 for PH or SH, -1 otherwise. */
static int day_word(const struct parser *p, size_t at, size_t n)
{
	static const char *const lower_days[7] = { "mo", "tu", "we", "th", "fr", "sa", "su" };
	for (int d = 0; d < 7; d++)
		if (word_is(p, at, n, lower_days[d]))
			return d;
	if (word_is(p, at, n, "ph") || word_is(p, at, n, "sh"))
		return 7;
	return -1;
}

/* Whether, after spaces, the cursor is at a day name or PH/SH (without moving). */
static bool at_day_word(struct parser *p)
{
	size_t save = p->pos;
	skip_space(p);
	size_t n = word_len(p, p->pos);
	bool yes = n > 0 && day_word(p, p->pos, n) >= 0;
	p->pos = save;
	return yes;
}

/* ---- errors ---- */

static const char *excerpt(char *dst, const char *s, size_t n)
{
	size_t m = n > EXCERPT_MAX ? EXCERPT_MAX : n;
	for (size_t i = 0; i < m; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[i] = c >= 0x20 && c < 0x7F && c != '"' ? (char)c : '?';
	}
	if (m < n) {
		memcpy(dst + m, "...", 3);
		m += 3;
	}
	dst[m] = '\0';
	return dst;
}

/* Fail at byte `at` with a reason. */
static enum yz_err fail_at(struct parser *p, enum yz_err err, size_t at, const char *why)
{
	char ex[EXCERPT_MAX + 4];
	if (at >= p->len)
		return yz_fail(p->eb, err, "hours: %s at the end", why);
	return yz_fail(p->eb, err, "hours: %s at column %zu near \"%s\"", why, at + 1,
		       excerpt(ex, p->s + at, p->len - at));
}

/* Why a word at the cursor is not accepted: the unsupported parts of the OSM
 * grammar get their own message, so a data owner knows what to simplify. */
static enum yz_err fail_word(struct parser *p, size_t at, size_t n)
{
	static const char *const months[12] = { "jan", "feb", "mar", "apr", "may", "jun",
						"jul", "aug", "sep", "oct", "nov", "dec" };
	for (int m = 0; m < 12; m++)
		if (word_is(p, at, n, months[m]))
			return fail_at(p, YZ_EPARSE, at, "month selectors are not supported");
	if (word_is(p, at, n, "week"))
		return fail_at(p, YZ_EPARSE, at, "week selectors are not supported");
	if (word_is(p, at, n, "easter"))
		return fail_at(p, YZ_EPARSE, at, "easter is not supported");
	if (word_is(p, at, n, "sunrise") || word_is(p, at, n, "sunset") ||
	    word_is(p, at, n, "dawn") || word_is(p, at, n, "dusk"))
		return fail_at(p, YZ_EPARSE, at, "sun-based times are not supported");
	if (word_is(p, at, n, "unknown"))
		return fail_at(p, YZ_EPARSE, at, "the unknown modifier is not supported");
	if (word_is(p, at, n, "day") || word_is(p, at, n, "days"))
		return fail_at(p, YZ_EPARSE, at, "day offsets are not supported");
	return fail_at(p, YZ_EPARSE, at, "unknown word");
}

/* Why a character is not accepted where a rule part or a separator belongs. */
static enum yz_err fail_char(struct parser *p)
{
	size_t at = p->pos;
	char c = peek(p);
	if (c == '"')
		return fail_at(p, YZ_EPARSE, at, "comments are not supported");
	if (c == '|')
		return fail_at(p, YZ_EPARSE, at, "fallback rules (||) are not supported");
	if (c == '[')
		return fail_at(p, YZ_EPARSE, at, "nth weekdays are not supported");
	if (c == '+')
		return fail_at(p, YZ_EPARSE, at, "open ends and offsets (+) are not supported");
	if (c == ':')
		return fail_at(p, YZ_EPARSE, at, "wide-range selectors (':') are not supported");
	if (is_alpha(c))
		return fail_word(p, at, word_len(p, at));
	return fail_at(p, YZ_EPARSE, at, "unexpected character");
}

/* ---- ranges ---- */

/* Insert [a, b) (0 <= a < b <= 1440) into a sorted, disjoint, non-touching
 * list of HOURS_MAX_RANGES slots, merging what overlaps or touches.  False,
 * and the list untouched, when the result would need more than
 * HOURS_MAX_RANGES ranges. */
static bool range_add(struct hours_range *list, uint8_t *count, unsigned a, unsigned b)
{
	struct hours_range tmp[HOURS_MAX_RANGES + 1];
	unsigned k = 0;
	bool placed = false;
	for (unsigned i = 0; i < *count; i++) {
		unsigned s = list[i].start_min, e = list[i].end_min;
		if (e < a) {
			tmp[k++] = list[i];
		} else if (s > b) {
			if (!placed) {
				tmp[k++] = (struct hours_range){ (uint16_t)a, (uint16_t)b };
				placed = true;
			}
			tmp[k++] = list[i];
		} else {
			a = s < a ? s : a;
			b = e > b ? e : b;
		}
	}
	if (!placed)
		tmp[k++] = (struct hours_range){ (uint16_t)a, (uint16_t)b };
	if (k > HOURS_MAX_RANGES)
		return false;
	/* Unused slots stay zero, so equal tables compare equal bytewise. */
	memset(list, 0, HOURS_MAX_RANGES * sizeof *list);
	memcpy(list, tmp, k * sizeof *tmp);
	*count = (uint8_t)k;
	return true;
}

/* ---- parsing ---- */

/* A time H:MM or HH:MM at the cursor; `end` allows 24:00.  Minutes from
 * midnight in *out. */
static enum yz_err parse_time(struct parser *p, bool end, unsigned *out)
{
	size_t at = p->pos;
	size_t nd = 0;
	while (p->pos + nd < p->len && is_digit(p->s[p->pos + nd]))
		nd++;
	if (nd == 0)
		return fail_at(p, YZ_EPARSE, at, end ? "expected a time after '-'" : "expected a time");
	if (nd > 2 || p->pos + nd >= p->len || p->s[p->pos + nd] != ':')
		return fail_at(p, YZ_EPARSE, at,
			       nd == 4 ? "years and dates are not supported"
				       : "expected a time as HH:MM");
	unsigned h = 0;
	for (size_t i = 0; i < nd; i++)
		h = h * 10 + (unsigned)(p->s[p->pos + i] - '0');
	size_t m0 = p->pos + nd + 1;
	if (m0 + 2 > p->len || !is_digit(p->s[m0]) || !is_digit(p->s[m0 + 1]) ||
	    (m0 + 2 < p->len && is_digit(p->s[m0 + 2])))
		return fail_at(p, YZ_EPARSE, at, "expected a time as HH:MM");
	unsigned m = (unsigned)(p->s[m0] - '0') * 10 + (unsigned)(p->s[m0 + 1] - '0');
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return fail_at(p, YZ_EPARSE, at, "hour out of range");
	if (h == 24 && !end)
		return fail_at(p, YZ_EPARSE, at, "a range cannot start at 24:00");
	p->pos = m0 + 2;
	*out = h * 60 + m;
	return YZ_OK;
}

/* Time ranges separated by ',' into the rule.  Stops before a ',' that is
 * not followed by a time (an additional rule, or an error for the caller). */
static enum yz_err parse_times(struct parser *p, struct rule *r)
{
	enum yz_err err;
	for (;;) {
		unsigned start, end;
		size_t at = p->pos;
		if ((err = parse_time(p, false, &start)) != YZ_OK)
			return err;
		skip_space(p);
		if (peek(p) == '+')
			return fail_char(p);
		if (peek(p) != '-')
			return fail_at(p, YZ_EPARSE, at, "a time needs an end (HH:MM-HH:MM)");
		p->pos++;
		skip_space(p);
		if ((err = parse_time(p, true, &end)) != YZ_OK)
			return err;
		/* An end at or before the start runs into the next day; equal
		 * means 24 hours from the start (as opening_hours.js). */
		if (end <= start)
			end += DAY_MIN;
		unsigned own_end = end < DAY_MIN ? end : DAY_MIN;
		if (!range_add(r->range, &r->count, start, own_end))
			return fail_at(p, YZ_ELIMIT, at, "too many time ranges in a day");
		if (end > DAY_MIN && end - DAY_MIN > r->spill_min)
			r->spill_min = (uint16_t)(end - DAY_MIN);
		r->has_times = true;

		size_t save = p->pos;
		skip_space(p);
		if (peek(p) == ',') {
			p->pos++;
			skip_space(p);
			if (is_digit(peek(p)))
				continue;
		}
		p->pos = save;
		return YZ_OK;
	}
}

/* Weekdays, day ranges and PH/SH separated by ','.  The cursor is at a day
 * word.  Stops before a ',' that is not followed by one. */
static enum yz_err parse_days(struct parser *p, struct rule *r)
{
	for (;;) {
		size_t at = p->pos, n = word_len(p, at);
		int d1 = n ? day_word(p, at, n) : -1;
		if (d1 < 0)
			return n ? fail_word(p, at, n) : fail_at(p, YZ_EPARSE, at, "expected a weekday");
		p->pos += n;
		if (d1 == 7) {
			r->named_holiday = true;
		} else {
			int d2 = d1;
			size_t save = p->pos;
			skip_space(p);
			if (peek(p) == '-') {
				p->pos++;
				skip_space(p);
				size_t at2 = p->pos, n2 = word_len(p, at2);
				d2 = n2 ? day_word(p, at2, n2) : -1;
				if (d2 < 0 || d2 == 7)
					return n2 ? fail_word(p, at2, n2)
						  : fail_at(p, YZ_EPARSE, at2, "expected a weekday after '-'");
				p->pos += n2;
			} else {
				p->pos = save;
			}
			/* Fr-Mo wraps over the weekend. */
			for (int d = d1;; d = (d + 1) % 7) {
				r->days |= (uint8_t)(1u << d);
				if (d == d2)
					break;
			}
			r->named_days = true;
		}
		size_t save = p->pos;
		skip_space(p);
		if (peek(p) == '[' || peek(p) == '+')
			return fail_char(p);
		if (peek(p) == ',') {
			p->pos++;
			if (at_day_word(p)) {
				skip_space(p);
				continue;
			}
		}
		p->pos = save;
		return YZ_OK;
	}
}

/* One rule: `24/7`, or [days] [times] [modifier].  The cursor is after
 * spaces, at something that is not a separator. */
static enum yz_err parse_rule(struct parser *p, struct rule *r)
{
	enum yz_err err;
	memset(r, 0, sizeof *r);
	if (p->len - p->pos >= 4 && memcmp(p->s + p->pos, "24/7", 4) == 0) {
		p->pos += 4;
		r->has_times = true;
		r->count = 1;
		r->range[0] = (struct hours_range){ 0, DAY_MIN };
		skip_space(p);
		return YZ_OK;
	}
	if (is_alpha(peek(p)) && at_day_word(p)) {
		if ((err = parse_days(p, r)) != YZ_OK)
			return err;
		skip_space(p);
	}
	if (is_digit(peek(p))) {
		if ((err = parse_times(p, r)) != YZ_OK)
			return err;
		skip_space(p);
	}
	if (is_alpha(peek(p))) {
		size_t at = p->pos, n = word_len(p, at);
		if (word_is(p, at, n, "open"))
			r->mod = MOD_OPEN;
		else if (word_is(p, at, n, "off") || word_is(p, at, n, "closed"))
			r->mod = MOD_OFF;
		else
			return fail_word(p, at, n);
		if (r->mod == MOD_OFF && r->has_times)
			return fail_at(p, YZ_EPARSE, at, "times with off/closed are not supported");
		p->pos += n;
		skip_space(p);
	}
	if (!r->named_days && !r->named_holiday && !r->has_times && r->mod == MOD_NONE)
		return fail_char(p);
	return YZ_OK;
}

/* Apply a complete rule to the table; see hours.h for the meaning. */
static bool apply_rule(struct hours *t, const struct rule *r, bool additional)
{
	if (r->named_holiday)
		t->partial = true;
	if (r->named_holiday && !r->named_days)
		return true; /* holidays only: we cannot tell when they are */
	uint8_t days = r->named_days ? r->days : ALL_DAYS;
	struct hours_range all_day = { 0, DAY_MIN };
	const struct hours_range *src = r->has_times ? r->range : &all_day;
	unsigned n = r->has_times ? r->count : 1;
	unsigned spill = r->has_times ? r->spill_min : 0;
	if (r->mod == MOD_OFF)
		n = 0;

	if (!additional) {
		for (int d = 0; d < 7; d++)
			if (days & (1u << d))
				t->spill_min[(d + 6) % 7] = 0;
		for (int d = 0; d < 7; d++) {
			if (!(days & (1u << d)))
				continue;
			memset(t->range[d], 0, sizeof t->range[d]);
			memcpy(t->range[d], src, n * sizeof *src);
			t->count[d] = (uint8_t)n;
			t->spill_min[d] = (uint16_t)spill;
		}
		return true;
	}
	for (int d = 0; d < 7; d++) {
		if (!(days & (1u << d)))
			continue;
		for (unsigned i = 0; i < n; i++)
			if (!range_add(t->range[d], &t->count[d], src[i].start_min, src[i].end_min))
				return false;
		if (spill > t->spill_min[d])
			t->spill_min[d] = (uint16_t)spill;
	}
	return true;
}

void hours_init(struct hours *h)
{
	memset(h, 0, sizeof *h);
}

enum yz_err hours_parse(const char *s, size_t len, struct hours *out, struct yz_errbuf *eb)
{
	struct parser p = { s, len, 0, eb };
	struct hours t;
	enum yz_err err = YZ_OK;
	hours_init(&t);
	hours_init(out);

	if (len > HOURS_MAX_LEN)
		return yz_fail(eb, YZ_ELIMIT, "hours: longer than %d bytes", HOURS_MAX_LEN);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !is_space((char)c)) || c >= 0x7F)
			return fail_at(&p, YZ_EPARSE, i,
				       c >= 0x80 ? "only ASCII is accepted" : "control character");
	}

	bool any = false, holidays = false, additional = false;
	for (;;) {
		skip_space(&p);
		char c = peek(&p);
		if (c == '\0')
			break;
		if (c == ';') {
			/* Empty rules (`;;`, a trailing ';') are tolerated. */
			if (additional)
				return fail_at(&p, YZ_EPARSE, p.pos, "expected a rule after ','");
			p.pos++;
			continue;
		}
		struct rule r;
		size_t at = p.pos;
		if ((err = parse_rule(&p, &r)) != YZ_OK)
			return err;
		if (additional && r.mod == MOD_OFF && r.named_days)
			return fail_at(&p, YZ_EPARSE, at,
				       "off/closed after ',' is not supported (use ';')");
		if (!apply_rule(&t, &r, additional))
			return fail_at(&p, YZ_ELIMIT, at, "too many time ranges in a day");
		any = any || r.named_days || !r.named_holiday;
		holidays = holidays || r.named_holiday;
		additional = false;
		c = peek(&p);
		if (c == ';') {
			p.pos++;
		} else if (c == ',') {
			p.pos++;
			if (!at_day_word(&p))
				return fail_at(&p, YZ_EPARSE, p.pos - 1,
					       "',' must be followed by a time or a weekday");
			additional = true;
		} else if (c != '\0') {
			return fail_char(&p);
		}
	}
	if (additional)
		return fail_at(&p, YZ_EPARSE, p.pos, "expected a rule after ','");
	if (!any && holidays)
		return yz_fail(eb, YZ_EEMPTY,
			       "hours: only holiday rules (PH, SH), nothing about ordinary days");
	if (!any)
		return yz_fail(eb, YZ_EEMPTY, "hours: empty");
	t.known = true;
	*out = t;
	return YZ_OK;
}

/* ---- evaluation ---- */

int hours_open_at(const struct hours *h, int weekday, int minute_of_day)
{
	if (!h->known || weekday < 0 || weekday > 6 || minute_of_day < 0 ||
	    minute_of_day >= DAY_MIN)
		return 0;
	unsigned m = (unsigned)minute_of_day;
	for (unsigned i = 0; i < h->count[weekday]; i++) {
		const struct hours_range *r = &h->range[weekday][i];
		if (r->start_min <= m && m < r->end_min)
			return 1;
	}
	return m < h->spill_min[(weekday + 6) % 7];
}

bool hours_known(const struct hours *h)
{
	return h->known;
}

bool hours_partial(const struct hours *h)
{
	return h->known && h->partial;
}

unsigned hours_day_count(const struct hours *h, int weekday)
{
	if (!h->known || weekday < 0 || weekday > 6)
		return 0;
	return h->count[weekday];
}

bool hours_day_range(const struct hours *h, int weekday, unsigned i, struct hours_range *out)
{
	if (i >= hours_day_count(h, weekday))
		return false;
	*out = h->range[weekday][i];
	if (i + 1 == h->count[weekday])
		out->end_min = (uint16_t)(out->end_min + h->spill_min[weekday]);
	return true;
}

/* ---- formatting ---- */

/* A bounded writer that counts what it could not store, like snprintf. */
struct out {
	char *buf;
	size_t cap, len;
};

static void put(struct out *o, const char *text)
{
	for (; *text; text++, o->len++)
		if (o->len + 1 < o->cap)
			o->buf[o->len] = *text;
}

static void put_time(struct out *o, unsigned min)
{
	char t[8];
	snprintf(t, sizeof t, "%02u:%02u", (min / 60) % 100, min % 60);
	put(o, t);
}

static bool same_day(const struct hours *h, int a, int b)
{
	return h->count[a] == h->count[b] && h->spill_min[a] == h->spill_min[b] &&
	       memcmp(h->range[a], h->range[b], h->count[a] * sizeof h->range[a][0]) == 0;
}

/* Days of a group: runs of three or more as Mo-We, shorter ones listed. */
static void put_days(struct out *o, uint8_t days)
{
	bool first = true;
	for (int d = 0; d < 7;) {
		if (!(days & (1u << d))) {
			d++;
			continue;
		}
		int e = d;
		while (e + 1 < 7 && (days & (1u << (e + 1))))
			e++;
		for (int k = d; k <= e; k++) {
			if (!first)
				put(o, ",");
			first = false;
			put(o, day_names[k]);
			if (e - d >= 2) {
				put(o, "-");
				put(o, day_names[e]);
				break;
			}
		}
		d = e + 1;
	}
}

static void put_ranges(struct out *o, const struct hours *h, int d)
{
	for (unsigned i = 0; i < h->count[d]; i++) {
		const struct hours_range *r = &h->range[d][i];
		unsigned spill = i + 1 == h->count[d] ? h->spill_min[d] : 0;
		if (i > 0)
			put(o, ",");
		put_time(o, r->start_min);
		put(o, "-");
		if (spill == 0) {
			put_time(o, r->end_min);
		} else if (spill <= r->start_min) {
			/* "22:00-02:00": an end at or before the start wraps. */
			put_time(o, spill);
		} else {
			/* Merged hours that run past midnight further than their own
			 * start cannot be one range of the syntax: write the day up
			 * to midnight and a one-minute range carrying the spill;
			 * they merge back into the same table. */
			put(o, "24:00,23:59-");
			put_time(o, spill);
		}
	}
}

size_t hours_format(const struct hours *h, char *buf, size_t cap)
{
	struct out o = { buf, cap, 0 };
	if (!h->known) {
		put(&o, "");
	} else {
		bool always = true, closed = true;
		for (int d = 0; d < 7; d++) {
			always = always && h->count[d] == 1 && h->range[d][0].start_min == 0 &&
				 h->range[d][0].end_min == DAY_MIN && h->spill_min[d] == 0;
			closed = closed && h->count[d] == 0;
		}
		if (always) {
			put(&o, "24/7");
		} else if (closed) {
			put(&o, "off");
		} else {
			uint8_t done = 0, spilled = 0;
			bool first = true;
			for (int d = 0; d < 7; d++) {
				if ((done & (1u << d)) || h->count[d] == 0)
					continue;
				uint8_t group = 0;
				for (int e = d; e < 7; e++)
					if (!(done & (1u << e)) && same_day(h, d, e))
						group |= (uint8_t)(1u << e);
				/* A ';' rule for day e would cut the spill of e - 1
				 * written earlier: join with ',' (adds only) then. */
				bool cuts = false;
				for (int e = 0; e < 7; e++)
					if ((group & (1u << e)) && (spilled & (1u << ((e + 6) % 7))))
						cuts = true;
				if (!first)
					put(&o, cuts ? ", " : "; ");
				first = false;
				put_days(&o, group);
				put(&o, " ");
				put_ranges(&o, h, d);
				done |= group;
				if (h->spill_min[d] > 0)
					spilled |= group;
			}
		}
	}
	if (cap > 0)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return o.len;
}
