// SPDX-License-Identifier: MIT
/*
 * The VSOCK family over vsock_diag (CONFIG_VSOCKETS_DIAG): stream, dgram
 * and seqpacket sockets between a virtual machine and its host, as
 * `ss --vsock` shows them: "CID:PORT" each side, "*" for the kernel's
 * VMADDR_CID_ANY and VMADDR_PORT_ANY (both ~0: unbound, unconnected).
 * The kernel reports no uid and no queues for them. Address conditions
 * `src vsock:CID:PORT` (as ss writes them) compare the CID and port.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>
#include <linux/vm_sockets_diag.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"
#include "diag_parse.h"
#include "family.h"
#include "format.h"
#include "opts.h"
#include "state.h"

/* VMADDR_CID_ANY and VMADDR_PORT_ANY (<linux/vm_sockets.h>). */
#define VSOCK_ANY 0xffffffffu

static void vsock_put_request(struct nlmsghdr *nlh, const struct diag_req *req)
{
	struct vsock_diag_req *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r->sdiag_family = AF_VSOCK;
	r->vdiag_states = req->states; /* the kernel selects by state */
}

static int vsock_parse(const struct nlmsghdr *nlh, uint8_t protocol,
		       struct sock_rec *rec)
{
	const struct vsock_diag_msg *m =
	    diag_parse_msg(nlh, sizeof(*m), AF_VSOCK, rec);

	(void)protocol; /* the message names its type */
	if (!m) {
		return -EBADMSG;
	}
	rec->protocol = m->vdiag_type;
	rec->state = m->vdiag_state;
	rec->inode = m->vdiag_ino;
	rec->cookie = diag_parse_cookie(m->vdiag_cookie);
	rec->vsock.src_cid = m->vdiag_src_cid;
	rec->vsock.src_port = m->vdiag_src_port;
	rec->vsock.dst_cid = m->vdiag_dst_cid;
	rec->vsock.dst_port = m->vdiag_dst_port;
	return 0;
}

/* The table's name (v_str, v_dgr, v_seq); ss prints "???" for others
 * (and for seqpacket: it names stream and dgram only). */
static const char *vsock_netid(const struct sock_rec *rec, char buf[8])
{
	const struct family_table *t =
	    family_table_of(AF_VSOCK, rec->protocol, NULL);

	(void)buf;
	return t ? t->name : "???";
}

static size_t put_num(char *p, uint32_t v)
{
	if (v == VSOCK_ANY) {
		*p = '*';
		return 1;
	}
	return (size_t)sprintf(p, "%u", v);
}

/* "CID:PORT" as ss's vsock_addr_print(). */
static size_t vsock_endpoint(char *buf, const struct fmt_ctx *ctx,
			     const struct sock_rec *rec, bool peer)
{
	size_t n;

	(void)ctx;
	n = put_num(buf, peer ? rec->vsock.dst_cid : rec->vsock.src_cid);
	buf[n++] = ':';
	n += put_num(buf + n, peer ? rec->vsock.dst_port : rec->vsock.src_port);
	buf[n] = '\0';
	return n;
}

/* The numbers as the kernel has them: 4294967295 is "*" (any). */
static void vsock_json(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	obuf_printf(ctx->out,
		    ",\"local\":{\"cid\":%u,\"port\":%u}"
		    ",\"peer\":{\"cid\":%u,\"port\":%u}",
		    rec->vsock.src_cid, rec->vsock.src_port, rec->vsock.dst_cid,
		    rec->vsock.dst_port);
}

/* The key is rec->vsock as it is: a side's CID, then its port. */
#define VSOCK_KEY_LEN sizeof(((const struct sock_rec *)0)->vsock)
#define VSOCK_KEY_OFF(field)                                                   \
	(offsetof(struct sock_rec, vsock.field) -                              \
	 offsetof(struct sock_rec, vsock))

_Static_assert(VSOCK_KEY_OFF(src_port) - VSOCK_KEY_OFF(src_cid) ==
		   VSOCK_KEY_OFF(dst_port) - VSOCK_KEY_OFF(dst_cid),
	       "each side's port at the same distance from its CID");

/* top's key: both sides' CID and port. */
static size_t vsock_key(uint8_t *buf, const struct sock_rec *rec)
{
	memcpy(buf, &rec->vsock, VSOCK_KEY_LEN);
	return VSOCK_KEY_LEN;
}

