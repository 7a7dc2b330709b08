/*
 * top_netns.h - the namespaces of `sockscope top --all-netns`: every
 * namespace netns_discover() finds, each with a sock_diag socket opened in
 * it once (a socket stays in the namespace it was made in), so a refresh
 * dumps them all without entering any again, and a kill or an RTT lookup
 * goes to the socket of the row's own namespace.
 *
 * A row's struct top_row.ns is an index into this table; index 0 is the
 * first entry (the namespace top runs in), which is also what every row
 * holds without --all-netns (no table then). Labels are kept escaped,
 * ready to print.
 */
#ifndef SOCKSCOPE_TOP_NETNS_H
#define SOCKSCOPE_TOP_NETNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "netns_label.h"
#include "opts.h"

/* Namespaces past this are left out (said once): the row's index is 16 bits. */
#define TOP_NETNS_MAX 65535u

struct top_ns {
	uint64_t inode;
	pid_t pid; /* the process its label came from; 0 */
	enum netns_kind kind;
	char *label;	   /* escaped (owned) */
	struct diag *d;	   /* opened in it (owned): the refreshes' dumps */
	struct diag *d_ui; /* another (owned): kills, RTTs, from the UI
			    * thread while a refresh may be dumping on d */
};

struct top_nstab {
	struct top_ns *v; /* the namespaces entered, in netns_set_sort order */
	size_t n;
	unsigned int skipped;	 /* could not be entered (or read), said */
	char skipped_names[160]; /* their labels, escaped, ", "; cut "..." */
};

/*
 * Discover the namespaces under o->root and open a socket in each (one
 * setns() there and back). Each one that cannot be entered, or whose
 * socket cannot be opened, is named on stderr, counted in skipped and
 * named in skipped_names; one that vanished since discovery is left out.
 * Returns 0 or -errno (said: discovery failed). top_nstab_finish() either
 * way. Must be single-threaded (setns).
 */
int top_nstab_open(struct top_nstab *t, const struct opts *o);
void top_nstab_finish(struct top_nstab *t);

/* Row index ns's label ("?" out of range) and sockets (NULL: none):
 * top_nstab_diag() for the refreshes, top_nstab_diag_ui() for the rest. */
const char *top_nstab_label(const struct top_nstab *t, uint16_t ns);
struct diag *top_nstab_diag(const struct top_nstab *t, uint16_t ns);
struct diag *top_nstab_diag_ui(const struct top_nstab *t, uint16_t ns);

#endif
