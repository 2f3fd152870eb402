/*
 * util-mem: counting allocator (see util-mem.h).
 */
#include "util-mem.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HEADER 16

static atomic_size_t mem_used;

void *vg_malloc(size_t n)
{
    if (n > SIZE_MAX - HEADER)
        return NULL;
    unsigned char *p = malloc(n + HEADER);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    atomic_fetch_add_explicit(&mem_used, n, memory_order_relaxed);
    return p + HEADER;
}

void *vg_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = vg_malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *vg_realloc(void *p, size_t n)
{
    if (!p)
        return vg_malloc(n);
    if (n > SIZE_MAX - HEADER)
        return NULL;
    unsigned char *base = (unsigned char *)p - HEADER;
    size_t old;
    memcpy(&old, base, sizeof old);
    unsigned char *q = realloc(base, n + HEADER);
    if (!q)
        return NULL;
    memcpy(q, &n, sizeof n);
    if (n >= old)
        atomic_fetch_add_explicit(&mem_used, n - old, memory_order_relaxed);
    else
        atomic_fetch_sub_explicit(&mem_used, old - n, memory_order_relaxed);
    return q + HEADER;
}

void vg_free(void *p)
{
    if (!p)
        return;
    unsigned char *base = (unsigned char *)p - HEADER;
    size_t n;
    memcpy(&n, base, sizeof n);
    atomic_fetch_sub_explicit(&mem_used, n, memory_order_relaxed);
    free(base);
}

char *vg_strndup(const char *s, size_t n)
{
    char *p = vg_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

size_t vg_mem_used(void)
{
    return atomic_load_explicit(&mem_used, memory_order_relaxed);
}
