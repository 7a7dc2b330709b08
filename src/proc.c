// SPDX-License-Identifier: MIT
/*
 * Why this is faster than ss's walk: ss rebuilds "/proc/PID/fd/N" and
 * resolves it from the root for every fd, and opens a stdio stream per
 * process. Here each directory is opened once relative to its parent,
 * entries come from getdents64 into a buffer reused for the whole walk,
 * each link is read with readlinkat() on the directory fd (one component
 * to look up), and only socket links are kept. The kernel's readlink work
 * dominates what is left, so the processes are split over a few threads
 * (contiguous ranges of the pid list, concatenated in order afterwards so
 * the result does not depend on scheduling), and the hash is built once
 * at its final size.
 */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define DENTS_BUF   (64 * 1024)
#define NAME_KEEP   PROC_NAME_MAX
#define NO_NEXT	    UINT32_MAX
#define MAX_THREADS 4
/* Below this many processes a thread costs more than it saves. */
#define PIDS_PER_THREAD 128

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
	size_t nown;
	struct slot *slots;
	size_t nslots; /* a power of two, at least twice nown */
	char *names;
	size_t names_len;
};

/* A growable array of owners and the names arena they point into. */
struct owners {
	struct owner *own;
	size_t nown, own_cap;
	char *names;
	size_t names_len, names_cap;
};

/* One thread's share of the walk: a contiguous range of the pid list. */
struct part {
	int proc_fd;
	const uint32_t *pids;
	size_t npids;
	char *dents; /* getdents64 buffer, reused for every process */
	struct owners out;
	int err; /* -EMFILE/-ENFILE: the walk could not open what it needed */
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

static struct slot *find_slot(struct slot *slots, size_t nslots, uint32_t inode)
{
	size_t i = slot_index(inode, nslots - 1);

	while (slots[i].inode && slots[i].inode != inode) {
		i = (i + 1) & (nslots - 1);
	}
	return &slots[i];
}

/* Chain own[idx] behind the earlier owners of its inode. */
static void index_owner(struct proc_map *m, uint32_t idx)
{
	struct slot *s = find_slot(m->slots, m->nslots, m->own[idx].inode);

	m->own[idx].next = NO_NEXT;
	if (!s->inode) {
		*s = (struct slot){
		    .inode = m->own[idx].inode, .head = idx, .tail = idx};
		return;
	}
	m->own[s->tail].next = idx;
	s->tail = idx;
}

static void add_owner(struct owners *o, uint32_t inode, uint32_t pid,
		      uint32_t fd, uint32_t name_off, uint32_t name_len)
{
	if (o->nown == o->own_cap) {
		o->own_cap = o->own_cap ? o->own_cap * 2 : 256;
		o->own = xrealloc(o->own, o->own_cap * sizeof(*o->own));
	}
	o->own[o->nown++] = (struct owner){
	    .inode = inode,
	    .pid = pid,
	    .fd = fd,
	    .name_off = name_off,
	    .name_len = name_len,
	};
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

/* Out of descriptors, the map would silently lack owners or names: unlike
 * an exited process or a forbidden directory, that must be reported. */
static void note_fd_shortage(struct part *pt)
{
	if (errno == EMFILE || errno == ENFILE) {
		pt->err = -errno;
	}
}

/* The process's name into the names arena; empty if it cannot be read. */
static void read_comm(struct part *pt, uint32_t pid, uint32_t *off,
		      uint32_t *len)
{
	struct owners *o = &pt->out;
	char path[32], buf[NAME_KEEP + 1];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%u/comm", pid);
	fd = openat(pt->proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, NAME_KEEP + 1);
		close(fd);
	} else {
		note_fd_shortage(pt);
	}
	if (n > 0 && buf[n - 1] == '\n') {
		n--;
	}
	n = n < 0 ? 0 : n > NAME_KEEP ? NAME_KEEP : n;
	*off = (uint32_t)o->names_len;
	*len = (uint32_t)n;
	/* Unreadable (the process exited, or no fd was left to read it):
	 * no name, and the arena may not even exist yet. */
	if (n == 0) {
		return;
	}
	while (o->names_len + (size_t)n > o->names_cap) {
		o->names_cap = o->names_cap ? o->names_cap * 2 : 4096;
		o->names = xrealloc(o->names, o->names_cap);
	}
	memcpy(o->names + o->names_len, buf, (size_t)n);
	o->names_len += (size_t)n;
}

/* Every socket fd of one process; any failure means "skip it". */
static void scan_process(struct part *pt, uint32_t pid)
{
	char path[32], link[64];
	uint32_t name_off = 0, name_len = 0;
	bool named = false;
	long n;
	int dfd;

	snprintf(path, sizeof(path), "%u/fd", pid);
	dfd = openat(pt->proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		note_fd_shortage(pt);
		return;
	}
	while ((n = getdents64(dfd, pt->dents, DENTS_BUF)) > 0) {
		for (long off = 0; off < n;) {
			const struct dirent64 *de = (void *)(pt->dents + off);
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
				read_comm(pt, pid, &name_off, &name_len);
				named = true;
			}
			add_owner(&pt->out, inode, pid, fd, name_off, name_len);
		}
	}
	close(dfd);
}

