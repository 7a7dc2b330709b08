// SPDX-License-Identifier: MIT
/*
 * Kernel surprises injected under the real acquisition code: the binary
 * is linked with -Wl,--wrap for libmnl's send and receive, so diag.c,
 * diag_rx.c and acquire.c run unchanged against a scripted "kernel" that
 * answers each request with batches, errors, flags and overflows.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "acquire.h"
#include "diag.h"
#include "opts.h"

enum step_kind {
	ROWS,	   /* a batch of n TCP rows, ports from `first` */
	ROWS_INTR, /* the same, flagged NLM_F_DUMP_INTR */
	ROWS_GONE, /* sockets torn down after the kernel's filter ran:
		    * CLOSE, ports cleared */
	DONE,	   /* NLMSG_DONE */
	NL_ERROR,  /* an NLMSG_ERROR carrying -err */
	RECV_FAIL, /* recvmsg itself fails with err */
	END,	   /* no more steps for this request */
};

struct step {
	enum step_kind kind;
	int n, first, err;
};

#define MAX_REQ	 8
#define MAX_STEP 8

/* The scripted kernel: steps per request, and what was asked of it. */
static struct {
	struct step script[MAX_REQ][MAX_STEP];
	int n_req, step;
	uint16_t req_type[MAX_REQ];
	uint8_t req_family[MAX_REQ], req_proto[MAX_REQ];
	uint32_t seq;
	const char *bad; /* set by the reader thread: cmocka asserts there
			  * would longjmp across threads */
	bool no_threads; /* pthread_create fails with EAGAIN */
	int refused;	 /* how many threads it refused */
} k;

/*
 * The test defines libmnl's send and receive and pthread_create itself: the
 * executable's definitions win over the shared libraries' when the core
 * library is linked in (symbol interposition, no --wrap, so an LTO build
 * links too). The real pthread_create is the next one in lookup order.
 */
int pthread_create(pthread_t *t, const pthread_attr_t *attr,
		   void *(*fn)(void *), void *arg)
{
	typedef int (*create_fn)(pthread_t *, const pthread_attr_t *,
				 void *(*)(void *), void *);
	create_fn real;
	void *sym;

	if (k.no_threads) {
		k.refused++;
		return EAGAIN;
	}
	sym = dlsym(RTLD_NEXT, "pthread_create");
	if (!sym) {
		return ENOSYS;
	}
	memcpy(&real, &sym, sizeof(real));
	return real(t, attr, fn, arg);
}

static void script(int req, const struct step *steps, int n)
{
	memcpy(k.script[req], steps, (size_t)n * sizeof(*steps));
	k.script[req][n].kind = END;
}

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf,
			  size_t len)
{
	const struct nlmsghdr *nlh = buf;
	const uint8_t *body = NLMSG_DATA(nlh);

	(void)nl;
	assert_true(k.n_req < MAX_REQ);
	k.req_type[k.n_req] = nlh->nlmsg_type;
	/* v2 starts with family, protocol; the old request with family. */
	k.req_family[k.n_req] =
	    nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY ? body[0] : AF_UNSPEC;
	k.req_proto[k.n_req] =
	    nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY ? body[1] : IPPROTO_TCP;
	k.seq = nlh->nlmsg_seq;
	k.n_req++;
	k.step = 0;
	return (ssize_t)len;
}

static struct nlmsghdr *put_hdr(char *p, uint16_t type, uint16_t flags,
				uint32_t len, uint32_t portid)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)p;

	memset(p, 0, NLMSG_ALIGN(len));
	nlh->nlmsg_len = len;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = k.seq;
	nlh->nlmsg_pid = portid;
	return nlh;
}

