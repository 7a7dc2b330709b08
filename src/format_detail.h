/*
 * format_detail.h - the per-socket detail blocks that -p, -o, -e, -m and
 * -i add, as ss-style text (after the table columns) and as JSON members.
 *
 * Both writers read only the record, the options and the lookup tables in
 * the fmt_ctx (process map, cgroup paths); they never allocate or do I/O.
 * Everything a process controls is escaped.
 */
#ifndef SOCKSCOPE_FORMAT_DETAIL_H
#define SOCKSCOPE_FORMAT_DETAIL_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

/* True when the options ask for any detail text or member. */
bool detail_wanted(const struct opts *o);

/*
 * The INET_DIAG_* extension bits (1 << (INET_DIAG_x - 1)) the options
 * need; 0 when none (timers, -e and -p come with every record).
 */
uint32_t detail_diag_ext(const struct opts *o);

/*
 * Text after the table columns: users:(...) timer:(...) uid:... skmem:(...)
 * and the tcp_info line, each only when asked, separated by spaces.
 * With a memory-only obuf (fd < 0) a huge owner list is cut short so the
 * text fits the buffer.
 */
void detail_text(struct obuf *ob, const struct fmt_ctx *ctx,
		 const struct sock_rec *rec);

/* JSON members (",\"process\":[...]", ...), each only when asked. */
void detail_json(struct obuf *ob, const struct fmt_ctx *ctx,
		 const struct sock_rec *rec);

/*
 * A namespace as JSON: {"inode", "label", "kind", "pid" (null: none
 * known)} and "runtime", "container", "pod", "unit" where the label came
 * from one (netns_label.h); null for NULL. The value only, no key.
 */
struct netns_entry;
void detail_json_netns(struct obuf *ob, const struct netns_entry *e);

/* idiag_timer code -> "off", "on", "keepalive", "timewait", "persist". */
const char *detail_timer_name(uint8_t timer);

/*
 * A duration as the timer text shows it: "340ms", "1.250sec", "42sec",
 * "3min7sec", "119min". Returns the length written (buf >= 24 bytes).
 */
size_t detail_duration(char *buf, uint32_t ms);

/*
 * A rate in bits per second as ss prints it: "1.25Tbps", "35.3Gbps",
 * "887Mbps", "12.5kbps", "800bps"; with numeric (-n) the raw "1250000bps".
 * Returns the length written (buf >= 48 bytes).
 */
size_t detail_rate(char *buf, double bps, bool numeric);

/*
 * The -i block (format_tcp_info.c): text in ss 7.x's order, each item
 * followed by a space (option flags only with -o, as ss); JSON member
 * ",\"tcp_info\":{...}". Both read the record's INET_DIAG_INFO by its
 * length (tcp_info.h): a field the kernel did not send, or holding a
 * "no value" sentinel, is left out. Nothing for non-TCP records.
 */
void detail_tcp_text(struct obuf *ob, const struct opts *o,
		     const struct sock_rec *rec);
void detail_tcp_json(struct obuf *ob, const struct sock_rec *rec);

#endif