static void *scan_part(void *arg)
{
	struct part *pt = arg;

	pt->dents = xmalloc(DENTS_BUF);
	for (size_t i = 0; i < pt->npids; i++) {
		scan_process(pt, pt->pids[i]);
	}
	free(pt->dents);
	return NULL;
}

static int by_pid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The numeric entries of /proc, ascending (whatever the directory order). */
static uint32_t *list_pids(int proc_fd, size_t *n)
{
	char *buf = xmalloc(DENTS_BUF);
	uint32_t *pids = NULL;
	size_t cap = 0;
	long k;

	*n = 0;
	while ((k = getdents64(proc_fd, buf, DENTS_BUF)) > 0) {
		for (long off = 0; off < k;) {
			const struct dirent64 *de = (void *)(buf + off);
			uint32_t pid;

			off += de->d_reclen;
			if (!parse_u32(de->d_name, strlen(de->d_name), &pid)) {
				continue;
			}
			if (*n == cap) {
				cap = cap ? cap * 2 : 1024;
				pids = xrealloc(pids, cap * sizeof(*pids));
			}
			pids[(*n)++] = pid;
		}
	}
	free(buf);
	if (*n) {
		qsort(pids, *n, sizeof(*pids), by_pid);
	}
	return pids;
}

/* Run the parts, on threads where that pays; a failed start runs inline. */
static void run_parts(struct part *parts, size_t nparts)
{
	pthread_t tid[MAX_THREADS];
	bool started[MAX_THREADS] = {false};

	for (size_t i = 1; i < nparts; i++) {
		started[i] =
		    pthread_create(&tid[i], NULL, scan_part, &parts[i]) == 0;
	}
	scan_part(&parts[0]);
	for (size_t i = 1; i < nparts; i++) {
		if (started[i]) {
			pthread_join(tid[i], NULL);
		} else {
			scan_part(&parts[i]);
		}
	}
}

static size_t thread_count(size_t npids)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = npids / PIDS_PER_THREAD;

	if (cpus > 0 && n > (size_t)cpus) {
		n = (size_t)cpus;
	}
	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : n;
}

/* Concatenate the parts in pid order, then index every owner. */
static struct proc_map *merge(struct part *parts, size_t nparts)
{
	struct proc_map *m = xcalloc(1, sizeof(*m));
	size_t nown = 0, nnames = 0;

	for (size_t i = 0; i < nparts; i++) {
		nown += parts[i].out.nown;
		nnames += parts[i].out.names_len;
	}
	m->own = xmalloc((nown ? nown : 1) * sizeof(*m->own));
	m->names = xmalloc(nnames ? nnames : 1);
	for (size_t i = 0; i < nparts; i++) {
		const struct owners *o = &parts[i].out;

		for (size_t k = 0; k < o->nown; k++) {
			m->own[m->nown] = o->own[k];
			m->own[m->nown++].name_off += (uint32_t)m->names_len;
		}
		/* A part that found nothing has no names buffer at all. */
		if (o->names_len) {
			memcpy(m->names + m->names_len, o->names, o->names_len);
			m->names_len += o->names_len;
		}
		free(o->own);
		free(o->names);
	}
	m->nslots = 64;
	while (m->nslots < 2 * m->nown) {
		m->nslots *= 2;
	}
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	for (size_t i = 0; i < m->nown; i++) {
		index_owner(m, (uint32_t)i);
	}
	return m;
}

