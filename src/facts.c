// SPDX-License-Identifier: MIT
/*
 * The TCP states as the Linux kernel implements them. Written from the
 * kernel sources (net/ipv4/tcp*.c, include/net/tcp.h), RFC 9293 and
 * Documentation/networking/ip-sysctl.rst; each fact names its source so a
 * reader can check it. The sysctl table is in facts_sysctl.c.
 */
#include "facts.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sock.h"
#include "state.h"
#include "util.h"

#define SYN_RETRIES    "net.ipv4.tcp_syn_retries"
#define SYNACK_RETRIES "net.ipv4.tcp_synack_retries"
#define FIN_TIMEOUT    "net.ipv4.tcp_fin_timeout"
#define ORPHAN_RETRIES "net.ipv4.tcp_orphan_retries"
#define RETRIES2       "net.ipv4.tcp_retries2"
#define RFC_DIAGRAM    "RFC 9293 section 3.3.2 (state diagram)"
#define RFC_CLOSE      "RFC 9293 section 3.6 (closing a connection)"

static const struct state_fact states[] = {
    {
	.name = "ESTABLISHED",
	.ss_name = "established",
	.codes = SS_BIT(SS_ESTABLISHED),
	.rfc = RFC_DIAGRAM,
	.who = {"both ends of an open connection: the client (active "
		"opener) and the server (passive opener)",
		RFC_DIAGRAM},
	.enter = {"client: SYN_SENT receives SYN+ACK and answers ACK; "
		  "server: the ACK of its SYN+ACK arrives, a child socket "
		  "is made and queued for accept()",
		  "net/ipv4/tcp_input.c tcp_rcv_synsent_state_process(); "
		  "net/ipv4/tcp_minisocks.c tcp_check_req()"},
	.waits = {"data; the peer's FIN (-> CLOSE_WAIT) or a local close() "
		  "or shutdown(SHUT_WR) (-> FIN_WAIT1)",
		  RFC_DIAGRAM},
	.timer = {"no state timer: an idle connection lasts forever. "
		  "Unacknowledged data is retransmitted up to "
		  "tcp_retries2; keepalive probes run only when the "
		  "application set SO_KEEPALIVE",
		  "net/ipv4/tcp_timer.c tcp_write_timeout(), "
		  "tcp_keepalive_timer()"},
	.timer_knob = NULL,
	.related = {RETRIES2, "net.ipv4.tcp_keepalive_time"},
	.many = {"normal. A count that only grows points to a pool "
		 "without a limit or connections nobody closes",
		 "sockscope summary (per process, per remote host)"},
	.list_cmd = "sockscope -tp state established",
	.kill_cmd = "sockscope kill state established dst HOST:PORT",
	.myths = {{
	    "an idle connection whose peer vanished is noticed and closed",
	    "without data in flight or SO_KEEPALIVE nothing is sent, so "
	    "nothing fails: it stays ESTABLISHED until the application "
	    "closes it",
	    "net/ipv4/tcp_timer.c tcp_keepalive_timer(); ip-sysctl.rst "
	    "tcp_keepalive_time",
	}},
    },
    {
	.name = "SYN_SENT",
	.ss_name = "syn-sent",
	.codes = SS_BIT(SS_SYN_SENT),
	.rfc = RFC_DIAGRAM,
	.who = {"the active opener (client) inside connect()", RFC_DIAGRAM},
	.enter = {"connect() sends a SYN",
		  "net/ipv4/tcp_output.c tcp_connect()"},
	.waits = {"the server's SYN+ACK (-> ESTABLISHED); a RST fails "
		  "connect() with ECONNREFUSED",
		  RFC_DIAGRAM},
	.timer = {"the SYN is retransmitted with exponential backoff from "
		  "1 s; after tcp_syn_retries retransmissions (6: about "
		  "127 s) connect() fails with ETIMEDOUT. TCP_SYNCNT and "
		  "TCP_USER_TIMEOUT override it per socket",
		  "net/ipv4/tcp_timer.c tcp_write_timeout(); ip-sysctl.rst "
		  "tcp_syn_retries"},
	.timer_knob = SYN_RETRIES,
	.many = {"no SYN+ACK comes back from that destination: host down, "
		 "SYN or SYN+ACK dropped by a firewall, or a listener whose "
		 "accept queue is full (it drops new SYNs)",
		 "net/ipv4/tcp_input.c tcp_conn_request()"},
	.list_cmd = "sockscope -to state syn-sent",
	.kill_cmd = "sockscope kill state syn-sent dst HOST:PORT",
	.myths = {{
	    "SYN_SENT means the server application is slow",
	    "the server's kernel answers a SYN without the application: "
	    "a lasting SYN_SENT means no SYN+ACK arrived (lost, filtered, "
	    "unreachable, or a full accept queue at the server)",
	    "net/ipv4/tcp_input.c tcp_conn_request()",
	}},
    },
    {
	.name = "SYN_RECV",
	.ss_name = "syn-recv",
	.codes = SS_BIT(SS_SYN_RECV) | SS_BIT(SS_NEW_SYN_RECV),
	.rfc = RFC_DIAGRAM,
	.who = {"the passive opener (server): one request socket per SYN "
		"on a listener (kernel state NEW_SYN_RECV since Linux 4.4; "
		"state 3 only for Fast Open and simultaneous open)",
		"include/net/tcp_states.h; net/ipv4/tcp_input.c "
		"tcp_conn_request()"},
	.enter = {"a SYN arrives on a LISTEN socket; the kernel answers "
		  "SYN+ACK and keeps a request socket in the listener's "
		  "SYN queue",
		  "net/ipv4/tcp_input.c tcp_conn_request()"},
	.waits = {"the final ACK of the handshake (-> ESTABLISHED, queued "
		  "on the accept queue)",
		  RFC_DIAGRAM},
	.timer = {"the SYN+ACK is retransmitted up to tcp_synack_retries "
		  "times (5: given up after about 63 s)",
		  "net/ipv4/inet_connection_sock.c reqsk_timer_handler(); "
		  "ip-sysctl.rst tcp_synack_retries"},
	.timer_knob = SYNACK_RETRIES,
	.related = {"net.ipv4.tcp_syncookies", "net.core.somaxconn",
		    "net.ipv4.tcp_max_syn_backlog"},
	.many = {"a SYN flood or clients whose final ACK is lost. The SYN "
		 "queue is bounded by the listener's backlog "
		 "(min(backlog, somaxconn)); with tcp_syncookies=1 an "
		 "overflow is answered with cookies, nothing is dropped",
		 "net/ipv4/tcp_input.c tcp_conn_request(); "
		 "include/net/inet_connection_sock.h "
		 "inet_csk_reqsk_queue_is_full()"},
	.list_cmd = "sockscope -t state syn-recv",
	.kill_cmd = "sockscope kill state syn-recv sport = :PORT",
	.myths = {{
	    "net.ipv4.tcp_max_syn_backlog is the size of the SYN queue",
	    "each listener's SYN queue is bounded by its own backlog; "
	    "tcp_max_syn_backlog adds a limit only when syncookies are off",
	    "net/ipv4/tcp_input.c tcp_conn_request()",
	}},
    },
    {
	.name = "FIN_WAIT1",
	.ss_name = "fin-wait-1",
	.codes = SS_BIT(SS_FIN_WAIT1),
	.rfc = RFC_CLOSE,
	.who = {"the active closer: the side that called close() or "
		"shutdown(SHUT_WR) first, client or server",
		RFC_CLOSE},
	.enter = {"close() or shutdown(SHUT_WR) in ESTABLISHED queues a "
		  "FIN after any unsent data",
		  "net/ipv4/tcp.c tcp_close_state(), tcp_send_fin()"},
	.waits = {"the ACK of its FIN (-> FIN_WAIT2), or the peer's FIN "
		  "first (-> CLOSING)",
		  RFC_DIAGRAM},
	.timer = {"data and FIN are retransmitted: an orphan (after "
		  "close()) gives up after tcp_orphan_retries (0 means 8), "
		  "a socket still owned after tcp_retries2; a zero window "
		  "keeps it in the persist timer",
		  "net/ipv4/tcp_timer.c tcp_write_timeout(), "
		  "tcp_orphan_retries()"},
	.timer_knob = ORPHAN_RETRIES,
	.related = {RETRIES2, "net.ipv4.tcp_max_orphans"},
	.many = {"the peer is gone or does not read (zero window) while "
		 "data is still queued; orphans count against "
		 "tcp_max_orphans",
		 "net/ipv4/tcp.c tcp_check_oom()"},
	.list_cmd = "sockscope -tom state fin-wait-1",
	.kill_cmd = "sockscope kill state fin-wait-1 dst HOST:PORT",
	.myths = {{
	    "FIN_WAIT1 waits for the peer application to close",
	    "it waits only for the peer's TCP to acknowledge the FIN; the "
	    "peer application is not involved until FIN_WAIT2",
	    RFC_CLOSE,
	}},
    },
    {
	.name = "FIN_WAIT2",
	.ss_name = "fin-wait-2",
	.codes = SS_BIT(SS_FIN_WAIT2),
	.rfc = RFC_CLOSE,
	.who = {"the active closer after its FIN was acknowledged", RFC_CLOSE},
	.enter = {"FIN_WAIT1 receives the ACK of its FIN",
		  "net/ipv4/tcp_input.c tcp_rcv_state_process()"},
	.waits = {"the peer's FIN, that is the peer application's close() "
		  "(-> TIME_WAIT)",
		  RFC_DIAGRAM},
	.timer = {"orphaned (the application called close()): "
		  "tcp_fin_timeout (60 s; TCP_LINGER2 per socket), kept in "
		  "the timewait structure. Still owned after "
		  "shutdown(SHUT_WR): no timer, a valid half-close that "
		  "waits forever",
		  "net/ipv4/tcp.c tcp_close(), tcp_fin_time(); "
		  "ip-sysctl.rst tcp_fin_timeout"},
	.timer_knob = FIN_TIMEOUT,
	.related = {"net.ipv4.tcp_max_tw_buckets"},
	.many = {"orphaned: peers that never close (a CLOSE_WAIT leak on "
		 "their side); owned (a process shown by -p): our "
		 "application half-closed and waits for a peer that does "
		 "not close",
		 "net/ipv4/tcp.c tcp_close()"},
	.list_cmd = "sockscope -top state fin-wait-2",
	.kill_cmd = "sockscope kill state fin-wait-2 dst HOST:PORT",
	.myths = {{
	    "net.ipv4.tcp_fin_timeout sets how long TIME_WAIT lasts",
	    "it bounds only orphaned FIN_WAIT2; TIME_WAIT is 60 s, "
	    "compiled in",
	    "ip-sysctl.rst tcp_fin_timeout; include/net/tcp.h "
	    "TCP_TIMEWAIT_LEN",
	}},
    },
    {
	.name = "TIME_WAIT",
	.ss_name = "time-wait",
	.codes = SS_BIT(SS_TIME_WAIT),
	.rfc = RFC_CLOSE,
	.who = {"the side that closed first (active closer), client or "
		"server; both sides after a simultaneous close. The "
		"passive closer never enters it",
		RFC_DIAGRAM},
	.enter = {"FIN_WAIT2 receives the peer's FIN and ACKs it, or "
		  "CLOSING receives the ACK of its FIN; a small timewait "
		  "socket replaces the full one",
		  "net/ipv4/tcp_minisocks.c tcp_time_wait(); "
		  "net/ipv4/tcp_input.c tcp_fin(), "
		  "tcp_rcv_state_process()"},
	.waits = {"nothing but time: it ACKs a retransmitted FIN (our "
		  "last ACK was lost) and keeps old segments out of a new "
		  "connection on the same 4-tuple",
		  RFC_CLOSE},
	.timer = {"60 s, fixed: TCP_TIMEWAIT_LEN is compiled in, no "
		  "sysctl changes it (RFC 9293 suggests 2 MSL = 4 min)",
		  "include/net/tcp.h TCP_TIMEWAIT_LEN; "
		  "net/ipv4/tcp_minisocks.c tcp_time_wait()"},
	.timer_s = 60,
	.timer_knob = NULL,
	.related = {"net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_max_tw_buckets",
		    "net.ipv4.tcp_tw_reuse_delay",
		    "net.ipv4.ip_local_port_range"},
	.many = {"normal on the side that closes first (about 168 bytes "
		 "each). A problem only when a client runs out of ports "
		 "to one destination ip:port, or near tcp_max_tw_buckets",
		 "net/ipv4/inet_timewait_sock.c inet_twsk_alloc()"},
	.list_cmd = "sockscope -to state time-wait",
	.kill_cmd = "sockscope kill state time-wait sport = :PORT (Linux "
		    ">= 6.0)",
	.myths =
	    {{
		 "TIME_WAIT means the other side has started closing",
		 "that is CLOSE_WAIT. TIME_WAIT is on the side that closed "
		 "first, after both FINs",
		 RFC_DIAGRAM,
	     },
	     {
		 "tcp_fin_timeout or tcp_tw_recycle shorten TIME_WAIT",
		 "nothing shortens it: tcp_fin_timeout bounds orphaned "
		 "FIN_WAIT2, "
		 "tcp_tw_recycle was removed in Linux 4.12; tcp_tw_reuse lets "
		 "outgoing connect() reuse one, with timestamps",
		 "include/net/tcp.h TCP_TIMEWAIT_LEN; ip-sysctl.rst",
	     }},
    },
    {
	.name = "CLOSE",
	.ss_name = "closed",
	.codes = SS_BIT(SS_CLOSE) | SS_BIT(SS_BOUND_INACTIVE),
	.rfc = RFC_DIAGRAM,
	.who = {"a TCP socket without a connection: bound but neither "
		"listening nor connected, or whose connection was reset "
		"while the application still holds it",
		RFC_DIAGRAM},
	.enter = {"socket() and bind() without listen() or connect(); a "
		  "RST or a timeout ends the connection before close()",
		  "net/ipv4/tcp.c tcp_set_state(), tcp_done()"},
	.waits = {"the application: connect(), listen() or close()",
		  RFC_DIAGRAM},
	.timer = {"none", "net/ipv4/tcp.c tcp_set_state()"},
	.timer_knob = NULL,
	.many = {"sockets that hold a port without using it: a bound "
		 "socket keeps its port until close(), so others' bind() "
		 "fails (Linux >= 6.8 lists them)",
		 "net/ipv4/tcp.c tcp_set_state() (SOCK_BINDPORT_LOCK)"},
	.list_cmd = "sockscope -tap state closed",
	.kill_cmd = NULL,
	.myths = {{
	    "a socket in CLOSE has given its port back",
	    "a port bound explicitly stays bound until close(); only an "
	    "automatically chosen port is released",
	    "net/ipv4/tcp.c tcp_set_state()",
	}},
    },
    {
	.name = "CLOSE_WAIT",
	.ss_name = "close-wait",
	.codes = SS_BIT(SS_CLOSE_WAIT),
	.rfc = RFC_CLOSE,
	.who = {"the passive closer: the side that received the FIN "
		"first, client or server",
		RFC_CLOSE},
	.enter = {"ESTABLISHED receives the peer's FIN and ACKs it; "
		  "read() returns 0 (end of file)",
		  "net/ipv4/tcp_input.c tcp_fin()"},
	.waits = {"the local application to call close() (-> LAST_ACK)",
		  RFC_DIAGRAM},
	.timer = {"none: the kernel never times it out. Only "
		  "retransmission of unacknowledged data (tcp_retries2) or "
		  "SO_KEEPALIVE probes to a dead peer end it early",
		  "net/ipv4/tcp_input.c tcp_fin(); net/ipv4/tcp_timer.c"},
	.timer_knob = NULL,
	.many = {"an application bug: it does not close() after read() "
		 "returned 0 (leaked descriptors). -p names the process",
		 RFC_CLOSE},
	.list_cmd = "sockscope -tp state close-wait",
	.kill_cmd = "sockscope kill state close-wait sport = :PORT",
	.myths = {{
	    "a sysctl (tcp_fin_timeout, tcp_keepalive_time) cleans up "
	    "CLOSE_WAIT",
	    "no sysctl ends it: the application must close(); sockscope "
	    "kill frees them now",
	    "net/ipv4/tcp_input.c tcp_fin(); ip-sysctl.rst tcp_fin_timeout",
	}},
    },
    {
	.name = "LAST_ACK",
	.ss_name = "last-ack",
	.codes = SS_BIT(SS_LAST_ACK),
	.rfc = RFC_CLOSE,
	.who = {"the passive closer after its application called close()",
		RFC_CLOSE},
	.enter = {"close() in CLOSE_WAIT sends a FIN",
		  "net/ipv4/tcp.c tcp_close_state()"},
	.waits = {"the ACK of that FIN (-> CLOSED; this side skips "
		  "TIME_WAIT)",
		  RFC_DIAGRAM},
	.timer = {"the FIN is retransmitted; the socket is orphaned, so "
		  "it gives up after tcp_orphan_retries (0 means 8)",
		  "net/ipv4/tcp_timer.c tcp_orphan_retries()"},
	.timer_knob = ORPHAN_RETRIES,
	.related = {"net.ipv4.tcp_max_orphans"},
	.many = {"peers that vanished before acknowledging: host down, "
		 "NAT or firewall state expired",
		 RFC_CLOSE},
	.list_cmd = "sockscope -to state last-ack",
	.kill_cmd = "sockscope kill state last-ack dst HOST:PORT",
	.myths = {{
	    "LAST_ACK waits for all packets to die",
	    "it waits for the ACK of the FIN it sent",
	    RFC_DIAGRAM,
	}},
    },
    {
	.name = "LISTEN",
	.ss_name = "listening",
	.codes = SS_BIT(SS_LISTEN),
	.rfc = RFC_DIAGRAM,
	.who = {"a server socket after listen()", RFC_DIAGRAM},
	.enter = {"listen()",
		  "net/ipv4/inet_connection_sock.c inet_csk_listen_start()"},
	.waits = {"SYNs. Two queues: the SYN queue of request sockets "
		  "(SYN_RECV) and the accept queue of finished handshakes "
		  "waiting for accept(). Recv-Q is the accept queue, Send-Q "
		  "the backlog",
		  "net/ipv4/tcp_diag.c tcp_diag_get_info(); "
		  "include/net/sock.h sk_acceptq_is_full()"},
	.timer = {"none", RFC_DIAGRAM},
	.timer_knob = NULL,
	.related = {"net.core.somaxconn", "net.ipv4.tcp_syncookies",
		    "net.ipv4.tcp_max_syn_backlog",
		    "net.ipv4.tcp_abort_on_overflow"},
	.many = {"normal. The problem is one listener whose Recv-Q "
		 "reaches Send-Q: the accept queue is full and handshakes "
		 "are dropped (ListenOverflows)",
		 "net/ipv4/tcp_ipv4.c tcp_v4_syn_recv_sock()"},
	.list_cmd = "sockscope -tlp",
	.kill_cmd = NULL,
	.myths = {{
	    "raising net.core.somaxconn takes effect at once",
	    "the backlog is min(listen() argument, somaxconn), read at "
	    "listen(): restart the service after raising it",
	    "net/socket.c __sys_listen(); ip-sysctl.rst somaxconn",
	}},
    },
    {
	.name = "CLOSING",
	.ss_name = "closing",
	.codes = SS_BIT(SS_CLOSING),
	.rfc = RFC_CLOSE,
	.who = {"both sides of a simultaneous close: each sent its FIN "
		"before the other's arrived",
		RFC_CLOSE},
	.enter = {"FIN_WAIT1 receives the peer's FIN before the ACK of "
		  "its own",
		  "net/ipv4/tcp_input.c tcp_fin()"},
	.waits = {"the ACK of its FIN (-> TIME_WAIT)", RFC_DIAGRAM},
	.timer = {"the FIN is retransmitted; an orphan gives up after "
		  "tcp_orphan_retries (0 means 8)",
		  "net/ipv4/tcp_timer.c tcp_orphan_retries()"},
	.timer_knob = ORPHAN_RETRIES,
	.many = {"rare; ones that persist mean lost ACKs", RFC_CLOSE},
	.list_cmd = "sockscope -to state closing",
	.kill_cmd = "sockscope kill state closing dst HOST:PORT",
	.myths = {{
	    "a simultaneous close skips TIME_WAIT",
	    "both sides go through TIME_WAIT after CLOSING",
	    "net/ipv4/tcp_input.c tcp_rcv_state_process()",
	}},
    },
};

