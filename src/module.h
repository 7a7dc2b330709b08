/*
 * module.h - the parts of sockscope that need a heavy library, loaded on
 * first use: the terminal (ncurses, only for top), the BPF backend
 * (libbpf, only for watch --transitions) and live interface names (libnl,
 * only when a row shows a device). Each is a shared module whose one
 * exported symbol is a const table of functions opening with struct
 * module_head; a listing that needs none of them maps none of their
 * libraries, nor pays for their constructors at every start.
 *
 * A module is looked for in the directory of the running executable (the
 * build tree, a copied build), then in $SOCKSCOPE_MODULE_DIR when set and
 * otherwise in the install directory (SOCKSCOPE_MODULE_DIR_DEFAULT, set
 * by meson). A loaded module is never unloaded: the terminal's exit
 * handler, for one, lives in it.
 */
#ifndef SOCKSCOPE_MODULE_H
#define SOCKSCOPE_MODULE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Raise it when any module's table changes shape or meaning: a module from
 * another build is then refused instead of called. The version string is
 * checked too, so an installed module of another release never loads.
 */
#define MODULE_ABI 1

/* The table is a module's only exported symbol (meson builds them with
 * hidden visibility). */
#define MODULE_EXPORT __attribute__((visibility("default")))

/* Never changes, whatever MODULE_ABI: it is how any build reads any. */
struct module_head {
	uint32_t abi;	     /* MODULE_ABI when the module was built */
	uint32_t size;	     /* sizeof the whole table */
	const char *version; /* SOCKSCOPE_VERSION */
};

#define MODULE_HEAD(table_type)                                                \
	{                                                                      \
		.abi = MODULE_ABI, .size = sizeof(table_type),                 \
		.version = SOCKSCOPE_VERSION,                                  \
	}

/* A reason fits: dlerror() names the file and what failed in it. */
#define MODULE_ERRLEN 512

/*
 * Load file (e.g. "sockscope-curses.so") and return its table symbol,
 * whose head must say this build's ABI, version and size. NULL on failure,
 * with one line in err: "cannot load FILE: why" (not found, dlerror(), or
 * the mismatch). Prints nothing. Loading a loaded module again returns the
 * same table.
 */
const void *module_load(const char *file, const char *symbol, size_t size,
			char err[MODULE_ERRLEN]);

#endif
