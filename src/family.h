/*
 * family.h - the socket family registry: one entry per family ss lists,
 * each in its own file (family_inet.c, family_unix.c). Everything that
 * differs by family is here: the sock_diag request, the reply parser,
 * netid and endpoint text, the filter predicates it answers, whether kill
 * can destroy its sockets, and its option letters and -A names.
 *
 * Adding a family: one family_<name>.c defining a struct sock_family, one
 * line in family.c's table, its PROTO_ bits in opts.h (see
 * docs/architecture.md).
 */
#ifndef SOCKSCOPE_FAMILY_H
#define SOCKSCOPE_FAMILY_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock.h"

struct diag_req;
struct fmt_ctx;

/* -A names: each a set of PROTO_ bits (opts.h). */
struct family_query {
	const char *name;
	uint32_t protos;
};

/* Filter predicates a family's records can answer (bits of FPRED_). */
enum family_pred {
	FPRED_ADDR = 1 << 0,   /* src/dst address and port, dev, auto */
	FPRED_PATH = 1 << 1,   /* src/dst PATH-GLOB (UNIX names) */
	FPRED_OWNER = 1 << 2,  /* uid, pid, comm */
	FPRED_KERNEL = 1 << 3, /* the kernel runs inet_diag bytecode */
};

struct sock_family {
	const char *name;    /* "inet", "unix": -f's word, JSON's family */
	uint8_t af;	     /* AF_INET, AF_UNIX (AF_INET6 shares inet's) */
	uint32_t fam_bits;   /* enum family_bit it serves */
	uint32_t proto_bits; /* enum proto_bit it serves */
	const char *letters; /* its ss option letters, e.g. "x" */
	const struct family_query *queries; /* -A names, NULL-terminated */
	uint32_t preds;			    /* enum family_pred */
	/* NULL: kill can destroy its sockets; else the one-line reason. */
	const char *no_kill;
	/*
	 * Fill rec from one SOCK_DIAG_BY_FAMILY reply of this family;
	 * protocol is the one the request asked for (its sequence number).
	 * Pure; returns 0 or -EBADMSG.
	 */
	int (*parse)(const struct nlmsghdr *nlh, uint8_t protocol,
		     struct sock_rec *rec);
	/* Append the request header (the family's *_diag_req) to nlh and
	 * set its type; attributes may follow. */
	void (*put_request)(struct nlmsghdr *nlh, const struct diag_req *req);
	/* "tcp", "u_str": never NULL (buf: room for unknown codes). */
	const char *(*netid)(const struct sock_rec *rec, char buf[8]);
	/* The table's Local/Peer cell (format.h ENDPOINT_STRLEN bytes),
	 * anything a process controls escaped; returns the length. */
	size_t (*endpoint)(char *buf, const struct fmt_ctx *ctx,
			   const struct sock_rec *rec, bool peer);
	/* The JSON fields of the endpoints, each starting with ','. */
	void (*json)(struct fmt_ctx *ctx, const struct sock_rec *rec);
	/* Only probed (family_probe.c): its request tells whether the
	 * kernel has the diag module; one notice, no rows listed. */
	bool probe_only;
	/* The number a port condition (sport, dport, src *:P) compares, as
	 * ss does: a UNIX socket's inode and its peer's, a packet socket's
	 * interface index, a netlink socket's port id (its peer: -1). NULL:
	 * the inet ports. */
	int64_t (*filter_port)(const struct sock_rec *rec, bool peer);
};

extern const struct sock_family family_inet;
extern const struct sock_family family_unix;
extern const struct sock_family family_packet;
extern const struct sock_family family_netlink;
/* MPTCP: inet records (family_of() gives inet's entry); this entry
 * carries its -A name, letter and kill refusal. */
extern const struct sock_family family_mptcp;
/* RAW: inet records too; its functions are NULL (inet's are used). */
extern const struct sock_family family_raw;
/* SCTP: inet records of protocol IPPROTO_SCTP, as MPTCP's. */
extern const struct sock_family family_sctp;
extern const struct sock_family family_vsock;
extern const struct sock_family family_tipc;
extern const struct sock_family family_xdp;

