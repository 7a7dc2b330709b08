// SPDX-License-Identifier: MIT
#include "top_netns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"
#include "netns_find.h"
#include "util.h"

/* Adds an escaped label to the header's list, "..." once it is full. */
static void note_skip(struct top_nstab *t, const char *label)
{
	size_t len = strlen(t->skipped_names), room;

	t->skipped++;
	if (len >= sizeof(t->skipped_names) - 4) {
		return; /* already cut */
	}
	room = sizeof(t->skipped_names) - len;
	if ((size_t)snprintf(t->skipped_names + len, room, "%s%s",
			     len ? ", " : "", label) >= room) {
		memcpy(t->skipped_names + sizeof(t->skipped_names) - 4, "...",
		       4);
	}
}

static void skip(struct top_nstab *t, const struct netns_entry *e, int err)
{
	char *name = netns_label_escaped(e);

	warnx_("top --all-netns: skipped %s: %s", name,
	       err == -EINVAL ? "not a network namespace" : strerror(-err));
	note_skip(t, name);
	free(name);
}

static void add(struct top_nstab *t, const struct netns_entry *e,
		struct diag *d, struct diag *d_ui)
{
	struct top_ns *ns = &t->v[t->n++];

	*ns = (struct top_ns){
	    .inode = e->ino,
	    .pid = e->pid,
	    .kind = e->label.kind,
	    .label = netns_label_escaped(e),
	    .d = d,
	    .d_ui = d_ui,
	};
}

/* e entered (or current): its socket, or a skip. */
static void open_here(struct top_nstab *t, const struct netns_entry *e)
{
	struct diag *d, *d_ui = NULL;
	int err = diag_open(&d);

	if (!err) {
		err = diag_open(&d_ui);
		if (err) {
			diag_destroy(d);
		}
	}
	if (err) {
		skip(t, e, err);
	} else {
		add(t, e, d, d_ui);
	}
}

/* Every entry of s, entered from orig and back. 0 or -errno (could not
 * come back: nothing can go on in a foreign namespace). */
static int open_all(struct top_nstab *t, const struct netns_set *s, int orig)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct netns_entry *e = &s->v[i];
		bool here = e->label.kind == NETNS_KIND_CURRENT;
		int err;

		if (t->n == TOP_NETNS_MAX) {
			warnx_("top --all-netns: %zu namespaces; the first "
			       "%u are shown",
			       s->n, TOP_NETNS_MAX);
			note_skip(t, "more");
			return 0;
		}
		err = here ? 0 : netns_entry_enter(e);
		if (err < 0) {
			skip(t, e, err);
		} else if (err == 0) {
			open_here(t, e);
		}
		if (!here && err == 0 && netns_switch(orig)) {
			err = -errno;
			warnx_("top --all-netns: cannot return to the first "
			       "namespace: %s",
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

int top_nstab_open(struct top_nstab *t, const struct opts *o)
{
	struct netns_set s;
	char what[64];
	int orig, err = netns_discover(&s, o->root);

	memset(t, 0, sizeof(*t));
	if (err) {
		netns_discover_warn(o->root, err);
		return err;
	}
	netns_set_sort(&s);
	if (s.unreadable) {
		warnx_("top --all-netns: skipped the namespaces of %u "
		       "process%s (pid %d%s): %s",
		       s.unreadable, s.unreadable == 1 ? "" : "es",
		       (int)s.unreadable_pid,
		       s.unreadable == 1 ? "" : " and others",
		       strerror(-s.unreadable_err));
		snprintf(what, sizeof(what), "the namespaces of %u process%s",
			 s.unreadable, s.unreadable == 1 ? "" : "es");
		note_skip(t, what);
	}
	orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (orig < 0) {
		err = -errno;
		warnx_("top --all-netns: /proc/self/ns/net: %s",
		       strerror(-err));
	} else {
		t->v = xcalloc(s.n + 1, sizeof(*t->v));
		err = open_all(t, &s, orig);
		close(orig);
	}
	netns_set_finish(&s);
	return err;
}

void top_nstab_finish(struct top_nstab *t)
{
	for (size_t i = 0; i < t->n; i++) {
		diag_destroy(t->v[i].d);
		diag_destroy(t->v[i].d_ui);
		free(t->v[i].label);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const char *top_nstab_label(const struct top_nstab *t, uint16_t ns)
{
	return t && ns < t->n ? t->v[ns].label : "?";
}

struct diag *top_nstab_diag(const struct top_nstab *t, uint16_t ns)
{
	return t && ns < t->n ? t->v[ns].d : NULL;
}

struct diag *top_nstab_diag_ui(const struct top_nstab *t, uint16_t ns)
{
	return t && ns < t->n ? t->v[ns].d_ui : NULL;
}
