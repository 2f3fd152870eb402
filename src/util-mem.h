/*
 * util-mem: the allocator wrapper. Every heap allocation of Vigil goes through these calls,
 * which count live bytes so the daemon can report its memory. A size header of 16 bytes is
 * kept in front of each block (keeps 16-byte alignment for SIMD loads).
 */
#ifndef VIGIL_UTIL_MEM_H
#define VIGIL_UTIL_MEM_H

#include <stddef.h>

/* Allocates n bytes (uninitialized); NULL on failure or overflow. */
void *vg_malloc(size_t n);

/* Allocates count*size zeroed bytes; NULL on failure or overflow. */
void *vg_calloc(size_t count, size_t size);

/* Resizes p to n bytes; on failure returns NULL and leaves p valid. */
void *vg_realloc(void *p, size_t n);

/* Frees p (NULL is fine). */
void vg_free(void *p);

/* Duplicates n bytes of s as a NUL-terminated string; NULL on failure. */
char *vg_strndup(const char *s, size_t n);

/* Bytes currently allocated through this module. */
size_t vg_mem_used(void);

#endif
