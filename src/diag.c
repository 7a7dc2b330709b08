// SPDX-License-Identifier: MIT
#include "diag.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diag_parse.h"
#include "family.h"
#include "diag_rx.h"
#include "util.h"

/*
 * The kernel builds dump replies of at most ~32 KiB per recvmsg; twice that
 * leaves room for whatever a newer kernel does without costing anything.
 */
#define RECV_BUF_SIZE (64 * 1024)
/* A prefetched dump keeps at most this much in memory (~7,000 sockets):
 * the rest stays queued in the kernel until diag_dump() reads it. */
#define PREFETCH_MAX (1u << 20)
/* A saved message larger than this is corrupt: real ones are < 4 KiB. */
#define LOAD_MSG_MAX (64 * 1024)
/* Type 18, TCPDIAG_GETSOCK: the request (and reply) type before
 * SOCK_DIAG_BY_FAMILY; ss -D files carry it, and it is the one request
 * that walks TCP for both families at once. */
#define OLD_TCPDIAG_GETSOCK 18

/*
 * The kernel resumes a dump inside a hash bucket by position: a socket
 * added to that bucket between two batches pushes the ones already sent
 * along, and the next batch sends them again. Such repeats are the last
 * rows of one batch and the first of the next, so the cookies of the last
 * SEAM rows are kept to drop them. (A socket removed there can likewise
 * hide a neighbour from this dump: that, userspace cannot undo.)
 */
#define SEAM 64

struct seam {
	uint64_t prev[SEAM]; /* cookies ending the previous batch */
	uint64_t cur[SEAM];  /* ring: the latest cookies of this batch */
	unsigned int n_prev, n_cur;
	bool at_start; /* no row of this batch has been new yet */
};

/* A dump received ahead of its diag_dump() (diag_prefetch): the request
 * it answers, and its batches as received. */
struct canned {
	struct diag_req req; /* bytecode: the owned copy bc */
	void *bc;
	uint32_t seq;
	char **batch;
	size_t *len;
	size_t n, cap;
	size_t bytes;
	int err;      /* the receive error that ended it early, or 0 */
	bool partial; /* cut at PREFETCH_MAX: the rest waits on the socket */
	struct canned *next;
};

struct diag {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	int save_fd;
	int save_err;	  /* first failed save write; save_fd is then -1 */
	bool stale;	  /* a dump was left unread on nl */
	bool interrupted; /* the last dump carried NLM_F_DUMP_INTR */
	char *buf;	  /* for acks; dumps use diag_rx's buffers */
	struct seam seam;
	struct canned *canned; /* prefetched dumps, oldest first */
};

static int open_socket(struct diag *d)
{
	d->nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!d->nl) {
		return -errno;
	}
	if (mnl_socket_bind(d->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(d->nl);
		d->nl = NULL;
		return err;
	}
	d->portid = mnl_socket_get_portid(d->nl);
	d->stale = false;
	return 0;
}

int diag_open(struct diag **out)
{
	struct diag *d = xcalloc(1, sizeof(*d));
	int err;

	d->save_fd = -1;
	err = open_socket(d);
	if (err) {
		free(d);
		return err;
	}
	d->buf = xmalloc(RECV_BUF_SIZE);
	*out = d;
	return 0;
}

static void canned_free(struct canned *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->batch[i]);
	}
	free(c->batch);
	free(c->len);
	free(c->bc);
	free(c);
}

void diag_destroy(struct diag *d)
{
	if (!d) {
		return;
	}
	while (d->canned) {
		struct canned *c = d->canned;

		d->canned = c->next;
		canned_free(c);
	}
	if (d->nl) {
		mnl_socket_close(d->nl);
	}
	free(d->buf);
	free(d);
}

/* A prefetch cut short is only whole with the rest its socket held. */
static void drop_partial(struct diag *d)
{
	struct canned **p = &d->canned;

	while (*p) {
		struct canned *c = *p;

		if (c->partial) {
			*p = c->next;
			canned_free(c);
		} else {
			p = &c->next;
		}
	}
}

/* A dump stopped half-way leaves the rest queued on the socket, and the
 * kernel refuses a new dump while one runs: start over on a fresh one. */
static int fresh_socket(struct diag *d)
{
	if (!d->stale && d->nl) {
		return 0;
	}
	if (d->nl) {
		mnl_socket_close(d->nl);
		d->nl = NULL;
	}
	drop_partial(d);
	return open_socket(d);
}

bool diag_interrupted(const struct diag *d)
{
	return d->interrupted;
}

void diag_save_to(struct diag *d, int fd)
{
	d->save_fd = fd;
}

