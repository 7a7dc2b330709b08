// SPDX-License-Identifier: MIT
/*
 * sockstates: hold real kernel sockets in every TCP state, plus bound and
 * connected UDP, on loopback inside a private network namespace, so that
 * integration tests can compare sockscope's view with a known truth.
 *
 * Transient states are pinned by an nftables table "inet sockstates" that
 * drops chosen packets. Readiness is read from /proc/net/{tcp,udp}[6], never
 * through netlink, because the netlink client is the program under test.
 * Usage, ports, rules and output format: README-sockstates.md.
 *
 * cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
 *    -Wstrict-prototypes -Wmissing-prototypes -o sockstates sockstates.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG	      "sockstates"
#define EXIT_USAGE    2
#define EXIT_SKIP     77
#define CLIENT_OFF    100  /* a pair's client port: its server port + 100 */
#define TW_OFF	      1000 /* TIME_WAIT client i: base + 1000 + i */
#define WAIT_MS	      5000 /* limit of every wait, on a socket or on /proc */
#define NFT_TABLE     "inet sockstates"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Kernel state codes as /proc/net/tcp prints them (include/net/tcp_states.h).
 */
enum {
	ST_ESTABLISHED = 1,
	ST_SYN_SENT,
	ST_SYN_RECV,
	ST_FIN_WAIT1,
	ST_FIN_WAIT2,
	ST_TIME_WAIT,
	ST_CLOSE,
	ST_CLOSE_WAIT,
	ST_LAST_ACK,
	ST_LISTEN,
	ST_CLOSING,
	ST_MAX,
};

/* Scenarios; each value is also its server port's offset from the base. */
enum scen {
	SC_LISTEN,
	SC_SYN_SENT,
	SC_SYN_RECV,
	SC_ESTABLISHED,
	SC_FIN_WAIT1,
	SC_FIN_WAIT2,
	SC_LAST_ACK,
	SC_CLOSING,
	SC_TIME_WAIT,
	SC_UDP_UNCONN,
	SC_UDP_CONN,
	SC_COUNT,
};

static const char *const scen_names[SC_COUNT] = {
    "LISTEN",	   "SYN_SENT",	    "SYN_RECV",
    "ESTABLISHED", "FIN_WAIT1",	    "FIN_WAIT2/CLOSE_WAIT",
    "LAST_ACK",	   "CLOSING",	    "TIME_WAIT",
    "UDP_UNCONN",  "UDP_CONNECTED",
};

/* --states words; FIN_WAIT2 and CLOSE_WAIT are the two ends of one pair. */
static const struct {
	const char *key; /* matched ignoring case, '-' and '_' */
	enum scen sc;
} state_words[] = {
    {"listen", SC_LISTEN},	  {"synsent", SC_SYN_SENT},
    {"synrecv", SC_SYN_RECV},	  {"established", SC_ESTABLISHED},
    {"finwait1", SC_FIN_WAIT1},	  {"finwait2", SC_FIN_WAIT2},
    {"closewait", SC_FIN_WAIT2},  {"lastack", SC_LAST_ACK},
    {"closing", SC_CLOSING},	  {"timewait", SC_TIME_WAIT},
    {"udpunconn", SC_UDP_UNCONN}, {"udpconnected", SC_UDP_CONN},
};

/* Dropped on input: "tcp <dir> <server port><match>". */
static const struct {
	const char *dir;
	const char *match;
} rules[SC_COUNT] = {
    /* every SYN is lost: the client retries in SYN_SENT */
    [SC_SYN_SENT] = {"dport", ""},
    /* the handshake's final pure ACK is lost: the server keeps a request */
    [SC_SYN_RECV] = {"dport", " tcp flags & (syn | ack) == ack"},
    /* all the server sends after its SYN-ACK is lost, its FIN first */
    [SC_FIN_WAIT1] = {"sport", " tcp flags & syn == 0"},
    /* only the server's FIN is lost, not its ACK of the client's FIN */
    [SC_LAST_ACK] = {"sport", " tcp flags & fin == fin"},
    [SC_CLOSING] = {"sport", " tcp flags & syn == 0"},
};

