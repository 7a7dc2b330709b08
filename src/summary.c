// SPDX-License-Identifier: MIT
#include "summary.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "family.h"
#include "keytab.h"
#include "state.h"
#include "util.h"

/* Which addresses an inet breakdown's keys carry. */
enum { KEY_SRC = 1, KEY_DST = 2 };

/*
 * One key table per family, so an IPv4 key packs to 8 or 16 bytes instead
 * of room for two IPv6 addresses: at half a million distinct peers the
 * tables' size is what the kernel's walk on the other CPU competes with.
 * Inet keys are: family, the source and/or destination address (4 or 16
 * bytes), port, zero padding; so byte order within a table is the order
 * of family, addresses, port, and the tables of different families differ
 * in the first byte.
 */
struct breakdown {
	struct keytab fam[2]; /* [0] IPv4 or not inet, [1] IPv6 */
	unsigned int addrs;   /* KEY_SRC, KEY_DST */
};

/* A breakdown's entry, for ranking across its two tables. */
struct ref {
	const struct keytab *t;
	const uint8_t *key;
};

#define PORT_CHUNK 256
struct summary_priv {
	struct summary_cfg cfg;
	struct breakdown tab[SUM_TAB_MAX];
	struct breakdown listeners; /* key: src, port  v: recv_q, send_q, pid */
	struct breakdown autobound; /* key: src, port (listeners) */
	struct keytab lingering; /* key: cookie, state (CLOSE_WAIT/FIN_WAIT2) */
	struct sum_unix_listener *unix_listeners;
	size_t n_unix_listeners, cap_unix_listeners;
	/* per local port, per state: chunks allocated on first use */
	uint32_t (*ports[65536 / PORT_CHUNK])[SS_MAX];
};

#define OWNER_KEY_LEN  24 /* name[16], pid */
#define LINGER_KEY_LEN 16 /* cookie, state */

static void inet_breakdown(struct breakdown *b, unsigned int addrs)
{
	for (int fi = 0; fi < 2; fi++) {
		unsigned int alen = fi ? 16 : 4;
		unsigned int n =
		    1 + 2 + alen * (!!(addrs & KEY_SRC) + !!(addrs & KEY_DST));

		keytab_init(&b->fam[fi], (n + 7) & ~7u);
	}
	b->addrs = addrs;
}

/* Packs a key of b into k; returns the table it belongs in. */
static struct keytab *pack(struct breakdown *b, uint8_t *k, uint8_t family,
			   const uint8_t *saddr, const uint8_t *daddr,
			   uint16_t port)
{
	struct keytab *t = &b->fam[family == AF_INET6];
	unsigned int alen = family == AF_INET6 ? 16 : 4, o = 1;

	memset(k, 0, t->klen);
	k[0] = family;
	if (b->addrs & KEY_SRC) {
		memcpy(k + o, saddr, alen);
		o += alen;
	}
	if (b->addrs & KEY_DST) {
		memcpy(k + o, daddr, alen);
		o += alen;
	}
	memcpy(k + o, &port, sizeof(port));
	return t;
}

static void unpack(const struct breakdown *b, const uint8_t *k,
		   struct sum_row *r)
{
	unsigned int alen = k[0] == AF_INET6 ? 16 : 4, o = 1;

	r->family = k[0];
	if (b->addrs & KEY_SRC) {
		memcpy(r->saddr, k + o, alen);
		o += alen;
	}
	if (b->addrs & KEY_DST) {
		memcpy(r->daddr, k + o, alen);
		o += alen;
	}
	memcpy(&r->dport, k + o, sizeof(r->dport));
}

static size_t bd_keys(const struct breakdown *b)
{
	return b->fam[0].n + b->fam[1].n;
}

/* The counters of key in t, one of b's tables; NULL when b is full. */
static uint32_t *bd_get(struct summary *s, struct breakdown *b,
			struct keytab *t, const uint8_t *key)
{
	uint32_t *v =
	    keytab_get(t, key, SUMMARY_KEYS_MAX - (bd_keys(b) - t->n));

	if (!v) {
		s->dropped++;
	}
	return v;
}

static void bd_free(struct breakdown *b)
{
	keytab_free(&b->fam[0]);
	keytab_free(&b->fam[1]);
}

