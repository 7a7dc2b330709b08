// SPDX-License-Identifier: MIT
/*
 * The record parser and the dump loader, on dumps captured from a real
 * kernel (tests/fixtures/dumps: live.dump written by `sockscope --save`,
 * ss-D.dump written by `ss -D`) and on hand-built or damaged messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diag.h"
#include "diag_parse.h"
#include "family.h"
#include "format.h"
#include "ifname.h"

#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/unix_diag.h>
#include <linux/vm_sockets_diag.h>

#include "opts.h"

#define MAX_RECS 32

struct collected {
	struct sock_rec rec[MAX_RECS];
	size_t n;
};

static int collect(const struct sock_rec *rec, void *data)
{
	struct collected *c = data;

	if (c->n < MAX_RECS) {
		c->rec[c->n] = *rec;
		memset(&c->rec[c->n].ext, 0, sizeof(rec->ext));
	}
	c->n++;
	return 0;
}

static char *read_fixture(const char *name, size_t *len)
{
	const char *dir = getenv("FIXTURES");
	char path[512];
	FILE *f;
	char *buf;
	long n;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/dumps/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Load bytes through diag_load() via a memfd, as --load would read them. */
static int load_bytes(const void *p, size_t n, struct collected *c,
		      struct diag_load_err *err)
{
	int fd = memfd_create("dump", 0);
	int ret;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	memset(c, 0, sizeof(*c));
	ret = diag_load(fd, collect, c, err);
	close(fd);
	return ret;
}

static void assert_addr(const uint8_t *addr, int family, const char *text)
{
	uint8_t want[16] = {0};

	assert_int_equal(inet_pton(family, text, want), 1);
	assert_memory_equal(addr, want, 16);
}

static void test_live_dump(void **unused)
{
	struct diag_load_err err = {0};
	struct collected c;
	size_t len;
	char *buf = read_fixture("live.dump", &len);
	const struct sock_rec *tw, *ll, *udp;

	(void)unused;
	assert_int_equal(load_bytes(buf, len, &c, &err), 0);
	assert_int_equal(c.n, 8);

	tw = &c.rec[2];
	assert_int_equal(tw->protocol, IPPROTO_TCP);
	assert_int_equal(tw->family, AF_INET);
	assert_int_equal(tw->state, SS_TIME_WAIT);
	assert_int_equal(tw->timer, 3);
	assert_true(tw->expires_ms > 0 && tw->expires_ms <= 60000);
	assert_int_equal(tw->sport, 56994);
	assert_int_equal(tw->dport, 8080);
	assert_addr(tw->saddr, AF_INET, "127.0.0.1");

	/* Listener bound to a link-local address: the scope is kept. */
	ll = &c.rec[4];
	assert_int_equal(ll->family, AF_INET6);
	assert_int_equal(ll->state, SS_LISTEN);
	assert_int_equal(ll->sport, 9000);
	assert_int_equal(ll->send_q, 5);
	assert_true(ll->ifindex > 1);
	assert_addr(ll->saddr, AF_INET6, "fe80::a");

	/* The sequence number tells a UDP dump from a TCP one. */
	udp = &c.rec[7];
	assert_int_equal(udp->protocol, IPPROTO_UDP);
	assert_int_equal(udp->state, SS_CLOSE);
	assert_int_equal(udp->sport, 5353);
	free(buf);
}

static void test_ss_dump_is_tcp(void **unused)
{
	struct diag_load_err err = {0};
	struct collected c;
	size_t len;
	char *buf = read_fixture("ss-D.dump", &len);

	(void)unused;
	assert_int_equal(load_bytes(buf, len, &c, &err), 0);
	assert_int_equal(c.n, 7);
	for (size_t i = 0; i < c.n; i++) {
		assert_int_equal(c.rec[i].protocol, IPPROTO_TCP);
	}
	assert_int_equal(c.rec[2].state, SS_TIME_WAIT);
	assert_int_equal(c.rec[0].send_q, 16); /* backlog of the listener */
	free(buf);
}

static void test_truncated_names_offset(void **unused)
{
	struct diag_load_err err = {0};
	struct collected c;
	size_t len;
	char *buf = read_fixture("live.dump", &len);

	(void)unused;
	/* Cut inside the TIME_WAIT message, which starts at byte 248. */
	assert_int_equal(load_bytes(buf, 300, &c, &err), -EBADMSG);
	assert_int_equal(err.offset, 248);
	assert_non_null(strstr(err.what, "truncated"));
	assert_int_equal(c.n, 2);
	/* Whole messages but no closing NLMSG_DONE. */
	assert_int_equal(load_bytes(buf, 344, &c, &err), -EBADMSG);
	assert_non_null(strstr(err.what, "NLMSG_DONE"));
	free(buf);
}

