// SPDX-License-Identifier: MIT
/*
 * `sockscope top`: the refresh loop. Collect (top_collect.c), build the
 * items (top_items.c), render lines (top_view.c) to the terminal (term.c)
 * or, with --batch, to stdout; keys go to top_key() (top_keys.c).
 *
 * Interactive, each refresh runs on a worker thread (top_refresh.h says
 * who owns what meanwhile) and the loop waits on a poll set: the keys,
 * the worker's "done", and any other source a slot is added for. The
 * kills and the RTT of rows on screen use a sock_diag socket of the UI
 * thread's own. --batch, or a process without a descriptor to spare,
 * refreshes in line as before: the same snapshots, byte for byte.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cmd.h"
#include "filter.h"
#include "ifname.h"
#include "netns_find.h"
#include "top.h"
#include "top_collect.h"
#include "top_events.h"
#include "top_live.h"
#include "top_netns.h"
#include "top_refresh.h"
#include "top_view.h"
#include "util.h"

struct top_run {
	const struct opts *o;
	unsigned int missing_told; /* top_missing bits already reported */
	struct top_sources src;
	struct top_live live;
	struct top_env env;
	struct top_ui ui;
	struct top_view view;
	struct diag *d;		 /* the dumps; alone, also what d_ui does */
	struct diag *d_ui;	 /* kills, the rows' tcp_info; or NULL */
	struct top_collect coll; /* the dumps, through acquire */
	struct top_nstab nst;	 /* --all-netns: every namespace's sockets */
	/* Closed rows from the destroy events; NULL: refresh differences. */
	struct top_events *events;
	struct top_refresh refresh;
	/* --load on a thread: the worker loads the file's names into
	 * coll.ifn while the view reads env.fc.ifn; they trade places at
	 * each hand-over. */
	bool trade_ifn;
	struct obuf out; /* batch mode */
	int rows;	 /* interactive: the screen size of this frame */
};

static void env_init(struct top_env *env, const struct opts *o)
{
	struct utsname u;
	char ns[sizeof(env->netns)];
	ssize_t n = readlink("/proc/self/ns/net", ns, sizeof(ns) - 1);

	memset(env, 0, sizeof(*env));
	if (uname(&u) == 0) {
		snprintf(env->host, sizeof(env->host), "%s", u.nodename);
		snprintf(env->kernel, sizeof(env->kernel), "%s", u.release);
	}
	ns[n > 0 ? n : 0] = '\0';
	/* The namespace as the user named it (-N), else the kernel's id. */
	if (o->netns) {
		snprintf(env->netns, sizeof(env->netns), "netns %.100s",
			 o->netns);
	} else {
		snprintf(env->netns, sizeof(env->netns), "%s",
			 n > 0 ? ns : "net:?");
	}
	env->fc.o = o;
	env->fc.ifn = ifnames_create();
	env->fc.svc = o->numeric ? NULL : services_load();
}

static void env_finish(struct top_env *env)
{
	services_destroy((struct services *)env->fc.svc);
	ifnames_destroy(env->fc.ifn);
}

/* A new snapshot, now, on this thread; the old one gives the rates. */
static int refresh(struct top_run *run)
{
	struct top_query q;
	int err;

	/* The closes so far are settled against the snapshot this starts. */
	top_events_drain(run->events, &run->ui);
	top_query_from_ui(&q, &run->ui);
	top_refresh_start(&run->refresh, &q);
	err = top_refresh_take(&run->refresh, true);
	if (err) {
		return err;
	}
	top_ui_take(&run->ui, &run->refresh.snap);
	return 0;
}

static void batch_sink(void *ctx, int y, enum term_role role, const char *text)
{
	struct top_run *run = ctx;

	(void)y;
	(void)role;
	obuf_puts(&run->out, text);
	obuf_putc(&run->out, '\n');
}

