/*
 * advice_rules.h - private to the rule files (advice_rules.c, the
 * TIME_WAIT family in advice_rules_tw.c): shared source links, thresholds
 * and the rule entries that advice_rules[] registers.
 */
#ifndef SOCKSCOPE_ADVICE_RULES_H
#define SOCKSCOPE_ADVICE_RULES_H

#include "advice.h"

#define SRC_IP_SYSCTL  "https://docs.kernel.org/networking/ip-sysctl.html"
#define SRC_NET_SYSCTL "https://docs.kernel.org/admin-guide/sysctl/net.html"
#define SRC_BERNAT                                                             \
	"https://vincent.bernat.ch/en/blog/2014-tcp-time-wait-state-linux"
#define SRC_TCP7    "https://man7.org/linux/man-pages/man7/tcp.7.html"
#define SRC_SOCKET7 "https://man7.org/linux/man-pages/man7/socket.7.html"
#define SRC_LISTEN2 "https://man7.org/linux/man-pages/man2/listen.2.html"
#define SRC_RFC9293 "https://www.rfc-editor.org/rfc/rfc9293#section-3.3.2"

/* "Many" TIME_WAIT for the rules that only matter at scale. */
#define TW_MANY 1000
/* netdata's per-minute alarm levels for TCP counters. */
#define RATE_WARN 1.0
#define RATE_CRIT 5.0
/* "addr:port" with IPv6 brackets. */
#define ENDPOINT_BUF SUMMARY_ENDPOINT_LEN

extern const struct advice_rule rule_tuple_pressure;
extern const struct advice_rule rule_tw_harmless;
extern const struct advice_rule rule_tw_buckets;
extern const struct advice_rule rule_tw_recycle;
extern const struct advice_rule rule_tw_reuse_noop;
extern const struct advice_rule rule_fin_timeout_myth;
extern const struct advice_rule rule_sysctl_folklore;
extern const struct advice_rule rule_accept_overflow;
extern const struct advice_rule rule_somaxconn_low;
extern const struct advice_rule rule_syn_queue;
extern const struct advice_rule rule_syn_sent_pile;

#endif
