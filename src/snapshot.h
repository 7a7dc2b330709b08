/*
 * snapshot.h - everything the advice rules look at, gathered in one struct:
 * sysctls, kernel version, sysctl.conf findings, /proc/net counters (one or
 * two samples), sockstat totals and a socket summary.
 *
 * snapshot_gather() reads all files under src->root (default "/"), calls
 * src->sockets to count sockets, and with interval_s > 0 sleeps and takes a
 * second sample so rules can reason about rates. Files that could not be
 * read are counted in snap->n_unreadable, the first few named in
 * snap->unreadable (one line for the user); the rules that need them skip.
 * snapshot_finish() frees what gather allocated. Tests may fill a struct
 * snapshot by hand instead.
 */
#ifndef SOCKSCOPE_SNAPSHOT_H
#define SOCKSCOPE_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "procnet.h"
#include "summary.h"
#include "sysctl.h"

struct opts;

/* Fill sum with the sockets to reason about. Returns 0 or -errno (and has
 * said why on stderr). */
typedef int (*snapshot_sockets_fn)(void *data, struct summary *sum);

struct snapshot_src {
	const char *root;  /* "/" unless --root */
	double interval_s; /* 0: one sample, counters absolute */
	snapshot_sockets_fn sockets;
	void *data;
	const struct owner_ops *owner; /* NULL without -p */
};

struct snapshot {
	char osrelease[64];
	struct kver kernel;
	bool have_kernel;
	struct sysctl_vals sys;
	uint32_t usable_ports; /* range minus reserved (0 may be the value) */
	bool have_ports;       /* ip_local_port_range was read */
	bool recycle_in_conf;
	struct conf_hit recycle_conf;
	struct conf_lines conf; /* folklore keys set in sysctl.d/sysctl.conf */
	struct counters c0, c1; /* c1 is the latest sample */
	double interval_s;	/* seconds between c0 and c1; 0: one */
	struct sockstat sockstat;
	bool have_sockstat;
	struct summary *sum;
	char unreadable[512]; /* "path: reason; ..." (the first few) */
	unsigned int n_unreadable;
};

/* Returns 0 or the socket source's -errno. */
int snapshot_gather(struct snapshot *snap, const struct snapshot_src *src);
void snapshot_finish(struct snapshot *snap);

/*
 * The second sample of snapshot_gather() for a caller that slept itself
 * (advise --all-netns: one sleep for every namespace): snap, gathered
 * with interval 0, is sampled again with its counters as the first and
 * its summary as the previous one; interval_s = elapsed_s. 0 or -errno.
 */
int snapshot_resample(struct snapshot *snap, const struct snapshot_src *src,
		      double elapsed_s);

/* A counter's latest value; false when it was not read. */
bool snapshot_counter(const struct snapshot *snap, enum ctr_id id, uint64_t *v);
/* A counter's rise between the samples and its rate per minute; false
 * with one sample or when the counter was not read in both. */
bool snapshot_rate(const struct snapshot *snap, enum ctr_id id, uint64_t *delta,
		   double *per_min);

/* The live socket source: inet_diag (or --load) with the options' protocol,
 * family and filter selection, every state unless the filter names some.
 * data is a struct snapshot_live: notes, the run's notices given once
 * (acquire.h), may be NULL. */
struct acquire_notes;
struct snapshot_live {
	const struct opts *o;
	struct acquire_notes *notes;
};
int snapshot_sockets_live(void *data, struct summary *sum);

/*
 * snapshot_gather() from the command line, in the -N namespace if one is
 * given: live sockets (or --load), the
 * filter, --root; interval_s as given; with -p each socket's first owning
 * process is looked up in one /proc walk. Says once on stderr which files
 * it could not read. notes: the run's (every sample and namespace shares
 * it: a missing diag module is said once), or NULL (its own samples share
 * one). Returns 0 or -errno (already reported).
 */
int snapshot_gather_opts(struct snapshot *snap, const struct opts *o,
			 double interval_s, struct acquire_notes *notes);

/* snapshot_resample() from the command line, in the namespace current
 * now (-p's owners looked up again). */
int snapshot_resample_opts(struct snapshot *snap, const struct opts *o,
			   double elapsed_s, struct acquire_notes *notes);

/* The sysctl.conf keys the folklore audit looks for; NULL-terminated. */
extern const char *const snapshot_conf_keys[];

/* The summary config for a sample (ephemeral range and TIME_WAIT reuse
 * from snap->sys). */
void snapshot_summary_cfg(const struct snapshot *snap, struct summary_cfg *cfg);

#endif
