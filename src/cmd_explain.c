// SPDX-License-Identifier: MIT
/*
 * `sockscope explain STATE|SYSCTL|port :P`: the facts table (facts.h) for
 * one topic, next to what this host shows now: the number of sockets in
 * the state (through the one acquisition path), the sysctl's value (read
 * under --root), or who holds the port (explain_port.c). Without a topic:
 * the index of topics, or with -j the whole table.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "acquire.h"
#include "cmd.h"
#include "explain.h"
#include "explain_port.h"
#include "netns_find.h"
#include "sock.h"

struct state_count {
	uint64_t total, inet, inet6;
	uint64_t orphaned; /* no process holds it (inode 0) */
};

static int count_row(const struct sock_rec *rec, void *data)
{
	struct state_count *c = data;

	c->total++;
	if (rec->family == AF_INET) {
		c->inet++;
	} else {
		c->inet6++;
	}
	c->orphaned += rec->inode == 0;
	return 0;
}

static int count_state(const struct opts *o, const struct state_fact *sf,
		       struct state_count *c)
{
	struct acquire a;
	int err;

	memset(c, 0, sizeof(*c));
	acquire_init(&a, o);
	a.protocols = PROTO_TCP;
	a.states[IPPROTO_TCP] = sf->codes;
	err = acquire_run(&a, count_row, c);
	acquire_finish(&a);
	return err;
}

/* "net.ipv4.tcp_fin_timeout = 60" (or "(not readable here)"). */
static void knob_text(const struct opts *o, const char *name, char *buf,
		      size_t len)
{
	char v[96], esc[4 * sizeof(v) + 1];
	int err = explain_sysctl_value(o->root, name, v, sizeof(v));

	if (err) {
		snprintf(buf, len, "%s (not readable here: %s)", name,
			 strerror(-err));
	} else {
		/* The file's text (a --root tree anyone may have filled). */
		escape_text(esc, v, strlen(v));
		snprintf(buf, len, "%s = %s here", name, esc);
	}
}

static void table_myths(struct obuf *ob, const struct myth *m, int n)
{
	for (int i = 0; i < n && m[i].myth; i++) {
		char q[512];

		snprintf(q, sizeof(q), "\"%s\"", m[i].myth);
		explain_put(ob, "Myth:", q, NULL);
		explain_put(ob, "Truth:", m[i].truth, m[i].source);
	}
}

static void table_state(struct obuf *ob, const struct opts *o,
			const struct state_fact *sf,
			const struct state_count *c)
{
	char buf[512];
	bool orphans =
	    sf->codes & (SS_BIT(SS_FIN_WAIT1) | SS_BIT(SS_FIN_WAIT2) |
			 SS_BIT(SS_LAST_ACK) | SS_BIT(SS_CLOSING));

	obuf_printf(ob, "%s (ss: %s)\n\n", sf->name, sf->ss_name);
	snprintf(buf, sizeof(buf), "%llu (inet %llu, inet6 %llu)",
		 (unsigned long long)c->total, (unsigned long long)c->inet,
		 (unsigned long long)c->inet6);
	if (orphans) {
		size_t n = strlen(buf);

		snprintf(
		    buf + n, sizeof(buf) - n,
		    "; orphaned (no process) %llu, owned by a process %llu",
		    (unsigned long long)c->orphaned,
		    (unsigned long long)(c->total - c->orphaned));
	}
	explain_put(ob, "Here now:", buf, NULL);
	explain_put(ob, "Who:", sf->who.text, sf->who.source);
	explain_put(ob, "Entered:", sf->enter.text, sf->enter.source);
	explain_put(ob, "Waits for:", sf->waits.text, sf->waits.source);
	explain_put(ob, "Timer:", sf->timer.text, sf->timer.source);
	if (sf->timer_knob) {
		knob_text(o, sf->timer_knob, buf, sizeof(buf));
	} else {
		snprintf(buf, sizeof(buf),
			 "none: no sysctl changes how long "
			 "it lasts");
	}
	explain_put(ob, "Knob:", buf, NULL);
	for (int i = 0; i < FACTS_RELATED && sf->related[i]; i++) {
		knob_text(o, sf->related[i], buf, sizeof(buf));
		explain_put(ob, i ? "" : "Related:", buf, NULL);
	}
	explain_put(ob, "Many?", sf->many.text, sf->many.source);
	explain_put(ob, "List:", sf->list_cmd, NULL);
	if (sf->kill_cmd) {
		explain_put(ob, "Clear:", sf->kill_cmd, NULL);
	}
	table_myths(ob, sf->myths, FACTS_MYTHS);
	explain_put(ob, "RFC:", sf->rfc, NULL);
}

