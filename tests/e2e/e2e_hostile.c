/* e2e_hostile.c — bad and hostile requests against the running server.
 *
 * Every case asserts the answer (a 4xx with the SPEC §4 error body where our
 * code writes the body; where libmicrohttpd answers by itself — 431, a
 * malformed request line — any 4xx or a closed connection) and then that the
 * server still runs and answers /health.  Nothing may leak a file from
 * outside the web folder, and nothing may produce a 5xx.
 *
 * Three test cases: "requests" shares one server started by an unchecked
 * fixture; "webroot" serves a temporary copy of web/ seeded with symlinks and
 * special files; "barrage" sends every table below to a fresh server and
 * then requires a clean exit (status 0 on SIGTERM — under the sanitizers
 * that is also "no leak, no error at shutdown"). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/e2e.h"

Suite *hostile_suite(void);

static struct sproc *srv;
static unsigned port;

static void server_up(void)
{
	static const char *const args[] = {"serve", E2E_DATASET, "--port", "0", "--web", "web", NULL};
	srv = e2e_serve(args);
	port = sproc_port(srv);
}

static void server_down(void)
{
	sproc_stop(srv, 6000);
	sproc_free(srv);
	srv = NULL;
}

/* ---- the cases, as tables ------------------------------------------------------ */

/* GET target → status with error code (NULL: any code). */
struct bad_get {
	const char *target;
	int status;
	const char *code;
};

static const struct bad_get bad_bbox[] = {
	{"/api/stations?bbox=abc", 400, "parse"},
	{"/api/stations?bbox=NaN,31,122,32", 400, "parse"},
	{"/api/stations?bbox=121,nan,122,32", 400, "parse"},
	{"/api/stations?bbox=inf,31,122,32", 400, "parse"},
	{"/api/stations?bbox=121,-inf,122,32", 400, "parse"},
	{"/api/stations?bbox=121,31,Infinity,32", 400, "parse"},
	{"/api/stations?bbox=1e999,31,122,32", 400, NULL},
	{"/api/stations?bbox=121,31,122,1e999", 400, NULL},
	{"/api/stations?bbox=", 400, "parse"},
	{"/api/stations?bbox", 400, "parse"},
	{"/api/stations?bbox=121,31,122", 400, "parse"},
	{"/api/stations?bbox=121,31,122,32,33", 400, "parse"},
	{"/api/stations?bbox=121,,122,32", 400, "parse"},
	{"/api/stations?bbox=%20121,31,122,32", 400, "parse"},
	{"/api/stations?bbox=0x79,31,122,32", 400, "parse"},
	{"/api/stations?bbox=121;31;122;32", 400, "parse"},
	{"/api/stations?bbox=121.5.5,31,122,32", 400, "parse"},
	{"/api/stations?bbox=--121,31,122,32", 400, "parse"},
	{"/api/stations?bbox=181,31,182,32", 400, "range"},
	{"/api/stations?bbox=121,-91,122,-90", 400, "range"},
	/* inverted or empty */
	{"/api/stations?bbox=122,31,121,32", 400, "range"},
	{"/api/stations?bbox=121,32,122,31", 400, "range"},
	{"/api/stations?bbox=121,31,121,32", 400, "range"},
	/* over the area limit (25 square degrees) */
	{"/api/stations?bbox=-180,-90,180,90", 413, "limit"},
	{"/api/stations?bbox=100,20,110,30", 413, "limit"},
};

