// SPDX-License-Identifier: MIT
/*
 * The sysctls sockscope's advice reads, with their meaning, their default
 * per kernel version and the myth that goes with them. Meanings and
 * defaults follow Documentation/networking/ip-sysctl.rst and the kernel
 * code that sets them (net/ipv4/tcp_ipv4.c tcp_sk_init(),
 * net/ipv4/sysctl_net_ipv4.c).
 */
#include "facts.h"

#include <stdio.h>
#include <string.h>

#include "sock.h"
#include "util.h"

#define RST	"Documentation/networking/ip-sysctl.rst"
#define SK_INIT "net/ipv4/tcp_ipv4.c tcp_sk_init()"

static const struct sysctl_fact sysctls[] = {
    {
	.name = "net.ipv4.tcp_fin_timeout",
	.unit = "s",
	.meaning = {"how long an orphaned connection (closed by its "
		    "application) stays in FIN_WAIT2 waiting for the peer's "
		    "FIN before it is dropped; TCP_LINGER2 sets it per "
		    "socket",
		    RST " tcp_fin_timeout; net/ipv4/tcp.c tcp_close()"},
	.defaults = {{0, 0, "60"}},
	.default_source = "include/net/tcp.h TCP_FIN_TIMEOUT",
	.per_netns = true,
	.bounds = SS_BIT(SS_FIN_WAIT2),
	.myth = {"it shortens TIME_WAIT",
		 "TIME_WAIT is 60 s, compiled in (TCP_TIMEWAIT_LEN); this "
		 "only bounds orphaned FIN_WAIT2",
		 RST " tcp_fin_timeout; include/net/tcp.h TCP_TIMEWAIT_LEN"},
    },
    {
	.name = "net.ipv4.tcp_tw_reuse",
	.unit = "",
	.meaning = {"lets an outgoing connect() take over the 4-tuple of a "
		    "TIME_WAIT socket when TCP timestamps make it safe: 0 "
		    "off, 1 on, 2 only for loopback",
		    RST " tcp_tw_reuse; net/ipv4/tcp_ipv4.c "
			"tcp_twsk_unique()"},
	.defaults = {{0, 0, "0"}, {4, 20, "2"}},
	.default_source = SK_INIT " (2 since commit 79e9fed46038)",
	.per_netns = true,
	.myth = {"setting it to 1 lets a busy server recycle its "
		 "TIME_WAIT sockets",
		 "it acts only on outgoing connect() with timestamps on; it "
		 "does nothing for incoming connections and removes no "
		 "TIME_WAIT",
		 "net/ipv4/tcp_ipv4.c tcp_twsk_unique()"},
    },
    {
	.name = "net.ipv4.tcp_tw_reuse_delay",
	.unit = "ms",
	.meaning = {"how old a TIME_WAIT socket must be before tcp_tw_reuse "
		    "lets connect() reuse it (1 s, fixed, on kernels "
		    "without this sysctl)",
		    RST " tcp_tw_reuse_delay; net/ipv4/tcp_ipv4.c "
			"tcp_twsk_unique()"},
	.defaults = {{6, 14, "1000"}},
	.default_source = SK_INIT,
	.added = {6, 14},
	.per_netns = true,
	.myth = {"it is the length of TIME_WAIT",
		 "TIME_WAIT still lasts 60 s; this is only the age from "
		 "which connect() may reuse one",
		 RST " tcp_tw_reuse_delay"},
    },
    {
	.name = "net.ipv4.tcp_tw_recycle",
	.unit = "",
	.meaning = {"dropped SYNs whose timestamps were older than the last "
		    "seen from that host, to expire TIME_WAIT early; broke "
		    "clients behind NAT",
		    "commit 4396e46187ca (tcp: remove tcp_tw_recycle)"},
	.defaults = {{0, 0, "0"}},
	.default_source = "net/ipv4/sysctl_net_ipv4.c (before 4.12)",
	.removed = {4, 12},
	.per_netns = true,
	.myth = {"tcp_tw_recycle = 1 safely recycles TIME_WAIT sockets",
		 "it dropped connections from clients behind NAT and was "
		 "removed in Linux 4.12: the line now makes sysctl -p fail",
		 "commit 4396e46187ca"},
    },
    {
	.name = "net.ipv4.tcp_timestamps",
	.unit = "",
	.meaning = {"TCP timestamps (RFC 7323): RTT measurement, PAWS, and "
		    "the proof tcp_tw_reuse relies on. 1 on with random "
		    "offsets, 2 on without",
		    RST " tcp_timestamps"},
	.defaults = {{0, 0, "1"}},
	.default_source = SK_INIT,
	.per_netns = true,
	.myth = {"turning timestamps off is a harmless tuning",
		 "it disables PAWS and TIME_WAIT reuse by connect()",
		 "net/ipv4/tcp_ipv4.c tcp_twsk_unique()"},
    },
    {
	.name = "net.ipv4.tcp_max_tw_buckets",
	.unit = "",
	.meaning = {"the most TIME_WAIT (and orphaned FIN_WAIT2) sockets a "
		    "namespace holds; above it a closing socket skips "
		    "TIME_WAIT (TcpExtTCPTimeWaitOverflow)",
		    RST " tcp_max_tw_buckets; "
			"net/ipv4/inet_timewait_sock.c inet_twsk_alloc()"},
	.defaults = {{0, 0, "half the established hash size"}},
	.default_source = SK_INIT,
	.per_netns = true,
	.myth = {"lower it to get rid of TIME_WAIT",
		 "sockets above it skip TIME_WAIT and lose its protection; "
		 "ip-sysctl.rst says never to lower it",
		 RST " tcp_max_tw_buckets"},
    },
    {
	.name = "net.ipv4.tcp_ehash_entries",
	.unit = "",
	.meaning = {"buckets in the established-connection hash table this "
		    "namespace uses (read only); negative when the namespace "
		    "shares the host's table; tcp_max_tw_buckets and "
		    "tcp_max_syn_backlog default from it",
		    RST " tcp_ehash_entries; net/ipv4/tcp_ipv4.c "
			"tcp_set_hashinfo()"},
	.defaults = {{6, 1, "sized at boot to memory (thash_entries=)"}},
	.default_source = "net/ipv4/tcp.c tcp_init()",
	.added = {6, 1},
	.per_netns = true,
    },
    {
	.name = "net.ipv4.tcp_max_orphans",
	.unit = "",
	.meaning = {"the most orphaned sockets (closed by the application, "
		    "still in FIN_WAIT1, LAST_ACK or CLOSING) on the host; "
		    "above it they are reset (\"too many orphaned "
		    "sockets\")",
		    RST " tcp_max_orphans; net/ipv4/tcp.c tcp_check_oom()"},
	.defaults = {{0, 0, "scaled to memory at boot"}},
	.default_source = "net/ipv4/tcp.c tcp_init()",
	.per_netns = false,
	.myth = {"lower it to save memory",
		 "an orphan can hold up to its send buffer; ip-sysctl.rst "
		 "says not to lower the limit but to raise it if needed",
		 RST " tcp_max_orphans"},
    },
    {
	.name = "net.ipv4.tcp_orphan_retries",
	.unit = "",
	.meaning = {"retransmissions before an orphaned connection "
		    "(FIN_WAIT1, LAST_ACK, CLOSING) is given up; 0 means 8",
		    RST " tcp_orphan_retries; net/ipv4/tcp_timer.c "
			"tcp_orphan_retries()"},
	.defaults = {{0, 0, "0"}},
	.default_source = "net/ipv4/tcp_timer.c tcp_orphan_retries()",
	.per_netns = true,
	.bounds =
	    SS_BIT(SS_FIN_WAIT1) | SS_BIT(SS_LAST_ACK) | SS_BIT(SS_CLOSING),
	.myth = {"0 means orphans are dropped at once",
		 "0 is read as 8 retransmissions",
		 "net/ipv4/tcp_timer.c tcp_orphan_retries()"},
    },
    {
	.name = "net.ipv4.tcp_syncookies",
	.unit = "",
	.meaning = {"answer SYNs with cookies when a listener's SYN queue "
		    "overflows: 0 off, 1 on overflow, 2 always",
		    RST " tcp_syncookies"},
	.defaults = {{0, 0, "1"}},
	.default_source = SK_INIT,
	.per_netns = true,
	.myth = {"it is off by default and must be set to 1",
		 "1 is the default; cookies are used only when the SYN "
		 "queue overflows",
		 SK_INIT},
    },
    {
	.name = "net.ipv4.tcp_abort_on_overflow",
	.unit = "",
	.meaning = {"when a listener's accept queue is full, answer the "
		    "final ACK with a RST instead of dropping it (so the "
		    "client retries)",
		    RST " tcp_abort_on_overflow"},
	.defaults = {{0, 0, "0"}},
	.default_source = SK_INIT,
	.per_netns = true,
	.myth = {"1 makes overloaded servers recover faster",
		 "clients get resets for a burst the server would have "
		 "absorbed; ip-sysctl.rst advises against it",
		 RST " tcp_abort_on_overflow"},
    },
    {
	.name = "net.ipv4.tcp_max_syn_backlog",
	.unit = "",
	.meaning = {"with tcp_syncookies=0, the most request sockets "
		    "(SYN_RECV) a listener may hold; no effect while "
		    "syncookies are on",
		    RST " tcp_max_syn_backlog; net/ipv4/tcp_input.c "
			"tcp_conn_request()"},
	.defaults = {{0, 0, "max(128, established hash size / 128)"}},
	.default_source = SK_INIT,
	.per_netns = true,
	.myth = {"raise it to survive a SYN flood",
		 "each listener's SYN queue is bounded by its backlog; "
		 "with syncookies on this sysctl changes nothing",
		 "net/ipv4/tcp_input.c tcp_conn_request()"},
    },
    {
	.name = "net.core.somaxconn",
	.unit = "",
	.meaning = {"the cap on every listen() backlog: a listener's "
		    "backlog is min(listen() argument, somaxconn), read at "
		    "listen()",
		    RST " somaxconn; net/socket.c __sys_listen()"},
	.defaults = {{0, 0, "128"}, {5, 4, "4096"}},
	.default_source = "include/linux/socket.h SOMAXCONN",
	.per_netns = true,
	.myth = {"a new value applies to running servers",
		 "it is read when the application calls listen(): restart "
		 "the service",
		 "net/socket.c __sys_listen()"},
    },
    {
	.name = "net.ipv4.tcp_retries2",
	.unit = "",
	.meaning = {"retransmissions of unacknowledged data before an "
		    "open connection is dropped (15: at least about 924 s)",
		    RST " tcp_retries2; net/ipv4/tcp_timer.c "
			"tcp_write_timeout()"},
	.defaults = {{0, 0, "15"}},
	.default_source = SK_INIT,
	.per_netns = true,
	.myth = {"it times out idle connections",
		 "it counts retransmissions, so it acts only with data in "
		 "flight; an idle peer is checked only by keepalive",
		 "net/ipv4/tcp_timer.c tcp_write_timeout()"},
    },
    {
	.name = "net.ipv4.tcp_syn_retries",
	.unit = "",
	.meaning = {"SYN retransmissions before connect() gives up "
		    "(6: about 127 s)",
		    RST " tcp_syn_retries"},
	.defaults = {{0, 0, "5"}, {3, 7, "6"}},
	.default_source = "include/net/tcp.h TCP_SYN_RETRIES",
	.per_netns = true,
	.bounds = SS_BIT(SS_SYN_SENT),
    },
    {
	.name = "net.ipv4.tcp_synack_retries",
	.unit = "",
	.meaning = {"SYN+ACK retransmissions before a request socket "
		    "(SYN_RECV) is dropped (5: about 63 s)",
		    RST " tcp_synack_retries"},
	.defaults = {{0, 0, "5"}},
	.default_source = "include/net/tcp.h TCP_SYNACK_RETRIES",
	.per_netns = true,
	.bounds = SS_BIT(SS_SYN_RECV) | SS_BIT(SS_NEW_SYN_RECV),
    },
    {
	.name = "net.ipv4.tcp_keepalive_time",
	.unit = "s",
	.meaning = {"idle time before the first keepalive probe, for "
		    "sockets whose application set SO_KEEPALIVE",
		    RST " tcp_keepalive_time"},
	.defaults = {{0, 0, "7200"}},
	.default_source = "include/net/tcp.h TCP_KEEPALIVE_TIME",
	.per_netns = true,
	.myth = {"it is how often keepalives are sent, for every "
		 "connection",
		 "it is the idle time before the first probe, and only "
		 "for sockets with SO_KEEPALIVE",
		 RST " tcp_keepalive_time"},
    },
    {
	.name = "net.ipv4.ip_local_port_range",
	.unit = "",
	.meaning = {"the ports connect() picks from when the socket is not "
		    "bound (ephemeral ports), unique per destination ip:port",
		    RST " ip_local_port_range"},
	.defaults = {{0, 0, "32768 60999"}},
	.default_source = "net/ipv4/af_inet.c inet_init_net()",
	.per_netns = true,
	.myth = {"widening it helps a server with many TIME_WAIT",
		 "ephemeral ports are used only by outgoing connections; a "
		 "server's connections all use its listening port",
		 RST " ip_local_port_range"},
    },
    {
	.name = "net.ipv4.ip_local_reserved_ports",
	.unit = "",
	.meaning = {"ports inside ip_local_port_range that connect() and "
		    "bind(port 0) never pick automatically",
		    RST " ip_local_reserved_ports"},
	.defaults = {{0, 0, "(empty)"}},
	.default_source = RST " ip_local_reserved_ports",
	.per_netns = true,
    },
    {
	.name = "net.ipv4.tcp_mem",
	.unit = "pages",
	.meaning = {"low, pressure and high limits of the memory all TCP "
		    "sockets of the host may use, in pages",
		    RST " tcp_mem"},
	.defaults = {{0, 0, "computed from memory at boot"}},
	.default_source = "net/ipv4/tcp.c tcp_init_mem()",
	.per_netns = false,
    },
};