int diag_save_error(const struct diag *d)
{
	return d->save_err;
}

static uint8_t protocol_of_seq(uint32_t seq)
{
	if ((seq & 0xffff0000u) == DIAG_SEQ_MAGIC) {
		return (uint8_t)(seq >> 8);
	}
	return IPPROTO_TCP;
}

static int send_request(struct diag *d, const struct diag_req *req)
{
	/* The old request is the larger header. */
	size_t size = MNL_NLMSG_HDRLEN +
		      MNL_ALIGN(sizeof(struct inet_diag_req)) +
		      MNL_ATTR_HDRLEN + MNL_ALIGN(req->bytecode_len) +
		      MNL_ATTR_HDRLEN + sizeof(uint32_t); /* REQ_PROTOCOL */
	struct nlmsghdr *nlh;
	char *buf;
	int err = 0;

	/* A netlink attribute length is 16 bits. */
	if (req->bytecode_len > 0xffff - MNL_ATTR_HDRLEN) {
		return -E2BIG;
	}
	if (req->family == AF_UNSPEC && req->protocol != IPPROTO_TCP) {
		return -EAFNOSUPPORT;
	}
	buf = xcalloc(1, size);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = d->seq =
	    DIAG_SEQ_MAGIC | (uint32_t)req->protocol << 8 | req->family;
	family_of(req->family == AF_UNSPEC ? AF_INET : req->family)
	    ->put_request(nlh, req);
	if (req->bytecode) {
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, req->bytecode_len,
			     req->bytecode);
	}
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
	}
	free(buf);
	return err;
}

/*
 * The socket's identity in a request. udp_dump_one() looks the socket up
 * with idiag_src/sport as the packet's source, the peer ("swapped for
 * historical reasons", net/ipv4/udp_diag.c); every other lookup, TCP's
 * and SOCK_DESTROY's, reads them as the dump reported them.
 */
static void put_id(struct inet_diag_req_v2 *r, const struct sock_rec *rec,
		   bool peer_first)
{
	size_t alen = rec->family == AF_INET ? 4 : 16;

	r->sdiag_family = rec->family;
	r->sdiag_protocol = rec->protocol;
	r->idiag_states = SS_ALL_BITS;
	r->id.idiag_sport = htons(peer_first ? rec->dport : rec->sport);
	r->id.idiag_dport = htons(peer_first ? rec->sport : rec->dport);
	memcpy(r->id.idiag_src, peer_first ? rec->daddr : rec->saddr, alen);
	memcpy(r->id.idiag_dst, peer_first ? rec->saddr : rec->daddr, alen);
	r->id.idiag_if = rec->ifindex;
	r->id.idiag_cookie[0] = (uint32_t)rec->cookie;
	r->id.idiag_cookie[1] = (uint32_t)(rec->cookie >> 32);
}

/* Send one request about rec and receive its one reply into d->buf;
 * returns the reply's length or -errno. */
static ssize_t ask_one(struct diag *d, uint16_t type, uint16_t flags,
		       const struct sock_rec *rec, bool peer_first,
		       uint32_t ext)
{
	char buf[MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct inet_diag_req_v2))];
	struct inet_diag_req_v2 *r;
	struct nlmsghdr *nlh;
	ssize_t n;
	int err = fresh_socket(d);

	if (err) {
		return err;
	}
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++d->seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	put_id(r, rec, peer_first);
	r->idiag_ext = (uint8_t)ext;
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0) {
		return -errno;
	}
	do {
		n = mnl_socket_recvfrom(d->nl, d->buf, RECV_BUF_SIZE);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static int msg_error(const struct nlmsghdr *nlh);

/* One socket by its identity, with the ext blocks asked for left
 * pointing into d->buf. */
static int get_one(struct diag *d, const struct sock_rec *rec, uint32_t ext,
		   struct sock_rec *out)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)d->buf;
	ssize_t n = ask_one(d, SOCK_DIAG_BY_FAMILY, 0, rec,
			    rec->protocol == IPPROTO_UDP, ext);

	if (n < 0) {
		return (int)n;
	}
	if (!mnl_nlmsg_ok(nlh, (int)n) || nlh->nlmsg_seq != d->seq) {
		return -EBADMSG;
	}
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		return msg_error(nlh);
	}
	if (diag_parse_inet(nlh, rec->protocol, out)) {
		return -EBADMSG;
	}
	/* A lookup by tuple finds whatever holds it now: the cookie says
	 * whether it is still the same socket. */
	return out->cookie == rec->cookie ? 0 : -ESTALE;
}

