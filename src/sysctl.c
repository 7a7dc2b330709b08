// SPDX-License-Identifier: MIT
#include "sysctl.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

long root_read_file(const char *root, const char *rel, char *buf, size_t cap)
{
	char path[512];
	long total = 0;
	ssize_t n = 0;
	int fd, len;

	len = snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		return -ENAMETOOLONG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	/* /proc files must be read in one go or in several reads; loop. */
	while ((size_t)total < cap - 1) {
		n = read(fd, buf + total, cap - 1 - (size_t)total);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		total += n;
	}
	if (n < 0) {
		total = -errno;
	}
	close(fd);
	buf[total < 0 ? 0 : total] = '\0';
	return total;
}

/*
 * What advise reads: path below proc/sys and dotted name. What each one
 * means, its default per kernel and the myths around it are in the facts
 * table (facts_sysctl.c), which explain prints; keep the two in step
 * (test_facts checks that every key here has a fact).
 */
static const struct sysctl_key sysctl_keys[SYS_MAX] = {
    [SYS_TW_REUSE] = {"net/ipv4/tcp_tw_reuse", "net.ipv4.tcp_tw_reuse", 0},
    [SYS_TW_RECYCLE] = {"net/ipv4/tcp_tw_recycle", "net.ipv4.tcp_tw_recycle",
			SYSCTL_OPTIONAL},
    [SYS_TIMESTAMPS] = {"net/ipv4/tcp_timestamps", "net.ipv4.tcp_timestamps",
			0},
    [SYS_FIN_TIMEOUT] = {"net/ipv4/tcp_fin_timeout", "net.ipv4.tcp_fin_timeout",
			 0},
    [SYS_MAX_TW_BUCKETS] = {"net/ipv4/tcp_max_tw_buckets",
			    "net.ipv4.tcp_max_tw_buckets", 0},
    [SYS_MAX_ORPHANS] = {"net/ipv4/tcp_max_orphans", "net.ipv4.tcp_max_orphans",
			 SYSCTL_HOSTWIDE},
    [SYS_SYNCOOKIES] = {"net/ipv4/tcp_syncookies", "net.ipv4.tcp_syncookies",
			0},
    [SYS_ABORT_ON_OVERFLOW] = {"net/ipv4/tcp_abort_on_overflow",
			       "net.ipv4.tcp_abort_on_overflow", 0},
    [SYS_MAX_SYN_BACKLOG] = {"net/ipv4/tcp_max_syn_backlog",
			     "net.ipv4.tcp_max_syn_backlog", 0},
    [SYS_SOMAXCONN] = {"net/core/somaxconn", "net.core.somaxconn", 0},
    [SYS_RETRIES2] = {"net/ipv4/tcp_retries2", "net.ipv4.tcp_retries2", 0},
    [SYS_SYN_RETRIES] = {"net/ipv4/tcp_syn_retries", "net.ipv4.tcp_syn_retries",
			 0},
    [SYS_TW_REUSE_DELAY] = {"net/ipv4/tcp_tw_reuse_delay",
			    "net.ipv4.tcp_tw_reuse_delay", SYSCTL_OPTIONAL},
    [SYS_EHASH_ENTRIES] = {"net/ipv4/tcp_ehash_entries",
			   "net.ipv4.tcp_ehash_entries", SYSCTL_OPTIONAL},
    [SYS_ORPHAN_RETRIES] = {"net/ipv4/tcp_orphan_retries",
			    "net.ipv4.tcp_orphan_retries", 0},
};

const struct sysctl_key *sysctl_key(enum sysctl_id id)
{
	static const struct sysctl_key none = {"", "?", 0};

	return id < SYS_MAX ? &sysctl_keys[id] : &none;
}

const char *sysctl_name(enum sysctl_id id)
{
	return sysctl_key(id)->name;
}

bool sysctl_have(const struct sysctl_vals *s, enum sysctl_id id)
{
	return id < SYS_MAX && s->err[id] == 0;
}

int sysctl_parse_ints(const char *text, int64_t *v, unsigned int n)
{
	const char *p = text;
	char *end;

	for (unsigned int i = 0; i < n; i++) {
		errno = 0;
		v[i] = strtoll(p, &end, 10);
		if (end == p || errno) {
			return -EBADMSG;
		}
		p = end;
	}
	while (isspace((unsigned char)*p)) {
		p++;
	}
	return *p ? -EBADMSG : 0;
}

