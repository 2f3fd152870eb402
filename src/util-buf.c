/*
 * util-buf: growable, size-limited byte buffer (see util-buf.h).
 */
#include "util-buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util-mem.h"

void vg_buf_init(vg_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void vg_buf_free(vg_buf *b)
{
    vg_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void vg_buf_reset(vg_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

vg_rc vg_buf_reserve(vg_buf *b, size_t n)
{
    if (b->max && (n > b->max || b->len > b->max - n))
        return VG_ERR_LIMIT;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return VG_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = vg_realloc(b->data, cap);
    if (!p)
        return VG_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return VG_OK;
}

vg_rc vg_buf_append(vg_buf *b, const void *p, size_t n)
{
    vg_rc rc = vg_buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return VG_OK;
}

vg_rc vg_buf_puts(vg_buf *b, const char *s)
{
    return vg_buf_append(b, s, strlen(s));
}

vg_rc vg_buf_putc(vg_buf *b, char c)
{
    return vg_buf_append(b, &c, 1);
}

vg_rc vg_buf_printf(vg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return VG_ERR_USAGE;
    vg_rc rc = vg_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return VG_OK;
}
