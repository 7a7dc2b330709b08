/*
 * acquire_internal.h - what acquire.c and acquire_req.c share, and nothing
 * else includes (other modules use acquire.h): acquire.c runs the dumps,
 * retries them and selects the rows; acquire_req.c builds the requests it
 * sends and acquire_plan()'s copies of them, so a prefetch asks the same.
 *
 * All are called per request, never per row: the row path (acquire_row(),
 * selects_kind()) stays in acquire.c.
 */
#ifndef SOCKSCOPE_ACQUIRE_INTERNAL_H
#define SOCKSCOPE_ACQUIRE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acquire.h"
#include "family.h"

/* A family's slot in a->fam_states (unit-family checks every af fits). */
static inline uint8_t fam_slot(const struct sock_family *f)
{
	return f->af < ACQUIRE_AF_MAX ? f->af : 0;
}

/* The filter compiled for one request of fam in family (AF_UNSPEC: the
 * IPv4 program), as the run stands: *bc NULL, *len 0 when the kernel gets
 * none. *exact: the kernel's program is the whole filter. *bc is the
 * caller's to free. */
void acquire_compile(const struct acquire *a, const struct sock_family *fam,
		     uint8_t family, void **bc, size_t *len, bool *exact);
/* Whether table t of fam gets a request for family (AF_UNSPEC: both IP
 * families in one walk, when t, the kernel and the filter allow it). */
bool acquire_want_family(const struct acquire *a, const struct sock_family *fam,
			 const struct family_table *t, uint8_t family);
/* Table t's request for family; no bytecode yet. */
struct diag_req acquire_table_req(const struct acquire *a,
				  const struct family_table *t, uint8_t family);
/* Family f's one request: all its tables, its states. */
struct diag_req acquire_family_req(const struct acquire *a,
				   const struct sock_family *f);
/* Whether the run reads family f: a table of it selected. */
bool acquire_selected(const struct acquire *a, const struct sock_family *f);

#endif