static int parse_port(const char **p, uint16_t *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)**p)) {
		return -EBADMSG;
	}
	v = strtoul(*p, &end, 10);
	if (v > 65535) {
		return -EBADMSG;
	}
	*out = (uint16_t)v;
	*p = end;
	return 0;
}

int sysctl_parse_ranges(const char *text, struct port_ranges *out)
{
	const char *p = text;

	out->n = 0;
	while (isspace((unsigned char)*p)) {
		p++;
	}
	while (*p) {
		uint16_t lo, hi;

		if (out->n == PORT_RANGES_MAX || parse_port(&p, &lo)) {
			return -EBADMSG;
		}
		hi = lo;
		if (*p == '-' && (p++, parse_port(&p, &hi) || hi < lo)) {
			return -EBADMSG;
		}
		out->r[out->n].lo = lo;
		out->r[out->n].hi = hi;
		out->n++;
		if (*p == ',') {
			p++;
		} else {
			while (isspace((unsigned char)*p)) {
				p++;
			}
			if (*p) {
				return -EBADMSG;
			}
		}
	}
	return 0;
}

/* One multi-value file; returns 0 or -errno and reports failures. */
static int read_ints(const char *root, const char *rel, int64_t *v,
		     unsigned int n, sysctl_report_fn report, void *data)
{
	char buf[128];
	char path[96];
	long len;

	snprintf(path, sizeof(path), "proc/sys/%s", rel);
	len = root_read_file(root, path, buf, sizeof(buf));
	if (len >= 0) {
		len = sysctl_parse_ints(buf, v, n);
	}
	if (len < 0 && report) {
		report(path, (int)len, data);
	}
	return len < 0 ? (int)len : 0;
}

static void read_reserved(const char *root, struct sysctl_vals *out,
			  sysctl_report_fn report, void *data)
{
	static const char rel[] = "proc/sys/net/ipv4/ip_local_reserved_ports";
	char buf[4096];
	long len = root_read_file(root, rel, buf, sizeof(buf));

	if (len >= 0) {
		len = sysctl_parse_ranges(buf, &out->reserved);
	}
	out->reserved_err = len < 0 ? (int)len : 0;
	if (len < 0) {
		out->reserved.n = 0;
		if (report) {
			report(rel, (int)len, data);
		}
	}
}

/* Host-wide tunables are not visible inside a child network namespace:
 * their absence there is normal, not worth a warning. */
static int read_hostwide(const char *root, const char *rel, int64_t *v,
			 unsigned int n, sysctl_report_fn report, void *data)
{
	int err = read_ints(root, rel, v, n, NULL, NULL);

	if (err && err != -ENOENT && report) {
		char path[96];

		snprintf(path, sizeof(path), "proc/sys/%s", rel);
		report(path, err, data);
	}
	return err;
}

void sysctl_read_all(const char *root, struct sysctl_vals *out,
		     sysctl_report_fn report, void *data)
{
	int64_t range[2];

	memset(out, 0, sizeof(*out));
	for (int id = 0; id < SYS_MAX; id++) {
		if (sysctl_keys[id].flags & SYSCTL_OPTIONAL) {
			out->err[id] = read_ints(root, sysctl_keys[id].path,
						 &out->v[id], 1, NULL, NULL);
		} else if (sysctl_keys[id].flags & SYSCTL_HOSTWIDE) {
			out->err[id] =
			    read_hostwide(root, sysctl_keys[id].path,
					  &out->v[id], 1, report, data);
		} else {
			out->err[id] = read_ints(root, sysctl_keys[id].path,
						 &out->v[id], 1, report, data);
		}
	}
	out->port_range_err = read_ints(root, "net/ipv4/ip_local_port_range",
					range, 2, report, data);
	if (!out->port_range_err) {
		if (range[0] < 1 || range[1] > 65535 || range[0] > range[1]) {
			out->port_range_err = -EBADMSG;
		} else {
			out->port_lo = (uint16_t)range[0];
			out->port_hi = (uint16_t)range[1];
		}
	}
	out->tcp_mem_err = read_hostwide(root, "net/ipv4/tcp_mem", out->tcp_mem,
					 3, report, data);
	read_reserved(root, out, report, data);
}

bool sysctl_port_reserved(const struct sysctl_vals *s, uint16_t port)
{
	for (unsigned int i = 0; i < s->reserved.n; i++) {
		if (port >= s->reserved.r[i].lo &&
		    port <= s->reserved.r[i].hi) {
			return true;
		}
	}
	return false;
}

