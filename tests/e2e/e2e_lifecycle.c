/* e2e_lifecycle.c — the program's life: building and serving a snapshot,
 * refusing corrupt snapshots and missing data at start, reloading on SIGHUP
 * without dropping requests, stopping on SIGTERM, and the command line
 * (--help, bad --port, a port in use).
 *
 * Each test starts its own servers (the test process is their parent, so it
 * can collect exit statuses).  The snapshot of the bundled dataset is built
 * once per test case by an unchecked fixture into a temporary directory. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/e2e.h"

Suite *lifecycle_suite(void);

static char tmp[256];       /* the fixture's temporary directory */
static char snap[320];      /* tmp/shanghai.snap, built from data/shanghai */

static void snapshot_up(void)
{
	ck_assert_msg(sproc_mkdtemp(tmp, sizeof tmp) == 0, "mkdtemp");
	snprintf(snap, sizeof snap, "%s/shanghai.snap", tmp);
	const char *const args[] = {"build", E2E_DATASET, "-o", snap, NULL};
	struct sproc_result res;
	ck_assert_msg(sproc_run(args, 60000, &res) == 0, "cannot run %s", sproc_bin());
	ck_assert_msg(res.status == 0, "yizhan build: status %d; stderr:\n%s", res.status, res.err);
	sproc_result_fini(&res);
}

static void snapshot_down(void)
{
	if (tmp[0])
		sproc_rmtree(tmp);
	tmp[0] = '\0';
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void copy_file(const char *from, const char *to, size_t keep)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	ck_assert_msg(in && out, "copy %s → %s", from, to);
	char chunk[65536];
	size_t n, total = 0;
	while ((n = fread(chunk, 1, sizeof chunk, in)) > 0 && total < keep) {
		if (n > keep - total)
			n = keep - total;
		ck_assert(fwrite(chunk, 1, n, out) == n);
		total += n;
	}
	fclose(in);
	ck_assert(fclose(out) == 0);
}

static long file_size(const char *path)
{
	struct stat st;
	ck_assert_msg(stat(path, &st) == 0, "stat %s", path);
	return (long)st.st_size;
}

static void flip_byte(const char *path, long at)
{
	FILE *f = fopen(path, "r+b");
	ck_assert(f != NULL);
	ck_assert(fseek(f, at, SEEK_SET) == 0);
	int c = fgetc(f);
	ck_assert(c != EOF);
	ck_assert(fseek(f, at, SEEK_SET) == 0);
	fputc(c ^ 0x5a, f);
	ck_assert(fclose(f) == 0);
}

/* Read `n` bytes at offset `at` of `path` (the snapshot's header and
 * table, layout in data/snapshot.h). */
static void read_at(const char *path, long at, void *out, size_t n)
{
	FILE *f = fopen(path, "rb");
	ck_assert(f != NULL);
	ck_assert(fseek(f, at, SEEK_SET) == 0);
	ck_assert(fread(out, 1, n, f) == n);
	fclose(f);
}

/* A JSON document from GET target (asserts 200). */
static struct jval *json_at(unsigned port, const char *target, struct hc_response *r)
{
	ck_assert_why(e2e_get(port, target, 200, r));
	struct jval *v = e2e_json(r);
	ck_assert_why(v != NULL);
	return v;
}

/* Poll the server's stderr until it contains `needle` `times` times. */
static bool stderr_count(struct sproc *p, const char *needle, int times, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		int n = 0;
		for (const char *s = sproc_stderr(p); (s = strstr(s, needle)); s++)
			n++;
		if (n >= times)
			return true;
		if (now_ms() >= deadline)
			return false;
		nap_ms(10);
	}
}

/* ---- snapshots ------------------------------------------------------------------ */

START_TEST(snapshot_serves_the_same)
{
	const char *const from_dir[] = {"serve", E2E_DATASET, "--port", "0", NULL};
	const char *const from_snap[] = {"serve", "--snapshot", snap, "--port", "0", NULL};
	struct sproc *a = e2e_serve(from_dir);
	struct sproc *b = e2e_serve(from_snap);
	struct hc_response ra, rb;
	hc_response_init(&ra);
	hc_response_init(&rb);
	struct jval *ha = json_at(sproc_port(a), "/health", &ra);
	struct jval *hb = json_at(sproc_port(b), "/health", &rb);
	static const char *const same[] = {
		"dataset.name",           "dataset.stations",        "dataset.communities",
		"dataset.demo",           "dataset.attribution",     "dataset.version",
		"dataset.roads",          "dataset.modes.walk.nodes", "dataset.modes.walk.arcs",
		"dataset.modes.ebike.nodes", "dataset.modes.ebike.arcs", "dataset.modes.car.nodes",
		"dataset.modes.car.arcs", "dataset.warnings.total",
	};
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		const struct jval *x = jval_path(ha, same[i]), *y = jval_path(hb, same[i]);
		ck_assert_msg(x != NULL, "folder /health has no %s", same[i]);
		ck_assert_msg(jval_equal(x, y), "%s differs: folder %s\nsnapshot %s", same[i], ra.body,
			      rb.body);
	}
	double n;
	ck_assert(jval_num(jval_path(hb, "dataset.stations"), &n) && n == 80);
	ck_assert(jval_num(jval_path(hb, "dataset.communities"), &n) && n == 10);
	const struct jval *fs = jval_path(hb, "dataset.from_snapshot");
	ck_assert_msg(fs && fs->type == JVAL_BOOL && fs->b, "from_snapshot is not true: %s", rb.body);
	jval_free(ha);
	jval_free(hb);

	/* The data endpoints answer byte for byte the same. */
	static const char *const targets[] = {
		"/api/stations",           "/api/stations?service=charging,water",
		"/api/stations?q=%E9%A9%BF%E7%AB%99", "/api/stations?bbox=121.4,31.2,121.5,31.3",
		"/api/stations/SH-001",    "/api/stations/SH-080",
		"/api/communities",
	};
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		ck_assert_why(e2e_get(sproc_port(a), targets[i], 200, &ra));
		ck_assert_why(e2e_get(sproc_port(b), targets[i], 200, &rb));
		ck_assert_msg(ra.body_len == rb.body_len && !memcmp(ra.body, rb.body, ra.body_len),
			      "%s: the snapshot answers differently (%zu vs %zu bytes)", targets[i],
			      ra.body_len, rb.body_len);
	}
	hc_response_fini(&ra);
	hc_response_fini(&rb);
	int sa = sproc_stop(a, 6000), sb = sproc_stop(b, 6000);
	ck_assert_msg(sa == 0, "folder server exit %d: %s", sa, sproc_stderr(a));
	ck_assert_msg(sb == 0, "snapshot server exit %d: %s", sb, sproc_stderr(b));
	sproc_free(a);
	sproc_free(b);
}
END_TEST

