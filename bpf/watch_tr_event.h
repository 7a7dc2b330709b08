/*
 * watch_tr_event.h - the record the BPF program (watch_tr.bpf.c) writes to
 * its ring buffer for each TCP state transition, and the userspace decoder
 * (src/watch_tr.c) reads. Shared by both compilers, so plain C types only
 * (no libc, no kernel headers). Append fields at the end: the decoder
 * checks the size it needs.
 */
#ifndef SOCKSCOPE_WATCH_TR_EVENT_H
#define SOCKSCOPE_WATCH_TR_EVENT_H

#define WATCH_TR_COMM_LEN 16

struct watch_tr_raw {
	unsigned long long ts_ns;  /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	unsigned long long skaddr; /* the socket's address: its identity */
	unsigned long long bytes_acked; /* tcp_sock's, on the move to CLOSE */
	unsigned long long bytes_received; /* idem; 0 on other transitions */
	unsigned int pid;		   /* tgid of the current task */
	unsigned short family;		   /* AF_INET or AF_INET6 */
	unsigned short sport;		   /* host order */
	unsigned short dport;		   /* host order */
	unsigned char oldstate;		   /* TCP_* */
	unsigned char newstate;
	unsigned char saddr[16]; /* IPv4: the first 4 bytes */
	unsigned char daddr[16];
	char comm[WATCH_TR_COMM_LEN]; /* the current task's */
};

#endif
