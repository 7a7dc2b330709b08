// SPDX-License-Identifier: MIT
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Every command, in the order `sockscope --help` lists them. */
static const struct cmd_entry *const commands[] = {
	&cmd_list_entry,
	&cmd_kill_entry,
	&cmd_summary_entry,
	&cmd_advise_entry,
};

const struct cmd_entry *cmd_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(commands[i]->name, name)) {
			return commands[i];
		}
	}
	return NULL;
}

int cmd_finish_output(struct obuf *ob)
{
	int err = obuf_finish(ob);

	if (err && err != -EPIPE) {
		warnx_("stdout: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int cmd_load_file(const char *path, diag_row_fn fn, void *data)
{
	struct diag_load_err lerr = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0) {
		err = -errno;
		warnx_("--load %s: %s", path, strerror(-err));
		return err;
	}
	err = diag_load(fd, fn, data, &lerr);
	if (err == -EBADMSG || err == -EIO) {
		warnx_("--load %s: offset %llu: %s", path,
		       (unsigned long long)lerr.offset, lerr.what);
	}
	close(fd);
	return err;
}
