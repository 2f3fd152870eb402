/*
 * util-buf: a growable byte buffer with a hard size limit. Used to build output records and
 * other data fed by untrusted input: going over the limit is an error the caller sees
 * (VG_ERR_LIMIT), never a silent truncation. The data is always NUL-terminated.
 */
#ifndef VIGIL_UTIL_BUF_H
#define VIGIL_UTIL_BUF_H

#include <stddef.h>

#include "util-error.h"

typedef struct vg_buf {
    char *data;     /* NUL-terminated contents (NULL until first append) */
    size_t len;     /* bytes used, not counting the NUL */
    size_t cap;     /* bytes allocated */
    size_t max;     /* hard limit on len; 0 means no limit */
} vg_buf;

/* Initializes an empty buffer that may grow to max bytes (0: unlimited). */
void vg_buf_init(vg_buf *b, size_t max);

/* Frees the contents; the buffer can be reused after vg_buf_init. */
void vg_buf_free(vg_buf *b);

/* Empties the buffer, keeping its allocation. */
void vg_buf_reset(vg_buf *b);

/* Makes room for n more bytes; VG_ERR_LIMIT past max, VG_ERR_NOMEM on allocation failure. */
vg_rc vg_buf_reserve(vg_buf *b, size_t n);

/* Appends n bytes. */
vg_rc vg_buf_append(vg_buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string. */
vg_rc vg_buf_puts(vg_buf *b, const char *s);

/* Appends one byte. */
vg_rc vg_buf_putc(vg_buf *b, char c);

/* Appends printf-formatted text. */
vg_rc vg_buf_printf(vg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
