/* config.c — parser of dataset.conf (see config.h for the format).
 *
 * Line-oriented, no allocation, every error names its line.  Values are
 * trimmed and end where a '#' after whitespace starts a comment; a value may
 * not contain NUL bytes and must fit CONFIG_STR. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const cf_names[] = {
#define CF_NAME(e, s) s,
	CONFIG_FIELD_TABLE(CF_NAME)
#undef CF_NAME
};

static const char *const source_names[] = {"roads", "stations", "communities"};

const char *config_field_name(enum config_field f)
{
	return (unsigned)f < CONFIG_FIELD_COUNT ? cf_names[f] : "?";
}

const char *config_source_name(enum config_source s)
{
	return (unsigned)s < CONFIG_SOURCE_COUNT ? source_names[s] : "?";
}

const char *config_field_source(const struct config_source_def *s, enum config_field f)
{
	return s->field[f][0] ? s->field[f] : cf_names[f];
}

void config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	strcpy(c->timezone, "Asia/Shanghai");
	c->max_snap_m = 1000.0;
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Copy the trimmed span [b, e) into dst; fails when it does not fit. */
static int copy_value(char dst[CONFIG_STR], const char *b, const char *e)
{
	while (b < e && is_space(*b))
		b++;
	while (e > b && is_space(e[-1]))
		e--;
	size_t n = (size_t)(e - b);
	if (n >= CONFIG_STR || memchr(b, '\0', n))
		return -1;
	memcpy(dst, b, n);
	dst[n] = '\0';
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

static enum yz_err set_top(struct config *c, const char *key, const char *val, unsigned line,
			   struct yz_errbuf *eb)
{
	if (!strcmp(key, "name")) {
		strcpy(c->name, val);
	} else if (!strcmp(key, "timezone")) {
		strcpy(c->timezone, val);
	} else if (!strcmp(key, "demo")) {
		if (parse_bool(val, &c->demo))
			return yz_fail(eb, YZ_EPARSE, "line %u: demo: expected yes or no", line);
	} else if (!strcmp(key, "max_snap")) {
		char *end;
		double v = strtod(val, &end);
		if (end == val || *end || !(v > 0 && v <= 100000))
			return yz_fail(eb, YZ_EPARSE, "line %u: max_snap: expected metres in (0, 100000]",
				       line);
		c->max_snap_m = v;
	} else {
		return yz_fail(eb, YZ_EPARSE, "line %u: unknown key \"%s\"", line, key);
	}
	return YZ_OK;
}

static enum yz_err set_src(struct config_source_def *s, const char *key, const char *val,
			   unsigned line, struct yz_errbuf *eb)
{
	if (!strcmp(key, "path") || !strcmp(key, "file")) {
		strcpy(s->path, val);
	} else if (!strcmp(key, "crs")) {
		strcpy(s->crs, val);
	} else if (!strcmp(key, "layer")) {
		strcpy(s->layer, val);
	} else if (!strncmp(key, "field.", 6)) {
		for (unsigned f = 0; f < CONFIG_FIELD_COUNT; f++) {
			if (!strcmp(key + 6, cf_names[f])) {
				strcpy(s->field[f], val);
				return YZ_OK;
			}
		}
		return yz_fail(eb, YZ_EPARSE, "line %u: unknown field \"%s\"", line, key + 6);
	} else {
		return yz_fail(eb, YZ_EPARSE, "line %u: unknown key \"%s\"", line, key);
	}
	return YZ_OK;
}

enum yz_err config_parse(struct config *c, const char *text, size_t len, struct yz_errbuf *eb)
{
	const char *p = text, *end = text + len;
	struct config_source_def *sect = NULL;
	unsigned line = 0;

	/* A UTF-8 byte order mark is tolerated at the very start. */
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		line++;
		const char *b = p, *e = eol;
		p = eol < end ? eol + 1 : end;
		while (b < e && is_space(*b))
			b++;
		while (e > b && is_space(e[-1]))
			e--;
		if (b == e || *b == '#' || *b == ';')
			continue;
		if (memchr(b, '\0', (size_t)(e - b)))
			return yz_fail(eb, YZ_EPARSE, "line %u: NUL byte", line);
		/* A comment may follow on the line after whitespace ("demo = yes  # …",
		 * as the README shows); a '#' inside a word stays part of it. */
		for (const char *q = b + 1; q < e; q++) {
			if (*q == '#' && is_space(q[-1])) {
				e = q;
				break;
			}
		}
		while (e > b && is_space(e[-1]))
			e--;
		if (*b == '[') {
			if (e[-1] != ']' || e - b < 3)
				return yz_fail(eb, YZ_EPARSE, "line %u: malformed section header", line);
			char name[CONFIG_STR];
			if (copy_value(name, b + 1, e - 1))
				return yz_fail(eb, YZ_EPARSE, "line %u: section name too long", line);
			sect = NULL;
			for (unsigned s = 0; s < CONFIG_SOURCE_COUNT; s++)
				if (!strcmp(name, source_names[s]))
					sect = &c->src[s];
			if (!sect)
				return yz_fail(eb, YZ_EPARSE,
					       "line %u: unknown section [%s] (expected roads, stations "
					       "or communities)", line, name);
			sect->present = true;
			continue;
		}
		const char *eq = memchr(b, '=', (size_t)(e - b));
		if (!eq)
			return yz_fail(eb, YZ_EPARSE, "line %u: expected key = value", line);
		char key[CONFIG_STR], val[CONFIG_STR];
		if (copy_value(key, b, eq) || !key[0])
			return yz_fail(eb, YZ_EPARSE, "line %u: missing or over-long key", line);
		if (copy_value(val, eq + 1, e))
			return yz_fail(eb, YZ_EPARSE, "line %u: value longer than %d bytes", line,
				       CONFIG_STR - 1);
		enum yz_err err = sect ? set_src(sect, key, val, line, eb)
				       : set_top(c, key, val, line, eb);
		if (err)
			return err;
	}
	for (unsigned s = 0; s < CONFIG_SOURCE_COUNT; s++)
		if (c->src[s].present && !c->src[s].path[0])
			return yz_fail(eb, YZ_EPARSE, "[%s]: missing path", source_names[s]);
	if (!c->src[CONFIG_ROADS].present)
		return yz_fail(eb, YZ_EPARSE, "no [roads] section: a dataset needs a road network");
	return YZ_OK;
}
