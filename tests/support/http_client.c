/* http_client.c — see http_client.h.
 *
 * A connection keeps one growing receive buffer.  hc_read re-parses it from
 * its start after each recv until one whole response is there (responses in
 * these tests are below a megabyte, so the quadratic worst case does not
 * matter), then moves the bytes that follow to the front for the next call.
 * Deadlines use CLOCK_MONOTONIC and poll(); the socket stays blocking. */
#include "http_client.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

struct hc_conn {
	int fd;
	char *buf;    /* received, not yet consumed bytes */
	size_t len;
	size_t cap;
	bool eof;     /* the peer closed (or reset) its side */
};

const char *hc_strerror(enum hc_result r)
{
	switch (r) {
	case HC_OK: return "ok";
	case HC_ECONNECT: return "cannot connect";
	case HC_ESEND: return "connection closed while sending";
	case HC_ETIMEOUT: return "timeout";
	case HC_ECLOSED: return "connection closed before a complete response";
	case HC_EPROTO: return "not an HTTP response";
	case HC_ENOMEM: return "out of memory";
	}
	return "?";
}

/* ---- responses ------------------------------------------------------------ */

void hc_response_init(struct hc_response *r)
{
	memset(r, 0, sizeof *r);
}

void hc_response_fini(struct hc_response *r)
{
	for (unsigned i = 0; i < r->header_count; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	free(r->body);
	hc_response_init(r);
}

const char *hc_header(const struct hc_response *r, const char *name)
{
	for (unsigned i = 0; i < r->header_count; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

bool hc_header_has(const struct hc_response *r, const char *name, const char *token)
{
	size_t tl = strlen(token);
	for (unsigned i = 0; i < r->header_count; i++) {
		if (strcasecmp(r->headers[i].name, name))
			continue;
		const char *p = r->headers[i].value;
		while (*p) {
			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			const char *e = p;
			while (*e && *e != ',')
				e++;
			const char *t = e;
			while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
				t--;
			if ((size_t)(t - p) == tl && !strncasecmp(p, token, tl))
				return true;
			p = e;
		}
	}
	return false;
}

/* ---- connections ---------------------------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum hc_result hc_connect(unsigned port, struct hc_conn **out)
{
	*out = NULL;
	struct hc_conn *c = calloc(1, sizeof *c);
	if (!c)
		return HC_ENOMEM;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		free(c);
		return HC_ECONNECT;
	}
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int rc;
	do
		rc = connect(c->fd, (struct sockaddr *)&a, sizeof a);
	while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		close(c->fd);
		free(c);
		return HC_ECONNECT;
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	*out = c;
	return HC_OK;
}

void hc_close(struct hc_conn *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c->buf);
	free(c);
}

size_t hc_pending(const struct hc_conn *c)
{
	return c->len;
}

enum hc_result hc_send(struct hc_conn *c, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return HC_ESEND;
		p += n;
		len -= (size_t)n;
	}
	return HC_OK;
}

/* Wait until `deadline` for more bytes; HC_OK when some arrived or the peer
 * closed (c->eof), HC_ETIMEOUT otherwise. */
static enum hc_result fill(struct hc_conn *c, long long deadline)
{
	if (c->eof)
		return HC_OK;
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return HC_ETIMEOUT;
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
		int rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0)
			return HC_ETIMEOUT;
		if (c->cap - c->len < 65536) {
			size_t ncap = c->cap ? c->cap * 2 : 131072;
			char *nb = realloc(c->buf, ncap);
			if (!nb)
				return HC_ENOMEM;
			c->buf = nb;
			c->cap = ncap;
		}
		ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* Orderly close, or a reset (a server that refuses a huge
			 * request may close with unread data, which resets). */
			c->eof = true;
			return HC_OK;
		}
		c->len += (size_t)n;
		c->buf[c->len] = '\0'; /* room kept by the -1 above; stops strto* */
		return HC_OK;
	}
}

bool hc_at_eof(struct hc_conn *c, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	while (!c->eof) /* bytes that arrive meanwhile stay buffered */
		if (fill(c, deadline) != HC_OK)
			return false;
	return true;
}

/* ---- parsing --------------------------------------------------------------- */

enum parse { P_DONE, P_MORE, P_BAD, P_NOMEM };

/* The end of the line starting at `p` (the '\n'), or NULL if incomplete. */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl;
}

static char *dup_trim(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return strndup(p, (size_t)(e - p));
}