static void json_myths(struct jw *w, const struct myth *m, int n)
{
	jw_array(w, "myths");
	for (int i = 0; i < n && m[i].myth; i++) {
		jw_object(w, NULL);
		jw_string(w, "myth", m[i].myth);
		jw_string(w, "truth", m[i].truth);
		jw_string(w, "source", m[i].source);
		jw_end(w);
	}
	jw_end(w);
}

/* A sysctl name with its value here; root NULL: the name alone. */
static void json_knob(struct jw *w, const char *key, const char *name,
		      const char *root)
{
	char v[128];

	jw_object(w, key);
	jw_string(w, "name", name);
	if (root && !explain_sysctl_value(root, name, v, sizeof(v))) {
		jw_string(w, "current", v);
	}
	jw_end(w);
}

/* The facts of a state; with root, also the sysctls' values there. */
static void json_state(struct jw *w, const struct state_fact *sf,
		       const char *root)
{
	jw_string(w, "name", sf->name);
	jw_string(w, "ss_name", sf->ss_name);
	jw_array(w, "codes");
	for (unsigned int c = 1; c < SS_MAX; c++) {
		if (sf->codes & SS_BIT(c)) {
			jw_u64(w, NULL, c);
		}
	}
	jw_end(w);
	jw_string(w, "rfc", sf->rfc);
	explain_json_fact(w, "who", &sf->who);
	explain_json_fact(w, "enter", &sf->enter);
	explain_json_fact(w, "waits", &sf->waits);
	explain_json_fact(w, "timer", &sf->timer);
	if (sf->timer_s) {
		jw_u64(w, "timer_seconds", sf->timer_s);
	}
	if (sf->timer_knob) {
		json_knob(w, "timer_knob", sf->timer_knob, root);
	} else {
		jw_string(w, "timer_knob", "none");
	}
	jw_array(w, "related");
	for (int i = 0; i < FACTS_RELATED && sf->related[i]; i++) {
		json_knob(w, NULL, sf->related[i], root);
	}
	jw_end(w);
	explain_json_fact(w, "many", &sf->many);
	jw_string(w, "list_command", sf->list_cmd);
	if (sf->kill_cmd) {
		jw_string(w, "kill_command", sf->kill_cmd);
	}
	json_myths(w, sf->myths, FACTS_MYTHS);
}

static int explain_state(const struct opts *o, const struct state_fact *sf)
{
	struct state_count c;
	struct obuf ob;
	struct jw w;

	if (count_state(o, sf, &c)) {
		return EXIT_RUNTIME;
	}
	explain_out_begin(&ob, &w);
	if (o->format == FMT_TABLE) {
		table_state(&ob, o, sf, &c);
		return cmd_finish_output(&ob);
	}
	jw_object(&w, NULL);
	jw_string(&w, "topic", "state");
	json_state(&w, sf, o->root);
	jw_object(&w, "count");
	jw_u64(&w, "total", c.total);
	jw_u64(&w, "inet", c.inet);
	jw_u64(&w, "inet6", c.inet6);
	jw_u64(&w, "orphaned", c.orphaned);
	jw_end(&w);
	jw_end(&w);
	obuf_putc(&ob, '\n');
	return cmd_finish_output(&ob);
}

/* The states whose lifetime the sysctl bounds, "FIN_WAIT2, ...". */
static void bounds_text(const struct sysctl_fact *sc, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < facts_n_states(); i++) {
		const struct state_fact *sf = facts_state(i);

		if (sc->bounds & sf->codes) {
			at += (size_t)snprintf(buf + at, len - at, "%s%s",
					       at ? ", " : "", sf->name);
			if (at >= len) {
				break;
			}
		}
	}
}

struct sysctl_here {
	bool have_kernel;
	struct kver k;
	char release[64];
	char value[256];
	int err; /* reading value */
};

static void sysctl_here(const struct opts *o, const struct sysctl_fact *sc,
			struct sysctl_here *h)
{
	memset(h, 0, sizeof(*h));
	h->have_kernel =
	    !explain_kernel(o->root, &h->k, h->release, sizeof(h->release));
	h->err =
	    explain_sysctl_value(o->root, sc->name, h->value, sizeof(h->value));
}

