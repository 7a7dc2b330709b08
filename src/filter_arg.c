// SPDX-License-Identifier: MIT
/*
 * Arguments of filter predicates: hosts, ports, devices, marks, cgroups,
 * users and processes. Names (services, devices, cgroup paths, users) are
 * resolved here, at parse time,
 * so that matching never does I/O.
 */
#include "filter_ast.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

/* Decimal digits only (no sign, no spaces), at most max. */
static bool read_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9' || strlen(s) > 20) {
		return false;
	}
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end && *v <= max;
}

const char *filter_arg_port(const char *s, bool allow_any, bool inet,
			    int64_t *port)
{
	unsigned long v;
	struct servent *se;

	if (*s == ':') {
		s++;
	}
	if (!strcmp(s, "*")) {
		*port = -1;
		return allow_any ? NULL : "'*' only goes with = or !=";
	}
	if (*s >= '0' && *s <= '9') {
		if (s[strspn(s, "0123456789")]) {
			return "expected a port";
		}
		/* Another family's port is the kernel's 32 bits (VSOCK's,
		 * a netlink port id, a UNIX inode: what ss compares). */
		if (!read_uint(s, inet ? 65535 : UINT32_MAX, &v)) {
			return inet ? "port out of range (0-65535)"
				    : "port out of range (0-4294967295)";
		}
		*port = (int64_t)v;
		return NULL;
	}
	se = *s ? getservbyname(s, "tcp") : NULL;
	if (!se && *s) {
		se = getservbyname(s, "udp");
	}
	endservent();
	if (!se) {
		return "expected a port";
	}
	*port = ntohs((uint16_t)se->s_port);
	return NULL;
}

/* IPv4 with 1 to 4 parts, missing ones zero on the right (10 = 10.0.0.0). */
static bool read_ipv4(const char *s, uint8_t *addr)
{
	int parts = 0;

	memset(addr, 0, 4);
	while (parts < 4) {
		unsigned long v = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned long)(*s++ - '0');
			digits++;
		}
		if (!digits || v > 255) {
			return false;
		}
		addr[parts++] = (uint8_t)v;
		if (*s != '.') {
			break;
		}
		s++;
	}
	return *s == '\0';
}

/* ADDR[/PREFIX] or '*' or "" into n (family already forced or 0). */
static const char *read_addr(char *s, struct fnode *n)
{
	char *slash = strchr(s, '/');
	unsigned long plen = 0;
	uint8_t fam = strchr(s, ':') ? AF_INET6 : AF_INET;
	unsigned long max = fam == AF_INET6 ? 128 : 32;

	if (!*s || !strcmp(s, "*")) {
		n->prefix = 0; /* any address; n->family stays as forced */
		return NULL;
	}
	if (n->family && n->family != fam) {
		return "address of the other family";
	}
	if (slash) {
		*slash = '\0';
		if (!slash[1] || slash[1 + strspn(slash + 1, "0123456789")]) {
			return "expected a prefix length";
		}
		if (!read_uint(slash + 1, max, &plen)) {
			return fam == AF_INET6 ? "prefix out of range (0-128)"
					       : "prefix out of range (0-32)";
		}
	}
	if (fam == AF_INET6 ? inet_pton(AF_INET6, s, n->addr) != 1
			    : !read_ipv4(s, n->addr)) {
		return fam == AF_INET6 ? "expected an IPv6 address"
				       : "expected an IPv4 address";
	}
	n->family = fam;
	n->prefix = (uint8_t)(slash ? plen : max);
	return NULL;
}

/* Split s (a copy) into the address part and the port part (or NULL). */
static const char *split_host(char *s, char **addr, char **port)
{
	char *colon;

	*addr = s;
	*port = NULL;
	if (*s == '[') {
		char *close = strchr(s, ']');

		if (!close) {
			return "missing ']'";
		}
		*close = '\0';
		*addr = s + 1;
		if (close[1] == '/') {
			/* [ADDR]/PREFIX[:PORT]: glue the prefix back on. */
			memmove(close, close + 1, strlen(close + 1) + 1);
			colon = strchr(close, ':');
		} else if (close[1] == ':' || !close[1]) {
			colon = close[1] ? close + 1 : NULL;
		} else {
			return "expected ':' after ']'";
		}
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {
			colon = NULL; /* bare IPv6: no port without brackets */
		}
	}
	if (colon) {
		*colon = '\0';
		*port = colon + 1;
	}
	return NULL;
}

/*
 * ss's vsock:CID[:PORT] (the text after "vsock:"): each a decimal number,
 * or '*' or nothing for any. A port is the kernel's 32-bit one; as in
 * ss, which reads it into an int, 4294967295 (VMADDR_PORT_ANY) is -1: any.
 */
static const char *read_vsock(const char *text, struct fnode *n)
{
	const char *colon = strchr(text, ':');
	size_t clen = colon ? (size_t)(colon - text) : strlen(text);
	char cid[16];
	unsigned long v;
	uint32_t be;

	n->family = AF_VSOCK;
	n->prefix = 0;
	if (clen >= sizeof(cid)) {
		return "expected a VSOCK CID";
	}
	memcpy(cid, text, clen);
	cid[clen] = '\0';
	if (*cid && strcmp(cid, "*")) {
		if (!read_uint(cid, UINT32_MAX, &v)) {
			return "expected a VSOCK CID";
		}
		be = htonl((uint32_t)v);
		memcpy(n->addr, &be, sizeof(be));
		n->prefix = 32;
	}
	if (colon && colon[1] && strcmp(colon + 1, "*")) {
		if (!read_uint(colon + 1, UINT32_MAX, &v)) {
			return "expected a VSOCK port";
		}
		n->port = v == UINT32_MAX ? -1 : (int64_t)v;
	}
	return NULL;
}