static void test_corrupt_length_and_type(void **unused)
{
	struct diag_load_err err = {0};
	struct collected c;
	size_t len;
	char *buf = read_fixture("live.dump", &len);
	struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + 124);

	(void)unused;
	nlh->nlmsg_len = 3;
	assert_int_equal(load_bytes(buf, len, &c, &err), -EBADMSG);
	assert_int_equal(err.offset, 124);
	nlh->nlmsg_len = 0x7fffffff;
	assert_int_equal(load_bytes(buf, len, &c, &err), -EBADMSG);
	assert_int_equal(err.offset, 124);
	nlh->nlmsg_len = 124;
	nlh->nlmsg_type = 0x4242;
	assert_int_equal(load_bytes(buf, len, &c, &err), -EBADMSG);
	assert_int_equal(err.offset, 124);
	assert_int_equal(c.n, 1);
	free(buf);
}

static void test_empty_and_garbage(void **unused)
{
	struct diag_load_err err = {0};
	struct collected c;
	char garbage[64];

	(void)unused;
	assert_int_equal(load_bytes("", 0, &c, &err), 0);
	assert_int_equal(c.n, 0);
	for (size_t i = 0; i < sizeof(garbage); i++) {
		garbage[i] = (char)(i * 37 + 11);
	}
	assert_int_equal(load_bytes(garbage, sizeof(garbage), &c, &err),
			 -EBADMSG);
	assert_int_equal(err.offset, 0);
	assert_int_equal(c.n, 0);
}

/* A message built by hand: header, inet_diag_msg, then attributes. */
struct msgbuf {
	union {
		struct nlmsghdr nlh;
		char bytes[1024];
	};
};

static struct inet_diag_msg *start_msg(struct msgbuf *m, uint8_t family)
{
	struct inet_diag_msg *d;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m->nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*d));
	d = NLMSG_DATA(&m->nlh);
	d->idiag_family = family;
	return d;
}