static bool add_header(struct hc_response *r, const char *p, const char *e)
{
	const char *colon = memchr(p, ':', (size_t)(e - p));
	if (!colon)
		return true; /* not a header line: ignore it, stay lenient */
	struct hc_header *nh = realloc(r->headers, (r->header_count + 1) * sizeof *nh);
	if (!nh)
		return false;
	r->headers = nh;
	char *name = dup_trim(p, colon), *value = dup_trim(colon + 1, e);
	if (!name || !value) {
		free(name);
		free(value);
		return false;
	}
	r->headers[r->header_count].name = name;
	r->headers[r->header_count].value = value;
	r->header_count++;
	return true;
}

/* Parse one response from buf[0..len).  On P_DONE, `r` is filled and
 * `*used` is the number of bytes it took; otherwise `r` is left to be
 * finalized by the caller. */
static enum parse parse_response(const char *buf, size_t len, bool eof, bool head,
				 struct hc_response *r, size_t *used)
{
	const char *p = buf, *end = buf + len;
	if (len >= 5 && memcmp(p, "HTTP/", 5))
		return P_BAD;
	const char *le = line_end(p, end);
	if (!le)
		return len > 65536 ? P_BAD : P_MORE;
	int status = 0;
	const char *sp = memchr(p, ' ', (size_t)(le - p));
	if (!sp || le - sp < 4)
		return P_BAD;
	for (int i = 1; i <= 3; i++) {
		if (sp[i] < '0' || sp[i] > '9')
			return P_BAD;
		status = status * 10 + (sp[i] - '0');
	}
	if (status < 100)
		return P_BAD;
	r->status = status;
	const char *rs = sp + 4;
	while (rs < le && *rs == ' ')
		rs++;
	const char *re = le;
	if (re > rs && re[-1] == '\r')
		re--;
	snprintf(r->reason, sizeof r->reason, "%.*s", (int)(re - rs), rs);
	p = le + 1;
	for (;;) {
		le = line_end(p, end);
		if (!le)
			return P_MORE;
		if (le == p || (le == p + 1 && *p == '\r')) {
			p = le + 1;
			break;
		}
		if (!add_header(r, p, le))
			return P_NOMEM;
		p = le + 1;
	}
	const char *conn = hc_header(r, "Connection");
	r->closed = conn && !strcasecmp(conn, "close");

	/* Framing (RFC 9112 §6.3). */
	const char *te = hc_header(r, "Transfer-Encoding");
	const char *cl = hc_header(r, "Content-Length");
	if (head || status < 200 || status == 204 || status == 304) {
		r->body = calloc(1, 1);
		if (!r->body)
			return P_NOMEM;
		*used = (size_t)(p - buf);
		return P_DONE;
	}
	if (te && strcasestr(te, "chunked")) {
		r->chunked = true;
		/* First pass: find the end and the decoded size. */
		const char *q = p;
		size_t total = 0;
		for (;;) {
			le = line_end(q, end);
			if (!le)
				return P_MORE;
			if (!isxdigit((unsigned char)*q))
				return P_BAD;
			unsigned long long n = strtoull(q, NULL, 16);
			q = le + 1;
			if (n == 0)
				break;
			if (n > (unsigned long long)(end - q) || (size_t)(end - q) - n < 2)
				return P_MORE;
			total += n;
			q += n;
			if (q[0] == '\r' && q[1] == '\n')
				q += 2;
			else if (q[0] == '\n')
				q += 1;
			else
				return P_BAD;
		}
		for (;;) { /* trailers up to the empty line */
			le = line_end(q, end);
			if (!le)
				return P_MORE;
			bool blank = le == q || (le == q + 1 && *q == '\r');
			q = le + 1;
			if (blank)
				break;
		}
		r->body = malloc(total + 1);
		if (!r->body)
			return P_NOMEM;
		const char *s = p;
		size_t at = 0;
		for (;;) {
			le = line_end(s, end);
			unsigned long long n = strtoull(s, NULL, 16);
			s = le + 1;
			if (n == 0)
				break;
			memcpy(r->body + at, s, n);
			at += n;
			s += n;
			s += s[0] == '\r' ? 2 : 1;
		}
		r->body[total] = '\0';
		r->body_len = total;
		*used = (size_t)(q - buf);
		return P_DONE;
	}
	size_t want;
	if (cl) {
		char *e;
		errno = 0;
		unsigned long long n = strtoull(cl, &e, 10);
		if (e == cl || *e || errno)
			return P_BAD;
		if ((size_t)(end - p) < n)
			return P_MORE;
		want = (size_t)n;
	} else {
		/* No framing: the body runs to the connection's close. */
		if (!eof)
			return P_MORE;
		want = (size_t)(end - p);
		r->closed = true;
	}
	r->body = malloc(want + 1);
	if (!r->body)
		return P_NOMEM;
	memcpy(r->body, p, want);
	r->body[want] = '\0';
	r->body_len = want;
	*used = (size_t)(p - buf) + want;
	return P_DONE;
}

