/*
 * util-datadir: where the daemon keeps its state by default (the store, the spool), so that
 * vigil serve and the tool commands (vigil alerts, vigil status) agree without configuration.
 * The rule, first match wins:
 *   1. $VIGIL_DATA_DIR, when set and not empty;
 *   2. /var/lib/vigil, when running as root (effective uid 0);
 *   3. $XDG_DATA_HOME/vigil, when XDG_DATA_HOME is an absolute path;
 *   4. $HOME/.local/share/vigil.
 * Nothing is created: callers make the directory when they need it.
 */
#ifndef VIGIL_UTIL_DATADIR_H
#define VIGIL_UTIL_DATADIR_H

#include <stddef.h>

#include "util-error.h"

/* Writes the data directory into buf (cap bytes); VG_ERR_LIMIT if it does not fit,
 * VG_ERR_NOTFOUND if no rule applies (not root, no XDG_DATA_HOME, no HOME). */
vg_rc vg_data_dir(char *buf, size_t cap, vg_error *err);

/* Writes the path of the file name inside the data directory into buf. */
vg_rc vg_data_path(const char *name, char *buf, size_t cap, vg_error *err);

#endif