static const char *const tcp_names[ST_MAX] = {
    [ST_ESTABLISHED] = "ESTABLISHED",
    [ST_SYN_SENT] = "SYN_SENT",
    [ST_SYN_RECV] = "SYN_RECV",
    [ST_FIN_WAIT1] = "FIN_WAIT1",
    [ST_FIN_WAIT2] = "FIN_WAIT2",
    [ST_TIME_WAIT] = "TIME_WAIT",
    [ST_CLOSE] = "CLOSE",
    [ST_CLOSE_WAIT] = "CLOSE_WAIT",
    [ST_LAST_ACK] = "LAST_ACK",
    [ST_LISTEN] = "LISTEN",
    [ST_CLOSING] = "CLOSING",
};

struct opts {
	bool v4, v6;
	unsigned int scens; /* one bit per enum scen */
	unsigned int count; /* TIME_WAIT sockets per family */
	unsigned int base;
};

/* One socket the kernel must show; fd is -1 when only the kernel has it. */
struct ent {
	int fd;
	int family;
	int proto;
	int state;
	unsigned int lport;
	unsigned int rport; /* 0: unconnected, the peer is the wildcard */
	int seen;	    /* state found in /proc, -1 while absent */
};

struct ctx {
	const struct opts *o;
	struct ent *ents;   /* creation order, which is output order */
	struct ent **index; /* sorted for /proc lookups */
	size_t n, cap;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static const char *state_name(int proto, int st)
{
	if (proto == IPPROTO_UDP && st == ST_CLOSE) {
		return "UNCONN";
	}
	if (st <= 0 || st >= ST_MAX || !tcp_names[st]) {
		return "UNKNOWN";
	}
	return tcp_names[st];
}

static void *xreallocarray(void *p, size_t n, size_t size)
{
	p = reallocarray(p, n, size);
	if (!p) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(1);
	}
	return p;
}

/* Records a socket; from here on its fd (or -1: kernel only) belongs to ctx. */
static void add(struct ctx *c, int fd, int family, int proto, int state,
		unsigned int lport, unsigned int rport)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->ents = xreallocarray(c->ents, c->cap, sizeof(*c->ents));
	}
	c->ents[c->n++] = (struct ent){
	    .fd = fd,
	    .family = family,
	    .proto = proto,
	    .state = state,
	    .lport = lport,
	    .rport = rport,
	    .seen = -1,
	};
}

/* add() for fd or -errno as a socket function returns it: 0 or -errno. */
static int keep(struct ctx *c, int fd, int family, int proto, int state,
		unsigned int lport, unsigned int rport)
{
	if (fd < 0) {
		return fd;
	}
	add(c, fd, family, proto, state, lport, rport);
	return 0;
}

static socklen_t sockaddr_lo(int family, unsigned int port,
			     struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = in6addr_loopback;
		return sizeof(*s6);
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*s4);
}

/*
 * A nonblocking socket bound to a fixed loopback port, so that every run has
 * the same addresses; connecting to rport when given, else listening (TCP).
 * TCP ones retry SYN and SYN-ACK 127 times (hours) instead of 6 and 5 (about
 * 2 and 1 min), so SYN_SENT and SYN_RECV last as long as a test may need.
 * Returns the fd or -errno.
 */
static int open_socket(int family, int type, unsigned int lport,
		       unsigned int rport)
{
	struct sockaddr_storage ss;
	int fd, err, rc = 0, syncnt = 127;
	socklen_t len;

	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	if (type == SOCK_STREAM) {
		rc = setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &syncnt,
				sizeof(syncnt));
	}
	len = sockaddr_lo(family, lport, &ss);
	rc = rc ? rc : bind(fd, (struct sockaddr *)&ss, len);
	if (!rc && rport) {
		len = sockaddr_lo(family, rport, &ss);
		rc = connect(fd, (struct sockaddr *)&ss, len);
		rc = rc && errno == EINPROGRESS ? 0 : rc;
	} else if (!rc && type == SOCK_STREAM) {
		rc = listen(fd, 16);
	}
	if (rc) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Waits for events on fd, then returns its pending error: 0 or -errno. */
static int wait_fd(int fd, short events)
{
	struct pollfd p = {.fd = fd, .events = events};
	socklen_t len = sizeof(int);
	int n, soerr = 0;

	do {
		n = poll(&p, 1, WAIT_MS);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		return n ? -errno : -ETIMEDOUT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len)) {
		return -errno;
	}
	return -soerr;
}

