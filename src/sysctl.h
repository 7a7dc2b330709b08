/*
 * sysctl.h - kernel tunables, the kernel version and the sysctl.conf scan,
 * all read under a root directory (default "/") so tests use fixture trees.
 *
 * The parsers (sysctl_parse_*) are pure: text in, struct out, no I/O.
 * The readers return 0 or -errno (-ENOENT: the file or key does not exist,
 * -EACCES: not readable, -EBADMSG: the text did not parse). Nothing here
 * allocates except sysctl_conf_find (a directory listing, freed before it
 * returns).
 */
#ifndef SOCKSCOPE_SYSCTL_H
#define SOCKSCOPE_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Read root/rel (rel has no leading '/') into buf, NUL-terminated.
 * Returns the length, or -errno; text longer than cap - 1 is cut. */
long root_read_file(const char *root, const char *rel, char *buf, size_t cap);

/* Single-integer tunables under proc/sys/, one id per file. */
enum sysctl_id {
	SYS_TW_REUSE,
	SYS_TW_RECYCLE, /* exists only before Linux 4.12 */
	SYS_TIMESTAMPS,
	SYS_FIN_TIMEOUT,
	SYS_MAX_TW_BUCKETS,
	SYS_MAX_ORPHANS,
	SYS_SYNCOOKIES,
	SYS_ABORT_ON_OVERFLOW,
	SYS_MAX_SYN_BACKLOG,
	SYS_SOMAXCONN,
	SYS_RETRIES2,
	SYS_SYN_RETRIES,
	SYS_TW_REUSE_DELAY, /* ms; newer kernels only (1 s fixed before) */
	SYS_EHASH_ENTRIES,  /* Linux >= 6.1; < 0: the host's table, shared */
	SYS_ORPHAN_RETRIES,
	SYS_MAX
};

/* What sysctl_read_all may find missing without a word. */
enum sysctl_flag {
	SYSCTL_OPTIONAL = 1, /* exists only on some kernels */
	SYSCTL_HOSTWIDE = 2, /* invisible inside a child network namespace */
};

/*
 * One tunable: where it lives, its kernel default and where that is
 * documented. The one place advise keeps sysctl facts, so they can later
 * move to the shared facts table as they are.
 */
struct sysctl_key {
	const char *path; /* below proc/sys/ */
	const char *name; /* dotted; facts_sysctl_find() has its facts */
	unsigned int flags;
};

/* The key for id; never NULL. */
const struct sysctl_key *sysctl_key(enum sysctl_id id);

/* The dotted name ("net.ipv4.tcp_tw_reuse"). Never NULL for a valid id. */
const char *sysctl_name(enum sysctl_id id);

/* Inclusive port ranges, as ip_local_reserved_ports lists them. */
#define PORT_RANGES_MAX 64
struct port_ranges {
	unsigned int n;
	struct {
		uint16_t lo, hi;
	} r[PORT_RANGES_MAX];
};

struct sysctl_vals {
	int64_t v[SYS_MAX];
	int err[SYS_MAX];	   /* 0 when v[id] is valid, else -errno */
	uint16_t port_lo, port_hi; /* ip_local_port_range */
	int port_range_err;
	struct port_ranges reserved; /* ip_local_reserved_ports */
	int reserved_err;
	int64_t tcp_mem[3]; /* pages: low, pressure, high */
	int tcp_mem_err;
};

/* Fill every value; each failure is recorded in its *_err field.
 * report(path, err, data) is called for each file that could not be read
 * or parsed, except where absence is normal: tcp_tw_recycle (gone since
 * 4.12) and the host-wide tcp_max_orphans and tcp_mem (invisible inside a
 * child network namespace). report may be NULL. */
typedef void (*sysctl_report_fn)(const char *path, int err, void *data);
void sysctl_read_all(const char *root, struct sysctl_vals *out,
		     sysctl_report_fn report, void *data);

/* True when id was read. */
bool sysctl_have(const struct sysctl_vals *s, enum sysctl_id id);

/* Ephemeral ports connect() can pick: the range minus reserved ports
 * inside it. 0 when the range is unknown. */
uint32_t sysctl_usable_ports(const struct sysctl_vals *s);
/* True when port is inside ip_local_reserved_ports. */
bool sysctl_port_reserved(const struct sysctl_vals *s, uint16_t port);

/* "8080,9000-9010" (may be empty). Returns 0 or -EBADMSG. */
int sysctl_parse_ranges(const char *text, struct port_ranges *out);
/* Whitespace-separated integers; exactly n of them. 0 or -EBADMSG. */
int sysctl_parse_ints(const char *text, int64_t *v, unsigned int n);

struct kver {
	unsigned int major, minor;
};
/* "6.18.0-13-amd64" -> 6, 18. Returns 0 or -EBADMSG. */
int sysctl_parse_kver(const char *text, struct kver *out);
/* True when k is at least major.minor. */
bool kver_at_least(const struct kver *k, unsigned int major,
		   unsigned int minor);

/*
 * The files systemd-sysctl(8) applies, in its order (sysctl.d(5)): every
 * *.conf of etc/sysctl.d, run/sysctl.d, usr/local/lib/sysctl.d,
 * usr/lib/sysctl.d and lib/sysctl.d, a name in an earlier directory hiding
 * the same name in a later one, all sorted by file name; then
 * etc/sysctl.conf, which `sysctl --system` (procps) reads last, unless one
 * of the listed files is it (systemd's 99-sysctl.conf symlink).
 * fn(rel, text, data) gets each readable file's path below root and text;
 * its non-zero return stops the walk and is returned. Returns 0, or
 * -ENOENT when no file could be read.
 */
typedef int (*sysctl_conf_fn)(const char *rel, const char *text, void *data);
int sysctl_conf_each(const char *root, sysctl_conf_fn fn, void *data);

/* Every assignment of some keys in those files, in the order applied. */
struct conf_line {
	char file[128]; /* below root; from a directory listing: escape */
	unsigned int line;
	const char *key; /* one of the keys asked for (static) */
	char value[32];	 /* as written: escape before printing */
};
#define CONF_LINES_MAX 24
struct conf_lines {
	unsigned int n;
	unsigned int more; /* assignments found beyond CONF_LINES_MAX */
	struct conf_line l[CONF_LINES_MAX];
};

/* keys is NULL-terminated. Returns 0 or -ENOENT (no file readable). */
int sysctl_conf_collect(const char *root, const char *const *keys,
			struct conf_lines *out);

/* Where a sysctl.conf-style file sets a key. */
struct conf_hit {
	char file[128]; /* path below root, e.g. "etc/sysctl.d/99-x.conf" */
	unsigned int line;
	char value[32];
};

/*
 * Look for key ("net.ipv4.tcp_tw_recycle"; the '/' spelling matches too)
 * in one file's text. Comments ('#', ';') are skipped. Returns the 1-based
 * line of the last assignment (the one that wins) with its value, or 0.
 */
unsigned int sysctl_conf_scan(const char *text, const char *key, char *value,
			      size_t value_len);

/*
 * Scan the files of sysctl_conf_each() under root. Returns 1 and fills hit
 * for the file that sets key last (the value that wins), 0 when none does,
 * -errno when nothing could be read.
 */
int sysctl_conf_find(const char *root, const char *key, struct conf_hit *hit);

#endif
