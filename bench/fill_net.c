// SPDX-License-Identifier: MIT
/*
 * fill_net.c: namespace setup and socket creation for fill; see fill.h.
 *
 * Every 4-tuple is unique by construction: listeners bind 127.0.0.1 and each
 * client binds its own address and port explicitly, so no connect() ever
 * searches for a free ephemeral port (that search is what gets slow, and what
 * runs out, with hundreds of thousands of sockets).
 */
#define _GNU_SOURCE
#include "fill.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define EOF_TIMEOUT_MS 5000
/* Up to 3 s for in-flight segments to land (a dropped SYN is resent after
 * 1 s), see fill_settle(). */
#define SETTLE_TRIES   300
#define SETTLE_STEP_US 10000

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(val);
	int err = 0;

	if (fd < 0) {
		return -errno;
	}
	if (write(fd, val, len) != len) {
		err = errno ? -errno : -EIO;
	}
	close(fd);
	return err;
}

static long read_long(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return -errno;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return -EIO;
	}
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static int sysctl_set(const char *path, const char *val)
{
	int err = write_str(path, val);

	if (err) {
		fprintf(stderr, "fill: %s: %s\n", path, strerror(-err));
	}
	return err;
}

/* Raise a sysctl to at least min; never lower what the caller set. */
static int sysctl_at_least(const char *path, long min)
{
	char val[32];
	long cur = read_long(path);

	if (cur >= min) {
		return 0;
	}
	snprintf(val, sizeof(val), "%ld", min);
	return sysctl_set(path, val);
}

/*
 * The sysctls below are per namespace: writing them in the host's would
 * change the machine, so refuse to run there. PID 1's namespace is the
 * reference when we may read it (a sandbox may hide it); otherwise a fresh
 * namespace is recognised by having no interface but lo, and recent kernels
 * give the initial one a fixed inode number (seen on 6.18).
 */
#define INIT_NET_INO 0xEFFFFFF9u

int fill_check_netns(void)
{
	struct stat self, init;
	struct if_nameindex *ifs, *i;
	bool host = false;
	int err;

	if (stat("/proc/self/ns/net", &self) < 0) {
		err = -errno;
		fprintf(stderr, "fill: /proc/self/ns/net: %s\n",
			strerror(-err));
		return err;
	}
	if (stat("/proc/1/ns/net", &init) == 0) {
		host = self.st_ino == init.st_ino && self.st_dev == init.st_dev;
	}
	host = host || self.st_ino == INIT_NET_INO;
	/* Unable to list interfaces: cannot tell, so stay on the safe side. */
	ifs = if_nameindex();
	host = host || !ifs;
	for (i = ifs; i && i->if_index; i++) {
		host = host || strcmp(i->if_name, "lo") != 0;
	}
	if (ifs) {
		if_freenameindex(ifs);
	}
	if (host) {
		fprintf(stderr,
			"fill: refusing to run in a namespace with real "
			"interfaces or in the initial one: run it under "
			"'unshare -n'\n");
		return -EPERM;
	}
	return 0;
}

int fill_tune_netns(const struct opts *o)
{
	/* Refreshing TIME-WAIT replaces each one in place, but leave headroom:
	 * past the limit the kernel silently skips TIME-WAIT and counts drop.
	 */
	long tw = 2 * o->time_wait + 65536;
	int err = 0;

	err |= sysctl_at_least("/proc/sys/net/ipv4/tcp_max_tw_buckets", tw);
	err |= sysctl_at_least("/proc/sys/net/core/somaxconn", BACKLOG);
	err |=
	    sysctl_at_least("/proc/sys/net/ipv4/tcp_max_syn_backlog", BACKLOG);
	err |=
	    sysctl_set("/proc/sys/net/ipv4/ip_local_port_range", "1024 65535");
	/* On a loaded machine loopback can be late enough for a FIN to be
	 * retransmitted after its connection is gone; the RST that answers it
	 * would kill the client's TIME-WAIT unless RFC 1337 protection is on.
	 */
	err |= sysctl_set("/proc/sys/net/ipv4/tcp_rfc1337", "1");
	return err ? -EPERM : 0;
}

int fill_lo_up(void)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0) {
		return -errno;
	}
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = -errno;
	} else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
			err = -errno;
		}
	}
	close(fd);
	return err;
}

/*
 * Raise RLIMIT_NOFILE as far as we may: to fs.nr_open with CAP_SYS_RESOURCE,
 * else to the hard limit. Returns the descriptors each process now has.
 */
long fill_fd_budget(void)
{
	struct rlimit rl;
	long nr_open = read_long("/proc/sys/fs/nr_open");

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		return -errno;
	}
	if (nr_open > 0 &&
	    (rl.rlim_max == RLIM_INFINITY || (long)rl.rlim_max < nr_open)) {
		struct rlimit want = {.rlim_cur = nr_open, .rlim_max = nr_open};

		if (setrlimit(RLIMIT_NOFILE, &want) == 0) {
			return nr_open;
		}
	}
	if (rl.rlim_max == RLIM_INFINITY) {
		rl.rlim_max = INT_MAX;
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		return -errno;
	}
	return (long)rl.rlim_cur;
}

static void client_addr(long k, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(CLIENT_PORT_MIN + k % CLIENT_PORTS);
	sin->sin_addr.s_addr =
	    htonl(0x7f000000u | (CLIENT_ADDR_FIRST + k / CLIENT_PORTS));
}

