// SPDX-License-Identifier: MIT
/*
 * top's getters of the field registry. Rows are read through the small
 * accessors below, not spread over the file: top_row's layout is top's
 * model's to change (packed, bit-fields), and then only these follow.
 */
#include "field_top.h"

#include <string.h>

#include "addr.h"
#include "family.h"
#include "state.h"
#include "top_netns.h"
#include "top_view.h"

static const struct top_row *row(const struct top_ref *it)
{
	return it->rep;
}

static unsigned int row_state(const struct top_row *r)
{
	return r->state;
}

static uint8_t row_protocol(const struct top_row *r)
{
	return r->protocol;
}

static unsigned int row_timer(const struct top_row *r)
{
	return r->timer;
}

static uint32_t row_expires_ms(const struct top_row *r)
{
	return r->expires_ms;
}

/* 0: no RTT known (not asked, or none). */
static uint32_t row_rtt_us(const struct top_ref *it)
{
	return it->has_rtt ? it->rtt_us : 0;
}

static uint32_t row_uid(const struct top_row *r)
{
	return r->uid;
}

static uint32_t row_inode(const struct top_row *r)
{
	return r->inode;
}

/* Index into the snapshot's namespaces (top_nstab); 0: the only one. */
static uint16_t row_ns(const struct top_row *r)
{
	return r->ns;
}

static uint32_t row_pid(const struct top_ref *it)
{
	return top_row_pid(it->dict, it->rep);
}

/* The process name, raw bytes, and its length (0: unknown). */
static const char *row_proc(const struct top_ref *it, size_t *len)
{
	return top_row_proc(it->dict, it->rep, len);
}

void field_top_endpoint(struct obuf *lb, const struct fmt_ctx *fc,
			const struct sock_rec *rec, bool peer)
{
	char buf[ENDPOINT_STRLEN];

	obuf_write(lb, buf, format_endpoint(buf, fc, rec, peer));
}

/* The endpoint text of it's row. */
static void put_endpoint(struct obuf *lb, const struct fmt_ctx *fc,
			 const struct top_ref *it, bool peer)
{
	struct sock_rec rec;

	top_row_rec(it->dict, it->rep, &rec);
	field_top_endpoint(lb, fc, &rec, peer);
}

/* The address family of a row of another family than inet, 0 for inet
 * (whose protocol is an IPPROTO_: TCP's 6 is not netlink XFRM's). */
static uint8_t row_other(const struct top_ref *it)
{
	return top_row_inet(it->dict, it->rep)
		   ? 0
		   : top_row_family(it->dict, it->rep);
}

/* The order of the state and of its group: by family (other than inet),
 * protocol, then state. */
uint64_t ftop_state_num(const struct top_ref *it)
{
	const struct top_row *r = row(it);

	return (uint64_t)row_other(it) << 16 | (uint64_t)row_protocol(r) << 8 |
	       row_state(r);
}

/* The state's name as the listing has it (UNCONN but for TCP). */
static const char *row_state_name(const struct top_ref *it)
{
	const struct top_row *r = row(it);

	return state_name(row_state(r), row_other(it) ? 0 : row_protocol(r));
}

void ftop_state_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_group g)
{
	(void)env;
	(void)g;
	obuf_puts(lb, it->gone ? "(closed)" : row_state_name(it));
}

/* The table's name, as the listing's Netid column: "tcp", "u_str". */
static void put_netid(struct obuf *lb, const struct top_ref *it)
{
	struct sock_rec rec;
	char buf[8];

	top_row_rec(it->dict, it->rep, &rec);
	obuf_puts(lb, format_rec_netid(&rec, buf));
}

void ftop_netid_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_group g)
{
	(void)env;
	(void)g;
	put_netid(lb, it);
}

uint64_t ftop_netid_num(const struct top_ref *it)
{
	return (uint64_t)row_other(it) << 8 | row_protocol(row(it));
}

int ftop_local_cmp(const struct top_ref *a, const struct top_ref *b,
		   enum top_group g)
{
	(void)g;
	return top_row_cmp_addr(a->dict, row(a), b->dict, row(b), false);
}

int ftop_peer_cmp(const struct top_ref *a, const struct top_ref *b,
		  enum top_group g)
{
	(void)g;
	return top_row_cmp_addr(a->dict, row(a), b->dict, row(b), true);
}

void ftop_local_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_group g)
{
	(void)g;
	put_endpoint(lb, &env->fc, it, false);
}

void ftop_peer_cell(struct obuf *lb, const struct top_env *env,
		    const struct top_ref *it, enum top_group g)
{
	(void)g;
	put_endpoint(lb, &env->fc, it, true);
}

uint64_t ftop_recvq_num(const struct top_ref *it)
{
	return it->recv_q;
}

