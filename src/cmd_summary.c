// SPDX-License-Identifier: MIT
/*
 * `sockscope summary` (-s): socket counts per state and family, the
 * kernel's own totals, and top-N breakdowns, as a table, JSON or
 * Prometheus text. Counting lives in summary.c, the sections in report.c,
 * their table and JSON in report_render.c; this file runs the command and,
 * with --all-netns, ranks the namespaces.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acquire.h"
#include "cmd.h"
#include "format_detail.h"
#include "format_prom.h"
#include "netns_find.h"
#include "report.h"
#include "snapshot.h"
#include "state.h"
#include "util.h"

/* ---- summary --all-netns (issue 19) ---- */

/* What the node-wide ranking orders namespaces by, largest first. */
enum ns_key {
	NSK_SOCKETS,
	NSK_TIME_WAIT,
	NSK_CLOSE_WAIT,
	NSK_FILL,
	NSK_TUPLES,
	NSK_MAX
};

static const struct {
	const char *title; /* the table's */
	const char *json;
	bool ratio; /* printed as a percentage, else a count */
} ns_keys[NSK_MAX] = {
    [NSK_SOCKETS] = {"sockets", "sockets", false},
    [NSK_TIME_WAIT] = {"TIME_WAIT", "time_wait", false},
    [NSK_CLOSE_WAIT] = {"CLOSE_WAIT", "close_wait", false},
    [NSK_FILL] = {"accept-queue fill", "accept_queue_fill", true},
    [NSK_TUPLES] = {"tuple pressure", "tuple_pressure", true},
};

struct ns_rank {
	const struct netns_entry *e;
	double v[NSK_MAX];
};

struct ns_summary {
	const struct opts *o;
	struct obuf *out;
	struct ns_rank *rank;
	struct prom_netns_row *prom;
	size_t n;
	struct acquire_notes notes; /* every namespace's sample shares it */
};

static void ns_figures(struct ns_rank *k, const struct report *r)
{
	const struct report_states *s = &r->states;

	k->v[NSK_SOCKETS] = (double)s->total;
	k->v[NSK_TIME_WAIT] =
	    (double)(s->tcp[0][SS_TIME_WAIT] + s->tcp[1][SS_TIME_WAIT]);
	k->v[NSK_CLOSE_WAIT] =
	    (double)(s->tcp[0][SS_CLOSE_WAIT] + s->tcp[1][SS_CLOSE_WAIT]);
	k->v[NSK_FILL] = r->n_listeners ? r->listeners[0].fill : 0;
	k->v[NSK_TUPLES] = r->tuples.max_held_ratio;
}

static void ns_heading(struct obuf *ob, const struct netns_entry *e)
{
	obuf_puts(ob, "Netns ");
	obuf_escape_text(ob, e->label.text, strlen(e->label.text));
	obuf_printf(ob, " (%s, inode %llu", netns_kind_name(e->label.kind),
		    (unsigned long long)e->ino);
	if (e->pid) {
		obuf_printf(ob, ", pid %d", (int)e->pid);
	}
	obuf_puts(ob, ")\n");
}

/* One namespace, entered: its report printed (table, JSON) or kept
 * (Prometheus), its figures kept for the ranking. */
static int summary_ns(const struct netns_entry *e, void *data)
{
	struct ns_summary *ns = data;
	const struct opts *o = ns->o;
	struct ns_rank *k = &ns->rank[ns->n];
	struct snapshot snap;
	struct report r;
	int err = snapshot_gather_opts(&snap, o, 0, &ns->notes);

	if (err) {
		snapshot_finish(&snap);
		return -ENODEV; /* said; a skip, the others go on */
	}
	report_build(&r, &snap, o->top, o->protocols);
	k->e = e;
	ns_figures(k, &r);
	if (o->format == FMT_PROMETHEUS) {
		ns->prom[ns->n] = (struct prom_netns_row){
		    .label = &e->label,
		    .states = r.states,
		    .fill_max = k->v[NSK_FILL],
		    .tuple_ratio = r.tuples.max_held_ratio,
		    .have_ports = r.ports.have,
		};
	} else if (o->format == FMT_TABLE) {
		ns_heading(ns->out, e);
		report_table(ns->out, &r, o);
		obuf_putc(ns->out, '\n');
	} else {
		obuf_puts(ns->out, ns->n ? ",{\"netns\":" : "{\"netns\":");
		detail_json_netns(ns->out, e);
		obuf_puts(ns->out, ",\"summary\":");
		report_json(ns->out, &r, o);
		obuf_putc(ns->out, '}');
	}
	ns->n++;
	report_finish(&r);
	snapshot_finish(&snap);
	return ns->out->err == -EPIPE ? -EPIPE : 0;
}

/* Largest first; ties in listing order (the label's). */
static int by_key(const void *pa, const void *pb, void *key)
{
	const struct ns_rank *a = *(const struct ns_rank *const *)pa;
	const struct ns_rank *b = *(const struct ns_rank *const *)pb;
	double x = a->v[*(enum ns_key *)key], y = b->v[*(enum ns_key *)key];

	if (x != y) {
		return x < y ? 1 : -1;
	}
	return a < b ? -1 : a > b;
}