/* A TCP client once its handshake has completed: fd or -errno. */
static int tcp_client(int family, unsigned int lport, unsigned int rport)
{
	int fd = open_socket(family, SOCK_STREAM, lport, rport), err;

	if (fd < 0) {
		return fd;
	}
	err = wait_fd(fd, POLLOUT);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int tcp_accept(int lfd)
{
	int fd, err = wait_fd(lfd, POLLIN);

	if (err) {
		return err;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* An established pair, port + CLIENT_OFF to port, without its listener. */
static int tcp_pair(int family, unsigned int port, int *cfd, int *sfd)
{
	int lfd, err = 0;

	lfd = open_socket(family, SOCK_STREAM, port, 0);
	if (lfd < 0) {
		return lfd;
	}
	*cfd = tcp_client(family, port + CLIENT_OFF, port);
	if (*cfd < 0) {
		err = *cfd;
		goto out;
	}
	*sfd = tcp_accept(lfd);
	if (*sfd < 0) {
		err = *sfd;
		close(*cfd);
	}
out:
	close(lfd);
	return err;
}

/*
 * The ACK of a FIN is delayed (the receiver enters pingpong mode to send it
 * with its own FIN), so "FIN sent" is not yet "FIN acked": wait for it.
 */
static int wait_tcp_state(int fd, int state)
{
	struct timespec nap = {0, 1000000};
	struct tcp_info ti = {0};
	socklen_t len = sizeof(ti);
	int i;

	for (i = 0; i < WAIT_MS && ti.tcpi_state != state; i++) {
		nanosleep(&nap, NULL);
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
			return -errno;
		}
	}
	return ti.tcpi_state == state ? 0 : -ETIMEDOUT;
}

/* A listener, and for SYN_RECV a client whose handshake ACK is dropped. */
static int sc_listen(struct ctx *c, int family, unsigned int p, bool request)
{
	unsigned int cp = p + CLIENT_OFF;
	int err;

	err = keep(c, open_socket(family, SOCK_STREAM, p, 0), family,
		   IPPROTO_TCP, ST_LISTEN, p, 0);
	if (err || !request) {
		return err;
	}
	/* the server half is a request socket, without an fd */
	add(c, -1, family, IPPROTO_TCP, ST_SYN_RECV, p, cp);
	return keep(c, tcp_client(family, cp, p), family, IPPROTO_TCP,
		    ST_ESTABLISHED, cp, p);
}

/*
 * The pair states. shutdown(SHUT_WR) rather than close() keeps each socket
 * owned by this process, so no orphan limit (tcp_orphan_retries,
 * tcp_fin_timeout) cuts a state short: FIN_WAIT2 and CLOSE_WAIT last
 * forever, a lost FIN is retried for tcp_retries2 (about 15 min). A failed
 * shutdown() is left to the /proc wait to report, by the state it lacks.
 */
static int sc_pair(struct ctx *c, int family, unsigned int p, enum scen sc)
{
	unsigned int cp = p + CLIENT_OFF;
	int cst = ST_ESTABLISHED, sst = ST_ESTABLISHED;
	int cfd, sfd, err;

	err = tcp_pair(family, p, &cfd, &sfd);
	if (err) {
		return err;
	}
	if (sc == SC_FIN_WAIT1 || sc == SC_CLOSING) {
		shutdown(sfd, SHUT_WR);
		sst = ST_FIN_WAIT1;
	}
	if (sc == SC_CLOSING) {
		/* reaches a server whose own FIN was never acked */
		shutdown(cfd, SHUT_WR);
		cst = ST_FIN_WAIT1;
		sst = ST_CLOSING;
	}
	if (sc == SC_FIN_WAIT2 || sc == SC_LAST_ACK) {
		shutdown(cfd, SHUT_WR);
		cst = ST_FIN_WAIT2;
		sst = ST_CLOSE_WAIT;
	}
	if (sc == SC_LAST_ACK) {
		err = wait_tcp_state(cfd, ST_FIN_WAIT2);
		shutdown(sfd, SHUT_WR);
		sst = ST_LAST_ACK;
	}
	add(c, sfd, family, IPPROTO_TCP, sst, p, cp);
	add(c, cfd, family, IPPROTO_TCP, cst, cp, p);
	return err;
}

/* One active close by a client, which ends in TIME_WAIT. */
static int time_wait_one(int lfd, int family, unsigned int p, unsigned int cp)
{
	int cfd, sfd, err;

	cfd = tcp_client(family, cp, p);
	if (cfd < 0) {
		return cfd;
	}
	sfd = tcp_accept(lfd);
	close(cfd);
	if (sfd < 0) {
		return sfd;
	}
	/*
	 * A server FIN sent before the client's arrived would make this a
	 * simultaneous close, with TIME_WAIT on both ends.
	 */
	err = wait_fd(sfd, POLLRDHUP);
	close(sfd);
	return err;
}

static int sc_time_wait(struct ctx *c, int family, unsigned int p)
{
	unsigned int i, cp;
	int lfd, err = 0;

	lfd = open_socket(family, SOCK_STREAM, p, 0);
	if (lfd < 0) {
		return lfd;
	}
	for (i = 0; i < c->o->count && !err && !stop_signal; i++) {
		cp = c->o->base + TW_OFF + i;
		err = time_wait_one(lfd, family, p, cp);
		if (!err) {
			add(c, -1, family, IPPROTO_TCP, ST_TIME_WAIT, cp, p);
		}
	}
	close(lfd);
	return err;
}

static int build_scen(struct ctx *c, int family, enum scen sc)
{
	unsigned int p = c->o->base + sc, cp = p + CLIENT_OFF;
	int err;

	switch (sc) {
	case SC_LISTEN:
	case SC_SYN_RECV:
		return sc_listen(c, family, p, sc == SC_SYN_RECV);
	case SC_TIME_WAIT:
		return sc_time_wait(c, family, p);
	case SC_SYN_SENT:
		return keep(c, open_socket(family, SOCK_STREAM, cp, p), family,
			    IPPROTO_TCP, ST_SYN_SENT, cp, p);
	case SC_UDP_UNCONN:
		return keep(c, open_socket(family, SOCK_DGRAM, p, 0), family,
			    IPPROTO_UDP, ST_CLOSE, p, 0);
	case SC_UDP_CONN:
		/* two sockets connected to each other */
		err = keep(c, open_socket(family, SOCK_DGRAM, p, cp), family,
			   IPPROTO_UDP, ST_ESTABLISHED, p, cp);
		return err ? err
			   : keep(c, open_socket(family, SOCK_DGRAM, cp, p),
				  family, IPPROTO_UDP, ST_ESTABLISHED, cp, p);
	default:
		return sc_pair(c, family, p, sc);
	}
}

static bool want_family(const struct opts *o, int family)
{
	return family == AF_INET ? o->v4 : o->v6;
}

static int build_all(struct ctx *c)
{
	static const int families[] = {AF_INET, AF_INET6};
	size_t i;
	int sc, err;

	for (i = 0; i < ARRAY_SIZE(families); i++) {
		for (sc = 0; sc < SC_COUNT; sc++) {
			if (!want_family(c->o, families[i]) ||
			    !(c->o->scens & (1u << sc))) {
				continue;
			}
			err = build_scen(c, families[i], sc);
			if (err) {
				fprintf(
				    stderr,
				    PROG
				    ": %s over IPv%d, server port %u: %s%s\n",
				    scen_names[sc],
				    families[i] == AF_INET ? 4 : 6,
				    c->o->base + sc, strerror(-err),
				    err == -EADDRNOTAVAIL || err == -ENETUNREACH
					? " (is lo up?)"
					: "");
				return err;
			}
		}
	}
	return 0;
}

/* Orders by proto, family, ports: unique here, as each socket has its port. */
static uint64_t ent_key(const struct ent *e)
{
	return (uint64_t)e->proto << 40 | (uint64_t)e->family << 32 |
	       e->lport << 16 | e->rport;
}

static int ent_cmp(const void *a, const void *b)
{
	uint64_t x = ent_key(*(const struct ent *const *)a);
	uint64_t y = ent_key(*(const struct ent *const *)b);

	return (x > y) - (x < y);
}

/* Addresses need no check: the namespace had no socket before ours. */
static void match_line(struct ctx *c, const char *line, int family, int proto)
{
	struct ent key = {.family = family, .proto = proto}, *kp = &key;
	struct ent **hit;
	unsigned int st;

	if (sscanf(line, " %*u: %*[0-9A-F]:%x %*[0-9A-F]:%x %x", &key.lport,
		   &key.rport, &st) != 3) {
		return;
	}
	hit = bsearch(&kp, c->index, c->n, sizeof(*c->index), ent_cmp);
	if (hit) {
		(*hit)->seen = st;
	}
}

static int scan_proc(struct ctx *c)
{
	static const struct {
		const char *path;
		int family, proto;
	} files[] = {
	    {"/proc/self/net/tcp", AF_INET, IPPROTO_TCP},
	    {"/proc/self/net/tcp6", AF_INET6, IPPROTO_TCP},
	    {"/proc/self/net/udp", AF_INET, IPPROTO_UDP},
	    {"/proc/self/net/udp6", AF_INET6, IPPROTO_UDP},
	};
	char line[512];
	size_t i;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		if (!want_family(c->o, files[i].family)) {
			continue;
		}
		f = fopen(files[i].path, "re");
		if (!f) {
			fprintf(stderr, PROG ": %s: %s\n", files[i].path,
				strerror(errno));
			return -EIO;
		}
		while (fgets(line, sizeof(line), f)) {
			match_line(c, line, files[i].family, files[i].proto);
		}
		fclose(f);
	}
	return 0;
}

/* The first socket not (yet) in its state, after a fresh look at /proc. */
static int first_missing(struct ctx *c, struct ent **missing)
{
	size_t i;
	int err;

	for (i = 0; i < c->n; i++) {
		c->ents[i].seen = -1;
	}
	err = scan_proc(c);
	for (i = 0, *missing = NULL; i < c->n && !*missing; i++) {
		if (c->ents[i].seen != c->ents[i].state) {
			*missing = &c->ents[i];
		}
	}
	return err;
}

static void format_addr(const struct ent *e, bool peer, char *buf)
{
	bool wildcard = peer && !e->rport;

	if (e->family == AF_INET) {
		strcpy(buf, wildcard ? "0.0.0.0" : "127.0.0.1");
		return;
	}
	inet_ntop(AF_INET6, wildcard ? &in6addr_any : &in6addr_loopback, buf,
		  INET6_ADDRSTRLEN);
}

/* Polls /proc until every socket shows its state, or names the first not. */
static int wait_ready(struct ctx *c)
{
	struct timespec nap = {0, 10000000};
	char la[INET6_ADDRSTRLEN], ra[INET6_ADDRSTRLEN];
	struct ent *e;
	size_t i;
	int err, waited;

	c->index = xreallocarray(NULL, c->n ? c->n : 1, sizeof(*c->index));
	for (i = 0; i < c->n; i++) {
		c->index[i] = &c->ents[i];
	}
	qsort(c->index, c->n, sizeof(*c->index), ent_cmp);
	for (waited = 0; waited <= WAIT_MS; waited += 10) {
		err = first_missing(c, &e);
		if (err || !e) {
			return err;
		}
		nanosleep(&nap, NULL);
	}
	format_addr(e, false, la);
	format_addr(e, true, ra);
	fprintf(stderr,
		PROG ": %s did not appear within %d ms: "
		     "%s %s port %u, peer %s port %u, is %s\n",
		state_name(e->proto, e->state), WAIT_MS,
		e->proto == IPPROTO_TCP ? "tcp" : "udp", la, e->lport, ra,
		e->rport,
		e->seen < 0 ? "absent" : state_name(e->proto, e->seen));
	return -ETIMEDOUT;
}

static int print_ents(const struct ctx *c)
{
	char la[INET6_ADDRSTRLEN], ra[INET6_ADDRSTRLEN];
	const struct ent *e;
	size_t i;

	for (i = 0; i < c->n; i++) {
		e = &c->ents[i];
		format_addr(e, false, la);
		format_addr(e, true, ra);
		printf("%s\t%s\t%s\t%u\t%s\t%u\n",
		       e->proto == IPPROTO_TCP ? "tcp" : "udp",
		       state_name(e->proto, e->state), la, e->lport, ra,
		       e->rport);
	}
	printf("READY\n");
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, PROG ": stdout: %s\n", strerror(errno));
		return -EIO;
	}
	return 0;
}

