/*
 * diag_rx.h - read one netlink dump ahead on a second thread.
 *
 * The kernel builds each batch of a dump inside the recvmsg() that asks
 * for it, so a single thread alternates: wait for the kernel, then parse
 * and print. Here a reader thread keeps receiving into a small ring of
 * buffers while the caller's thread consumes the previous ones, and the
 * two halves overlap on two CPUs. A caller that has caught up sleeps
 * until a few batches are ready (or the dump ended) and then takes them one
 * by one without waiting.
 *
 * Call order: diag_rx_start() right after sending the dump request, then
 * diag_rx_next() until it returns 0 (the batch holding the dump's last
 * message was handed out) or an error, then diag_rx_stop(). Stopping early
 * is allowed; the socket then still holds the rest of the dump, and
 * diag_rx_stop() says so (the owner must not reuse it).
 */
#ifndef SOCKSCOPE_DIAG_RX_H
#define SOCKSCOPE_DIAG_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mnl_socket;
struct diag_rx;

/*
 * Start reading replies with this seq and portid from nl (not owned).
 * buf_size is the size of each receive buffer. When no thread can be
 * started (a thread limit, no memory for a stack) the batches are
 * received inside diag_rx_next() instead: slower, the same result.
 */
struct diag_rx *diag_rx_start(struct mnl_socket *nl, uint32_t seq,
			      uint32_t portid, size_t buf_size);

/*
 * The next batch as received: > 0 and *buf (valid until the next call),
 * 0 after the last batch, or the recvmsg -errno.
 */
ssize_t diag_rx_next(struct diag_rx *rx, const char **buf);

/*
 * Join the reader and free everything (NULL is fine). Returns true if the
 * dump was read to its end, false if replies may still be queued.
 */
bool diag_rx_stop(struct diag_rx *rx);

/* True if buf[0..len) holds the end (NLMSG_DONE or NLMSG_ERROR) of the
 * dump with this seq and portid: where a reader of a dump stops. */
bool diag_rx_is_end(const char *buf, size_t len, uint32_t seq, uint32_t portid);

#endif