/* Serving `file` must fail at start: status ≠ 0, the file named on stderr
 * together with one of the words (NULL-terminated list; none = any text). */
static void refuses(const char *file, const char *const *words, const char *what)
{
	const char *const args[] = {"serve", "--snapshot", file, "--port", "0", NULL};
	struct sproc *p;
	enum sproc_state st = sproc_start(args, &p);
	ck_assert_msg(st == SPROC_EXITED, "%s: the server %s", what,
		      st == SPROC_LISTENING ? "started" : "did not exit");
	const char *err = sproc_stderr(p);
	ck_assert_msg(sproc_exit_status(p) != 0, "%s: exit status 0", what);
	ck_assert_msg(sproc_exit_status(p) < 128, "%s: killed by signal %d; stderr:\n%s", what,
		      sproc_exit_status(p) - 128, err);
	ck_assert_msg(strstr(err, file) != NULL, "%s: stderr does not name %s:\n%s", what, file, err);
	bool any = !words[0];
	for (size_t i = 0; words[i]; i++)
		any |= strcasestr(err, words[i]) != NULL;
	ck_assert_msg(any, "%s: stderr does not say \"%s\":\n%s", what, words[0], err);
	sproc_free(p);
}

START_TEST(corrupt_snapshots_refused)
{
	static const char *const damaged[] = {"corrupt", "truncated", NULL};
	static const char *const not_snap[] = {"not a yizhan snapshot", "corrupt", "truncated", NULL};
	static const char *const any[] = {NULL};
	char bad[400];
	long size = file_size(snap);
	ck_assert_msg(size > 1024, "snapshot of %ld bytes", size);

	snprintf(bad, sizeof bad, "%s/half.snap", tmp);
	copy_file(snap, bad, (size_t)size / 2);
	refuses(bad, damaged, "truncated to half");

	snprintf(bad, sizeof bad, "%s/minus1.snap", tmp);
	copy_file(snap, bad, (size_t)size - 1);
	refuses(bad, damaged, "one byte short");

	snprintf(bad, sizeof bad, "%s/flip-middle.snap", tmp);
	copy_file(snap, bad, (size_t)size);
	flip_byte(bad, size / 2);
	refuses(bad, damaged, "a byte flipped in the middle");

	/* A byte flipped in the section table, and in the first, middle and
	 * last section (the file's own last byte may be alignment padding,
	 * which no checksum covers and nothing reads). */
	snprintf(bad, sizeof bad, "%s/flip-table.snap", tmp);
	copy_file(snap, bad, (size_t)size);
	flip_byte(bad, 64 + 4);
	refuses(bad, damaged, "a byte of the section table flipped");
	uint32_t count;
	read_at(snap, 16, &count, sizeof count);
	ck_assert_msg(count >= 1 && count < 4096, "section count %u", count);
	uint32_t pick[3] = {0, count / 2, count - 1};
	for (int k = 0; k < 3; k++) {
		uint64_t off_size[2];
		read_at(snap, 64 + 24 * (long)pick[k] + 8, off_size, sizeof off_size);
		if (!off_size[1])
			continue;
		snprintf(bad, sizeof bad, "%s/flip-section-%u.snap", tmp, pick[k]);
		copy_file(snap, bad, (size_t)size);
		flip_byte(bad, (long)(off_size[0] + off_size[1] - 1));
		char what[64];
		snprintf(what, sizeof what, "the last byte of section %u flipped", pick[k]);
		refuses(bad, damaged, what);
	}

	snprintf(bad, sizeof bad, "%s/flip-header.snap", tmp);
	copy_file(snap, bad, (size_t)size);
	flip_byte(bad, 20);
	refuses(bad, not_snap, "a header byte flipped");

	snprintf(bad, sizeof bad, "%s/tiny.snap", tmp);
	copy_file(snap, bad, 10);
	refuses(bad, not_snap, "10 bytes");

	snprintf(bad, sizeof bad, "%s/empty.snap", tmp);
	copy_file(snap, bad, 0);
	refuses(bad, not_snap, "an empty file");

	snprintf(bad, sizeof bad, "%s/text.snap", tmp);
	FILE *f = fopen(bad, "w");
	ck_assert(f != NULL);
	for (int i = 0; i < 500; i++)
		fputs("this is not a snapshot at all\n", f);
	fclose(f);
	refuses(bad, not_snap, "a text file");

	refuses(tmp, any, "a directory");
	snprintf(bad, sizeof bad, "%s/missing.snap", tmp);
	refuses(bad, any, "a missing file");

	/* `info` says the same. */
	snprintf(bad, sizeof bad, "%s/half.snap", tmp);
	const char *const info[] = {"info", "--snapshot", bad, NULL};
	struct sproc_result res;
	ck_assert(sproc_run(info, 20000, &res) == 0);
	ck_assert_msg(res.status != 0 && res.status < 128, "info on a truncated snapshot: %d",
		      res.status);
	ck_assert_msg(strstr(res.err, bad) != NULL, "info: %s", res.err);
	sproc_result_fini(&res);
}
END_TEST

