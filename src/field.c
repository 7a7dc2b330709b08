// SPDX-License-Identifier: MIT
/*
 * The field registry (field.h): one entry per column, and the list's and
 * JSON's getters on a record. top's getters are in field_top.c.
 */
#include "field.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "family.h"
#include "field_top.h"
#include "ifname.h"
#include "state.h"

/* Widest text of the bounded columns (a streamed listing's widths). */
#define QUEUE_MAX_LEN	   10 /* a u32: "4294967295" */
#define PORT_MAX_LEN	   5  /* "65535" */
#define INET_ADDR_MAX_LEN  15 /* "255.255.255.255" */
#define INET6_ADDR_MAX_LEN 41 /* "[ffff:...:ffff]", brackets included */

char *field_room(struct field_cell *c, size_t n)
{
	if (n <= sizeof(c->text)) {
		return c->text;
	}
	if (n > c->big_cap) {
		free(c->big);
		c->big = xmalloc(n);
		c->big_cap = n;
	}
	return c->big;
}

void field_cell_finish(struct field_cell *c)
{
	free(c->big);
	c->big = NULL;
	c->big_cap = 0;
}

/* As ss: the Netid column only when more than one protocol shows. */
static bool netid_shown(const struct fmt_ctx *ctx)
{
	return (ctx->o->protocols & (ctx->o->protocols - 1)) != 0;
}

static const char *netid_text(struct field_cell *c, const struct fmt_ctx *ctx,
			      const struct sock_rec *rec, size_t *len)
{
	const char *s = format_rec_netid(rec, c->text);

	(void)ctx;
	*len = strlen(s);
	return s;
}

static const char *family_text(struct field_cell *c, const struct fmt_ctx *ctx,
			       const struct sock_rec *rec, size_t *len)
{
	const char *s = format_family_name(rec);

	(void)c;
	(void)ctx;
	*len = strlen(s);
	return s;
}

/* The longest name of a state in mask, named as a row of protocol is. */
static size_t states_width(uint32_t mask, uint8_t protocol)
{
	size_t w = 0;

	for (unsigned int s = 0; s < SS_MAX; s++) {
		size_t n = strlen(state_name(s, protocol));

		if ((mask & SS_BIT(s)) && n > w) {
			w = n;
		}
	}
	return w;
}

/* The longest state name the selection can print: each selected table's
 * states as acquire.c asks for them (the registry's defaults). */
static size_t state_bound(const struct fmt_ctx *ctx)
{
	const struct opts *o = ctx->o;
	size_t n, w = 0;
	const struct sock_family *const *fams = family_all(&n);

	for (size_t i = 0; i < n; i++) {
		/* A row's protocol names its state for inet records only
		 * (format_rec_state(): netlink's 6 is XFRM). */
		bool inet = fams[i]->af == AF_INET;

		for (const struct family_table *t = fams[i]->tables;
		     t && t->name; t++) {
			size_t tw;

			if (!(o->protocols & t->bit)) {
				continue;
			}
			tw = states_width(opts_table_states(o, t),
					  inet ? (uint8_t)t->code : 0);
			w = tw > w ? tw : w;
		}
	}
	return w;
}

static const char *state_text(struct field_cell *c, const struct fmt_ctx *ctx,
			      const struct sock_rec *rec, size_t *len)
{
	const char *s = format_rec_state(rec);

	(void)c;
	(void)ctx;
	*len = strlen(s);
	return s;
}

static uint64_t state_code_num(const struct sock_rec *rec)
{
	return rec->state;
}

static size_t queue_bound(const struct fmt_ctx *ctx)
{
	(void)ctx;
	return QUEUE_MAX_LEN;
}

static uint64_t recvq_num(const struct sock_rec *rec)
{
	return rec->recv_q;
}

static uint64_t sendq_num(const struct sock_rec *rec)
{
	return rec->send_q;
}

static void endpoints_json(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	const struct sock_family *f = family_of(rec->family);

	if (f) {
		f->json(ctx, rec);
	}
}

static void dev_json(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	struct obuf *ob = ctx->out;
	char name[IFNAME_BUFLEN];

	if (!rec->ifindex) {
		return;
	}
	obuf_puts(ob, ",\"ifindex\":");
	obuf_u64(ob, rec->ifindex);
	/* No name (gone, or not in a --load file): ifindex only. */
	if (ifnames_lookup(ctx->ifn, rec->ifindex, name)) {
		obuf_puts(ob, ",\"dev\":");
		obuf_json_string(ob, name, strnlen(name, IFNAME_BUFLEN));
	}
}

static uint64_t inode_num(const struct sock_rec *rec)
{
	return rec->inode;
}

static uint64_t uid_num(const struct sock_rec *rec)
{
	return rec->uid;
}

static uint64_t cookie_num(const struct sock_rec *rec)
{
	return rec->cookie;
}

/* An address of the selected families, IPv6 in full, and a port or the
 * longest service name. */
