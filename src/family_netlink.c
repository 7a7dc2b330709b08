// SPDX-License-Identifier: MIT
/*
 * The NETLINK family over netlink_diag: every netlink socket of the
 * namespace, the kernel's included, as `ss -A netlink` shows them: the
 * protocol and the port id (the owning process for a positive one).
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netlink_diag.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diag.h"
#include "diag_parse.h"
#include "family.h"
#include "format.h"
#include "opts.h"
#include "util.h"

/* The protocol names ss 6.1 prints (iproute2's nl_proto_tab). */
static const char *const nl_names[] = {
    [0] = "rtnl",      [1] = "unused",	   [2] = "usersock",
    [3] = "fw",	       [4] = "tcpdiag",	   [5] = "nflog",
    [6] = "xfrm",      [7] = "selinux",	   [8] = "iscsi",
    [9] = "audit",     [10] = "fiblookup", [11] = "connector",
    [12] = "nft",      [13] = "ip6fw",	   [14] = "dec-rt",
    [15] = "uevent",   [16] = "genl",	   [18] = "scsi-trans",
    [19] = "ecryptfs", [20] = "rdma",	   [21] = "crypto",
};

const char *family_netlink_proto(uint8_t protocol, bool numeric, char buf[8])
{
	if (!numeric && protocol < ARRAY_SIZE(nl_names) && nl_names[protocol]) {
		return nl_names[protocol];
	}
	snprintf(buf, 8, "%u", protocol);
	return buf;
}

static void netlink_put_request(struct nlmsghdr *nlh,
				const struct diag_req *req)
{
	struct netlink_diag_req *r =
	    mnl_nlmsg_put_extra_header(nlh, sizeof(*r));

	(void)req; /* every netlink socket is UNCONN: no state mask */
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r->sdiag_family = AF_NETLINK;
	r->sdiag_protocol = NDIAG_PROTO_ALL;
	/* MEMINFO always: ss's queues are its memory. */
	r->ndiag_show = NDIAG_SHOW_MEMINFO;
}

static void parse_attr(const struct nlattr *a, struct sock_rec *rec)
{
	if (mnl_attr_get_type(a) == NETLINK_DIAG_MEMINFO) {
		rec->ext.skmem = mnl_attr_get_payload(a);
		rec->ext.skmem_len =
		    mnl_attr_get_payload_len(a) / sizeof(uint32_t);
	}
}

int diag_parse_netlink(const struct nlmsghdr *nlh, uint8_t protocol,
		       struct sock_rec *rec)
{
	const struct netlink_diag_msg *m =
	    diag_parse_msg(nlh, sizeof(*m), AF_NETLINK, rec);
	int err;

	(void)protocol; /* the message names its protocol */
	if (!m) {
		return -EBADMSG;
	}
	rec->protocol = m->ndiag_protocol;
	rec->state = SS_CLOSE; /* ss: UNCONN, connected or not */
	rec->inode = m->ndiag_ino;
	rec->cookie = diag_parse_cookie(m->ndiag_cookie);
	rec->nl.portid = m->ndiag_portid;
	rec->nl.dst_portid = m->ndiag_dst_portid;
	rec->nl.dst_group = m->ndiag_dst_group;
	rec->nl.connected = m->ndiag_state == 1; /* NETLINK_CONNECTED */
	err = diag_parse_attrs(nlh, sizeof(*m), parse_attr, rec);
	if (err) {
		return err;
	}
	/* ss: the queues are the memory allocated for each direction. */
	if (rec->ext.skmem_len > SK_MEMINFO_WMEM_ALLOC) {
		rec->recv_q = rec->ext.skmem[SK_MEMINFO_RMEM_ALLOC];
		rec->send_q = rec->ext.skmem[SK_MEMINFO_WMEM_ALLOC];
	}
	return 0;
}

static const char *netlink_netid(const struct sock_rec *rec, char buf[8])
{
	(void)rec;
	(void)buf;
	return "nl";
}

/*
 * The name of process pid as ss finds it: /proc/PID/stat's comm up to its
 * first ')'. Returns its length, 0 when there is no such process.
 */
static size_t stat_comm(const char *root, int32_t pid, char out[64])
{
	char path[4096], buf[256];
	const char *open_p, *close_p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/proc/%d/stat",
		 strcmp(root, "/") ? root : "", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return 0;
	}
	buf[n] = '\0';
	open_p = strchr(buf, '(');
	close_p = open_p ? strchr(open_p, ')') : NULL;
	if (!close_p || close_p - open_p - 1 >= 64) {
		return 0;
	}
	memcpy(out, open_p + 1, (size_t)(close_p - open_p - 1));
	return (size_t)(close_p - open_p - 1);
}

/*
 * "PROTO:OWNER" as ss: the kernel's port "kernel", a process's port
 * "comm/pid" while such a process exists, else the number (signed: an
 * autobound port is negative); -n: numbers only. The peer "group:port"
 * when connected, else "*".
 */
