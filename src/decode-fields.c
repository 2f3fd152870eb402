/*
 * decode-fields: typed copies from a scanned JSON record into ECS fields (see decode-fields.h).
 */
#include "decode-fields.h"

#include <string.h>

/* The value of token i (-1: absent); null counts as absent. */
vg_value vg_df_at(const vg_event *ev, int i)
{
    vg_value none = { VG_JSON_NONE, 0, 0, NULL };
    if (i < 0)
        return none;
    vg_value v = vg_json_value(ev->doc, (uint32_t)i);
    return v.type == VG_JSON_NULL ? none : v;
}

/* Is at a token of ev's record? */
static int valid_token(const vg_event *ev, int at)
{
    return at >= 0 && ev->doc && (uint32_t)at < ev->doc->ntoks;
}

vg_value vg_df_get(const vg_event *ev, int at, const char *path)
{
    if (!valid_token(ev, at) || !path)
        return vg_df_at(ev, -1);
    return vg_df_at(ev, vg_json_find(ev->doc, (uint32_t)at, path, strlen(path)));
}

vg_value vg_df_member(const vg_event *ev, int obj, const char *key)
{
    if (!valid_token(ev, obj) || !key)
        return vg_df_at(ev, -1);
    return vg_df_at(ev, vg_json_member(ev->doc, (uint32_t)obj, key, strlen(key)));
}

int vg_df_object(const vg_event *ev, int at, const char *path)
{
    if (!valid_token(ev, at))
        return -1;
    int i = vg_json_find(ev->doc, (uint32_t)at, path, strlen(path));
    return i >= 0 && ev->doc->toks[i].type == VG_JSON_OBJECT ? i : -1;
}

static inline char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

int vg_df_is(vg_value v, const char *s)
{
    size_t n = strlen(s);
    if (v.type != VG_JSON_STRING || (v.flags & VG_JSON_ESCAPED) || v.len != n)
        return 0;
    if (memcmp(v.ptr, s, n) == 0)
        return 1;       /* the common case: written as the table writes it */
    for (size_t i = 0; i < n; i++)
        if (lower(v.ptr[i]) != lower(s[i]))
            return 0;
    return 1;
}

int vg_df_present(vg_value v)
{
    if (v.type == VG_JSON_NUMBER)
        return 1;
    return v.type == VG_JSON_STRING && v.len > 0 && !(v.len == 1 && v.ptr[0] == '-');
}

int vg_df_str(vg_event *ev, const char *name, vg_value v)
{
    if (v.type != VG_JSON_STRING || !vg_df_present(v))
        return 0;
    return vg_event_set(ev, name, v) == VG_OK;
}

int vg_df_keyword(vg_event *ev, const char *name, vg_value v)
{
    if (v.type == VG_JSON_NUMBER)
        return vg_event_set_str(ev, name, v.ptr, v.len) == VG_OK;
    return vg_df_str(ev, name, v);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int vg_df_to_uint(vg_value v, int hex, uint64_t *out)
{
    if ((v.type != VG_JSON_NUMBER && v.type != VG_JSON_STRING) || (v.flags & VG_JSON_ESCAPED))
        return -1;
    const char *s = v.ptr;
    size_t n = v.len;
    uint64_t x = 0;
    if (hex && v.type == VG_JSON_STRING && n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (n - 2 > 15)
            return -1;
        for (size_t i = 2; i < n; i++) {
            int d = hex_digit(s[i]);
            if (d < 0)
                return -1;
            x = x << 4 | (uint64_t)d;
        }
        *out = x;
        return 0;
    }
    if (n == 0 || n > 18)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *out = x;
    return 0;
}

int vg_df_uint(vg_event *ev, const char *name, vg_value v)
{
    uint64_t x;
    if (vg_df_to_uint(v, 0, &x) != 0)
        return 0;
    if (v.type == VG_JSON_NUMBER)
        return vg_event_set_num(ev, name, v.ptr, v.len) == VG_OK;   /* by reference */
    return vg_event_set_int(ev, name, (long long)x) == VG_OK;
}

int vg_df_port(vg_event *ev, const char *name, vg_value v)
{
    uint64_t x;
    if (vg_df_to_uint(v, 0, &x) != 0 || x < 1 || x > 65535)
        return 0;
    return vg_df_uint(ev, name, v);
}

int vg_df_ip(vg_event *ev, const char *name, vg_value v)
{
    if (v.type != VG_JSON_STRING || (v.flags & VG_JSON_ESCAPED))
        return 0;
    return vg_decode_set_ip(ev, name, v.ptr, v.len);
}

int vg_df_lower(vg_event *ev, const char *name, vg_value v)
{
    if (v.type != VG_JSON_STRING || !vg_df_present(v))
        return 0;
    size_t i = 0;
    if (!(v.flags & VG_JSON_ESCAPED))
        while (i < v.len && lower(v.ptr[i]) == v.ptr[i])
            i++;
    if (i == v.len || (v.flags & VG_JSON_ESCAPED))
        return vg_event_set(ev, name, v) == VG_OK;
    char *p = vg_event_scratch(ev, v.ptr, v.len);
    if (!p)
        return 0;
    for (; i < v.len; i++)
        p[i] = lower(p[i]);
    return vg_event_set_str(ev, name, p, v.len) == VG_OK;
}

int vg_df_to_time(const vg_decode_opts *opts, vg_value v, int epoch, vg_time *t)
{
    if (v.type == VG_JSON_NUMBER && epoch)
        return vg_time_parse_epoch(v.ptr, v.len, t);
    if (v.type != VG_JSON_STRING || (v.flags & VG_JSON_ESCAPED))
        return -1;
    return vg_time_parse_iso(v.ptr, v.len, opts->tz_offset, t);
}

int vg_df_set_time(vg_event *ev, const char *name, const vg_time *t)
{
    char *out = vg_event_scratch_reserve(ev, VG_RFC3339_MAX);
    if (!out)
        return 0;
    size_t n = vg_time_format(t, out);
    ev->scratch_used -= VG_RFC3339_MAX - n;
    return vg_event_set_str(ev, name, out, n) == VG_OK;
}

vg_value vg_df_slice(vg_value v, size_t off, size_t n)
{
    vg_value s = { VG_JSON_STRING, 0, (uint32_t)n, v.ptr + off };
    if ((v.flags & VG_JSON_ESCAPED) && memchr(s.ptr, '\\', n))
        s.flags = VG_JSON_ESCAPED;
    return s;
}
