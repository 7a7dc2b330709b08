// SPDX-License-Identifier: MIT
/*
 * fill: populate the current network namespace with TCP sockets so the
 * benchmark has something to list.
 *
 *   fill [--established N] [--time-wait N] [--listen N] [--holders N]
 *        [--port-base PORT]
 *
 * Run it as root inside a private namespace (unshare -n): it rewrites the
 * namespace's TCP sysctls, so it refuses to run where there is any interface
 * but lo, or in the initial namespace. It brings lo up itself.
 *
 * Layout, chosen so every count is exact and every 4-tuple is unique:
 * - listeners bind 127.0.0.1:PORT-BASE+i, i < --listen;
 * - client k binds 127.0.0.(2 + k / 64512):(1024 + k % 64512) explicitly,
 *   so no connect() ever searches for a free ephemeral port (that search is
 *   what gets slow, and what runs out, with hundreds of thousands of sockets);
 * - established pairs (both ends) live in forked holder processes, each with
 *   its own listeners, so no holder accepts another's connections and no
 *   process needs more descriptors than it may have: RLIMIT_NOFILE is raised
 *   to fs.nr_open when we hold CAP_SYS_RESOURCE, else to the hard limit, and
 *   the holder count follows from what was granted;
 * - TIME-WAIT sockets are the client side of connections closed client
 *   first; they hold no descriptor.
 *
 * Protocol on stdin/stdout: "READY" is printed once every socket exists and
 * the kernel's own counts (/proc/net/sockstat) agree.
 * A line "refresh" on stdin rebuilds the TIME-WAIT sockets in place (same
 * 4-tuples, so the count does not change) and prints "READY" again: a
 * TIME-WAIT socket lives only 60 s and a long benchmark would see them
 * expire. EOF on stdin or SIGTERM/SIGINT/SIGHUP ends it with exit 0.
 */
#define _GNU_SOURCE
#include "fill.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Beyond ~128k pairs a holder gains nothing but a huge descriptor table. */
#define HOLDER_MAX_PAIRS 131072L
/* Parallel holders beyond this only contend on the same socket hash locks. */
#define HOLDERS_PARALLEL_MAX 8
/* Renewals to recover TIME-WAIT sockets lost on a busy machine. */
#define REPAIR_TRIES 3

