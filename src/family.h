/*
 * family.h - the socket family registry: one entry per family ss lists,
 * each in its own file (family_inet.c, family_unix.c). Everything that
 * differs by family is here: the sock_diag request, the reply parser,
 * netid and endpoint text, the filter predicates it answers, whether kill
 * can destroy its sockets, and its option letters and -A names.
 *
 * Adding a family: one family_<name>.c defining a struct sock_family
 * family_<name>, one line in family.c's FAMILIES, its PROTO_ and FAM_
 * bits in opts.h, the file in src/meson.build (see docs/architecture.md).
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

/*
 * An option that selects tables or IP families, as ss spells it: its
 * letter (0: a long option only) and long name; opts.c adds these to
 * getopt's and applies them (tests/check_docs.py reads them here).
 */
struct family_opt {
	char letter;
	const char *name;
	uint32_t protos; /* PROTO_ bits it selects */
	uint32_t fams;	 /* FAM_ bits it selects (-4, -6) */
};

/* A table's states with -l: listening and unconnected (bound). */
#define FAMILY_LISTENING (SS_BIT(SS_LISTEN) | SS_BIT(SS_CLOSE))

/* -A names: each a set of PROTO_ bits (opts.h). */
struct family_query {
	const char *name;
	uint32_t protos;
};

/*
 * Filter predicates a family's records can answer (bits of FPRED_). A
 * leaf needing one its family lacks is false for its rows, as ss's
 * run_ssfilter() has it (`-x src 10.0.0.1` selects nothing, `-t src
 * /run/x*` nothing; ss refuses the latter's text instead): filter_eval.c
 * asks family_answers(). Port conditions (sport, dport, `src :P`) are
 * every family's, through filter_port; dev, fwmark and cgroup read 0
 * where a family has none (as ss); autobound through autobound.
 */
enum family_pred {
	FPRED_ADDR = 1 << 0,   /* an address in src/dst (not `*`) */
	FPRED_PATH = 1 << 1,   /* src PATH-GLOB (UNIX names) */
	FPRED_OWNER = 1 << 2,  /* uid, pid, comm */
	FPRED_KERNEL = 1 << 3, /* its diag runs inet_diag bytecode: the
				* filter is compiled for the kernel */
};

/*
 * One table of a family, as ss's -A names one: the rows it holds and the
 * states it lists by default. acquire.c selects rows by it.
 */
struct family_table {
	const char *name; /* "tcp", "u_str": in messages */
	uint32_t bit;	  /* enum proto_bit */
	/* Its rows' rec->protocol (IPPROTO_TCP, SOCK_STREAM), -1 for every
	 * row of the family; FDUMP_TABLE: also the request's protocol. */
	int16_t code;
	bool one_walk;	    /* FDUMP_TABLE: both IP families in one walk */
	uint32_t states;    /* listed without -a, -l or state words */
	uint32_t listening; /* with -l */
};

/* How acquire.c reads a family's sockets. */
enum family_dump {
	FDUMP_TABLE,  /* inet_diag: a request per table and IP family, the
		       * filter compiled for the kernel (filter_bc.c) */
	FDUMP_FAMILY, /* one request for all its tables, the filter and the
		       * tables not asked for in userspace */
	FDUMP_PROBE,  /* probe_only: its request, for the notice */
};

struct sock_family {
	const char *name;    /* "inet", "unix": -f's word, JSON's family */
	uint8_t af;	     /* AF_INET, AF_UNIX (AF_INET6 shares inet's) */
	uint32_t fam_bits;   /* enum family_bit it serves */
	uint32_t proto_bits; /* enum proto_bit it serves */
	/* Its options (-x, --unix), NULL-named end; NULL: none. */
	const struct family_opt *opts;
	const struct family_query *queries; /* -A names, NULL-terminated */
	/* -f's words (FAM_ bits each: inet, inet6), NULL-terminated. */
	const struct family_query *fam_names;
	uint32_t preds; /* enum family_pred */
	/* NULL: kill can destroy its sockets; else the one-line reason. */
	const char *no_kill;
	/* The kernel announces the destruction of its tables' sockets
	 * (sock_diag's destroy groups: inet TCP and UDP only): watch can
	 * show them, top waits for the event before calling a row closed. */
	bool destroy_events;
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
	/*
	 * What endpoint and json read beyond the record's common fields
	 * (inode, ifindex, protocol, ports, addresses), as bytes top keeps
	 * in its dict (top_model.c): key writes at most FAMILY_KEY_MAX and
	 * returns their length; key_rec puts them back into rec, whose ext
	 * pointers may point into key (it outlives rec). NULL: nothing
	 * more (inet's addresses are interned apart).
	 */
	size_t (*key)(uint8_t *buf, const struct sock_rec *rec);
	void (*key_rec)(const uint8_t *key, size_t len, struct sock_rec *rec);
	/* The order of two of its rows' local (or peer) endpoints from
	 * their keys, as their text reads (top's sort; it breaks ties by
	 * inode): <0, 0, >0. NULL: tied. */
	int (*key_cmp)(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
		       bool peer);
	/* Only probed (family_probe.c): its request tells whether the
	 * kernel has the diag module; one notice, no rows listed. */
	bool probe_only;
	/* A probed inet_diag table (DCCP): the protocol its probe asks
	 * inet_diag for, in each IP family selected; 0: its own diag. */
	uint8_t probe_protocol;
	/* The tables it lists (NULL-named end); none for a probed one. */
	const struct family_table *tables;
	enum family_dump dump;
	/* Where the kernel lacks its diag module: every row read otherwise
	 * (RAW: /proc/net/raw{,6} under root), counted in *rows; fn's
	 * non-zero return stops and is returned; -errno when unreadable.
	 * fallback_path names it in messages. NULL: skipped, a notice. */
	int (*fallback)(const char *root,
			int (*fn)(const struct sock_rec *, void *), void *data,
			unsigned long *rows);
	const char *fallback_path;
	/* The number a port condition (sport, dport, src *:P) compares, as
	 * ss does: a UNIX socket's inode and its peer's, a packet socket's
	 * interface index, a netlink socket's port id (its peer: -1). NULL:
	 * the inet ports. */
	int64_t (*filter_port)(const struct sock_rec *rec, bool peer);
	/* The address an address condition (src, dst) compares, for a
	 * family answering FPRED_ADDR without inet addresses: its address
	 * family (a condition of another matches none of its rows) and
	 * its bytes in addr, network order (VSOCK: the CID, which
	 * `vsock:CID:PORT` names). NULL: the inet addresses. */
	uint8_t (*filter_addr)(const struct sock_rec *rec, bool peer,
			       uint8_t addr[16]);
	/* The filter's `autobound` as ss answers it for this family (a
	 * name, an interface or a port id the kernel chose); NULL: the
	 * inet ports' ephemeral range. */
	bool (*autobound)(const struct sock_rec *rec);
};