static void default_text(const struct sysctl_fact *sc,
			 const struct sysctl_here *h, char *buf, size_t len)
{
	const char *d;

	if (!h->have_kernel) {
		snprintf(buf, len, "%s (kernel version unknown)",
			 sc->defaults[0].value);
		return;
	}
	d = facts_sysctl_default(sc, &h->k);
	if (d) {
		snprintf(buf, len, "%s%s%s on Linux %u.%u", d,
			 sc->unit[0] ? " " : "", sc->unit, h->k.major,
			 h->k.minor);
	} else if (!h->err) {
		/* The file is there: a distribution backported it (or
		 * kept it); the table's newest default is the best guess. */
		snprintf(buf, len,
			 "%s (present here although Linux %u.%u "
			 "%s it: a backport?)",
			 sc->defaults[0].value, h->k.major, h->k.minor,
			 sc->removed.major ? "removed" : "predates");
	} else if (sc->removed.major) {
		snprintf(buf, len,
			 "none: removed in Linux %u.%u (this is "
			 "%u.%u)",
			 sc->removed.major, sc->removed.minor, h->k.major,
			 h->k.minor);
	} else {
		snprintf(buf, len,
			 "none: added in Linux %u.%u (this is "
			 "%u.%u)",
			 sc->added.major, sc->added.minor, h->k.major,
			 h->k.minor);
	}
}

static void table_sysctl(struct obuf *ob, const struct sysctl_fact *sc,
			 const struct sysctl_here *h)
{
	char buf[512];

	obuf_printf(ob, "%s (%s)\n\n", sc->name,
		    sc->per_netns ? "per network namespace" : "host-wide");
	explain_put(ob, "Meaning:", sc->meaning.text, sc->meaning.source);
	default_text(sc, h, buf, sizeof(buf));
	explain_put(ob, "Default:", buf, sc->default_source);
	obuf_puts(ob, "Current:    ");
	if (h->err) {
		obuf_printf(ob, "not readable here (%s)\n", strerror(-h->err));
	} else {
		/* From a file under --root: escaped. */
		obuf_escape_text(ob, h->value, strlen(h->value));
		obuf_putc(ob, '\n');
	}
	bounds_text(sc, buf, sizeof(buf));
	if (buf[0]) {
		explain_put(ob, "Bounds:", buf, "the timer of these states");
	}
	if (sc->myth.myth) {
		table_myths(ob, &sc->myth, 1);
	}
}

/* The facts of a sysctl; h NULL: no values from this host. */
static void json_sysctl(struct jw *w, const struct sysctl_fact *sc,
			const struct sysctl_here *h)
{
	char buf[512];

	jw_string(w, "name", sc->name);
	jw_string(w, "unit", sc->unit);
	jw_bool(w, "per_netns", sc->per_netns);
	explain_json_fact(w, "meaning", &sc->meaning);
	jw_array(w, "defaults");
	for (int i = 0; i < FACTS_DEFAULTS && sc->defaults[i].value; i++) {
		snprintf(buf, sizeof(buf), "%u.%u", sc->defaults[i].major,
			 sc->defaults[i].minor);
		jw_object(w, NULL);
		jw_string(w, "since", buf);
		jw_string(w, "value", sc->defaults[i].value);
		jw_end(w);
	}
	jw_end(w);
	jw_string(w, "default_source", sc->default_source);
	if (sc->added.major) {
		snprintf(buf, sizeof(buf), "%u.%u", sc->added.major,
			 sc->added.minor);
		jw_string(w, "added", buf);
	}
	if (sc->removed.major) {
		snprintf(buf, sizeof(buf), "%u.%u", sc->removed.major,
			 sc->removed.minor);
		jw_string(w, "removed", buf);
	}
	jw_array(w, "bounds");
	for (size_t i = 0; i < facts_n_states(); i++) {
		if (sc->bounds & facts_state(i)->codes) {
			jw_string(w, NULL, facts_state(i)->name);
		}
	}
	jw_end(w);
	if (sc->myth.myth) {
		json_myths(w, &sc->myth, 1);
	}
	if (!h || !h->have_kernel) {
		return;
	}
	jw_string(w, "kernel", h->release);
	if (facts_sysctl_default(sc, &h->k)) {
		jw_string(w, "default", facts_sysctl_default(sc, &h->k));
	}
	jw_bool(w, "exists", facts_sysctl_exists(sc, &h->k));
}

static int explain_sysctl(const struct opts *o, const struct sysctl_fact *sc)
{
	struct sysctl_here h;
	struct obuf ob;
	struct jw w;

	sysctl_here(o, sc, &h);
	explain_out_begin(&ob, &w);
	if (o->format == FMT_TABLE) {
		table_sysctl(&ob, sc, &h);
		return cmd_finish_output(&ob);
	}
	jw_object(&w, NULL);
	jw_string(&w, "topic", "sysctl");
	json_sysctl(&w, sc, &h);
	if (!h.err) {
		jw_string(&w, "current", h.value);
	} else {
		jw_string(&w, "current_error", strerror(-h.err));
	}
	jw_end(&w);
	obuf_putc(&ob, '\n');
	return cmd_finish_output(&ob);
}