struct holder {
	pid_t pid;
	int ctl;    /* parent -> holder: 'r' = refresh, EOF = release */
	int status; /* holder -> parent: 'R' = ready, EOF = gone */
	bool ready;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int holder_main(const struct plan *p, int ctl, int status)
{
	long i, nfds = 2 * p->npairs;
	int *fds = malloc((nfds ? nfds : 1) * sizeof(*fds));
	char c;
	int err;

	if (!fds) {
		return -ENOMEM;
	}
	for (i = 0; i < nfds; i++) {
		fds[i] = -1;
	}
	err = fill_make_pairs(p, fds);
	if (!err) {
		err = fill_make_time_wait(p);
	}
	while (!err && write(status, "R", 1) == 1) {
		if (read(ctl, &c, 1) != 1) {
			break;
		}
		err = fill_make_time_wait(p);
	}
	fill_release(fds, nfds);
	free(fds);
	return err;
}

static void plan_holder(const struct opts *o, long nh, long h, int *lfd,
			uint16_t *lport, struct plan *p)
{
	long pairs = o->established / 2;
	long i;

	p->pair_first = pairs * h / nh;
	p->npairs = pairs * (h + 1) / nh - p->pair_first;
	p->tw_first = pairs + o->time_wait * h / nh;
	p->ntw = pairs + o->time_wait * (h + 1) / nh - p->tw_first;
	p->nl = 0;
	for (i = h; i < o->listen; i += nh) {
		p->lfd[p->nl] = lfd[i];
		p->lport[p->nl] = lport[i];
		p->nl++;
	}
}

static void child_setup(pid_t parent, const sigset_t *oldmask)
{
	/* A holder must never outlive fill, whatever kills fill. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) {
		_exit(1);
	}
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
}

static int spawn_holders(const struct opts *o, long nh, int *lfd,
			 uint16_t *lport, struct holder *hs,
			 const sigset_t *oldmask)
{
	int ctl[2], st[2];
	struct plan p;
	pid_t parent = getpid();
	long h, j;
	int err = 0;

	if (nh == 0) {
		return 0;
	}
	p.lfd = calloc(o->listen, sizeof(*p.lfd));
	p.lport = calloc(o->listen, sizeof(*p.lport));
	if (!p.lfd || !p.lport) {
		err = -ENOMEM;
		goto out;
	}
	for (h = 0; h < nh; h++) {
		plan_holder(o, nh, h, lfd, lport, &p);
		if (pipe2(ctl, O_CLOEXEC) < 0) {
			err = -errno;
			goto out;
		}
		if (pipe2(st, O_CLOEXEC) < 0) {
			err = -errno;
			goto err_ctl;
		}
		hs[h].pid = fork();
		if (hs[h].pid < 0) {
			err = -errno;
			goto err_st;
		}
		if (hs[h].pid == 0) {
			child_setup(parent, oldmask);
			for (j = 0; j < h; j++) {
				close(hs[j].ctl);
				close(hs[j].status);
			}
			close(ctl[1]);
			close(st[0]);
			_exit(holder_main(&p, ctl[0], st[1]) ? 1 : 0);
		}
		close(ctl[0]);
		close(st[1]);
		hs[h].ctl = ctl[1];
		hs[h].status = st[0];
	}
	goto out;

err_st:
	close(st[0]);
	close(st[1]);
err_ctl:
	close(ctl[0]);
	close(ctl[1]);
out:
	free(p.lfd);
	free(p.lport);
	return err;
}

/* 1: a stop signal arrived; 0: all ready; -EIO: a holder died. */
static int wait_ready(struct holder *hs, long nh, int sfd)
{
	struct pollfd *pfd = calloc(nh + 1, sizeof(*pfd));
	long h, left = nh;
	char c;
	int ret = 0;

	if (!pfd) {
		return -ENOMEM;
	}
	while (left > 0 && ret == 0) {
		pfd[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
		for (h = 0; h < nh; h++) {
			pfd[h + 1] = (struct pollfd){
			    .fd = hs[h].ready ? -1 : hs[h].status,
			    .events = POLLIN};
		}
		if (poll(pfd, nh + 1, -1) < 0) {
			ret = errno == EINTR ? 0 : -errno;
			continue;
		}
		if (pfd[0].revents) {
			ret = 1;
		}
		for (h = 0; h < nh && ret == 0; h++) {
			if (!pfd[h + 1].revents) {
				continue;
			}
			if (read(hs[h].status, &c, 1) != 1) {
				fprintf(stderr,
					"fill: holder %ld exited early\n", h);
				ret = -EIO;
				break;
			}
			hs[h].ready = true;
			left--;
		}
	}
	free(pfd);
	return ret;
}

/* Has every holder rebuild its TIME-WAIT sockets in place. */
static int renew(struct holder *hs, long nh, int sfd)
{
	long h;

	for (h = 0; h < nh; h++) {
		hs[h].ready = false;
		if (write(hs[h].ctl, "r", 1) != 1) {
			return -EIO;
		}
	}
	return wait_ready(hs, nh, sfd);
}

/*
 * Waits for the kernel's counts to match. A TIME-WAIT socket can still be
 * lost on a very busy machine (a dropped segment, an RST), and renewing in
 * place restores exactly the missing ones, so try that a few times.
 */
static int settle(struct holder *hs, long nh, int sfd, const struct opts *o)
{
	long inuse, tw;
	int i, ret;

	for (i = 0; i < REPAIR_TRIES; i++) {
		ret = fill_settle(o, &inuse, &tw);
		/* Unreadable counts leave nothing to check against. */
		if (ret != -EAGAIN) {
			return 0;
		}
		fprintf(
		    stderr,
		    "fill: %ld sockets in use and %ld in TIME-WAIT, expected "
		    "%ld and %ld; renewing TIME-WAIT\n",
		    inuse, tw, o->established + o->listen, o->time_wait);
		ret = renew(hs, nh, sfd);
		if (ret) {
			return ret;
		}
	}
	ret = fill_settle(o, &inuse, &tw);
	if (ret == -EAGAIN) {
		fprintf(stderr,
			"fill: warning: giving up with %ld sockets in use and "
			"%ld in "
			"TIME-WAIT\n",
			inuse, tw);
		ret = 0;
	}
	return ret;
}

static int refresh(struct holder *hs, long nh, int sfd, const struct opts *o)
{
	double t0 = now_s();
	int ret = renew(hs, nh, sfd);

	if (ret == 0) {
		ret = settle(hs, nh, sfd, o);
	}
	if (ret == 0) {
		fprintf(stderr, "fill: refreshed %ld time-wait in %.1f s\n",
			o->time_wait, now_s() - t0);
		printf("READY\n");
		fflush(stdout);
	}
	return ret;
}

/* Serve stdin commands until EOF or a stop signal: 0, or -errno on failure. */
static int hold(struct holder *hs, long nh, int sfd, const struct opts *o)
{
	char line[256];
	size_t len = 0;
	ssize_t n;
	struct pollfd pfd[2] = {
	    {.fd = STDIN_FILENO, .events = POLLIN},
	    {.fd = sfd, .events = POLLIN},
	};
	int ret = 0;

	while (ret == 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		if (pfd[1].revents) {
			return 0;
		}
		n = read(STDIN_FILENO, line + len, sizeof(line) - 1 - len);
		if (n <= 0) {
			return 0;
		}
		len += n;
		line[len] = '\0';
		while (ret == 0 && strchr(line, '\n')) {
			char *nl = strchr(line, '\n');

			*nl = '\0';
			if (strcmp(line, "refresh") == 0) {
				ret = refresh(hs, nh, sfd, o);
			} else if (line[0]) {
				fprintf(stderr, "fill: unknown command '%s'\n",
					line);
			}
			len -= nl + 1 - line;
			memmove(line, nl + 1, len + 1);
		}
		if (len == sizeof(line) - 1) {
			len = 0;
		}
	}
	return ret < 0 ? ret : 0;
}

static int stop_holders(struct holder *hs, long nh)
{
	int st, err = 0;
	long h;

	for (h = 0; h < nh; h++) {
		if (hs[h].pid <= 0) {
			continue;
		}
		close(hs[h].ctl);
		/* Still creating sockets: it would not read ctl until done. */
		if (!hs[h].ready) {
			kill(hs[h].pid, SIGTERM);
		}
	}
	for (h = 0; h < nh; h++) {
		if (hs[h].pid <= 0) {
			continue;
		}
		if (waitpid(hs[h].pid, &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st)) {
			if (hs[h].ready) {
				err = -EIO;
			}
		}
	}
	return err;
}

static long parse_count(const char *s, const char *name)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "fill: %s: not a count: '%s'\n", name, s);
		exit(2);
	}
	return v;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fill [--established N] [--time-wait N] [--listen N]\n"
		"            [--holders N] [--port-base PORT] "
		"[--listeners-needed]\n"
		"Creates TCP sockets in this (private) network namespace, "
		"prints READY,\n"
		"holds them until stdin EOF or SIGTERM. 'refresh' on stdin "
		"renews the\n"
		"TIME-WAIT sockets. N established must be even (pairs).\n"
		"--listeners-needed prints how many listeners (at least "
		"--listen) the\n"
		"fill needs, one per holder process, and exits.\n");
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
	    {"established", required_argument, NULL, 'e'},
	    {"time-wait", required_argument, NULL, 't'},
	    {"listen", required_argument, NULL, 'l'},
	    {"holders", required_argument, NULL, 'H'},
	    {"port-base", required_argument, NULL, 'p'},
	    {"listeners-needed", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct opts){.port_base = 5000};
	while ((c = getopt_long(argc, argv, "e:t:l:H:p:nh", lopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'e':
			o->established = parse_count(optarg, "--established");
			break;
		case 't':
			o->time_wait = parse_count(optarg, "--time-wait");
			break;
		case 'l':
			o->listen = parse_count(optarg, "--listen");
			break;
		case 'H':
			o->holders = parse_count(optarg, "--holders");
			break;
		case 'p':
			o->port_base = parse_count(optarg, "--port-base");
			break;
		case 'n':
			o->listeners_needed = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc || o->established % 2 || o->port_base < 1 ||
	    o->port_base + o->listen > 65536 ||
	    o->established / 2 + o->time_wait > CLIENTS_MAX) {
		usage(stderr);
		exit(2);
	}
}

/*
 * Enough holders that each fits its descriptor budget (both ends of its
 * pairs, plus a batch in flight, plus the inherited listeners), and at
 * least one per CPU so the fill runs in parallel. Negative: the minimum,
 * when --holders asked for fewer.
 */
static long count_holders(const struct opts *o, long budget)
{
	long pairs = o->established / 2;
	long cap = (budget - FD_SLACK - o->listen - 2 * BATCH) / 2;
	long nh, par;

	if (pairs + o->time_wait == 0) {
		return 0;
	}
	if (cap > HOLDER_MAX_PAIRS) {
		cap = HOLDER_MAX_PAIRS;
	}
	if (cap < 1) {
		cap = 1;
	}
	nh = (pairs + cap - 1) / cap;
	if (o->holders) {
		return o->holders < nh ? -nh : o->holders;
	}
	par = sysconf(_SC_NPROCESSORS_ONLN);
	par = par > HOLDERS_PARALLEL_MAX ? HOLDERS_PARALLEL_MAX : par;
	/* Small fills are not worth a fork each. */
	if (pairs + o->time_wait < (long)BATCH * par) {
		par = 1;
	}
	return nh > par ? nh : par;
}

/*
 * Listeners for --listeners-needed: at least --listen, and one per holder.
 * More listeners take descriptors from each holder's budget, which can need
 * another holder, hence the loop (it ends: each step adds far fewer
 * descriptors than a holder's budget).
 */
static long listeners_needed(struct opts *o, long budget)
{
	long nh;

	while ((nh = count_holders(o, budget)) > o->listen) {
		o->listen = nh;
	}
	return nh < 0 ? nh : o->listen;
}

static int open_listeners(const struct opts *o, int *lfd, uint16_t *lport)
{
	long i;

	for (i = 0; i < o->listen; i++) {
		lport[i] = (uint16_t)(o->port_base + i);
		lfd[i] = fill_listener_open(lport[i]);
		if (lfd[i] < 0) {
			fprintf(stderr, "fill: listen on 127.0.0.1:%u: %s\n",
				lport[i], strerror(-lfd[i]));
			return lfd[i];
		}
	}
	return 0;
}

/* Whether a descriptor budget and holder count came out usable; says why not.
 */
static int plan_ok(long nh, long budget)
{
	if (budget < 0) {
		fprintf(stderr, "fill: RLIMIT_NOFILE: %s\n", strerror(-budget));
		return -EINVAL;
	}
	if (nh < 0) {
		fprintf(
		    stderr,
		    "fill: --holders: need at least %ld for %ld descriptors "
		    "each\n",
		    -nh, budget);
		return -EINVAL;
	}
	return 0;
}

static int setup(const struct opts *o, long nh, long budget)
{
	long pairs = o->established / 2;
	long per = nh > 0 ? (pairs + nh - 1) / nh : 0;
	int err;

	if (plan_ok(nh, budget)) {
		return -EINVAL;
	}
	if (nh > o->listen) {
		fprintf(stderr,
			"fill: --listen must be at least %ld (one listener per "
			"holder process)\n",
			nh);
		return -EINVAL;
	}
	if (2 * per + 2 * BATCH + o->listen + FD_SLACK > budget ||
	    o->listen + 2 * nh + FD_SLACK > budget) {
		fprintf(stderr,
			"fill: %ld descriptors per process are not enough\n",
			budget);
		return -EMFILE;
	}
	err = fill_check_netns();
	if (!err) {
		err = fill_tune_netns(o);
	}
	if (!err) {
		err = fill_lo_up();
		if (err) {
			fprintf(stderr, "fill: bringing lo up: %s\n",
				strerror(-err));
		}
	}
	return err;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct holder *hs = NULL;
	int *lfd = NULL;
	uint16_t *lport = NULL;
	sigset_t mask, oldmask;
	int sfd = -1, err, ret = 1;
	long nh, budget;
	double t0 = now_s();

	parse_opts(argc, argv, &o);
	budget = fill_fd_budget();
	if (o.listeners_needed) {
		nh = budget < 0 ? 0 : listeners_needed(&o, budget);
		if (plan_ok(nh, budget)) {
			return 1;
		}
		printf("%ld\n", nh);
		return 0;
	}
	nh = count_holders(&o, budget);
	if (setup(&o, nh, budget)) {
		return 1;
	}
	/* Signals become events, so a stop mid-fill still reaps the holders. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	/* A vanished reader on stdout must not kill us before holders are
	 * reaped. */
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	hs = calloc(nh ? nh : 1, sizeof(*hs));
	lfd = calloc(o.listen ? o.listen : 1, sizeof(*lfd));
	lport = calloc(o.listen ? o.listen : 1, sizeof(*lport));
	if (sfd < 0 || !hs || !lfd || !lport) {
		perror("fill: setup");
		goto out;
	}
	if (open_listeners(&o, lfd, lport)) {
		goto out;
	}
	err = spawn_holders(&o, nh, lfd, lport, hs, &oldmask);
	if (err) {
		fprintf(stderr, "fill: starting holders: %s\n", strerror(-err));
		goto out_stop;
	}
	err = wait_ready(hs, nh, sfd);
	if (err == 0) {
		err = settle(hs, nh, sfd, &o);
	}
	if (err == 0) {
		fprintf(stderr,
			"fill: %ld established, %ld time-wait, %ld listen "
			"(%ld holder processes) in %.1f s\n",
			o.established, o.time_wait, o.listen, nh, now_s() - t0);
		printf("READY\n");
		fflush(stdout);
		err = hold(hs, nh, sfd, &o);
	}
	ret = err < 0 ? 1 : 0;
out_stop:
	if (stop_holders(hs, nh)) {
		ret = 1;
	}
out:
	free(lfd);
	free(lport);
	free(hs);
	return ret;
}
