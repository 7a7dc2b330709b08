/*
 * top_int.h - what top.c (the state, refreshes, tags) and top_keys.c (what
 * each key does) share, and no other module. UI thread, as struct top_ui.
 */
#ifndef SOCKSCOPE_TOP_INT_H
#define SOCKSCOPE_TOP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "top.h"

/* Tag (on) or untag the socket with cookie (top.c). */
void top_ui_tag_set(struct top_ui *ui, uint64_t cookie, bool on);

/* Whether any socket the y/n question names is in the latest snapshot
 * (top_keys.c). */
bool top_ui_confirm_present(struct top_ui *ui);
/* Withdraw the question, saying its sockets went away (top_keys.c). */
void top_ui_confirm_gone(struct top_ui *ui);

#endif