/* Feeds a script to nft, whose output goes to stderr: stdout is data. */
static int nft_run(const char *script)
{
	FILE *p =
	    popen("PATH=\"$PATH:/usr/sbin:/sbin\" exec nft -f - >&2", "we");
	int st;

	if (!p) {
		return -errno;
	}
	fputs(script, p);
	st = pclose(p);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

/* "create" fails when the table exists: another run owns this namespace. */
static int nft_create(const struct opts *o)
{
	char buf[2048];
	size_t len;
	int sc;

	len = snprintf(buf, sizeof(buf),
		       "create table " NFT_TABLE "\n"
		       "add chain " NFT_TABLE " input { type filter hook input "
		       "priority filter; policy accept; }\n");
	for (sc = 0; sc < SC_COUNT; sc++) {
		if (rules[sc].dir && (o->scens & (1u << sc))) {
			len += snprintf(
			    buf + len, sizeof(buf) - len,
			    "add rule " NFT_TABLE " input tcp %s %u%s drop\n",
			    rules[sc].dir, o->base + sc, rules[sc].match);
		}
	}
	return nft_run(buf);
}

/* True when a line after the first skip lines starts with prefix. */
static bool proc_has(const char *path, int skip, const char *prefix)
{
	FILE *f = fopen(path, "re");
	bool found = false;
	char line[512];

	while (f && !found && fgets(line, sizeof(line), f)) {
		found = skip-- <= 0 && !strncmp(line, prefix, strlen(prefix));
	}
	if (f) {
		fclose(f);
	}
	return found;
}

/*
 * Why this is not a fresh namespace, or NULL. pid 1's namespace is often
 * unreadable (a non-dumpable init), so the sentinels must stand alone: a
 * fresh namespace has no IPv4 route but lo's local ones, no neighbour and
 * no TCP or UDP socket. Our drop rules must never reach a real host.
 */
static const char *not_fresh(const struct opts *o)
{
	char self[64], init[64];
	ssize_t ls, li;

	ls = readlink("/proc/self/ns/net", self, sizeof(self));
	li = readlink("/proc/1/ns/net", init, sizeof(init));
	if (ls < 0) {
		return "cannot read /proc/self/ns/net";
	}
	if (li == ls && !memcmp(self, init, ls)) {
		return "/proc/self/ns/net is /proc/1/ns/net";
	}
	if (proc_has("/proc/self/net/route", 1, "")) {
		return "IPv4 routes exist";
	}
	if (proc_has("/proc/self/net/arp", 1, "")) {
		return "the neighbour table is not empty";
	}
	if (proc_has("/proc/self/net/tcp", 1, "") ||
	    proc_has("/proc/self/net/tcp6", 1, "") ||
	    proc_has("/proc/self/net/udp", 1, "") ||
	    proc_has("/proc/self/net/udp6", 1, "")) {
		return "TCP or UDP sockets exist";
	}
	if (o->v6 && !proc_has("/proc/self/net/if_inet6", 0,
			       "00000000000000000000000000000001 ")) {
		return "no ::1: is lo up? (or IPv6 disabled: use --v4)";
	}
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [--v4] [--v6] [--states LIST] [--count N] "
		   "[--base-port N]\n"
		   "  LIST: comma-separated LISTEN SYN_SENT SYN_RECV "
		   "ESTABLISHED FIN_WAIT1\n"
		   "  FIN_WAIT2 CLOSE_WAIT LAST_ACK CLOSING TIME_WAIT "
		   "UDP_UNCONN UDP_CONNECTED\n"
		   "Defaults: both families, all states, --count 1, "
		   "--base-port 20000.\n"
		   "Run under 'unshare -n' with lo up. Prints the sockets, "
		   "then READY;\n"
		   "holds them until EOF on stdin or SIGTERM/SIGINT.\n");
}

