// SPDX-License-Identifier: MIT
/*
 * The inode -> owners map over a fake /proc tree that the test builds in
 * a temporary directory, and the escaping of the names it yields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format_detail.h"
#include "opts.h"
#include "proc.h"
#include "util.h"

/* Enough processes for the walk to split them over threads. */
#define MANY 300

struct fake {
	char root[64];
	struct proc_map *m;
};

static void mkdirf(const char *root, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void linkf(const char *root, const char *target, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static void writef(const char *root, const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * 100 "nginx": fds 3, 4 sockets, 5 a file, 6 a malformed socket link;
 * 200 named with a terminal escape shares socket 1000 on fd 7;
 * 300 exited (no fd dir); 500 has no comm; 600 named to forge a second
 * owner in users:((...)) holds socket 3000; MANY processes from 1000 up
 * each hold socket 7000 on fd 9 and one of their own on fd 10;
 * "self" and "sys" are not processes.
 */
static int setup(void **state)
{
	struct fake *fk = xcalloc(1, sizeof(*fk));
	char rel[64], target[32];

	strcpy(fk->root, "/tmp/sockscope-proc-XXXXXX");
	assert_non_null(mkdtemp(fk->root));
	mkdirf(fk->root, "proc");
	mkdirf(fk->root, "proc/sys");
	linkf(fk->root, "100", "proc/self");
	mkdirf(fk->root, "proc/100");
	mkdirf(fk->root, "proc/100/fd");
	writef(fk->root, "proc/100/comm", "nginx\n");
	linkf(fk->root, "socket:[1000]", "proc/100/fd/3");
	linkf(fk->root, "socket:[1001]", "proc/100/fd/4");
	linkf(fk->root, "/dev/null", "proc/100/fd/5");
	linkf(fk->root, "socket:[12x]", "proc/100/fd/6");
	mkdirf(fk->root, "proc/200");
	mkdirf(fk->root, "proc/200/fd");
	writef(fk->root, "proc/200/comm", "\x1b[31mevil\n");
	linkf(fk->root, "socket:[1000]", "proc/200/fd/7");
	mkdirf(fk->root, "proc/300");
	writef(fk->root, "proc/300/comm", "gone\n");
	mkdirf(fk->root, "proc/500");
	mkdirf(fk->root, "proc/500/fd");
	linkf(fk->root, "socket:[2000]", "proc/500/fd/3");
	mkdirf(fk->root, "proc/600");
	mkdirf(fk->root, "proc/600/fd");
	writef(fk->root, "proc/600/comm", "sshd\",pid=1),(\"\\x\n");
	linkf(fk->root, "socket:[3000]", "proc/600/fd/5");
	for (int i = 0; i < MANY; i++) {
		snprintf(rel, sizeof(rel), "proc/%d", 1000 + i);
		mkdirf(fk->root, rel);
		snprintf(rel, sizeof(rel), "proc/%d/fd", 1000 + i);
		mkdirf(fk->root, rel);
		snprintf(rel, sizeof(rel), "proc/%d/comm", 1000 + i);
		writef(fk->root, rel, "many\n");
		snprintf(rel, sizeof(rel), "proc/%d/fd/9", 1000 + i);
		linkf(fk->root, "socket:[7000]", rel);
		snprintf(rel, sizeof(rel), "proc/%d/fd/10", 1000 + i);
		snprintf(target, sizeof(target), "socket:[%d]", 50000 + i);
		linkf(fk->root, target, rel);
	}
	assert_int_equal(proc_map_build(fk->root, &fk->m), 0);
	*state = fk;
	return 0;
}

static int teardown(void **state)
{
	struct fake *fk = *state;
	char cmd[128];

	proc_map_destroy(fk->m);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fk->root);
	assert_int_equal(system(cmd), 0);
	free(fk);
	return 0;
}

static void expect_owner(const struct proc_owner *ow, uint32_t pid, uint32_t fd,
			 const char *name)
{
	assert_int_equal(ow->pid, pid);
	assert_int_equal(ow->fd, fd);
	assert_int_equal(ow->name_len, strlen(name));
	assert_memory_equal(ow->name, name, ow->name_len);
}

static void test_shared_socket(void **state)
{
	struct fake *fk = *state;
	struct proc_owner ow;
	size_t cur = 0;

	assert_true(proc_map_next(fk->m, 1000, &cur, &ow));
	expect_owner(&ow, 100, 3, "nginx");
	assert_true(proc_map_next(fk->m, 1000, &cur, &ow));
	expect_owner(&ow, 200, 7, "\x1b[31mevil");
	assert_false(proc_map_next(fk->m, 1000, &cur, &ow));
}

static void test_skips(void **state)
{
	struct fake *fk = *state;
	struct proc_owner ow;
	size_t cur = 0;

	assert_true(proc_map_next(fk->m, 1001, &cur, &ow));
	expect_owner(&ow, 100, 4, "nginx");
	assert_false(proc_map_next(fk->m, 1001, &cur, &ow));
	/* No comm file: the owner stays, with an empty name. */
	cur = 0;
	assert_true(proc_map_next(fk->m, 2000, &cur, &ow));
	expect_owner(&ow, 500, 3, "");
	/* Files, malformed links, "self" and the unknown give nothing. */
	cur = 0;
	assert_false(proc_map_next(fk->m, 12, &cur, &ow));
	cur = 0;
	assert_false(proc_map_next(fk->m, 0, &cur, &ow));
	cur = 0;
	assert_false(proc_map_next(fk->m, 4242, &cur, &ow));
	assert_int_equal(proc_map_size(fk->m), 5 + 2 * MANY);
}

/*
 * Many processes: every entry is found, and a socket shared by all of
 * them lists its owners in pid order whichever thread walked which pids.
 */
static void test_many(void **state)
{
	struct fake *fk = *state;
	struct proc_owner ow;
	size_t cur = 0;

	for (uint32_t i = 0; i < MANY; i++) {
		cur = 0;
		assert_true(proc_map_next(fk->m, 50000 + i, &cur, &ow));
		expect_owner(&ow, 1000 + i, 10, "many");
		assert_false(proc_map_next(fk->m, 50000 + i, &cur, &ow));
	}
	cur = 0;
	for (uint32_t i = 0; i < MANY; i++) {
		assert_true(proc_map_next(fk->m, 7000, &cur, &ow));
		expect_owner(&ow, 1000 + i, 9, "many");
	}
	assert_false(proc_map_next(fk->m, 7000, &cur, &ow));
}

static void test_missing_root(void **unused)
{
	struct proc_map *m = NULL;

	(void)unused;
	assert_int_equal(proc_map_build("/nonexistent-sockscope", &m), -ENOENT);
	assert_null(m);
}

/* The written text, NUL-terminated, from a memory-only obuf. */
static const char *text_of(struct obuf *ob)
{
	obuf_putc(ob, '\0');
	assert_int_equal(ob->err, 0);
	return ob->buf;
}

static void test_escaped_text(void **state)
{
	struct fake *fk = *state;
	struct opts o = {.processes = true};
	struct fmt_ctx ctx = {.o = &o, .procs = fk->m};
	struct sock_rec rec = {.inode = 1000, .protocol = 6};
	struct obuf ob;

	obuf_init(&ob, -1, 64 * 1024);
	detail_text(&ob, &ctx, &rec);
	assert_string_equal(text_of(&ob), "users:((\"nginx\",pid=100,fd=3),"
					  "(\"\\x1b[31mevil\",pid=200,fd=7))");
	ob.len = 0;
	detail_json(&ob, &ctx, &rec);
	assert_string_equal(text_of(&ob),
			    ",\"process\":[{\"name\":\"nginx\",\"pid\":100,"
			    "\"fd\":3},{\"name\":\"\\u001b[31mevil\","
			    "\"pid\":200,\"fd\":7}]");
	/* A socket nobody holds: no text, an empty JSON array. */
	rec.inode = 4242;
	ob.len = 0;
	detail_text(&ob, &ctx, &rec);
	assert_string_equal(text_of(&ob), "");
	ob.len = 0;
	detail_json(&ob, &ctx, &rec);
	assert_string_equal(text_of(&ob), ",\"process\":[]");
	ob.len = 0;
	obuf_finish(&ob);
}

/* A name cannot close the quotes and pose as a second owner (ss 7.x
 * escaping: \" and \\); JSON decodes to the name itself. */
static void test_quoted_name(void **state)
{
	struct fake *fk = *state;
	struct opts o = {.processes = true};
	struct fmt_ctx ctx = {.o = &o, .procs = fk->m};
	struct sock_rec rec = {.inode = 3000, .protocol = 6};
	struct obuf ob;

	obuf_init(&ob, -1, 64 * 1024);
	detail_text(&ob, &ctx, &rec);
	assert_string_equal(text_of(&ob), "users:((\"sshd\\\",pid=1),"
					  "(\\\"\\\\x\",pid=600,fd=5))");
	ob.len = 0;
	detail_json(&ob, &ctx, &rec);
	assert_string_equal(text_of(&ob),
			    ",\"process\":[{\"name\":\"sshd\\\",pid=1),"
			    "(\\\"\\\\x\",\"pid\":600,\"fd\":5}]");
	obuf_finish(&ob);
}

/* Every owner of inode in a and in b, in the same order. */
static void same_owners(const struct proc_map *a, const struct proc_map *b,
			uint32_t inode)
{
	struct proc_owner x, y;
	size_t ca = 0, cb = 0;
	bool more;

	do {
		more = proc_map_next(a, inode, &ca, &x);
		assert_int_equal(more, proc_map_next(b, inode, &cb, &y));
		if (more) {
			assert_int_equal(x.pid, y.pid);
			assert_int_equal(x.fd, y.fd);
			assert_int_equal(x.name_len, y.name_len);
			assert_memory_equal(x.name, y.name, x.name_len);
		}
	} while (more);
}

static void same_as_build(const struct proc_map *m, const char *root)
{
	static const uint32_t inodes[] = {1000,	 1001,	2000, 3000, 7000,
					  50000, 50299, 1234, 4242};
	struct proc_map *full = NULL;

	assert_int_equal(proc_map_build(root, &full), 0);
	assert_int_equal(proc_map_size(m), proc_map_size(full));
	for (size_t i = 0; i < sizeof(inodes) / sizeof(inodes[0]); i++) {
		same_owners(m, full, inodes[i]);
	}
	proc_map_destroy(full);
}

/* Pin a fd directory's time, so that a change shows however fast the
 * test runs (the file system's clock may not tick in between). */
static void pin_time(const char *root, const char *rel)
{
	const struct timespec t[2] = {{.tv_sec = 1000}, {.tv_sec = 1000}};
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(utimensat(AT_FDCWD, p, t, 0), 0);
}

/*
 * The incremental map: a second update walks no process that did not
 * change; a new fd, a new process and a gone one are seen; the map is
 * the one a full build gives. Runs last: it changes the tree.
 */
static void test_cache_incremental(void **state)
{
	struct fake *fk = *state;
	struct proc_cache *c = proc_cache_create(fk->root);
	/* 100 200 500 600 and the many; 300 has no fd directory to read. */
	const unsigned long procs = 4 + MANY;
	struct proc_owner ow;
	char cmd[160];
	size_t cur = 0;

	pin_time(fk->root, "proc/100/fd");
	assert_int_equal(proc_cache_update(c, false), 0);
	assert_int_equal(proc_cache_walks(c), procs);
	same_as_build(proc_cache_map(c), fk->root);
	/* Nothing changed: nothing walked, the same owners. */
	assert_int_equal(proc_cache_update(c, false), 0);
	assert_int_equal(proc_cache_walks(c), procs);
	same_as_build(proc_cache_map(c), fk->root);
	/* A new socket fd: that process only. */
	linkf(fk->root, "socket:[1234]", "proc/100/fd/8");
	assert_int_equal(proc_cache_update(c, false), 0);
	assert_int_equal(proc_cache_walks(c), procs + 1);
	assert_true(proc_map_next(proc_cache_map(c), 1234, &cur, &ow));
	expect_owner(&ow, 100, 8, "nginx");
	same_as_build(proc_cache_map(c), fk->root);
	/* A process gone, a new one: the new one only. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/proc/200'", fk->root);
	assert_int_equal(system(cmd), 0);
	mkdirf(fk->root, "proc/777");
	mkdirf(fk->root, "proc/777/fd");
	writef(fk->root, "proc/777/comm", "new\n");
	linkf(fk->root, "socket:[4242]", "proc/777/fd/3");
	assert_int_equal(proc_cache_update(c, false), 0);
	assert_int_equal(proc_cache_walks(c), procs + 2);
	same_as_build(proc_cache_map(c), fk->root);
	cur = 0;
	assert_true(proc_map_next(proc_cache_map(c), 1000, &cur, &ow));
	expect_owner(&ow, 100, 3, "nginx");
	assert_false(proc_map_next(proc_cache_map(c), 1000, &cur, &ow));
	/* all: every process again. */
	assert_int_equal(proc_cache_update(c, true), 0);
	assert_int_equal(proc_cache_walks(c), 2 * procs + 2);
	same_as_build(proc_cache_map(c), fk->root);
	proc_cache_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shared_socket),
	    cmocka_unit_test(test_skips),
	    cmocka_unit_test(test_many),
	    cmocka_unit_test(test_missing_root),
	    cmocka_unit_test(test_escaped_text),
	    cmocka_unit_test(test_quoted_name),
	    cmocka_unit_test(test_cache_incremental),
	};

	/* One fake tree for the group: building it is the slow part. */
	return cmocka_run_group_tests(tests, setup, teardown);
}