/* What the screen lacks and why, once per kind, as the listing says it. */
static void tell_missing(struct top_run *run)
{
	char what[160];

	if (top_live_missing(&run->live, &run->missing_told, what,
			     sizeof(what))) {
		warnx_("top: %s: %s", strerror(-run->live.missing_err), what);
	}
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR) {
	}
}

/*
 * Refreshes on a worker thread (top_refresh.h): the UI thread gets a
 * sock_diag socket of its own for kills and RTTs (live), and --load's
 * names go into a second table. Opened after the terminal, which needs a
 * descriptor to read its terminfo. Without the descriptors (a socket, an
 * eventfd) top refreshes in line, as --batch does, the keys waiting.
 */
static bool setup_thread(struct top_run *run)
{
	/* --load: nothing of this host is closed or asked for its RTT. */
	if (!run->o->load_path && diag_open(&run->d_ui)) {
		run->d_ui = NULL;
		return false;
	}
	if (top_refresh_init(&run->refresh, &run->coll, true)) {
		diag_destroy(run->d_ui);
		run->d_ui = NULL;
		return false;
	}
	/* Live, the worker needs no names: `dev NAME` is asked of the
	 * kernel (ifnames_index) as each refresh starts. */
	run->trade_ifn = run->o->load_path != NULL;
	run->coll.ifn = run->trade_ifn ? ifnames_create() : NULL;
	return true;
}

/* Closed rows from the kernel's destroy events; without them, from the
 * rows a refresh misses, said once on the status line and in what
 * the view lacks (a replay has no events). */
static void open_events(struct top_run *run)
{
	char why[160];
	int err;

	if (run->o->load_path) {
		return;
	}
	err = top_events_open(&run->events, run->o, why, sizeof(why));
	if (err) {
		snprintf(run->ui.message, sizeof(run->ui.message),
			 "closed rows from refresh differences: %s", why);
		top_live_note_missing(&run->live, TOP_MISS_EVENTS, err);
		return;
	}
	run->ui.gones.events = true;
}

/* The sources, the model and the view, refreshing on a thread or not. */
static void model_init(struct top_run *run, bool threaded)
{
	if (!threaded || !setup_thread(run)) {
		top_refresh_init(&run->refresh, &run->coll, false);
	}
	/* Threaded, the worker's socket is not the UI thread's to use. */
	top_live_init(&run->live, run->o,
		      run->refresh.fd >= 0 ? run->d_ui : run->d, &run->src);
	if (run->o->all_netns) {
		run->live.nst = &run->nst; /* kills, RTTs: each one's d_ui */
		run->env.nst = &run->nst;
	}
	top_ui_init(&run->ui, run->o, &run->src);
	open_events(run);
	top_view_init(&run->view, &run->env);
}

/* A refresh in flight is stopped (within a row) and waited for first. */
static void model_finish(struct top_run *run)
{
	top_refresh_finish(&run->refresh);
	top_view_finish(&run->view);
	top_events_close(run->events);
	run->events = NULL;
	top_ui_finish(&run->ui);
	top_live_finish(&run->live);
	if (run->trade_ifn) {
		ifnames_destroy(run->coll.ifn);
		run->coll.ifn = NULL;
	}
	diag_destroy(run->d_ui);
	run->d_ui = NULL;
}

static int run_batch(struct top_run *run)
{
	const struct opts *o = run->o;
	int err = 0;

	model_init(run, false);
	obuf_init(&run->out, STDOUT_FILENO, 64 * 1024);
	for (unsigned long i = 0; !o->top_iterations || i < o->top_iterations;
	     i++) {
		if (i) {
			sleep_ms(top_ui_interval_ms(&run->ui));
			obuf_putc(&run->out, '\n');
		}
		err = refresh(run);
		if (err) {
			break; /* acquire said why */
		}
		tell_missing(run);
		/* --rows: the page a screen would show, with its RTTs. */
		if (o->top_rows) {
			run->ui.first = 0;
			run->ui.page = o->top_rows;
			top_ui_fill_rtt(&run->ui);
		}
		top_view_render(&run->view, &run->ui, 0, 0, batch_sink, run);
		if (obuf_flush(&run->out)) {
			break;
		}
	}
	model_finish(run);
	if (obuf_finish(&run->out) == -EPIPE) {
		return EXIT_OK;
	}
	if (run->out.err) {
		warnx_("stdout: %s", strerror(-run->out.err));
		return EXIT_RUNTIME;
	}
	return err ? EXIT_RUNTIME : EXIT_OK;
}

