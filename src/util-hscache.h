/*
 * util-hscache: Hyperscan databases compiled once and kept in a cache directory, so a restart
 * with unchanged rules does not compile them again. The cache is content-addressed: a
 * database's file is named by the SHA-256 of everything that decides it (the Hyperscan version,
 * the mode, and each pattern's expression, flags and id), so a changed rule simply asks for
 * another file and a stale file is never used. Each file ends with the SHA-256 of the serialized
 * database, checked before Hyperscan reads it; a damaged or unreadable file is compiled again
 * and rewritten (written to a temporary name, then renamed).
 */
#ifndef VIGIL_UTIL_HSCACHE_H
#define VIGIL_UTIL_HSCACHE_H

#include <hs.h>

/* Counts of one process's cache use. */
typedef struct vg_hscache_stats {
    unsigned hits;          /* databases read from the cache or copied from the memo */
    unsigned compiled;      /* databases compiled (and written when the directory allows) */
    unsigned write_errors;  /* databases that could not be written */
} vg_hscache_stats;

/* The databases of one build, kept in memory by their key: a set of patterns asked for again
 * in the same build (one rule's literals at every source it serves) is copied from the first
 * (hs_deserialize_database), with or without a cache directory. */
typedef struct vg_hscache_memo vg_hscache_memo;

/* A new, empty memo (NULL when out of memory). */
vg_hscache_memo *vg_hscache_memo_new(void);

/* Frees m and the databases it keeps (NULL is fine). */
void vg_hscache_memo_free(vg_hscache_memo *m);

/* hs_compile_multi in block mode, through memo (NULL: none) and the cache directory dir (NULL
 * or "": no cache). */
hs_error_t vg_hscache_compile(const char *const *exprs, const unsigned *flags, const unsigned *ids, unsigned n,
                              const char *dir, vg_hscache_memo *memo, hs_database_t **db, hs_compile_error_t **ce,
                              vg_hscache_stats *st);

/* The default cache directory: $VIGIL_CACHE_DIR, else $XDG_CACHE_HOME/vigil, else
 * $HOME/.cache/vigil; "" (no cache) when VIGIL_CACHE_DIR is set empty or nothing is known. */
const char *vg_hscache_default_dir(char *buf, size_t cap);

#endif