enum hc_result hc_read(struct hc_conn *c, bool head, int timeout_ms, struct hc_response *out)
{
	hc_response_fini(out);
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		size_t used = 0;
		enum parse pr = c->len ? parse_response(c->buf, c->len, c->eof, head, out, &used)
				       : P_MORE;
		if (pr == P_DONE) {
			memmove(c->buf, c->buf + used, c->len - used);
			c->len -= used;
			c->buf[c->len] = '\0';
			if (out->status >= 100 && out->status < 200) {
				hc_response_fini(out); /* 100 Continue: the real one follows */
				continue;
			}
			if (c->eof && c->len == 0)
				out->closed = true;
			return HC_OK;
		}
		int status = out->status;
		hc_response_fini(out);
		out->status = status; /* keep what was seen, for messages */
		if (pr == P_BAD)
			return HC_EPROTO;
		if (pr == P_NOMEM)
			return HC_ENOMEM;
		if (c->eof)
			return HC_ECLOSED;
		enum hc_result fr = fill(c, deadline);
		if (fr != HC_OK)
			return fr;
	}
}

/* ---- one-shot requests ------------------------------------------------------- */

enum hc_result hc_exchange(unsigned port, const void *raw, size_t len, int timeout_ms,
			   struct hc_response *out)
{
	hc_response_fini(out);
	struct hc_conn *c;
	enum hc_result rc = hc_connect(port, &c);
	if (rc)
		return rc;
	bool head = len >= 5 && !memcmp(raw, "HEAD ", 5);
	enum hc_result sent = hc_send(c, raw, len);
	rc = hc_read(c, head, timeout_ms, out);
	if (rc == HC_ECLOSED && sent != HC_OK)
		rc = HC_ESEND;
	hc_close(c);
	return rc;
}

enum hc_result hc_request(unsigned port, const char *method, const char *target,
			  const char *extra_headers, struct hc_response *out)
{
	size_t n = strlen(method) + strlen(target) + (extra_headers ? strlen(extra_headers) : 0) + 128;
	char *req = malloc(n);
	if (!req)
		return HC_ENOMEM;
	int len = snprintf(req, n, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%sConnection: close\r\n\r\n",
			   method, target, port, extra_headers ? extra_headers : "");
	enum hc_result rc = hc_exchange(port, req, (size_t)len, 10000, out);
	free(req);
	return rc;
}

enum hc_result hc_get(unsigned port, const char *target, struct hc_response *out)
{
	return hc_request(port, "GET", target, NULL, out);
}

/* ---- helpers ------------------------------------------------------------------- */

int hc_gunzip(const char *in, size_t len, char **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -1;
	size_t cap = len * 4 + 1024, got = 0;
	char *buf = malloc(cap);
	int rc = Z_OK;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	while (buf && rc == Z_OK) {
		if (cap - got < 1024) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		z.next_out = (Bytef *)buf + got;
		z.avail_out = (uInt)(cap - got - 1);
		rc = inflate(&z, Z_NO_FLUSH);
		got = z.total_out;
		if (rc == Z_BUF_ERROR && z.avail_in == 0)
			break; /* truncated input */
	}
	bool ok = rc == Z_STREAM_END && z.avail_in == 0;
	inflateEnd(&z);
	if (!ok) {
		free(buf);
		return -1;
	}
	buf[got] = '\0';
	*out = buf;
	*out_len = got;
	return 0;
}

int hc_pct_encode(const char *s, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			     (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
			     *p == '~';
		size_t need = plain ? 1 : 3;
		if (n + need + 1 > cap) {
			if (cap)
				out[0] = '\0';
			return -1;
		}
		if (plain) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	if (n + 1 > cap)
		return -1;
	out[n] = '\0';
	return (int)n;
}
