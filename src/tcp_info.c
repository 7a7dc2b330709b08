// SPDX-License-Identifier: MIT
#include "tcp_info.h"

#include <string.h>

/* The layout must match the kernel's byte for byte (include/uapi/linux/
 * tcp.h): the fields 6.x added sit where the kernel puts them. */
_Static_assert(offsetof(struct sk_tcp_info, tcpi_rto) == 8, "tcp_info head");
_Static_assert(offsetof(struct sk_tcp_info, tcpi_pacing_rate) == 104,
	       "tcp_info 3.15");
_Static_assert(offsetof(struct sk_tcp_info, tcpi_rcv_wnd) == 232,
	       "tcp_info 6.2");
_Static_assert(offsetof(struct sk_tcp_info, tcpi_total_rto) == 240,
	       "tcp_info 6.7");
_Static_assert(offsetof(struct sk_tcp_info, tcpi_received_ce) == 248,
	       "tcp_info 6.18");
_Static_assert(sizeof(struct sk_tcp_info) == 280, "tcp_info size");

size_t tcp_info_decode(struct sk_tcp_info *dst, const void *src, size_t len)
{
	size_t n = len < sizeof(*dst) ? len : sizeof(*dst);

	memset(dst, 0, sizeof(*dst));
	if (!src) {
		return 0;
	}
	memcpy(dst, src, n);
	return n;
}