static size_t endpoint_bound(const struct fmt_ctx *ctx)
{
	size_t addr = ctx->o->families & FAM_INET6 ? INET6_ADDR_MAX_LEN
						   : INET_ADDR_MAX_LEN;
	size_t port = PORT_MAX_LEN;

	if (ctx->svc && services_name_max(ctx->svc) > port) {
		port = services_name_max(ctx->svc);
	}
	return addr + 1 + port;
}

static const char *local_text(struct field_cell *c, const struct fmt_ctx *ctx,
			      const struct sock_rec *rec, size_t *len)
{
	*len = format_endpoint(c->text, ctx, rec, false);
	return c->text;
}

static const char *peer_text(struct field_cell *c, const struct fmt_ctx *ctx,
			     const struct sock_rec *rec, size_t *len)
{
	*len = format_endpoint(c->text, ctx, rec, true);
	return c->text;
}

static bool netns_shown(const struct fmt_ctx *ctx)
{
	return ctx->o->all_netns || ctx->o->netns;
}

/* A namespace name is anyone's choice (ip netns add): escaped. */
static const char *netns_text(struct field_cell *c, const struct fmt_ctx *ctx,
			      const struct sock_rec *rec, size_t *len)
{
	size_t n;
	char *buf;

	(void)rec;
	if (!ctx->netns) {
		*len = 1;
		return "-";
	}
	n = strlen(ctx->netns);
	buf = field_room(c, 4 * n + 1);
	*len = escape_text(buf, ctx->netns, n);
	return buf;
}

static const struct field fields[FIELD_MAX] = {
    [FIELD_NETID] = {.name = "netid",
		     .json = "netid",
		     .title = "Netid",
		     .shown = netid_shown,
		     .text = netid_text,
		     .json_plain = true,
		     .top_title = "NETID",
		     .top_width = 5,
		     .keep = 90,
		     .needs = FIELD_NEED_NETID,
		     .top_num = ftop_netid_num,
		     .top_cell = ftop_netid_cell},
    [FIELD_FAMILY] = {.name = "family",
		      .json = "family",
		      .text = family_text,
		      .json_plain = true},
    [FIELD_STATE] = {.name = "state",
		     .json = "state",
		     .title = "State",
		     .bound = state_bound,
		     .text = state_text,
		     .json_plain = true,
		     .top_title = "STATE",
		     .top_width = 11,
		     .keep = 100,
		     .top_num = ftop_state_num,
		     .top_cell = ftop_state_cell},
    [FIELD_STATE_CODE] = {.name = "state_code",
			  .json = "state_code",
			  .num = state_code_num},
    [FIELD_RECVQ] = {.name = "recv_q",
		     .json = "recv_q",
		     .title = "Recv-Q",
		     .bound = queue_bound,
		     .num = recvq_num,
		     .top_title = "Recv-Q",
		     .top_width = 7,
		     .keep = 80,
		     .right = true,
		     .desc = true,
		     .top_num = ftop_recvq_num},
    [FIELD_SENDQ] = {.name = "send_q",
		     .json = "send_q",
		     .title = "Send-Q",
		     .bound = queue_bound,
		     .num = sendq_num,
		     .top_title = "Send-Q",
		     .top_width = 7,
		     .keep = 70,
		     .right = true,
		     .desc = true,
		     .top_num = ftop_sendq_num},
    [FIELD_ENDPOINTS] = {.name = "endpoints", .json_put = endpoints_json},
    [FIELD_DEV] = {.name = "dev", .json_put = dev_json},
    /* Added as the recipe's example: JSON had it; top -e shows it. */
    [FIELD_INODE] = {.name = "inode",
		     .json = "inode",
		     .num = inode_num,
		     .top_title = "INODE",
		     .top_width = 10,
		     .keep = 10,
		     .right = true,
		     .needs = FIELD_NEED_EXTENDED,
		     .top_num = ftop_inode_num},
    [FIELD_UID] = {.name = "uid",
		   .json = "uid",
		   .num = uid_num,
		   .top_title = "UID",
		   .top_width = 6,
		   .keep = 20,
		   .right = true,
		   .top_num = ftop_uid_num},
    [FIELD_COOKIE] = {.name = "cookie", .json = "cookie", .num = cookie_num},
    [FIELD_LOCAL] = {.name = "local",
		     .title = "Local Address:Port",
		     .bound = endpoint_bound,
		     .spread = true,
		     .text = local_text,
		     .top_title = "LOCAL",
		     .top_width = 15,
		     .keep = 100,
		     .flex = true,
		     .top_cmp = ftop_local_cmp,
		     .top_cell = ftop_local_cell},
    [FIELD_PEER] = {.name = "peer",
		    .title = "Peer Address:Port",
		    .bound = endpoint_bound,
		    .spread = true,
		    .text = peer_text,
		    .top_title = "PEER",
		    .top_width = 15,
		    .keep = 90,
		    .flex = true,
		    .top_cmp = ftop_peer_cmp,
		    .top_cell = ftop_peer_cell},
    [FIELD_TIMER] = {.name = "timer",
		     .top_title = "TIMER",
		     .top_width = 10,
		     .keep = 60,
		     .right = true,
		     .top_num = ftop_timer_num,
		     .top_cell = ftop_timer_cell},
    [FIELD_RETRANS] = {.name = "retrans",
		       .top_title = "RETRANS",
		       .top_width = 7,
		       .keep = 40,
		       .right = true,
		       .desc = true,
		       .top_num = ftop_retrans_num},
    [FIELD_RTT] = {.name = "rtt",
		   .top_title = "RTT",
		   .top_width = 8,
		   .keep = 30,
		   .right = true,
		   .desc = true,
		   .top_num = ftop_rtt_num,
		   .top_cell = ftop_rtt_cell},
    /* Asked for with -p: the last of the optional columns to go. */
    [FIELD_PROCESS] = {.name = "process",
		       .top_title = "PROCESS",
		       .top_width = 15,
		       .keep = 95,
		       .needs = FIELD_NEED_PROCESS,
		       .top_cmp = ftop_process_cmp,
		       .top_cell = ftop_process_cell},
    /* top: asked for with --all-netns, kept longer than PROCESS; its
     * order is the namespaces' table's (the key of a group by it). */
    [FIELD_NETNS] = {.name = "netns",
		     .title = "Netns",
		     .shown = netns_shown,
		     .text = netns_text,
		     .top_title = "NETNS",
		     .top_width = 10,
		     .keep = 97,
		     .flex = true,
		     .needs = FIELD_NEED_NETNS,
		     .top_num = ftop_netns_num,
		     .top_cell = ftop_netns_cell},
    [FIELD_GROUP] = {.name = "group",
		     .top_title = "GROUP",
		     .top_width = 15,
		     .keep = 100,
		     .flex = true,
		     .top_cmp = ftop_group_cmp,
		     .top_cell = ftop_group_cell},
    [FIELD_COUNT] = {.name = "count",
		     .top_title = "COUNT",
		     .top_width = 7,
		     .keep = 100,
		     .right = true,
		     .desc = true,
		     .top_num = ftop_count_num},
};