START_TEST(missing_dataset_refused)
{
	static const char *const cases[][6] = {
		{"serve", "/nonexistent/yizhan-dataset", "--port", "0", NULL},
		{"serve", "--roads", "/nonexistent/roads.osm.pbf", "--port", "0", NULL},
		{"serve", "tests/e2e", "--port", "0", NULL}, /* a folder without dataset.conf */
	};
	static const char *const named[] = {"/nonexistent/yizhan-dataset", "/nonexistent/roads.osm.pbf",
					    "tests/e2e"};
	for (size_t i = 0; i < 3; i++) {
		struct sproc *p;
		enum sproc_state st = sproc_start(cases[i], &p);
		const char *err = sproc_stderr(p);
		ck_assert_msg(st == SPROC_EXITED, "%s: the server %s", named[i],
			      st == SPROC_LISTENING ? "started" : "did not exit");
		ck_assert_msg(sproc_exit_status(p) != 0 && sproc_exit_status(p) < 128,
			      "%s: exit status %d; stderr:\n%s", named[i], sproc_exit_status(p), err);
		ck_assert_msg(strstr(err, named[i]) != NULL, "%s: stderr does not name it:\n%s",
			      named[i], err);
		sproc_free(p);
	}
}
END_TEST

/* ---- signals ---------------------------------------------------------------------- */

/* n requests in a row, each must be 200 with valid JSON. */
static void all_answered(unsigned port, int n, const char *when)
{
	static const char *const targets[] = {"/health", "/api/stations", "/api/stations/SH-007",
					      "/api/communities"};
	struct hc_response r;
	hc_response_init(&r);
	for (int i = 0; i < n; i++) {
		const char *t = targets[i % 4];
		ck_assert_msg(e2e_get(port, t, 200, &r), "%s, request %d: %s", when, i, e2e_why);
		struct jval *v = e2e_json(&r);
		ck_assert_msg(v != NULL, "%s, %s: %s", when, t, e2e_why);
		jval_free(v);
	}
	hc_response_fini(&r);
}

/* The whole of a small file, NUL-terminated; the caller frees. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	char *buf = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (cap - *len < 65536) {
			cap = cap ? cap * 2 : 131072;
			buf = realloc(buf, cap);
			ck_assert(buf != NULL);
		}
		size_t n = fread(buf + *len, 1, cap - *len - 1, f);
		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

/* Replace `path` atomically by `text` (a reload must never see half). */
static void replace_file(const char *path, const char *text, size_t len)
{
	char part[512];
	snprintf(part, sizeof part, "%s.part", path);
	FILE *f = fopen(part, "wb");
	ck_assert(f != NULL);
	ck_assert(fwrite(text, 1, len, f) == len);
	ck_assert(fclose(f) == 0);
	ck_assert(rename(part, path) == 0);
}

