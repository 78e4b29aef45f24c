/* server_proc.c — see server_proc.h.
 *
 * Children get PR_SET_PDEATHSIG(SIGKILL), so a server never outlives the test
 * process that started it (Check kills a test that times out, and its whole
 * process group, but a runner that dies must not leave servers behind
 * either).  Waiting is polling with short sleeps: a server stops in
 * milliseconds and the tests must stay fast. */
#include "server_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct sproc {
	pid_t pid;
	pid_t parent;          /* the process that forked it */
	int out_fd;            /* read end of the child's stdout, or -1 */
	unsigned port;
	int status;            /* shell-style once reaped, else -1 */
	char err_path[256];    /* the child's stderr, a temporary file */
	char *err_text;        /* last sproc_stderr result */
};

const char *sproc_bin(void)
{
	const char *b = getenv("YZ_BIN");
	return b && *b ? b : "./yizhan";
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int shell_status(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return -1;
}

static int tmp_file(char *path, size_t cap, const char *what)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, cap, "%s/yz-e2e-%s-XXXXXX", dir && *dir ? dir : "/tmp", what);
	int fd = mkstemp(path);
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* Fork and exec $YZ_BIN with args; the child's stdout and stderr go to
 * out_fd and err_fd.  Returns the pid or -1. */
static pid_t spawn(const char *const *args, int out_fd, int err_fd)
{
	size_t n = 0;
	while (args[n])
		n++;
	char **argv = calloc(n + 2, sizeof *argv);
	if (!argv)
		return -1;
	argv[0] = (char *)sproc_bin();
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(out_fd, 1);
		dup2(err_fd, 2);
		/* Default signal dispositions and mask for the program. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		dprintf(2, "server_proc: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free(argv);
	return pid;
}

/* ---- servers ----------------------------------------------------------------- */

pid_t sproc_pid(const struct sproc *p)
{
	return p->pid;
}

unsigned sproc_port(const struct sproc *p)
{
	return p->port;
}

int sproc_exit_status(const struct sproc *p)
{
	return p->status;
}

const char *sproc_stderr(struct sproc *p)
{
	free(p->err_text);
	p->err_text = NULL;
	FILE *f = fopen(p->err_path, "rb");
	if (f) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		char chunk[8192];
		size_t r;
		while (m && (r = fread(chunk, 1, sizeof chunk, f)) > 0 && len < (1u << 20))
			fwrite(chunk, 1, r, m);
		if (m)
			fclose(m);
		fclose(f);
		p->err_text = buf;
	}
	return p->err_text ? p->err_text : "";
}

/* Reap without blocking if we are the parent; true when it has exited. */
static bool reaped(struct sproc *p)
{
	if (p->status >= 0 || p->pid <= 0)
		return true;
	if (getpid() != p->parent)
		return false;
	int ws;
	pid_t r = waitpid(p->pid, &ws, WNOHANG);
	if (r == p->pid) {
		p->status = shell_status(ws);
		return true;
	}
	return false;
}

bool sproc_alive(struct sproc *p)
{
	if (reaped(p))
		return false;
	if (getpid() == p->parent)
		return true;
	/* Not our child: it may be a zombie its parent has not reaped yet. */
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)p->pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *rp = strrchr(buf, ')'); /* the state follows "(comm)" */
	if (!rp || rp[1] != ' ')
		return false;
	return rp[2] != 'Z' && rp[2] != 'X' && rp[2] != 'x';
}

int sproc_signal(struct sproc *p, int sig)
{
	if (p->status >= 0) {
		errno = ESRCH;
		return -1;
	}
	return kill(p->pid, sig);
}

int sproc_wait(struct sproc *p, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	int nap = 1;
	while (!reaped(p)) {
		if (now_ms() >= deadline)
			return -1;
		nap_ms(nap);
		if (nap < 20)
			nap *= 2;
	}
	return p->status;
}

int sproc_stop(struct sproc *p, int timeout_ms)
{
	if (reaped(p))
		return p->status;
	kill(p->pid, SIGTERM);
	int st = sproc_wait(p, timeout_ms);
	if (st >= 0)
		return st;
	kill(p->pid, SIGKILL);
	sproc_wait(p, 5000);
	return -1;
}

/* Read the child's stdout until the "serving … at http://H:PORT/" line.
 * Returns the port, 0 on EOF, -1 on timeout. */