struct summary *summary_create(const struct summary_cfg *cfg)
{
	struct summary *s = xcalloc(1, sizeof(*s));

	s->priv = xcalloc(1, sizeof(*s->priv));
	s->priv->cfg = *cfg;
	if (!cfg->eph_lo) {
		/* The kernel default when the range could not be read. */
		s->priv->cfg.eph_lo = 32768;
		s->priv->cfg.eph_hi = 60999;
	}
	inet_breakdown(&s->priv->tab[SUM_REMOTE_HOST], KEY_DST);
	inet_breakdown(&s->priv->tab[SUM_REMOTE_PORT], KEY_DST);
	inet_breakdown(&s->priv->tab[SUM_TUPLE], KEY_SRC | KEY_DST);
	/* Owners are not addresses: one table, fam[1] stays empty. */
	keytab_init(&s->priv->tab[SUM_OWNER].fam[0], OWNER_KEY_LEN);
	inet_breakdown(&s->priv->listeners, KEY_SRC);
	inet_breakdown(&s->priv->autobound, KEY_SRC);
	keytab_init(&s->priv->lingering, LINGER_KEY_LEN);
	s->have_previous = cfg->previous != NULL;
	s->have_owners = cfg->owner != NULL;
	return s;
}

void summary_destroy(struct summary *s)
{
	if (!s) {
		return;
	}
	for (int i = 0; i < SUM_TAB_MAX; i++) {
		bd_free(&s->priv->tab[i]);
	}
	bd_free(&s->priv->listeners);
	bd_free(&s->priv->autobound);
	keytab_free(&s->priv->lingering);
	free(s->priv->unix_listeners);
	for (size_t i = 0; i < ARRAY_SIZE(s->priv->ports); i++) {
		free(s->priv->ports[i]);
	}
	free(s->priv);
	free(s);
}

static void bump(struct summary *s, enum sum_tab tab,
		 const struct sock_rec *rec, uint16_t port, int col)
{
	struct breakdown *b = &s->priv->tab[tab];
	uint8_t key[KEYTAB_KEY_MAX];
	struct keytab *t =
	    pack(b, key, rec->family, rec->saddr, rec->daddr, port);
	uint32_t *v = bd_get(s, b, t, key);

	if (v) {
		v[0]++;
		if (col > 0) {
			v[col]++;
		}
	}
}

static bool ephemeral(const struct summary *s, uint16_t port)
{
	return port >= s->priv->cfg.eph_lo && port <= s->priv->cfg.eph_hi;
}

static void count_port(struct summary *s, const struct sock_rec *rec)
{
	uint32_t(**chunk)[SS_MAX] = &s->priv->ports[rec->sport / PORT_CHUNK];

	if (!*chunk) {
		*chunk = xcalloc(PORT_CHUNK, sizeof(**chunk));
	}
	(*chunk)[rec->sport % PORT_CHUNK][rec->state]++;
}

/* CLOSE_WAIT and owned FIN_WAIT2 are remembered by cookie so a later
 * sample can tell which of its sockets were already there. */
static void track_lingering(struct summary *s, const struct sock_rec *rec)
{
	const struct summary *prev = s->priv->cfg.previous;
	uint8_t key[LINGER_KEY_LEN] = {0};

	memcpy(key, &rec->cookie, sizeof(rec->cookie));
	key[8] = rec->state;
	if (!keytab_get(&s->priv->lingering, key, SUMMARY_KEYS_MAX)) {
		s->dropped++;
	}
	if (prev && keytab_find(&prev->priv->lingering, key)) {
		if (rec->state == SS_CLOSE_WAIT) {
			s->persisting_close_wait++;
		} else {
			s->persisting_fin_wait2++;
		}
	}
}

static void add_owner(struct summary *s, const struct sock_rec *rec)
{
	const struct owner_ops *ops = s->priv->cfg.owner;
	struct owner ow = {0};
	struct breakdown *b = &s->priv->tab[SUM_OWNER];
	uint8_t key[OWNER_KEY_LEN] = {0};
	uint32_t *v;

	if (!ops || !ops->lookup(ops->data, rec, &ow)) {
		return;
	}
	memcpy(key, ow.name, sizeof(ow.name));
	memcpy(key + 16, &ow.pid, sizeof(ow.pid));
	v = bd_get(s, b, &b->fam[0], key);
	if (v) {
		v[0]++;
		v[1] += rec->state == SS_CLOSE_WAIT;
		v[2] += rec->state == SS_FIN_WAIT2;
	}
}

