// SPDX-License-Identifier: MIT
/*
 * The PACKET family over packet_diag: raw and dgram packet sockets with the
 * EtherType they receive and the interface they are bound to, as `ss -0`
 * shows them. Every packet socket is SS_CLOSE (UNCONN).
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"
#include "diag_parse.h"
#include "family.h"
#include "format.h"
#include "ifname.h"
#include "opts.h"
#include "util.h"

/* ETH_P_ALL: a socket that receives every EtherType. */
#define ETH_P_ALL_ 0x0003

/* The EtherType names ss 6.1 prints (iproute2's ll_proto.c, checked
 * against ss on every ETH_P_ value of <linux/if_ether.h>). */
static const struct {
	uint16_t id;
	const char *name;
} eth_names[] = {
    {0x0001, "802_3"},	  {0x0002, "ax25"},	 {0x0004, "802_2"},
    {0x0005, "snap"},	  {0x0006, "ddcmp"},	 {0x0007, "wan_ppp"},
    {0x0008, "ppp_mp"},	  {0x0009, "localtalk"}, {0x000c, "can"},
    {0x0010, "ppptalk"},  {0x0011, "tr_802_2"},	 {0x0015, "mobitex"},
    {0x0016, "control"},  {0x0017, "irda"},	 {0x0018, "econet"},
    {0x0060, "loop"},	  {0x0200, "pup"},	 {0x0201, "pupat"},
    {0x0800, "ip"},	  {0x0805, "x25"},	 {0x0806, "arp"},
    {0x08ff, "bpq"},	  {0x0a00, "ieeepup"},	 {0x0a01, "ieeepupat"},
    {0x6000, "dec"},	  {0x6001, "dna_dl"},	 {0x6002, "dna_rc"},
    {0x6003, "dna_rt"},	  {0x6004, "lat"},	 {0x6005, "diag"},
    {0x6006, "cust"},	  {0x6007, "sca"},	 {0x6558, "teb"},
    {0x8035, "rarp"},	  {0x809b, "atalk"},	 {0x80f3, "aarp"},
    {0x8100, "802.1Q"},	  {0x8137, "ipx"},	 {0x86dd, "ipv6"},
    {0x8847, "mpls_uc"},  {0x8848, "mpls_mc"},	 {0x884c, "atmmpoa"},
    {0x8863, "ppp_disc"}, {0x8864, "ppp_ses"},	 {0x8884, "atmfate"},
    {0x8892, "profinet"}, {0x88a2, "aoe"},	 {0x88a4, "ethercat"},
    {0x88a8, "802.1ad"},  {0x88ca, "tipc"},	 {0x88cc, "LLDP"},
};

const char *family_packet_proto(uint16_t proto, bool numeric, char buf[8])
{
	if (proto == ETH_P_ALL_) {
		return "*";
	}
	for (size_t i = 0; !numeric && i < ARRAY_SIZE(eth_names); i++) {
		if (eth_names[i].id == proto) {
			return eth_names[i].name;
		}
	}
	snprintf(buf, 8, "[%u]", proto);
	return buf;
}

static void packet_put_request(struct nlmsghdr *nlh, const struct diag_req *req)
{
	struct packet_diag_req *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));

	(void)req; /* every packet socket is UNCONN: no state mask */
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r->sdiag_family = AF_PACKET;
	/* MEMINFO always: ss's Recv-Q is its receive memory. */
	r->pdiag_show =
	    PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO | PACKET_SHOW_FILTER;
}

static void parse_attr(const struct nlattr *a, struct sock_rec *rec)
{
	const void *p = mnl_attr_get_payload(a);
	size_t len = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case PACKET_DIAG_INFO:
		if (len >= sizeof(struct packet_diag_info)) {
			const struct packet_diag_info *pi = p;

			rec->ifindex = pi->pdi_index;
		}
		break;
	case PACKET_DIAG_UID:
		if (len >= 4) {
			rec->uid = mnl_attr_get_u32(a);
		}
		break;
	case PACKET_DIAG_MEMINFO:
		rec->ext.skmem = p;
		rec->ext.skmem_len = len / sizeof(uint32_t);
		/* ss: Recv-Q is the memory queued for reading. */
		if (rec->ext.skmem_len > SK_MEMINFO_RMEM_ALLOC) {
			rec->recv_q = rec->ext.skmem[SK_MEMINFO_RMEM_ALLOC];
		}
		break;
	default:
		break;
	}
}

int diag_parse_packet(const struct nlmsghdr *nlh, uint8_t protocol,
		      struct sock_rec *rec)
{
	const struct packet_diag_msg *m =
	    diag_parse_msg(nlh, sizeof(*m), AF_PACKET, rec);