static void add_attr(struct msgbuf *m, uint16_t type, const void *p,
		     uint16_t len)
{
	struct nlattr *a =
	    (struct nlattr *)(m->bytes + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, p, len);
	m->nlh.nlmsg_len =
	    NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void test_attributes(void **unused)
{
	struct msgbuf m;
	struct inet_diag_msg *d = start_msg(&m, AF_INET6);
	struct sock_rec rec;
	uint8_t shut = 3, v6only = 1;
	uint32_t mark = 0xbeef, skmem[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	uint64_t cg = 0x1122334455667788ull;
	char unknown[5] = "junk", cong[] = "cubic", info[40] = {7};

	(void)unused;
	d->idiag_state = SS_ESTABLISHED;
	d->id.idiag_sport = htons(443);
	d->id.idiag_dport = htons(51000);
	d->id.idiag_cookie[0] = 0x01020304;
	d->id.idiag_cookie[1] = 0x0a0b0c0d;
	d->idiag_uid = 1000;
	d->idiag_inode = 4242;
	d->idiag_rqueue = 7;
	d->idiag_wqueue = 9;
	add_attr(&m, INET_DIAG_SHUTDOWN, &shut, 1);
	add_attr(&m, 200, unknown, sizeof(unknown)); /* from a newer kernel */
	add_attr(&m, INET_DIAG_MARK, &mark, 4);
	add_attr(&m, INET_DIAG_CGROUP_ID, &cg, 8);
	add_attr(&m, INET_DIAG_SKV6ONLY, &v6only, 1);
	add_attr(&m, INET_DIAG_SKMEMINFO, skmem, sizeof(skmem));
	add_attr(&m, INET_DIAG_CONG, cong, sizeof(cong));
	add_attr(&m, INET_DIAG_INFO, info, sizeof(info));

	assert_int_equal(diag_parse_inet(&m.nlh, IPPROTO_TCP, &rec), 0);
	assert_int_equal(rec.sport, 443);
	assert_int_equal(rec.dport, 51000);
	assert_int_equal(rec.cookie, 0x0a0b0c0d01020304ull);
	assert_int_equal(rec.uid, 1000);
	assert_int_equal(rec.inode, 4242);
	assert_int_equal(rec.recv_q, 7);
	assert_int_equal(rec.send_q, 9);
	assert_true(rec.has_shutdown);
	assert_int_equal(rec.shutdown, 3);
	assert_true(rec.has_mark);
	assert_int_equal(rec.mark, 0xbeef);
	assert_true(rec.has_cgroup);
	assert_int_equal(rec.cgroup_id, cg);
	assert_int_equal(rec.v6only, 1);
	assert_int_equal(rec.ext.skmem_len, 9);
	assert_int_equal(rec.ext.skmem[8], 9);
	assert_string_equal(rec.ext.cong, "cubic");
	assert_int_equal(rec.ext.tcp_info_len, sizeof(info));
}

/* -i's extra attributes: the algorithm's block and the ULP's name. */
static void test_cc_and_ulp(void **unused)
{
	struct msgbuf m;
	struct sock_rec rec;
	struct tcp_bbr_info bbr = {.bbr_bw_lo = 1000, .bbr_min_rtt = 8};
	/* INET_ULP_INFO_NAME "tls" nested in INET_DIAG_ULP_INFO */
	struct {
		struct nlattr a;
		char name[4];
	} ulp = {{NLA_HDRLEN + 4, INET_ULP_INFO_NAME}, "tls"};
	char noterm[3] = {'a', 'b', 'c'};

	(void)unused;
	start_msg(&m, AF_INET);
	add_attr(&m, INET_DIAG_BBRINFO, &bbr, sizeof(bbr));
	add_attr(&m, INET_DIAG_ULP_INFO | NLA_F_NESTED, &ulp, sizeof(ulp));
	assert_int_equal(diag_parse_inet(&m.nlh, IPPROTO_TCP, &rec), 0);
	assert_int_equal(rec.ext.cc_type, INET_DIAG_BBRINFO);
	assert_int_equal(rec.ext.cc_info_len, sizeof(bbr));
	assert_memory_equal(rec.ext.cc_info, &bbr, sizeof(bbr));
	assert_string_equal(rec.ext.ulp, "tls");

	/* dctcp; a name without its NUL is not taken */
	start_msg(&m, AF_INET);
	ulp.a.nla_len = NLA_HDRLEN + 3;
	memcpy(ulp.name, noterm, 3);
	add_attr(&m, INET_DIAG_DCTCPINFO, &bbr, 16);
	add_attr(&m, INET_DIAG_ULP_INFO | NLA_F_NESTED, &ulp, sizeof(ulp));
	assert_int_equal(diag_parse_inet(&m.nlh, IPPROTO_TCP, &rec), 0);
	assert_int_equal(rec.ext.cc_type, INET_DIAG_DCTCPINFO);
	assert_int_equal(rec.ext.cc_info_len, 16);
	assert_null(rec.ext.ulp);

	/* a nested attribute longer than its nest is ignored */
	start_msg(&m, AF_INET);
	ulp.a.nla_len = 200;
	add_attr(&m, INET_DIAG_ULP_INFO, &ulp, sizeof(ulp));
	assert_int_equal(diag_parse_inet(&m.nlh, IPPROTO_TCP, &rec), 0);
	assert_null(rec.ext.ulp);
	assert_null(rec.ext.cc_info);
}

static void test_malformed_messages(void **unused)
{
	struct msgbuf m;
	struct sock_rec rec;
	struct nlattr *a;
	uint8_t shut = 1;

	(void)unused;
	start_msg(&m, AF_INET);
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_msg) - 1);
	assert_int_equal(diag_parse_inet(&m.nlh, IPPROTO_TCP, &rec), -EBADMSG);

	start_msg(&m, AF_UNIX);
	assert_int_equal(diag_parse_inet(&m.nlh, IPPROTO_TCP, &rec), -EBADMSG);

	/* An attribute claiming more bytes than the message holds. */
	start_msg(&m, AF_INET);
	add_attr(&m, INET_DIAG_SHUTDOWN, &shut, 1);
	a = (struct nlattr *)(m.bytes +
			      NLMSG_LENGTH(sizeof(struct inet_diag_msg)));
	a->nla_len = 200;
	assert_int_equal(diag_parse_inet(&m.nlh, IPPROTO_TCP, &rec), -EBADMSG);

	/* A CONG name without its NUL is ignored, not read past. */
	start_msg(&m, AF_INET);
	add_attr(&m, INET_DIAG_CONG, "cubicXX", 7);
	m.bytes[NLMSG_LENGTH(sizeof(struct inet_diag_msg)) + NLA_HDRLEN + 7] =
	    'Y';
	assert_int_equal(diag_parse_inet(&m.nlh, IPPROTO_TCP, &rec), 0);
	assert_null(rec.ext.cong);
}

