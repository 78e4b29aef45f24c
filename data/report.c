/* report.c — counted load warnings; see report.h. */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const warn_names[] = {
#define LW_NAME(e, s) s,
	LOAD_WARN_TABLE(LW_NAME)
#undef LW_NAME
};

void report_init(struct load_report *r)
{
	memset(r, 0, sizeof *r);
}

void report_warn(struct load_report *r, enum load_warn w, const char *fmt, ...)
{
	if ((unsigned)w >= LW_COUNT)
		return;
	unsigned k = r->count[w]++;
	if (k >= REPORT_KEEP)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg[w][k], REPORT_MSG, fmt, ap);
	va_end(ap);
}

unsigned report_total(const struct load_report *r)
{
	unsigned n = 0;
	for (int w = 0; w < LW_COUNT; w++)
		n += r->count[w];
	return n;
}

const char *report_kind_name(enum load_warn w)
{
	return (unsigned)w < LW_COUNT ? warn_names[w] : "?";
}
