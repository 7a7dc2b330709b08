// SPDX-License-Identifier: MIT
/*
 * The BPF backend (see watch_bpf.h), built as the module sockscope-bpf.so:
 * the skeleton bpftool generated from bpf/watch_tr.bpf.c carries the
 * object, so nothing is read from disk but the module.
 */
#include "watch_bpf_mod.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "watch_tr.skel.h"

struct watch_bpf_impl {
	struct watch_tr *skel;
	struct ring_buffer *rb;
	watch_bpf_fn fn;
	void *data;
};

/* libbpf's own messages would explain an EPERM at length: the caller
 * prints one line instead. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int on_record(void *ctx, void *rec, size_t len)
{
	struct watch_bpf_impl *w = ctx;

	w->fn(rec, len, w->data);
	return 0;
}

static int b_open(struct watch_bpf_impl **out, uint32_t netns_ino,
		  uint32_t ring_bytes, watch_bpf_fn fn, void *data)
{
	struct watch_bpf_impl *w = calloc(1, sizeof(*w));
	int err;

	*out = NULL;
	if (!w) {
		return -ENOMEM;
	}
	libbpf_set_print(quiet);
	w->fn = fn;
	w->data = data;
	w->skel = watch_tr__open();
	if (!w->skel) {
		err = -errno;
		goto err_free;
	}
	w->skel->rodata->netns_ino = netns_ino;
	if (ring_bytes) {
		err =
		    bpf_map__set_max_entries(w->skel->maps.events, ring_bytes);
		if (err) {
			goto err_skel;
		}
	}
	err = watch_tr__load(w->skel);
	if (!err) {
		err = watch_tr__attach(w->skel);
	}
	if (err) {
		goto err_skel;
	}
	w->rb = ring_buffer__new(bpf_map__fd(w->skel->maps.events), on_record,
				 w, NULL);
	if (!w->rb) {
		err = -errno;
		goto err_skel;
	}
	*out = w;
	return 0;
err_skel:
	watch_tr__destroy(w->skel);
err_free:
	free(w);
	return err < 0 ? err : -EINVAL;
}

static int b_fd(const struct watch_bpf_impl *w)
{
	return ring_buffer__epoll_fd(w->rb);
}

static int b_consume(struct watch_bpf_impl *w)
{
	int n = ring_buffer__consume(w->rb);

	return n < 0 ? n : 0;
}

static uint64_t b_lost(const struct watch_bpf_impl *w)
{
	uint32_t key = 0;
	uint64_t n = 0;

	if (bpf_map__lookup_elem(w->skel->maps.lost, &key, sizeof(key), &n,
				 sizeof(n), 0)) {
		return 0;
	}
	return n;
}

static void b_close(struct watch_bpf_impl *w)
{
	if (!w) {
		return;
	}
	ring_buffer__free(w->rb);
	watch_tr__destroy(w->skel);
	free(w);
}

MODULE_EXPORT const struct watch_bpf_mod sockscope_watch_bpf_mod = {
    .head = MODULE_HEAD(struct watch_bpf_mod),
    .open = b_open,
    .fd = b_fd,
    .consume = b_consume,
    .lost = b_lost,
    .close = b_close,
};
