// SPDX-License-Identifier: MIT
/*
 * sockscope watch: one row per socket as the kernel destroys it, from the
 * sock_diag destroy multicast groups (the netlink backend), or with
 * --transitions one row per TCP state transition from the BPF backend
 * (watch_bpf.h), falling back to the netlink one when it cannot load.
 *
 * Two netlink sockets: the event socket joined to the groups, and the
 * acquisition's, which dumps the table at start and every WATCH_REFRESH_MS
 * to feed the book (watch.h): births, last states, inodes and owners.
 * The groups are joined before the first dump, so no socket falls between.
 */
#include "cmd.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acquire.h"
#include "filter.h"
#include "netns_find.h"
#include "proc.h"
#include "util.h"
#include "watch.h"
#include "watch_bpf.h"
#include "watch_nl.h"
#include "watch_tr.h"

/* Between two dumps that feed the book: the lifetimes' resolution. */
#define WATCH_REFRESH_MS 1000
/* Receives handled before the clocks are looked at again. */
#define WATCH_BATCH 64
/* Less than any notification's skb truesize (its head and shared info
 * alone are more): the queue's bytes over it bound the messages in it. */
#define WATCH_NL_MIN_TRUESIZE 256

static volatile sig_atomic_t watch_stop;

static void on_stop(int sig)
{
	(void)sig;
	watch_stop = 1;
}

struct watch {
	const struct opts *o;
	struct acquire a;
	struct watch_book *book;
	struct watch_counts *counts;
	struct proc_map *procs; /* -p or a pid/comm filter: the last map */
	struct obuf out;
	uint32_t ev_states[2]; /* [0] TCP, [1] UDP: the states to print */
	unsigned long printed;
	struct watch_nl_drops drops;
	uint64_t dropped; /* notifications the kernel dropped, so far */
	bool procs_told;  /* -p's /proc failure said */
	bool drained;	  /* the last receive() found the queue empty */
	uint64_t now_ms;
	int fd;
	char buf[65536];
};

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Returns the event socket, or -errno after one line on stderr. */
static int open_events(const struct opts *o)
{
	char why[160];
	int fd = watch_nl_open(o->protocols, o->families, why, sizeof(why));

	if (fd < 0) {
		warnx_("watch: %s", why);
	}
	return fd;
}

static int note_row(const struct sock_rec *rec, void *data)
{
	struct watch *w = data;
	struct proc_owner owner;
	size_t cur = 0;
	bool has = w->procs && rec->inode &&
		   proc_map_next(w->procs, rec->inode, &cur, &owner);

	watch_book_note(w->book, rec, has ? &owner : NULL);
	return 0;
}

/* One dump into the book (and a fresh owner map when one is needed). */
static int refresh(struct watch *w, bool need_procs)
{
	int err;

	if (need_procs) {
		struct proc_map *m = NULL;

		/* As the listing says it, once: the rows' "?" is why. (A
		 * pid/comm filter's own failure is acquire's to say.) */
		bool say = w->o->processes && !w->procs && !w->procs_told;

		err = say ? proc_map_build_said(w->o->root, &m, "-p",
						"no processes shown")
			  : proc_map_build(w->o->root, &m);
		if (!err) {
			proc_map_destroy(w->procs);
			w->procs = m;
			w->a.procs = m;
		} else if (say) {
			w->procs_told = true;
		}
	}
	watch_book_dump_begin(w->book, wall_ms());
	err = acquire_run(&w->a, note_row, w);
	watch_book_dump_end(w->book);
	return err;
}

/*
 * The listing's checks, but states as the kernel reports a destroy (TCP's
 * CLOSE is no bound-inactive socket here, which acquire_selects() would
 * read it as), then the whole filter in userspace.
 */
static bool selected(const struct watch *w, const struct sock_rec *rec)
{
	const struct opts *o = w->o;
	uint32_t fam = rec->family == AF_INET6 ? FAM_INET6 : FAM_INET;
	uint32_t proto = rec->protocol == IPPROTO_TCP	? PROTO_TCP
			 : rec->protocol == IPPROTO_UDP ? PROTO_UDP
							: 0;
	int p = proto == PROTO_TCP ? 0 : 1;

	return (o->protocols & proto) && (o->families & fam) &&
	       rec->state < 32 && (w->ev_states[p] & SS_BIT(rec->state)) &&
	       filter_match_owners(o->filter, rec, w->procs);
}

