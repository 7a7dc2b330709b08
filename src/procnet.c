// SPDX-License-Identifier: MIT
#include "procnet.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "sysctl.h"
#include "util.h"

static const struct {
	const char *prefix;
	const char *name;
	const char *metric;
} ctr_table[CTR_MAX] = {
    [CTR_LISTEN_OVERFLOWS] = {"TcpExt", "ListenOverflows", NULL},
    [CTR_LISTEN_DROPS] = {"TcpExt", "ListenDrops", NULL},
    [CTR_TW_OVERFLOW] = {"TcpExt", "TCPTimeWaitOverflow",
			 "tcp_time_wait_overflows"},
    [CTR_REQQ_FULL_DROP] = {"TcpExt", "TCPReqQFullDrop",
			    "tcp_syn_queue_full_drops"},
    [CTR_REQQ_FULL_COOKIES] = {"TcpExt", "TCPReqQFullDoCookies",
			       "tcp_syn_queue_full_cookies"},
    [CTR_ABORT_ON_MEMORY] = {"TcpExt", "TCPAbortOnMemory",
			     "tcp_aborts_on_memory"},
    [CTR_ABORT_ON_DATA] = {"TcpExt", "TCPAbortOnData", "tcp_aborts_on_data"},
    [CTR_ABORT_ON_CLOSE] = {"TcpExt", "TCPAbortOnClose", "tcp_aborts_on_close"},
    [CTR_ACTIVE_OPENS] = {"Tcp", "ActiveOpens", NULL},
    [CTR_PASSIVE_OPENS] = {"Tcp", "PassiveOpens", NULL},
    [CTR_RETRANS_SEGS] = {"Tcp", "RetransSegs", NULL},
    [CTR_ABORT_ON_TIMEOUT] = {"TcpExt", "TCPAbortOnTimeout",
			      "tcp_aborts_on_timeout"},
    [CTR_ABORT_ON_LINGER] = {"TcpExt", "TCPAbortOnLinger",
			     "tcp_aborts_on_linger"},
    [CTR_ABORT_FAILED] = {"TcpExt", "TCPAbortFailed", "tcp_abort_failures"},
};

const char *ctr_name(enum ctr_id id)
{
	return id < CTR_MAX ? ctr_table[id].name : "?";
}

const char *ctr_metric(enum ctr_id id)
{
	return id < CTR_MAX ? ctr_table[id].metric : NULL;
}

static int find_ctr(const char *prefix, size_t plen, const char *name,
		    size_t nlen)
{
	for (int i = 0; i < CTR_MAX; i++) {
		if (strlen(ctr_table[i].prefix) == plen &&
		    !memcmp(ctr_table[i].prefix, prefix, plen) &&
		    strlen(ctr_table[i].name) == nlen &&
		    !memcmp(ctr_table[i].name, name, nlen)) {
			return i;
		}
	}
	return -1;
}

/* Next whitespace-separated word in [*p, end); false at the end. */
static bool next_word(const char **p, const char *end, const char **w,
		      size_t *wlen)
{
	const char *s = *p;

	while (s < end && isspace((unsigned char)*s)) {
		s++;
	}
	if (s == end) {
		return false;
	}
	*w = s;
	while (s < end && !isspace((unsigned char)*s)) {
		s++;
	}
	*wlen = (size_t)(s - *w);
	*p = s;
	return true;
}

static bool parse_u64(const char *w, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 20) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t d = (uint64_t)(w[i] - '0');

		if (!isdigit((unsigned char)w[i]) ||
		    x > (UINT64_MAX - d) / 10) {
			return false;
		}
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

/* One names line [n, ne) and its values line [v, ve), same prefix. */
static int parse_pair(const char *n, const char *ne, const char *v,
		      const char *ve, struct counters *out)
{
	const char *colon = memchr(n, ':', (size_t)(ne - n));
	size_t plen, nl = 0, vl = 0;
	const char *nw = NULL, *vw = NULL;

	if (!colon || (size_t)(ve - v) <= (size_t)(colon - n) ||
	    memcmp(n, v, (size_t)(colon - n + 1))) {
		return -EBADMSG;
	}
	plen = (size_t)(colon - n);
	n = colon + 1;
	v += plen + 1;
	for (;;) {
		bool hn = next_word(&n, ne, &nw, &nl);
		bool hv = next_word(&v, ve, &vw, &vl);
		uint64_t x;
		int id;

		if (hn != hv) {
			return -EBADMSG;
		}
		if (!hn) {
			return 0;
		}
		/* Tcp's MaxConn is -1: signed values are legal, skip them. */
		if (!parse_u64(vw, vl, &x)) {
			if (vw[0] != '-' || !parse_u64(vw + 1, vl - 1, &x)) {
				return -EBADMSG;
			}
			continue;
		}
		id = find_ctr(colon - plen, plen, nw, nl);
		if (id >= 0) {
			out->v[id] = x;
			out->have |= 1u << id;
		}
	}
}

static const char *line_end(const char *p)
{
	const char *nl = strchr(p, '\n');

	return nl ? nl : p + strlen(p);
}

