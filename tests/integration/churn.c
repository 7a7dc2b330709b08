// SPDX-License-Identifier: MIT
/*
 * churn: create and destroy TCP connections on loopback as fast as it can,
 * so a listing taken meanwhile races with sockets that appear and vanish.
 *
 *   churn [--procs N] [--port P] [--src-ports M] [--udp N] [--rate R]
 *
 * Run inside a private network namespace (the integration tests' own).
 * Worker w listens on 127.0.0.1:(P + w) and loops: a client bound to
 * 127.0.0.(3 + w):(40000 + i % M) connects, the worker accepts, and the
 * pair is closed one of two ways, alternating:
 * - client first, FIN handshake: the client end goes to TIME_WAIT;
 * - abortive (SO_LINGER 0): an RST, no TIME_WAIT.
 * The client port is bound explicitly, so the next connect from the same
 * 4-tuple recycles its TIME_WAIT socket (allowed with timestamps): TIME_WAIT
 * sockets are created and destroyed all the time, and never more than M per
 * worker exist, whatever the run time.
 *
 * --udp N adds N UDP workers (bench/watch.sh's UDP mix): worker u holds a
 * sink bound to 127.0.0.1:(P + procs + u) and loops: a socket connects to
 * it (an ephemeral port), sends one byte, the sink reads it, the socket is
 * closed. --procs 0 leaves only those. --rate R paces the workers to R
 * closed sockets per second in all (a TCP cycle closes two, a UDP one
 * one), shared evenly; 0 (the default): as fast as they can.
 *
 * Protocol: "READY" on stdout once every worker listens. Each line on stdin
 * prints "cycles C errors E seconds S udp U" (totals since the workers
 * started: TCP cycles, failed cycles of either kind, UDP sockets closed;
 * the listeners and sinks are in none of them).
 * EOF on stdin stops the workers between two cycles, waits for them, prints
 * that line once more (then exact: every connection made is in C, and no
 * socket is left half-made) and exits 0. Killing a worker instead would
 * destroy the socket of the cycle it was in, often one not yet connected,
 * which no TCP counter (ActiveOpens, PassiveOpens) counts: bench/watch.sh
 * compares the closes watch reports with those counters. Workers die with
 * churn, however else it ends (PR_SET_PDEATHSIG).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROCS_MAX     16
#define SRC_PORT_BASE 40000
/* A worker stops within one cycle; one that has not after this is killed. */
#define STOP_WAIT_MS 5000

struct counters {
	atomic_ulong cycles;
	atomic_ulong errors;
	atomic_ulong udp;
	atomic_int stop; /* set on stdin EOF: finish the cycle and exit */
};

struct churn_opts {
	int procs;
	int port;
	int src_ports;
	int udp;
	double rate; /* closed sockets per second, all workers; 0: no limit */
};

/* Holds a worker to its share of --rate. */
struct pace {
	double rate; /* closes per second, this worker; 0: no limit */
	double t0;
	double closes;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* After a cycle that closed n sockets: sleep while ahead of the rate. */
static void pace(struct pace *p, int n)
{
	double ahead;

	if (p->rate <= 0) {
		return;
	}
	p->closes += n;
	ahead = p->closes / p->rate - (now_s() - p->t0);
	/* A millisecond's slack: the sleeps are not finer than that. */
	if (ahead > 0.001) {
		struct timespec ts = {
		    .tv_sec = (time_t)ahead,
		    .tv_nsec = (long)((ahead - (double)(time_t)ahead) * 1e9)};

		nanosleep(&ts, NULL);
	}
}

static struct sockaddr_in v4(unsigned int host_addr, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

	a.sin_addr.s_addr = htonl(host_addr);
	return a;
}

static int listener(int port)
{
	struct sockaddr_in a = v4(INADDR_LOOPBACK, port);
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 4096) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* One connection from src to the worker's listener, closed as `abort` says. */
static int cycle(int lfd, const struct sockaddr_in *src,
		 const struct sockaddr_in *dst, int abort_close)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	int one = 1;
	int ret = 0;
	int sfd = -1;
	char c;
	int cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (cfd < 0) {
		return -errno;
	}
	setsockopt(cfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(cfd, (const struct sockaddr *)src, sizeof(*src)) < 0 ||
	    connect(cfd, (const struct sockaddr *)dst, sizeof(*dst)) < 0) {
		ret = -errno;
		goto out;
	}
	sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (sfd < 0) {
		ret = -errno;
		goto out;
	}
	if (abort_close) {
		setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(cfd);
	cfd = -1;
	/* Client first: wait for its FIN, so the client end is the one in
	 * TIME_WAIT. */
	if (!abort_close && read(sfd, &c, 1) != 0) {
		ret = -EPROTO;
	}
out:
	if (cfd >= 0) {
		close(cfd);
	}
	if (sfd >= 0) {
		close(sfd);
	}
	return ret;
}

/* One UDP socket: connected to the sink, one byte sent and read, closed. */
static int udp_cycle(int sink, const struct sockaddr_in *dst)
{
	char c = 'u';
	int ret = 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		return -errno;
	}
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) < 0 ||
	    send(fd, &c, 1, 0) != 1 || recv(sink, &c, 1, 0) != 1) {
		ret = -errno;
	}
	close(fd);
	return ret;
}

static struct pace pace_of(const struct churn_opts *o)
{
	return (struct pace){.rate = o->rate / (o->procs + o->udp),
			     .t0 = now_s()};
}

static void worker(int w, int lfd, const struct churn_opts *o,
		   struct counters *cnt)
{
	struct sockaddr_in dst = v4(INADDR_LOOPBACK, o->port + w);
	struct pace p = pace_of(o);
	unsigned long i;