static bool word_eq(const char *key, const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (w[i] != '-' && w[i] != '_' && *key++ != (w[i] | 0x20)) {
			return false;
		}
	}
	return *key == '\0';
}

static int parse_states(const char *list, unsigned int *scens)
{
	const char *w, *end;
	size_t i, len;

	*scens = 0;
	for (w = list; *w; w = *end ? end + 1 : end) {
		end = strchrnul(w, ',');
		len = end - w;
		for (i = 0; i < ARRAY_SIZE(state_words); i++) {
			if (word_eq(state_words[i].key, w, len)) {
				break;
			}
		}
		if (i == ARRAY_SIZE(state_words)) {
			fprintf(stderr, PROG ": unknown state '%.*s'\n",
				(int)len, w);
			return -EINVAL;
		}
		*scens |= 1u << state_words[i].sc;
	}
	return *scens ? 0 : -EINVAL;
}

static int parse_uint(const char *s, unsigned int *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || n < 1 || n > 65535) {
		fprintf(stderr, PROG ": bad number '%s' (1..65535)\n", s);
		return -EINVAL;
	}
	*v = n;
	return 0;
}

/* 0 to run, 1 after --help, -EINVAL on a usage error. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"v4", no_argument, NULL, '4'},
	    {"v6", no_argument, NULL, '6'},
	    {"states", required_argument, NULL, 's'},
	    {"count", required_argument, NULL, 'c'},
	    {"base-port", required_argument, NULL, 'b'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned int top;
	int opt, err = 0;

	*o = (struct opts){
	    .scens = (1u << SC_COUNT) - 1, .count = 1, .base = 20000};
	while (!err &&
	       (opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == '4' || opt == '6') {
			*(opt == '4' ? &o->v4 : &o->v6) = true;
		} else if (opt == 's') {
			err = parse_states(optarg, &o->scens);
		} else if (opt == 'c' || opt == 'b') {
			err = parse_uint(optarg,
					 opt == 'c' ? &o->count : &o->base);
		} else if (opt == 'h') {
			usage(stdout);
			return 1;
		} else {
			err = -EINVAL;
		}
	}
	if (!err && optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n",
			argv[optind]);
		err = -EINVAL;
	}
	top = o->base + (o->scens & (1u << SC_TIME_WAIT)
			     ? TW_OFF + o->count - 1
			     : CLIENT_OFF + SC_UDP_CONN);
	if (!err && top > 65535) {
		fprintf(stderr, PROG ": ports would reach %u\n", top);
		err = -EINVAL;
	}
	if (!o->v4 && !o->v6) {
		o->v4 = o->v6 = true;
	}
	if (err) {
		usage(stderr);
	}
	return err;
}

/*
 * Until EOF on stdin or SIGTERM/SIGINT. The signals stay blocked except
 * inside ppoll(), so one that lands between the check and the wait is not
 * lost; one that landed earlier has already set stop_signal.
 */