static const struct bad_get bad_params[] = {
	{"/api/stations?service=foo", 400, "parse"},
	{"/api/stations?service=water,bogus", 400, "parse"},
	{"/api/stations?service=%E6%B0%B4", 400, "parse"},
	{"/api/stations?service=water%3Btoilet%3Bx", 400, "parse"},
	{"/api/stations?x=1", 400, "parse"},
	{"/api/stations?bbox=121,31,122,32&foo=bar", 400, "parse"},
	{"/api/stations?Q=abc", 400, "parse"},
	{"/api/stations?=abc", 400, "parse"},
	{"/api/communities?q=1", 400, "parse"},
	/* q over its limit, too many parameters */
	{"/api/stations?q=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	 413, "limit"},
	{"/api/stations?a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&"
	 "a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1&a=1",
	 413, "limit"},
};

static const struct bad_get bad_escapes[] = {
	{"/api/stations?q=%zz", 400, "parse"},
	{"/api/stations?q=%", 400, "parse"},
	{"/api/stations?q=%4", 400, "parse"},
	{"/api/stations?q=abc%g1", 400, "parse"},
	{"/api/stations?%zz=1", 400, "parse"},
	{"/api/stations?bbox=121%2", 400, "parse"},
	/* NUL bytes in values, keys, and the path */
	{"/api/stations?q=a%00b", 400, "parse"},
	{"/api/stations?q=%00", 400, "parse"},
	{"/api/stations?bbox=%00", 400, "parse"},
	{"/api/stations?service=water%00", 400, "parse"},
	{"/api/stations?%00=1", 400, "parse"},
	{"/health?x=%00", 400, "parse"},
	{"/api/stations/SH-001%00xyz", 400, NULL},
	{"/health%00abc", 400, NULL},
	{"/index.html%00.png", 400, NULL},
};

/* Paths that try to leave the web folder: 404 and nothing leaked.  Sent raw,
 * so "/../" reaches the server as written. */
static const char *const escape_paths[] = {
	"/../etc/passwd",
	"/../../../../../../etc/passwd",
	"/%2e%2e/etc/passwd",
	"/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
	"/.%2e/.%2e/Makefile",
	"/web/../Makefile",
	"/../Makefile",
	"/..%2fMakefile",
	"/%2e%2e%2fMakefile",
	"/index.html/../../Makefile",
	"/..\\Makefile",
	"/%5c..%5cMakefile",
	"//etc/passwd",
	"///etc/passwd",
	"/.git/config",
	"/%2egit/config",
	"/./index.html/../../.git/config",
	"/Makefile",
	"/server/main.c",
	"/data/shanghai/dataset.conf",
	"http://127.0.0.1/../Makefile",
};

/* Text from the files those paths aim at. */
static const char *const secrets[] = {"root:", "[core]", "PKG_CFLAGS", "int main", "[stations]"};

/* Requests that are not HTTP, or broken HTTP: libmicrohttpd answers (any
 * 4xx; 505 for an unknown version) or closes. */
struct bad_raw {
	const char *name;
	const char *bytes;
	size_t len;
};
#define RAW(name, s) {name, s, sizeof s - 1}

static const struct bad_raw garbage[] = {
	RAW("word", "GARBAGE\r\n\r\n"),
	RAW("method only", "GET\r\n\r\n"),
	RAW("no version", "GET /health\r\n\r\n"),
	RAW("extra field", "GET /health HTTP/1.1 extra\r\nHost: x\r\n\r\n"),
	RAW("empty target", "GET  HTTP/1.1\r\nHost: x\r\n\r\n"),
	RAW("binary", "\x01\x02\x03 \xff\xfe\x80\r\n\r\n"),
	RAW("leading space", " GET /health HTTP/1.1\r\nHost: x\r\n\r\n"),
	RAW("version 9.9", "GET /health HTTP/9.9\r\nHost: x\r\n\r\n"),
	RAW("version junk", "GET /health HTTP/x.y\r\nHost: x\r\n\r\n"),
	RAW("header without colon", "GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"),
	RAW("bad Content-Length", "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
	RAW("negative Content-Length", "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"),
	RAW("bad chunk", "GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
	RAW("NUL in the method", "G\0T /health HTTP/1.1\r\nHost: x\r\n\r\n"),
	RAW("HTTP/1.1 without Host", "GET /api/stations HTTP/1.1\r\n\r\n"),
	RAW("two Hosts", "GET /api/stations HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
};

/* ---- helpers -------------------------------------------------------------------------- */

static void expect_gets(const struct bad_get *t, size_t n)
{
	struct hc_response r;
	hc_response_init(&r);
	for (size_t i = 0; i < n; i++) {
		enum hc_result rc = hc_get(port, t[i].target, &r);
		ck_assert_msg(rc == HC_OK, "GET %s: %s", t[i].target, hc_strerror(rc));
		ck_assert_msg(e2e_is_error(&r, t[i].status, t[i].code), "GET %.300s: %s", t[i].target,
			      e2e_why);
	}
	hc_response_fini(&r);
	ck_assert_why(e2e_healthy(srv));
}

/* Send raw bytes; the server must answer 4xx (or 505) or close. */
static void expect_refused(const char *name, const char *bytes, size_t len)
{
	struct hc_response r;
	hc_response_init(&r);
	enum hc_result rc = hc_exchange(port, bytes, len, 5000, &r);
	if (rc == HC_OK)
		ck_assert_msg((r.status >= 400 && r.status < 500) || r.status == 505,
			      "%s: status %d: %.300s", name, r.status, r.body);
	else
		ck_assert_msg(rc == HC_ECLOSED || rc == HC_ESEND, "%s: %s", name, hc_strerror(rc));
	hc_response_fini(&r);
}

static char *filled(const char *head, size_t n, char c, const char *tail)
{
	size_t hl = strlen(head), tl = strlen(tail);
	char *s = malloc(hl + n + tl + 1);
	ck_assert(s != NULL);
	memcpy(s, head, hl);
	memset(s + hl, c, n);
	memcpy(s + hl + n, tail, tl + 1);
	return s;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- shared server ---------------------------------------------------------------------- */

START_TEST(bbox_malformed)
{
	expect_gets(bad_bbox, sizeof bad_bbox / sizeof bad_bbox[0]);
}
END_TEST

START_TEST(unknown_services_and_parameters)
{
	expect_gets(bad_params, sizeof bad_params / sizeof bad_params[0]);
}
END_TEST

START_TEST(bad_escapes_and_nul)
{
	expect_gets(bad_escapes, sizeof bad_escapes / sizeof bad_escapes[0]);
}
END_TEST

START_TEST(url_too_long)
{
	struct hc_response r;
	hc_response_init(&r);
	/* Over our 4096-byte limit, within what MHD buffers: our 414. */
	char *t = filled("/api/stations?q=", 5000, 'a', "");
	ck_assert(hc_get(port, t, &r) == HC_OK);
	ck_assert_why(e2e_is_error(&r, 414, "limit"));
	free(t);
	t = filled("/", 4200, 'b', "");
	ck_assert(hc_get(port, t, &r) == HC_OK);
	ck_assert_why(e2e_is_error(&r, 414, "limit"));
	free(t);
	/* Just under the limit: an ordinary answer (404 for an unknown file). */
	t = filled("/", 4000, 'c', "");
	ck_assert(hc_get(port, t, &r) == HC_OK);
	ck_assert_why(e2e_is_error(&r, 404, NULL));
	free(t);
	/* Beyond what MHD buffers (64 KiB): MHD's own 414, or a close. */
	t = filled("GET /api/stations?q=", 70000, 'd', " HTTP/1.1\r\nHost: x\r\n\r\n");
	expect_refused("70 KB URL", t, strlen(t));
	free(t);
	hc_response_fini(&r);
	ck_assert_why(e2e_healthy(srv));
}
END_TEST

START_TEST(huge_headers)
{
	char *t = filled("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ", 100000, 'h', "\r\n\r\n");
	expect_refused("100 KB header", t, strlen(t));
	free(t);
	/* Many small headers adding up to ~60 KB. */
	size_t cap = 80000, len = 0;
	char *many = malloc(cap);
	ck_assert(many != NULL);
	len += (size_t)snprintf(many, cap, "GET /health HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; len + 32 < cap - 8 && i < 4000; i++)
		len += (size_t)snprintf(many + len, cap - len, "X-H%d: v\r\n", i);
	len += (size_t)snprintf(many + len, cap - len, "\r\n");
	expect_refused("4000 headers", many, len);
	free(many);
	/* A header line far beyond the limit sent in pieces, connection dropped. */
	struct hc_conn *c;
	ck_assert(hc_connect(port, &c) == HC_OK);
	t = filled("GET /health HTTP/1.1\r\nX-Slow: ", 30000, 's', "");
	hc_send(c, t, strlen(t));
	free(t);
	hc_close(c);
	ck_assert_why(e2e_healthy(srv));
}
END_TEST

START_TEST(wrong_methods)
{
	static const char *const methods[] = {"POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "get"};
	static const char *const targets[] = {"/health", "/api/stations", "/", "/api/stations/SH-001"};
	struct hc_response r;
	hc_response_init(&r);
	for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
		for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
			const char *extra = m < 2 ? "Content-Length: 0\r\n" : NULL;
			ck_assert(hc_request(port, methods[m], targets[t], extra, &r) == HC_OK);
			ck_assert_msg(e2e_is_error(&r, 405, NULL), "%s %s: %s", methods[m], targets[t],
				      e2e_why);
			ck_assert_msg(hc_header_has(&r, "Allow", "GET"), "%s %s: Allow: %s", methods[m],
				      targets[t], hc_header(&r, "Allow") ? hc_header(&r, "Allow") : "(none)");
		}
	}
	/* A POST with a body, then a GET pipelined behind it: the body is
	 * skipped, not read as the next request. */
	static const char two[] = "POST /api/stations HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\n"
				  "\r\n{\"bbox\":\"x\"}\n"
				  "GET /api/stations/SH-003 HTTP/1.1\r\nHost: x\r\n\r\n";
	struct hc_conn *c;
	ck_assert(hc_connect(port, &c) == HC_OK);
	ck_assert(hc_send(c, two, sizeof two - 1) == HC_OK);
	ck_assert(hc_read(c, false, 5000, &r) == HC_OK);
	ck_assert_why(e2e_is_error(&r, 405, "method"));
	if (!r.closed) {
		ck_assert(hc_read(c, false, 5000, &r) == HC_OK);
		ck_assert_int_eq(r.status, 200);
		ck_assert_msg(strstr(r.body, "\"SH-003\"") != NULL, "%.200s", r.body);
	}
	hc_close(c);
	hc_response_fini(&r);
	ck_assert_why(e2e_healthy(srv));
}
END_TEST

START_TEST(dot_dot_paths)
{
	struct hc_response r;
	hc_response_init(&r);
	for (size_t i = 0; i < sizeof escape_paths / sizeof escape_paths[0]; i++) {
		char req[512];
		int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
				 escape_paths[i]);
		enum hc_result rc = hc_exchange(port, req, (size_t)n, 5000, &r);
		if (rc == HC_OK && r.status != 400) /* 400 from MHD is fine too */
			ck_assert_msg(e2e_is_error(&r, 404, NULL), "%s: %s", escape_paths[i], e2e_why);
		else
			ck_assert_msg(rc == HC_OK || rc == HC_ECLOSED, "%s: %s", escape_paths[i],
				      hc_strerror(rc));
		for (size_t s = 0; s < sizeof secrets / sizeof secrets[0]; s++)
			ck_assert_msg(e2e_lacks(&r, secrets[s]), "%s: %s", escape_paths[i], e2e_why);
	}
	hc_response_fini(&r);
	ck_assert_why(e2e_healthy(srv));
}
END_TEST

START_TEST(garbage_request_lines)
{
	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
		expect_refused(garbage[i].name, garbage[i].bytes, garbage[i].len);
		ck_assert_msg(e2e_healthy(srv), "after \"%s\": %s", garbage[i].name, e2e_why);
	}
	/* Bytes that are not a request at all, then silence or a drop. */
	struct hc_conn *c;
	ck_assert(hc_connect(port, &c) == HC_OK);
	static const char nuls[] = "\0\0\0\0\r\n\r\n\xff\xfe";
	hc_send(c, nuls, sizeof nuls - 1);
	hc_close(c);
	ck_assert(hc_connect(port, &c) == HC_OK);
	hc_send(c, "GET /hea", 8);
	hc_close(c);
	ck_assert_why(e2e_healthy(srv));
}
END_TEST

START_TEST(body_too_large)
{
	struct hc_response r;
	hc_response_init(&r);
	/* Exactly the limit is accepted; one byte more is 413. */
	static const size_t sizes[] = {65536, 65537, 200000};
	for (size_t k = 0; k < 3; k++) {
		char head[160];
		snprintf(head, sizeof head,
			 "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n",
			 sizes[k]);
		char *req = filled(head, sizes[k], 'b', "");
		enum hc_result rc = hc_exchange(port, req, strlen(req), 5000, &r);
		free(req);
		ck_assert_msg(rc == HC_OK, "body of %zu bytes: %s", sizes[k], hc_strerror(rc));
		if (k == 0)
			ck_assert_msg(r.status == 200, "body of exactly 64 KiB: %d", r.status);
		else
			ck_assert_msg(e2e_is_error(&r, 413, "limit"), "body of %zu bytes: %s", sizes[k],
				      e2e_why);
	}
	/* Chunked, 3 × 32 KiB. */
	size_t cap = 3 * (32768 + 16) + 256;
	char *req = malloc(cap);
	ck_assert(req != NULL);
	size_t len = (size_t)snprintf(req, cap, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
						"Transfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 3; i++) {
		len += (size_t)snprintf(req + len, cap - len, "8000\r\n");
		memset(req + len, 'c', 32768);
		len += 32768;
		len += (size_t)snprintf(req + len, cap - len, "\r\n");
	}
	len += (size_t)snprintf(req + len, cap - len, "0\r\n\r\n");
	ck_assert(hc_exchange(port, req, len, 5000, &r) == HC_OK);
	ck_assert_why(e2e_is_error(&r, 413, "limit"));
	free(req);

	/* A body announced far beyond the limit is refused at once, without
	 * waiting for (or reading) 100 MB; and the body, which here looks like
	 * requests, is never taken for the next request (no smuggling). */
	struct hc_conn *c;
	ck_assert(hc_connect(port, &c) == HC_OK);
	static const char big[] = "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n";
	static const char inner[] = "GET /api/stations/SH-005 HTTP/1.1\r\nHost: x\r\n\r\n";
	ck_assert(hc_send(c, big, sizeof big - 1) == HC_OK);
	for (int i = 0; i < 1500; i++)
		if (hc_send(c, inner, sizeof inner - 1) != HC_OK)
			break; /* the server has answered and closed */
	long long t0 = now_ms();
	enum hc_result rc = hc_read(c, false, 3000, &r);
	ck_assert_msg(rc == HC_OK, "Content-Length: 100000000: %s after %lld ms", hc_strerror(rc),
		      now_ms() - t0);
	ck_assert_why(e2e_is_error(&r, 413, "limit"));
	rc = hc_read(c, false, 3000, &r);
	ck_assert_msg(rc == HC_ECLOSED, "after the 413: %s, status %d (body read as a request?)",
		      hc_strerror(rc), r.status);
	hc_close(c);
	hc_response_fini(&r);
	ck_assert_why(e2e_healthy(srv));
}
END_TEST

START_TEST(invalid_utf8)
{
	struct hc_response r;
	hc_response_init(&r);
	/* In q: a valid (empty or not) FeatureCollection. */
	static const char *const qs[] = {"%ff%fe", "%c0%af", "%ed%a0%80", "%e9%a9", "%f4%90%80%80",
					 "%80", "a%e9%a9%bfb", "%e9%a9%bf%ff"};
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		char target[128];
		snprintf(target, sizeof target, "/api/stations?q=%s", qs[i]);
		ck_assert(hc_get(port, target, &r) == HC_OK);
		ck_assert_msg(r.status == 200, "%s: status %d", target, r.status);
		struct jval *v = e2e_json(&r);
		ck_assert_msg(v != NULL, "%s: %s", target, e2e_why);
		ck_assert_str_eq(jval_str(jval_get(v, "type")), "FeatureCollection");
		jval_free(v);
	}
	/* Echoed in error messages: the error body is still valid JSON. */
	static const struct bad_get echoed[] = {
		{"/api/stations/%ff%fe%fd", 404, "notfound"},
		{"/api/stations?%ff%c0=1", 400, "parse"},
		{"/api/stations?bbox=%ff,%fe,1,2", 400, "parse"},
		{"/api/stations?service=%e9%a9", 400, "parse"},
		{"/api/stations?service=%0a%0d%09%1b", 400, "parse"},
		/* 40 × "驿": the message cuts the id at 80 bytes, inside a character */
		{"/api/stations/%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF"
		 "%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF"
		 "%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF"
		 "%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF"
		 "%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF",
		 404, "notfound"},
		{"/api/stations?%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF"
		 "%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF%E9%A9%BF=1",
		 400, "parse"},
	};
	expect_gets(echoed, sizeof echoed / sizeof echoed[0]);
	/* Raw bytes ≥ 0x80 and control characters in the request target. */
	static const char raw[] = "GET /api/stations?q=\xe9\xa9\xbf\xff\x01 HTTP/1.1\r\nHost: x\r\n"
				  "Connection: close\r\n\r\n";
	enum hc_result rc = hc_exchange(port, raw, sizeof raw - 1, 5000, &r);
	if (rc == HC_OK && r.status < 300) {
		struct jval *v = e2e_json(&r);
		ck_assert_msg(v != NULL, "raw bytes in q: %s", e2e_why);
		jval_free(v);
	} else if (rc == HC_OK) {
		ck_assert_msg(r.status >= 400 && r.status < 500, "raw bytes in q: %d", r.status);
	}
	hc_response_fini(&r);
	ck_assert_why(e2e_healthy(srv));
}
END_TEST

START_TEST(idle_connections)
{
	/* More idle connections than the per-address limit (64), then gone. */
	struct hc_conn *c[80];
	size_t n = 0;
	for (; n < 80; n++)
		if (hc_connect(port, &c[n]) != HC_OK)
			break;
	for (size_t i = 0; i < n; i++)
		hc_close(c[i]);
	/* The server may need a moment to notice the closes. */
	long long deadline = now_ms() + 5000;
	while (!e2e_healthy(srv) && now_ms() < deadline) {
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
	ck_assert_why(e2e_healthy(srv));
}
END_TEST

/* ---- a web folder with traps ------------------------------------------------------------ */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

START_TEST(web_symlinks_out)
{
	char tmp[256], web[300], path[400];
	ck_assert(sproc_mkdtemp(tmp, sizeof tmp) == 0);
	snprintf(web, sizeof web, "%s/web", tmp);
	ck_assert(mkdir(web, 0755) == 0);
	/* The real page, and things beside the web folder that must stay hidden. */
	FILE *in = fopen("web/index.html", "r");
	ck_assert(in != NULL);
	char page[65536];
	size_t pl = fread(page, 1, sizeof page - 1, in);
	page[pl] = '\0';
	fclose(in);
	snprintf(path, sizeof path, "%s/index.html", web);
	write_file(path, page);
	snprintf(path, sizeof path, "%s/secret.txt", tmp);
	write_file(path, "TOP-SECRET-FILE\n");
	snprintf(path, sizeof path, "%s/outside", tmp);
	ck_assert(mkdir(path, 0755) == 0);
	snprintf(path, sizeof path, "%s/outside/inner.txt", tmp);
	write_file(path, "TOP-SECRET-DIR\n");
	snprintf(path, sizeof path, "%s/.hidden.txt", web);
	write_file(path, "TOP-SECRET-HIDDEN\n");
	snprintf(path, sizeof path, "%s/dir", web);
	ck_assert(mkdir(path, 0755) == 0);
	struct {
		const char *target, *name;
	} links[] = {
		{"../secret.txt", "leak.txt"},   {"/etc/passwd", "passwd.txt"},
		{"../outside", "sub"},           {"..", "up"},
		{"/", "rootdir"},                {"/dev/zero", "zero.txt"},
		{"index.html", "alias.html"},
	};
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", web, links[i].name);
		ck_assert_msg(symlink(links[i].target, path) == 0, "symlink %s", path);
	}
	/* A FIFO: opening it for reading would block a worker forever. */
	snprintf(path, sizeof path, "%s/pipe.html", web);
	ck_assert(mkfifo(path, 0644) == 0);

	const char *const args[] = {"serve", E2E_DATASET, "--port", "0", "--web", web, NULL};
	struct sproc *p = e2e_serve(args);
	unsigned pt = sproc_port(p);
	static const char *const refused[] = {
		"/leak.txt",  "/passwd.txt", "/sub/inner.txt", "/up/secret.txt", "/rootdir/etc/passwd",
		"/zero.txt",  "/.hidden.txt", "/dir",          "/dir/",          "/sub",
		"/pipe.html", "/pipe.html",  "/pipe.html",     "/pipe.html",
	};
	struct hc_response r;
	hc_response_init(&r);
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		enum hc_result rc = hc_get(pt, refused[i], &r);
		ck_assert_msg(rc == HC_OK, "%s: %s", refused[i], hc_strerror(rc));
		ck_assert_msg(e2e_is_error(&r, 404, NULL), "%s: %s", refused[i], e2e_why);
		ck_assert_msg(e2e_lacks(&r, "TOP-SECRET") && e2e_lacks(&r, "root:"), "%s: %s",
			      refused[i], e2e_why);
	}
	/* A link that stays inside is an ordinary file. */
	ck_assert_why(e2e_get(pt, "/alias.html", 200, &r));
	ck_assert_msg(strstr(r.body, "驿站") != NULL, "alias.html: %.200s", r.body);
	ck_assert_why(e2e_get(pt, "/", 200, &r));
	hc_response_fini(&r);
	ck_assert_why(e2e_healthy(p));
	int st = sproc_stop(p, 6000);
	ck_assert_msg(st == 0, "exit status %d; stderr:\n%s", st, sproc_stderr(p));
	sproc_free(p);
	ck_assert(sproc_rmtree(tmp) == 0);
}
END_TEST

/* ---- everything at one server, then a clean exit ------------------------------------------ */

START_TEST(barrage_then_clean_exit)
{
	static const char *const args[] = {"serve", E2E_DATASET, "--port", "0", NULL};
	struct sproc *p = e2e_serve(args);
	unsigned saved = port;
	port = sproc_port(p);
	struct sproc *saved_srv = srv;
	srv = p;
	expect_gets(bad_bbox, sizeof bad_bbox / sizeof bad_bbox[0]);
	expect_gets(bad_params, sizeof bad_params / sizeof bad_params[0]);
	expect_gets(bad_escapes, sizeof bad_escapes / sizeof bad_escapes[0]);
	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
		expect_refused(garbage[i].name, garbage[i].bytes, garbage[i].len);
	char *t = filled("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ", 100000, 'h', "\r\n\r\n");
	expect_refused("100 KB header", t, strlen(t));
	free(t);
	struct hc_response r;
	hc_response_init(&r);
	for (size_t i = 0; i < sizeof escape_paths / sizeof escape_paths[0]; i++) {
		char req[512];
		int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", escape_paths[i]);
		hc_exchange(port, req, (size_t)n, 5000, &r);
	}
	/* A connection left open mid-request must not hold up the exit. */
	struct hc_conn *c;
	ck_assert(hc_connect(port, &c) == HC_OK);
	hc_send(c, "GET /health HTTP/1.1\r\nHost: x\r\n", 31);
	ck_assert_why(e2e_healthy(p));
	long long t0 = now_ms();
	int st = sproc_stop(p, 6000);
	ck_assert_msg(st == 0, "exit status %d after %lld ms; stderr:\n%s", st, now_ms() - t0,
		      sproc_stderr(p));
	hc_close(c);
	hc_response_fini(&r);
	sproc_free(p);
	srv = saved_srv;
	port = saved;
}
END_TEST

Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("requests");
	tcase_add_unchecked_fixture(tc, server_up, server_down);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT_S);
	tcase_add_test(tc, bbox_malformed);
	tcase_add_test(tc, unknown_services_and_parameters);
	tcase_add_test(tc, bad_escapes_and_nul);
	tcase_add_test(tc, url_too_long);
	tcase_add_test(tc, huge_headers);
	tcase_add_test(tc, wrong_methods);
	tcase_add_test(tc, dot_dot_paths);
	tcase_add_test(tc, garbage_request_lines);
	tcase_add_test(tc, body_too_large);
	tcase_add_test(tc, invalid_utf8);
	tcase_add_test(tc, idle_connections);
	suite_add_tcase(s, tc);

	TCase *web = tcase_create("webroot");
	tcase_set_timeout(web, E2E_TEST_TIMEOUT_S);
	tcase_add_test(web, web_symlinks_out);
	suite_add_tcase(s, web);

	TCase *all = tcase_create("barrage");
	tcase_set_timeout(all, E2E_TEST_TIMEOUT_S);
	tcase_add_test(all, barrage_then_clean_exit);
	suite_add_tcase(s, all);
	return s;
}
