// SPDX-License-Identifier: MIT
/*
 * The rules applied once every option is read (opts_internal.h): the
 * combinations refused, the tables watch can show, and the selection that
 * follows from what was named; and each table's states (opts.h).
 */
#include "opts_internal.h"

#include "cmd.h"
#include "family.h"
#include "filter.h"
#include "opts.h"
#include "state.h"

/*
 * What was not named follows from what was, as ss's
 * filter_merge_defaults(): tables pick their families, and a family named
 * (-f, -4, -6) with none of its tables named adds its own (-t -f netlink
 * lists both). Nothing named is TCP and UDP, and -f inet adds those two
 * only (ss: every family, and -f inet also RAW and SCTP).
 */
void opts_default_selection(struct opts *o)
{
	uint32_t named = o->protocols;
	size_t n;
	const struct sock_family *const *fams = family_all(&n);

	if (!named && !o->families) {
		o->families = FAM_INET | FAM_INET6;
	}
	for (size_t i = 0; i < n; i++) {
		/* A family's own entry (inet's, not MPTCP's) has its
		 * defaults; its tables are every entry's of that family. */
		if (family_of(fams[i]->af) == fams[i] &&
		    (o->families & fams[i]->fam_bits) &&
		    !(named & family_tables(fams[i]->fam_bits))) {
			o->protocols |= fams[i]->proto_bits;
		}
	}
	o->protocols &= ~o->tables_off;
	for (size_t i = 0; i < n; i++) {
		if ((o->protocols & fams[i]->proto_bits) &&
		    !(o->families & fams[i]->fam_bits)) {
			o->families |= fams[i]->fam_bits;
		}
	}
}

/* watch shows the tables whose sockets' destruction the kernel announces
 * (the registry's destroy_events: TCP and UDP): the others by name. */
int opts_inet_only(const struct opts *o)
{
	size_t n;
	const struct sock_family *const *fams = family_all(&n);

	if (o->cmd != &cmd_watch_entry) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		/* -f inet names inet's tables, not MPTCP's, RAW's, SCTP's */
		bool own = family_of(fams[i]->af) == fams[i];

		if (!fams[i]->destroy_events &&
		    ((o->protocols & fams[i]->proto_bits) ||
		     (own && (o->families & fams[i]->fam_bits)))) {
			char upper[FAMILY_UPPER_MAX];

			return opts_usage_error(
			    "watch: the kernel reports no %s "
			    "socket closing (TCP and UDP only)",
			    family_upper(upper, fams[i]->name));
		}
	}
	return 0;
}

int opts_check_combinations(const struct opts *o)
{
	bool kill = o->cmd == &cmd_kill_entry;

	if (o->save_path && o->load_path) {
		return opts_usage_error("--save and --load exclude each other");
	}
	if (o->all_netns && o->cmd != &cmd_list_entry &&
	    o->cmd != &cmd_summary_entry && o->cmd != &cmd_advise_entry &&
	    o->cmd != &cmd_top_entry) {
		/* Not ignored in silence: run the command once per -N. */
		return opts_usage_error("--all-netns applies to list, summary, "
					"advise and top only; use -N NAME per "
					"namespace");
	}
	if (o->netns && o->all_netns) {
		return opts_usage_error(
		    "-N and --all-netns exclude each other");
	}
	if (o->netns && !o->netns[0]) {
		return opts_usage_error("-N needs a namespace name or path");
	}
	if ((o->netns || o->all_netns) && o->load_path) {
		return opts_usage_error(
		    "--load reads a file: no namespace applies");
	}
	if (o->processes && o->load_path) {
		return opts_usage_error("-p reads this host's processes now: "
					"not with --load");
	}
	if (o->all_netns && o->save_path) {
		return opts_usage_error(
		    "--save records one namespace, not --all-netns");
	}
	if (o->yes && !kill) {
		return opts_usage_error("--yes belongs to 'sockscope kill'");
	}
	if (o->force && !kill) {
		return opts_usage_error("--force belongs to 'sockscope kill'");
	}
	if ((o->watch_count || o->watch_duration_ms) &&
	    o->cmd != &cmd_watch_entry) {
		return opts_usage_error("--count and --duration belong to "
					"'sockscope watch'");
	}
	if (o->watch_transitions && o->cmd != &cmd_watch_entry) {
		return opts_usage_error(
		    "--transitions belongs to 'sockscope watch'");
	}
	if (o->cmd == &cmd_watch_entry && (o->save_path || o->load_path)) {
		return opts_usage_error(
		    "watch reads live events: no --save, --load");
	}
	if (kill && (o->all_netns || o->save_path || o->load_path)) {
		return opts_usage_error(
		    "kill works on live sockets of one namespace "
		    "(no --all-netns, --save, --load)");
	}
	return 0;
}

uint32_t opts_table_states(const struct opts *o, const struct family_table *t)
{
	uint32_t mask;

	if (filter_states(o->filter, &mask)) {
		return mask;
	}
	if (o->all) {
		return SS_ALL_BITS;
	}
	return o->listening ? t->listening : t->states;
}