static size_t netlink_endpoint(char *buf, const struct fmt_ctx *ctx,
			       const struct sock_rec *rec, bool peer)
{
	bool numeric = ctx->o && ctx->o->numeric;
	int32_t pid = (int32_t)rec->nl.portid;
	char num[8], comm[64];
	const char *proto;
	size_t n, c;

	if (peer) {
		if (!rec->nl.connected) {
			return (size_t)sprintf(buf, "*");
		}
		return (size_t)sprintf(buf, "%u:%d", rec->nl.dst_group,
				       (int32_t)rec->nl.dst_portid);
	}
	proto = family_netlink_proto(rec->protocol, numeric, num);
	n = (size_t)sprintf(buf, "%s:", proto);
	if (!numeric && pid == 0) {
		return n + (size_t)sprintf(buf + n, "kernel");
	}
	/* A --load file's port ids are another moment's processes. */
	c = !numeric && pid > 0 && ctx->o && !ctx->o->load_path
		? stat_comm(ctx->o->root, pid, comm)
		: 0;
	if (c) {
		n += escape_text(buf + n, comm, c);
		buf[n++] = '/';
	}
	return n + (size_t)sprintf(buf + n, "%d", pid);
}

static void netlink_json(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	char num[8];

	obuf_printf(ctx->out,
		    ",\"local\":{\"protocol\":%u,\"proto\":\"%s\","
		    "\"portid\":%d}",
		    rec->protocol,
		    family_netlink_proto(rec->protocol, false, num),
		    (int32_t)rec->nl.portid);
	if (rec->nl.connected) {
		obuf_printf(ctx->out, ",\"peer\":{\"group\":%u,\"portid\":%d}",
			    rec->nl.dst_group, (int32_t)rec->nl.dst_portid);
	}
}

/* top's key: the port ids and group (u32 each), whether connected. */
enum {
	NL_KEY_PORTID = 0,
	NL_KEY_DST_PORTID = 4,
	NL_KEY_DST_GROUP = 8,
	NL_KEY_CONNECTED = 12,
	NL_KEY_LEN = 13,
};

static size_t netlink_key(uint8_t *buf, const struct sock_rec *rec)
{
	memcpy(buf + NL_KEY_PORTID, &rec->nl.portid, 4);
	memcpy(buf + NL_KEY_DST_PORTID, &rec->nl.dst_portid, 4);
	memcpy(buf + NL_KEY_DST_GROUP, &rec->nl.dst_group, 4);
	buf[NL_KEY_CONNECTED] = rec->nl.connected;
	return NL_KEY_LEN;
}

static void netlink_key_rec(const uint8_t *key, size_t len,
			    struct sock_rec *rec)
{
	if (len < NL_KEY_LEN) {
		return;
	}
	memcpy(&rec->nl.portid, key + NL_KEY_PORTID, 4);
	memcpy(&rec->nl.dst_portid, key + NL_KEY_DST_PORTID, 4);
	memcpy(&rec->nl.dst_group, key + NL_KEY_DST_GROUP, 4);
	rec->nl.connected = key[NL_KEY_CONNECTED];
}

/* By the port id, or the peer's. */
static int netlink_key_cmp(const uint8_t *a, size_t na, const uint8_t *b,
			   size_t nb, bool peer)
{
	if (na < NL_KEY_LEN || nb < NL_KEY_LEN) {
		return (na > nb) - (na < nb);
	}
	return family_key_cmp_u32(a, b,
				  peer ? NL_KEY_DST_PORTID : NL_KEY_PORTID);
}

/* Every protocol in one table; never connected, as PACKET's. */
static const struct family_table netlink_tables[] = {
    {"nl", PROTO_NETLINK, -1, false, SS_BIT(SS_CLOSE), SS_BIT(SS_CLOSE)},
    {NULL, 0, 0, false, 0, 0},
};

static const struct family_query netlink_queries[] = {
    {"netlink", PROTO_NETLINK},
    {NULL, 0},
};

/* ss compares a netlink socket's port id, signed, with sport; its dport
 * is -1 whether it is connected or not. */
static int64_t netlink_filter_port(const struct sock_rec *rec, bool peer)
{
	return peer ? -1 : (int32_t)rec->nl.portid;
}

/* ss's autobound: a port id the kernel chose after the first (negative). */
static bool netlink_autobound(const struct sock_rec *rec)
{
	return (int32_t)rec->nl.portid < 0;
}

/* No option of its own in ss: -A netlink, -f netlink. */
static const struct family_query netlink_fam_names[] = {
    {"netlink", FAM_NETLINK},
    {NULL, 0},
};

const struct sock_family family_netlink = {
    .name = "netlink",
    .af = AF_NETLINK,
    .fam_bits = FAM_NETLINK,
    .proto_bits = PROTO_NETLINK,
    .fam_names = netlink_fam_names,
    .queries = netlink_queries,
    .preds = FPRED_OWNER,
    .no_kill = "the kernel cannot destroy NETLINK sockets (SOCK_DESTROY "
	       "is inet only)",
    .tables = netlink_tables,
    .dump = FDUMP_FAMILY,
    .parse = diag_parse_netlink,
    .put_request = netlink_put_request,
    .netid = netlink_netid,
    .endpoint = netlink_endpoint,
    .json = netlink_json,
    .key = netlink_key,
    .key_rec = netlink_key_rec,
    .key_cmp = netlink_key_cmp,
    .filter_port = netlink_filter_port,
    .autobound = netlink_autobound,
};
