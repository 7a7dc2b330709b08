// SPDX-License-Identifier: MIT
/*
 * `sockscope diagram [--interval S] [FILTER]`: the TCP state machine with
 * the number of sockets in every state. With --interval S > 0 (default 1)
 * it takes two samples S seconds apart, puts the change next to each
 * count and lists the moves it saw: sockets matched by cookie, "new" and
 * "gone" for those in one sample only. Sockets come through the one
 * acquisition path, so a FILTER narrows the picture.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acquire.h"
#include "cmd.h"
#include "diagram.h"
#include "explain.h"
#include "filter.h"
#include "netns_find.h"
#include "state.h"

struct diagram_run {
	struct diagram_sample *now;
	struct diagram_sample *before; /* NULL in the first sample */
	struct diagram_moves *moves;
	bool track;
};

static int diagram_row(const struct sock_rec *rec, void *data)
{
	struct diagram_run *r = data;

	diagram_sample_add(r->now, rec, r->track);
	if (r->before) {
		diagram_move(r->before, r->moves, rec);
	}
	return 0;
}

static int sample(const struct opts *o, struct diagram_run *r)
{
	struct acquire a;
	uint32_t states;
	int err;

	acquire_init(&a, o);
	a.protocols = PROTO_TCP;
	/* Every state unless the filter names some: the picture has them
	 * all, not ss's listing default. */
	if (!filter_states(o->filter, &states)) {
		states = SS_ALL_BITS;
	}
	a.states[IPPROTO_TCP] = states;
	err = acquire_run(&a, diagram_row, r);
	acquire_finish(&a);
	return err;
}

static const char *move_name(unsigned int code, const char *none)
{
	return code ? state_name(code, IPPROTO_TCP) : none;
}

static void table_moves(struct obuf *ob, const struct diagram_moves *m,
			double interval_s)
{
	bool any = false;

	obuf_printf(ob, "\nMoves in %g s (sockets matched by cookie):\n",
		    interval_s);
	for (unsigned int f = 0; f < SS_MAX; f++) {
		for (unsigned int t = 0; t < SS_MAX; t++) {
			if (!m->n[f][t]) {
				continue;
			}
			obuf_printf(ob, "  %-11s -> %-11s %llu\n",
				    move_name(f, "(new)"),
				    move_name(t, "(gone)"),
				    (unsigned long long)m->n[f][t]);
			any = true;
		}
	}
	if (!any) {
		obuf_puts(ob, "  none\n");
	}
}

static void json_diagram(struct jw *w, const struct opts *o,
			 const struct diagram_sample *now,
			 const struct diagram_sample *before,
			 const struct diagram_moves *m)
{
	jw_object(w, NULL);
	jw_double(w, "interval_s", before ? o->interval_ms / 1000.0 : 0);
	jw_string(w, "source", "RFC 9293 section 3.3.2");
	jw_array(w, "states");
	for (size_t i = 0; i < facts_n_states(); i++) {
		const struct state_fact *sf = facts_state(i);
		unsigned int code =
		    state_fold((unsigned int)__builtin_ctz(sf->codes));

		jw_object(w, NULL);
		jw_string(w, "name", sf->name);
		jw_u64(w, "code", code);
		jw_u64(w, "count", now->count[code]);
		if (before) {
			jw_i64(w, "delta",
			       (int64_t)now->count[code] -
				   (int64_t)before->count[code]);
		}
		jw_end(w);
	}
	jw_end(w);
	if (before) {
		jw_array(w, "moves");
		for (unsigned int f = 0; f < SS_MAX; f++) {
			for (unsigned int t = 0; t < SS_MAX; t++) {
				if (!m->n[f][t]) {
					continue;
				}
				jw_object(w, NULL);
				jw_string(w, "from", move_name(f, "new"));
				jw_string(w, "to", move_name(t, "gone"));
				jw_u64(w, "count", m->n[f][t]);
				jw_end(w);
			}
		}
		jw_end(w);
	}
	jw_array(w, "edges");
	for (size_t i = 0; i < facts_n_edges(); i++) {
		const struct state_edge *e = facts_edge(i);

		jw_object(w, NULL);
		jw_string(w, "from", state_name(e->from, IPPROTO_TCP));
		jw_string(w, "to", state_name(e->to, IPPROTO_TCP));
		jw_string(w, "event", e->event);
		jw_string(w, "source", e->source);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
	obuf_putc(w->ob, '\n');
}

static void print(const struct opts *o, const struct diagram_sample *now,
		  const struct diagram_sample *before,
		  const struct diagram_moves *m, struct obuf *ob)
{
	struct jw w;

	jw_init(&w, ob);
	if (o->format != FMT_TABLE) {
		json_diagram(&w, o, now, before, m);
		return;
	}
	diagram_render(ob, now->count, before ? before->count : NULL);
	if (before) {
		table_moves(ob, m, o->interval_ms / 1000.0);
		if (before->overflow) {
			obuf_puts(ob, "  (too many sockets to follow each; "
				      "counts are exact)\n");
		}
	}
}

static int diagram_exec(const struct opts *o)
{
	struct diagram_sample s[2];
	struct diagram_moves moves;
	struct diagram_run r = {.now = &s[0], .moves = &moves};
	struct timespec ts = {.tv_sec = o->interval_ms / 1000,
			      .tv_nsec =
				  (long)(o->interval_ms % 1000) * 1000000};
	bool two = o->interval_ms > 0 && !o->load_path;
	struct obuf ob;
	int err;

	if (o->format == FMT_PROMETHEUS || o->format == FMT_NDJSON) {
		warnx_("diagram: --format table or json");
		return EXIT_USAGE;
	}
	if (netns_enter_spec(o->netns, o->root, NULL)) {
		return EXIT_RUNTIME;
	}
	memset(&moves, 0, sizeof(moves));
	diagram_sample_init(&s[0]);
	diagram_sample_init(&s[1]);
	r.track = two;
	err = sample(o, &r);
	if (!err && two) {
		while (nanosleep(&ts, &ts) && errno == EINTR) {
		}
		r.before = &s[0];
		r.now = &s[1];
		r.track = false;
		err = sample(o, &r);
		diagram_moves_gone(&s[0], &moves);
	}
	if (!err) {
		obuf_init(&ob, STDOUT_FILENO, 64 * 1024);
		print(o, r.now, r.before, &moves, &ob);
	}
	diagram_sample_finish(&s[0]);
	diagram_sample_finish(&s[1]);
	return err ? EXIT_RUNTIME : cmd_finish_output(&ob);
}

const struct cmd_entry cmd_diagram_entry = {
    .name = "diagram",
    .usage = "sockscope diagram [--interval S] [OPTIONS] [FILTER]",
    .exec = diagram_exec,
};
