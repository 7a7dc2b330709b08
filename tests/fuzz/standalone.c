// SPDX-License-Identifier: MIT
/*
 * Plain-main driver for the fuzz targets: runs every regular file of the
 * corpus directories given on the command line (or a file given itself, to
 * reproduce a crash without clang) through LLVMFuzzerTestOneInput once, so the
 * seed and regression inputs are a normal test in every build (gcc, ASan/UBSan)
 * without libFuzzer.
 *
 * A crash or a FUZZ_ASSERT aborts the process: the test fails. A missing
 * or empty directory fails too, so a test that ran nothing cannot pass.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* The whole file; NULL (errno set) on failure. */
static uint8_t *slurp(int dfd, const char *name, size_t *len)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	uint8_t *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	*len = 0;
	if (fd < 0) {
		return NULL;
	}
	do {
		if (*len == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (!buf) {
				abort();
			}
		}
		n = read(fd, buf + *len, cap - *len);
		if (n > 0) {
			*len += (size_t)n;
		}
	} while (n > 0 || (n < 0 && errno == EINTR));
	if (n < 0) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	return buf;
}

/* One input file through the target; false (message printed) if unreadable. */
static bool run_file(int dfd, const char *dir, const char *name)
{
	size_t len;
	uint8_t *data = slurp(dfd, name, &len);

	if (!data) {
		fprintf(stderr, "%s/%s: %s\n", dir, name, strerror(errno));
		return false;
	}
	/* Named first, so a crash's output says which input it was. */
	fprintf(stderr, "running %s/%s (%zu bytes)\n", dir, name, len);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return true;
}

/* Inputs run from one directory, or -1 (message printed). */
static long run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long count = 0;

	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (fstatat(dirfd(d), de->d_name, &st, 0) ||
		    !S_ISREG(st.st_mode)) {
			continue;
		}
		if (!run_file(dirfd(d), dir, de->d_name)) {
			closedir(d);
			return -1;
		}
		count++;
	}
	closedir(d);
	if (count == 0) {
		fprintf(stderr, "%s: no corpus inputs\n", dir);
		return -1;
	}
	return count;
}

/* A directory's files, or one file (a crash to reproduce): count or -1. */
static long run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		return run_file(AT_FDCWD, ".", path) ? 1 : -1;
	}
	return run_dir(path);
}

int main(int argc, char **argv)
{
	long total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		long n = run_path(argv[i]);

		if (n < 0) {
			return 1;
		}
		printf("%s: %ld inputs ran\n", argv[i], n);
		total += n;
	}
	printf("%ld inputs ran, none crashed\n", total);
	return 0;
}
