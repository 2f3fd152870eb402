/*
 * sigma-scancache (internal to the Sigma engine): a worker's memory of prefilter scans. The
 * prefilter's answer for one database and one value (which of its patterns matched, or that
 * the value must go to the reference matcher) depends on nothing else, and logs repeat their
 * values (images, parent command lines, queried names, most command lines), so a worker keeps
 * recent answers and gives them again instead of scanning.
 *
 * Main structure: a two-way set-associative table of fixed slots (hash, database, the value's bytes for
 * an exact comparison, the answer), and a doorkeeper bit set: a value is stored only on its
 * second sighting, so values seen once (file names, registry keys, addresses) do not push out
 * the ones that repeat. Values longer than SG_SCACHE_MAX_VALUE, or answers of more than
 * SG_SCACHE_MAX_IDS patterns, are not kept. One cache per worker: no locks.
 */
#ifndef VIGIL_SIGMA_SCANCACHE_H
#define VIGIL_SIGMA_SCANCACHE_H

#include <stddef.h>
#include <stdint.h>

#define SG_SCACHE_MAX_VALUE 368     /* limit: bytes of a value kept (longer ones are scanned) */
#define SG_SCACHE_MAX_IDS 32        /* limit: matched patterns of an answer kept */

typedef struct sg_scache sg_scache;

/* One answer: the prefilter's result code for the value and the patterns that matched. */
typedef struct sg_scache_answer {
    int result;                     /* > 0 scanned, < 0 the reference decides (no ids) */
    uint32_t nids;
    const uint32_t *ids;
} sg_scache_answer;

/* A new, empty cache (NULL when out of memory). */
sg_scache *sg_scache_new(void);

/* Frees c (NULL is fine). */
void sg_scache_free(sg_scache *c);

/* The hash of value s[0..n) for database db (the key of _get and _put). */
uint64_t sg_scache_hash(uint32_t db, const char *s, size_t n);

/* Starts loading the slot of hash h (value of n bytes) into the cache: a lookup follows. */
void sg_scache_prefetch(const sg_scache *c, uint64_t h, size_t n);

/* Finds the answer kept for (db, s[0..n)) with hash h; 1 and *out filled when there is one. */
int sg_scache_get(sg_scache *c, uint64_t h, uint32_t db, const char *s, size_t n, sg_scache_answer *out);

/* Keeps answer a for (db, s[0..n)) with hash h when the value was seen before and fits. */
void sg_scache_put(sg_scache *c, uint64_t h, uint32_t db, const char *s, size_t n, const sg_scache_answer *a);

/* Answers given (hits) and values looked up, since the cache was made. */
void sg_scache_counts(const sg_scache *c, uint64_t *hits, uint64_t *lookups);

#endif