static const struct state_edge edges[] = {
    {SS_CLOSE, SS_LISTEN, "listen()", RFC_DIAGRAM},
    {SS_CLOSE, SS_SYN_SENT, "connect(): send SYN", RFC_DIAGRAM},
    {SS_LISTEN, SS_SYN_RECV, "receive SYN: send SYN+ACK", RFC_DIAGRAM},
    {SS_SYN_SENT, SS_ESTABLISHED, "receive SYN+ACK: send ACK", RFC_DIAGRAM},
    {SS_SYN_SENT, SS_SYN_RECV,
     "receive SYN: send SYN+ACK "
     "(simultaneous open)",
     RFC_DIAGRAM},
    {SS_SYN_RECV, SS_ESTABLISHED, "receive ACK of SYN", RFC_DIAGRAM},
    {SS_ESTABLISHED, SS_FIN_WAIT1, "close(): send FIN (active close)",
     RFC_DIAGRAM},
    {SS_ESTABLISHED, SS_CLOSE_WAIT,
     "receive FIN: send ACK (passive "
     "close)",
     RFC_DIAGRAM},
    {SS_FIN_WAIT1, SS_FIN_WAIT2, "receive ACK of FIN", RFC_DIAGRAM},
    {SS_FIN_WAIT1, SS_CLOSING, "receive FIN: send ACK", RFC_DIAGRAM},
    {SS_FIN_WAIT2, SS_TIME_WAIT, "receive FIN: send ACK", RFC_DIAGRAM},
    {SS_CLOSING, SS_TIME_WAIT, "receive ACK of FIN", RFC_DIAGRAM},
    {SS_CLOSE_WAIT, SS_LAST_ACK, "close(): send FIN", RFC_DIAGRAM},
    {SS_LAST_ACK, SS_CLOSE, "receive ACK of FIN", RFC_DIAGRAM},
    {SS_TIME_WAIT, SS_CLOSE, "60 s (TCP_TIMEWAIT_LEN)",
     "include/net/tcp.h TCP_TIMEWAIT_LEN"},
};

size_t facts_n_states(void)
{
	return ARRAY_SIZE(states);
}

const struct state_fact *facts_state(size_t i)
{
	return i < ARRAY_SIZE(states) ? &states[i] : NULL;
}

size_t facts_n_edges(void)
{
	return ARRAY_SIZE(edges);
}

const struct state_edge *facts_edge(size_t i)
{
	return i < ARRAY_SIZE(edges) ? &edges[i] : NULL;
}

const struct state_fact *facts_state_find(const char *word)
{
	uint32_t mask;

	if (state_parse(word, &mask)) {
		return NULL;
	}
	mask = state_mask_normalize(mask);
	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		if (mask && !(mask & ~states[i].codes)) {
			return &states[i];
		}
	}
	return NULL;
}

const struct state_fact *facts_state_by_code(unsigned int code)
{
	if (code >= SS_MAX) {
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		if (states[i].codes & SS_BIT(code)) {
			return &states[i];
		}
	}
	return NULL;
}
