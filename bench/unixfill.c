// SPDX-License-Identifier: MIT
/*
 * unixfill: hold N UNIX sockets in the calling network namespace, for
 * bench/unix.sh.
 *
 *   unixfill [-n SOCKETS] [-H HOLDERS] -d DIR
 *
 * The sockets are split over HOLDERS processes (default 4), so `-p` has a
 * few owners to resolve, each holding about N/HOLDERS descriptors. The mix
 * per holder, by share of its sockets:
 *   40% stream socketpairs, 25% dgram socketpairs, 10% seqpacket socketpairs,
 *   10% dgram sockets bound to abstract names (@unixfill-H-I),
 *   15% path-bound stream listeners in DIR (one per 16 sockets), each with
 *      7 clients connected and left in its queue (the listener, 7 clients).
 * (Accept-queue sockets are not in the kernel's UNIX table, so unix_diag and
 * ss do not list them; only the listener's queue length shows them.)
 *
 * Prints "READY TOTAL HOLDERS" on stdout once every holder has made its
 * share (TOTAL: the sockets made, as the kernel lists them; HOLDERS: the
 * processes used), then waits for EOF
 * on stdin and ends the holders. Holders also die with this process
 * (PR_SET_PDEATHSIG). RLIMIT_NOFILE is raised to fs.nr_open when allowed,
 * else to the hard limit; more holders are used if one cannot hold its
 * share. Exits 1 on any failure, naming it on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_HOLDERS    256
#define LISTEN_CLIENTS 7
#define FD_SLACK       64

struct mix {
	long stream_pairs, dgram_pairs, seq_pairs, abstract, listeners;
};

static long mix_total(const struct mix *m)
{
	return 2 * (m->stream_pairs + m->dgram_pairs + m->seq_pairs) +
	       m->abstract + m->listeners * (1 + LISTEN_CLIENTS);
}

/* Shares of n; the remainder goes to stream pairs and one abstract name. */
static void mix_for(long n, struct mix *m)
{
	long rest;

	m->listeners = n * 15 / 100 / (1 + LISTEN_CLIENTS);
	m->dgram_pairs = n * 25 / 100 / 2;
	m->seq_pairs = n * 10 / 100 / 2;
	m->abstract = n * 10 / 100;
	m->stream_pairs = 0;
	rest = n - mix_total(m);
	m->stream_pairs = rest / 2;
	m->abstract += rest % 2;
}

static int pair(int type)
{
	int sv[2];

	return socketpair(AF_UNIX, type, 0, sv) < 0 ? -errno : 0;
}

static int bound(int type, const char *name, int abstract)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(name);
	int fd = socket(AF_UNIX, type, 0);

	if (fd < 0) {
		return -errno;
	}
	memcpy(sa.sun_path + !!abstract, name, len);
	if (bind(fd, (struct sockaddr *)&sa,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			     !!abstract + len + !abstract)) < 0) {
		return -errno;
	}
	return fd;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0) {
		return -errno;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		return -errno;
	}
	return 0;
}

static int listener(const char *dir, int h, long i)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd, err, c;

	snprintf(path, sizeof(path), "%s/l%d-%ld", dir, h, i);
	fd = bound(SOCK_STREAM, path, 0);
	if (fd < 0) {
		return fd;
	}
	if (listen(fd, 64) < 0) {
		return -errno;
	}
	for (c = 0; c < LISTEN_CLIENTS; c++) {
		err = connect_to(path);
		if (err) {
			return err;
		}
	}
	return 0;
}