size_t facts_n_sysctls(void)
{
	return ARRAY_SIZE(sysctls);
}

const struct sysctl_fact *facts_sysctl(size_t i)
{
	return i < ARRAY_SIZE(sysctls) ? &sysctls[i] : NULL;
}

/* "net.ipv4.x", "net/ipv4/x" or "x" against the dotted name. */
static bool name_matches(const char *name, const char *word)
{
	const char *last = strrchr(name, '.') + 1;
	size_t n = strlen(name);

	if (!strcmp(word, last)) {
		return true;
	}
	if (strlen(word) != n) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = word[i] == '/' ? '.' : word[i];

		if (c != name[i]) {
			return false;
		}
	}
	return true;
}

const struct sysctl_fact *facts_sysctl_find(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(sysctls); i++) {
		if (name_matches(sysctls[i].name, word)) {
			return &sysctls[i];
		}
	}
	return NULL;
}

void facts_sysctl_path(const struct sysctl_fact *f, char *buf, size_t len)
{
	size_t i;

	for (i = 0; f->name[i] && i + 1 < len; i++) {
		buf[i] = f->name[i] == '.' ? '/' : f->name[i];
	}
	if (len) {
		buf[i] = '\0';
	}
}

static bool set(const struct kver *v)
{
	return v->major || v->minor;
}

bool facts_sysctl_exists(const struct sysctl_fact *f, const struct kver *k)
{
	if (set(&f->added) &&
	    !kver_at_least(k, f->added.major, f->added.minor)) {
		return false;
	}
	return !set(&f->removed) ||
	       !kver_at_least(k, f->removed.major, f->removed.minor);
}

const char *facts_sysctl_default(const struct sysctl_fact *f,
				 const struct kver *k)
{
	const char *v = NULL;

	if (!facts_sysctl_exists(f, k)) {
		return NULL;
	}
	for (size_t i = 0; i < FACTS_DEFAULTS && f->defaults[i].value; i++) {
		if (kver_at_least(k, f->defaults[i].major,
				  f->defaults[i].minor)) {
			v = f->defaults[i].value;
		}
	}
	return v;
}
