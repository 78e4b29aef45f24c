/* err.c — strings for the error table in err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const err_text[] = {
#define YZ_ERR_TEXT(code, name, text) text,
	YZ_ERR_TABLE(YZ_ERR_TEXT)
#undef YZ_ERR_TEXT
};

static const char *const err_name[] = {
#define YZ_ERR_NAME(code, name, text) name,
	YZ_ERR_TABLE(YZ_ERR_NAME)
#undef YZ_ERR_NAME
};

const char *yz_strerror(enum yz_err err)
{
	if ((unsigned)err >= YZ_ERR_COUNT)
		return "unknown error";
	return err_text[err];
}

const char *yz_errname(enum yz_err err)
{
	if ((unsigned)err >= YZ_ERR_COUNT)
		return "unknown";
	return err_name[err];
}

enum yz_err yz_fail(struct yz_errbuf *eb, enum yz_err err, const char *fmt, ...)
{
	if (eb) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(eb->msg, sizeof eb->msg, fmt, ap);
		va_end(ap);
	}
	return err;
}