static size_t put_rows(char *buf, const struct step *s, uint32_t portid)
{
	uint16_t flags =
	    NLM_F_MULTI | (s->kind == ROWS_INTR ? NLM_F_DUMP_INTR : 0);
	size_t off = 0;

	for (int i = 0; i < s->n; i++) {
		struct nlmsghdr *nlh =
		    put_hdr(buf + off, SOCK_DIAG_BY_FAMILY, flags,
			    NLMSG_LENGTH(sizeof(struct inet_diag_msg)), portid);
		struct inet_diag_msg *m = NLMSG_DATA(nlh);

		m->idiag_family = AF_INET;
		m->idiag_state =
		    s->kind == ROWS_GONE ? 7 : 1; /* CLOSE, ESTAB */
		m->id.idiag_sport = htons((uint16_t)(s->first + i));
		m->id.idiag_dport = htons(s->kind == ROWS_GONE ? 0 : 80);
		m->id.idiag_cookie[0] = (uint32_t)(s->first + i);
		m->id.idiag_src[0] = htonl(0x7f000001);
		m->id.idiag_dst[0] = htonl(0x7f000001);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return off;
}

ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t size)
{
	const struct step *s = &k.script[k.n_req - 1][k.step];
	uint32_t portid = mnl_socket_get_portid(nl);
	struct nlmsghdr *nlh;
	int *e;

	if (size < 4096 || k.step >= MAX_STEP - 1) {
		k.bad = "receive buffer too small, or script overrun";
		errno = EPROTO;
		return -1;
	}
	k.step++;
	switch (s->kind) {
	case ROWS:
	case ROWS_INTR:
	case ROWS_GONE:
		return (ssize_t)put_rows(buf, s, portid);
	case DONE:
		nlh = put_hdr(buf, NLMSG_DONE, NLM_F_MULTI,
			      NLMSG_LENGTH(sizeof(int)), portid);
		memset(NLMSG_DATA(nlh), 0, sizeof(int));
		return (ssize_t)nlh->nlmsg_len;
	case NL_ERROR:
		nlh = put_hdr(buf, NLMSG_ERROR, 0,
			      NLMSG_LENGTH(sizeof(struct nlmsgerr)), portid);
		e = NLMSG_DATA(nlh);
		*e = -s->err;
		return (ssize_t)nlh->nlmsg_len;
	case RECV_FAIL:
		errno = s->err;
		return -1;
	case END:
	default:
		k.bad = "a request read past its script";
		errno = EPROTO;
		return -1;
	}
}

struct seen {
	int n, ports[64];
	int stop_after; /* return -EPIPE after this many rows (0: never) */
};

static int collect(const struct sock_rec *rec, void *data)
{
	struct seen *s = data;

	if (s->n < 64) {
		s->ports[s->n] = rec->sport;
	}
	s->n++;
	return s->stop_after && s->n >= s->stop_after ? -EPIPE : 0;
}

static void reset(void)
{
	memset(&k, 0, sizeof(k));
}

static int check_kernel(void **unused)
{
	(void)unused;
	if (k.bad) {
		print_error("scripted kernel: %s\n", k.bad);
		return -1;
	}
	return 0;
}

/* Parse argv with the real option parser: acquire reads struct opts. */
static void parse(struct opts *o, const char *args)
{
	char copy[128], *argv[16] = {(char *)"sockscope"};
	int argc = 1;

	snprintf(copy, sizeof(copy), "%s", args);
	for (char *t = strtok(copy, " "); t && argc < 15;
	     t = strtok(NULL, " ")) {
		argv[argc++] = t;
	}
	argv[argc] = NULL;
	optind = 0; /* getopt starts over: several parses in one process */
	assert_int_equal(opts_parse(o, argc, argv), 0);
}

/* One acquisition; notes: the run's, shared with others (NULL: its own). */
static int run_shared(const char *args, struct acquire_notes *notes,
		      struct seen *s)
{
	struct opts o;
	struct acquire a;
	int err;

	parse(&o, args);
	acquire_init(&a, &o);
	a.notes = notes;
	err = acquire_run(&a, collect, s);
	acquire_finish(&a);
	opts_finish(&o);
	return err;
}

static int run_acquire(const char *args, struct seen *s)
{
	return run_shared(args, NULL, s);
}

/* stderr into a file until capture_end() reads it into err. */
struct capture {
	FILE *tmp;
	int saved;
};

static struct capture capture_start(void)
{
	struct capture c = {tmpfile(), dup(2)};

	assert_non_null(c.tmp);
	assert_true(c.saved >= 0);
	fflush(stderr);
	dup2(fileno(c.tmp), 2);
	return c;
}

static void capture_end(struct capture *c, char *err, size_t size)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	rewind(c->tmp);
	n = fread(err, 1, size - 1, c->tmp);
	err[n] = '\0';
	fclose(c->tmp);
}

/* run_acquire() with stderr captured into err (NUL-terminated). */
static int run_captured(const char *args, struct seen *s, char *err,
			size_t size)
{
	struct capture c = capture_start();
	int ret = run_acquire(args, s);

	capture_end(&c, err, size);
	return ret;
}

