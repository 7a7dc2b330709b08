/*
 * watch_bpf.h - the BPF backend of `sockscope watch --transitions`: loads
 * bpf/watch_tr.bpf.c (its skeleton is compiled into the module
 * sockscope-bpf.so, which watch_bpf_open() loads: module.h), attaches it
 * to the sock:inet_sock_set_state tracepoint and hands each ring-buffer
 * record to a callback. Built only with -Dbpf (libbpf, bpftool, clang);
 * without it watch_bpf_open() returns -EOPNOTSUPP and nothing else is
 * called.
 *
 * Call order: watch_bpf_open(), then watch_bpf_fd() into poll(), then
 * watch_bpf_consume() when it is readable and watch_bpf_lost() to learn
 * how many records the kernel had no room for; watch_bpf_close() at the
 * end (NULL is fine). The record passed to the callback lives in the ring
 * buffer until the callback returns: copy it (watch_tr_decode()).
 */
#ifndef SOCKSCOPE_WATCH_BPF_H
#define SOCKSCOPE_WATCH_BPF_H

#include <stddef.h>
#include <stdint.h>

struct watch_bpf;

typedef void (*watch_bpf_fn)(const void *rec, size_t len, void *data);

/*
 * Load and attach. netns_ino: the network namespace to watch (the inode
 * of /proc/self/ns/net), 0 for every one; ring_bytes: the ring buffer's
 * size (a power of two, at least a page), 0 for the default 4 MiB.
 * Returns 0, or -EOPNOTSUPP (not built), -EPERM (no CAP_BPF and
 * CAP_PERFMON), -ELIBACC (the module cannot load: the one case said here,
 * on stderr, with the module and why) or another -errno; prints nothing
 * else (the caller says it).
 */
int watch_bpf_open(struct watch_bpf **out, uint32_t netns_ino,
		   uint32_t ring_bytes, watch_bpf_fn fn, void *data);
int watch_bpf_fd(const struct watch_bpf *w);
/* Every record queued now, through fn; returns 0 or -errno. */
int watch_bpf_consume(struct watch_bpf *w);
/* Records dropped for want of room since the start (a running total). */
uint64_t watch_bpf_lost(const struct watch_bpf *w);
void watch_bpf_close(struct watch_bpf *w);

#endif