static void vsock_key_rec(const uint8_t *key, size_t len, struct sock_rec *rec)
{
	if (len >= VSOCK_KEY_LEN) {
		memcpy(&rec->vsock, key, VSOCK_KEY_LEN);
	}
}

/* By CID, then port: local's or the peer's. */
static int vsock_key_cmp(const uint8_t *a, size_t na, const uint8_t *b,
			 size_t nb, bool peer)
{
	size_t off = peer ? VSOCK_KEY_OFF(dst_cid) : VSOCK_KEY_OFF(src_cid);
	size_t port = VSOCK_KEY_OFF(src_port) - VSOCK_KEY_OFF(src_cid);
	int c;

	if (na < VSOCK_KEY_LEN || nb < VSOCK_KEY_LEN) {
		return (na > nb) - (na < nb);
	}
	c = family_key_cmp_u32(a, b, off);
	return c ? c : family_key_cmp_u32(a, b, off + port);
}

/* ss compares the ports as its ints (any: -1) with sport and dport. */
static int64_t vsock_filter_port(const struct sock_rec *rec, bool peer)
{
	return (int32_t)(peer ? rec->vsock.dst_port : rec->vsock.src_port);
}

/* A `vsock:CID` condition's address: the CID, network order. */
static uint8_t vsock_filter_addr(const struct sock_rec *rec, bool peer,
				 uint8_t addr[16])
{
	uint32_t cid = htonl(peer ? rec->vsock.dst_cid : rec->vsock.src_cid);

	memset(addr, 0, 16);
	memcpy(addr, &cid, sizeof(cid));
	return AF_VSOCK;
}

/* ss's autobound: a port above the privileged ones (the kernel picks
 * from 1024 up; any, -1, is not). */
static bool vsock_autobound(const struct sock_rec *rec)
{
	return (int32_t)rec->vsock.src_port > 1023;
}

/* ss's defaults: connected (SS_CONN), as TCP's; -l the listeners. */
static const struct family_table vsock_tables[] = {
    {"v_str", PROTO_VSOCK_STREAM, SOCK_STREAM, false, STATE_DEFAULT_TCP,
     FAMILY_LISTENING},
    {"v_dgr", PROTO_VSOCK_DGRAM, SOCK_DGRAM, false, STATE_DEFAULT_TCP,
     FAMILY_LISTENING},
    {"v_seq", PROTO_VSOCK_SEQPACKET, SOCK_SEQPACKET, false, STATE_DEFAULT_TCP,
     FAMILY_LISTENING},
    {NULL, 0, 0, false, 0, 0},
};

static const struct family_query vsock_queries[] = {
    {"vsock", PROTO_VSOCK_MASK},
    {"vsock_stream", PROTO_VSOCK_STREAM},
    {"vsock_dgram", PROTO_VSOCK_DGRAM},
    {"vsock_seqpacket", PROTO_VSOCK_SEQPACKET},
    {NULL, 0},
};

/* A long option only, as in ss; -f vsock too. */
static const struct family_opt vsock_opts[] = {
    {0, "vsock", PROTO_VSOCK_MASK, 0},
    {0, NULL, 0, 0},
};

static const struct family_query vsock_fam_names[] = {
    {"vsock", FAM_VSOCK},
    {NULL, 0},
};

const struct sock_family family_vsock = {
    .name = "vsock",
    .af = AF_VSOCK,
    .fam_bits = FAM_VSOCK,
    .proto_bits = PROTO_VSOCK_MASK,
    .opts = vsock_opts,
    .queries = vsock_queries,
    .fam_names = vsock_fam_names,
    .preds = FPRED_ADDR | FPRED_OWNER,
    .no_kill = "the kernel cannot destroy VSOCK sockets (SOCK_DESTROY "
	       "is inet only)",
    .tables = vsock_tables,
    .dump = FDUMP_FAMILY,
    .parse = vsock_parse,
    .put_request = vsock_put_request,
    .netid = vsock_netid,
    .endpoint = vsock_endpoint,
    .json = vsock_json,
    .key = vsock_key,
    .key_rec = vsock_key_rec,
    .key_cmp = vsock_key_cmp,
    .filter_port = vsock_filter_port,
    .filter_addr = vsock_filter_addr,
    .autobound = vsock_autobound,
};
