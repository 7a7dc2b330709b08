// SPDX-License-Identifier: MIT
/*
 * timeit: run one command with stdout on /dev/null and report its cost.
 *
 *   timeit [-t SECONDS] COMMAND [ARG...]
 *
 * Prints one line to stdout: "ELAPSED_NS MAXRSS_KB STATUS CPU_NS", where
 * STATUS is the exit code, 128+N for death by signal N, 127 if it could not
 * start, or 124 if it ran longer than -t SECONDS and was killed (a hung tool
 * must not stall a whole benchmark), and CPU_NS is the child's user + system
 * time. Exits 0 whenever it printed that line, so a failing command is data,
 * not an error; 1 if it could not measure, 2 on usage errors. The command's
 * stderr is passed through.
 *
 * Wall time spans spawn to reap, so it includes exec and dynamic linking:
 * that is part of what a user waits for. Peak RSS comes from wait4() on this
 * one child, not RUSAGE_CHILDREN, which would be the maximum over every
 * child ever reaped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* Reap the child. The alarm handler is installed without SA_RESTART, so it
 * interrupts wait4 and the child is killed here, then reaped. */
static int reap(pid_t pid, int *st, struct rusage *ru)
{
	while (wait4(pid, st, 0, ru) < 0) {
		if (errno != EINTR) {
			return -errno;
		}
		if (timed_out) {
			kill(pid, SIGKILL);
		}
	}
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int parse_timeout(int *argc, char ***argv)
{
	char *end;
	long t = 0;

	if (*argc >= 3 && strcmp((*argv)[1], "-t") == 0) {
		t = strtol((*argv)[2], &end, 10);
		if (*end || t <= 0 || t > 86400) {
			return -EINVAL;
		}
		*argc -= 2;
		*argv += 2;
	}
	return (int)t;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	long long t0, t1;
	pid_t pid;
	int err, st, status, timeout = parse_timeout(&argc, &argv);

	if (argc < 2 || timeout < 0) {
		fprintf(stderr,
			"usage: timeit [-t SECONDS] COMMAND [ARG...]\n");
		return 2;
	}
	if (posix_spawn_file_actions_init(&fa) ||
	    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
					     O_WRONLY, 0)) {
		perror("timeit: spawn setup");
		return 1;
	}
	t0 = now_ns();
	err = posix_spawnp(&pid, argv[1], &fa, NULL, argv + 1, environ);
	if (err) {
		fprintf(stderr, "timeit: %s: %s\n", argv[1], strerror(err));
		printf("0 0 127 0\n");
		return 0;
	}
	if (timeout) {
		sigaction(SIGALRM, &sa, NULL);
		alarm(timeout);
	}
	err = reap(pid, &st, &ru);
	t1 = now_ns();
	alarm(0);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		fprintf(stderr, "timeit: wait4: %s\n", strerror(-err));
		return 1;
	}
	if (timed_out) {
		status = 124;
	} else if (WIFEXITED(st)) {
		status = WEXITSTATUS(st);
	} else if (WIFSIGNALED(st)) {
		status = 128 + WTERMSIG(st);
	} else {
		status = 126;
	}
	printf("%lld %ld %d %lld\n", t1 - t0, ru.ru_maxrss, status,
	       (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
		   (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL);
	return 0;
}
