// SPDX-License-Identifier: MIT
/*
 * A sockscope-curses.so from "another build" (test_modules.py): its table
 * says the next ABI, so the loader must refuse it before calling anything
 * (every function pointer is NULL).
 */
#include "term_mod.h"

MODULE_EXPORT const struct term_mod sockscope_term_mod = {
    .head = {.abi = MODULE_ABI + 1,
	     .size = sizeof(struct term_mod),
	     .version = SOCKSCOPE_VERSION},
};
