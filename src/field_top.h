/*
 * field_top.h - top's getters of the field registry (field.c's entries
 * point at them): the cells, numbers and orders of struct top_ref.
 * Internal to field.c; top reaches them through field.h.
 */
#ifndef SOCKSCOPE_FIELD_TOP_H
#define SOCKSCOPE_FIELD_TOP_H

#include "field.h"

uint64_t ftop_netid_num(const struct top_ref *it);
void ftop_netid_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_group g);
uint64_t ftop_state_num(const struct top_ref *it);
void ftop_state_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_group g);
int ftop_local_cmp(const struct top_ref *a, const struct top_ref *b,
		   enum top_group g);
int ftop_peer_cmp(const struct top_ref *a, const struct top_ref *b,
		  enum top_group g);
void ftop_local_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_group g);
void ftop_peer_cell(struct obuf *lb, const struct top_env *env,
		    const struct top_ref *it, enum top_group g);
uint64_t ftop_recvq_num(const struct top_ref *it);
uint64_t ftop_sendq_num(const struct top_ref *it);
uint64_t ftop_timer_num(const struct top_ref *it);
void ftop_timer_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_group g);
uint64_t ftop_retrans_num(const struct top_ref *it);
uint64_t ftop_rtt_num(const struct top_ref *it);
void ftop_rtt_cell(struct obuf *lb, const struct top_env *env,
		   const struct top_ref *it, enum top_group g);
int ftop_process_cmp(const struct top_ref *a, const struct top_ref *b,
		     enum top_group g);
void ftop_process_cell(struct obuf *lb, const struct top_env *env,
		       const struct top_ref *it, enum top_group g);
uint64_t ftop_uid_num(const struct top_ref *it);
uint64_t ftop_inode_num(const struct top_ref *it);
uint64_t ftop_netns_num(const struct top_ref *it);
void ftop_netns_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_group g);
int ftop_group_cmp(const struct top_ref *a, const struct top_ref *b,
		   enum top_group g);
void ftop_group_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_group g);
uint64_t ftop_count_num(const struct top_ref *it);

#endif
