// SPDX-License-Identifier: MIT
/*
 * `sockscope explain port :P`: "why does bind() fail, what holds this
 * port". The sockets whose local port is P come through the one
 * acquisition path (the filter "sport = :P", so the kernel selects them),
 * owners from the process map; then the bind rule and what would clear
 * them, scoped to the port.
 */
#include "explain_port.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "acquire.h"
#include "addr.h"
#include "explain.h"
#include "filter.h"
#include "format.h"
#include "list_out.h"
#include "netns_find.h"
#include "proc.h"
#include "sock.h"
#include "state.h"

/* Both the old and the new socket must set SO_REUSEADDR. */
static const struct fact bind_rule = {
    "Linux lets bind() take a port that other sockets hold only if none "
    "of them is a listener on the same address and both the old sockets "
    "and the new one set SO_REUSEADDR, or all set SO_REUSEPORT (then a "
    "socket other than TIME_WAIT must belong to the same user). "
    "SO_REUSEADDR on the new socket alone is not enough, and it removes "
    "no TIME_WAIT",
    "net/ipv4/inet_connection_sock.c inet_bind_conflict(), "
    "inet_csk_bind_conflict(); socket(7) SO_REUSEADDR",
};

static const struct fact tw_destroy = {
    "SOCK_DESTROY closes TIME_WAIT sockets on Linux 6.0 and later",
    "net/ipv4/tcp.c tcp_abort() (commit af9784d007d8)",
};

struct port_rows {
	struct sock_rec *rec;
	size_t n, cap;
	uint64_t tcp[SS_MAX];
	uint64_t udp;
};

static int keep_row(const struct sock_rec *rec, void *data)
{
	struct port_rows *r = data;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->rec = xrealloc(r->rec, r->cap * sizeof(*r->rec));
	}
	r->rec[r->n] = *rec;
	memset(&r->rec[r->n].ext, 0, sizeof(r->rec[r->n].ext));
	r->n++;
	if (rec->protocol == IPPROTO_TCP && rec->state < SS_MAX) {
		r->tcp[rec->state]++;
	} else if (rec->protocol == IPPROTO_UDP) {
		r->udp++;
	}
	return 0;
}

static int parse_port(const char *arg, uint16_t *port)
{
	const char *p = arg[0] == ':' ? arg + 1 : arg;
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*p)) {
		return -EINVAL;
	}
	errno = 0;
	v = strtoul(p, &end, 10);
	if (*end || errno || v < 1 || v > 65535) {
		return -EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
}

/* The options of a listing of every socket on the port. */
static int port_opts(const struct opts *o, uint16_t port, struct opts *po)
{
	struct filter_error ferr;
	char sport[] = "sport", eq[] = "=", word[16];
	char *words[] = {sport, eq, word};

	snprintf(word, sizeof(word), ":%u", port);
	*po = *o;
	po->all = true;
	po->numeric = true;
	po->processes = !o->load_path;
	return filter_parse(3, words, &po->filter, &ferr);
}

static int collect(const struct opts *po, struct port_rows *r)
{
	struct acquire a;
	int err;

	acquire_init(&a, po);
	a.states[IPPROTO_TCP] = SS_ALL_BITS;
	a.states[IPPROTO_UDP] = SS_ALL_BITS;
	err = acquire_run(&a, keep_row, r);
	acquire_finish(&a);
	return err;
}

struct verdict {
	char bind[512];
	char kill_tw[256]; /* empty: none */
	char kill_rest[256];
	bool tw_killable;
};

static uint64_t tcp_total(const struct port_rows *r)
{
	uint64_t n = 0;

	for (unsigned int s = 0; s < SS_MAX; s++) {
		n += r->tcp[s];
	}
	return n;
}

/* " -N NAME" for the suggested commands; a name a shell would need
 * quoted for (or a terminal could misread) is left as NETNS. */
static void netns_words(const struct opts *o, char *buf, size_t len)
{
	const char *n = o->netns;

	if (!n) {
		return;
	}
	for (const char *p = n; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("-_./", *p)) {
			n = "NETNS";
			break;
		}
	}
	snprintf(buf, len, " -N %s", strlen(n) < 64 ? n : "NETNS");
}

