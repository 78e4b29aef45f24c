/* e2e.c — see e2e.h. */
#include "e2e.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

char e2e_why[2048];

__attribute__((format(printf, 1, 2))) static bool why(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e2e_why, sizeof e2e_why, fmt, ap);
	va_end(ap);
	return false;
}

struct sproc *e2e_serve(const char *const *args)
{
	struct sproc *p;
	enum sproc_state st = sproc_start(args, &p);
	ck_assert_msg(p != NULL, "out of memory");
	static const char *const names[] = {"listening", "exited", "timed out", "could not start"};
	ck_assert_msg(st == SPROC_LISTENING, "%s serve: %s (status %d); stderr:\n%s", sproc_bin(),
		      names[st], sproc_exit_status(p), sproc_stderr(p));
	return p;
}

bool e2e_get(unsigned port, const char *target, int status, struct hc_response *r)
{
	enum hc_result rc = hc_get(port, target, r);
	if (rc != HC_OK)
		return why("GET %.200s: %s", target, hc_strerror(rc));
	if (r->status != status)
		return why("GET %.200s: status %d, expected %d; body: %.500s", target, r->status,
			   status, r->body);
	return true;
}

struct jval *e2e_json(const struct hc_response *r)
{
	char err[256];
	struct jval *v = jval_parse(r->body, r->body_len, err, sizeof err);
	if (!v)
		why("invalid JSON (%s) in a %d response: %.500s", err, r->status,
		    r->body ? r->body : "(no body)");
	return v;
}

bool e2e_is_error(const struct hc_response *r, int status, const char *code)
{
	if (r->status != status)
		return why("status %d, expected %d; body: %.500s", r->status, status,
			   r->body ? r->body : "");
	const char *ct = hc_header(r, "Content-Type");
	if (!ct || strncmp(ct, "application/json", 16))
		return why("error %d with Content-Type %s, expected application/json", status,
			   ct ? ct : "(none)");
	struct jval *v = e2e_json(r);
	if (!v)
		return false;
	bool ok = false;
	const struct jval *e = jval_get(v, "error");
	const char *c = jval_str(jval_get(e, "code"));
	const char *m = jval_str(jval_get(e, "message"));
	if (jval_count(v) != 1 || !e || e->type != JVAL_OBJ)
		why("error body is not {\"error\":{…}}: %.500s", r->body);
	else if (!c || !*c || !m || !*m)
		why("error body lacks a non-empty code or message: %.500s", r->body);
	else if (code && strcmp(c, code))
		why("error code \"%s\", expected \"%s\": %.500s", c, code, r->body);
	else
		ok = true;
	jval_free(v);
	return ok;
}

bool e2e_healthy(struct sproc *p)
{
	if (!sproc_alive(p))
		return why("the server is gone (status %d); stderr:\n%.1500s", sproc_exit_status(p),
			   sproc_stderr(p));
	struct hc_response r;
	hc_response_init(&r);
	bool ok = e2e_get(sproc_port(p), "/health", 200, &r);
	if (ok) {
		struct jval *v = e2e_json(&r);
		const char *s = jval_str(jval_get(v, "status"));
		ok = v && s && !strcmp(s, "ok");
		if (v && !ok)
			why("/health says %.300s", r.body);
		jval_free(v);
	}
	hc_response_fini(&r);
	return ok;
}

bool e2e_lacks(const struct hc_response *r, const char *needle)
{
	if (r->body && memmem(r->body, r->body_len, needle, strlen(needle)))
		return why("the response contains \"%s\": %.500s", needle, r->body);
	return true;
}
