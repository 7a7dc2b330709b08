// SPDX-License-Identifier: MIT
/*
 * watch_bpf.h's calls, forwarded to sockscope-bpf.so (watch_bpf_libbpf.c),
 * which watch_bpf_open() loads: only watch --transitions maps libbpf.
 */
#include "watch_bpf.h"

#include <errno.h>
#include <stdlib.h>

#include "util.h"
#include "watch_bpf_mod.h"

struct watch_bpf {
	const struct watch_bpf_mod *mod;
	struct watch_bpf_impl *impl;
};

int watch_bpf_open(struct watch_bpf **out, uint32_t netns_ino,
		   uint32_t ring_bytes, watch_bpf_fn fn, void *data)
{
	char why[MODULE_ERRLEN];
	const struct watch_bpf_mod *mod = module_load(
	    WATCH_BPF_MOD_FILE, WATCH_BPF_MOD_SYMBOL, sizeof(*mod), why);
	struct watch_bpf *w;
	int err;

	*out = NULL;
	if (!mod) {
		warnx_("watch: %s", why);
		return -ELIBACC;
	}
	w = xcalloc(1, sizeof(*w));
	w->mod = mod;
	err = mod->open(&w->impl, netns_ino, ring_bytes, fn, data);
	if (err) {
		free(w);
		return err;
	}
	*out = w;
	return 0;
}

int watch_bpf_fd(const struct watch_bpf *w)
{
	return w->mod->fd(w->impl);
}

int watch_bpf_consume(struct watch_bpf *w)
{
	return w->mod->consume(w->impl);
}

uint64_t watch_bpf_lost(const struct watch_bpf *w)
{
	return w->mod->lost(w->impl);
}

void watch_bpf_close(struct watch_bpf *w)
{
	if (!w) {
		return;
	}
	w->mod->close(w->impl);
	free(w);
}