int fill_listener_open(uint16_t port)
{
	struct sockaddr_in sin = {
	    .sin_family = AF_INET,
	    .sin_port = htons(port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err;

	if (fd < 0) {
		return -errno;
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, BACKLOG) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/*
 * Start a nonblocking connect from client k. SO_REUSEADDR lets a refresh bind
 * the address of this client's TIME-WAIT socket; connect() then recycles it,
 * because a timestamped TIME-WAIT may be reused by an explicitly bound socket.
 */
static int client_connect(long k, uint16_t lport)
{
	struct sockaddr_in src, dst = {
				    .sin_family = AF_INET,
				    .sin_port = htons(lport),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				};
	int one = 1;
	int err;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		return -errno;
	}
	client_addr(k, &src);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		goto err;
	}
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 &&
	    errno != EINPROGRESS) {
		goto err;
	}
	return fd;
err:
	err = -errno;
	fprintf(stderr, "fill: client %s:%u -> port %u: %s\n",
		inet_ntoa(src.sin_addr), ntohs(src.sin_port), lport,
		strerror(-err));
	close(fd);
	return err;
}

/*
 * Connect n clients starting at plan-relative index first, then accept them.
 * Each listener gets exactly the connections aimed at it, so accepting the
 * same count from each, in any order, never waits for a missing one.
 */
static int connect_batch(const struct plan *p, long kbase, long first, int n,
			 int *cfd, int *sfd)
{
	int i;

	for (i = 0; i < n; i++) {
		cfd[i] = client_connect(kbase + first + i,
					p->lport[(first + i) % p->nl]);
		if (cfd[i] < 0) {
			return cfd[i];
		}
	}
	for (i = 0; i < n; i++) {
		sfd[i] = accept4(p->lfd[(first + i) % p->nl], NULL, NULL,
				 SOCK_CLOEXEC);
		if (sfd[i] < 0) {
			sfd[i] = -errno;
			fprintf(stderr, "fill: accept: %s\n",
				strerror(-sfd[i]));
			return sfd[i];
		}
	}
	return 0;
}

int fill_make_pairs(const struct plan *p, int *fds)
{
	long done;
	int n, err, i;
	int cfd[BATCH], sfd[BATCH];

	for (done = 0; done < p->npairs; done += n) {
		n = p->npairs - done < BATCH ? (int)(p->npairs - done) : BATCH;
		err = connect_batch(p, p->pair_first, done, n, cfd, sfd);
		if (err) {
			return err;
		}
		for (i = 0; i < n; i++) {
			fds[2 * (done + i)] = cfd[i];
			fds[2 * (done + i) + 1] = sfd[i];
		}
	}
	return 0;
}

/* Closing the server before it has seen the client's FIN would be a
 * simultaneous close, leaving both ends in TIME-WAIT. */
static int wait_eof(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char c;
	ssize_t r;

	for (;;) {
		r = recv(fd, &c, 1, MSG_DONTWAIT);
		if (r == 0) {
			return 0;
		}
		if (r > 0) {
			return -EPROTO;
		}
		if (errno != EAGAIN) {
			return -errno;
		}
		r = poll(&pfd, 1, EOF_TIMEOUT_MS);
		if (r == 0) {
			return -ETIMEDOUT;
		}
		if (r < 0 && errno != EINTR) {
			return -errno;
		}
	}
}

/* Client closes first, so the client end is the one left in TIME-WAIT. */
int fill_make_time_wait(const struct plan *p)
{
	long done;
	int n, err, i;
	int cfd[BATCH], sfd[BATCH];

	for (done = 0; done < p->ntw; done += n) {
		n = p->ntw - done < BATCH ? (int)(p->ntw - done) : BATCH;
		err = connect_batch(p, p->tw_first, done, n, cfd, sfd);
		if (err) {
			return err;
		}
		for (i = 0; i < n; i++) {
			close(cfd[i]);
		}
		for (i = 0; i < n; i++) {
			err = wait_eof(sfd[i]);
			if (err) {
				fprintf(stderr, "fill: waiting for FIN: %s\n",
					strerror(-err));
				return err;
			}
			close(sfd[i]);
		}
	}
	return 0;
}

/* An abortive close skips FIN exchanges and a wave of TIME-WAIT sockets
 * when the namespace is torn down. */
void fill_release(int *fds, long nfds)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	long i;

	for (i = 0; i < nfds; i++) {
		if (fds[i] >= 0) {
			setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg,
				   sizeof(lg));
		}
	}
}

/* TCP "inuse" and "tw" of this namespace from /proc/net/sockstat. */
static int sockstat_tcp(long *inuse, long *tw)
{
	char line[256];
	FILE *f = fopen("/proc/net/sockstat", "re");
	int ret = -ENOENT;

	if (!f) {
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "TCP: inuse %ld orphan %*d tw %ld", inuse,
			   tw) == 2) {
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * Loopback delivers most segments before the sending syscall returns, but
 * not all: under load some go through ksoftirqd. Wait until the kernel's own
 * counts match, so READY means "exactly this mix, nothing in flight" (server
 * ends still in LAST-ACK would vanish mid-dump and skew the first round).
 */
int fill_settle(const struct opts *o, long *inuse, long *tw)
{
	long want_inuse = o->established + o->listen;
	int i, err;

	for (i = 0; i < SETTLE_TRIES; i++) {
		err = sockstat_tcp(inuse, tw);
		if (err) {
			return err;
		}
		if (*inuse == want_inuse && *tw == o->time_wait) {
			return 0;
		}
		usleep(SETTLE_STEP_US);
	}
	return -EAGAIN;
}
