// SPDX-License-Identifier: MIT
/*
 * floor: the least work that lists every TCP socket. One sock_diag dump per
 * family (AF_INET, AF_INET6), every connection state, no extensions, every
 * message walked and dropped: what ss does, minus everything ss does with
 * the messages. The benchmark reports other tools as multiples of this.
 *
 *   floor [-c] [-1 | -x] [-b] [-j THREADS] [NETNS_FILE...]
 *
 * -c prints the number of sockets per state to stderr (the benchmark uses it
 * to check the fill); counting costs the same with or without it.
 * -1 asks for both families in one walk of the hash instead, with the old
 * TCPDIAG_GETSOCK request (struct inet_diag_req, family AF_UNSPEC): less
 * than the floor above, and the least a netlink listing can cost.
 * -x dumps AF_UNIX instead: one unix_diag request, every state, with the
 * show flags `sockscope -xa` asks for (name, peer, queue lengths: as
 * `ss -xa` too), so the kernel does the same work for all three and the
 * difference is theirs. -c then counts by type and state.
 * -b also asks for bound-but-inactive sockets (state bit 13, Linux >= 6.8),
 * as `ss -a` and `sockscope -a` do: the kernel then walks the bind hash too.
 * NETNS_FILE... (/run/netns/NAME): a socket opened in each (one setns()
 * each, first), then the dumps above in each in turn, or on THREADS
 * threads (-j): the kernel's part of an --all-netns listing, nothing else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/unix_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The kernel fills at most ~32 KiB per dump recvmsg; more costs nothing. */
#define RECV_BUF_SIZE (64 * 1024)
/* Lets the kernel queue dump skbs ahead of us; 8 MiB measured no faster. */
#define SOCK_RCVBUF (1024 * 1024)
/*
 * Every state up to TCP_NEW_SYN_RECV: what 'ss -a' asks for. Not bit 13,
 * TCP_BOUND_INACTIVE (Linux 6.6+): it makes the kernel also walk the whole
 * bind hash for bound-but-idle sockets, which with 300k bound ports costs
 * ~30% more time and returns nothing here.
 */
#define ALL_STATES ((1u << 13) - 1)
/* TCP_ESTABLISHED .. TCP_NEW_SYN_RECV, plus room for a newer kernel. */
#define NSTATES 16

static const char *const state_name[NSTATES] = {
    [1] = "ESTAB",	[2] = "SYN-SENT",   [3] = "SYN-RECV",
    [4] = "FIN-WAIT-1", [5] = "FIN-WAIT-2", [6] = "TIME-WAIT",
    [7] = "UNCONN",	[8] = "CLOSE-WAIT", [9] = "LAST-ACK",
    [10] = "LISTEN",	[11] = "CLOSING",   [12] = "NEW-SYN-RECV",
};

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	unsigned long *count = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);

	if ((nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY &&
	     nlh->nlmsg_type != TCPDIAG_GETSOCK) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*m)) {
		return MNL_CB_OK;
	}
	count[m->idiag_state < NSTATES ? m->idiag_state : 0]++;
	return MNL_CB_OK;
}

/* AF_UNIX: SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5; states as TCP's. */
#define NTYPES 6

static const char *const type_name[NTYPES] = {
    [1] = "u_str",
    [2] = "u_dgr",
    [5] = "u_seq",
};

static int unix_count_cb(const struct nlmsghdr *nlh, void *data)
{
	unsigned long(*count)[NSTATES] = data;
	const struct unix_diag_msg *m = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*m)) {
		return MNL_CB_OK;
	}
	count[m->udiag_type < NTYPES ? m->udiag_type : 0]
	     [m->udiag_state < NSTATES ? m->udiag_state : 0]++;
	return MNL_CB_OK;
}

/* Type 18: the request from before SOCK_DIAG_BY_FAMILY, TCP only. */
#define TCPDIAG_GETSOCK 18

static uint32_t states = ALL_STATES;

static void put_request(struct nlmsghdr *nlh, uint8_t family)
{
	struct inet_diag_req_v2 *req;
	struct inet_diag_req *old;
	struct unix_diag_req *ureq;

	if (family == AF_UNIX) {
		/* Keep in step with unix_put_request() in src/family_unix.c. */
		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		ureq = mnl_nlmsg_put_extra_header(nlh, sizeof(*ureq));
		ureq->sdiag_family = AF_UNIX;
		ureq->udiag_states = ~0u;
		ureq->udiag_show =
		    UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
		return;
	}
	if (family == AF_UNSPEC) {
		nlh->nlmsg_type = TCPDIAG_GETSOCK;
		old = mnl_nlmsg_put_extra_header(nlh, sizeof(*old));
		old->idiag_states = states;
		return;
	}
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = states;
}