START_TEST(sighup_reloads)
{
	/* A copy of the bundled dataset whose stations file the test edits. */
	char ds[320], from[400], to[400];
	snprintf(ds, sizeof ds, "%s/reload-ds", tmp);
	ck_assert(mkdir(ds, 0755) == 0);
	static const char *const files[] = {"dataset.conf", "roads.osm.pbf", "districts.geojson",
					    "stations.geojson"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(from, sizeof from, "%s/%s", E2E_DATASET, files[i]);
		snprintf(to, sizeof to, "%s/%s", ds, files[i]);
		copy_file(from, to, SIZE_MAX);
	}
	const char *const args[] = {"serve", ds, "--port", "0", NULL};
	struct sproc *p = e2e_serve(args);
	unsigned port = sproc_port(p);
	all_answered(port, 8, "before SIGHUP");

	/* Rename SH-001 in the source. */
	struct hc_response r;
	hc_response_init(&r);
	struct jval *one = json_at(port, "/api/stations/SH-001", &r);
	char old_name[256], quoted[300], renamed[300];
	snprintf(old_name, sizeof old_name, "%s", jval_str(jval_path(one, "properties.name")));
	jval_free(one);
	snprintf(quoted, sizeof quoted, "\"%s\"", old_name);
	snprintf(renamed, sizeof renamed, "\"%s·重载\"", old_name);
	snprintf(to, sizeof to, "%s/stations.geojson", ds);
	size_t len;
	char *text = slurp(to, &len);
	char *at = strstr(text, quoted);
	ck_assert_msg(at != NULL, "%s not found in %s", quoted, to);
	size_t ql = strlen(quoted), rl = strlen(renamed);
	char *edited = malloc(len + rl);
	ck_assert(edited != NULL);
	size_t head = (size_t)(at - text);
	memcpy(edited, text, head);
	memcpy(edited + head, renamed, rl);
	memcpy(edited + head + rl, at + ql, len - head - ql);
	replace_file(to, edited, len - ql + rl);
	free(edited);
	free(text);

	/* A keep-alive connection opened before the reloads, used after them. */
	struct hc_conn *c;
	ck_assert(hc_connect(port, &c) == HC_OK);
	static const char req[] = "GET /api/stations/SH-010 HTTP/1.1\r\nHost: x\r\n\r\n";
	ck_assert(hc_send(c, req, sizeof req - 1) == HC_OK);
	ck_assert(hc_read(c, false, 5000, &r) == HC_OK && r.status == 200);
	for (int k = 1; k <= 3; k++) {
		ck_assert(sproc_signal(p, SIGHUP) == 0);
		all_answered(port, 12, "during a reload"); /* while the new data loads */
		ck_assert_msg(stderr_count(p, "reloaded", k, 20000), "reload %d not reported:\n%s", k,
			      sproc_stderr(p));
		ck_assert_why(e2e_healthy(p));
	}
	all_answered(port, 8, "after SIGHUP");
	ck_assert(hc_send(c, req, sizeof req - 1) == HC_OK);
	ck_assert_msg(hc_read(c, false, 5000, &r) == HC_OK && r.status == 200,
		      "the keep-alive connection broke across reloads");
	hc_close(c);

	/* The new data is served. */
	one = json_at(port, "/api/stations/SH-001", &r);
	const char *now = jval_str(jval_path(one, "properties.name"));
	ck_assert_msg(now && strstr(now, "·重载"), "after the reload SH-001 is still \"%s\"",
		      now ? now : "(none)");
	jval_free(one);
	struct jval *h = json_at(port, "/health", &r);
	double n, ms;
	ck_assert(jval_num(jval_path(h, "dataset.stations"), &n) && n == 80);
	ck_assert(jval_num(jval_path(h, "dataset.load_ms"), &ms) && ms >= 0);
	jval_free(h);
	hc_response_fini(&r);
	int st = sproc_stop(p, 6000);
	ck_assert_msg(st == 0, "exit status %d; stderr:\n%s", st, sproc_stderr(p));
	sproc_free(p);
}
END_TEST

/* A client process for sighup_under_load: requests on one keep-alive
 * connection (reconnecting when the server closes it) until `stop_fd` reads
 * EOF.  Exit status 0 when every answer was a complete 200 with valid JSON
 * and there were a few; 1 otherwise, with the reason on stderr. */
static int hammer(unsigned port, int stop_fd, int who)
{
	static const char *const targets[] = {"/api/stations", "/api/communities", "/health",
					      "/api/stations?service=charging", "/api/stations/SH-033"};
	struct hc_conn *c = NULL;
	struct hc_response r;
	hc_response_init(&r);
	int done = 0;
	for (;;) {
		struct pollfd pfd = {.fd = stop_fd, .events = POLLIN};
		if (poll(&pfd, 1, 0) > 0)
			break;
		const char *t = targets[(done + who) % 5];
		if (!c && hc_connect(port, &c) != HC_OK) {
			fprintf(stderr, "client %d: cannot connect\n", who);
			return 1;
		}
		char req[160];
		int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", t);
		enum hc_result rc = hc_send(c, req, (size_t)n);
		if (rc == HC_OK)
			rc = hc_read(c, false, 10000, &r);
		if (rc != HC_OK || r.status != 200) {
			fprintf(stderr, "client %d: GET %s (request %d): %s, status %d\n", who, t, done,
				hc_strerror(rc), r.status);
			return 1;
		}
		struct jval *v = jval_parse(r.body, r.body_len, NULL, 0);
		if (!v) {
			fprintf(stderr, "client %d: GET %s: invalid JSON\n", who, t);
			return 1;
		}
		jval_free(v);
		if (r.closed) {
			hc_close(c);
			c = NULL;
		}
		done++;
	}
	hc_close(c);
	hc_response_fini(&r);
	if (done < 10) {
		fprintf(stderr, "client %d: only %d requests\n", who, done);
		return 1;
	}
	return 0;
}