static void term_sink(void *ctx, int y, enum term_role role, const char *text)
{
	struct top_run *run = ctx;

	if (y < run->rows) {
		term_put(y, role, text);
	}
}

/* Before the first snapshot there is nothing to count or list yet. */
static void draw_first(struct top_run *run)
{
	term_clear();
	if (run->rows > 0) {
		term_put(0, TR_HEADER,
			 "sockscope top - reading the sockets (q quits)");
	}
	term_cursor(-1, 0);
	term_show();
}

static void draw(struct top_run *run)
{
	int cols;

	term_size(&run->rows, &cols);
	if (!run->ui.refreshes) {
		draw_first(run);
		return;
	}
	term_clear();
	top_view_render(&run->view, &run->ui, run->rows, cols, term_sink, run);
	/* The view has placed the page: its sockets' RTT, then again. */
	if (top_ui_fill_rtt(&run->ui)) {
		term_clear();
		top_view_render(&run->view, &run->ui, run->rows, cols,
				term_sink, run);
	}
	term_cursor(run->view.cursor_y, run->view.cursor_x);
	term_show();
}

/* Milliseconds until the next refresh is due (0: now). */
static int wait_ms(double due)
{
	double left = due - top_now();

	return left > 0 ? (int)(left * 1000.0) + 1 : 0;
}

/* When the next refresh starts, and what keys asked for meanwhile. */
struct loop_state {
	double due; /* CLOCK_MONOTONIC seconds */
	bool force; /* start one now (the first, a key asked) */
	bool quit;  /* q, F10, SIGINT, SIGTERM */
	/* A filter the prompt replaced that the refresh in flight still
	 * reads: freed when that refresh is taken. */
	struct filter *parked;
	unsigned int ready; /* POLL_BIT()s of the slots the last wait saw */
	sigset_t wake;	    /* the mask ppoll waits with: the signals open */
};

/*
 * What the loop waits on besides the time, one slot each (poll_set()); a
 * slot whose fd is negative (a source that is off) is skipped by poll().
 * A new source adds a slot and acts on it in loop() when its bit is in
 * ls->ready. The keys are read whatever the bits say: curses may hold
 * some already read from the terminal.
 */
enum loop_poll {
	POLL_KEYS,
	POLL_REFRESH, /* the worker is done: deliver() takes it */
	POLL_COUNT,
};

#define POLL_BIT(slot) (1u << (slot))

static void poll_set(const struct top_run *run, struct pollfd *pfd)
{
	pfd[POLL_KEYS] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
	pfd[POLL_REFRESH] =
	    (struct pollfd){.fd = run->refresh.fd, .events = POLLIN};
}

static void start_due(struct top_run *run, struct loop_state *ls)
{
	struct top_query q;

	if (top_refresh_busy(&run->refresh) ||
	    !(ls->force || (!run->ui.paused && wait_ms(ls->due) == 0))) {
		return;
	}
	ls->force = false;
	top_events_drain(run->events, &run->ui);
	top_query_from_ui(&q, &run->ui);
	run->ui.refreshing = true;
	top_refresh_start(&run->refresh, &q);
}

