// SPDX-License-Identifier: MIT
/*
 * `sockscope top`: the refresh loop. Collect (top_collect.c), build the
 * items (top_model.c), render lines (top_view.c) to the terminal (term.c)
 * or, with --batch, to stdout; keys go to top_key() (top.c).
 */
#include <errno.h>
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
#include "top.h"
#include "top_collect.h"
#include "top_events.h"
#include "top_live.h"
#include "top_netns.h"
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
	struct diag *d;		 /* kills and the rows' tcp_info */
	struct top_collect coll; /* the dumps, through acquire */
	struct top_nstab nst;	 /* --all-netns: every namespace's socket */
	struct obuf out;	 /* batch mode */
	int rows; /* interactive: the screen size of this frame */
	/* Closed rows from the destroy events; NULL: refresh differences. */
	struct top_events *events;
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

/* A new snapshot into the other slot, so the old one gives the rates. */
static int refresh(struct top_run *run)
{
	struct top_query q;
	int err;

	top_events_drain(run->events, &run->ui);
	run->ui.cur ^= 1u;
	top_query_from_ui(&q, &run->ui);
	err = top_collect(&run->coll, &q, top_ui_snap(&run->ui));
	if (err) {
		return err;
	}
	top_ui_refreshed(&run->ui);
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

static int run_batch(struct top_run *run)
{
	const struct opts *o = run->o;
	int err = 0;

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

static void draw(struct top_run *run)
{
	int cols;

	term_size(&run->rows, &cols);
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

static int loop(struct top_run *run)
{
	const struct opts *o = run->o;
	double due = 0;
	bool force = true;
	unsigned int act = 0;
	int key, err = 0;

	while (!(act & TOP_QUIT)) {
		if (force || (!run->ui.paused && wait_ms(due) == 0)) {
			err = refresh(run);
			if (err) {
				break;
			}
			due = top_now() + top_ui_interval_ms(&run->ui) / 1000.0;
			force = false;
		}
		draw(run);
		if (o->top_iterations &&
		    run->ui.refreshes >= o->top_iterations) {
			break;
		}
		key = term_getkey(run->ui.paused ? -1 : wait_ms(due));
		act = key == TK_NONE ? 0 : top_key(&run->ui, key);
		force = act & TOP_COLLECT;
		if (act & TOP_REBUILD) {
			top_ui_rebuild(&run->ui);
		}
		if (act & TOP_REPAINT) {
			term_invalidate();
		}
	}
	return err;
}

static int run_interactive(struct top_run *run)
{
	const char *term = getenv("TERM");
	char shown[4 * 64 + 1];
	int err = term_init(!run->o->no_color);

	if (err) {
		/* Not a blank screen: say so, with the terminal type. */
		escape_text(shown, term ? term : "",
			    term ? strnlen(term, 64) : 0);
		warnx_("top: cannot drive terminal type '%s' (TERM); use "
		       "--batch (-b)",
		       shown);
		return EXIT_RUNTIME;
	}
	err = loop(run);
	/* Restore the terminal first, so the message lands on a sane one. */
	term_finish();
	tell_missing(run);
	return err ? EXIT_RUNTIME : EXIT_OK; /* acquire said why */
}

/* Closed rows from the kernel's destroy events; without them, from the
 * refresh differences, said once: on the status line, and with what else
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
	if (list_enter_netns(o)) {
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
	top_live_init(&run.live, o, run.d, &run.src);
	if (o->all_netns) {
		run.coll.nst = &run.nst;
		run.live.nst = &run.nst;
		run.env.nst = &run.nst;
	}
	top_ui_init(&run.ui, o, &run.src);
	open_events(&run);
	top_view_init(&run.view, &run.env);
	ret = o->top_batch ? run_batch(&run) : run_interactive(&run);
	top_view_finish(&run.view);
	top_events_close(run.events);
	top_ui_finish(&run.ui);
	top_live_finish(&run.live);
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