START_TEST(sighup_under_load)
{
	/* Reloads while several clients keep requesting: no request may fail,
	 * and (under the sanitizers) no dataset may be freed while in use. */
	const char *const args[] = {"serve", E2E_DATASET, "--port", "0", NULL};
	struct sproc *p = e2e_serve(args);
	unsigned port = sproc_port(p);
	enum { CLIENTS = 4, RELOADS = 3 };
	int stop[2];
	ck_assert(pipe(stop) == 0);
	pid_t kids[CLIENTS];
	for (int i = 0; i < CLIENTS; i++) {
		fflush(NULL);
		kids[i] = fork();
		ck_assert(kids[i] >= 0);
		if (kids[i] == 0) {
			close(stop[1]);
			_exit(hammer(port, stop[0], i));
		}
	}
	close(stop[0]);
	nap_ms(50);
	bool reported = true;
	for (int k = 1; k <= RELOADS && reported; k++) {
		ck_assert(sproc_signal(p, SIGHUP) == 0);
		reported = stderr_count(p, "reloaded", k, 20000);
	}
	nap_ms(50);
	close(stop[1]); /* the clients stop */
	int failed = 0;
	for (int i = 0; i < CLIENTS; i++) {
		int ws;
		ck_assert(waitpid(kids[i], &ws, 0) == kids[i]);
		failed += !WIFEXITED(ws) || WEXITSTATUS(ws) != 0;
	}
	ck_assert_msg(reported, "reloads not reported:\n%s", sproc_stderr(p));
	ck_assert_msg(failed == 0, "%d of %d clients saw a failure (their stderr above)", failed,
		      CLIENTS);
	ck_assert_why(e2e_healthy(p));
	int st = sproc_stop(p, 6000);
	ck_assert_msg(st == 0, "exit status %d; stderr:\n%s", st, sproc_stderr(p));
	sproc_free(p);
}
END_TEST

START_TEST(sighup_bad_data_keeps_serving)
{
	char copy[400];
	snprintf(copy, sizeof copy, "%s/reload.snap", tmp);
	long size = file_size(snap);
	copy_file(snap, copy, (size_t)size);
	const char *const args[] = {"serve", "--snapshot", copy, "--port", "0", NULL};
	struct sproc *p = e2e_serve(args);
	unsigned port = sproc_port(p);
	all_answered(port, 4, "before");
	/* Damage the file: the reload fails, the old data stays. */
	copy_file(snap, copy, (size_t)size / 3);
	ck_assert(sproc_signal(p, SIGHUP) == 0);
	ck_assert_msg(stderr_count(p, "reload failed", 1, 20000), "no failed reload reported:\n%s",
		      sproc_stderr(p));
	ck_assert_msg(strstr(sproc_stderr(p), copy) != NULL, "the message does not name the file:\n%s",
		      sproc_stderr(p));
	all_answered(port, 8, "after a failed reload");
	/* Repair it: the next reload works. */
	copy_file(snap, copy, (size_t)size);
	ck_assert(sproc_signal(p, SIGHUP) == 0);
	ck_assert_msg(stderr_count(p, "reloaded", 1, 20000), "no reload reported:\n%s",
		      sproc_stderr(p));
	all_answered(port, 4, "after the repair");
	int st = sproc_stop(p, 6000);
	ck_assert_msg(st == 0, "exit status %d; stderr:\n%s", st, sproc_stderr(p));
	sproc_free(p);
}
END_TEST

