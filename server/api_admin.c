/* api_admin.c — POST /admin/reload: rebuild the dataset and swap it in,
 * for operators (issue 7).
 *
 * Off unless the server was given a token (--admin-token-file or
 * YIZHAN_ADMIN_TOKEN): then every /admin path is a 404, as if it did not
 * exist.  With a token, the request must carry "Authorization: Bearer
 * TOKEN"; the comparison takes the same time whatever the first differing
 * byte (it runs over the whole configured token), so response times tell an
 * attacker nothing about a guess's prefix.  A wrong or missing token is a
 * 401 with WWW-Authenticate. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api.h"

/* 1 when `given` (len n) equals `token` (len tn), in time depending only on
 * tn. */
static int token_equal(const char *given, size_t n, const char *token, size_t tn)
{
	unsigned char diff = (unsigned char)(n != tn);
	for (size_t i = 0; i < tn; i++) {
		unsigned char g = i < n ? (unsigned char)given[i] : 0;
		diff |= (unsigned char)(g ^ (unsigned char)token[i]);
	}
	return diff == 0;
}

void api_admin_reload(struct http_request *req, struct http_response *res)
{
	size_t tn;
	const char *token = http_admin_token(req->server, &tn);
	if (!token) {
		http_error(res, 404, "notfound", "no such endpoint: %.100s", req->path);
		return;
	}
	const char *auth = req->authorization;
	if (!auth || strncasecmp(auth, "Bearer ", 7) ||
	    !token_equal(auth + 7, strlen(auth + 7), token, tn)) {
		http_error(res, 401, "auth", "a valid admin token is required "
					     "(Authorization: Bearer …)");
		res->challenge = true;
		return;
	}
	static const char *const known[] = {NULL};
	if (api_check_params(req, res, known))
		return;
	struct yz_errbuf eb;
	enum yz_err err = http_reload(req->server, &eb);
	struct http_reload_status st;
	http_reload_status(req->server, &st);
	if (err == YZ_EBUSY) {
		http_error(res, 503, "busy", "%s", eb.msg);
		res->retry_after_s = 5;
		return;
	}
	if (err) {
		/* the request was fine; the data was not: the server keeps
		 * serving the old dataset and says why */
		http_error(res, 422, "reload", "reload failed, still serving the old data: %s",
			   eb.msg);
		return;
	}
	res->content_type = "application/json; charset=utf-8";
	res->cache_control = "no-store";
	buf_printf(&res->body, "{\"reloaded\":true,\"duration_s\":%.3f,\"reloads\":%u}",
		   st.duration_s, st.count);
}