	(void)protocol; /* the message names its type */
	if (!m) {
		return -EBADMSG;
	}
	rec->protocol = m->pdiag_type;
	rec->state = SS_CLOSE;
	rec->link_proto = m->pdiag_num; /* the kernel's ntohs() */
	rec->inode = m->pdiag_ino;
	rec->cookie = diag_parse_cookie(m->pdiag_cookie);
	return diag_parse_attrs(nlh, sizeof(*m), parse_attr, rec);
}

static const char *packet_netid(const struct sock_rec *rec, char buf[8])
{
	switch (rec->protocol) {
	case SOCK_RAW:
		return "p_raw";
	case SOCK_DGRAM:
		return "p_dgr";
	default:
		snprintf(buf, 8, "p_%u", rec->protocol);
		return buf;
	}
}

/* "PROTO:IFACE" ("*" for any interface), the peer "*", as ss. */
static size_t packet_endpoint(char *buf, const struct fmt_ctx *ctx,
			      const struct sock_rec *rec, bool peer)
{
	char num[8], name[IFNAME_BUFLEN];
	const char *proto;
	size_t n;

	if (peer) {
		buf[0] = '*';
		buf[1] = '\0';
		return 1;
	}
	proto = family_packet_proto(rec->link_proto, ctx->o->numeric, num);
	n = strlen(proto);
	memcpy(buf, proto, n);
	buf[n++] = ':';
	if (!rec->ifindex) {
		buf[n++] = '*';
	} else {
		ifnames_get(ctx->ifn, rec->ifindex, name);
		n += escape_text(buf + n, name, strnlen(name, IFNAME_BUFLEN));
	}
	buf[n] = '\0';
	return n;
}

/* The interface is the row's ifindex/dev; here the EtherType. */
static void packet_json(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	char num[8];

	obuf_printf(ctx->out, ",\"local\":{\"ethertype\":%u,\"proto\":\"%s\"}",
		    rec->link_proto,
		    family_packet_proto(rec->link_proto, false, num));
}

/* top's key: the EtherType. */
static size_t packet_key(uint8_t *buf, const struct sock_rec *rec)
{
	memcpy(buf, &rec->link_proto, 2);
	return 2;
}

static void packet_key_rec(const uint8_t *key, size_t len, struct sock_rec *rec)
{
	if (len >= 2) {
		memcpy(&rec->link_proto, key, 2);
	}
}

/* Never connected: every socket is UNCONN (CLOSE), listed without -a. */
static const struct family_table packet_tables[] = {
    {"p_raw", PROTO_PACKET_RAW, SOCK_RAW, false, SS_BIT(SS_CLOSE),
     SS_BIT(SS_CLOSE)},
    {"p_dgr", PROTO_PACKET_DGRAM, SOCK_DGRAM, false, SS_BIT(SS_CLOSE),
     SS_BIT(SS_CLOSE)},
    {NULL, 0, 0, false, 0, 0},
};

static const struct family_query packet_queries[] = {
    {"packet", PROTO_PACKET_MASK},
    {"packet_raw", PROTO_PACKET_RAW},
    {"packet_dgram", PROTO_PACKET_DGRAM},
    {NULL, 0},
};

/* ss compares a packet socket's interface index with sport (dport: 0). */
static int64_t packet_filter_port(const struct sock_rec *rec, bool peer)
{
	return peer ? 0 : rec->ifindex;
}

/* ss's autobound: bound to no interface and no protocol. */
static bool packet_autobound(const struct sock_rec *rec)
{
	return rec->ifindex == 0 && rec->link_proto == 0;
}

static const struct family_opt packet_opts[] = {
    {'0', "packet", PROTO_PACKET_MASK, 0},
    {0, NULL, 0, 0},
};

static const struct family_query packet_fam_names[] = {
    {"link", FAM_PACKET},
    {NULL, 0},
};

const struct sock_family family_packet = {
    .name = "packet",
    .af = AF_PACKET,
    .fam_bits = FAM_PACKET,
    .proto_bits = PROTO_PACKET_MASK,
    .opts = packet_opts,
    .fam_names = packet_fam_names,
    .queries = packet_queries,
    .preds = FPRED_OWNER,
    .no_kill = "the kernel cannot destroy PACKET sockets (SOCK_DESTROY "
	       "is inet only)",
    .tables = packet_tables,
    .dump = FDUMP_FAMILY,
    .parse = diag_parse_packet,
    .put_request = packet_put_request,
    .netid = packet_netid,
    .endpoint = packet_endpoint,
    .json = packet_json,
    .key = packet_key,
    .key_rec = packet_key_rec,
    .filter_port = packet_filter_port,
    .autobound = packet_autobound,
};