const char *filter_arg_host(const char *text, struct fnode *n)
{
	char *s, *addr, *port;
	const char *why;

	n->family = AF_UNSPEC;
	n->port = -1;
	if (!strncmp(text, "vsock:", 6)) {
		return read_vsock(text + 6, n);
	}
	if (!strncmp(text, "inet:", 5)) {
		n->family = AF_INET;
		text += 5;
	} else if (!strncmp(text, "inet6:", 6)) {
		n->family = AF_INET6;
		text += 6;
	}
	s = xstrdup(text);
	why = split_host(s, &addr, &port);
	if (!why) {
		why = read_addr(addr, n);
	}
	if (!why && port) {
		/* an inet address: its port is 16 bits */
		why = filter_arg_port(port, true, n->family != AF_UNSPEC,
				      &n->port);
	}
	free(s);
	return why;
}

/* Digits only: a device index (a name of digits is tried first). */
static bool dev_index(const char *s, uint32_t *ifindex)
{
	unsigned long v;

	if (!read_uint(s, UINT32_MAX, &v)) {
		return false;
	}
	*ifindex = (uint32_t)v;
	return true;
}

/*
 * Names are checked here only for what no namespace can hold; the index
 * found in the current namespace is provisional (filter_resolve_devs).
 */
const char *filter_arg_dev(const char *s, struct fnode *n)
{
	size_t len = strlen(s);

	n->dev[0] = '\0';
	n->a = 0;
	if (len && len < sizeof(n->dev) && !strchr(s, '/') && strcmp(s, ".") &&
	    strcmp(s, "..")) {
		memcpy(n->dev, s, len + 1);
		n->a = if_nametoindex(s);
		if (n->a) {
			return NULL;
		}
	}
	if (dev_index(s, &n->a)) {
		return NULL;
	}
	return n->dev[0] ? NULL : "expected a device name or index";
}

int filter_resolve_devs(struct filter *f, filter_index_fn index_of, void *data,
			char *err, size_t size)
{
	for (uint32_t i = 0; i < f->n_nodes; i++) {
		struct fnode *n = &f->nodes[i];
		char esc[4 * sizeof(n->dev) + 1];

		if (n->kind != FN_DEV || !n->dev[0]) {
			continue;
		}
		n->a = index_of(data, n->dev);
		if (n->a || dev_index(n->dev, &n->a)) {
			continue;
		}
		escape_text(esc, n->dev, strlen(n->dev));
		snprintf(err, size, "dev %s: no such device", esc);
		return -ENODEV;
	}
	return 0;
}

static bool read_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (*s < '0' || *s > '9') {
		return false;
	}
	errno = 0;
	x = strtoull(s, &end, 0);
	*v = (uint32_t)x;
	return !errno && !*end && x <= UINT32_MAX;
}

const char *filter_arg_mark(const char *text, uint32_t *mark, uint32_t *mask)
{
	char *s = xstrdup(text);
	char *slash = strchr(s, '/');
	bool ok;

	*mask = UINT32_MAX;
	if (slash) {
		*slash = '\0';
	}
	ok = read_u32(s, mark) && (!slash || read_u32(slash + 1, mask));
	free(s);
	return ok ? NULL : "expected MARK[/MASK] (32-bit numbers)";
}

/* A cgroup v2 id is its kernfs node id: the 8-byte file handle. */
const char *filter_arg_cgroup(const char *s, uint64_t *id, char *buf,
			      size_t size)
{
	union {
		struct file_handle fh;
		char raw[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h = {.fh.handle_bytes = sizeof(uint64_t)};
	int fd = cgroups_open_mount("/"), mnt, ret = -1;
	char esc[64];

	while (*s == '/') {
		s++;
	}
	if (fd >= 0) {
		ret = name_to_handle_at(fd, *s ? s : "", &h.fh, &mnt,
					*s ? 0 : AT_EMPTY_PATH);
		close(fd);
	}
	if (ret == 0 && h.fh.handle_bytes == sizeof(uint64_t)) {
		memcpy(id, h.fh.f_handle, sizeof(*id));
		return NULL;
	}
	filter_escape(esc, sizeof(esc), s);
	snprintf(buf, size, "cgroup '/%s': %s", esc,
		 ret ? strerror(errno) : "not a cgroup v2 directory");
	return buf;
}

const char *filter_arg_uid(const char *s, uint32_t *uid)
{
	unsigned long v;
	struct passwd *pw;

	if (*s >= '0' && *s <= '9') {
		if (!read_uint(s, UINT32_MAX, &v)) {
			return "expected a user id (0-4294967295) or name";
		}
		*uid = (uint32_t)v;
		return NULL;
	}
	pw = getpwnam(s);
	endpwent();
	if (!pw) {
		return "no such user";
	}
	*uid = (uint32_t)pw->pw_uid;
	return NULL;
}

const char *filter_arg_pid(const char *s, uint32_t *pid)
{
	unsigned long v;

	if (!read_uint(s, UINT32_MAX, &v) || v == 0) {
		return "expected a process id (1-4294967295)";
	}
	*pid = (uint32_t)v;
	return NULL;
}

void filter_arg_port_range(uint16_t *lo, uint16_t *hi)
{
	FILE *fp = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
	unsigned int a, b;

	*lo = 32768;
	*hi = 60999;
	if (!fp) {
		return;
	}
	if (fscanf(fp, "%u %u", &a, &b) == 2 && a <= b && b <= 65535) {
		*lo = (uint16_t)a;
		*hi = (uint16_t)b;
	}
	fclose(fp);
}