static void add_listener(struct summary *s, const struct sock_rec *rec)
{
	const struct owner_ops *ops = s->priv->cfg.owner;
	struct breakdown *b = &s->priv->listeners;
	uint8_t key[KEYTAB_KEY_MAX];
	/* The listeners' keys hold no peer; daddr is passed only so that
	 * pack() never sees a null source for a copy it does not make. */
	struct keytab *t =
	    pack(b, key, rec->family, rec->saddr, rec->daddr, rec->sport);
	uint32_t *v = bd_get(s, b, t, key);
	struct owner ow = {0};

	if (v) {
		v[0] = rec->recv_q;
		v[1] = rec->send_q;
		if (ops && ops->lookup(ops->data, rec, &ow)) {
			v[2] = ow.pid;
		}
	}
}

void summary_add_autobound(struct summary *s, const struct sock_rec *rec)
{
	struct breakdown *b = &s->priv->autobound;
	uint8_t key[KEYTAB_KEY_MAX];
	/* No peer in the key; daddr only so that pack() never sees a null
	 * source for a copy it does not make. */
	struct keytab *t =
	    pack(b, key, rec->family, rec->saddr, rec->daddr, rec->sport);

	bd_get(s, b, t, key);
}

static bool is_loopback(uint8_t family, const uint8_t *a)
{
	static const uint8_t one6[16] = {[15] = 1};
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

	if (family == AF_INET) {
		return a[0] == 127;
	}
	return !memcmp(a, one6, 16) || (!memcmp(a, mapped, 12) && a[12] == 127);
}

#define TIME_WAIT_MS	 60000 /* TCP_TIMEWAIT_LEN */
#define LOOPBACK_IFINDEX 1

/* tcp_twsk_unique(): may connect() take this TIME_WAIT's tuple now? */
static bool tw_reusable(const struct summary_tw_reuse *tw,
			const struct sock_rec *rec)
{
	uint32_t age;

	if (rec->state != SS_TIME_WAIT || !tw->reuse || !tw->timestamps) {
		return false;
	}
	if (tw->reuse == 2 && rec->ifindex != LOOPBACK_IFINDEX &&
	    !is_loopback(rec->family, rec->saddr) &&
	    !is_loopback(rec->family, rec->daddr)) {
		return false;
	}
	age =
	    rec->expires_ms < TIME_WAIT_MS ? TIME_WAIT_MS - rec->expires_ms : 0;
	return age > tw->delay_ms;
}

static void bump_tuple(struct summary *s, const struct sock_rec *rec)
{
	struct breakdown *b = &s->priv->tab[SUM_TUPLE];
	uint8_t key[KEYTAB_KEY_MAX];
	struct keytab *t =
	    pack(b, key, rec->family, rec->saddr, rec->daddr, rec->dport);
	uint32_t *v = bd_get(s, b, t, key);

	if (v) {
		v[0]++;
		v[SUM_V_TIME_WAIT] += rec->state == SS_TIME_WAIT;
		v[SUM_V_HELD] += !tw_reusable(&s->priv->cfg.tw, rec);
	}
}

static void add_peer(struct summary *s, const struct sock_rec *rec)
{
	bump(s, SUM_REMOTE_HOST, rec, 0,
	     rec->state == SS_FIN_WAIT2 && rec->inode ? SUM_V_HOST_FW2 : 0);
	bump(s, SUM_REMOTE_PORT, rec, rec->dport,
	     rec->state == SS_SYN_SENT	   ? SUM_V_SYN_SENT
	     : rec->state == SS_CLOSE_WAIT ? SUM_V_PEER_CW
					   : 0);
	if (rec->protocol == IPPROTO_TCP && ephemeral(s, rec->sport)) {
		bump_tuple(s, rec);
	}
}