static struct unix_diag_msg *start_unix(struct msgbuf *m)
{
	struct unix_diag_msg *u;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m->nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*u));
	u = NLMSG_DATA(&m->nlh);
	u->udiag_family = AF_UNIX;
	u->udiag_type = SOCK_STREAM;
	u->udiag_state = SS_ESTABLISHED;
	u->udiag_ino = 4242;
	u->udiag_cookie[0] = 7;
	u->udiag_cookie[1] = 1;
	return u;
}

/* unix_diag replies through the family dispatch: every field ss shows. */
static void test_unix_message(void **unused)
{
	static const char name[] = "\0ab\0c";
	struct unix_diag_rqlen q = {.udiag_rqueue = 3, .udiag_wqueue = 128};
	uint32_t peer = 4243, uid = 1000;
	uint8_t shut = 2;
	struct fmt_ctx ctx = {0};
	struct msgbuf m;
	struct sock_rec rec;
	char buf[ENDPOINT_STRLEN], nb[8];

	(void)unused;
	start_unix(&m);
	add_attr(&m, UNIX_DIAG_NAME, name, 5);
	add_attr(&m, UNIX_DIAG_PEER, &peer, 4);
	add_attr(&m, UNIX_DIAG_RQLEN, &q, sizeof(q));
	add_attr(&m, UNIX_DIAG_UID, &uid, 4);
	add_attr(&m, UNIX_DIAG_SHUTDOWN, &shut, 1);
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	assert_int_equal(rec.family, AF_UNIX);
	assert_int_equal(rec.protocol, SOCK_STREAM);
	assert_int_equal(rec.state, SS_ESTABLISHED);
	assert_int_equal(rec.inode, 4242);
	assert_int_equal(rec.peer_inode, 4243);
	assert_int_equal(rec.recv_q, 3);
	assert_int_equal(rec.send_q, 128);
	assert_int_equal(rec.uid, 1000);
	assert_true(rec.has_shutdown && rec.shutdown == 2);
	assert_true(rec.cookie == (7 | 1ull << 32));
	assert_int_equal(rec.ext.path_len, 5);
	/* Abstract: every NUL as '@', as ss prints it. */
	assert_int_equal(format_endpoint(buf, &ctx, &rec, false), 10);
	assert_string_equal(buf, "@ab@c 4242");
	assert_int_equal(format_endpoint(buf, &ctx, &rec, true), 6);
	assert_string_equal(buf, "* 4243");
	assert_string_equal(format_rec_netid(&rec, nb), "u_str");
	assert_string_equal(format_family_name(&rec), "unix");

	/* A listener's queued clients, as an array of u32 inodes. */
	{
		uint32_t icons[2] = {11, 12};

		start_unix(&m)->udiag_state = SS_LISTEN;
		add_attr(&m, UNIX_DIAG_ICONS, icons, sizeof(icons));
		assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
		assert_int_equal(rec.ext.icons_len, 2);
		assert_int_equal(rec.ext.icons[1], 12);
	}

	/* A path with its NUL; an unnamed dgram. */
	start_unix(&m)->udiag_type = SOCK_DGRAM;
	add_attr(&m, UNIX_DIAG_NAME, "/run/x.sock", 12);
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	format_endpoint(buf, &ctx, &rec, false);
	assert_string_equal(buf, "/run/x.sock 4242");
	assert_string_equal(format_rec_netid(&rec, nb), "u_dgr");
	start_unix(&m)->udiag_type = SOCK_SEQPACKET;
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	assert_null(rec.ext.path);
	format_endpoint(buf, &ctx, &rec, false);
	assert_string_equal(buf, "* 4242");
	assert_string_equal(format_rec_netid(&rec, nb), "u_seq");
}

/* Damaged unix_diag replies: refused or ignored, never read past. */
/* A --load error names the family whose record was malformed. */
static void test_load_malformed_names_family(void **unused)
{
	struct {
		struct nlmsghdr nlh;
		struct packet_diag_msg m;
		struct nlattr a;
		uint32_t pad;
		struct nlmsghdr done;
		int32_t status;
	} f;
	struct diag_load_err err = {0};
	struct collected c;

	(void)unused;
	memset(&f, 0, sizeof(f));
	f.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	f.nlh.nlmsg_len = (uint32_t)offsetof(__typeof__(f), done);
	f.m.pdiag_family = AF_PACKET;
	f.m.pdiag_type = SOCK_RAW;
	f.a.nla_type = PACKET_DIAG_INFO;
	f.a.nla_len = 200; /* past the message */
	f.done.nlmsg_type = NLMSG_DONE;
	f.done.nlmsg_len = NLMSG_LENGTH(sizeof(int32_t));
	assert_int_equal(load_bytes(&f, sizeof(f), &c, &err), -EBADMSG);
	assert_string_equal(err.what, "malformed packet sock_diag message");

	f.m.pdiag_family = 99;
	assert_int_equal(load_bytes(&f, sizeof(f), &c, &err), -EBADMSG);
	assert_string_equal(err.what, "sock_diag message of unknown family 99");
}

