// SPDX-License-Identifier: MIT
#include "cmd.h"

#include <string.h>

#include "util.h"

/* Every command, in the order `sockscope --help` lists them. */
static const struct cmd_entry *const commands[] = {
	&cmd_list_entry,
	&cmd_kill_entry,
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