static void emit(struct watch *w, const struct watch_event *ev)
{
	bool p = w->o->processes;

	switch (w->o->format) {
	case FMT_PROMETHEUS:
		watch_counts_add(w->counts, ev);
		return;
	case FMT_NDJSON:
		watch_ndjson_row(&w->out, ev, p);
		break;
	default:
		watch_table_row(&w->out, ev, p);
		break;
	}
	/* A row shows at once, also through a pipe (grep --line-buffered). */
	obuf_flush(&w->out);
}

static void one_event(struct watch *w, const struct nlmsghdr *nlh)
{
	struct watch_event ev;
	struct sock_rec rec;

	if (watch_nl_parse(nlh, &rec)) {
		return;
	}
	watch_event_from_rec(&ev, &rec, w->now_ms);
	/* The notification has no inode: the book's, for pid/comm. */
	rec.inode = watch_book_inode(w->book, rec.cookie);
	ev.rec.inode = rec.inode;
	watch_book_close(w->book, &ev);
	if (!selected(w, &ev.rec)) {
		return;
	}
	if (!w->o->watch_count || w->printed < w->o->watch_count) {
		emit(w, &ev);
		w->printed++;
	}
}

/* The kernel's drops since the last look (watch_nl.h says when to look),
 * told in the output's own form. */
static void lost(struct watch *w, enum watch_nl_moment when)
{
	uint64_t n = watch_nl_dropped(w->fd, &w->drops, when);

	if (when == WATCH_NL_ENOBUFS) {
		watch_counts_overflow(w->counts);
	}
	if (!n) {
		return;
	}
	w->dropped += n;
	switch (w->o->format) {
	case FMT_PROMETHEUS:
		watch_counts_dropped(w->counts, n);
		break;
	case FMT_NDJSON:
		watch_ndjson_lost(&w->out, w->now_ms, n);
		obuf_flush(&w->out);
		break;
	default:
		warnx_("watch: %llu event%s dropped (the receive buffer was "
		       "full): closes are missing (%llu so far)",
		       (unsigned long long)n, n == 1 ? "" : "s",
		       (unsigned long long)w->dropped);
		break;
	}
}

/* Up to WATCH_BATCH receives of what is queued (w->drained says whether
 * that was all of it); returns 0 or -errno. */
static int receive(struct watch *w)
{
	w->drained = false;
	for (int i = 0; i < WATCH_BATCH; i++) {
		ssize_t n = recv(w->fd, w->buf, sizeof(w->buf), 0);
		size_t len;

		w->now_ms = wall_ms();
		if (n < 0 && errno == ENOBUFS) {
			lost(w, WATCH_NL_ENOBUFS);
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			lost(w, WATCH_NL_EMPTY);
			w->drained = true;
			return 0;
		}
		if (n < 0) {
			return errno == EINTR ? 0 : -errno;
		}
		len = (size_t)n;
		for (const struct nlmsghdr *h = (const void *)w->buf;
		     NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			one_event(w, h);
		}
	}
	return 0;
}

static void prom_out(struct watch *w)
{
	watch_counts_prom(&w->out, w->counts, w->o->top);
	obuf_putc(&w->out, '\n');
	obuf_flush(&w->out);
}

static bool done_count(const struct watch *w)
{
	return w->o->watch_count && w->printed >= w->o->watch_count;
}

static bool done(const struct watch *w)
{
	return watch_stop || w->out.err || done_count(w);
}

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	return a < b ? (a < c ? a : c) : (b < c ? b : c);
}

/*
 * At the stop, every notification queued before it, not one batch: under
 * load the queue holds thousands, and the rest would be neither rows nor
 * drops. A storm that goes on refills the queue as it is read, so the
 * receives are bounded by what it held at the stop: its bytes over a
 * notification's least truesize, which errs towards reading on. Without
 * that size, one batch (a bound all the same), and it is said.
 */
static int drain(struct watch *w)
{
	uint32_t mem[SK_MEMINFO_VARS] = {0};
	socklen_t len = sizeof(mem);
	uint64_t left = 1;
	int err = getsockopt(w->fd, SOL_SOCKET, SO_MEMINFO, mem, &len);

	if (err || len <= SK_MEMINFO_RMEM_ALLOC * sizeof(mem[0])) {
		warnx_("watch: the receive queue's size is unknown (%s): "
		       "one batch of what it holds is read at the stop",
		       err ? strerror(errno) : "a short SO_MEMINFO");
	} else {
		left = mem[SK_MEMINFO_RMEM_ALLOC] / WATCH_NL_MIN_TRUESIZE + 1;
	}
	do {
		err = receive(w);
		left -= left < WATCH_BATCH ? left : WATCH_BATCH;
	} while (!err && !w->drained && left && !done_count(w) && !w->out.err);
	return err;
}