static void add_tcp(struct summary *s, const struct sock_rec *rec)
{
	int fi = rec->family == AF_INET6;

	s->tcp[fi][rec->state]++;
	s->tcp_total++;
	count_port(s, rec);
	if (rec->state == SS_LISTEN) {
		add_listener(s, rec);
		return;
	}
	if (rec->state == SS_TIME_WAIT && !ephemeral(s, rec->sport)) {
		s->time_wait_inbound++;
	}
	/* idiag_timer 4 probes a zero window; every answer resets the
	 * probe count (tcp_ack(), RFC 1122 4.2.2.17): a low count is a live
	 * peer that does not read, a high one a peer that stopped answering,
	 * like 8 unanswered retransmissions (timer 1). */
	if ((rec->timer == 1 || rec->timer == 4) && rec->retrans >= 8) {
		s->retrans_stuck++;
	} else if (rec->timer == 4) {
		s->zero_window++;
	}
	/* Orphans live in timewait sockets, which have no inode. */
	if (rec->state == SS_FIN_WAIT2 && rec->inode) {
		s->fin_wait2_owned++;
		track_lingering(s, rec);
	} else if (rec->state == SS_CLOSE_WAIT) {
		track_lingering(s, rec);
	}
}

/* A UNIX listener kept whole: "who has connections waiting at
 * /run/x.sock" is answered by its name and queue. */
static void add_unix_listener(struct summary *s, const struct sock_rec *rec)
{
	struct summary_priv *p = s->priv;
	const struct owner_ops *ops = p->cfg.owner;
	struct sum_unix_listener *l;
	struct owner ow = {0};

	if (p->n_unix_listeners == SUMMARY_UNIX_LISTENERS_MAX) {
		s->dropped++;
		return;
	}
	if (p->n_unix_listeners == p->cap_unix_listeners) {
		p->cap_unix_listeners =
		    p->cap_unix_listeners ? 2 * p->cap_unix_listeners : 16;
		p->unix_listeners =
		    xrealloc(p->unix_listeners, p->cap_unix_listeners *
						    sizeof(*p->unix_listeners));
	}
	l = &p->unix_listeners[p->n_unix_listeners++];
	memset(l, 0, sizeof(*l));
	if (rec->ext.path) {
		l->len = (uint8_t)(rec->ext.path_len < sizeof(l->name)
				       ? rec->ext.path_len
				       : sizeof(l->name));
		memcpy(l->name, rec->ext.path, l->len);
	}
	l->inode = rec->inode;
	l->recv_q = rec->recv_q;
	l->send_q = rec->send_q;
	if (ops && ops->lookup(ops->data, rec, &ow)) {
		l->pid = ow.pid;
	}
}

/* UNIX sockets: by type and state, their owners, their listeners. */
static void add_unix(struct summary *s, const struct sock_rec *rec)
{
	int t = rec->protocol == SOCK_STREAM	  ? SUM_UNIX_STREAM
		: rec->protocol == SOCK_DGRAM	  ? SUM_UNIX_DGRAM
		: rec->protocol == SOCK_SEQPACKET ? SUM_UNIX_SEQPACKET
						  : -1;

	if (t < 0) {
		return;
	}
	s->unx[t][rec->state]++;
	s->unix_total++;
	if (rec->state == SS_LISTEN) {
		add_unix_listener(s, rec);
	}
	add_owner(s, rec);
}

void summary_add(struct summary *s, const struct sock_rec *rec)
{
	if (rec->state < SS_MAX && rec->family == AF_UNIX) {
		add_unix(s, rec);
		return;
	}
	if (rec->family != AF_INET && rec->family != AF_INET6) {
		uint32_t bit = family_proto_bit(rec);

		if (bit) {
			s->by_proto[__builtin_ctz(bit)]++;
		}
		return;
	}
	if (rec->state >= SS_MAX) {
		return;
	}
	if (rec->protocol == IPPROTO_TCP) {
		add_tcp(s, rec);
	} else if (rec->protocol == IPPROTO_UDP) {
		s->udp[rec->family == AF_INET6][rec->state]++;
		s->udp_total++;
	} else {
		uint32_t bit = family_proto_bit(rec);

		/* MPTCP: a table total, not in TCP's counts. */
		if (bit) {
			s->by_proto[__builtin_ctz(bit)]++;
		}
		return;
	}
	if (rec->state != SS_LISTEN && rec->dport &&
	    !addr_is_any(rec->family, rec->daddr)) {
		add_peer(s, rec);
	}
	add_owner(s, rec);
}

