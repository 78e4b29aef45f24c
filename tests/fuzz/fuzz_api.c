/* fuzz_api.c — libFuzzer target for every query endpoint's parameter
 * handling, end to end: the request's query string goes through the same
 * parser and handler as a real request (http_call), on the bundled dataset
 * (data/shanghai, loaded once; run from the repository root).
 *
 * Input: the first byte picks the endpoint, the rest is the raw query string
 * (for /api/stations/{id}, the part before the first '?' is the id).
 * Invariants, each an abort() when violated: the status is one the API
 * documents (200, 400, 404, 413, 422, 503 — never another 5xx); the body is
 * strict JSON (common/jsonr.c) unless it is a CSV export; an error body is
 * exactly {"error":{"code","message"}} with non-empty strings; a 200 of the
 * JSON endpoints is an object. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/jsonr.h"
#include "server/dataset.h"
#include "server/http.h"
#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const endpoints[] = {
	"/api/stations", "/api/stations/", "/api/communities", "/api/route",
	"/api/nearest",  "/api/isochrone", "/api/coverage",    "/api/suggest",
};
#define ENDPOINTS (sizeof endpoints / sizeof endpoints[0])

static struct dataset *data;

static void load_once(void)
{
	if (data)
		return;
	struct dataset_sources src = {.dir = "data/shanghai"};
	struct yz_errbuf eb;
	if (dataset_build(&src, &data, &eb)) {
		fprintf(stderr, "fuzz_api: data/shanghai: %s (run from the repository root)\n", eb.msg);
		abort();
	}
}

static void check_error_body(const struct jsonr_node *root)
{
	const struct jsonr_node *err = jsonr_get(root, "error");
	CHECK(err && jsonr_count(root) == 1 && jsonr_count(err) == 2);
	const char *s;
	size_t n;
	CHECK(jsonr_str(jsonr_get(err, "code"), &s, &n) && n > 0);
	CHECK(jsonr_str(jsonr_get(err, "message"), &s, &n) && n > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	load_once();
	if (size < 1 || size > 4096)
		return 0;
	const char *endpoint = endpoints[in[0] % ENDPOINTS];
	char path[256];
	const char *query = (const char *)in + 1;
	size_t qlen = size - 1;
	if (memchr(query, '\0', qlen))
		return 0; /* a URL never holds a raw NUL (MHD stops there) */
	char *q = malloc(qlen + 1);
	CHECK(q != NULL);
	memcpy(q, query, qlen);
	q[qlen] = '\0';
	char *rest = q;
	if (!strcmp(endpoint, "/api/stations/")) {
		char *qm = strchr(q, '?');
		if (qm)
			*qm = '\0';
		snprintf(path, sizeof path, "%s%.100s", endpoint, q);
		rest = qm ? qm + 1 : q + strlen(q);
	} else {
		snprintf(path, sizeof path, "%s", endpoint);
	}
	struct http_response res = {.status = 200, .compressible = true};
	buf_init(&res.body);
	http_call(path, rest, data, &res);
	CHECK(!res.body.failed);
	static const int allowed[] = {200, 400, 404, 413, 422, 503};
	int ok = 0;
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
		ok |= res.status == allowed[i];
	CHECK(ok);
	bool csv = res.status == 200 && res.content_type && !strncmp(res.content_type, "text/csv", 8);
	if (!csv && res.body.len > JSONR_MAX_INPUT) {
		/* too big for the strict reader (a walk's gaps over the whole city) */
		CHECK(res.status == 200 && res.body.data[0] == '{' &&
		      res.body.data[res.body.len - 1] == '}');
	} else if (!csv) {
		struct jsonr_doc *doc;
		struct yz_errbuf eb;
		CHECK(jsonr_parse(res.body.data ? res.body.data : "", res.body.len, &doc, &eb) == YZ_OK);
		const struct jsonr_node *root = jsonr_root(doc);
		CHECK(jsonr_type(root) == JSONR_OBJECT);
		if (res.status >= 400)
			check_error_body(root);
		jsonr_free(doc);
	} else {
		CHECK(res.body.len >= 3 && !memcmp(res.body.data, "\xEF\xBB\xBF", 3));
	}
	buf_fini(&res.body);
	free(q);
	return 0;
}
