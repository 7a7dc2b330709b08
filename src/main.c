// SPDX-License-Identifier: MIT
#include <signal.h>

#include "cmd.h"
#include "opts.h"

int main(int argc, char **argv)
{
	struct opts o;
	int ret;

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