int diag_get(struct diag *d, const struct sock_rec *rec, struct sock_rec *out)
{
	int err = get_one(d, rec, 0, out);

	/* The blocks would point into d->buf, reused by the next call. */
	memset(&out->ext, 0, sizeof(out->ext));
	return err;
}

int diag_get_ext(struct diag *d, const struct sock_rec *rec, uint32_t ext,
		 struct sock_rec *out)
{
	return get_one(d, rec, ext, out);
}

int diag_kill(struct diag *d, const struct sock_rec *rec)
{
	ssize_t n = ask_one(d, SOCK_DESTROY, NLM_F_ACK, rec, false, 0);

	if (n < 0) {
		return (int)n;
	}
	/* The ack is an NLMSG_ERROR: mnl_cb_run turns a nonzero one into
	 * -1 with errno set, and a zero one into MNL_CB_STOP. */
	if (mnl_cb_run(d->buf, (size_t)n, d->seq, d->portid, NULL, NULL) < 0) {
		return -errno;
	}
	return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		p = (const char *)p + k;
		n -= (size_t)k;
	}
	return 0;
}

/* The error an NLMSG_ERROR or NLMSG_DONE carries (0 if none). */
static int msg_error(const struct nlmsghdr *nlh)
{
	int e = 0;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *me = NLMSG_DATA(nlh);

		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*me))) {
			return -EBADMSG;
		}
		return me->error < 0 ? me->error : -EPROTO;
	}
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
		memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
	}
	return e < 0 ? e : 0;
}

enum { FEED_MORE = 1, FEED_DONE = 0 };

static void seam_next_batch(struct seam *sm)
{
	unsigned int n = sm->n_cur < SEAM ? sm->n_cur : SEAM;

	/* A batch of nothing but repeats leaves the seam where it was. */
	if (n) {
		memcpy(sm->prev, sm->cur, n * sizeof(sm->cur[0]));
		sm->n_prev = n;
	}
	sm->n_cur = 0;
	sm->at_start = true;
}

/* True if this row repeats one sent just before the batch boundary. */
static bool seam_repeat(struct seam *sm, uint64_t cookie)
{
	if (sm->at_start && cookie) {
		for (unsigned int i = 0; i < sm->n_prev; i++) {
			if (sm->prev[i] == cookie) {
				return true;
			}
		}
	}
	sm->at_start = false;
	sm->cur[sm->n_cur++ % SEAM] = cookie;
	return false;
}

/* Hand every message of one received batch to fn. */
static int feed_live(struct diag *d, const char *buf, size_t len,
		     diag_row_fn fn, void *data)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int n = (int)len;
	struct sock_rec rec;

	seam_next_batch(&d->seam);
	for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		int err;

		if (nlh->nlmsg_seq != d->seq || nlh->nlmsg_pid != d->portid) {
			continue;
		}
		/* The walk met a concurrent change (set by kernels whose dump
		 * checks consistency): the caller must say so. */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			d->interrupted = true;
		}
		if (nlh->nlmsg_type == NLMSG_DONE) {
			return msg_error(nlh) ? msg_error(nlh) : FEED_DONE;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			return msg_error(nlh);
		}
		if (diag_parse(nlh, protocol_of_seq(nlh->nlmsg_seq), &rec)) {
			return -EBADMSG;
		}
		if (seam_repeat(&d->seam, rec.cookie)) {
			continue;
		}
		err = fn(&rec, data);
		if (err < 0) {
			return err;
		}
	}
	return FEED_MORE;
}

/*
 * A refused request is answered by one NLMSG_ERROR. It is not part of any
 * dump, and the caller may retry, so it stays out of the saved file.
 */
static bool is_refusal(const char *buf, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;

	return len >= sizeof(*nlh) && nlh->nlmsg_type == NLMSG_ERROR;
}

/* Consume the batches the reader thread hands over, in order. */
static int consume(struct diag *d, struct diag_rx *rx, diag_row_fn fn,
		   void *data)
{
	for (;;) {
		const char *buf = NULL;
		ssize_t n = diag_rx_next(rx, &buf);
		int err;

		if (n <= 0) {
			/* The reader stops after the end, which feed_live
			 * returns on: 0 here means a truncated dump. */
			return n < 0 ? (int)n : -EPROTO;
		}
		if (d->save_fd >= 0 && !is_refusal(buf, (size_t)n)) {
			/* A full disk is the file's problem, not the
			 * listing's: the caller keeps the old file. */
			d->save_err = write_all(d->save_fd, buf, (size_t)n);
			d->save_fd = d->save_err ? -1 : d->save_fd;
		}
		err = feed_live(d, buf, (size_t)n, fn, data);
		if (err != FEED_MORE) {
			return err;
		}
	}
}

