/*
 * json-write: JSON output (see json-write.h).
 */
#include "json-write.h"

#include <string.h>

#include "util-utf8.h"

static const char hex_digits[] = "0123456789abcdef";

/* Is byte c written as is inside a JSON string? */
static inline int plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

vg_rc vg_jw_string(vg_buf *b, const char *s, size_t n, unsigned *repaired)
{
    vg_rc rc = vg_buf_reserve(b, n + 2);
    if (rc)
        return rc;
    b->data[b->len++] = '"';
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && plain_byte(*p))
            p++;
        if (p > run && (rc = vg_buf_append(b, run, (size_t)(p - run))))
            return rc;
        if (p == end)
            break;
        unsigned char c = *p;
        if (c >= 0x80) {
            int k = vg_utf8_seq(p, end);
            if (k > 0) {
                rc = vg_buf_append(b, p, (size_t)k);
                p += k;
            } else {
                rc = vg_buf_append(b, "\xEF\xBF\xBD", 3);  /* U+FFFD */
                p++;
                if (repaired)
                    (*repaired)++;
            }
        } else {
            char esc[6] = { '\\', 0, 0, 0, 0, 0 };
            size_t en = 2;
            switch (c) {
            case '"': esc[1] = '"'; break;
            case '\\': esc[1] = '\\'; break;
            case '\n': esc[1] = 'n'; break;
            case '\r': esc[1] = 'r'; break;
            case '\t': esc[1] = 't'; break;
            default:
                esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
                esc[4] = hex_digits[c >> 4]; esc[5] = hex_digits[c & 15];
                en = 6;
            }
            rc = vg_buf_append(b, esc, en);
            p++;
        }
        if (rc)
            return rc;
    }
    return vg_buf_putc(b, '"');
}

/* Appends JSON text with the whitespace outside strings removed (text is valid JSON). */
static vg_rc append_compact(vg_buf *b, const char *s, size_t n)
{
    vg_rc rc = vg_buf_reserve(b, n);
    if (rc)
        return rc;
    char *o = b->data + b->len;
    int in_string = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            *o++ = c;
            if (c == '\\')
                *o++ = s[++i];
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            *o++ = c;
            in_string = 1;
        } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            *o++ = c;
        }
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return VG_OK;
}

vg_rc vg_jw_value(vg_buf *b, const vg_value *v)
{
    vg_rc rc;
    switch (v->type) {
    case VG_JSON_STRING:
        if (v->flags & VG_VALUE_PLAIN)
            return vg_jw_string(b, v->ptr, v->len, NULL);
        if ((rc = vg_buf_putc(b, '"')) || (rc = vg_buf_append(b, v->ptr, v->len)))
            return rc;
        return vg_buf_putc(b, '"');
    case VG_JSON_OBJECT:
    case VG_JSON_ARRAY:
        return append_compact(b, v->ptr, v->len);
    case VG_JSON_NONE:
        return vg_buf_puts(b, "null");
    default:
        return vg_buf_append(b, v->ptr, v->len);
    }
}

vg_rc vg_jw_token(vg_buf *b, const vg_json_doc *doc, uint32_t i)
{
    vg_value v = vg_json_value(doc, i);
    return vg_jw_value(b, &v);
}
