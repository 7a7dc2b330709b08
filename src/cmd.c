// SPDX-License-Identifier: MIT
#include "cmd.h"

#include <string.h>

#include "util.h"

/* Every command, in the order `sockscope --help` lists them. */
static const struct cmd_entry *const commands[] = {
    &cmd_list_entry, &cmd_kill_entry,  &cmd_summary_entry, &cmd_advise_entry,
    &cmd_top_entry,  &cmd_watch_entry, &cmd_explain_entry, &cmd_diagram_entry,
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
	return obuf_finish_stdout(ob) ? EXIT_RUNTIME : EXIT_OK;
}
