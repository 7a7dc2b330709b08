// SPDX-License-Identifier: MIT
/* watch_bpf.h when built without -Dbpf: the backend is absent. */
#include "watch_bpf.h"

#include <errno.h>

int watch_bpf_open(struct watch_bpf **out, uint32_t netns_ino,
		   uint32_t ring_bytes, watch_bpf_fn fn, void *data)
{
	(void)netns_ino;
	(void)ring_bytes;
	(void)fn;
	(void)data;
	*out = NULL;
	return -EOPNOTSUPP;
}

int watch_bpf_fd(const struct watch_bpf *w)
{
	(void)w;
	return -1;
}

int watch_bpf_consume(struct watch_bpf *w)
{
	(void)w;
	return -EOPNOTSUPP;
}

uint64_t watch_bpf_lost(const struct watch_bpf *w)
{
	(void)w;
	return 0;
}

void watch_bpf_close(struct watch_bpf *w)
{
	(void)w;
}