/* Until a signal, --count, --duration or an error. */
static int loop(struct watch *w, bool need_procs)
{
	const struct opts *o = w->o;
	uint64_t start = mono_ms(), now = start;
	uint64_t end =
	    o->watch_duration_ms ? start + o->watch_duration_ms : UINT64_MAX;
	uint64_t next_dump = start + WATCH_REFRESH_MS;
	uint64_t next_prom = o->format == FMT_PROMETHEUS && o->interval_ms
				 ? start + o->interval_ms
				 : UINT64_MAX;
	struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
	int err = 0;

	while (!err && !done(w) && now < end) {
		uint64_t wake = min3(end, next_dump, next_prom);
		int r = poll(&pfd, 1, wake > now ? (int)(wake - now) : 0);

		if (r < 0 && errno != EINTR) {
			err = -errno; /* said below, as every other error */
			break;
		}
		if (r > 0) {
			err = receive(w);
		}
		now = mono_ms();
		if (!err && now >= next_dump) {
			err = refresh(w, need_procs);
			next_dump = mono_ms() + WATCH_REFRESH_MS;
		}
		if (now >= next_prom) {
			prom_out(w);
			next_prom += o->interval_ms;
		}
	}
	/* Stopped by a signal or --duration: what was queued before, and
	 * every drop, is still told; after a failed receive, as after one
	 * in the loop, nothing more is read. */
	if (!err && !done_count(w) && !w->out.err) {
		err = drain(w);
		if (!err) {
			lost(w, WATCH_NL_END);
		}
	}
	if (err) {
		warnx_("watch: %s", strerror(-err));
	}
	return err;
}

static void watch_init(struct watch *w, const struct opts *o)
{
	uint32_t mask;
	/* No TIME_WAIT or request socks in the book: the kernel does not
	 * announce their end (they are not full sockets). */
	uint32_t dumped =
	    SS_ALL_BITS & ~(SS_BIT(SS_TIME_WAIT) | SS_BIT(SS_NEW_SYN_RECV) |
			    SS_BIT(SS_BOUND_INACTIVE));

	memset(w, 0, sizeof(*w));
	w->o = o;
	w->fd = -1;
	acquire_init(&w->a, o);
	w->a.states[IPPROTO_TCP] = dumped;
	w->a.states[IPPROTO_UDP] = dumped;
	/* Every state unless the filter names some: by default a close is
	 * a close, whatever the list's defaults. */
	if (!filter_states(o->filter, &mask)) {
		mask = SS_ALL_BITS;
	}
	/* As the kernel reports it: CLOSE is a closed socket here, not
	 * the list's bound-inactive. */
	w->ev_states[0] = mask;
	w->ev_states[1] = mask;
	w->book = watch_book_create();
	w->counts = watch_counts_create();
	obuf_init(&w->out, STDOUT_FILENO, 1 << 16);
}

/* ---- --transitions: the BPF backend ---- */

/* The wall clock's lead on CLOCK_MONOTONIC, the BPF program's clock. */
static int64_t wall_offset_ns(void)
{
	struct timespec w, m;

	clock_gettime(CLOCK_REALTIME, &w);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((int64_t)w.tv_sec - m.tv_sec) * 1000000000 +
	       (w.tv_nsec - m.tv_nsec);
}

struct watch_tr_run {
	const struct opts *o;
	struct watch_bpf *bpf;
	struct watch_tr_book *book;
	struct obuf out;
	uint32_t states; /* the new states to print */
	int64_t wall_offset;
	uint64_t sk_key;  /* masks the kernel's socket addresses (sk_mask) */
	uint64_t lost;	  /* reported so far */
	uint64_t evicted; /* book entries forgotten, reported so far */
	unsigned long printed;
};

/*
 * A key the socket addresses are XORed with before anything sees them:
 * one socket keeps one identity for the watch, but no output gives away
 * where the kernel lies in memory (KASLR; sock_diag's cookies replaced
 * the addresses it once printed for the same reason). Its top bit is set
 * so a masked address never reads as a kernel one (those have it set).
 */
static uint64_t sk_mask_key(void)
{
	return random_u64() | 1ull << 63;
}