static void hold(void)
{
	struct pollfd p = {.fd = 0, .events = POLLIN};
	sigset_t set, old;
	char buf[4096];
	ssize_t n = 1;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, &old);
	while (!stop_signal &&
	       (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN)))) {
		n = ppoll(&p, 1, NULL, &old);
		if (n > 0) {
			n = p.revents & POLLNVAL ? 0
						 : read(0, buf, sizeof(buf));
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct ctx c = {0};
	const char *why;
	struct opts o;
	size_t i;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret) {
		return ret > 0 ? 0 : EXIT_USAGE;
	}
	c.o = &o;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	why = not_fresh(&o);
	if (why || nft_create(&o)) {
		fprintf(stderr, PROG ": refusing to run: %s\n",
			why ? why
			    : "nft could not create table " NFT_TABLE
			      " (see above)");
		return EXIT_SKIP;
	}
	/* a signal during the setup ends the run before READY, not an error */
	ret = build_all(&c);
	if (!ret && !stop_signal) {
		ret = wait_ready(&c);
	}
	if (!ret && !stop_signal) {
		ret = print_ents(&c);
	}
	if (!ret && !stop_signal) {
		hold();
	}
	ret = ret ? 1 : 0;
	if (nft_run("delete table " NFT_TABLE "\n")) {
		fprintf(stderr,
			PROG ": nft could not delete table " NFT_TABLE "\n");
		ret = 1;
	}
	for (i = 0; i < c.n; i++) {
		if (c.ents[i].fd >= 0) {
			close(c.ents[i].fd);
		}
	}
	free(c.index);
	free(c.ents);
	return ret;
}
