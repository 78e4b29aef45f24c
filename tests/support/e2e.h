/* e2e.h — checks shared by the end-to-end suites (tests/e2e/).
 *
 * The checks return true, or false with the reason in `e2e_why`, and the
 * test asserts at its own line with ck_assert_why(), so a failure names the
 * test's line and says what the server did. */
#ifndef YZ_TESTS_E2E_H
#define YZ_TESTS_E2E_H

#include <check.h>
#include <stdbool.h>

#include "http_client.h"
#include "jval.h"
#include "server_proc.h"

/* The bundled dataset, relative to the repository root (the tests' working
 * directory). */
#define E2E_DATASET "data/shanghai"
/* Per-test time limit, generous for the sanitized build. */
#define E2E_TEST_TIMEOUT_S 30

/* The reason the last check failed. */
extern char e2e_why[2048];

#define ck_assert_why(cond) ck_assert_msg((cond), "%s", e2e_why)

/* Start `$YZ_BIN args…` and fail the calling test (or fixture) unless it
 * listens; the message carries the program's stderr. */
struct sproc *e2e_serve(const char *const *args);

/* GET `target` on a fresh connection and check the status; false when the
 * request failed or the status differs.  `r` is filled either way. */
bool e2e_get(unsigned port, const char *target, int status, struct hc_response *r);

/* Parse the body of `r` as JSON: the tree (caller frees with jval_free), or
 * NULL (invalid JSON; reason in e2e_why). */
struct jval *e2e_json(const struct hc_response *r);

/* `r` is a SPEC §4 error: status `status`, a JSON content type and the body
 * {"error":{"code":"…","message":"…"}} with non-empty strings; `code` (may be
 * NULL for any) is the expected code. */
bool e2e_is_error(const struct hc_response *r, int status, const char *code);

/* The server process runs and answers GET /health with 200 and
 * {"status":"ok",…}. */
bool e2e_healthy(struct sproc *p);

/* The body of `r` does not contain `needle` (for "nothing leaked"). */
bool e2e_lacks(const struct hc_response *r, const char *needle);

#endif
