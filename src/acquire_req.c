// SPDX-License-Identifier: MIT
/*
 * The requests a run sends (acquire_internal.h): an inet_diag table's for
 * each IP family, or one walk for both when the filter compiles the same
 * for each; a family's one request; the filter compiled for the kernel as
 * the run stands (after any refusal). And acquire_plan() (acquire.h): the
 * same requests, ahead of the run, for the --all-netns prefetch.
 */
#include "acquire_internal.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "family.h"
#include "filter.h"
#include "util.h"

/* The kernel program for one request; AF_UNSPEC takes the IPv4 one,
 * which acquire_want_family() has checked is also the IPv6 one. A family whose
 * diag module runs no bytecode (no FPRED_KERNEL) gets none. */
void acquire_compile(const struct acquire *a, const struct sock_family *fam,
		     uint8_t family, void **bc, size_t *len, bool *exact)
{
	bool kernel = !a->kernel_refused && (fam->preds & FPRED_KERNEL);

	*bc = NULL;
	*len = 0;
	/* Refused once: the kernel gets no program, userspace filters. */
	*exact = kernel;
	if (kernel) {
		filter_bytecode(a->o->filter,
				family == AF_UNSPEC ? AF_INET : family,
				a->bc_without, bc, len, exact);
	}
}

/* A one-walk dump needs one program right for both families: a host of
 * one family compiles differently for the other. */
static bool same_program(const struct acquire *a, const struct sock_family *fam)
{
	void *bc4, *bc6;
	size_t len4, len6;
	bool exact4, exact6, same;

	acquire_compile(a, fam, AF_INET, &bc4, &len4, &exact4);
	acquire_compile(a, fam, AF_INET6, &bc6, &len6, &exact6);
	same = len4 == len6 && exact4 == exact6 &&
	       (!len4 || !memcmp(bc4, bc6, len4));
	free(bc4);
	free(bc6);
	return same;
}

/* Whether to send a request for this IP family (AF_UNSPEC: both in one
 * walk, which inet_diag has for a one_walk table only). */
bool acquire_want_family(const struct acquire *a, const struct sock_family *fam,
			 const struct family_table *t, uint8_t family)
{
	uint32_t want = a->o->families & (FAM_INET | FAM_INET6);

	switch (family) {
	case AF_UNSPEC:
		return t->one_walk && !a->no_unspec &&
		       want == (FAM_INET | FAM_INET6) && same_program(a, fam);
	case AF_INET:
		return want & FAM_INET;
	default:
		return want & FAM_INET6;
	}
}

/* One inet_diag table's request for family (the filter compiled). */
struct diag_req acquire_table_req(const struct acquire *a,
				  const struct family_table *t, uint8_t family)
{
	return (struct diag_req){
	    .family = family,
	    .protocol = (uint8_t)t->code,
	    .states = a->states[(uint8_t)t->code],
	    .ext = a->ext,
	    .lean = a->lean,
	};
}

/* The family's request: every table of it, all its states. */
struct diag_req acquire_family_req(const struct acquire *a,
				   const struct sock_family *f)
{
	return (struct diag_req){
	    .family = f->af,
	    .states = a->fam_states[fam_slot(f)],
	    .ext = a->ext,
	    .lean = a->lean,
	};
}

/* The first requests dump_table() sends for t; out has room for 2. */
static size_t plan_table(const struct acquire *a, const struct sock_family *fam,
			 const struct family_table *t, struct diag_req *out)
{
	static const uint8_t fams[] = {AF_UNSPEC, AF_INET, AF_INET6};
	size_t n = 0;

	for (size_t f = 0; f < ARRAY_SIZE(fams); f++) {
		void *bc;
		bool exact;

		if (!acquire_want_family(a, fam, t, fams[f])) {
			continue;
		}
		out[n] = acquire_table_req(a, t, fams[f]);
		acquire_compile(a, fam, fams[f], &bc, &out[n].bytecode_len,
				&exact);
		out[n++].bytecode = bc;
		if (fams[f] == AF_UNSPEC) {
			break; /* both families are done */
		}
	}
	return n;
}

/* Whether the run reads family f: a table of it selected. */
bool acquire_selected(const struct acquire *a, const struct sock_family *f)
{
	return a->protocols & f->proto_bits;
}

/*
 * The listed families' requests in dump_live()'s order: the inet_diag
 * tables first (a request each, kernel-filtered), then one per family.
 */
size_t acquire_plan(const struct acquire *a, struct diag_req **out)
{
	size_t nf;
	const struct sock_family *const *fams = family_all(&nf);
	struct diag_req *v;
	size_t n = 0;

	*out = NULL;
	/* Rows saved must come off a's own socket (diag_save_to). */
	if (a->o->load_path || a->save_fd >= 0) {
		return 0;
	}
	/* At most two requests per table. */
	v = xcalloc(2 * ACQUIRE_KINDS_MAX, sizeof(*v));
	for (size_t i = 0; i < nf; i++) {
		if (fams[i]->dump != FDUMP_TABLE ||
		    !acquire_selected(a, fams[i])) {
			continue;
		}
		for (const struct family_table *t = fams[i]->tables;
		     t && t->name && n + 2 <= 2 * ACQUIRE_KINDS_MAX; t++) {
			if (a->protocols & t->bit) {
				n += plan_table(a, fams[i], t, v + n);
			}
		}
	}
	for (size_t i = 0; i < nf && n < 2 * ACQUIRE_KINDS_MAX; i++) {
		if (fams[i]->dump == FDUMP_FAMILY &&
		    acquire_selected(a, fams[i])) {
			v[n++] = acquire_family_req(a, fams[i]);
		}
	}
	*out = v;
	return n;
}

void acquire_plan_free(struct diag_req *v, size_t n)
{
	for (size_t i = 0; i < n && v; i++) {
		free((void *)v[i].bytecode);
	}
	free(v);
}
