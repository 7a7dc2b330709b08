// SPDX-License-Identifier: (MIT OR GPL-2.0-only)
/*
 * watch_tr.bpf.c - every TCP state transition, from the
 * sock:inet_sock_set_state tracepoint, into a ring buffer that
 * `sockscope watch --transitions` (src/watch_bpf.c) reads.
 *
 * Attached as a BTF tracepoint (tp_btf): by the tracepoint's BTF id, so
 * tracefs need not be mounted (a classic tracepoint program is attached
 * through /sys/kernel/tracing/events/..., and on a host where nothing had
 * mounted tracefs yet the load failed with ENOENT). The program reads
 * what the tracepoint's own record holds from the socket itself.
 *
 * No vmlinux.h: the few kernel types read here are declared below with
 * preserve_access_index, so libbpf relocates every field against the
 * running kernel's BTF at load time (CO-RE); the build needs no
 * /sys/kernel/btf/vmlinux and the object runs on kernels whose layouts
 * differ (struct ns_common changed in 6.18).
 */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

/* UAPI values (include/uapi/linux/bpf.h), stable by contract. */
enum {
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_RINGBUF = 27,
};

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "watch_tr_event.h"

#define AF_INET	    2
#define AF_INET6    10
#define IPPROTO_TCP 6
#define TCP_CLOSE   7
struct ns_common {
	unsigned int inum;
} __attribute__((preserve_access_index));

struct net {
	struct ns_common ns;
} __attribute__((preserve_access_index));

typedef struct {
	struct net *net;
} possible_net_t;

struct in6_addr {
	__u8 s6_addr[16];
} __attribute__((preserve_access_index));

struct sock_common {
	__be32 skc_daddr;
	__be16 skc_dport;
	unsigned short skc_family;
	possible_net_t skc_net;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
	__u16 sk_protocol; /* a plain field since Linux 5.6 */
} __attribute__((preserve_access_index));

/* What the tracepoint reads through inet_sk(sk). */
struct inet_sock {
	__be32 inet_saddr;
	__be16 inet_sport;
} __attribute__((preserve_access_index));

struct tcp_sock {
	__u64 bytes_received;
	__u64 bytes_acked;
} __attribute__((preserve_access_index));

/* Set before load: the inode of the network namespace to watch (the
 * tracepoint fires for every namespace); 0: all of them. */
const volatile __u32 netns_ino = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22); /* userspace may resize before load */
} events SEC(".maps");

/* Records the ring buffer had no room for: userspace reports them. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static void count_lost(void)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &key);

	if (n) {
		__sync_fetch_and_add(n, 1);
	}
}

/* The tracepoint's arguments: (const struct sock *sk, int oldstate,
 * int newstate), each widened to 64 bits in ctx. */
SEC("tp_btf/inet_sock_set_state")
int on_set_state(unsigned long long *ctx)
{
	const struct sock *sk = (const void *)ctx[0];
	const struct inet_sock *inet = (const void *)sk;
	int oldstate = (int)ctx[1], newstate = (int)ctx[2];
	struct watch_tr_raw *e;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP ||
	    (family != AF_INET && family != AF_INET6)) {
		return 0;
	}
	if (netns_ino &&
	    BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) != netns_ino) {
		return 0;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->skaddr = (__u64)(unsigned long)sk;
	e->family = family;
	/* As the tracepoint's record: ports in host order, the IPv4 source
	 * from inet_saddr, the IPv6 ones from the socket's common part. */
	e->sport = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
	e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	e->oldstate = (__u8)oldstate;
	e->newstate = (__u8)newstate;
	if (family == AF_INET) {
		bpf_core_read(e->saddr, 4, &inet->inet_saddr);
		bpf_core_read(e->daddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(e->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(e->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	/* Userspace keeps it only for the transitions an application's own
	 * call makes (watch_tr.c): the others may run in a softirq, on
	 * whatever task it interrupted, and the tracepoint's common flags
	 * that would tell are not readable from BPF. */
	e->pid = (__u32)(bpf_get_current_pid_tgid() >> 32);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	/* tcp_disconnect() zeroes the counters after this transition. */
	if (newstate == TCP_CLOSE) {
		const struct tcp_sock *tp = (const void *)sk;

		e->bytes_acked = BPF_CORE_READ(tp, bytes_acked);
		e->bytes_received = BPF_CORE_READ(tp, bytes_received);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
