// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "cmd.h"
#include "opts.h"

/*
 * A descriptor 0-2 closed by the caller (2>&-, >&-) would be the next
 * open(): the --save file would receive warnings, the netlink socket top's
 * snapshots. Point each closed one at /dev/null before anything opens.
 * Returns false if that cannot be done (no /dev/null): then say nothing,
 * as stderr may be the one closed.
 */
static bool std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) {
			continue;
		}
		/* The lowest free descriptor is fd: the ones below are open. */
		nfd = open("/dev/null", fd ? O_WRONLY : O_RDONLY);
		if (nfd != fd) {
			return false;
		}
	}
	return true;
}

int main(int argc, char **argv)
{
	struct opts o;
	int ret;

	if (!std_fds_open()) {
		return EXIT_RUNTIME;
	}
	/* A closed pipe must surface as EPIPE from write(), not kill us. */
	signal(SIGPIPE, SIG_IGN);
	ret = opts_parse(&o, argc, argv);
	if (ret == 0) {
		ret = o.cmd->exec(&o);
	} else if (ret < 0) {
		ret = EXIT_OK; /* --help or --version */
	}
	opts_finish(&o);
	return ret;
}
