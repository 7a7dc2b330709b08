/*
 * watch_bpf_mod.h - the table of sockscope-bpf.so, the module that holds
 * the BPF backend (watch_bpf_libbpf.c, with the skeleton of
 * bpf/watch_tr.bpf.c): only watch --transitions links libbpf. watch_bpf.c
 * loads it in watch_bpf_open(); each call is watch_bpf.h's, on the
 * module's own object.
 */
#ifndef SOCKSCOPE_WATCH_BPF_MOD_H
#define SOCKSCOPE_WATCH_BPF_MOD_H

#include "module.h"
#include "watch_bpf.h"

#define WATCH_BPF_MOD_FILE   "sockscope-bpf.so"
#define WATCH_BPF_MOD_SYMBOL "sockscope_watch_bpf_mod"

struct watch_bpf_impl;

struct watch_bpf_mod {
	struct module_head head;
	int (*open)(struct watch_bpf_impl **out, uint32_t netns_ino,
		    uint32_t ring_bytes, watch_bpf_fn fn, void *data);
	int (*fd)(const struct watch_bpf_impl *w);
	int (*consume)(struct watch_bpf_impl *w);
	uint64_t (*lost)(const struct watch_bpf_impl *w);
	void (*close)(struct watch_bpf_impl *w);
};

extern const struct watch_bpf_mod sockscope_watch_bpf_mod;

#endif