static void test_unix_malformed(void **unused)
{
	char big[200];
	struct msgbuf m;
	struct sock_rec rec;
	struct nlattr *a;
	uint32_t peer = 1;

	(void)unused;
	start_unix(&m);
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(struct unix_diag_msg) - 1);
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), -EBADMSG);
	assert_int_equal(diag_parse_unix(&m.nlh, 0, &rec), -EBADMSG);

	start_unix(&m);
	add_attr(&m, UNIX_DIAG_PEER, &peer, 4);
	a = (struct nlattr *)(m.bytes +
			      NLMSG_LENGTH(sizeof(struct unix_diag_msg)));
	a->nla_len = 300;
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), -EBADMSG);

	/* A name longer than sun_path is no name. */
	memset(big, 'a', sizeof(big));
	start_unix(&m);
	add_attr(&m, UNIX_DIAG_NAME, big, sizeof(big));
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	assert_null(rec.ext.path);

	/* A family with no registry entry. */
	start_unix(&m)->udiag_family = AF_KEY;
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), -EBADMSG);
	/* The inet parser refuses UNIX messages. */
	start_unix(&m);
	assert_int_equal(diag_parse_inet(&m.nlh, IPPROTO_TCP, &rec), -EBADMSG);
}

static struct packet_diag_msg *start_packet(struct msgbuf *m, uint8_t type,
					    uint16_t proto)
{
	struct packet_diag_msg *p;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m->nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*p));
	p = NLMSG_DATA(&m->nlh);
	p->pdiag_family = AF_PACKET;
	p->pdiag_type = type;
	p->pdiag_num = proto;
	p->pdiag_ino = 5151;
	p->pdiag_cookie[0] = 9;
	return p;
}

/* packet_diag replies: type, EtherType, interface, Recv-Q as ss. */
static void test_packet_message(void **unused)
{
	struct packet_diag_info info = {.pdi_index = 99999};
	uint32_t mem[SK_MEMINFO_VARS] = {[SK_MEMINFO_RMEM_ALLOC] = 2304};
	uint32_t uid = 1001;
	struct opts o = {0};
	struct fmt_ctx ctx = {.o = &o, .ifn = ifnames_create()};
	struct msgbuf m;
	struct sock_rec rec;
	char buf[ENDPOINT_STRLEN], nb[8];

	(void)unused;
	start_packet(&m, SOCK_DGRAM, 0x0800);
	add_attr(&m, PACKET_DIAG_INFO, &info, sizeof(info));
	add_attr(&m, PACKET_DIAG_UID, &uid, 4);
	add_attr(&m, PACKET_DIAG_MEMINFO, mem, sizeof(mem));
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	assert_int_equal(rec.family, AF_PACKET);
	assert_int_equal(rec.protocol, SOCK_DGRAM);
	assert_int_equal(rec.state, SS_CLOSE);
	assert_int_equal(rec.link_proto, 0x0800);
	assert_int_equal(rec.ifindex, 99999);
	assert_int_equal(rec.uid, 1001);
	assert_int_equal(rec.inode, 5151);
	assert_int_equal(rec.recv_q, 2304);
	assert_true(rec.cookie == 9);
	assert_string_equal(format_rec_netid(&rec, nb), "p_dgr");
	assert_string_equal(format_family_name(&rec), "packet");
	assert_int_equal(family_proto_bit(&rec), PROTO_PACKET_DGRAM);
	format_endpoint(buf, &ctx, &rec, false);
	assert_string_equal(buf, "ip:if99999");
	format_endpoint(buf, &ctx, &rec, true);
	assert_string_equal(buf, "*");
	o.numeric = true;
	format_endpoint(buf, &ctx, &rec, false);
	assert_string_equal(buf, "[2048]:if99999");

	/* ETH_P_ALL on any interface: "*:*", with -n too. */
	start_packet(&m, SOCK_RAW, 0x0003);
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	format_endpoint(buf, &ctx, &rec, false);
	assert_string_equal(buf, "*:*");
	assert_string_equal(format_rec_netid(&rec, nb), "p_raw");
	assert_int_equal(family_proto_bit(&rec), PROTO_PACKET_RAW);
	assert_string_equal(family_packet_proto(0, false, nb), "[0]");
	assert_string_equal(family_packet_proto(0xffff, false, nb), "[65535]");
	assert_string_equal(family_packet_proto(0x86dd, false, nb), "ipv6");
	assert_string_equal(family_packet_proto(0x88cc, false, nb), "LLDP");

	/* Short messages and overlong attributes are refused. */
	start_packet(&m, SOCK_RAW, 3);
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(struct packet_diag_msg) - 1);
	assert_int_equal(diag_parse_packet(&m.nlh, 0, &rec), -EBADMSG);
	start_packet(&m, SOCK_RAW, 3);
	add_attr(&m, PACKET_DIAG_UID, &uid, 4);
	((struct nlattr *)(m.bytes +
			   NLMSG_LENGTH(sizeof(struct packet_diag_msg))))
	    ->nla_len = 300;
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), -EBADMSG);
	/* A short INFO is no interface. */
	start_packet(&m, SOCK_RAW, 3);
	add_attr(&m, PACKET_DIAG_INFO, &info, 4);
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	assert_int_equal(rec.ifindex, 0);
	ifnames_destroy(ctx.ifn);
}