static void table_index(struct obuf *ob)
{
	obuf_puts(ob, "TCP states (sockscope explain STATE):\n");
	for (size_t i = 0; i < facts_n_states(); i++) {
		const struct state_fact *sf = facts_state(i);

		obuf_printf(ob, "  %-12s %-12s %s\n", sf->name, sf->ss_name,
			    sf->timer_knob ? sf->timer_knob
			    : sf->timer_s  ? "fixed 60 s"
					   : "no timer knob");
	}
	obuf_puts(ob, "\nSysctls (sockscope explain NAME):\n");
	for (size_t i = 0; i < facts_n_sysctls(); i++) {
		obuf_printf(ob, "  %s\n", facts_sysctl(i)->name);
	}
	obuf_puts(ob, "\nPorts: sockscope explain port :PORT\n");
}

/* The whole table, for tools and for the man page check. */
static void json_index(struct jw *w, const struct opts *o)
{
	struct sysctl_here h = {0};

	h.have_kernel =
	    !explain_kernel(o->root, &h.k, h.release, sizeof(h.release));
	jw_object(w, NULL);
	jw_array(w, "states");
	for (size_t i = 0; i < facts_n_states(); i++) {
		jw_object(w, NULL);
		json_state(w, facts_state(i), NULL);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "sysctls");
	for (size_t i = 0; i < facts_n_sysctls(); i++) {
		jw_object(w, NULL);
		json_sysctl(w, facts_sysctl(i), &h);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "edges");
	for (size_t i = 0; i < facts_n_edges(); i++) {
		const struct state_edge *e = facts_edge(i);

		jw_object(w, NULL);
		jw_string(w, "from", facts_state_by_code(e->from)->name);
		jw_string(w, "to", facts_state_by_code(e->to)->name);
		jw_string(w, "event", e->event);
		jw_string(w, "source", e->source);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

static int explain_index(const struct opts *o)
{
	struct obuf ob;
	struct jw w;

	explain_out_begin(&ob, &w);
	if (o->format == FMT_TABLE) {
		table_index(&ob);
	} else {
		json_index(&w, o);
		obuf_putc(&ob, '\n');
	}
	return cmd_finish_output(&ob);
}

/* One line naming the word (escaped: it came from the command line). */
static int unknown_topic(const char *what, const char *word)
{
	struct obuf ob;

	obuf_init(&ob, STDERR_FILENO, 512);
	obuf_printf(&ob, "sockscope: explain: %s '", what);
	obuf_escape_text(&ob, word, strlen(word));
	obuf_puts(&ob, "' (try 'sockscope explain' for the list)\n");
	obuf_finish(&ob);
	return EXIT_USAGE;
}

static int explain_exec(const struct opts *o)
{
	const struct state_fact *sf;
	const struct sysctl_fact *sc;
	char *const *av = o->filter_argv;
	int ac = o->filter_argc;

	if (o->format == FMT_PROMETHEUS || o->format == FMT_NDJSON) {
		warnx_("explain: --format table or json");
		return EXIT_USAGE;
	}
	if (ac > 0 && !strcmp(av[0], "port")) {
		if (ac != 2) {
			warnx_("explain: port needs one port: 'sockscope "
			       "explain port :8080'");
			return EXIT_USAGE;
		}
		return explain_port(o, av[1]);
	}
	if (ac > 1) {
		return unknown_topic("one topic, not", av[1]);
	}
	sf = ac ? facts_state_find(av[0]) : NULL;
	sc = ac && !sf ? facts_sysctl_find(av[0]) : NULL;
	if (ac && !sf && !sc) {
		return unknown_topic("no TCP state or sysctl named", av[0]);
	}
	/* Counts and sysctl values are those of the -N namespace. */
	if (netns_enter_spec(o->netns, o->root, NULL)) {
		return EXIT_RUNTIME;
	}
	if (sf) {
		return explain_state(o, sf);
	}
	return sc ? explain_sysctl(o, sc) : explain_index(o);
}

const struct cmd_entry cmd_explain_entry = {
    .name = "explain",
    .usage = "sockscope explain [STATE | SYSCTL | port :PORT]",
    .exec = explain_exec,
    .topic_words = true,
};
