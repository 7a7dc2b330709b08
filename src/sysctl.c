// SPDX-License-Identifier: MIT
#include "sysctl.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static const char *const sysctl_paths[SYS_MAX] = {
    [SYS_TW_REUSE] = "net/ipv4/tcp_tw_reuse",
    [SYS_TW_RECYCLE] = "net/ipv4/tcp_tw_recycle",
    [SYS_TIMESTAMPS] = "net/ipv4/tcp_timestamps",
    [SYS_FIN_TIMEOUT] = "net/ipv4/tcp_fin_timeout",
    [SYS_MAX_TW_BUCKETS] = "net/ipv4/tcp_max_tw_buckets",
    [SYS_MAX_ORPHANS] = "net/ipv4/tcp_max_orphans",
    [SYS_SYNCOOKIES] = "net/ipv4/tcp_syncookies",
    [SYS_ABORT_ON_OVERFLOW] = "net/ipv4/tcp_abort_on_overflow",
    [SYS_MAX_SYN_BACKLOG] = "net/ipv4/tcp_max_syn_backlog",
    [SYS_SOMAXCONN] = "net/core/somaxconn",
    [SYS_RETRIES2] = "net/ipv4/tcp_retries2",
    [SYS_SYN_RETRIES] = "net/ipv4/tcp_syn_retries",
};

static const char *const sysctl_names[SYS_MAX] = {
    [SYS_TW_REUSE] = "net.ipv4.tcp_tw_reuse",
    [SYS_TW_RECYCLE] = "net.ipv4.tcp_tw_recycle",
    [SYS_TIMESTAMPS] = "net.ipv4.tcp_timestamps",
    [SYS_FIN_TIMEOUT] = "net.ipv4.tcp_fin_timeout",
    [SYS_MAX_TW_BUCKETS] = "net.ipv4.tcp_max_tw_buckets",
    [SYS_MAX_ORPHANS] = "net.ipv4.tcp_max_orphans",
    [SYS_SYNCOOKIES] = "net.ipv4.tcp_syncookies",
    [SYS_ABORT_ON_OVERFLOW] = "net.ipv4.tcp_abort_on_overflow",
    [SYS_MAX_SYN_BACKLOG] = "net.ipv4.tcp_max_syn_backlog",
    [SYS_SOMAXCONN] = "net.core.somaxconn",
    [SYS_RETRIES2] = "net.ipv4.tcp_retries2",
    [SYS_SYN_RETRIES] = "net.ipv4.tcp_syn_retries",
};

const char *sysctl_name(enum sysctl_id id)
{
	return id < SYS_MAX ? sysctl_names[id] : "?";
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
		if (id == SYS_TW_RECYCLE || id == SYS_MAX_ORPHANS) {
			out->err[id] = read_hostwide(
			    root, sysctl_paths[id], &out->v[id], 1,
			    id == SYS_TW_RECYCLE ? NULL : report, data);
			continue;
		}
		out->err[id] = read_ints(root, sysctl_paths[id], &out->v[id], 1,
					 report, data);
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

/* One "key = value" line; returns true with the value when it is key. */
static bool scan_line(const char *s, size_t len, const char *key, char *value,
		      size_t value_len)
{
	const char *end = s + len, *eq, *k, *ke;

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
	k = s;
	ke = eq;
	while (ke > k && isspace((unsigned char)ke[-1])) {
		ke--;
	}
	if (!key_equal(k, (size_t)(ke - k), key)) {
		return false;
	}
	for (s = eq + 1; s < end && isspace((unsigned char)*s); s++) {
	}
	while (end > s && isspace((unsigned char)end[-1])) {
		end--;
	}
	snprintf(value, value_len, "%.*s", (int)(end - s), s);
	return true;
}

unsigned int sysctl_conf_scan(const char *text, const char *key, char *value,
			      size_t value_len)
{
	unsigned int line = 0, hit = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		line++;
		if (scan_line(p, len, key, value, value_len)) {
			hit = line;
		}
		p += len + (nl ? 1 : 0);
	}
	return hit;
}

/* Scan one file; a later hit replaces an earlier one. */
static int scan_file(const char *root, const char *rel, const char *key,
		     struct conf_hit *hit, bool *found)
{
	char buf[65536];
	char value[sizeof(hit->value)];
	long len = root_read_file(root, rel, buf, sizeof(buf));
	unsigned int line;

	if (len < 0) {
		return (int)len;
	}
	line = sysctl_conf_scan(buf, key, value, sizeof(value));
	if (line) {
		snprintf(hit->file, sizeof(hit->file), "%s", rel);
		memcpy(hit->value, value, sizeof(value));
		hit->line = line;
		*found = true;
	}
	return 0;
}

static bool is_conf_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && !strcmp(name + n - 5, ".conf");
}

int sysctl_conf_find(const char *root, const char *key, struct conf_hit *hit)
{
	struct dirent **names = NULL;
	char dir[512], rel[128 + 16];
	bool found = false;
	int n, readable = 0;

	snprintf(dir, sizeof(dir), "%s/etc/sysctl.d", root);
	n = scandir(dir, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (is_conf_name(names[i]->d_name) &&
		    strlen(names[i]->d_name) < 100) {
			snprintf(rel, sizeof(rel), "etc/sysctl.d/%s",
				 names[i]->d_name);
			readable += !scan_file(root, rel, key, hit, &found);
		}
		free(names[i]);
	}
	free(names);
	readable += !scan_file(root, "etc/sysctl.conf", key, hit, &found);
	if (found) {
		return 1;
	}
	return readable || n >= 0 ? 0 : -ENOENT;
}