static void canned_add(struct canned *c, const char *buf, size_t len)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->batch = xrealloc(c->batch, c->cap * sizeof(*c->batch));
		c->len = xrealloc(c->len, c->cap * sizeof(*c->len));
	}
	c->batch[c->n] = xmalloc(len);
	memcpy(c->batch[c->n], buf, len);
	c->len[c->n++] = len;
	c->bytes += len;
}

int diag_prefetch(struct diag *d, const struct diag_req *req)
{
	struct canned *c, **tail;
	int err;

	/* A fresh socket would be made in this thread's namespace, not d's:
	 * diag_dump() makes it, in d's. */
	if (d->stale || !d->nl) {
		return -EAGAIN;
	}
	err = send_request(d, req);
	if (err) {
		return err; /* diag_dump() will ask itself */
	}
	c = xcalloc(1, sizeof(*c));
	c->req = *req;
	c->seq = d->seq;
	if (req->bytecode_len) {
		c->bc = xmalloc(req->bytecode_len);
		memcpy(c->bc, req->bytecode, req->bytecode_len);
	}
	c->req.bytecode = c->bc;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(d->nl, d->buf, RECV_BUF_SIZE);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			/* ENOBUFS: replies lost, the rest still queued. */
			c->err = n < 0 ? -errno : -EPROTO;
			d->stale = true;
			break;
		}
		canned_add(c, d->buf, (size_t)n);
		if (diag_rx_is_end(d->buf, (size_t)n, c->seq, d->portid)) {
			break;
		}
		if (c->bytes >= PREFETCH_MAX) {
			/* Only this request's replay may read the socket on;
			 * any other dump needs a fresh one. */
			c->partial = true;
			d->stale = true;
			break;
		}
	}
	for (tail = &d->canned; *tail; tail = &(*tail)->next) {
	}
	*tail = c;
	return c->partial || c->err ? 1 : 0;
}

static bool same_req(const struct diag_req *a, const struct diag_req *b)
{
	return a->family == b->family && a->protocol == b->protocol &&
	       a->states == b->states && a->ext == b->ext &&
	       a->lean == b->lean && a->bytecode_len == b->bytecode_len &&
	       (!a->bytecode_len ||
		!memcmp(a->bytecode, b->bytecode, a->bytecode_len));
}

/* The prefetched dump answering req, taken off the list, or NULL. */
static struct canned *take_canned(struct diag *d, const struct diag_req *req)
{
	for (struct canned **p = &d->canned; *p; p = &(*p)->next) {
		struct canned *c = *p;

		if (same_req(&c->req, req)) {
			*p = c->next;
			return c;
		}
	}
	return NULL;
}

/* The rest of a partial prefetch, from the socket it waits on. */
static int replay_rest(struct diag *d, diag_row_fn fn, void *data)
{
	struct diag_rx *rx =
	    diag_rx_start(d->nl, d->seq, d->portid, RECV_BUF_SIZE);
	int err = consume(d, rx, fn, data);

	d->stale = !diag_rx_stop(rx);
	return err;
}

/* A prefetched dump handed on as consume() hands on a live one. */
static int replay(struct diag *d, const struct canned *c, diag_row_fn fn,
		  void *data)
{
	d->seq = c->seq;
	for (size_t i = 0; i < c->n; i++) {
		int err;

		if (d->save_fd >= 0 && !is_refusal(c->batch[i], c->len[i])) {
			d->save_err =
			    write_all(d->save_fd, c->batch[i], c->len[i]);
			d->save_fd = d->save_err ? -1 : d->save_fd;
		}
		err = feed_live(d, c->batch[i], c->len[i], fn, data);
		if (err != FEED_MORE) {
			return err;
		}
	}
	if (c->partial) {
		return replay_rest(d, fn, data);
	}
	return c->err ? c->err : -EPROTO;
}

int diag_dump(struct diag *d, const struct diag_req *req, diag_row_fn fn,
	      void *data)
{
	struct canned *c = take_canned(d, req);
	struct diag_rx *rx = NULL;
	int err;

	d->interrupted = false;
	memset(&d->seam, 0, sizeof(d->seam));
	if (c) {
		err = replay(d, c, fn, data);
		canned_free(c);
		return err;
	}
	err = fresh_socket(d);
	if (!err) {
		err = send_request(d, req);
	}
	if (!err) {
		rx = diag_rx_start(d->nl, d->seq, d->portid, RECV_BUF_SIZE);
		err = consume(d, rx, fn, data);
		if (!diag_rx_stop(rx)) {
			d->stale = true;
		}
	}
	return err;
}