uint32_t sysctl_usable_ports(const struct sysctl_vals *s)
{
	uint32_t n;

	if (s->port_range_err) {
		return 0;
	}
	n = (uint32_t)s->port_hi - s->port_lo + 1;
	/* Ranges may overlap each other: count each port once. */
	for (uint32_t p = s->port_lo; p <= s->port_hi; p++) {
		if (sysctl_port_reserved(s, (uint16_t)p)) {
			n--;
		}
	}
	return n;
}

int sysctl_parse_kver(const char *text, struct kver *out)
{
	unsigned int major, minor;

	if (sscanf(text, "%u.%u", &major, &minor) != 2) {
		return -EBADMSG;
	}
	out->major = major;
	out->minor = minor;
	return 0;
}

bool kver_at_least(const struct kver *k, unsigned int major, unsigned int minor)
{
	return k->major > major || (k->major == major && k->minor >= minor);
}

/* key matches with '.' and '/' treated alike (sysctl.d(5) allows both). */
static bool key_equal(const char *a, size_t alen, const char *key)
{
	size_t i;

	for (i = 0; i < alen && key[i]; i++) {
		char x = a[i] == '/' ? '.' : a[i];
		char y = key[i] == '/' ? '.' : key[i];

		if (x != y) {
			return false;
		}
	}
	return i == alen && !key[i];
}

/* One "key = value" line: the key's extent and the value; false when the
 * line assigns nothing. */
static bool parse_line(const char *s, size_t len, const char **key,
		       size_t *key_len, char *value, size_t value_len)
{
	const char *end = s + len, *eq, *ke;

	while (s < end && isspace((unsigned char)*s)) {
		s++;
	}
	if (s < end && *s == '-') {
		s++; /* "-key = v": ignore failures to set it; still set */
	}
	if (s == end || *s == '#' || *s == ';') {
		return false;
	}
	eq = memchr(s, '=', (size_t)(end - s));
	if (!eq) {
		return false;
	}
	ke = eq;
	while (ke > s && isspace((unsigned char)ke[-1])) {
		ke--;
	}
	*key = s;
	*key_len = (size_t)(ke - s);
	for (s = eq + 1; s < end && isspace((unsigned char)*s); s++) {
	}
	while (end > s && isspace((unsigned char)end[-1])) {
		end--;
	}
	snprintf(value, value_len, "%.*s", (int)(end - s), s);
	return true;
}

/* Calls fn(line, key, value, data) for each line assigning one of keys. */
typedef void (*line_fn)(unsigned int line, const char *key, const char *value,
			void *data);
static void scan_text(const char *text, const char *const *keys, line_fn fn,
		      void *data)
{
	unsigned int line = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n'), *k;
		size_t len = nl ? (size_t)(nl - p) : strlen(p), klen;
		char value[sizeof(((struct conf_line *)0)->value)];

		line++;
		if (parse_line(p, len, &k, &klen, value, sizeof(value))) {
			for (size_t i = 0; keys[i]; i++) {
				if (key_equal(k, klen, keys[i])) {
					fn(line, keys[i], value, data);
					break;
				}
			}
		}
		p += len + (nl ? 1 : 0);
	}
}

struct last_hit {
	unsigned int line;
	char *value;
	size_t value_len;
};

static void keep_last(unsigned int line, const char *key, const char *value,
		      void *data)
{
	struct last_hit *h = data;

	(void)key;
	h->line = line;
	snprintf(h->value, h->value_len, "%s", value);
}

unsigned int sysctl_conf_scan(const char *text, const char *key, char *value,
			      size_t value_len)
{
	const char *keys[] = {key, NULL};
	struct last_hit h = {0, value, value_len};

	scan_text(text, keys, keep_last, &h);
	return h.line;
}

static bool is_conf_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && !strcmp(name + n - 5, ".conf");
}

/* The directories of sysctl.d(5), earliest (winning) first. */
static const char *const conf_dirs[] = {
    "etc/sysctl.d",	"run/sysctl.d", "usr/local/lib/sysctl.d",
    "usr/lib/sysctl.d", "lib/sysctl.d",
};

struct conf_file {
	char name[100];
	unsigned int dir;
};

struct conf_list {
	struct conf_file *f;
	size_t n, cap;
};

static bool listed(const struct conf_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!strcmp(l->f[i].name, name)) {
			return true;
		}
	}
	return false;
}