static void decide(const struct opts *o, const struct port_rows *r,
		   uint16_t port, struct verdict *v)
{
	uint64_t tw = r->tcp[SS_TIME_WAIT], listen = r->tcp[SS_LISTEN];
	uint64_t rest = tcp_total(r) - tw - listen;
	char release[64];
	struct kver k;
	char ns[80] = "";

	memset(v, 0, sizeof(*v));
	netns_words(o, ns, sizeof(ns));
	v->tw_killable =
	    !explain_kernel(o->root, &k, release, sizeof(release)) &&
	    kver_at_least(&k, 6, 0);
	if (listen) {
		snprintf(v->bind, sizeof(v->bind),
			 "a TCP listener holds :%u: another bind() to the same "
			 "address fails with EADDRINUSE (SO_REUSEADDR does not "
			 "help; SO_REUSEPORT does when both set it, same user)",
			 port);
	} else if (tw || rest) {
		snprintf(v->bind, sizeof(v->bind),
			 "no listener; %llu TIME_WAIT and %llu other TCP "
			 "sockets hold :%u: a new bind() succeeds only if they "
			 "and the new socket all set SO_REUSEADDR (not visible "
			 "from here; the old ones inherited it from their "
			 "listener)",
			 (unsigned long long)tw, (unsigned long long)rest,
			 port);
	} else {
		snprintf(v->bind, sizeof(v->bind),
			 "no TCP socket holds :%u: bind() succeeds", port);
	}
	if (tw && v->tw_killable) {
		snprintf(v->kill_tw, sizeof(v->kill_tw),
			 "sockscope kill%s state time-wait sport = :%u", ns,
			 port);
	} else if (tw) {
		snprintf(v->kill_tw, sizeof(v->kill_tw),
			 "none: this kernel cannot destroy TIME_WAIT (Linux "
			 "6.0 can); they end within 60 s");
	}
	if (rest) {
		snprintf(v->kill_rest, sizeof(v->kill_rest),
			 "sockscope kill%s state connected exclude time-wait "
			 "sport = :%u",
			 ns, port);
	}
}

static void table_port(struct obuf *ob, const struct port_rows *r,
		       uint16_t port, const struct verdict *v)
{
	obuf_printf(ob, "\nPort %u: %llu TCP socket%s", port,
		    (unsigned long long)tcp_total(r),
		    tcp_total(r) == 1 ? "" : "s");
	for (unsigned int s = 1; s < SS_MAX; s++) {
		if (r->tcp[s]) {
			obuf_printf(ob, ", %s %llu", state_name(s, IPPROTO_TCP),
				    (unsigned long long)r->tcp[s]);
		}
	}
	obuf_printf(ob, "; %llu UDP\n", (unsigned long long)r->udp);
	explain_put(ob, "bind():", v->bind, NULL);
	explain_put(ob, "Rule:", bind_rule.text, bind_rule.source);
	if (v->kill_tw[0]) {
		explain_put(ob, "Clear TW:", v->kill_tw, tw_destroy.source);
	}
	if (v->kill_rest[0]) {
		explain_put(ob, "Clear:", v->kill_rest, NULL);
	}
	if (v->kill_tw[0] || v->kill_rest[0]) {
		explain_put(ob, "",
			    "(kill lists them; add --yes to close "
			    "them)",
			    NULL);
	}
}

static void json_endpoint(struct jw *w, const char *key, uint8_t family,
			  const uint8_t *addr, uint16_t port)
{
	char a[ADDR_STRLEN];

	addr_format(a, family, addr);
	jw_object(w, key);
	jw_string(w, "addr", a);
	jw_u64(w, "port", port);
	jw_end(w);
}