int proc_map_build(const char *root, struct proc_map **out)
{
	struct part parts[MAX_THREADS] = {0};
	char path[PATH_MAX];
	size_t npids, nparts;
	uint32_t *pids;
	int proc_fd, err = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/proc", root) >=
	    sizeof(path)) {
		return -ENAMETOOLONG;
	}
	proc_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc_fd < 0) {
		return -errno;
	}
	pids = list_pids(proc_fd, &npids);
	nparts = thread_count(npids);
	for (size_t i = 0; i < nparts; i++) {
		size_t lo = npids * i / nparts, hi = npids * (i + 1) / nparts;

		parts[i] = (struct part){
		    .proc_fd = proc_fd, .pids = pids + lo, .npids = hi - lo};
	}
	run_parts(parts, nparts);
	*out = merge(parts, nparts);
	for (size_t i = 0; i < nparts; i++) {
		err = err ? err : parts[i].err;
	}
	if (err) {
		proc_map_destroy(*out);
		*out = NULL;
	}
	free(pids);
	close(proc_fd);
	return err;
}

int proc_map_build_said(const char *root, struct proc_map **out,
			const char *who, const char *then)
{
	int err = proc_map_build(root, out);

	if (err) {
		char *r = escape_dup(root);

		warnx_("%s: cannot read /proc under %s: %s%s%s", who, r,
		       strerror(-err), then ? "; " : "", then ? then : "");
		free(r);
	}
	return err;
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

/*
 * The incremental map. A process's fd directory tells whether its fds
 * changed without being read: its size is the number of open fds (Linux
 * 6.2 and later; 0 before) and its times are those of the directory's
 * inode, made anew for a new process that reuses the pid.
 */
struct pid_rec {
	uint32_t pid;
	uint32_t first, n; /* its owners in the map's own[] */
	int64_t size;
	struct timespec mtime;
};

struct proc_cache {
	const char *root;
	struct proc_map *map; /* the owners, grouped by ascending pid */
	struct pid_rec *pids; /* ascending */
	size_t npids;
	unsigned long walked; /* fd directories read since create */
};

struct proc_cache *proc_cache_create(const char *root)
{
	struct proc_cache *c = xcalloc(1, sizeof(*c));

	c->root = root;
	c->map = merge(NULL, 0);
	return c;
}

void proc_cache_destroy(struct proc_cache *c)
{
	if (!c) {
		return;
	}
	proc_map_destroy(c->map);
	free(c->pids);
	free(c);
}

const struct proc_map *proc_cache_map(const struct proc_cache *c)
{
	return c->map;
}

unsigned long proc_cache_walks(const struct proc_cache *c)
{
	return c->walked;
}

/* The fd directory's size and time; 0s when it cannot be read. */
static void pid_sig(int proc_fd, uint32_t pid, struct pid_rec *r)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "%u/fd", pid);
	r->pid = pid;
	if (fstatat(proc_fd, path, &st, 0)) {
		r->size = -1; /* exited, or not ours to read: no walk */
		r->mtime = (struct timespec){0};
		return;
	}
	r->size = st.st_size;
	r->mtime = st.st_mtim;
}

