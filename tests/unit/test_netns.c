// SPDX-License-Identifier: MIT
/* Namespace names and specs; entering one is left to the integration test. */
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

#include "netns.h"

static void touch(const char *dir, const char *name)
{
	char p[128];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static void test_names_sorted(void **unused)
{
	char dir[] = "/tmp/sockscope-netns-XXXXXX";
	char cmd[64];
	char **names;
	size_t n;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	touch(dir, "web");
	touch(dir, "db");
	touch(dir, ".hidden");
	touch(dir, "cache");
	assert_int_equal(netns_names(dir, &names, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "cache");
	assert_string_equal(names[1], "db");
	assert_string_equal(names[2], "web");
	netns_names_free(names, n);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	/* No /run/netns at all is no namespaces, not an error. */
	assert_int_equal(netns_names(dir, &names, &n), 0);
	assert_int_equal(n, 0);
	assert_null(names);
}

static void test_specs(void **unused)
{
	int fd;

	(void)unused;
	assert_int_equal(netns_open(""), -EINVAL);
	assert_int_equal(netns_open("."), -EINVAL);
	assert_int_equal(netns_open(".."), -EINVAL);
	assert_int_equal(netns_open("/nonexistent/ns"), -ENOENT);
	/* A file that is no namespace is refused at open, without blocking:
	 * a device, and a FIFO nobody writes to (open() would wait). */
	assert_int_equal(netns_open("/dev/null"), -EINVAL);
	/* setns() itself still refuses it. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(netns_switch(fd), -EINVAL);
	close(fd);
	{
		char dir[] = "/tmp/sockscope-ns-XXXXXX", fifo[64];

		assert_non_null(mkdtemp(dir));
		snprintf(fifo, sizeof(fifo), "%s/trap", dir);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		assert_int_equal(netns_open(fifo), -EINVAL);
		unlink(fifo);
		rmdir(dir);
	}
}

/* The identity --all-netns dedupes by, read without a descriptor. */
static void test_stat(void **unused)
{
	struct stat a, b;
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	(void)unused;
	assert_int_equal(netns_stat("..", &a), -EINVAL);
	assert_int_equal(netns_stat("/nonexistent/ns", &a), -ENOENT);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(netns_stat("/proc/thread-self/ns/net", &b), 0);
	assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_sorted),
	    cmocka_unit_test(test_specs),
	    cmocka_unit_test(test_stat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