START_TEST(sigterm_stops)
{
	static const int sigs[] = {SIGTERM, SIGINT};
	for (size_t k = 0; k < 2; k++) {
		const char *const args[] = {"serve", E2E_DATASET, "--port", "0", NULL};
		struct sproc *p = e2e_serve(args);
		unsigned port = sproc_port(p);
		all_answered(port, 4, "before stopping");
		/* An idle keep-alive connection and one stuck mid-request. */
		struct hc_conn *idle, *half;
		struct hc_response r;
		hc_response_init(&r);
		ck_assert(hc_connect(port, &idle) == HC_OK);
		static const char req[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
		ck_assert(hc_send(idle, req, sizeof req - 1) == HC_OK);
		ck_assert(hc_read(idle, false, 5000, &r) == HC_OK && r.status == 200);
		ck_assert(hc_connect(port, &half) == HC_OK);
		ck_assert(hc_send(half, "GET /api/stations HTTP/1.1\r\nHo", 30) == HC_OK);
		long long t0 = now_ms();
		ck_assert(sproc_signal(p, sigs[k]) == 0);
		int st = sproc_wait(p, 6000);
		long long took = now_ms() - t0;
		ck_assert_msg(st == 0, "%s: exit status %d after %lld ms; stderr:\n%s",
			      strsignal(sigs[k]), st, took, sproc_stderr(p));
		ck_assert_msg(took < 6000, "took %lld ms", took);
		ck_assert_msg(strstr(sproc_stderr(p), "stopped") != NULL, "stderr:\n%s", sproc_stderr(p));
		/* And it no longer listens. */
		struct hc_conn *c;
		ck_assert_msg(hc_connect(port, &c) != HC_OK, "port %u still accepts", port);
		hc_close(idle);
		hc_close(half);
		hc_response_fini(&r);
		sproc_free(p);
	}
}
END_TEST


/* ---- the admin endpoint, faults, load shedding ------------------------------------ */

#define TOKEN "correct-horse-battery-staple-42"

/* POST /admin/reload with an Authorization header (NULL: none). */
static void post_reload(unsigned port, const char *auth, int status, const char *code,
			struct hc_response *r)
{
	char hdr[256] = "";
	if (auth)
		snprintf(hdr, sizeof hdr, "Authorization: %s\r\n", auth);
	ck_assert(hc_request(port, "POST", "/admin/reload", hdr, r) == HC_OK);
	ck_assert_msg(r->status == status, "POST /admin/reload (%s): status %d, expected %d: %s",
		      auth ? auth : "no token", r->status, status, r->body);
	if (code)
		ck_assert_why(e2e_is_error(r, status, code));
}

/* /health's reload.ok and reload.count. */
static void reload_state(unsigned port, bool ok, double count, const char *message_part)
{
	struct hc_response r;
	hc_response_init(&r);
	struct jval *h = json_at(port, "/health", &r);
	const struct jval *v = jval_path(h, "reload.ok");
	double n;
	ck_assert_msg(v && v->type == JVAL_BOOL && v->b == ok, "/health reload.ok: %s", r.body);
	ck_assert_msg(jval_num(jval_path(h, "reload.count"), &n) && n == count,
		      "/health reload.count: %s", r.body);
	const char *m = jval_str(jval_path(h, "reload.message"));
	ck_assert_msg(m && (message_part ? strstr(m, message_part) != NULL : !*m),
		      "/health reload.message: %s", r.body);
	jval_free(h);
	hc_response_fini(&r);
}

START_TEST(admin_reload)
{
	char copy[400], token[400];
	snprintf(copy, sizeof copy, "%s/admin.snap", tmp);
	snprintf(token, sizeof token, "%s/token", tmp);
	long size = file_size(snap);
	copy_file(snap, copy, (size_t)size);
	FILE *f = fopen(token, "w");
	ck_assert(f != NULL);
	fputs("  " TOKEN "\n", f);
	ck_assert(fclose(f) == 0);
	ck_assert(chmod(token, 0600) == 0);
	const char *const args[] = {"serve", "--snapshot", copy, "--port", "0", "--admin-token-file",
				    token, NULL};
	struct sproc *p = e2e_serve(args);
	unsigned port = sproc_port(p);
	struct hc_response r;
	hc_response_init(&r);
	struct jval *h = json_at(port, "/health", &r);
	ck_assert_msg(jval_path(h, "reload") && jval_path(h, "reload")->type == JVAL_NULL,
		      "reload before any: %s", r.body);
	jval_free(h);

	/* nobody in without the token: none, a prefix, a wrong one, another
	 * scheme; the answer challenges */
	post_reload(port, NULL, 401, "auth", &r);
	ck_assert_msg(hc_header(&r, "WWW-Authenticate") != NULL, "no WWW-Authenticate");
	post_reload(port, "Bearer correct-horse", 401, "auth", &r);
	post_reload(port, "Bearer correct-horse-battery-staple-43", 401, "auth", &r);
	post_reload(port, "Bearer " TOKEN "x", 401, "auth", &r);
	post_reload(port, "Basic " TOKEN, 401, "auth", &r);
	post_reload(port, "Bearer", 401, "auth", &r);
	ck_assert_why(e2e_get(port, "/admin/reload", 405, &r));
	ck_assert_msg(hc_header(&r, "Allow") && !strcmp(hc_header(&r, "Allow"), "POST"), "Allow");
	ck_assert_why(e2e_get(port, "/admin/other", 404, &r));

	/* with it: reloaded, and /health says so */
	post_reload(port, "Bearer " TOKEN, 200, NULL, &r);
	ck_assert_msg(strstr(r.body, "\"reloaded\":true") != NULL, "%s", r.body);
	reload_state(port, true, 1, NULL);

	/* the file damaged under the running server: the reload fails, says
	 * why, and the old data keeps being served */
	copy_file(snap, copy, (size_t)size / 3);
	all_answered(port, 4, "after the file was truncated");
	post_reload(port, "Bearer " TOKEN, 422, "reload", &r);
	ck_assert_msg(strstr(r.body, "admin.snap") != NULL, "the message does not name the file: %s",
		      r.body);
	reload_state(port, false, 2, "admin.snap");
	all_answered(port, 8, "after a failed reload");

	/* the file gone: the same */
	ck_assert(unlink(copy) == 0);
	all_answered(port, 4, "after the file vanished");
	post_reload(port, "Bearer " TOKEN, 422, "reload", &r);
	reload_state(port, false, 3, "admin.snap");
	all_answered(port, 4, "after reloading a missing file");

	/* back: the next reload works */
	copy_file(snap, copy, (size_t)size);
	post_reload(port, "Bearer " TOKEN, 200, NULL, &r);
	reload_state(port, true, 4, NULL);
	all_answered(port, 4, "after the repair");
	hc_response_fini(&r);
	int st = sproc_stop(p, 6000);
	ck_assert_msg(st == 0, "exit status %d; stderr:\n%s", st, sproc_stderr(p));
	sproc_free(p);
}
END_TEST

START_TEST(admin_off_without_token)
{
	const char *const args[] = {"serve", "--snapshot", snap, "--port", "0", NULL};
	struct sproc *p = e2e_serve(args);
	unsigned port = sproc_port(p);
	struct hc_response r;
	hc_response_init(&r);
	post_reload(port, "Bearer " TOKEN, 404, "notfound", &r);
	post_reload(port, NULL, 404, "notfound", &r);
	ck_assert_why(e2e_get(port, "/admin/reload", 404, &r));
	hc_response_fini(&r);
	sproc_stop(p, 6000);
	sproc_free(p);

	/* a token file that cannot be read, or a token too short to be one */
	char shortf[400];
	snprintf(shortf, sizeof shortf, "%s/short-token", tmp);
	FILE *f = fopen(shortf, "w");
	ck_assert(f != NULL);
	fputs("abc\n", f);
	ck_assert(fclose(f) == 0);
	const char *files[] = {"/nonexistent/token", shortf};
	for (int i = 0; i < 2; i++) {
		const char *const a2[] = {"serve", "--snapshot", snap, "--port", "0",
					  "--admin-token-file", files[i], NULL};
		struct sproc_result res;
		ck_assert(sproc_run(a2, 20000, &res) == 0);
		ck_assert_msg(res.status == 2, "%s: exit %d: %s", files[i], res.status, res.err);
		ck_assert_msg(strstr(res.err, "token") != NULL, "%s", res.err);
		sproc_result_fini(&res);
	}
}
END_TEST

/* Too many connections from one address: requests beyond the soft limit
 * get a quick 429 with Retry-After (health checks still pass), and service
 * resumes as soon as connections close. */
START_TEST(per_client_shedding)
{
	/* a hard limit of 10 makes the soft one 10 / 8 · 7 = 7: seven idle
	 * connections and the request's own are over it, and there is room
	 * left for a health check beside them */
	const char *const args[] = {"serve", "--snapshot", snap, "--port", "0",
				    "--max-client-connections", "10", NULL};
	struct sproc *p = e2e_serve(args);
	unsigned port = sproc_port(p);
	struct hc_conn *idle[7];
	for (int i = 0; i < 7; i++)
		ck_assert(hc_connect(port, &idle[i]) == HC_OK);
	nap_ms(100); /* let the server see them */
	struct hc_response r;
	hc_response_init(&r);
	ck_assert_why(e2e_get(port, "/api/stations", 429, &r));
	ck_assert_why(e2e_is_error(&r, 429, "busy"));
	ck_assert_msg(hc_header(&r, "Retry-After") != NULL, "no Retry-After");
	ck_assert_why(e2e_get(port, "/health", 200, &r));
	for (int i = 0; i < 7; i++)
		hc_close(idle[i]);
	nap_ms(100);
	all_answered(port, 4, "after the idle connections closed");
	hc_response_fini(&r);
	int st = sproc_stop(p, 6000);
	ck_assert_msg(st == 0, "exit status %d; stderr:\n%s", st, sproc_stderr(p));
	sproc_free(p);
}
END_TEST

/* The request limits are the command line's when it gives them. */
START_TEST(configured_request_limits)
{
	const char *const args[] = {"serve", "--snapshot", snap, "--port", "0", "--max-url-bytes",
				    "300", "--max-body-bytes", "10", NULL};
	struct sproc *p = e2e_serve(args);
	unsigned port = sproc_port(p);
	struct hc_response r;
	hc_response_init(&r);
	char url[400];
	snprintf(url, sizeof url, "/api/stations?q=%0*d", 300, 7);
	ck_assert_why(e2e_get(port, url, 414, &r));
	ck_assert_why(e2e_is_error(&r, 414, "limit"));
	snprintf(url, sizeof url, "/api/stations?q=%0*d", 150, 7);
	ck_assert_why(e2e_get(port, url, 200, &r));
	static const char ok_body[] = "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"
				      "Connection: close\r\n\r\n0123456789";
	static const char big_body[] = "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n"
				       "Connection: close\r\n\r\n0123456789a";
	ck_assert(hc_exchange(port, ok_body, sizeof ok_body - 1, 5000, &r) == HC_OK);
	ck_assert_msg(r.status == 405, "10-byte body: status %d", r.status); /* a GET endpoint */
	ck_assert(hc_exchange(port, big_body, sizeof big_body - 1, 5000, &r) == HC_OK);
	ck_assert_msg(r.status == 413, "11-byte body: status %d", r.status);
	hc_response_fini(&r);
	int st = sproc_stop(p, 6000);
	ck_assert_msg(st == 0, "exit status %d; stderr:\n%s", st, sproc_stderr(p));
	sproc_free(p);

	static const char *const bad[][8] = {
		{"serve", "--snapshot", NULL, "--max-url-bytes", "100", NULL},
		{"serve", "--snapshot", NULL, "--max-url-bytes", "5000", NULL},
		{"serve", "--snapshot", NULL, "--max-body-bytes", "0", NULL},
		{"serve", "--snapshot", NULL, "--max-header-kb", "2", NULL},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *a2[8];
		memcpy(a2, bad[i], sizeof a2);
		a2[2] = snap;
		struct sproc_result res;
		ck_assert(sproc_run(a2, 20000, &res) == 0);
		ck_assert_msg(res.status == 2, "%s %s: exit %d", a2[3], a2[4], res.status);
		sproc_result_fini(&res);
	}
}
END_TEST

/* ---- command line -------------------------------------------------------------------- */

static struct sproc_result run(const char *const *args)
{
	struct sproc_result res;
	ck_assert_msg(sproc_run(args, 20000, &res) == 0, "cannot run %s", sproc_bin());
	return res;
}

START_TEST(bad_port_is_usage_error)
{
	static const char *const ports[] = {"abc", "70000", "65536", "-1", "", "80x", "1e3", "0x50"};
	for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
		const char *const args[] = {"serve", E2E_DATASET, "--port", ports[i], NULL};
		struct sproc_result res = run(args);
		ck_assert_msg(res.status == 2, "--port \"%s\": exit status %d; stderr:\n%s", ports[i],
			      res.status, res.err);
		ck_assert_msg(strstr(res.err, "--port") != NULL, "--port \"%s\": stderr:\n%s", ports[i],
			      res.err);
		sproc_result_fini(&res);
	}
	const char *const no_value[] = {"serve", "--port", NULL};
	struct sproc_result res = run(no_value);
	ck_assert_msg(res.status == 2, "--port without a value: %d", res.status);
	sproc_result_fini(&res);
}
END_TEST