uint64_t summary_tcp_state(const struct summary *s, unsigned int state)
{
	uint64_t n = 0;

	if (state >= SS_MAX) {
		return 0;
	}
	for (unsigned int st = 0; st < SS_MAX; st++) {
		if (state_fold(st) == state) {
			n += s->tcp[0][st] + s->tcp[1][st];
		}
	}
	return n;
}

static uint32_t ref_v(struct ref r, unsigned int col)
{
	return keytab_vals(r.t, r.key)[col];
}

/* Key order: the two tables of a breakdown differ in the family byte. */
static int ref_cmp(struct ref x, struct ref y)
{
	if (x.t != y.t) {
		return (int)x.key[0] - (int)y.key[0];
	}
	return memcmp(x.key, y.key, x.t->klen);
}

/* Column col descending, then key: the order of every top-N table. */
static bool ranks_before(struct ref x, struct ref y, unsigned int col)
{
	if (ref_v(x, col) != ref_v(y, col)) {
		return ref_v(x, col) > ref_v(y, col);
	}
	return ref_cmp(x, y) < 0;
}

/*
 * Merges the entries of t that rank among the k best so far into best[]
 * (at most n, in order); returns the new k. A summary shows ten rows of
 * tables that can hold a million keys: keeping the ten is far cheaper
 * than sorting them all.
 */
static size_t select_top(const struct keytab *t, unsigned int col,
			 struct ref *best, size_t k, size_t n)
{
	for (size_t i = 0; i < t->n && n; i++) {
		struct ref e = {t, keytab_key(t, i)};
		size_t j;

		if (k == n && !ranks_before(e, best[k - 1], col)) {
			continue;
		}
		j = k < n ? k++ : n - 1;
		for (; j > 0 && ranks_before(e, best[j - 1], col); j--) {
			best[j] = best[j - 1];
		}
		best[j] = e;
	}
	return k;
}

size_t summary_top(const struct summary *s, enum sum_tab tab, unsigned int col,
		   struct sum_row *rows, size_t n, size_t *keys)
{
	const struct breakdown *b;
	struct ref *best;
	size_t k, got;

	if (keys) {
		*keys = 0;
	}
	if (tab >= SUM_TAB_MAX || col >= KEYTAB_NV) {
		return 0;
	}
	b = &s->priv->tab[tab];
	if (keys) {
		*keys = bd_keys(b);
	}
	if (!bd_keys(b)) {
		return 0;
	}
	best = xcalloc(n ? n : 1, sizeof(*best));
	got = select_top(&b->fam[0], col, best, 0, n);
	got = select_top(&b->fam[1], col, best, got, n);
	for (k = 0; k < got && ref_v(best[k], col); k++) {
		memset(&rows[k], 0, sizeof(rows[k]));
		if (tab == SUM_OWNER) {
			memcpy(rows[k].owner.name, best[k].key, 16);
			memcpy(&rows[k].owner.pid, best[k].key + 16, 4);
		} else {
			unpack(b, best[k].key, &rows[k]);
		}
		memcpy(rows[k].v, keytab_vals(best[k].t, best[k].key),
		       sizeof(rows[k].v));
	}
	free(best);
	return k;
}

/* Fullness of a listener as a fraction of its limit, times 2^16. */
static uint64_t fill(struct ref r)
{
	uint32_t q = ref_v(r, 0), limit = ref_v(r, 1);

	return limit ? ((uint64_t)q << 16) / limit : (uint64_t)q << 16;
}

static int by_fill_desc(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	if (fill(*x) != fill(*y)) {
		return fill(*x) > fill(*y) ? -1 : 1;
	}
	return ref_cmp(*x, *y);
}

static int unix_listener_cmp(const void *pa, const void *pb)
{
	const struct sum_unix_listener *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int c;

	if (a->recv_q != b->recv_q) {
		return a->recv_q > b->recv_q ? -1 : 1;
	}
	c = memcmp(a->name, b->name, n);
	if (c || a->len != b->len) {
		return c ? c : a->len < b->len ? -1 : 1;
	}
	return (a->inode > b->inode) - (a->inode < b->inode);
}