/* A crafted vsock_diag_msg: ss's "CID:PORT", "*" for the kernel's any
 * (~0), v_str/v_dgr/v_seq by type; the parser asks for the whole
 * message. */
static void test_vsock_message(void **unused)
{
	struct opts o = {.root = "/nonexistent"};
	struct fmt_ctx ctx = {.o = &o};
	struct vsock_diag_msg *v;
	struct msgbuf m;
	struct sock_rec rec;
	char buf[ENDPOINT_STRLEN], nb[8];

	(void)unused;
	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*v));
	v = NLMSG_DATA(&m.nlh);
	v->vdiag_family = AF_VSOCK;
	v->vdiag_type = SOCK_STREAM;
	v->vdiag_state = SS_ESTABLISHED;
	v->vdiag_src_cid = 2;
	v->vdiag_src_port = 1234;
	v->vdiag_dst_cid = 4294967294u; /* the largest CID not "any" */
	v->vdiag_dst_port = 40000;
	v->vdiag_ino = 321;
	v->vdiag_cookie[0] = 5;
	v->vdiag_cookie[1] = 1;
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	assert_int_equal(rec.family, AF_VSOCK);
	assert_int_equal(rec.protocol, SOCK_STREAM);
	assert_int_equal(rec.inode, 321);
	assert_int_equal(rec.cookie, (1ull << 32) | 5);
	assert_int_equal(rec.recv_q, 0);
	assert_string_equal(format_rec_netid(&rec, nb), "v_str");
	assert_string_equal(format_rec_state(&rec), "ESTABLISHED");
	assert_string_equal(format_family_name(&rec), "vsock");
	assert_int_equal(family_proto_bit(&rec), PROTO_VSOCK_STREAM);
	format_endpoint(buf, &ctx, &rec, false);
	assert_string_equal(buf, "2:1234");
	format_endpoint(buf, &ctx, &rec, true);
	assert_string_equal(buf, "4294967294:40000");
	assert_int_equal(family_filter_port(&rec, false), 1234);
	assert_int_equal(family_filter_port(&rec, true), 40000);
	assert_true(family_autobound(&rec, 32768, 60999));
	/* A listener bound to any CID: "*:PORT", its peer "*:*". */
	v->vdiag_type = SOCK_SEQPACKET;
	v->vdiag_state = SS_LISTEN;
	v->vdiag_src_cid = 0xffffffffu;
	v->vdiag_src_port = 1023;
	v->vdiag_dst_cid = 0xffffffffu;
	v->vdiag_dst_port = 0xffffffffu;
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	assert_string_equal(format_rec_netid(&rec, nb), "v_seq");
	assert_string_equal(format_rec_state(&rec), "LISTEN");
	assert_int_equal(family_proto_bit(&rec), PROTO_VSOCK_SEQPACKET);
	format_endpoint(buf, &ctx, &rec, false);
	assert_string_equal(buf, "*:1023");
	format_endpoint(buf, &ctx, &rec, true);
	assert_string_equal(buf, "*:*");
	assert_int_equal(family_filter_port(&rec, true), -1);
	assert_false(family_autobound(&rec, 32768, 60999));
	/* A dgram socket; a type no table has is ss's "???". */
	v->vdiag_type = SOCK_DGRAM;
	v->vdiag_state = SS_CLOSE;
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	assert_string_equal(format_rec_netid(&rec, nb), "v_dgr");
	assert_string_equal(format_rec_state(&rec), "UNCONN");
	v->vdiag_type = SOCK_RAW;
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	assert_string_equal(format_rec_netid(&rec, nb), "???");
	assert_int_equal(family_proto_bit(&rec), 0);
	/* A short message is refused. */
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*v) - 1);
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), -EBADMSG);
}

