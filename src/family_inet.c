// SPDX-License-Identifier: MIT
/*
 * The inet family (AF_INET, AF_INET6): TCP, UDP and MPTCP over inet_diag.
 * MPTCP sockets are inet records with protocol SOCK_PROTO_MPTCP; their
 * own entry below names the table, its letter and why kill refuses it.
 */
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "diag.h"
#include "diag_parse.h"
#include "family.h"
#include "format.h"
#include "opts.h"
#include "state.h"

/* Type 18, TCPDIAG_GETSOCK: see diag.c. */
#define OLD_TCPDIAG_GETSOCK 18
#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

/*
 * AF_UNSPEC can only be asked for with the old TCPDIAG_GETSOCK request
 * (struct inet_diag_req): the kernel then walks the TCP hash once for
 * both families instead of once per family.
 */
static void inet_put_request(struct nlmsghdr *nlh, const struct diag_req *req)
{
	struct inet_diag_req_v2 *r;
	struct inet_diag_req *old;

	if (req->family == AF_UNSPEC) {
		old = mnl_nlmsg_put_extra_header(nlh, sizeof(*old));
		nlh->nlmsg_type = OLD_TCPDIAG_GETSOCK;
		old->idiag_states = req->states;
		old->idiag_ext = (uint8_t)req->ext;
		return;
	}
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r->sdiag_family = req->family;
	r->sdiag_protocol = req->protocol;
	r->idiag_states = req->states;
	r->idiag_ext = (uint8_t)req->ext;
	/* raw_diag: sdiag_raw_protocol (the pad byte), IPPROTO_RAW: all. */
	if (req->protocol == IPPROTO_RAW) {
		r->pad = IPPROTO_RAW;
	}
	/* A protocol over 255 goes in an attribute (mptcp_diag). */
	if (req->protocol == SOCK_PROTO_MPTCP) {
		r->sdiag_protocol = IPPROTO_MPTCP & 0xff;
		mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, IPPROTO_MPTCP);
	}
}

/* The inet parser, MPTCP and SCTP kept apart: their INET_DIAG_INFO is
 * an mptcp_info or a sctp_info, which nothing here reads as a tcp_info
 * (-i, top's RTT column would show other counters as TCP's). */
static int inet_parse(const struct nlmsghdr *nlh, uint8_t protocol,
		      struct sock_rec *rec)
{
	int err = diag_parse_inet(nlh, protocol, rec);

	if (err) {
		return err;
	}
	if (protocol == SOCK_PROTO_MPTCP) {
		rec->protocol = SOCK_PROTO_MPTCP;
	}
	if (protocol == SOCK_PROTO_MPTCP || protocol == IPPROTO_SCTP) {
		rec->ext.tcp_info = NULL;
		rec->ext.tcp_info_len = 0;
	}
	return 0;
}

static const char *inet_netid(const struct sock_rec *rec, char buf[8])
{
	return format_netid(rec->protocol, buf);
}

static void put_endpoint(struct obuf *ob, const char *key, uint8_t family,
			 const uint8_t *addr, uint16_t port)
{
	char text[ADDR_STRLEN];
	size_t n = addr_format(text, family, addr);

	obuf_puts(ob, ",\"");
	obuf_puts(ob, key);
	obuf_puts(ob, "\":{\"addr\":");
	obuf_json_string(ob, text, n);
	obuf_puts(ob, ",\"port\":");
	obuf_u64(ob, port);
	obuf_putc(ob, '}');
}

static void inet_json(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	put_endpoint(ctx->out, "local", rec->family, rec->saddr, rec->sport);
	put_endpoint(ctx->out, "peer", rec->family, rec->daddr, rec->dport);
}

static const struct family_table inet_tables[] = {
    {"tcp", PROTO_TCP, IPPROTO_TCP, true, STATE_DEFAULT_TCP, FAMILY_LISTENING},
    /* ss: connected UDP sockets only by default */
    {"udp", PROTO_UDP, IPPROTO_UDP, false, SS_BIT(SS_ESTABLISHED),
     FAMILY_LISTENING},
    {NULL, 0, 0, false, 0, 0},
};