/* A finished refresh becomes the screen's; 0 or its -errno. */
static int deliver(struct top_run *run, struct loop_state *ls)
{
	int err;

	if (!top_refresh_busy(&run->refresh)) {
		return 0;
	}
	err = top_refresh_take(&run->refresh, false);
	if (err == -EAGAIN) {
		return 0;
	}
	run->ui.refreshing = false;
	filter_destroy(ls->parked);
	ls->parked = NULL;
	if (err) {
		return err == -ECANCELED ? 0 : err;
	}
	if (run->trade_ifn) {
		struct ifnames *shown = run->env.fc.ifn;

		run->env.fc.ifn = run->coll.ifn;
		run->coll.ifn = shown;
	}
	top_ui_take(&run->ui, &run->refresh.snap);
	/* The interval runs from the end of a refresh, as it always did. */
	ls->due = top_now() + top_ui_interval_ms(&run->ui) / 1000.0;
	return 0;
}

/*
 * A key asked for a refresh now. One in flight serves (and its frame then
 * stays for an interval, as every frame does: a second refresh right after
 * it would show per-second meters over a few milliseconds, mostly 0), but
 * not after a new filter: its rows are the old filter's. It is cancelled (it
 * stops within a row) and the new one starts once it is taken; the UI thread
 * never waits for it. The old filter it reads is kept until then.
 */
static void collect_asked(struct top_run *run, struct loop_state *ls)
{
	struct top_refresh *r = &run->refresh;
	struct filter *old = run->ui.retired;

	run->ui.retired = NULL;
	if (top_refresh_busy(r) &&
	    top_refresh_query(r)->filter == top_ui_filter(&run->ui)) {
		filter_destroy(old); /* NULL: no filter changed */
		return;
	}
	if (top_refresh_busy(r)) {
		top_refresh_cancel(r);
	}
	if (old && top_refresh_busy(r) && top_refresh_query(r)->filter == old) {
		ls->parked = old;
	} else {
		filter_destroy(old);
	}
	ls->force = true;
}

/* Every key typed so far, each acted on as it comes. */
static void read_keys(struct top_run *run, struct loop_state *ls)
{
	unsigned int act;
	int key;

	while (!ls->quit && (key = term_getkey(0)) != TK_NONE) {
		act = top_key(&run->ui, key);
		ls->quit = act & TOP_QUIT;
		if (act & TOP_COLLECT) {
			collect_asked(run, ls);
		}
		if (act & TOP_REBUILD) {
			top_ui_rebuild(&run->ui);
		}
		if (act & TOP_REPAINT) {
			term_invalidate();
		}
	}
}

