/*
 * sigma-set: a set of Sigma rule files ready to run. It walks the files and directories it is
 * given (recursively, .yml and .yaml, in name order; symbolic links to directories are not
 * followed), loads every file with sigma-rule, keeps them, and adds every loaded rule to one
 * sigma-engine over a logsource mapping and the placeholders of the configuration.
 *
 * Entries of the engine follow the loaded rules in file and document order, so a caller can
 * walk files, documents and entries together (vg_sigma_set_entry_of).
 *
 * Placeholders file (YAML): a mapping from a placeholder name (without the % signs) to a value
 * or a list of values, e.g.  Administrators: ['admin*', 'root']
 */
#ifndef VIGIL_SIGMA_SET_H
#define VIGIL_SIGMA_SET_H

#include <stddef.h>
#include <stdint.h>

#include "sigma-corr.h"
#include "sigma-engine.h"
#include "sigma-logsource.h"
#include "sigma-rule.h"
#include "sigma-value.h"
#include "util-error.h"

#define VG_SIGMA_SET_MAX_FILES 100000u      /* limit: rule files in one set */
#define VG_SIGMA_SET_MAX_DEPTH 64u          /* limit: directory nesting below a path */
#define VG_SIGMA_PLACEHOLDERS_MAX (1u << 20) /* limit: bytes of a placeholders file */

typedef struct vg_sigma_set vg_sigma_set;

/* Creates an empty set: mapping_path NULL uses the built-in mapping; placeholders_path NULL
 * defines no placeholder. Errors name the file and line. */
vg_rc vg_sigma_set_new(vg_sigma_set **out, const char *mapping_path, const char *placeholders_path, vg_error *err);

/* Frees the set, its engine and its files. */
void vg_sigma_set_free(vg_sigma_set *s);

/* Adds a rule file or every rule file below a directory. A file or directory that cannot be
 * read is reported to on_error (with ctx) and skipped; only VG_ERR_NOMEM and VG_ERR_LIMIT stop. */
vg_rc vg_sigma_set_add(vg_sigma_set *s, const char *path, void (*on_error)(void *ctx, const char *msg), void *ctx,
                       vg_error *err);

/* Keeps the engine's compiled databases in dir (see vg_sigma_engine_set_cache); before building. */
void vg_sigma_set_cache(vg_sigma_set *s, const char *dir);

/* Builds the engine's prefilter once every file is added (vg_sigma_engine_build). */
vg_rc vg_sigma_set_build(vg_sigma_set *s, vg_error *err);

/* Resolves the correlation rules and filters once every file is added (sigma-corr; their
 * entries become active, not applicable or rejected): lim NULL takes the default memory
 * bound, max_value is the longest value matched. Call before vg_sigma_set_build. */
vg_rc vg_sigma_set_correlate(vg_sigma_set *s, const vg_sigma_corr_limits *lim, size_t max_value, vg_error *err);

/* The correlation state made by vg_sigma_set_correlate (NULL before). */
vg_sigma_corr *vg_sigma_set_corr(const vg_sigma_set *s);

/* The engine holding every loaded rule. */
const vg_sigma_engine *vg_sigma_set_engine(const vg_sigma_set *s);

/* The mapping the engine uses. */
const vg_sigma_mapping *vg_sigma_set_mapping(const vg_sigma_set *s);

/* Files loaded, and file i. */
size_t vg_sigma_set_nfiles(const vg_sigma_set *s);
const vg_sigma_file *vg_sigma_set_file(const vg_sigma_set *s, size_t i);

/* The engine entry of document d of file i (NULL for a document the loader rejected). */
const vg_sigma_entry *vg_sigma_set_entry_of(const vg_sigma_set *s, size_t file, uint32_t doc);

#endif