int procnet_parse_counters(const char *text, struct counters *c)
{
	struct counters tmp = *c;
	const char *p = text;

	while (*p) {
		const char *ne = line_end(p);
		const char *v = *ne ? ne + 1 : ne;
		const char *ve = line_end(v);
		int err;

		if (ne == p) {
			p = v;
			continue;
		}
		if (v == ve) {
			return -EBADMSG; /* a names line without values */
		}
		err = parse_pair(p, ne, v, ve, &tmp);
		if (err) {
			return err;
		}
		p = *ve ? ve + 1 : ve;
	}
	*c = tmp;
	return 0;
}

/* Where (line prefix, key) of a sockstat file lands in struct sockstat. */
static int64_t *sockstat_field(struct sockstat *s, const char *pre, size_t plen,
			       const char *key, size_t klen)
{
	static const struct {
		const char *pre, *key;
		size_t off;
	} map[] = {
	    {"TCP", "inuse", offsetof(struct sockstat, tcp_inuse)},
	    {"TCP", "orphan", offsetof(struct sockstat, tcp_orphan)},
	    {"TCP", "tw", offsetof(struct sockstat, tcp_tw)},
	    {"TCP", "alloc", offsetof(struct sockstat, tcp_alloc)},
	    {"TCP", "mem", offsetof(struct sockstat, tcp_mem)},
	    {"UDP", "inuse", offsetof(struct sockstat, udp_inuse)},
	    {"UDP", "mem", offsetof(struct sockstat, udp_mem)},
	    {"TCP6", "inuse", offsetof(struct sockstat, tcp6_inuse)},
	    {"UDP6", "inuse", offsetof(struct sockstat, udp6_inuse)},
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (strlen(map[i].pre) == plen &&
		    !memcmp(map[i].pre, pre, plen) &&
		    strlen(map[i].key) == klen &&
		    !memcmp(map[i].key, key, klen)) {
			return (int64_t *)((char *)s + map[i].off);
		}
	}
	return NULL;
}

static void mark_family(struct sockstat *s, const char *pre, size_t plen)
{
	if (plen == 3 && !memcmp(pre, "TCP", 3)) {
		s->have_tcp = true;
	} else if (plen == 3 && !memcmp(pre, "UDP", 3)) {
		s->have_udp = true;
	} else if (plen == 4 && !memcmp(pre, "TCP6", 4)) {
		s->have_tcp6 = true;
	} else if (plen == 4 && !memcmp(pre, "UDP6", 4)) {
		s->have_udp6 = true;
	}
}

static int sockstat_line(const char *p, const char *end, struct sockstat *s)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));
	const char *k, *v;
	size_t kl, vl, plen;
	uint64_t x;

	if (!colon) {
		return -EBADMSG;
	}
	plen = (size_t)(colon - p);
	for (const char *q = colon + 1; next_word(&q, end, &k, &kl);) {
		int64_t *f;

		if (!next_word(&q, end, &v, &vl) || !parse_u64(v, vl, &x)) {
			return -EBADMSG;
		}
		f = sockstat_field(s, p, plen, k, kl);
		if (f) {
			*f = (int64_t)x;
		}
	}
	mark_family(s, p, plen);
	return 0;
}

int procnet_parse_sockstat(const char *text, struct sockstat *s)
{
	struct sockstat tmp = *s;
	const char *p = text;

	while (*p) {
		const char *e = line_end(p);

		if (e != p && sockstat_line(p, e, &tmp)) {
			return -EBADMSG;
		}
		p = *e ? e + 1 : e;
	}
	*s = tmp;
	return 0;
}

static int read_parse(const char *root, const char *rel,
		      int (*parse)(const char *, void *), void *out,
		      procnet_report_fn report, void *data)
{
	char *buf = xmalloc(65536);
	long len = root_read_file(root, rel, buf, 65536);

	if (len >= 0) {
		len = parse(buf, out);
	}
	free(buf);
	if (len < 0 && report) {
		report(rel, (int)len, data);
	}
	return len < 0 ? (int)len : 0;
}

static int parse_counters_v(const char *text, void *out)
{
	return procnet_parse_counters(text, out);
}

static int parse_sockstat_v(const char *text, void *out)
{
	return procnet_parse_sockstat(text, out);
}

/* Both files of a pair; the first failure is returned, both are tried. */
static int read_both(const char *root, const char *const rel[2],
		     int (*parse)(const char *, void *), void *out,
		     procnet_report_fn report, void *data)
{
	int e1 = read_parse(root, rel[0], parse, out, report, data);
	int e2 = read_parse(root, rel[1], parse, out, report, data);

	return e1 ? e1 : e2;
}

int procnet_read_counters(const char *root, struct counters *c,
			  procnet_report_fn report, void *data)
{
	static const char *const rel[2] = {"proc/net/netstat", "proc/net/snmp"};

	return read_both(root, rel, parse_counters_v, c, report, data);
}

int procnet_read_sockstat(const char *root, struct sockstat *s,
			  procnet_report_fn report, void *data)
{
	static const char *const rel[2] = {"proc/net/sockstat",
					   "proc/net/sockstat6"};

	return read_both(root, rel, parse_sockstat_v, s, report, data);
}