size_t summary_unix_listeners(const struct summary *s,
			      struct sum_unix_listener *rows, size_t n,
			      size_t *keys)
{
	const struct summary_priv *p = s->priv;
	struct sum_unix_listener *all;

	if (keys) {
		*keys = p->n_unix_listeners;
	}
	n = n < p->n_unix_listeners ? n : p->n_unix_listeners;
	if (!n) {
		return 0;
	}
	/* Few listeners: the whole list sorted, the first n kept. */
	all = xmalloc(p->n_unix_listeners * sizeof(*all));
	memcpy(all, p->unix_listeners, p->n_unix_listeners * sizeof(*all));
	qsort(all, p->n_unix_listeners, sizeof(*all), unix_listener_cmp);
	memcpy(rows, all, n * sizeof(*rows));
	free(all);
	return n;
}

size_t summary_listeners(const struct summary *s, struct sum_listener *rows,
			 size_t n, size_t *keys)
{
	const struct breakdown *b = &s->priv->listeners;
	size_t total = bd_keys(b), k = 0;
	struct ref *refs;

	if (keys) {
		*keys = total;
	}
	if (!total) {
		return 0;
	}
	refs = xcalloc(total, sizeof(*refs));
	for (int fi = 0; fi < 2; fi++) {
		for (size_t i = 0; i < b->fam[fi].n; i++) {
			refs[k++] = (struct ref){&b->fam[fi],
						 keytab_key(&b->fam[fi], i)};
		}
	}
	qsort(refs, k, sizeof(*refs), by_fill_desc);
	for (k = 0; k < n && k < total; k++) {
		struct sum_row r = {0};
		uint32_t(*chunk)[SS_MAX];

		unpack(b, refs[k].key, &r);
		memset(&rows[k], 0, sizeof(rows[k]));
		rows[k].family = r.family;
		memcpy(rows[k].addr, r.saddr, 16);
		rows[k].port = r.dport;
		rows[k].recv_q = ref_v(refs[k], 0);
		rows[k].send_q = ref_v(refs[k], 1);
		rows[k].pid = ref_v(refs[k], 2);
		rows[k].autobound =
		    keytab_find(&s->priv->autobound.fam[r.family == AF_INET6],
				refs[k].key) != NULL;
		chunk = s->priv->ports[r.dport / PORT_CHUNK];
		if (chunk) {
			memcpy(rows[k].conns, chunk[r.dport % PORT_CHUNK],
			       sizeof(rows[k].conns));
		}
	}
	free(refs);
	return k;
}

double summary_queue_fill(uint32_t recv_q, uint32_t send_q)
{
	return (double)recv_q / ((double)send_q + 1);
}

bool summary_owner(const struct summary *s, uint32_t pid, struct owner *out)
{
	const struct keytab *t = &s->priv->tab[SUM_OWNER].fam[0];

	for (size_t i = 0; pid && i < t->n; i++) {
		const uint8_t *k = keytab_key(t, i);

		if (!memcmp(k + 16, &pid, sizeof(pid))) {
			memcpy(out->name, k, sizeof(out->name));
			out->name[sizeof(out->name) - 1] = '\0';
			out->pid = pid;
			return true;
		}
	}
	return false;
}

uint16_t summary_close_wait_port(const struct summary *s, uint32_t *count)
{
	uint16_t best = 0;

	*count = 0;
	for (size_t c = 0; c < ARRAY_SIZE(s->priv->ports); c++) {
		if (!s->priv->ports[c]) {
			continue;
		}
		for (size_t i = 0; i < PORT_CHUNK; i++) {
			uint32_t n = s->priv->ports[c][i][SS_CLOSE_WAIT];

			if (n > *count) {
				*count = n;
				best = (uint16_t)(c * PORT_CHUNK + i);
			}
		}
	}
	return best;
}

void summary_endpoint(char *buf, size_t len, uint8_t family,
		      const uint8_t *addr, uint16_t port)
{
	char a[ADDR_STRLEN];

	addr_format(a, family, addr);
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
}