static int dump_family(struct mnl_socket *nl, char *buf, uint8_t family,
		       mnl_cb_t cb, void *count)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint32_t seq = (uint32_t)time(NULL) + family;
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret;

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	put_request(nlh, family);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		return -errno;
	}
	do {
		n = mnl_socket_recvfrom(nl, buf, RECV_BUF_SIZE);
		if (n < 0) {
			return -errno;
		}
		ret = mnl_cb_run(buf, n, seq, portid, cb, count);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

/* One socket's dumps, as asked: 0 or -errno. */
static int dump_all(struct mnl_socket *nl, char *buf, bool one_walk,
		    unsigned long *count)
{
	int err;

	if (one_walk) {
		return dump_family(nl, buf, AF_UNSPEC, count_cb, count);
	}
	err = dump_family(nl, buf, AF_INET, count_cb, count);
	return err ? err : dump_family(nl, buf, AF_INET6, count_cb, count);
}

static struct mnl_socket *open_diag(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	int rcvbuf = SOCK_RCVBUF;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("floor: netlink");
		exit(1);
	}
	/* FORCE needs CAP_NET_ADMIN; without it the plain one is capped by
	 * net.core.rmem_max, which is still fine. */
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)) < 0) {
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	}
	return nl;
}

struct ns_job {
	struct mnl_socket **nl;
	int n, step, first;
	bool one_walk;
	unsigned long count[NSTATES];
	int err;
};

static void *ns_worker(void *arg)
{
	struct ns_job *j = arg;
	char *buf = malloc(RECV_BUF_SIZE);

	for (int i = j->first; buf && i < j->n && !j->err; i += j->step) {
		j->err = dump_all(j->nl[i], buf, j->one_walk, j->count);
	}
	free(buf);
	return NULL;
}

/* argv[0..n): namespace files; each dumped on one of threads threads. */
static int dump_netns(char **files, int n, int threads, bool one_walk,
		      unsigned long *count)
{
	struct mnl_socket **nl = calloc((size_t)n, sizeof(*nl));
	struct ns_job job[16];
	pthread_t th[16];
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int err = 0;

	for (int i = 0; i < n; i++) {
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0 || setns(fd, CLONE_NEWNET)) {
			fprintf(stderr, "floor: %s: %s\n", files[i],
				strerror(errno));
			exit(1);
		}
		close(fd);
		nl[i] = open_diag();
	}
	if (setns(home, CLONE_NEWNET)) {
		perror("floor: setns");
		exit(1);
	}
	threads = threads < 1 ? 1 : threads > 16 ? 16 : threads;
	for (int t = 0; t < threads; t++) {
		job[t] = (struct ns_job){.nl = nl,
					 .n = n,
					 .step = threads,
					 .first = t,
					 .one_walk = one_walk};
		pthread_create(&th[t], NULL, ns_worker, &job[t]);
	}
	for (int t = 0; t < threads; t++) {
		pthread_join(th[t], NULL);
		err = err ? err : job[t].err;
		for (int s = 0; s < NSTATES; s++) {
			count[s] += job[t].count[s];
		}
	}
	for (int i = 0; i < n; i++) {
		mnl_socket_close(nl[i]);
	}
	free(nl);
	close(home);
	return err;
}

static void print_unix_counts(unsigned long (*count)[NSTATES])
{
	unsigned long total = 0;
	int t, i;

	for (t = 0; t < NTYPES; t++) {
		for (i = 0; i < NSTATES; i++) {
			if (!count[t][i]) {
				continue;
			}
			fprintf(stderr, "%s %s %lu\n",
				type_name[t] ? type_name[t] : "OTHER",
				state_name[i] ? state_name[i] : "OTHER",
				count[t][i]);
			total += count[t][i];
		}
	}
	fprintf(stderr, "TOTAL %lu\n", total);
}

static void print_counts(const unsigned long *count)
{
	unsigned long total = 0;
	int i;

	for (i = 0; i < NSTATES; i++) {
		if (count[i]) {
			fprintf(stderr, "%s %lu\n",
				state_name[i] ? state_name[i] : "OTHER",
				count[i]);
			total += count[i];
		}
	}
	fprintf(stderr, "TOTAL %lu\n", total);
}

int main(int argc, char **argv)
{
	static char buf[RECV_BUF_SIZE];
	static unsigned long ucount[NTYPES][NSTATES];
	unsigned long count[NSTATES] = {0};
	struct mnl_socket *nl = NULL;
	bool show = false, one_walk = false, unix_mode = false;
	int threads = 1, i, err, ret = 1;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0) {
			show = true;
		} else if (strcmp(argv[i], "-1") == 0) {
			one_walk = true;
		} else if (strcmp(argv[i], "-x") == 0) {
			unix_mode = true;
		} else if (strcmp(argv[i], "-b") == 0) {
			states |= 1u << 13;
		} else if (strcmp(argv[i], "-j") == 0 && i + 1 < argc) {
			threads = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: floor [-c] [-1 | -x] [-b] "
					"[-j THREADS] [NETNS_FILE...]\n");
			return 2;
		}
	}
	if (unix_mode) {
		nl = open_diag();
		err = dump_family(nl, buf, AF_UNIX, unix_count_cb, ucount);
	} else if (i < argc) {
		err = dump_netns(argv + i, argc - i, threads, one_walk, count);
	} else {
		nl = open_diag();
		err = dump_all(nl, buf, one_walk, count);
	}
	if (err) {
		fprintf(stderr, "floor: dump: %s\n", strerror(-err));
		goto out;
	}
	if (show && unix_mode) {
		print_unix_counts(ucount);
	} else if (show) {
		print_counts(count);
	}
	ret = 0;
out:
	if (nl) {
		mnl_socket_close(nl);
	}
	return ret;
}