static bool same_sig(const struct pid_rec *a, const struct pid_rec *b)
{
	return a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* Append the owners own[from .. from + n) of src, with their name (one
 * per process), to acc; returns where they start. */
static uint32_t copy_owners(struct owners *acc, const struct proc_map *src,
			    size_t from, size_t n)
{
	uint32_t start = (uint32_t)acc->nown, off = (uint32_t)acc->names_len;
	const struct owner *o = n ? &src->own[from] : NULL;

	if (!n) {
		return start;
	}
	while (o->name_len && acc->names_len + o->name_len > acc->names_cap) {
		acc->names_cap = acc->names_cap ? acc->names_cap * 2 : 4096;
		acc->names = xrealloc(acc->names, acc->names_cap);
	}
	if (o->name_len) {
		memcpy(acc->names + acc->names_len, src->names + o->name_off,
		       o->name_len);
		acc->names_len += o->name_len;
	}
	for (size_t i = 0; i < n; i++) {
		o = &src->own[from + i];
		add_owner(acc, o->inode, o->pid, o->fd, off, o->name_len);
	}
	return start;
}

/* Walk pids[0 .. n) (ascending) as proc_map_build() does. */
static int walk_pids(int proc_fd, const uint32_t *pids, size_t n,
		     struct proc_map **out)
{
	struct part parts[MAX_THREADS] = {0};
	size_t nparts = thread_count(n);
	int err = 0;

	for (size_t i = 0; i < nparts; i++) {
		size_t lo = n * i / nparts, hi = n * (i + 1) / nparts;

		parts[i] = (struct part){
		    .proc_fd = proc_fd, .pids = pids + lo, .npids = hi - lo};
	}
	run_parts(parts, nparts);
	*out = merge(parts, nparts);
	for (size_t i = 0; i < nparts; i++) {
		err = err ? err : parts[i].err;
	}
	return err;
}

/* Which processes to walk: new ones, changed ones, or (all) every one. */
static uint32_t *to_walk(const struct proc_cache *c, struct pid_rec *now,
			 size_t n, bool all, size_t *nwalk)
{
	uint32_t *walk = xmalloc((n ? n : 1) * sizeof(*walk));
	size_t k = 0;

	*nwalk = 0;
	for (size_t i = 0; i < n; i++) {
		while (k < c->npids && c->pids[k].pid < now[i].pid) {
			k++;
		}
		if (now[i].size < 0) {
			now[i].first = 0; /* a walk would not read it either */
			now[i].n = 0;
		} else if (all || k == c->npids ||
			   c->pids[k].pid != now[i].pid ||
			   !same_sig(&c->pids[k], &now[i])) {
			walk[(*nwalk)++] = now[i].pid;
			now[i].n = UINT32_MAX; /* marks "walked" */
		} else {
			now[i].first = c->pids[k].first;
			now[i].n = c->pids[k].n;
		}
	}
	return walk;
}

/* The new map: kept owners from the old one, the rest from the walk. */
static struct proc_map *assemble(const struct proc_cache *c,
				 struct pid_rec *now, size_t n,
				 const struct proc_map *walked)
{
	struct part whole = {0};
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		const struct proc_map *src = c->map;
		size_t from = now[i].first, cnt = now[i].n;

		if (now[i].n == UINT32_MAX) {
			src = walked;
			from = w;
			while (w < walked->nown &&
			       walked->own[w].pid == now[i].pid) {
				w++;
			}
			cnt = w - from;
		}
		now[i].first = copy_owners(&whole.out, src, from, cnt);
		now[i].n = (uint32_t)cnt;
	}
	return merge(&whole, 1);
}

int proc_cache_update(struct proc_cache *c, bool all)
{
	struct proc_map *walked = NULL, *next;
	struct pid_rec *now;
	uint32_t *pids, *walk;
	size_t n, nwalk;
	char path[PATH_MAX];
	int proc_fd, err;

	if ((size_t)snprintf(path, sizeof(path), "%s/proc", c->root) >=
	    sizeof(path)) {
		return -ENAMETOOLONG;
	}
	proc_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc_fd < 0) {
		return -errno;
	}
	pids = list_pids(proc_fd, &n);
	now = xcalloc(n ? n : 1, sizeof(*now));
	for (size_t i = 0; i < n; i++) {
		pid_sig(proc_fd, pids[i], &now[i]);
	}
	walk = to_walk(c, now, n, all, &nwalk);
	err = walk_pids(proc_fd, walk, nwalk, &walked);
	c->walked += nwalk;
	if (!err) {
		next = assemble(c, now, n, walked);
		proc_map_destroy(c->map);
		c->map = next;
		free(c->pids);
		c->pids = now;
		c->npids = n;
		now = NULL;
	}
	proc_map_destroy(walked);
	free(now);
	free(walk);
	free(pids);
	close(proc_fd);
	return err;
}
