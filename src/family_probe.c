// SPDX-License-Identifier: MIT
/*
 * The families ss lists that sockscope only probes: TIPC, XDP and DCCP.
 * Their sock_diag request is sent (so a kernel with the module answers and
 * one without says ENOENT) and acquire.c prints one notice either way; no
 * row is listed. Their entries carry the names, options and kill refusal.
 * DCCP is an inet_diag table (probe_protocol): Linux 6.16 removed DCCP,
 * and sockscope lists no table that no kernel it is tested on has.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"
#include "family.h"
#include "opts.h"

/*
 * The smallest request every one of these handlers reads: sdiag_family,
 * sdiag_protocol, then zeros (every state, no show flags) up to the
 * largest of their request headers (xdp's, 20 bytes; 24 since VSOCK's
 * was probed here too).
 */
#define PROBE_REQ_LEN 24

static void probe_put_request(struct nlmsghdr *nlh, const struct diag_req *req)
{
	uint8_t *r = mnl_nlmsg_put_extra_header(nlh, PROBE_REQ_LEN);

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r[0] = req->family;
}

/* A reply of a probed family: only counted (acquire.c lists none). */
static int probe_parse(const struct nlmsghdr *nlh, uint8_t protocol,
		       struct sock_rec *rec)
{
	(void)protocol;
	if (nlh->nlmsg_len < NLMSG_LENGTH(1)) {
		return -EBADMSG;
	}
	memset(rec, 0, sizeof(*rec));
	rec->family = *(const uint8_t *)NLMSG_DATA(nlh);
	rec->v6only = -1;
	return 0;
}

static const char *probe_netid(const struct sock_rec *rec, char buf[8])
{
	(void)rec;
	(void)buf;
	return "?";
}

static size_t probe_endpoint(char *buf, const struct fmt_ctx *ctx,
			     const struct sock_rec *rec, bool peer)
{
	(void)ctx;
	(void)rec;
	(void)peer;
	buf[0] = '*';
	buf[1] = '\0';
	return 1;
}

static void probe_json(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	(void)ctx;
	(void)rec;
}

#define PROBE_FAMILY(var, nm, afv, fam, protos, o, q, fnames, proto)           \
	const struct sock_family var = {                                       \
	    .name = nm,                                                        \
	    .af = afv,                                                         \
	    .fam_bits = fam,                                                   \
	    .proto_bits = protos,                                              \
	    .opts = o,                                                         \
	    .queries = q,                                                      \
	    .fam_names = fnames,                                               \
	    .preds = 0,                                                        \
	    .no_kill = "sockscope does not list " nm " sockets",               \
	    .parse = probe_parse,                                              \
	    .put_request = probe_put_request,                                  \
	    .netid = probe_netid,                                              \
	    .endpoint = probe_endpoint,                                        \
	    .json = probe_json,                                                \
	    .probe_only = true,                                                \
	    .probe_protocol = proto,                                           \
	    .dump = FDUMP_PROBE,                                               \
	}

static const struct family_query tipc_queries[] = {
    {"tipc", PROTO_TIPC},
    {NULL, 0},
};

static const struct family_query xdp_queries[] = {
    {"xdp", PROTO_XDP},
    {NULL, 0},
};

static const struct family_query dccp_queries[] = {
    {"dccp", PROTO_DCCP},
    {NULL, 0},
};

/* Long options only, as in ss; -f takes their names too. */
static const struct family_opt tipc_opts[] = {
    {0, "tipc", PROTO_TIPC, 0},
    {0, NULL, 0, 0},
};
static const struct family_opt xdp_opts[] = {
    {0, "xdp", PROTO_XDP, 0},
    {0, NULL, 0, 0},
};
/* ss's -d is top's delay here: --dccp only. */
static const struct family_opt dccp_opts[] = {
    {0, "dccp", PROTO_DCCP, 0},
    {0, NULL, 0, 0},
};
static const struct family_query tipc_fam_names[] = {
    {"tipc", FAM_TIPC},
    {NULL, 0},
};
static const struct family_query xdp_fam_names[] = {
    {"xdp", FAM_XDP},
    {NULL, 0},
};

PROBE_FAMILY(family_tipc, "tipc", AF_TIPC, FAM_TIPC, PROTO_TIPC, tipc_opts,
	     tipc_queries, tipc_fam_names, 0);
PROBE_FAMILY(family_xdp, "xdp", AF_XDP, FAM_XDP, PROTO_XDP, xdp_opts,
	     xdp_queries, xdp_fam_names, 0);
/* An inet table (ss has no -f word for it): inet's request and parser. */
PROBE_FAMILY(family_dccp, "dccp", AF_INET, FAM_INET | FAM_INET6, PROTO_DCCP,
	     dccp_opts, dccp_queries, NULL, IPPROTO_DCCP);