/* The entry for an address family (AF_INET6 gives inet's); NULL if none. */
const struct sock_family *family_of(uint8_t af);
/* rec's port for the filter, through its family's filter_port. */
int64_t family_filter_port(const struct sock_rec *rec, bool peer);
/* The entries in order; *n is set to their count. */
const struct sock_family *const *family_all(size_t *n);
/* The PROTO_ bits of one -A name (any family), 0 if unknown. */
uint32_t family_query(const char *name);
/*
 * For each single table beyond TCP, UDP and UNIX that protocols selects
 * (PACKET's two, NETLINK, MPTCP, RAW, SCTP; not the probed families), in
 * registry order: fn(arg, its -A name, counts[its PROTO_ bit position]).
 */
void family_other_tables(uint32_t protocols, const uint64_t counts[32],
			 void (*fn)(void *arg, const char *name, uint64_t n),
			 void *arg);
/* The PROTO_ bits of every entry serving one of fam_bits (FAM_INET: TCP,
 * UDP, MPTCP, RAW, SCTP). */
uint32_t family_tables(uint32_t fam_bits);
/* Every listed family's PROTO_ bits (not the probed ones): -A all. */
uint32_t family_all_protos(void);
/* The PROTO_ bit of one record (by family and protocol), 0 if none. */
uint32_t family_proto_bit(const struct sock_rec *rec);

/* sun_path's size: the longest UNIX name. */
#define UNIX_NAME_MAX 108
/*
 * A UNIX record's name as ss prints it, unescaped: a path, or an abstract
 * name with its NULs as '@' ("@name"). Returns its length, 0 if unnamed.
 */
size_t family_unix_name(char buf[UNIX_NAME_MAX], const struct sock_rec *rec);

/* family_unix.c: the UNIX parser, for tests and diag_parse(). */
int diag_parse_unix(const struct nlmsghdr *nlh, uint8_t protocol,
		    struct sock_rec *rec);

/* family_packet.c: the PACKET parser, for tests and diag_parse(). */
int diag_parse_packet(const struct nlmsghdr *nlh, uint8_t protocol,
		      struct sock_rec *rec);
/*
 * A PACKET record's EtherType as ss prints it: "*" for every one
 * (ETH_P_ALL), its name ("ip", "ipv6"), else "[NUMBER]"; numeric (-n):
 * "[NUMBER]" but for "*". buf holds 8 bytes. Never NULL.
 */
const char *family_packet_proto(uint16_t proto, bool numeric, char buf[8]);

/* family_netlink.c: the NETLINK parser, for tests and diag_parse(). */
int diag_parse_netlink(const struct nlmsghdr *nlh, uint8_t protocol,
		       struct sock_rec *rec);
/* A netlink protocol as ss names it ("rtnl"), else (and with -n) its
 * number. buf holds 8 bytes. Never NULL. */
const char *family_netlink_proto(uint8_t protocol, bool numeric, char buf[8]);

/* family_raw.c: RAW sockets from /proc/net/raw{,6} (no raw_diag). */
struct sock_rec;
/*
 * One line of /proc/net/raw (family AF_INET) or raw6 into rec, an inet
 * record of protocol IPPROTO_RAW with the carried protocol as its port.
 * Pure. Returns 0, 1 for the header line, or -EBADMSG.
 */
int family_raw_parse_line(const char *line, uint8_t family,
			  struct sock_rec *rec);
/*
 * Every line of root/proc/net/raw and raw6 (absent raw6: none) to fn,
 * counting them in *rows; fn's non-zero return stops the walk and is
 * returned. Returns 0, -errno when raw cannot be read, or -EBADMSG.
 */
int family_raw_read_proc(const char *root,
			 int (*fn)(const struct sock_rec *, void *), void *data,
			 unsigned long *rows);
/* The longest protocol name printed (escaped: 4 bytes each). */
#define RAW_PROTO_NAME_MAX 32
/* The carried protocol as ss names a RAW socket's port: its
 * /etc/protocols name, escaped, else "ipproto-N". Returns the length. */
size_t family_raw_proto_name(char *buf, uint8_t protocol);

#endif