const struct field *field_get(enum field_id id)
{
	return &fields[(unsigned int)id < FIELD_MAX ? id : FIELD_NETNS];
}

/* The JSON object's members, in order: a contract (man page, JSON
 * OUTPUT): new keys go at the end, none is renamed or moved. */
static const enum field_id json_order[] = {
    FIELD_NETID, FIELD_FAMILY, FIELD_STATE,	FIELD_STATE_CODE,
    FIELD_RECVQ, FIELD_SENDQ,  FIELD_ENDPOINTS, FIELD_DEV,
    FIELD_INODE, FIELD_UID,    FIELD_COOKIE,
};

void field_json_plan(struct field_json_plan *p)
{
	p->n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(json_order); i++) {
		const struct field *f = &fields[json_order[i]];
		int n = 0;

		if (!f->json_put && !(f->json && (f->num || f->text))) {
			continue;
		}
		if (!f->json_put) {
			/* A plain string's opening quote goes with its key. */
			n = snprintf(p->key[p->n], FIELD_JSON_KEY_MAX,
				     "%s\"%s\":%s", p->n ? "," : "", f->json,
				     !f->num && f->json_plain ? "\"" : "");
		}
		p->key_len[p->n] = (uint8_t)(n > 0 ? n : 0);
		p->f[p->n++] = f;
	}
}

/* A string member's value: ours as is (its opening quote came with the
 * key), anything else escaped. */
static void json_text(struct obuf *ob, const struct field *f,
		      struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	struct field_cell c;
	const char *s;
	size_t n;

	c.big = NULL;
	c.big_cap = 0;
	s = f->text(&c, ctx, rec, &n);
	if (f->json_plain) {
		obuf_write(ob, s, n);
		obuf_putc(ob, '"');
	} else {
		obuf_json_string(ob, s, n);
	}
	field_cell_finish(&c);
}

void field_json(const struct field_json_plan *p, struct fmt_ctx *ctx,
		const struct sock_rec *rec)
{
	struct obuf *ob = ctx->out;

	for (size_t i = 0; i < p->n; i++) {
		const struct field *f = p->f[i];

		if (f->json_put) {
			f->json_put(ctx, rec);
			continue;
		}
		obuf_write(ob, p->key[i], p->key_len[i]);
		if (f->num) {
			obuf_u64(ob, f->num(rec));
		} else {
			json_text(ob, f, ctx, rec);
		}
	}
}

void field_top_cell(const struct field *f, struct obuf *lb,
		    const struct top_env *env, const struct top_ref *it,
		    enum top_group g)
{
	if (f->top_cell) {
		f->top_cell(lb, env, it, g);
	} else if (f->top_num) {
		obuf_u64(lb, f->top_num(it));
	}
}