static void json_row(struct jw *w, const struct sock_rec *rec,
		     const struct proc_map *procs)
{
	struct proc_owner po;
	size_t cursor = 0;
	char netid[8];

	jw_object(w, NULL);
	jw_string(w, "netid", format_netid(rec->protocol, netid));
	jw_string(w, "state", state_name(rec->state, rec->protocol));
	json_endpoint(w, "local", rec->family, rec->saddr, rec->sport);
	json_endpoint(w, "peer", rec->family, rec->daddr, rec->dport);
	jw_u64(w, "inode", rec->inode);
	jw_array(w, "process");
	while (procs && rec->inode &&
	       proc_map_next(procs, rec->inode, &cursor, &po)) {
		jw_object(w, NULL);
		char name[64];
		size_t n = po.name_len < sizeof(name) - 1 ? po.name_len
							  : sizeof(name) - 1;

		/* Raw bytes: jw_string escapes them. */
		memcpy(name, po.name, n);
		name[n] = '\0';
		jw_string(w, "name", name);
		jw_u64(w, "pid", po.pid);
		jw_u64(w, "fd", po.fd);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

static void json_port(struct jw *w, const struct opts *po,
		      const struct port_rows *r, uint16_t port,
		      const struct verdict *v)
{
	struct proc_map *procs = NULL;

	if (po->processes) {
		proc_map_build_said(po->root, &procs, "explain", "no owners");
	}
	jw_object(w, NULL);
	jw_string(w, "topic", "port");
	jw_u64(w, "port", port);
	jw_array(w, "sockets");
	for (size_t i = 0; i < r->n; i++) {
		json_row(w, &r->rec[i], procs);
	}
	jw_end(w);
	jw_object(w, "counts");
	for (unsigned int s = 1; s < SS_MAX; s++) {
		if (r->tcp[s]) {
			jw_u64(w, state_name(s, IPPROTO_TCP), r->tcp[s]);
		}
	}
	jw_u64(w, "udp", r->udp);
	jw_end(w);
	jw_string(w, "bind", v->bind);
	explain_json_fact(w, "bind_rule", &bind_rule);
	jw_object(w, "kill");
	jw_bool(w, "time_wait_destroyable", v->tw_killable);
	jw_string(w, "time_wait_source", tw_destroy.source);
	if (v->kill_tw[0]) {
		jw_string(w, "time_wait", v->kill_tw);
	}
	if (v->kill_rest[0]) {
		jw_string(w, "other", v->kill_rest);
	}
	jw_end(w);
	jw_end(w);
	proc_map_destroy(procs);
}

static int print_port(const struct opts *po, const struct port_rows *r,
		      uint16_t port)
{
	struct verdict v;
	struct list_out lo;
	struct obuf ob;
	struct jw w;
	int err;

	decide(po, r, port, &v);
	if (po->format == FMT_TABLE) {
		list_out_begin(&lo, po);
		for (size_t i = 0; i < r->n; i++) {
			lo.fmt->row(&lo.fc, &r->rec[i]);
		}
		err = list_out_end(&lo);
		if (err) {
			return EXIT_RUNTIME;
		}
	}
	explain_out_begin(&ob, &w);
	if (po->format == FMT_TABLE) {
		table_port(&ob, r, port, &v);
	} else {
		json_port(&w, po, r, port, &v);
		obuf_putc(&ob, '\n');
	}
	return obuf_finish_stdout(&ob) ? EXIT_RUNTIME : EXIT_OK;
}

int explain_port(const struct opts *o, const char *arg)
{
	struct port_rows r = {0};
	struct opts po;
	uint16_t port;
	int ret;

	if (parse_port(arg, &port)) {
		struct obuf ob;

		obuf_init(&ob, STDERR_FILENO, 256);
		obuf_puts(&ob, "sockscope: explain port: '");
		obuf_escape_text(&ob, arg, strlen(arg));
		obuf_puts(&ob, "' is not a port from 1 to 65535\n");
		obuf_finish(&ob);
		return EXIT_USAGE;
	}
	if (netns_enter_spec(o->netns, o->root, NULL)) {
		return EXIT_RUNTIME;
	}
	if (port_opts(o, port, &po)) {
		return EXIT_RUNTIME;
	}
	ret = collect(&po, &r) ? EXIT_RUNTIME : print_port(&po, &r, port);
	free(r.rec);
	filter_destroy(po.filter);
	return ret;
}
