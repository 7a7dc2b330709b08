// SPDX-License-Identifier: MIT
/*
 * Why this is faster than ss's walk: ss rebuilds "/proc/PID/fd/N" and
 * resolves it from the root for every fd, and opens a stdio stream per
 * process. Here each directory is opened once relative to its parent,
 * entries come from getdents64 into two buffers reused for the whole
 * walk, each link is read with readlinkat() on the directory fd (one
 * component to look up), and only socket links are kept.
 */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define DENTS_BUF (64 * 1024)
#define NAME_KEEP 64 /* comm is 15 bytes; kernel threads' names are longer */
#define NO_NEXT UINT32_MAX

struct owner {
	uint32_t inode;
	uint32_t pid;
	uint32_t fd;
	uint32_t name_off;
	uint32_t name_len;
	uint32_t next; /* next owner of the same inode, or NO_NEXT */
};

/* Open addressing; inode 0 (never a socket's) marks an empty slot. */
struct slot {
	uint32_t inode;
	uint32_t head;
	uint32_t tail;
};

struct proc_map {
	struct owner *own;
	size_t nown, own_cap;
	struct slot *slots;
	size_t nslots, used; /* nslots is a power of two */
	char *names;
	size_t names_len, names_cap;
};

/* Per walk: the directory entry buffers, allocated once. */
struct walk {
	struct proc_map *m;
	int proc_fd;
	char *top_buf;
	char *fd_buf;
};

static size_t slot_index(uint32_t inode, size_t mask)
{
	/* murmur3's finalizer: inode numbers are sequential, spread them. */
	inode ^= inode >> 16;
	inode *= 0x85ebca6bu;
	inode ^= inode >> 13;
	inode *= 0xc2b2ae35u;
	inode ^= inode >> 16;
	return inode & mask;
}

static struct slot *find_slot(struct slot *slots, size_t nslots,
			      uint32_t inode)
{
	size_t i = slot_index(inode, nslots - 1);

	while (slots[i].inode && slots[i].inode != inode) {
		i = (i + 1) & (nslots - 1);
	}
	return &slots[i];
}

static void grow_slots(struct proc_map *m)
{
	size_t n = m->nslots * 2;
	struct slot *s = xcalloc(n, sizeof(*s));

	for (size_t i = 0; i < m->nslots; i++) {
		if (m->slots[i].inode) {
			*find_slot(s, n, m->slots[i].inode) = m->slots[i];
		}
	}
	free(m->slots);
	m->slots = s;
	m->nslots = n;
}

static void add_owner(struct proc_map *m, uint32_t inode, uint32_t pid,
		      uint32_t fd, uint32_t name_off, uint32_t name_len)
{
	struct slot *s;
	uint32_t idx = (uint32_t)m->nown;

	if (m->nown == m->own_cap) {
		m->own_cap *= 2;
		m->own = xrealloc(m->own, m->own_cap * sizeof(*m->own));
	}
	m->own[m->nown++] = (struct owner){
		.inode = inode, .pid = pid, .fd = fd,
		.name_off = name_off, .name_len = name_len, .next = NO_NEXT,
	};
	if ((m->used + 1) * 2 > m->nslots) {
		grow_slots(m);
	}
	s = find_slot(m->slots, m->nslots, inode);
	if (!s->inode) {
		*s = (struct slot){ .inode = inode, .head = idx, .tail = idx };
		m->used++;
		return;
	}
	m->own[s->tail].next = idx;
	s->tail = idx;
}

/* Decimal without sign or leading junk, fitting in 32 bits. */
static bool parse_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX) {
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* "socket:[12345]" -> 12345. */
static bool socket_inode(const char *link, size_t n, uint32_t *inode)
{
	static const char pfx[] = "socket:[";
	const size_t plen = sizeof(pfx) - 1;

	if (n < plen + 2 || memcmp(link, pfx, plen) || link[n - 1] != ']') {
		return false;
	}
	return parse_u32(link + plen, n - plen - 1, inode) && *inode != 0;
}

/* The process's name into the names arena; empty if it cannot be read. */
static void read_comm(struct walk *w, const char *pid, uint32_t *off,
		      uint32_t *len)
{
	struct proc_map *m = w->m;
	char path[32], buf[NAME_KEEP + 1];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/comm", pid);
	fd = openat(w->proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, NAME_KEEP + 1);
		close(fd);
	}
	if (n > 0 && buf[n - 1] == '\n') {
		n--;
	}
	n = n < 0 ? 0 : n > NAME_KEEP ? NAME_KEEP : n;
	while (m->names_len + (size_t)n > m->names_cap) {
		m->names_cap *= 2;
		m->names = xrealloc(m->names, m->names_cap);
	}
	memcpy(m->names + m->names_len, buf, (size_t)n);
	*off = (uint32_t)m->names_len;
	*len = (uint32_t)n;
	m->names_len += (size_t)n;
}