/* The entry for an address family (AF_INET6 gives inet's); NULL if none. */
const struct sock_family *family_of(uint8_t af);
/* Whether rec's family answers every predicate in preds (enum
 * family_pred); a filter leaf it does not answer is false for rec. */
bool family_answers(const struct sock_rec *rec, uint32_t preds);
/* The filter's `autobound` for rec, as ss has it per family: through its
 * family's autobound, else (inet) the local port in [lo, hi], the
 * ephemeral range. */
bool family_autobound(const struct sock_rec *rec, uint16_t lo, uint16_t hi);
/* rec's port for the filter, through its family's filter_port. */
int64_t family_filter_port(const struct sock_rec *rec, bool peer);
/* rec's address for the filter (its family's filter_addr, else the inet
 * address) and *af its address family; points into rec or buf. */
const uint8_t *family_filter_addr(const struct sock_rec *rec, bool peer,
				  uint8_t buf[16], uint8_t *af);
/* The entries in order; *n is set to their count. */
const struct sock_family *const *family_all(size_t *n);
/*
 * name in capitals into buf, as messages show a family ("PACKET
 * sockets"); cut to FAMILY_UPPER_MAX - 1 bytes (every entry's name fits:
 * unit-family checks). Returns buf.
 */
#define FAMILY_UPPER_MAX 16
const char *family_upper(char buf[FAMILY_UPPER_MAX], const char *name);
/* The PROTO_ bits of one -A name (any family's query, or a table's own
 * name as the Netid column prints it), 0 if unknown. */
uint32_t family_query(const char *name);
/* The FAM_ bits of one -f word (any family), 0 if unknown. */
uint32_t family_fam_name(const char *name);
/* The i-th option of all families (registry order), NULL past the last. */
const struct family_opt *family_opt_at(size_t i);
/*
 * Every -A name (or, fam: every -f word) into buf, ", "-separated, cut to
 * size (NUL-terminated): the list a usage error shows.
 */
void family_names(char *buf, size_t size, bool fam);
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
/* The table of rows of address family af (AF_INET6: inet's) and
 * protocol code (rec->protocol), NULL if none; *fam (if fam) its entry. */
const struct family_table *family_table_of(uint8_t af, uint8_t protocol,
					   const struct sock_family **fam);
/* Whether the kernel announces the destruction of such rows (the entry's
 * destroy_events). */
bool family_destroy_events(uint8_t af, uint8_t protocol);
/* The PROTO_ bit of one record (by family and protocol), 0 if none. */
uint32_t family_proto_bit(const struct sock_rec *rec);

/* sun_path's size: the longest UNIX name. */
#define UNIX_NAME_MAX 108
/* The longest key a family's key() writes (UNIX's: a name and 5 bytes). */
#define FAMILY_KEY_MAX 128
/* The order of two u32s at off of two keys (a key_cmp's part). */
int family_key_cmp_u32(const uint8_t *a, const uint8_t *b, size_t off);
/*
 * A UNIX record's name as ss prints it, unescaped: a path, or an abstract
 * name with its NULs as '@' ("@name"). Returns its length, 0 if unnamed.
 */
size_t family_unix_name(char buf[UNIX_NAME_MAX], const struct sock_rec *rec);
/* The same from the name's n raw bytes (n at most UNIX_NAME_MAX), as a
 * copy kept apart from its record holds them (summary's listeners). */
size_t family_unix_name_of(char buf[UNIX_NAME_MAX], const char *raw, size_t n);

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