static long read_port(int fd, long long deadline)
{
	char line[1024];
	size_t len = 0;
	for (;;) {
		char *nl;
		while ((nl = memchr(line, '\n', len))) {
			*nl = '\0';
			const char *at = strstr(line, "serving");
			const char *url = at ? strstr(at, "http://") : NULL;
			if (url) {
				const char *slash = strchr(url + 7, '/');
				const char *colon = slash ? slash : url + strlen(url);
				while (colon > url + 7 && colon[-1] != ':')
					colon--;
				long port = strtol(colon, NULL, 10);
				if (port > 0 && port < 65536)
					return port;
			}
			len -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, len);
		}
		if (len == sizeof line)
			len = 0; /* an absurd line: forget it */
		long long left = deadline - now_ms();
		if (left <= 0)
			return -1;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0)
			return -1;
		ssize_t r = read(fd, line + len, sizeof line - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		len += (size_t)r;
	}
}

enum sproc_state sproc_start(const char *const *args, struct sproc **out)
{
	*out = NULL;
	struct sproc *p = calloc(1, sizeof *p);
	if (!p)
		return SPROC_ESPAWN;
	*out = p;
	p->status = -1;
	p->out_fd = -1;
	p->parent = getpid();
	int err_fd = tmp_file(p->err_path, sizeof p->err_path, "stderr");
	int pipefd[2];
	if (err_fd < 0) {
		fprintf(stderr, "server_proc: cannot create a temporary file: %s\n", strerror(errno));
		return SPROC_ESPAWN;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		close(err_fd);
		fprintf(stderr, "server_proc: pipe: %s\n", strerror(errno));
		return SPROC_ESPAWN;
	}
	p->pid = spawn(args, pipefd[1], err_fd);
	close(pipefd[1]);
	close(err_fd);
	if (p->pid < 0) {
		close(pipefd[0]);
		fprintf(stderr, "server_proc: fork: %s\n", strerror(errno));
		return SPROC_ESPAWN;
	}
	p->out_fd = pipefd[0];
	long port = read_port(p->out_fd, now_ms() + SPROC_START_MS);
	if (port > 0) {
		p->port = (unsigned)port;
		return SPROC_LISTENING;
	}
	if (port == 0 && sproc_wait(p, 5000) >= 0)
		return SPROC_EXITED;
	kill(p->pid, SIGKILL);
	sproc_wait(p, 5000);
	return SPROC_TIMEOUT;
}

void sproc_free(struct sproc *p)
{
	if (!p)
		return;
	if (p->pid > 0 && getpid() == p->parent && !reaped(p)) {
		kill(p->pid, SIGKILL);
		sproc_wait(p, 5000);
	}
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_path[0] && getpid() == p->parent)
		unlink(p->err_path);
	free(p->err_text);
	free(p);
}

/* ---- commands ------------------------------------------------------------------ */

static char *slurp_fd(int fd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	lseek(fd, 0, SEEK_SET);
	char chunk[8192];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		fwrite(chunk, 1, (size_t)r, m);
	fclose(m);
	return buf;
}

int sproc_run(const char *const *args, int timeout_ms, struct sproc_result *res)
{
	memset(res, 0, sizeof *res);
	res->status = -1;
	char out_path[256], err_path[256];
	int out_fd = tmp_file(out_path, sizeof out_path, "out");
	int err_fd = tmp_file(err_path, sizeof err_path, "err");
	int rc = -1;
	if (out_fd < 0 || err_fd < 0)
		goto done;
	struct sproc p = {.status = -1, .out_fd = -1, .parent = getpid()};
	p.pid = spawn(args, out_fd, err_fd);
	if (p.pid < 0)
		goto done;
	rc = 0;
	if (sproc_wait(&p, timeout_ms) < 0) {
		kill(p.pid, SIGKILL);
		sproc_wait(&p, 5000);
		p.status = -1;
	}
	res->status = p.status;
	res->out = slurp_fd(out_fd);
	res->err = slurp_fd(err_fd);
done:
	if (out_fd >= 0) {
		close(out_fd);
		unlink(out_path);
	}
	if (err_fd >= 0) {
		close(err_fd);
		unlink(err_path);
	}
	if (!res->out)
		res->out = strdup("");
	if (!res->err)
		res->err = strdup("");
	return rc;
}

void sproc_result_fini(struct sproc_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof *res);
}

/* ---- temporary directories -------------------------------------------------------- */

int sproc_mkdtemp(char *out, size_t cap)
{
	const char *dir = getenv("TMPDIR");
	if ((size_t)snprintf(out, cap, "%s/yz-e2e-XXXXXX", dir && *dir ? dir : "/tmp") >= cap)
		return -1;
	return mkdtemp(out) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) ? -1 : 0;
}

int sproc_rmtree(const char *path)
{
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) ? -1 : 0;
}
