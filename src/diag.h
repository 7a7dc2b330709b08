/*
 * diag.h - socket acquisition over NETLINK_SOCK_DIAG (inet_diag), live or
 * from a saved dump.
 *
 * Call order: diag_open() once, optionally diag_save_to(), then any number
 * of diag_dump() calls reusing the one socket, then diag_destroy(). Records
 * handed to the row callback live in the receive buffer: they are valid only
 * during the callback.
 *
 * Saved dumps are the netlink replies exactly as received, each dump closed
 * by its NLMSG_DONE: the format `ss -D FILE` writes. The request's sequence
 * number carries the protocol (DIAG_SEQ_MAGIC | protocol << 8 | family) so
 * a loader can tell TCP from UDP; files without it (ss's) are TCP.
 */
#ifndef SOCKSCOPE_DIAG_H
#define SOCKSCOPE_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock.h"

#define DIAG_SEQ_MAGIC 0x53530000u

struct diag;

struct diag_req {
	uint8_t family;	  /* AF_INET, AF_INET6, AF_UNIX, or AF_UNSPEC
			   * (TCP only); the family's entry builds it */
	uint8_t protocol; /* IPPROTO_TCP, IPPROTO_UDP, ...; AF_UNIX: 0 */
	uint32_t states;  /* SS_BIT() mask */
	uint32_t ext;	  /* 1 << (INET_DIAG_x - 1) bits to request */
	/* The rows feed only the plain table and filters that read no uid:
	 * AF_UNIX then asks no owner uid and no queued-connection inodes. */
	bool lean;
	const void *bytecode; /* INET_DIAG_REQ_BYTECODE, or NULL */
	size_t bytecode_len;
};

/* Return 0 to go on; a negative value stops the dump and is returned. */
typedef int (*diag_row_fn)(const struct sock_rec *rec, void *data);

/* Returns 0 and *out, or -errno. */
int diag_open(struct diag **out);
void diag_destroy(struct diag *d);

/*
 * Append every reply received from now on to fd (not owned). A failed
 * write (ENOSPC) stops the saving, not the dump: rows keep coming and
 * diag_save_error() says why the file is incomplete.
 */
void diag_save_to(struct diag *d, int fd);
/* 0, or the -errno of the first failed write to the save fd. */
int diag_save_error(const struct diag *d);

/*
 * One dump, received on a second thread while fn runs on the caller's
 * (see diag_rx.h). AF_UNSPEC asks for both families in one walk of the
 * TCP hash (the old TCPDIAG_GETSOCK request); a kernel that lacks it
 * refuses it like any request. Returns 0; -errno for a socket failure
 * (-ENOBUFS: the receive queue overflowed, replies were
 * lost); the kernel's negative error when it refused the request (-ENOENT:
 * no diag module for that protocol, -EINVAL: bytecode rejected) or ended
 * the dump with one; -EBADMSG for a malformed reply; -EPROTO for a dump
 * that stopped without its end; or fn's value. After an error the next
 * call starts on a fresh socket if the old one still holds replies.
 */
int diag_dump(struct diag *d, const struct diag_req *req, diag_row_fn fn,
	      void *data);

/*
 * Send req now and receive its whole dump into memory, unparsed: the next
 * diag_dump() with an equal request (every field, the bytecode's bytes)
 * hands it on from there, exactly as it would have the live replies,
 * instead of asking the kernel. Lets a thread of its own wait for the
 * kernel's walk while the caller's thread handles another socket's rows
 * (netns_prefetch.h). Requests that diag_dump() never repeats are freed
 * with d. At most 1 MiB is kept: a longer dump is cut there, the rest
 * left queued on the socket for that diag_dump() to read on, and 1 is
 * returned, as after a receive error (kept, and replayed as it happened):
 * send nothing more ahead on d. Never opens a socket (that is done in the
 * namespace of the thread that calls). Returns 0 (all received), 1, or
 * -errno when the request could not be sent (nothing is kept). d must not
 * be used by two threads at once.
 */
int diag_prefetch(struct diag *d, const struct diag_req *req);

/*
 * True if the last diag_dump() was flagged NLM_F_DUMP_INTR: the sockets
 * changed while the kernel walked them, so some may be missing or repeated.
 */
bool diag_interrupted(const struct diag *d);

/*
 * The socket rec names, as the kernel sees it now: one exact request by
 * family, protocol, addresses, ports, interface and cookie (no dump). Call
 * it between dumps. Returns 0 with *out filled (ext blocks cleared: no
 * pointer into the receive buffer survives); -ENOENT when no socket holds
 * the tuple any more; -ESTALE when another socket (another cookie) holds
 * it; or another -errno.
 */
int diag_get(struct diag *d, const struct sock_rec *rec, struct sock_rec *out);

/*
 * diag_get() asking for the ext blocks (1 << (INET_DIAG_x - 1) bits, as
 * struct diag_req's) too: out's ext points into d's receive buffer, valid
 * until the next call on d. top asks for the tcp_info of the rows on
 * screen this way instead of for every socket's in the dump.
 */
int diag_get_ext(struct diag *d, const struct sock_rec *rec, uint32_t ext,
		 struct sock_rec *out);

/*
 * Close one socket with SOCK_DESTROY, naming it exactly as a dump reported
 * it (family, protocol, addresses, ports, interface, cookie: a socket that
 * reused the 4-tuple since has another cookie and is left alone). Call it
 * between dumps, not from a row callback. Returns 0 or the kernel's error:
 * -ENOENT (gone meanwhile), -ESTALE (tuple reused), -EPERM (no
 * CAP_NET_ADMIN), -EOPNOTSUPP (kernel without CONFIG_INET_DIAG_DESTROY).
 */
int diag_kill(struct diag *d, const struct sock_rec *rec);

/* Where and why a saved dump could not be read. */
struct diag_load_err {
	uint64_t offset;
	char what[96];
};

/*
 * Replay a saved dump from fd. Returns 0; fn's negative value; -EIO with
 * err filled for a read error; -EBADMSG with err filled for a truncated or
 * corrupt file (offset of the bad message).
 */
int diag_load(int fd, diag_row_fn fn, void *data, struct diag_load_err *err);

/*
 * As diag_load(), handing each NLMSG_NOOP message (netlink's "ignore me";
 * sockscope saves the interface names in them, see ifname.h) to note,
 * which returns 0 or a negative value that stops the load and is returned.
 * diag_load() skips them.
 */
struct nlmsghdr;
typedef int (*diag_note_fn)(const struct nlmsghdr *nlh, void *data);
int diag_load_notes(int fd, diag_row_fn fn, diag_note_fn note, void *data,
		    struct diag_load_err *err);

#endif