static int make_share(const struct mix *m, const char *dir, int h)
{
	char name[64];
	long i;
	int err = 0;

	for (i = 0; !err && i < m->stream_pairs; i++) {
		err = pair(SOCK_STREAM);
	}
	for (i = 0; !err && i < m->dgram_pairs; i++) {
		err = pair(SOCK_DGRAM);
	}
	for (i = 0; !err && i < m->seq_pairs; i++) {
		err = pair(SOCK_SEQPACKET);
	}
	for (i = 0; !err && i < m->abstract; i++) {
		snprintf(name, sizeof(name), "unixfill-%d-%ld", h, i);
		err = bound(SOCK_DGRAM, name, 1);
		err = err < 0 ? err : 0;
	}
	for (i = 0; !err && i < m->listeners; i++) {
		err = listener(dir, h, i);
	}
	return err;
}

/* Raises the soft limit as far as allowed; returns it, or -errno. */
static long raise_nofile(void)
{
	struct rlimit rl;
	long nr_open = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "r");

	if (f) {
		if (fscanf(f, "%ld", &nr_open) != 1) {
			nr_open = 0;
		}
		fclose(f);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		return -errno;
	}
	if (nr_open > 0) {
		struct rlimit want = {(rlim_t)nr_open, (rlim_t)nr_open};

		if (setrlimit(RLIMIT_NOFILE, &want) == 0) {
			return nr_open;
		}
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		return -errno;
	}
	return (long)rl.rlim_cur;
}

static int holder(long n, const char *dir, int h, int ready_fd)
{
	struct mix m;
	int err;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		return 1;
	}
	mix_for(n, &m);
	err = make_share(&m, dir, h);
	if (err) {
		fprintf(stderr, "unixfill: holder %d: %s\n", h, strerror(-err));
		return 1;
	}
	if (write(ready_fd, "x", 1) != 1) {
		return 1;
	}
	close(ready_fd);
	for (;;) {
		pause();
	}
}

int main(int argc, char **argv)
{
	pid_t pids[MAX_HOLDERS];
	long n = 100000, limit, per, total = 0;
	int holders = 4, started = 0, ready = 0, opt, fds[2], h, ret = 1;
	const char *dir = NULL;
	struct mix m;
	char c;

	while ((opt = getopt(argc, argv, "n:H:d:")) != -1) {
		if (opt == 'n') {
			n = strtol(optarg, NULL, 10);
		} else if (opt == 'H') {
			holders = (int)strtol(optarg, NULL, 10);
		} else if (opt == 'd') {
			dir = optarg;
		} else {
			goto usage;
		}
	}
	if (!dir || n < 16 || holders < 1 || holders > MAX_HOLDERS) {
		goto usage;
	}
	limit = raise_nofile();
	if (limit < 0) {
		fprintf(stderr, "unixfill: RLIMIT_NOFILE: %s\n",
			strerror((int)-limit));
		return 1;
	}
	while ((n + holders - 1) / holders + FD_SLACK > limit &&
	       holders < MAX_HOLDERS) {
		holders++;
	}
	if (pipe(fds) < 0) {
		perror("unixfill: pipe");
		return 1;
	}
	for (h = 0; h < holders; h++) {
		per = n / holders + (h < n % holders);
		mix_for(per, &m);
		total += mix_total(&m);
		pids[h] = fork();
		if (pids[h] < 0) {
			perror("unixfill: fork");
			goto out;
		}
		if (pids[h] == 0) {
			close(fds[0]);
			_exit(holder(per, dir, h, fds[1]));
		}
		started++;
	}
	close(fds[1]);
	while (ready < holders && read(fds[0], &c, 1) == 1) {
		ready++;
	}
	if (ready < holders) {
		fprintf(stderr, "unixfill: %d of %d holders failed\n",
			holders - ready, holders);
		goto out;
	}
	fprintf(stderr, "unixfill: %ld sockets in %d holder processes\n", total,
		holders);
	printf("READY %ld %d\n", total, holders);
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0) {
	}
	ret = 0;
out:
	for (h = 0; h < started; h++) {
		kill(pids[h], SIGKILL);
		waitpid(pids[h], NULL, 0);
	}
	return ret;
usage:
	fprintf(stderr, "usage: unixfill [-n SOCKETS] [-H HOLDERS] -d DIR\n");
	return 2;
}