/* Both families in one TCP walk: one old-style request, rows in order. */
static void test_one_walk(void **unused)
{
	struct seen s = {0};

	(void)unused;
	reset();
	script(0,
	       (struct step[]){
		   {ROWS, 3, 1000, 0}, {ROWS, 2, 2000, 0}, {DONE, 0, 0, 0}},
	       3);
	assert_int_equal(run_acquire("-tan", &s), 0);
	assert_int_equal(k.n_req, 1);
	assert_int_equal(k.req_type[0], 18); /* TCPDIAG_GETSOCK */
	assert_int_equal(s.n, 5);
	assert_int_equal(s.ports[0], 1000);
	assert_int_equal(s.ports[3], 2000);
	assert_int_equal(s.ports[4], 2001);
}

/* A kernel without the old request: per family, nothing lost or doubled. */
static void test_one_walk_refused(void **unused)
{
	struct seen s = {0};

	(void)unused;
	reset();
	script(0, (struct step[]){{NL_ERROR, 0, 0, EOPNOTSUPP}}, 1);
	script(1, (struct step[]){{ROWS, 2, 10, 0}, {DONE, 0, 0, 0}}, 2);
	script(2, (struct step[]){{DONE, 0, 0, 0}}, 1);
	assert_int_equal(run_acquire("-tan", &s), 0);
	assert_int_equal(k.n_req, 3);
	assert_int_equal(k.req_type[1], SOCK_DIAG_BY_FAMILY);
	assert_int_equal(k.req_family[1], AF_INET);
	assert_int_equal(k.req_family[2], AF_INET6);
	assert_int_equal(s.n, 2);
}

/* Overflow before the first row: the dump is asked for again. */
static void test_enobufs_retried(void **unused)
{
	struct seen s = {0};

	(void)unused;
	reset();
	script(0, (struct step[]){{RECV_FAIL, 0, 0, ENOBUFS}}, 1);
	script(1, (struct step[]){{ROWS, 4, 1, 0}, {DONE, 0, 0, 0}}, 2);
	assert_int_equal(run_acquire("-tn -4", &s), 0);
	assert_int_equal(k.n_req, 2);
	assert_int_equal(s.n, 4);
}

/* Overflow after rows went out: an error, never a silent half listing. */
static void test_enobufs_mid_dump(void **unused)
{
	struct seen s = {0};
	char err[512];

	(void)unused;
	reset();
	script(0, (struct step[]){{ROWS, 3, 1, 0}, {RECV_FAIL, 0, 0, ENOBUFS}},
	       2);
	assert_int_equal(run_captured("-tn -4", &s, err, sizeof(err)),
			 -ENOBUFS);
	assert_int_equal(k.n_req, 1);
	assert_int_equal(s.n, 3);
	assert_non_null(strstr(err, "tcp dump failed after 3 sockets"));
	assert_non_null(strstr(err, "incomplete"));
}

/* An interrupted one-walk dump is listed, and said to be interrupted. */
static void test_one_walk_interrupted(void **unused)
{
	struct seen s = {0};
	char err[512];

	(void)unused;
	reset();
	script(0, (struct step[]){{ROWS_INTR, 2, 1, 0}, {DONE, 0, 0, 0}}, 2);
	assert_int_equal(run_captured("-tan", &s, err, sizeof(err)), 0);
	assert_int_equal(k.n_req, 1);
	assert_int_equal(s.n, 2);
	assert_non_null(strstr(err, "interrupted by concurrent changes"));
}

/* An error ending a dump half-way is returned, and not retried even when
 * it looks like a filter refusal: a retry would print rows twice. */
static void test_error_mid_dump(void **unused)
{
	struct seen s = {0};

	(void)unused;
	reset();
	script(0, (struct step[]){{ROWS, 2, 1, 0}, {NL_ERROR, 0, 0, EINVAL}},
	       2);
	assert_int_equal(run_acquire("-tn -4 sport > :0", &s), -EINVAL);
	assert_int_equal(k.n_req, 1);
	assert_int_equal(s.n, 2);
}

/* A filter refused up front is retried without it, filtered here. */
static void test_filter_refused(void **unused)
{
	struct seen s = {0};

	(void)unused;
	reset();
	script(0, (struct step[]){{NL_ERROR, 0, 0, EINVAL}}, 1);
	script(1, (struct step[]){{ROWS, 4, 1, 0}, {DONE, 0, 0, 0}}, 2);
	assert_int_equal(run_acquire("-tn -4 sport > :2", &s), 0);
	assert_int_equal(k.n_req, 2);
	assert_int_equal(s.n, 2); /* ports 3 and 4 */
	assert_int_equal(s.ports[0], 3);
}

