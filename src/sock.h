/*
 * sock.h - the socket record: what acquisition produces and everything
 * downstream (filter, formatters, summary, advice) consumes.
 *
 * A record is filled by its family's parser (family.h) from one netlink
 * message. The pointer members (ext) point into the receive buffer the
 * message came from: they are valid only until the next receive. Copy what
 * you keep.
 *
 * Families: AF_INET/AF_INET6 records hold addresses and ports; AF_UNIX
 * records hold the socket type (SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET)
 * in protocol, the name in ext.path (bytes, no NUL), the peer's inode in
 * peer_inode; their addresses and ports stay zero. AF_PACKET records hold
 * the type in protocol, the EtherType in link_proto, the interface in
 * ifindex; their state is SS_CLOSE (ss's UNCONN). AF_NETLINK records hold
 * the netlink protocol in protocol and the port ids in nl, state SS_CLOSE.
 * AF_VSOCK records hold the type in protocol, the CIDs and ports in vsock.
 * Units are raw: bytes, milliseconds as the kernel reports them, counters.
 */
#ifndef SOCKSCOPE_SOCK_H
#define SOCKSCOPE_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

/*
 * IPPROTO_MPTCP (262) does not fit a protocol byte: MPTCP records and
 * requests carry this code instead (no inet socket uses it; the request
 * sends 262 in INET_DIAG_REQ_PROTOCOL).
 */
#define SOCK_PROTO_MPTCP 254

/* Kernel TCP state codes (include/net/tcp_states.h). */
enum tcp_state {
	SS_ESTABLISHED = 1,
	SS_SYN_SENT,
	SS_SYN_RECV,
	SS_FIN_WAIT1,
	SS_FIN_WAIT2,
	SS_TIME_WAIT,
	SS_CLOSE,
	SS_CLOSE_WAIT,
	SS_LAST_ACK,
	SS_LISTEN,
	SS_CLOSING,
	SS_NEW_SYN_RECV,
	SS_BOUND_INACTIVE, /* request-only bit, Linux >= 6.8 */
	SS_MAX
};

#define SS_BIT(s)   (1u << (s))
#define SS_ALL_BITS ((SS_BIT(SS_MAX) - 1) & ~SS_BIT(0))

/* Optional per-socket blocks; NULL/0 when the kernel sent none. */
struct sock_ext {
	const uint32_t *skmem; /* INET_DIAG_SKMEMINFO, skmem_len u32s */
	size_t skmem_len;
	const void *tcp_info; /* INET_DIAG_INFO, raw kernel struct */
	size_t tcp_info_len;
	const char *cong; /* INET_DIAG_CONG, NUL-terminated */
	/* The congestion control's own block (-i): INET_DIAG_VEGASINFO,
	 * _DCTCPINFO or _BBRINFO in cc_type, 0 when none. */
	const void *cc_info;
	size_t cc_info_len;
	uint16_t cc_type;
	const char *ulp; /* INET_DIAG_ULP_INFO name, NUL-terminated */
	/* AF_UNIX: UNIX_DIAG_NAME as sent, path_len bytes, not terminated;
	 * an abstract name starts with '\0'. NULL: unnamed. */
	const char *path;
	uint16_t path_len;
	/* AF_UNIX listener: UNIX_DIAG_ICONS, the inodes of the clients
	 * whose connections wait in its queue; icons_len u32s. */
	uint16_t icons_len;
	const uint32_t *icons;
};

struct sock_rec {
	uint8_t family;	  /* AF_INET, AF_INET6 or AF_UNIX */
	uint8_t protocol; /* IPPROTO_TCP, IPPROTO_UDP...; AF_UNIX: SOCK_* */
	uint8_t state;	  /* kernel code, enum tcp_state */
	uint8_t
	    timer; /* idiag_timer: 0 none, 1 on, 2 keepalive, 3 tw, 4 probe */
	uint8_t retrans;
	uint8_t shutdown; /* valid if has_shutdown: bit 0 RCV, bit 1 SEND */
	int8_t v6only;	  /* -1 unknown */
	bool has_shutdown;
	bool has_mark;
	bool has_cgroup;
	uint16_t sport; /* host byte order */
	uint16_t dport;
	uint32_t ifindex;
	uint32_t expires_ms;
	uint32_t recv_q;
	uint32_t send_q;
	uint32_t uid;
	uint32_t inode;
	uint32_t mark;
	uint32_t peer_inode; /* AF_UNIX: the connected peer's inode, or 0 */
	uint64_t cookie;
	uint64_t cgroup_id;
	/* Network byte order; IPv4 in the first 4 bytes, the rest zero. */
	uint8_t saddr[16];
	uint8_t daddr[16];
	struct sock_ext ext;
	/* AF_PACKET: the EtherType it receives (host order; 3, ETH_P_ALL:
	 * every one); its type (SOCK_RAW, SOCK_DGRAM) is in protocol, its
	 * interface in ifindex (0: any). */
	uint16_t link_proto;
	/* AF_NETLINK: the netlink protocol is in protocol; the port ids
	 * (0: the kernel's socket) and, when connected, the peer's. */
	struct {
		uint32_t portid;
		uint32_t dst_portid;
		uint32_t dst_group;
		bool connected;
	} nl;
	/* AF_VSOCK: the type is in protocol; each side's CID and port
	 * (VMADDR_CID_ANY, VMADDR_PORT_ANY: ~0). */
	struct {
		uint32_t src_cid;
		uint32_t src_port;
		uint32_t dst_cid;
		uint32_t dst_port;
	} vsock;
};

/* A TCP record: inet, protocol 6 (a netlink record's 6 is XFRM's). */
static inline bool sock_rec_is_tcp(const struct sock_rec *rec)
{
	return (rec->family == AF_INET || rec->family == AF_INET6) &&
	       rec->protocol == IPPROTO_TCP;
}

#endif