	for (i = 0; !atomic_load(&cnt->stop); i++) {
		struct sockaddr_in src =
		    v4(0x7f000003 + w, SRC_PORT_BASE + i % o->src_ports);

		if (cycle(lfd, &src, &dst, i & 1) == 0) {
			atomic_fetch_add(&cnt->cycles, 1);
		} else {
			atomic_fetch_add(&cnt->errors, 1);
		}
		pace(&p, 2);
	}
	_exit(0); /* the listener closes with the process */
}

static void udp_worker(int port, int sink, const struct churn_opts *o,
		       struct counters *cnt)
{
	struct sockaddr_in dst = v4(INADDR_LOOPBACK, port);
	struct pace p = pace_of(o);

	while (!atomic_load(&cnt->stop)) {
		/* Closed whether the cycle worked or not: a close to count. */
		if (udp_cycle(sink, &dst)) {
			atomic_fetch_add(&cnt->errors, 1);
		}
		atomic_fetch_add(&cnt->udp, 1);
		pace(&p, 1);
	}
	_exit(0); /* the sink closes with the process */
}

static int parse(int argc, char **argv, struct churn_opts *o)
{
	static const struct option longopts[] = {
	    {"procs", required_argument, NULL, 'n'},
	    {"port", required_argument, NULL, 'p'},
	    {"src-ports", required_argument, NULL, 's'},
	    {"udp", required_argument, NULL, 'u'},
	    {"rate", required_argument, NULL, 'r'},
	    {0},
	};
	int c;

	*o = (struct churn_opts){.procs = 1, .port = 7000, .src_ports = 2048};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->procs = atoi(optarg);
			break;
		case 'p':
			o->port = atoi(optarg);
			break;
		case 's':
			o->src_ports = atoi(optarg);
			break;
		case 'u':
			o->udp = atoi(optarg);
			break;
		case 'r':
			o->rate = atof(optarg);
			break;
		default:
			return -EINVAL;
		}
	}
	if (o->procs < 0 || o->udp < 0 || o->procs + o->udp < 1 ||
	    o->procs + o->udp > PROCS_MAX || o->port < 1 ||
	    o->port + o->procs + o->udp > 65535 || o->src_ports < 1 ||
	    SRC_PORT_BASE + o->src_ports > 65535 || !(o->rate >= 0)) {
		return -EINVAL;
	}
	return 0;
}

static void report(const struct counters *cnt, double t0)
{
	printf("cycles %lu errors %lu seconds %.3f udp %lu\n",
	       atomic_load(&cnt->cycles), atomic_load(&cnt->errors),
	       now_s() - t0, atomic_load(&cnt->udp));
	fflush(stdout);
}

/* A UDP socket bound to 127.0.0.1:port, or -errno. */
static int sink(int port)
{
	struct sockaddr_in a = v4(INADDR_LOOPBACK, port);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		return -errno;
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Workers 0..procs-1 TCP, then the UDP ones, each with its socket. */
static int start_workers(const struct churn_opts *o, struct counters *cnt,
			 pid_t *pids)
{
	pid_t parent = getpid();
	int w;

	for (w = 0; w < o->procs + o->udp; w++) {
		bool udp = w >= o->procs;
		int lfd = udp ? sink(o->port + w) : listener(o->port + w);

		if (lfd < 0) {
			fprintf(stderr, "churn: %s on port %d: %s\n",
				udp ? "bind" : "listen", o->port + w,
				strerror(-lfd));
			return lfd;
		}
		pids[w] = fork();
		if (pids[w] < 0) {
			fprintf(stderr, "churn: fork: %s\n", strerror(errno));
			close(lfd);
			return -errno;
		}
		if (pids[w] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent) {
				_exit(1);
			}
			if (udp) {
				udp_worker(o->port + w, lfd, o, cnt);
			} else {
				worker(w, lfd, o, cnt);
			}
		}
		close(lfd);
	}
	return 0;
}

/* Tell the workers to stop, wait for them; kill those that do not stop. */
static void stop_workers(struct counters *cnt, pid_t *pids, int n)
{
	int left = n;

	atomic_store(&cnt->stop, 1);
	for (int t = 0; left && t < STOP_WAIT_MS; t++) {
		for (int w = 0; w < n; w++) {
			if (pids[w] > 0 && waitpid(pids[w], NULL, WNOHANG)) {
				pids[w] = 0;
				left--;
			}
		}
		if (left) {
			usleep(1000);
		}
	}
	if (left) {
		fprintf(stderr,
			"churn: %d worker(s) did not stop: killed, the "
			"counts are not exact\n",
			left);
	}
}

int main(int argc, char **argv)
{
	struct churn_opts o;
	struct counters *cnt;
	pid_t pids[PROCS_MAX] = {0};
	char line[64];
	double t0;
	int w, err;

	if (parse(argc, argv, &o)) {
		fprintf(stderr,
			"usage: churn [--procs N] [--udp N] (1-%d in all) "
			"[--port P] [--src-ports M] [--rate R]\n",
			PROCS_MAX);
		return 2;
	}
	cnt = mmap(NULL, sizeof(*cnt), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cnt == MAP_FAILED) {
		perror("churn: mmap");
		return 1;
	}
	t0 = now_s();
	err = start_workers(&o, cnt, pids);
	if (!err) {
		printf("READY\n");
		fflush(stdout);
		while (fgets(line, sizeof(line), stdin)) {
			report(cnt, t0);
		}
		stop_workers(cnt, pids, o.procs + o.udp);
		report(cnt, t0);
	}
	for (w = 0; w < o.procs + o.udp; w++) {
		if (pids[w] > 0) {
			kill(pids[w], SIGKILL);
			waitpid(pids[w], NULL, 0);
		}
	}
	return err ? 1 : 0;
}