/* Every socket fd of one process; any failure means "skip it". */
static void scan_process(struct walk *w, const char *pid_text, uint32_t pid)
{
	char path[32], link[64];
	uint32_t name_off = 0, name_len = 0;
	bool named = false;
	long n;
	int dfd;

	snprintf(path, sizeof(path), "%s/fd", pid_text);
	dfd = openat(w->proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		return;
	}
	while ((n = getdents64(dfd, w->fd_buf, DENTS_BUF)) > 0) {
		for (long off = 0; off < n;) {
			const struct dirent64 *de = (void *)(w->fd_buf + off);
			uint32_t fd, inode;
			ssize_t k;

			off += de->d_reclen;
			if (!parse_u32(de->d_name, strlen(de->d_name), &fd)) {
				continue;
			}
			k = readlinkat(dfd, de->d_name, link, sizeof(link));
			if (k <= 0 || !socket_inode(link, (size_t)k, &inode)) {
				continue;
			}
			if (!named) {
				read_comm(w, pid_text, &name_off, &name_len);
				named = true;
			}
			add_owner(w->m, inode, pid, fd, name_off, name_len);
		}
	}
	close(dfd);
}

static struct proc_map *map_create(void)
{
	struct proc_map *m = xcalloc(1, sizeof(*m));

	m->own_cap = 1024;
	m->own = xmalloc(m->own_cap * sizeof(*m->own));
	m->nslots = 1024;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	m->names_cap = 4096;
	m->names = xmalloc(m->names_cap);
	return m;
}

int proc_map_build(const char *root, struct proc_map **out)
{
	struct walk w = { 0 };
	char path[PATH_MAX];
	long n;

	if ((size_t)snprintf(path, sizeof(path), "%s/proc", root) >=
	    sizeof(path)) {
		return -ENAMETOOLONG;
	}
	w.proc_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.proc_fd < 0) {
		return -errno;
	}
	w.m = map_create();
	w.top_buf = xmalloc(DENTS_BUF);
	w.fd_buf = xmalloc(DENTS_BUF);
	while ((n = getdents64(w.proc_fd, w.top_buf, DENTS_BUF)) > 0) {
		for (long off = 0; off < n;) {
			const struct dirent64 *de = (void *)(w.top_buf + off);
			uint32_t pid;

			off += de->d_reclen;
			if (parse_u32(de->d_name, strlen(de->d_name), &pid)) {
				scan_process(&w, de->d_name, pid);
			}
		}
	}
	free(w.fd_buf);
	free(w.top_buf);
	close(w.proc_fd);
	*out = w.m;
	return 0;
}

void proc_map_destroy(struct proc_map *m)
{
	if (!m) {
		return;
	}
	free(m->own);
	free(m->slots);
	free(m->names);
	free(m);
}

bool proc_map_next(const struct proc_map *m, uint32_t inode, size_t *cursor,
		   struct proc_owner *out)
{
	const struct owner *o;
	uint32_t idx;

	if (*cursor == 0) {
		const struct slot *s;

		if (inode == 0) {
			return false;
		}
		s = find_slot(m->slots, m->nslots, inode);
		if (!s->inode) {
			return false;
		}
		idx = s->head;
	} else if (*cursor - 1 == NO_NEXT) {
		return false;
	} else {
		idx = (uint32_t)(*cursor - 1);
	}
	o = &m->own[idx];
	*out = (struct proc_owner){
		.pid = o->pid,
		.fd = o->fd,
		.name = m->names + o->name_off,
		.name_len = o->name_len,
	};
	*cursor = (size_t)o->next + 1;
	return true;
}

size_t proc_map_size(const struct proc_map *m)
{
	return m->nown;
}