START_TEST(port_in_use_and_bad_host)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 1) == 0);
	socklen_t al = sizeof a;
	ck_assert(getsockname(fd, (struct sockaddr *)&a, &al) == 0);
	char port[16];
	snprintf(port, sizeof port, "%u", ntohs(a.sin_port));
	const char *const args[] = {"serve", E2E_DATASET, "--port", port, NULL};
	struct sproc *p;
	enum sproc_state st = sproc_start(args, &p);
	ck_assert_msg(st == SPROC_EXITED, "port %s in use: the server %s", port,
		      st == SPROC_LISTENING ? "started anyway" : "did not exit");
	ck_assert_msg(sproc_exit_status(p) != 0 && sproc_exit_status(p) < 128, "exit status %d",
		      sproc_exit_status(p));
	ck_assert_msg(strstr(sproc_stderr(p), port) != NULL, "stderr does not name the port:\n%s",
		      sproc_stderr(p));
	sproc_free(p);
	close(fd);

	const char *const host[] = {"serve", E2E_DATASET, "--port", "0", "--host", "not-an-address",
				    NULL};
	st = sproc_start(host, &p);
	ck_assert_msg(st == SPROC_EXITED && sproc_exit_status(p) != 0 && sproc_exit_status(p) < 128,
		      "--host not-an-address: state %d, status %d", st, sproc_exit_status(p));
	ck_assert_msg(strstr(sproc_stderr(p), "not-an-address") != NULL, "stderr:\n%s",
		      sproc_stderr(p));
	sproc_free(p);
}
END_TEST