/* What --transitions refuses before anything starts: EXIT_USAGE or 0. */
static int transitions_usage(const struct opts *o)
{
	if (o->format == FMT_PROMETHEUS) {
		warnx_("watch: --transitions prints rows: use --format table "
		       "or ndjson");
		return EXIT_USAGE;
	}
	if (!(o->protocols & PROTO_TCP)) {
		warnx_("watch: --transitions follows TCP's state machine: "
		       "not with -u alone");
		return EXIT_USAGE;
	}
	if (filter_needs_owners(o->filter)) {
		warnx_("watch: --transitions: pid and comm do not apply (the "
		       "process of each transition shows with -p)");
		return EXIT_USAGE;
	}
	return 0;
}

static bool tr_selected(const struct watch_tr_run *t,
			const struct watch_tr_event *ev)
{
	uint32_t fam = ev->rec.family == AF_INET6 ? FAM_INET6 : FAM_INET;

	return (t->o->families & fam) && (t->states & SS_BIT(ev->rec.state)) &&
	       filter_match(t->o->filter, &ev->rec);
}

static void on_transition(const void *rec, size_t len, void *data)
{
	struct watch_tr_run *t = data;
	struct watch_tr_event ev;

	if (watch_tr_decode(&ev, rec, len, t->wall_offset)) {
		return;
	}
	ev.sk ^= t->sk_key;
	watch_tr_book_apply(t->book, &ev);
	if (!tr_selected(t, &ev) ||
	    (t->o->watch_count && t->printed >= t->o->watch_count)) {
		return;
	}
	if (t->o->format == FMT_NDJSON) {
		watch_tr_ndjson_row(&t->out, &ev, t->o->processes);
	} else {
		watch_tr_table_row(&t->out, &ev, t->o->processes);
	}
	t->printed++;
}

/* New drops since the last look: said as the netlink backend says them. */
static void tr_lost(struct watch_tr_run *t)
{
	uint64_t n = watch_bpf_lost(t->bpf);

	if (n <= t->lost) {
		return;
	}
	if (t->o->format == FMT_NDJSON) {
		watch_ndjson_lost(&t->out, wall_ms(), n - t->lost);
	} else {
		warnx_("watch: the ring buffer was full: %llu transition%s "
		       "lost (%llu so far)",
		       (unsigned long long)(n - t->lost),
		       n - t->lost == 1 ? "" : "s", (unsigned long long)n);
	}
	t->lost = n;
}

/* Connections the full book forgot since the last look (lost closes
 * leave entries behind): said as the drops are. */
static void tr_evicted(struct watch_tr_run *t)
{
	uint64_t n = watch_tr_book_evicted(t->book);

	if (n <= t->evicted) {
		return;
	}
	if (t->o->format == FMT_NDJSON) {
		obuf_putc(&t->out, '{');
		watch_put_time(&t->out, wall_ms());
		obuf_printf(&t->out, ",\"forgotten\":%llu}\n",
			    (unsigned long long)(n - t->evicted));
	} else {
		warnx_("watch: the connection book was full: %llu "
		       "connection%s forgotten (%llu so far): their closes "
		       "show a lower bound (>)",
		       (unsigned long long)(n - t->evicted),
		       n - t->evicted == 1 ? "" : "s", (unsigned long long)n);
	}
	t->evicted = n;
}

static bool tr_done(const struct watch_tr_run *t)
{
	return watch_stop || t->out.err ||
	       (t->o->watch_count && t->printed >= t->o->watch_count);
}

