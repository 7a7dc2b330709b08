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

#include <linux/tcp.h>
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

/* idiag_timer code -> "off", "on", "keepalive", "timewait", "persist". */
const char *detail_timer_name(uint8_t timer);

/*
 * A duration as the timer text shows it: "340ms", "1.250sec", "42sec",
 * "3min7sec", "119min". Returns the length written (buf >= 24 bytes).
 */
size_t detail_duration(char *buf, uint32_t ms);

/*
 * The kernel's tcp_info (len bytes at src, any kernel version) as this
 * build's struct: min(len, sizeof) bytes copied, the rest zeroed.
 */
void detail_tcp_info(struct tcp_info *dst, const void *src, size_t len);

#endif
