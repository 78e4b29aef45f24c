/* http_client.h — a tiny blocking HTTP/1.1 client for the end-to-end tests.
 *
 * It talks to 127.0.0.1 only and sends exactly the bytes it is given, so a
 * test can write malformed request lines, huge headers, NUL bytes or several
 * pipelined requests in one write.  Responses are read with a deadline and
 * parsed leniently enough to report what the server did (status, headers,
 * body framed by Content-Length, chunked encoding or connection close).
 *
 * Nothing here asserts: every function reports through its return value, so
 * the tests decide what is a failure.  Not thread-safe per connection; one
 * connection per test at a time is the intended use. */
#ifndef YZ_TESTS_HTTP_CLIENT_H
#define YZ_TESTS_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

/* Results of the client functions. */
enum hc_result {
	HC_OK = 0,
	HC_ECONNECT,  /* connect() to 127.0.0.1:port failed */
	HC_ESEND,     /* the peer closed or reset while we were sending */
	HC_ETIMEOUT,  /* no complete response before the deadline */
	HC_ECLOSED,   /* the peer closed before a complete response */
	HC_EPROTO,    /* the bytes received are not an HTTP/1.x response */
	HC_ENOMEM,
};

/* A short English name of `r` for test messages ("timeout", …). */
const char *hc_strerror(enum hc_result r);

struct hc_header {
	char *name;               /* as received, owned by the response */
	char *value;              /* leading/trailing blanks trimmed */
};

/* One parsed response.  Owned by the caller: init with hc_response_init (or
 * zero it) and release with hc_response_fini, which accepts a response that
 * a failed read left half-filled. */
struct hc_response {
	int status;               /* 100..599, 0 until a status line was read */
	char reason[64];          /* reason phrase, truncated */
	struct hc_header *headers;
	unsigned header_count;
	char *body;               /* decoded from chunked framing, NUL-terminated;
				   * never NULL after HC_OK */
	size_t body_len;          /* bytes of body, excluding the added NUL */
	bool chunked;             /* the body came with Transfer-Encoding: chunked */
	bool closed;              /* the connection ends with it: the peer closed
				   * it or said "Connection: close" */
};

/* A connection to the server under test; opaque. */
struct hc_conn;

void hc_response_init(struct hc_response *r);
void hc_response_fini(struct hc_response *r);

/* The value of the first header called `name` (ASCII case-insensitive), or
 * NULL.  Borrowed from `r`. */
const char *hc_header(const struct hc_response *r, const char *name);

/* True when the comma-separated header `name` contains `token`
 * (case-insensitive), e.g. hc_header_has(r, "Vary", "Accept-Encoding"). */
bool hc_header_has(const struct hc_response *r, const char *name, const char *token);

/* Connections.
 *
 * hc_connect opens a TCP connection to 127.0.0.1:port and stores it in
 * `*out` (free with hc_close, which accepts NULL).  hc_send writes all `len`
 * bytes (SIGPIPE suppressed).  hc_read reads one response within
 * `timeout_ms`; `head` tells that it answers a HEAD request (no body
 * whatever the headers say).  Bytes after the response stay buffered for the
 * next hc_read, so pipelined responses can be read one by one.  hc_at_eof
 * waits up to `timeout_ms` and tells whether the peer has closed (true) or
 * sent nothing / still holds the connection open (false); it does not
 * consume buffered bytes. */
enum hc_result hc_connect(unsigned port, struct hc_conn **out);
enum hc_result hc_send(struct hc_conn *c, const void *data, size_t len);
enum hc_result hc_read(struct hc_conn *c, bool head, int timeout_ms, struct hc_response *out);
bool hc_at_eof(struct hc_conn *c, int timeout_ms);
/* Bytes received but not yet consumed by hc_read. */
size_t hc_pending(const struct hc_conn *c);
void hc_close(struct hc_conn *c);

/* One request on a fresh connection: connect, send `len` raw bytes, read one
 * response (HEAD detected from the first bytes), close.  When sending fails
 * half-way (the server closed on a huge request), the response the server
 * may already have sent is still read; HC_ESEND is returned only when there
 * was none. */
enum hc_result hc_exchange(unsigned port, const void *raw, size_t len, int timeout_ms,
			   struct hc_response *out);

/* A well-formed request "METHOD target HTTP/1.1" with Host and
 * Connection: close, plus `extra_headers` (complete "Name: value\r\n" lines,
 * or NULL), on a fresh connection. */
enum hc_result hc_request(unsigned port, const char *method, const char *target,
			  const char *extra_headers, struct hc_response *out);
/* hc_request with GET. */
enum hc_result hc_get(unsigned port, const char *target, struct hc_response *out);

/* Helpers.
 *
 * hc_gunzip inflates a gzip member into a new NUL-terminated buffer (`*out`,
 * freed by the caller); returns 0, or -1 for data that is not valid gzip.
 * hc_pct_encode percent-encodes every byte outside [A-Za-z0-9-._~] of `s`
 * into `out` (size `cap`, always NUL-terminated); returns the length, or -1
 * when it did not fit. */
int hc_gunzip(const char *in, size_t len, char **out, size_t *out_len);
int hc_pct_encode(const char *s, char *out, size_t cap);

#endif