static const struct family_query inet_queries[] = {
    {"inet", PROTO_TCP | PROTO_UDP},
    {"tcp", PROTO_TCP},
    {"udp", PROTO_UDP},
    {NULL, 0},
};

/* clang-format off */
static const struct family_opt inet_opts[] = {
    {'t', "tcp", PROTO_TCP, 0},
    {'u', "udp", PROTO_UDP, 0},
    {'4', "ipv4", 0, FAM_INET},
    {'6', "ipv6", 0, FAM_INET6},
    {0, NULL, 0, 0},
};
/* clang-format on */

static const struct family_query inet_fam_names[] = {
    {"inet", FAM_INET},
    {"inet6", FAM_INET6},
    {NULL, 0},
};

const struct sock_family family_inet = {
    .name = "inet",
    .af = AF_INET,
    .fam_bits = FAM_INET | FAM_INET6,
    .proto_bits = PROTO_INET_MASK,
    .opts = inet_opts,
    .fam_names = inet_fam_names,
    .queries = inet_queries,
    .preds = FPRED_ADDR | FPRED_OWNER | FPRED_KERNEL,
    .no_kill = NULL,
    .destroy_events = true,
    .tables = inet_tables,
    .dump = FDUMP_TABLE,
    .parse = inet_parse,
    .put_request = inet_put_request,
    .netid = inet_netid,
    .endpoint = format_inet_endpoint,
    .json = inet_json,
};

static const struct family_table sctp_tables[] = {
    {"sctp", PROTO_SCTP, IPPROTO_SCTP, false, STATE_DEFAULT_TCP,
     FAMILY_LISTENING},
    {NULL, 0, 0, false, 0, 0},
};

static const struct family_query sctp_queries[] = {
    {"sctp", PROTO_SCTP},
    {NULL, 0},
};

/* Listed as inet records where the kernel has sctp_diag (untested
 * here: this kernel has none, and says so). */
static const struct family_opt sctp_opts[] = {
    {'S', "sctp", PROTO_SCTP, 0},
    {0, NULL, 0, 0},
};

const struct sock_family family_sctp = {
    .name = "sctp",
    .af = AF_INET,
    .fam_bits = FAM_INET | FAM_INET6,
    .proto_bits = PROTO_SCTP,
    .opts = sctp_opts,
    .queries = sctp_queries,
    .preds = FPRED_ADDR | FPRED_OWNER | FPRED_KERNEL,
    .no_kill = "the kernel cannot destroy SCTP sockets (SOCK_DESTROY "
	       "is TCP, UDP and RAW only)",
    .tables = sctp_tables,
    .dump = FDUMP_TABLE,
    .parse = inet_parse,
    .put_request = inet_put_request,
    .netid = inet_netid,
    .endpoint = format_inet_endpoint,
    .json = inet_json,
};

static const struct family_table mptcp_tables[] = {
    {"mptcp", PROTO_MPTCP, SOCK_PROTO_MPTCP, false, STATE_DEFAULT_TCP,
     FAMILY_LISTENING},
    {NULL, 0, 0, false, 0, 0},
};

static const struct family_query mptcp_queries[] = {
    {"mptcp", PROTO_MPTCP},
    {NULL, 0},
};

static const struct family_opt mptcp_opts[] = {
    {'M', "mptcp", PROTO_MPTCP, 0},
    {0, NULL, 0, 0},
};

const struct sock_family family_mptcp = {
    .name = "mptcp",
    .af = AF_INET,
    .fam_bits = FAM_INET | FAM_INET6,
    .proto_bits = PROTO_MPTCP,
    .opts = mptcp_opts,
    .queries = mptcp_queries,
    .preds = FPRED_ADDR | FPRED_OWNER | FPRED_KERNEL,
    .no_kill = "the kernel cannot destroy MPTCP sockets (mptcp_diag has "
	       "no SOCK_DESTROY; kill their TCP subflows with -t)",
    .tables = mptcp_tables,
    .dump = FDUMP_TABLE,
    .parse = inet_parse,
    .put_request = inet_put_request,
    .netid = inet_netid,
    .endpoint = format_inet_endpoint,
    .json = inet_json,
};