/* Until a key, the worker, a signal or the next refresh's time. */
static int wait_input(struct top_run *run, struct loop_state *ls)
{
	struct pollfd pfd[POLL_COUNT];
	int ms = -1, err;
	struct timespec ts;

	/* Busy: the worker's slot wakes the loop when it is done. */
	if (top_refresh_busy(&run->refresh)) {
		ms = -1;
	} else if (ls->force) {
		ms = 0;
	} else if (!run->ui.paused) {
		ms = wait_ms(ls->due);
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	poll_set(run, pfd);
	ls->ready = 0;
	if (ppoll(pfd, POLL_COUNT, ms < 0 ? NULL : &ts, &ls->wake) < 0) {
		err = -errno;
		if (err == -EINTR) {
			return 0; /* a signal: the keys say which */
		}
		warnx_("top: waiting for keys: %s", strerror(-err));
		return err;
	}
	for (unsigned int i = 0; i < POLL_COUNT; i++) {
		ls->ready |= pfd[i].revents ? POLL_BIT(i) : 0;
	}
	return 0;
}

static int loop(struct top_run *run, struct loop_state *ls)
{
	const struct opts *o = run->o;
	int err = 0;

	while (!ls->quit) {
		start_due(run, ls);
		err = deliver(run, ls);
		if (err) {
			break; /* acquire said why */
		}
		draw(run);
		if (o->top_iterations &&
		    run->ui.refreshes >= o->top_iterations) {
			break;
		}
		err = wait_input(run, ls);
		if (err) {
			break;
		}
		read_keys(run, ls);
	}
	return err;
}

static int run_interactive(struct top_run *run)
{
	const char *term = getenv("TERM");
	char shown[4 * 64 + 1];
	struct loop_state ls = {.force = true};
	sigset_t stops;
	int err = term_init(!run->o->no_color);

	if (err == -ELIBACC) {
		return EXIT_RUNTIME; /* said, with the module and why */
	}
	if (err) {
		/* Not a blank screen: say so, with the terminal type. */
		escape_text(shown, term ? term : "",
			    term ? strnlen(term, 64) : 0);
		warnx_("top: cannot drive terminal type '%s' (TERM); use "
		       "--batch (-b)",
		       shown);
		return EXIT_RUNTIME;
	}
	model_init(run, true);
	/* SIGINT, SIGTERM and SIGWINCH are let in only while the loop waits
	 * (ppoll): one that comes during a frame is not lost before it. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &stops, &ls.wake);
	err = loop(run, &ls);
	/* A refresh in flight stops within a row and is waited for. */
	if (top_refresh_busy(&run->refresh)) {
		top_refresh_cancel(&run->refresh);
		top_refresh_take(&run->refresh, true);
	}
	filter_destroy(ls.parked);
	pthread_sigmask(SIG_SETMASK, &ls.wake, NULL);
	/* Restore the terminal first, so the message lands on a sane one. */
	term_finish();
	tell_missing(run);
	model_finish(run);
	return err ? EXIT_RUNTIME : EXIT_OK; /* acquire said why */
}

static int top_exec(const struct opts *o)
{
	struct top_run run = {.o = o};
	char why[128];
	int ret, err;

	if (o->save_path) {
		warnx_("top: --save is for listing, not top (top --load "
		       "replays what it saved)");
		return EXIT_USAGE;
	}
	if (!o->top_batch && (!o->out_is_tty || !isatty(STDIN_FILENO))) {
		warnx_("top: stdout is not a terminal; use --batch (-b) for "
		       "text snapshots");
		return EXIT_USAGE;
	}
	if (netns_enter_spec(o->netns, o->root, NULL)) {
		return EXIT_RUNTIME; /* said, the name escaped */
	}
	if (o->all_netns && top_nstab_open(&run.nst, o)) {
		top_nstab_finish(&run.nst);
		return EXIT_RUNTIME; /* said */
	}
	/* `dev NAME`: the device of that name here, in the namespace read
	 * (a replay: the names the file saved, which acquire reads). */
	if (!o->load_path && filter_resolve_devs(o->filter, ifnames_index_fn,
						 NULL, why, sizeof(why))) {
		warnx_("%s", why);
		top_nstab_finish(&run.nst);
		return EXIT_RUNTIME;
	}
	err = diag_open(&run.d);
	if (err) {
		warnx_("netlink: cannot open a sock_diag socket: %s",
		       strerror(-err));
		top_nstab_finish(&run.nst);
		return EXIT_RUNTIME;
	}
	if (top_collect_init(&run.coll, o)) {
		top_collect_finish(&run.coll);
		diag_destroy(run.d);
		top_nstab_finish(&run.nst);
		return EXIT_RUNTIME;
	}
	env_init(&run.env, o);
	run.coll.ifn = run.env.fc.ifn;
	run.coll.d = run.d;
	if (o->all_netns) {
		run.coll.nst = &run.nst; /* the dumps: each namespace's d */
	}
	ret = o->top_batch ? run_batch(&run) : run_interactive(&run);
	env_finish(&run.env);
	top_collect_finish(&run.coll);
	diag_destroy(run.d);
	/* A namespace skipped: said, and the exit status says so. */
	if (ret == EXIT_OK && run.nst.skipped) {
		ret = EXIT_RUNTIME;
	}
	top_nstab_finish(&run.nst);
	return ret;
}

const struct cmd_entry cmd_top_entry = {
    .name = "top",
    .usage = "sockscope top [OPTIONS] [FILTER]",
    .exec = top_exec,
};
