// SPDX-License-Identifier: MIT
/*
 * Plain-main driver for the fuzz targets: runs every regular file of the
 * corpus directories given on the command line through
 * LLVMFuzzerTestOneInput once, so the seed and regression inputs are a
 * normal test in every build (gcc, ASan/UBSan) without libFuzzer.
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
		uint8_t *data;
		size_t len;

		if (fstatat(dirfd(d), de->d_name, &st, 0) ||
		    !S_ISREG(st.st_mode)) {
			continue;
		}
		data = slurp(dirfd(d), de->d_name, &len);
		if (!data) {
			fprintf(stderr, "%s/%s: %s\n", dir, de->d_name,
				strerror(errno));
			closedir(d);
			return -1;
		}
		/* Named first, so a crash's output says which input it was. */
		fprintf(stderr, "running %s/%s (%zu bytes)\n", dir, de->d_name,
			len);
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		count++;
	}
	closedir(d);
	if (count == 0) {
		fprintf(stderr, "%s: no corpus inputs\n", dir);
		return -1;
	}
	return count;
}

int main(int argc, char **argv)
{
	long total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		long n = run_dir(argv[i]);

		if (n < 0) {
			return 1;
		}
		printf("%s: %ld inputs ran\n", argv[i], n);
		total += n;
	}
	printf("%ld inputs ran, none crashed\n", total);
	return 0;
}