static void list_dir(const char *root, unsigned int d, struct conf_list *l)
{
	char dir[512];
	struct dirent *e;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/%s", root, conf_dirs[d]);
	dp = opendir(dir);
	if (!dp) {
		return;
	}
	while ((e = readdir(dp))) {
		if (!is_conf_name(e->d_name) ||
		    strlen(e->d_name) >= sizeof(l->f->name) ||
		    listed(l, e->d_name)) {
			continue;
		}
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			l->f = xrealloc(l->f, l->cap * sizeof(*l->f));
		}
		/* Its length was checked above (a -Os build cannot see it). */
		memcpy(l->f[l->n].name, e->d_name, strlen(e->d_name) + 1);
		l->f[l->n++].dir = d;
	}
	closedir(dp);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct conf_file *)a)->name,
		      ((const struct conf_file *)b)->name);
}

/* True when root/rel is the same file as root/etc/sysctl.conf. */
static bool is_sysctl_conf(const char *root, const char *rel,
			   const struct stat *conf)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return conf && !stat(path, &st) && st.st_dev == conf->st_dev &&
	       st.st_ino == conf->st_ino;
}

#define CONF_TEXT_MAX 65536

int sysctl_conf_each(const char *root, sysctl_conf_fn fn, void *data)
{
	struct conf_list l = {0};
	char *buf = xmalloc(CONF_TEXT_MAX), rel[160], path[512];
	struct stat conf_st;
	bool conf_seen = false, have_conf;
	int readable = 0, ret = 0;

	snprintf(path, sizeof(path), "%s/etc/sysctl.conf", root);
	have_conf = !stat(path, &conf_st);
	for (unsigned int d = 0; d < ARRAY_SIZE(conf_dirs); d++) {
		list_dir(root, d, &l);
	}
	if (l.n) { /* no files: l.f is NULL, which qsort() must not get */
		qsort(l.f, l.n, sizeof(*l.f), by_name);
	}
	for (size_t i = 0; i <= l.n && !ret; i++) {
		if (i < l.n) {
			snprintf(rel, sizeof(rel), "%s/%s",
				 conf_dirs[l.f[i].dir], l.f[i].name);
			conf_seen |= is_sysctl_conf(
			    root, rel, have_conf ? &conf_st : NULL);
		} else if (!conf_seen) {
			snprintf(rel, sizeof(rel), "etc/sysctl.conf");
		} else {
			break;
		}
		if (root_read_file(root, rel, buf, CONF_TEXT_MAX) >= 0) {
			readable++;
			ret = fn(rel, buf, data);
		}
	}
	free(l.f);
	free(buf);
	return ret ? ret : readable ? 0 : -ENOENT;
}

struct collect {
	const char *const *keys;
	struct conf_lines *out;
	const char *rel;
};

static void collect_line(unsigned int line, const char *key, const char *value,
			 void *data)
{
	struct collect *c = data;
	struct conf_line *cl;

	if (c->out->n == CONF_LINES_MAX) {
		c->out->more++;
		return;
	}
	cl = &c->out->l[c->out->n++];
	snprintf(cl->file, sizeof(cl->file), "%s", c->rel);
	cl->line = line;
	cl->key = key;
	snprintf(cl->value, sizeof(cl->value), "%s", value);
}

static int collect_file(const char *rel, const char *text, void *data)
{
	struct collect *c = data;

	c->rel = rel;
	scan_text(text, c->keys, collect_line, c);
	return 0;
}

int sysctl_conf_collect(const char *root, const char *const *keys,
			struct conf_lines *out)
{
	struct collect c = {keys, out, NULL};

	memset(out, 0, sizeof(*out));
	return sysctl_conf_each(root, collect_file, &c);
}

struct find {
	const char *key;
	struct conf_hit *hit;
	bool found;
};

static int find_file(const char *rel, const char *text, void *data)
{
	struct find *f = data;
	char value[sizeof(f->hit->value)];
	unsigned int line =
	    sysctl_conf_scan(text, f->key, value, sizeof(value));

	if (line) {
		snprintf(f->hit->file, sizeof(f->hit->file), "%s", rel);
		memcpy(f->hit->value, value, sizeof(value));
		f->hit->line = line;
		f->found = true;
	}
	return 0;
}

int sysctl_conf_find(const char *root, const char *key, struct conf_hit *hit)
{
	struct find f = {key, hit, false};
	int err = sysctl_conf_each(root, find_file, &f);

	if (f.found) {
		return 1;
	}
	return err == -ENOENT ? 0 : err;
}