/* netlink_diag replies: protocol, port ids, queues from skmem, as ss. */
static void test_netlink_message(void **unused)
{
	uint32_t mem[SK_MEMINFO_VARS] = {
	    [SK_MEMINFO_RMEM_ALLOC] = 832, [SK_MEMINFO_WMEM_ALLOC] = 64};
	struct opts o = {.root = "/nonexistent"};
	struct fmt_ctx ctx = {.o = &o};
	struct netlink_diag_msg *n;
	struct msgbuf m;
	struct sock_rec rec;
	char buf[ENDPOINT_STRLEN], nb[8];

	(void)unused;
	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*n));
	n = NLMSG_DATA(&m.nlh);
	n->ndiag_family = AF_NETLINK;
	n->ndiag_type = SOCK_RAW;
	n->ndiag_protocol = 6; /* XFRM: not TCP */
	n->ndiag_state = 1;    /* connected */
	n->ndiag_portid = (uint32_t)-4100;
	n->ndiag_dst_group = 2;
	n->ndiag_dst_portid = 77;
	n->ndiag_ino = 99;
	add_attr(&m, NETLINK_DIAG_MEMINFO, mem, sizeof(mem));
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	assert_int_equal(rec.family, AF_NETLINK);
	assert_int_equal(rec.protocol, 6);
	assert_int_equal(rec.state, SS_CLOSE);
	assert_string_equal(format_rec_state(&rec), "UNCONN");
	assert_int_equal(rec.recv_q, 832);
	assert_int_equal(rec.send_q, 64);
	assert_int_equal(rec.inode, 99);
	assert_string_equal(format_rec_netid(&rec, nb), "nl");
	assert_string_equal(format_family_name(&rec), "netlink");
	assert_int_equal(family_proto_bit(&rec), PROTO_NETLINK);
	/* No such process under the root: the signed number. */
	format_endpoint(buf, &ctx, &rec, false);
	assert_string_equal(buf, "xfrm:-4100");
	format_endpoint(buf, &ctx, &rec, true);
	assert_string_equal(buf, "2:77");
	o.numeric = true;
	format_endpoint(buf, &ctx, &rec, false);
	assert_string_equal(buf, "6:-4100");
	/* The kernel's socket, unconnected. */
	n->ndiag_portid = 0;
	n->ndiag_state = 0;
	o.numeric = false;
	assert_int_equal(diag_parse(&m.nlh, 0, &rec), 0);
	format_endpoint(buf, &ctx, &rec, false);
	assert_string_equal(buf, "xfrm:kernel");
	format_endpoint(buf, &ctx, &rec, true);
	assert_string_equal(buf, "*");
	assert_string_equal(family_netlink_proto(22, false, nb), "22");
	assert_string_equal(family_netlink_proto(17, false, nb), "17");
	assert_string_equal(family_netlink_proto(0, true, nb), "0");
	/* A short message is refused. */
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*n) - 1);
	assert_int_equal(diag_parse_netlink(&m.nlh, 0, &rec), -EBADMSG);
}

/* An mptcp_diag reply: an inet record of protocol SOCK_PROTO_MPTCP,
 * whatever INET_DIAG_PROTOCOL says, its mptcp_info never a tcp_info. */
static void test_mptcp_message(void **unused)
{
	uint8_t info[64] = {0}, proto = IPPROTO_TCP;
	struct msgbuf m;
	struct sock_rec rec;
	char nb[8];

	(void)unused;
	start_msg(&m, AF_INET6)->idiag_state = SS_LISTEN;
	add_attr(&m, INET_DIAG_INFO, info, sizeof(info));
	add_attr(&m, INET_DIAG_PROTOCOL, &proto, 1);
	assert_int_equal(diag_parse(&m.nlh, SOCK_PROTO_MPTCP, &rec), 0);
	assert_int_equal(rec.family, AF_INET6);
	assert_int_equal(rec.protocol, SOCK_PROTO_MPTCP);
	assert_null(rec.ext.tcp_info);
	assert_string_equal(format_rec_netid(&rec, nb), "mptcp");
	assert_string_equal(format_rec_state(&rec), "LISTEN");
	assert_int_equal(family_proto_bit(&rec), PROTO_MPTCP);
	/* A TCP reply keeps its tcp_info. */
	assert_int_equal(diag_parse(&m.nlh, IPPROTO_TCP, &rec), 0);
	assert_int_equal(rec.protocol, IPPROTO_TCP);
	assert_non_null(rec.ext.tcp_info);
	/* SCTP's INET_DIAG_INFO is a sctp_info: no tcp_info either. */
	proto = IPPROTO_SCTP;
	start_msg(&m, AF_INET)->idiag_state = SS_ESTABLISHED;
	add_attr(&m, INET_DIAG_INFO, info, sizeof(info));
	add_attr(&m, INET_DIAG_PROTOCOL, &proto, 1);
	assert_int_equal(diag_parse(&m.nlh, IPPROTO_SCTP, &rec), 0);
	assert_int_equal(rec.protocol, IPPROTO_SCTP);
	assert_null(rec.ext.tcp_info);
}