static int tr_loop(struct watch_tr_run *t)
{
	const struct opts *o = t->o;
	const char *stall = getenv("SOCKSCOPE_TEST_WATCH_STALL_MS");
	uint64_t now = mono_ms();
	uint64_t end =
	    o->watch_duration_ms ? now + o->watch_duration_ms : UINT64_MAX;
	struct pollfd pfd = {.fd = watch_bpf_fd(t->bpf), .events = POLLIN};
	int err = 0;

	/* Tests leave the ring buffer unread a while to make it overflow. */
	if (stall) {
		usleep((useconds_t)atoi(stall) * 1000);
	}
	while (!err && !tr_done(t) && now < end) {
		uint64_t wake = end < now + 1000 ? end : now + 1000;
		int r = poll(&pfd, 1, (int)(wake - now));

		if (r < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		err = watch_bpf_consume(t->bpf);
		tr_lost(t);
		tr_evicted(t);
		obuf_flush(&t->out);
		now = mono_ms();
	}
	/* What came before the stop, and every loss, is still told. */
	if (!err && !t->out.err) {
		err = watch_bpf_consume(t->bpf);
		tr_lost(t);
		tr_evicted(t);
	}
	if (err && err != -EINTR) {
		warnx_("watch: %s", strerror(-err));
		return err;
	}
	return 0;
}

/*
 * Returns an exit status, or -1 after a one-line notice when the backend
 * cannot load: the caller then runs the netlink backend.
 */
static int transitions_exec(const struct opts *o)
{
	const char *ring = getenv("SOCKSCOPE_TEST_WATCH_RINGBUF");
	/* Tests shrink the book to make it forget connections. */
	const char *book = getenv("SOCKSCOPE_TEST_WATCH_TR_BOOK");
	struct watch_tr_run *t = xcalloc(1, sizeof(*t));
	struct stat st;
	uint32_t mask;
	int err, ret = EXIT_RUNTIME;

	t->o = o;
	t->states = filter_states(o->filter, &mask) ? mask : SS_ALL_BITS;
	t->wall_offset = wall_offset_ns();
	t->sk_key = sk_mask_key();
	t->book = watch_tr_book_create((uint64_t)(mono_ms() * 1000000),
				       book ? (size_t)strtoul(book, NULL, 10)
					    : WATCH_TR_BOOK_MAX);
	err = watch_bpf_open(
	    &t->bpf, stat("/proc/self/ns/net", &st) ? 0 : (uint32_t)st.st_ino,
	    ring ? (uint32_t)atoi(ring) : 0, on_transition, t);
	if (err) {
		warnx_("watch: --transitions needs the BPF backend (%s): "
		       "showing closes from the netlink backend",
		       err == -EOPNOTSUPP ? "not built in"
		       : err == -EPERM	  ? "needs CAP_BPF and CAP_PERFMON"
		       : err == -ELIBACC  ? "its module did not load"
					  : strerror(-err));
		watch_tr_book_destroy(t->book);
		free(t);
		return -1;
	}
	obuf_init(&t->out, STDOUT_FILENO, 1 << 16);
	if (o->format == FMT_TABLE && !o->no_header) {
		watch_tr_table_header(&t->out, o->processes);
		obuf_flush(&t->out);
	}
	if (!tr_loop(t)) {
		ret = EXIT_OK;
	}
	watch_bpf_close(t->bpf);
	watch_tr_book_destroy(t->book);
	if (cmd_finish_output(&t->out) != EXIT_OK) {
		ret = EXIT_RUNTIME;
	}
	free(t);
	return ret;
}

static int watch_exec(const struct opts *o)
{
	struct sigaction sa = {.sa_handler = on_stop};
	bool need_procs = o->processes || filter_needs_owners(o->filter);
	struct watch *w;
	int ret = EXIT_RUNTIME;

	if (o->format == FMT_JSON) {
		warnx_("watch: a stream has no JSON array: use --format "
		       "ndjson");
		return EXIT_USAGE;
	}
	if (o->watch_transitions && (ret = transitions_usage(o))) {
		return ret;
	}
	if (netns_enter_spec(o->netns, o->root, NULL)) {
		return EXIT_RUNTIME;
	}
	/* No SA_RESTART: poll() must return so the loop sees the flag. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (o->watch_transitions && (ret = transitions_exec(o)) >= 0) {
		return ret;
	}
	ret = EXIT_RUNTIME;
	w = xmalloc(sizeof(*w));
	watch_init(w, o);
	w->fd = open_events(o);
	if (w->fd < 0 || refresh(w, need_procs)) {
		goto out;
	}
	if (o->format == FMT_TABLE && !o->no_header) {
		watch_table_header(&w->out, o->processes);
		obuf_flush(&w->out);
	}
	if (!loop(w, need_procs)) {
		ret = EXIT_OK;
	}
	if (o->format == FMT_PROMETHEUS) {
		prom_out(w); /* the totals at the end, always */
	}
out:
	if (w->fd >= 0) {
		close(w->fd);
	}
	acquire_finish(&w->a);
	proc_map_destroy(w->procs);
	watch_book_destroy(w->book);
	watch_counts_destroy(w->counts);
	if (cmd_finish_output(&w->out) != EXIT_OK) {
		ret = EXIT_RUNTIME;
	}
	free(w);
	return ret;
}

const struct cmd_entry cmd_watch_entry = {
    .name = "watch",
    .usage =
	"watch [--transitions] [--count N] [--duration S] [OPTIONS] [FILTER]",
    .exec = watch_exec,
};