static void load_fail(struct diag_load_err *err, uint64_t offset,
		      const char *what)
{
	err->offset = offset;
	snprintf(err->what, sizeof(err->what), "%s", what);
}

/* Which family's record was malformed: a PACKET or NETLINK one is no
 * inet_diag message, and an unknown family is said as its number. */
static void load_malformed(struct diag_load_err *err, uint64_t offset,
			   const struct nlmsghdr *nlh)
{
	const struct sock_family *f = NULL;
	unsigned int af = 0;

	if (nlh->nlmsg_len >= NLMSG_LENGTH(1)) {
		af = *(const uint8_t *)NLMSG_DATA(nlh);
		f = family_of((uint8_t)af);
	}
	err->offset = offset;
	if (f) {
		snprintf(err->what, sizeof(err->what),
			 "malformed %s sock_diag message", f->name);
	} else {
		snprintf(err->what, sizeof(err->what),
			 "sock_diag message of unknown family %u", af);
	}
}

struct load_cb {
	diag_row_fn fn;
	diag_note_fn note;
	void *data;
};

/* One message of a saved dump; *done is set by NLMSG_DONE. */
static int load_msg(const struct nlmsghdr *nlh, uint64_t off, bool *done,
		    const struct load_cb *cb, struct diag_load_err *err)
{
	struct sock_rec rec;

	if (nlh->nlmsg_type == NLMSG_NOOP) {
		/* A note sits between dumps: *done stays as it was. */
		return cb->note ? cb->note(nlh, cb->data) : 0;
	}
	*done = false;
	switch (nlh->nlmsg_type) {
	case NLMSG_DONE:
		*done = true;
		return 0;
	case NLMSG_ERROR:
		load_fail(err, off, "the dump holds a netlink error message");
		return -EBADMSG;
	case SOCK_DIAG_BY_FAMILY:
	case OLD_TCPDIAG_GETSOCK:
		if (diag_parse(nlh, protocol_of_seq(nlh->nlmsg_seq), &rec)) {
			load_malformed(err, off, nlh);
			return -EBADMSG;
		}
		return cb->fn(&rec, cb->data);
	default:
		load_fail(err, off, "not a sock_diag message");
		return -EBADMSG;
	}
}

/* Messages complete in buf[0..len); returns bytes consumed or -errno. */
static ssize_t load_chunk(const char *buf, size_t len, uint64_t base,
			  bool *done, const struct load_cb *cb,
			  struct diag_load_err *err)
{
	size_t off = 0;

	while (len - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)(buf + off);
		size_t mlen = nlh->nlmsg_len;
		int e;

		/* Unaligned lengths never come from a kernel; refusing them
		 * keeps every header we read aligned. */
		if (mlen < sizeof(*nlh) || mlen > LOAD_MSG_MAX ||
		    mlen % NLMSG_ALIGNTO) {
			load_fail(err, base + off, "impossible message length");
			return -EBADMSG;
		}
		if (mlen > len - off) {
			break;
		}
		e = load_msg(nlh, base + off, done, cb, err);
		if (e < 0) {
			return e;
		}
		off += mlen;
	}
	return (ssize_t)off;
}

int diag_load(int fd, diag_row_fn fn, void *data, struct diag_load_err *err)
{
	return diag_load_notes(fd, fn, NULL, data, err);
}

int diag_load_notes(int fd, diag_row_fn fn, diag_note_fn note, void *data,
		    struct diag_load_err *err)
{
	const struct load_cb cb = {.fn = fn, .note = note, .data = data};
	const size_t cap = 2 * LOAD_MSG_MAX;
	char *buf = xmalloc(cap);
	uint64_t base = 0;
	size_t len = 0;
	bool done = true, eof = false;
	int ret = 0;

	while (!eof) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			load_fail(err, base + len, strerror(errno));
			ret = -EIO;
			goto out;
		}
		eof = n == 0;
		len += (size_t)n;
		n = load_chunk(buf, len, base, &done, &cb, err);
		if (n < 0) {
			ret = (int)n;
			goto out;
		}
		memmove(buf, buf + n, len - (size_t)n);
		len -= (size_t)n;
		base += (uint64_t)n;
	}
	if (len > 0) {
		load_fail(err, base, "truncated message at end of file");
		ret = -EBADMSG;
	} else if (!done) {
		load_fail(err, base, "dump ends without NLMSG_DONE");
		ret = -EBADMSG;
	}
out:
	free(buf);
	return ret;
}