START_TEST(help_lists_commands)
{
	const char *const help[] = {"--help", NULL};
	struct sproc_result res = run(help);
	ck_assert_msg(res.status == 0, "--help: exit status %d", res.status);
	static const char *const cmds[] = {"serve", "build", "info"};
	for (size_t i = 0; i < 3; i++)
		ck_assert_msg(strstr(res.out, cmds[i]) != NULL, "--help does not list %s:\n%s", cmds[i],
			      res.out);
	sproc_result_fini(&res);

	/* No command, an unknown command or option: usage on stderr, status 2. */
	static const char *const wrong[][3] = {{NULL}, {"frobnicate", NULL}, {"serve", "--bogus", NULL}};
	for (size_t i = 0; i < 3; i++) {
		res = run(wrong[i]);
		ck_assert_msg(res.status == 2, "%s: exit status %d", wrong[i][0] ? wrong[i][0] : "(none)",
			      res.status);
		ck_assert_msg(strstr(res.err, "serve") != NULL, "no usage on stderr:\n%s", res.err);
		sproc_result_fini(&res);
	}
	/* build without -o is a usage error too. */
	const char *const build[] = {"build", E2E_DATASET, NULL};
	res = run(build);
	ck_assert_msg(res.status == 2, "build without -o: %d", res.status);
	sproc_result_fini(&res);
}
END_TEST

START_TEST(info_prints_summary)
{
	const char *const folder[] = {"info", E2E_DATASET, NULL};
	const char *const snapshot[] = {"info", "--snapshot", snap, NULL};
	const char *const *const which[] = {folder, snapshot};
	for (size_t k = 0; k < 2; k++) {
		struct sproc_result res = run(which[k]);
		ck_assert_msg(res.status == 0, "info: %d\n%s", res.status, res.err);
		struct jval *v = jval_parse(res.out, strlen(res.out), e2e_why, sizeof e2e_why);
		ck_assert_why(v != NULL);
		double n;
		ck_assert(jval_num(jval_get(v, "stations"), &n) && n == 80);
		ck_assert(jval_num(jval_get(v, "communities"), &n) && n == 10);
		const struct jval *fs = jval_get(v, "from_snapshot");
		ck_assert(fs && fs->type == JVAL_BOOL && fs->b == (k == 1));
		jval_free(v);
		sproc_result_fini(&res);
	}
}
END_TEST

Suite *lifecycle_suite(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *tc = tcase_create("snapshot");
	tcase_add_unchecked_fixture(tc, snapshot_up, snapshot_down);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT_S);
	tcase_add_test(tc, snapshot_serves_the_same);
	tcase_add_test(tc, corrupt_snapshots_refused);
	tcase_add_test(tc, missing_dataset_refused);
	tcase_add_test(tc, sighup_reloads);
	tcase_add_test(tc, sighup_under_load);
	tcase_add_test(tc, sighup_bad_data_keeps_serving);
	tcase_add_test(tc, sigterm_stops);
	tcase_add_test(tc, info_prints_summary);
	tcase_add_test(tc, admin_reload);
	tcase_add_test(tc, admin_off_without_token);
	tcase_add_test(tc, per_client_shedding);
	tcase_add_test(tc, configured_request_limits);
	suite_add_tcase(s, tc);

	TCase *cli = tcase_create("cli");
	tcase_set_timeout(cli, E2E_TEST_TIMEOUT_S);
	tcase_add_test(cli, bad_port_is_usage_error);
	tcase_add_test(cli, port_in_use_and_bad_host);
	tcase_add_test(cli, help_lists_commands);
	suite_add_tcase(s, cli);
	return s;
}