/*
 * The kernel filtered exactly, but a socket torn down before its row was
 * built comes back as CLOSE with no ports: it must not be listed.
 */
static void test_torn_down_rows_refiltered(void **unused)
{
	struct seen s = {0};

	(void)unused;
	reset();
	script(0,
	       (struct step[]){{ROWS, 2, 1, 0},
			       {ROWS_GONE, 1, 0, 0},
			       {ROWS, 1, 3, 0},
			       {DONE, 0, 0, 0}},
	       4);
	assert_int_equal(run_acquire("-tan -4 dport = :80", &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ports[2], 3);
}

/*
 * A save file that cannot be written (/dev/full: ENOSPC) stops the saving,
 * not the listing, and is no netlink error: every row arrives, the dump
 * returns 0 and nothing is said; the error is kept for the caller, who
 * names the file. Later runs (--all-netns) save nothing more.
 */
static void test_save_write_fails(void **unused)
{
	struct seen s = {0};
	struct opts o;
	struct acquire a;
	char err[512];
	FILE *tmp = tmpfile();
	int saved = dup(2), ret;
	size_t n;

	(void)unused;
	reset();
	script(
	    0,
	    (struct step[]){{ROWS, 3, 1, 0}, {ROWS, 2, 10, 0}, {DONE, 0, 0, 0}},
	    3);
	parse(&o, "-tn -4");
	acquire_init(&a, &o);
	a.save_fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	assert_true(a.save_fd >= 0 && tmp && saved >= 0);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	ret = acquire_run(&a, collect, &s);
	acquire_finish(&a);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(err, 1, sizeof(err) - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	assert_int_equal(ret, 0);
	assert_int_equal(s.n, 5);
	assert_int_equal(a.save_err, -ENOSPC);
	assert_string_equal(err, "");
	close(a.save_fd);
	opts_finish(&o);
}

/* A UDP table the kernel cannot dump is skipped; TCP still lists. */
static void test_missing_table_skipped(void **unused)
{
	struct seen s = {0};

	(void)unused;
	reset();
	script(0, (struct step[]){{ROWS, 1, 7, 0}, {DONE, 0, 0, 0}}, 2);
	script(1, (struct step[]){{NL_ERROR, 0, 0, ENOENT}}, 1);
	assert_int_equal(run_acquire("-tun -4", &s), 0);
	assert_int_equal(k.n_req, 2);
	assert_int_equal(k.req_proto[1], IPPROTO_UDP);
	assert_int_equal(s.n, 1);
}

/* NLM_F_DUMP_INTR is noticed; the rows still arrive. */
static void test_dump_intr_flagged(void **unused)
{
	struct diag *d;
	struct diag_req req = {
	    .family = AF_INET, .protocol = IPPROTO_TCP, .states = ~0u};
	struct seen s = {0};

	(void)unused;
	reset();
	script(0,
	       (struct step[]){
		   {ROWS, 2, 1, 0}, {ROWS_INTR, 2, 3, 0}, {DONE, 0, 0, 0}},
	       3);
	script(1, (struct step[]){{ROWS, 1, 9, 0}, {DONE, 0, 0, 0}}, 2);
	assert_int_equal(diag_open(&d), 0);
	assert_int_equal(diag_dump(d, &req, collect, &s), 0);
	assert_true(diag_interrupted(d));
	assert_int_equal(s.n, 4);
	/* The flag belongs to one dump. */
	assert_int_equal(diag_dump(d, &req, collect, &s), 0);
	assert_false(diag_interrupted(d));
	diag_destroy(d);
}

/* A reader stopped early (EPIPE) leaves no stale replies behind. */
static void test_early_stop_then_reuse(void **unused)
{
	struct diag *d;
	struct diag_req req = {
	    .family = AF_INET, .protocol = IPPROTO_TCP, .states = ~0u};
	struct seen s = {.stop_after = 2};

	(void)unused;
	reset();
	script(0,
	       (struct step[]){{ROWS, 3, 1, 0},
			       {ROWS, 3, 4, 0},
			       {ROWS, 3, 7, 0},
			       {ROWS, 3, 10, 0},
			       {ROWS, 3, 13, 0},
			       {ROWS, 3, 16, 0},
			       {DONE, 0, 0, 0}},
	       7);
	script(1, (struct step[]){{ROWS, 1, 99, 0}, {DONE, 0, 0, 0}}, 2);
	assert_int_equal(diag_open(&d), 0);
	assert_int_equal(diag_dump(d, &req, collect, &s), -EPIPE);
	s = (struct seen){0};
	assert_int_equal(diag_dump(d, &req, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ports[0], 99);
	diag_destroy(d);
}

/* No thread to be had: the same rows, errors and reuse, read inline. */
static void test_without_threads(void **unused)
{
	struct diag *d;
	struct diag_req req = {
	    .family = AF_INET, .protocol = IPPROTO_TCP, .states = ~0u};
	struct seen s = {.stop_after = 4};

	(void)unused;
	reset();
	k.no_threads = true;
	script(0,
	       (struct step[]){{ROWS, 3, 1, 0},
			       {ROWS, 3, 4, 0},
			       {ROWS, 3, 7, 0},
			       {DONE, 0, 0, 0}},
	       4);
	script(1,
	       (struct step[]){
		   {ROWS, 2, 20, 0}, {ROWS_INTR, 2, 22, 0}, {DONE, 0, 0, 0}},
	       3);
	script(2, (struct step[]){{ROWS, 1, 30, 0}, {RECV_FAIL, 0, 0, ENOBUFS}},
	       2);
	assert_int_equal(diag_open(&d), 0);
	assert_int_equal(diag_dump(d, &req, collect, &s), -EPIPE);
	assert_int_equal(s.n, 4);
	s = (struct seen){0};
	assert_int_equal(diag_dump(d, &req, collect, &s), 0);
	assert_true(diag_interrupted(d));
	assert_int_equal(s.n, 4);
	assert_int_equal(s.ports[3], 23);
	s = (struct seen){0};
	assert_int_equal(diag_dump(d, &req, collect, &s), -ENOBUFS);
	assert_int_equal(s.n, 1);
	assert_int_equal(k.refused, 3); /* each dump ran inline */
	diag_destroy(d);
}

/*
 * A socket added to a bucket between two batches makes the kernel send
 * the rows before it again: repeats at the start of a batch are dropped,
 * the same cookie later in a batch is not the kernel's doing and stays.
 */
static void test_batch_seam_repeats(void **unused)
{
	struct diag *d;
	struct diag_req req = {
	    .family = AF_INET, .protocol = IPPROTO_TCP, .states = ~0u};
	struct seen s = {0};
	static const int want[] = {1, 2, 3, 4, 5, 6, 7, 3};

	(void)unused;
	reset();
	script(0,
	       (struct step[]){{ROWS, 3, 1, 0}, /* 1 2 3 */
			       {ROWS, 3, 2, 0}, /* (2 3) 4 */
			       {ROWS, 3, 4, 0}, /* (4) 5 6 */
			       {ROWS, 1, 7, 0}, /* 7 */
			       {ROWS, 1, 3, 0}, /* 3: not at a seam */
			       {DONE, 0, 0, 0}},
	       6);
	assert_int_equal(diag_open(&d), 0);
	assert_int_equal(diag_dump(d, &req, collect, &s), 0);
	assert_int_equal(s.n, 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(s.ports[i], want[i]);
	}
	diag_destroy(d);
}

/* A dump whose replies stop without NLMSG_DONE is an error. */
static void test_receive_error_is_returned(void **unused)
{
	struct diag *d;
	struct diag_req req = {
	    .family = AF_INET6, .protocol = IPPROTO_TCP, .states = ~0u};
	struct seen s = {0};

	(void)unused;
	reset();
	script(0, (struct step[]){{ROWS, 1, 1, 0}, {RECV_FAIL, 0, 0, EIO}}, 2);
	assert_int_equal(diag_open(&d), 0);
	assert_int_equal(diag_dump(d, &req, collect, &s), -EIO);
	assert_int_equal(s.n, 1);
	diag_destroy(d);
}

/*
 * A probed table (XDP here) in several namespaces (--all-netns: each an
 * acquisition sharing the run's notes): one notice, at the end, with
 * every namespace's sockets, not the first's.
 */
static void test_probe_count_summed(void **unused)
{
	struct acquire_notes notes = {.sum = true};
	struct seen s = {0};
	struct capture c;
	char err[512];

	(void)unused;
	reset();
	script(0, (struct step[]){{ROWS, 2, 1, 0}, {DONE, 0, 0, 0}}, 2);
	script(1, (struct step[]){{DONE, 0, 0, 0}}, 1);
	script(2, (struct step[]){{ROWS, 3, 1, 0}, {DONE, 0, 0, 0}}, 2);
	c = capture_start();
	assert_int_equal(run_shared("-A xdp", &notes, &s), 0);
	assert_int_equal(run_shared("-A xdp", &notes, &s), 0);
	assert_int_equal(run_shared("-A xdp", &notes, &s), 0);
	capture_end(&c, err, sizeof(err));
	assert_string_equal(err, "");
	assert_int_equal(k.n_req, 3);
	assert_int_equal(k.req_family[0], AF_XDP);
	assert_int_equal(s.n, 0); /* counted, never listed */
	c = capture_start();
	acquire_notes_say(&notes);
	acquire_notes_say(&notes);
	capture_end(&c, err, sizeof(err));
	assert_string_equal(err, "sockscope: xdp: sockscope does not list xdp "
				 "sockets (the kernel has 5); skipped\n");
}

/* One namespace (no sum): told by the acquisition that counted, once
 * however many follow (top's refreshes). */
static void test_probe_count_once(void **unused)
{
	struct acquire_notes notes = {0};
	struct seen s = {0};
	struct capture c;
	char err[512];

	(void)unused;
	reset();
	script(0, (struct step[]){{ROWS, 2, 1, 0}, {DONE, 0, 0, 0}}, 2);
	script(1, (struct step[]){{ROWS, 3, 1, 0}, {DONE, 0, 0, 0}}, 2);
	c = capture_start();
	assert_int_equal(run_shared("-A xdp", &notes, &s), 0);
	assert_int_equal(run_shared("-A xdp", &notes, &s), 0);
	acquire_notes_say(&notes);
	capture_end(&c, err, sizeof(err));
	assert_string_equal(err, "sockscope: xdp: sockscope does not list xdp "
				 "sockets (the kernel has 2); skipped\n");
}

/* DCCP, probed through inet_diag: only the IP families selected. */
static void test_probe_dccp_families(void **unused)
{
	static const struct {
		const char *args;
		int n_req;
		uint8_t fam[2];
	} cases[] = {
	    {"-A dccp -6", 1, {AF_INET6}},
	    {"-A dccp -4", 1, {AF_INET}},
	    {"-A dccp", 2, {AF_INET, AF_INET6}},
	};
	char err[512];

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct seen s = {0};

		reset();
		script(0, (struct step[]){{ROWS, 1, 1, 0}, {DONE, 0, 0, 0}}, 2);
		script(1, (struct step[]){{ROWS, 2, 1, 0}, {DONE, 0, 0, 0}}, 2);
		assert_int_equal(
		    run_captured(cases[i].args, &s, err, sizeof(err)), 0);
		assert_int_equal(k.n_req, cases[i].n_req);
		for (int r = 0; r < cases[i].n_req; r++) {
			assert_int_equal(k.req_family[r], cases[i].fam[r]);
			assert_int_equal(k.req_proto[r], IPPROTO_DCCP);
		}
		assert_non_null(strstr(err, cases[i].n_req == 1
						? "(the kernel has 1)"
						: "(the kernel has 3)"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_one_walk, check_kernel),
	    cmocka_unit_test_teardown(test_one_walk_refused, check_kernel),
	    cmocka_unit_test_teardown(test_enobufs_retried, check_kernel),
	    cmocka_unit_test_teardown(test_enobufs_mid_dump, check_kernel),
	    cmocka_unit_test_teardown(test_error_mid_dump, check_kernel),
	    cmocka_unit_test_teardown(test_filter_refused, check_kernel),
	    cmocka_unit_test_teardown(test_missing_table_skipped, check_kernel),
	    cmocka_unit_test_teardown(test_save_write_fails, check_kernel),
	    cmocka_unit_test_teardown(test_dump_intr_flagged, check_kernel),
	    cmocka_unit_test_teardown(test_early_stop_then_reuse, check_kernel),
	    cmocka_unit_test_teardown(test_receive_error_is_returned,
				      check_kernel),
	    cmocka_unit_test_teardown(test_without_threads, check_kernel),
	    cmocka_unit_test_teardown(test_one_walk_interrupted, check_kernel),
	    cmocka_unit_test_teardown(test_batch_seam_repeats, check_kernel),
	    cmocka_unit_test_teardown(test_torn_down_rows_refiltered,
				      check_kernel),
	    cmocka_unit_test_teardown(test_probe_count_summed, check_kernel),
	    cmocka_unit_test_teardown(test_probe_count_once, check_kernel),
	    cmocka_unit_test_teardown(test_probe_dccp_families, check_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