/* /proc/net/raw and raw6 lines (no raw_diag) into inet RAW records. */
static void test_raw_proc_lines(void **unused)
{
	static const char v4[] =
	    "  88: 0100007F:0001 0200007F:0000 01 00000010:00000680 "
	    "00:00000000 00000000  1000        0 48105543 2 "
	    "00000000e9af14c9 0\n";
	static const char v6[] =
	    "  125: 00000000000000000000000001000000:00FD "
	    "00000000000000000000000000000000:0000 07 00000000:00000000 "
	    "00:00000000 00000000     0        0 48105546 2 "
	    "00000000d71414fe 0\n";
	const uint8_t lo4[4] = {127, 0, 0, 1}, two[4] = {127, 0, 0, 2};
	uint8_t lo6[16] = {0};
	struct fmt_ctx ctx = {0};
	struct sock_rec rec;
	char buf[ENDPOINT_STRLEN], nb[8];

	(void)unused;
	lo6[15] = 1;
	assert_int_equal(family_raw_parse_line("  sl  local_address rem_address"
					       "   st tx_queue rx_queue\n",
					       AF_INET, &rec),
			 1);
	assert_int_equal(family_raw_parse_line(v4, AF_INET, &rec), 0);
	assert_int_equal(rec.family, AF_INET);
	assert_int_equal(rec.protocol, IPPROTO_RAW);
	assert_int_equal(rec.state, SS_ESTABLISHED);
	assert_memory_equal(rec.saddr, lo4, 4);
	assert_memory_equal(rec.daddr, two, 4);
	assert_int_equal(rec.sport, 1);
	assert_int_equal(rec.send_q, 16);
	assert_int_equal(rec.recv_q, 0x680);
	assert_int_equal(rec.uid, 1000);
	assert_int_equal(rec.inode, 48105543);
	assert_string_equal(format_rec_netid(&rec, nb), "raw");
	assert_int_equal(family_proto_bit(&rec), PROTO_RAW);
	/* Numeric (no services): the protocol number as the port. */
	format_endpoint(buf, &ctx, &rec, false);
	assert_string_equal(buf, "127.0.0.1:1");
	assert_int_equal(family_raw_parse_line(v6, AF_INET6, &rec), 0);
	assert_memory_equal(rec.saddr, lo6, 16);
	assert_int_equal(rec.state, SS_CLOSE);
	assert_int_equal(rec.sport, 253);
	assert_string_equal(format_rec_state(&rec), "UNCONN");
	/* ss's name for a protocol /etc/protocols may lack. */
	assert_int_equal(family_raw_proto_name(buf, 253), 11);
	assert_string_equal(buf, "ipproto-253");
	/* Damaged lines: refused. */
	assert_int_equal(
	    family_raw_parse_line("  1: zz:1 0:0 07\n", AF_INET, &rec),
	    -EBADMSG);
	assert_int_equal(family_raw_parse_line(v6, AF_INET, &rec), -EBADMSG);
	assert_int_equal(family_raw_parse_line(v4, AF_INET6, &rec), -EBADMSG);
	assert_int_equal(family_raw_parse_line("", AF_INET, &rec), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_live_dump),
	    cmocka_unit_test(test_ss_dump_is_tcp),
	    cmocka_unit_test(test_truncated_names_offset),
	    cmocka_unit_test(test_corrupt_length_and_type),
	    cmocka_unit_test(test_empty_and_garbage),
	    cmocka_unit_test(test_attributes),
	    cmocka_unit_test(test_malformed_messages),
	    cmocka_unit_test(test_cc_and_ulp),
	    cmocka_unit_test(test_unix_message),
	    cmocka_unit_test(test_unix_malformed),
	    cmocka_unit_test(test_load_malformed_names_family),
	    cmocka_unit_test(test_packet_message),
	    cmocka_unit_test(test_netlink_message),
	    cmocka_unit_test(test_vsock_message),
	    cmocka_unit_test(test_mptcp_message),
	    cmocka_unit_test(test_raw_proc_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