uint64_t ftop_sendq_num(const struct top_ref *it)
{
	return it->send_q;
}

uint64_t ftop_timer_num(const struct top_ref *it)
{
	return row_expires_ms(row(it));
}

void ftop_timer_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_group g)
{
	static const char *const names[] = {"", "on", "ka", "tw", "probe"};
	const struct top_row *r = row(it);
	unsigned int timer = row_timer(r);
	double s = row_expires_ms(r) / 1000.0;

	(void)env;
	(void)g;
	if (!timer || timer >= ARRAY_SIZE(names)) {
		obuf_putc(lb, '-');
		return;
	}
	obuf_printf(lb, s < 10.0 ? "%s %.1fs" : "%s %.0fs", names[timer], s);
}

uint64_t ftop_retrans_num(const struct top_ref *it)
{
	return it->retrans;
}

uint64_t ftop_rtt_num(const struct top_ref *it)
{
	return row_rtt_us(it);
}

void ftop_rtt_cell(struct obuf *lb, const struct top_env *env,
		   const struct top_ref *it, enum top_group g)
{
	uint32_t rtt = row_rtt_us(it);

	(void)env;
	(void)g;
	if (rtt) {
		obuf_printf(lb, "%.1fms", rtt / 1000.0);
	} else {
		obuf_putc(lb, '-');
	}
}

int ftop_process_cmp(const struct top_ref *a, const struct top_ref *b,
		     enum top_group g)
{
	(void)g;
	return top_row_cmp_key(a->dict, row(a), b->dict, row(b),
			       TOP_GROUP_PROCESS);
}

static void put_process(struct obuf *lb, const struct top_ref *it)
{
	size_t n;
	const char *name = row_proc(it, &n);

	if (!n) {
		obuf_putc(lb, '-');
	}
	obuf_escape_text(lb, name, n);
}

void ftop_process_cell(struct obuf *lb, const struct top_env *env,
		       const struct top_ref *it, enum top_group g)
{
	(void)env;
	(void)g;
	put_process(lb, it);
}

uint64_t ftop_uid_num(const struct top_ref *it)
{
	return row_uid(row(it));
}

uint64_t ftop_inode_num(const struct top_ref *it)
{
	return row_inode(row(it));
}

uint64_t ftop_netns_num(const struct top_ref *it)
{
	return row_ns(row(it));
}

/* The namespace's label, escaped when the table was made. */
static void put_netns(struct obuf *lb, const struct top_env *env,
		      const struct top_row *r)
{
	obuf_puts(lb, top_nstab_label(env->nst, row_ns(r)));
}

void ftop_netns_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_group g)
{
	(void)g;
	put_netns(lb, env, row(it));
}

int ftop_group_cmp(const struct top_ref *a, const struct top_ref *b,
		   enum top_group g)
{
	return top_row_cmp_key(a->dict, row(a), b->dict, row(b), g);
}

static void put_proto(struct obuf *lb, const struct top_ref *it)
{
	put_netid(lb, it);
	obuf_putc(lb, ' ');
}

void ftop_group_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_group g)
{
	const struct top_row *r = row(it);
	char buf[ADDR_STRLEN];
	uint8_t daddr[16];

	switch (g) {
	case TOP_GROUP_STATE:
		put_proto(lb, it);
		obuf_puts(lb, row_state_name(it));
		return;
	case TOP_GROUP_LPORT:
		put_proto(lb, it);
		if (row_other(it)) {
			obuf_putc(lb, '*'); /* no port: one group a table */
		} else {
			obuf_printf(lb, ":%u", r->sport);
		}
		return;
	case TOP_GROUP_RHOST:
	case TOP_GROUP_RHOSTPORT:
		if (top_row_is_listener(it->dict, r)) {
			obuf_puts(lb, "(listening)");
		} else if (row_other(it)) {
			/* No host: one heading per family. */
			const struct sock_family *f = family_of(row_other(it));

			obuf_printf(lb, "(%s)", f ? f->name : "other");
		} else if (g == TOP_GROUP_RHOST) {
			top_row_daddr(it->dict, r, daddr);
			obuf_write(lb, buf,
				   addr_format(buf, top_row_family(it->dict, r),
					       daddr));
		} else {
			put_endpoint(lb, &env->fc, it, true);
		}
		return;
	case TOP_GROUP_PROCESS:
		put_process(lb, it);
		if (row_pid(it)) {
			obuf_printf(lb, " (%u)", row_pid(it)); /* as summary */
		}
		return;
	case TOP_GROUP_NETNS:
		put_netns(lb, env, r);
		return;
	default:
		return;
	}
}

uint64_t ftop_count_num(const struct top_ref *it)
{
	return it->count;
}