static void ns_value(struct obuf *ob, enum ns_key key, double v, bool json)
{
	if (ns_keys[key].ratio) {
		obuf_printf(ob, json ? "%.6f" : "%9.0f%%", json ? v : 100 * v);
	} else {
		obuf_printf(ob, json ? "%.0f" : "%10.0f", v);
	}
}

/* The node-wide ranking: per key, the --top namespaces, largest first. */
static void ns_ranking(struct obuf *ob, const struct ns_summary *ns,
		       const struct opts *o)
{
	const struct ns_rank **idx = xcalloc(ns->n ? ns->n : 1, sizeof(*idx));
	bool json = o->format != FMT_TABLE;
	size_t top = o->top < ns->n ? o->top : ns->n;
	/* The rankings past sockets are TCP's: as the report's sections,
	 * only with TCP or UDP selected. */
	enum ns_key end = report_inet(o->protocols) ? NSK_MAX : NSK_SOCKETS + 1;

	obuf_puts(ob, json ? "],\"ranking\":{" : "");
	for (enum ns_key k = 0; k < end; k++) {
		for (size_t i = 0; i < ns->n; i++) {
			idx[i] = &ns->rank[i];
		}
		qsort_r(idx, ns->n, sizeof(*idx), by_key, &k);
		if (json) {
			obuf_printf(ob, "%s\"%s\":[", k ? "," : "",
				    ns_keys[k].json);
		} else {
			obuf_printf(ob,
				    "Namespaces by %s (top %zu of %zu)\n%10s  "
				    "Netns\n",
				    ns_keys[k].title, top, ns->n,
				    ns_keys[k].ratio ? "percent" : "count");
		}
		for (size_t i = 0; i < top; i++) {
			if (json) {
				obuf_puts(ob,
					  i ? ",{\"netns\":" : "{\"netns\":");
				detail_json_netns(ob, idx[i]->e);
				obuf_puts(ob, ",\"value\":");
				ns_value(ob, k, idx[i]->v[k], true);
				obuf_putc(ob, '}');
			} else {
				ns_value(ob, k, idx[i]->v[k], false);
				obuf_puts(ob, "  ");
				obuf_escape_text(ob, idx[i]->e->label.text,
						 strlen(idx[i]->e->label.text));
				obuf_putc(ob, '\n');
			}
		}
		obuf_puts(ob, json ? "]" : k + 1 < end ? "\n" : "");
	}
	obuf_puts(ob, json ? "}" : "");
	free(idx);
}

/*
 * Every namespace of the host (netns_find.h): each one's summary, then the
 * ranking. A namespace that could not be read is named on stderr and makes
 * the exit status 1.
 */
static int summary_all_netns(const struct opts *o)
{
	struct ns_summary ns = {.o = o, .notes.sum = true};
	struct netns_set set;
	unsigned int skipped = 0;
	struct obuf out;
	int err = netns_discover(&set, o->root);
	int ret;

	if (err) {
		netns_discover_warn(o->root, err);
		return EXIT_RUNTIME;
	}
	netns_set_sort(&set);
	ns.rank = xcalloc(set.n ? set.n : 1, sizeof(*ns.rank));
	ns.prom = xcalloc(set.n ? set.n : 1, sizeof(*ns.prom));
	obuf_init(&out, STDOUT_FILENO, 64 * 1024);
	ns.out = &out;
	if (o->format == FMT_JSON || o->format == FMT_NDJSON) {
		obuf_puts(&out, "{\"namespaces\":[");
	}
	err = netns_each(&set, summary_ns, &ns, &skipped);
	acquire_notes_say(&ns.notes);
	if (o->format == FMT_PROMETHEUS) {
		prom_netns(&out, ns.prom, ns.n, o->protocols, false);
	} else {
		ns_ranking(&out, &ns, o);
	}
	if (o->format == FMT_JSON || o->format == FMT_NDJSON) {
		obuf_puts(&out, "}\n");
	}
	ret = cmd_finish_output(&out);
	free(ns.rank);
	free(ns.prom);
	netns_set_finish(&set);
	if (ret == EXIT_OK && ((err && err != -EPIPE) || skipped)) {
		ret = EXIT_RUNTIME;
	}
	return ret;
}

static int summary_exec(const struct opts *o)
{
	struct snapshot snap;
	struct report r;
	struct obuf out;
	int err;
	int ret;

	if (o->all_netns) {
		return summary_all_netns(o);
	}
	err = snapshot_gather_opts(&snap, o, 0, NULL);
	if (err) {
		snapshot_finish(&snap);
		return EXIT_RUNTIME;
	}
	report_build(&r, &snap, o->top, o->protocols);
	obuf_init(&out, STDOUT_FILENO, 64 * 1024);
	if (o->format == FMT_PROMETHEUS) {
		prom_snapshot(&out, &r, o->protocols);
	} else if (o->format == FMT_TABLE) {
		report_table(&out, &r, o);
	} else {
		report_json(&out, &r, o);
	}
	ret = cmd_finish_output(&out);
	report_finish(&r);
	snapshot_finish(&snap);
	return ret;
}

const struct cmd_entry cmd_summary_entry = {
    .name = "summary",
    .usage = "sockscope summary [OPTIONS] [FILTER]",
    .exec = summary_exec,
};
