/* server_proc.h — the program under test as a child process.
 *
 * The program is $YZ_BIN (default ./yizhan, relative to the repository root,
 * which is the tests' working directory).  sproc_start runs
 * `$YZ_BIN serve …` with stdout on a pipe and stderr in a temporary file, and
 * waits for the line "yizhan: serving … at http://HOST:PORT/" to learn the
 * port.  sproc_run runs a command to completion and captures both streams.
 *
 * Exit statuses are given shell-style: the exit code, or 128 + the signal
 * number for a process killed by a signal.
 *
 * A started server may be inspected from a process other than its parent
 * (Check forks every test while the fixture server belongs to the runner):
 * sproc_alive then falls back to /proc, and only the parent may wait. */
#ifndef YZ_TESTS_SERVER_PROC_H
#define YZ_TESTS_SERVER_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* How long sproc_start waits for the "serving" line. */
#define SPROC_START_MS 20000

enum sproc_state {
	SPROC_LISTENING = 0, /* printed its address; sproc_port is valid */
	SPROC_EXITED,        /* exited before listening; see sproc_exit_status */
	SPROC_TIMEOUT,       /* no address in time; the process was killed */
	SPROC_ESPAWN,        /* fork/exec/pipe failed (message on stderr) */
};

struct sproc;

/* The program under test ($YZ_BIN or "./yizhan"); a static string. */
const char *sproc_bin(void);

/* Start `$YZ_BIN` with the NULL-terminated `args` (args[0] is the first
 * argument, e.g. "serve").  Always stores a handle in `*out` (NULL only when
 * out of memory), also on failure so its exit status and stderr can be read;
 * free it with sproc_free. */
enum sproc_state sproc_start(const char *const *args, struct sproc **out);

/* Accessors.  sproc_port: the port read from the "serving" line (0 before).
 * sproc_exit_status: shell-style status once the process has been reaped,
 * else -1. */
pid_t sproc_pid(const struct sproc *p);
unsigned sproc_port(const struct sproc *p);
int sproc_exit_status(const struct sproc *p);

/* The child's stderr so far, NUL-terminated; borrowed until the next call
 * on `p`.  Never NULL (an empty string when nothing could be read). */
const char *sproc_stderr(struct sproc *p);

/* True while the process runs (not exited, not a zombie).  Reaps it when
 * the caller is the parent and it has exited. */
bool sproc_alive(struct sproc *p);

/* Send `sig`; 0 or -1 (errno set). */
int sproc_signal(struct sproc *p, int sig);

/* Parent only: wait up to `timeout_ms` for the process to exit.  Returns its
 * shell-style status, or -1 on timeout (the process keeps running). */
int sproc_wait(struct sproc *p, int timeout_ms);

/* Parent only: SIGTERM, then wait up to `timeout_ms`; on timeout SIGKILL.
 * Returns the shell-style status, or -1 when SIGKILL was needed. */
int sproc_stop(struct sproc *p, int timeout_ms);

/* Kill (SIGKILL) and reap the process if the caller is its parent and it
 * still runs, remove the temporary file, free.  Accepts NULL. */
void sproc_free(struct sproc *p);

/* A finished command. */
struct sproc_result {
	int status;   /* shell-style; -1 when it had to be killed on timeout */
	char *out;    /* stdout, NUL-terminated, caller frees (sproc_result_fini) */
	char *err;    /* stderr, likewise */
};

/* Run `$YZ_BIN args…` to completion (stdin /dev/null), at most `timeout_ms`
 * (then SIGKILL, status -1).  Returns 0, or -1 when it could not be started. */
int sproc_run(const char *const *args, int timeout_ms, struct sproc_result *res);
void sproc_result_fini(struct sproc_result *res);

/* Temporary directories for tests: a fresh directory under $TMPDIR (or /tmp)
 * into `out` (size `cap`); 0 or -1.  sproc_rmtree removes a tree (no
 * following of symlinks); -1 if something could not be removed. */
int sproc_mkdtemp(char *out, size_t cap);
int sproc_rmtree(const char *path);

#endif
