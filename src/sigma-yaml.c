/*
 * sigma-yaml: the arena that owns a rule file's AST and the YAML helpers of the Sigma loader
 * (see sigma-internal.h): node access under a visit budget, scalar typing by the YAML 1.2 core
 * schema, strings and string lists with limits, duplicate keys, rejections with FILE:LINE.
 */
#include "sigma-internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util-mem.h"

#define CHUNK_SIZE (64u << 10)

typedef struct achunk {
    struct achunk *next;
    size_t cap, used;
    _Alignas(16) unsigned char data[];
} achunk;

struct vg_sigma_arena {
    achunk *head;
    size_t total;
};

vg_rc sg_arena_new(vg_sigma_arena **out)
{
    *out = vg_calloc(1, sizeof **out);
    return *out ? VG_OK : VG_ERR_NOMEM;
}

void sg_arena_free(vg_sigma_arena *a)
{
    if (!a)
        return;
    for (achunk *k = a->head, *next; k; k = next) {
        next = k->next;
        vg_free(k);
    }
    vg_free(a);
}

static void *arena_alloc(vg_sigma_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    if (n > SG_ARENA_MAX || a->total + n > SG_ARENA_MAX)
        return NULL;
    achunk *k = a->head;
    if (!k || k->cap - k->used < n) {
        size_t cap = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;
        k = vg_malloc(sizeof *k + cap);
        if (!k)
            return NULL;
        k->cap = cap;
        k->used = 0;
        if (cap == n && a->head) {  /* a big block: keep filling the current chunk */
            k->next = a->head->next;
            a->head->next = k;
        } else {
            k->next = a->head;
            a->head = k;
        }
    }
    void *p = k->data + k->used;
    k->used += n;
    a->total += n;
    memset(p, 0, n);
    return p;
}

void *sg_alloc(sg_ctx *c, size_t n)
{
    return arena_alloc(c->arena, n);
}

char *sg_strdup(sg_ctx *c, const char *s, size_t n)
{
    char *p = arena_alloc(c->arena, n + 1);
    if (p && n)
        memcpy(p, s, n);
    return p;
}

uint32_t sg_line(const yaml_node_t *n)
{
    return n ? (uint32_t)n->start_mark.line + 1 : 1;
}

vg_rc sg_reject(sg_ctx *c, const yaml_node_t *n, vg_sigma_reason r, const char *fmt, ...)
{
    char msg[VG_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->reason = r;
    c->err_line = sg_line(n);
    int k = snprintf(c->msg, sizeof c->msg, "%s:%u: ", c->name, c->err_line);
    if (k >= 0 && (size_t)k < sizeof c->msg)
        snprintf(c->msg + k, sizeof c->msg - (size_t)k, "%s", msg);
    return VG_ERR_PARSE;
}

vg_rc sg_nomem(sg_ctx *c)
{
    c->reason = VG_SIGMA_R_LIMIT;
    snprintf(c->msg, sizeof c->msg, "%s: out of memory", c->name);
    return VG_ERR_NOMEM;
}

vg_rc sg_get(sg_ctx *c, int id, const yaml_node_t *parent, yaml_node_t **out)
{
    if (++c->visits > VG_SIGMA_MAX_NODES)
        return sg_reject(c, parent, VG_SIGMA_R_LIMIT, "more than %u YAML nodes visited (aliases count each time)",
                         VG_SIGMA_MAX_NODES);
    *out = yaml_document_get_node(c->doc, id);
    if (!*out)
        return sg_reject(c, parent, VG_SIGMA_R_YAML, "invalid YAML node");
    return VG_OK;
}

const char *sg_scalar(const yaml_node_t *n, size_t *len)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    *len = n->data.scalar.length;
    return (const char *)n->data.scalar.value;
}

static int is_digit(char ch, int base)
{
    if (base == 16)
        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
    if (base == 8)
        return ch >= '0' && ch <= '7';
    return ch >= '0' && ch <= '9';
}

static int eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

int sg_is_number(const char *s, size_t n)
{
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        int base = s[1] == 'x' ? 16 : 8;
        for (size_t i = 2; i < n; i++)
            if (!is_digit(s[i], base))
                return 0;
        return 1;
    }
    if (eq(s, n, ".nan") || eq(s, n, ".NaN") || eq(s, n, ".NAN"))
        return 1;
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    if (eq(s + i, n - i, ".inf") || eq(s + i, n - i, ".Inf") || eq(s + i, n - i, ".INF"))
        return 1;
    size_t int_digits = 0, frac_digits = 0;
    while (i < n && is_digit(s[i], 10))
        i++, int_digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit(s[i], 10))
            i++, frac_digits++;
    }
    if (int_digits + frac_digits == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t exp_digits = 0;
        while (i < n && is_digit(s[i], 10))
            i++, exp_digits++;
        if (!exp_digits)
            return 0;
    }
    return i == n;
}

vg_sigma_vtype sg_scalar_type(const yaml_node_t *n)
{
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return VG_SIGMA_V_STRING;
    size_t len = n->data.scalar.length;
    const char *s = (const char *)n->data.scalar.value;
    if (len == 0 || eq(s, len, "~") || eq(s, len, "null") || eq(s, len, "Null") || eq(s, len, "NULL"))
        return VG_SIGMA_V_NULL;
    if (eq(s, len, "true") || eq(s, len, "True") || eq(s, len, "TRUE") || eq(s, len, "false") ||
        eq(s, len, "False") || eq(s, len, "FALSE"))
        return VG_SIGMA_V_BOOL;
    if (sg_is_number(s, len))
        return VG_SIGMA_V_NUMBER;
    return VG_SIGMA_V_STRING;
}

vg_rc sg_check_keys(sg_ctx *c, const yaml_node_t *map, const char *what)
{
    const yaml_node_pair_t *start = map->data.mapping.pairs.start, *top = map->data.mapping.pairs.top;
    if (top - start > SG_MAX_KEYS)
        return sg_reject(c, map, VG_SIGMA_R_LIMIT, "%s has more than %u keys", what, SG_MAX_KEYS);
    for (const yaml_node_pair_t *p = start; p < top; p++) {
        yaml_node_t *k;
        vg_rc rc = sg_get(c, p->key, map, &k);
        if (rc)
            return rc;
        size_t klen;
        const char *key = sg_scalar(k, &klen);
        if (!key)
            return sg_reject(c, k, VG_SIGMA_R_TYPE, "a key of %s is not a string", what);
        for (const yaml_node_pair_t *q = start; q < p; q++) {
            const yaml_node_t *o = yaml_document_get_node(c->doc, q->key);
            size_t olen;
            const char *other = sg_scalar(o, &olen);
            if (other && olen == klen && memcmp(other, key, klen) == 0)
                return sg_reject(c, k, VG_SIGMA_R_DUPLICATE, "key '%.*s' of %s given twice (first on line %u)",
                                 (int)(klen > 80 ? 80 : klen), key, what, sg_line(o));
        }
    }
    return VG_OK;
}

/* Characters (UTF-8 code points) in s[0..n): libyaml has validated the encoding. */
static size_t utf8_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

vg_rc sg_string(sg_ctx *c, const yaml_node_t *n, const char *key, size_t max, int allow_null, const char **out)
{
    size_t len;
    const char *s = sg_scalar(n, &len);
    *out = NULL;
    if (!s)
        return sg_reject(c, n, VG_SIGMA_R_TYPE, "%s must be a string, not a %s", key,
                         n && n->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
    if (sg_scalar_type(n) == VG_SIGMA_V_NULL) {
        if (allow_null)
            return VG_OK;
        return sg_reject(c, n, VG_SIGMA_R_MISSING, "%s is empty", key);
    }
    if (memchr(s, '\0', len))
        return sg_reject(c, n, VG_SIGMA_R_VALUE, "%s contains a NUL character", key);
    if (len > max && utf8_chars(s, len) > max)
        return sg_reject(c, n, VG_SIGMA_R_VALUE, "%s is longer than %zu characters", key, max);
    if (!(*out = sg_strdup(c, s, len)))
        return sg_nomem(c);
    return VG_OK;
}

vg_rc sg_strlist(sg_ctx *c, const yaml_node_t *n, const char *key, int allow_scalar, vg_sigma_strlist *out)
{
    memset(out, 0, sizeof *out);
    if (n->type == YAML_SCALAR_NODE && sg_scalar_type(n) == VG_SIGMA_V_NULL)
        return VG_OK;
    if (n->type == YAML_SCALAR_NODE && allow_scalar) {
        out->v = sg_alloc(c, sizeof *out->v);
        if (!out->v)
            return sg_nomem(c);
        out->n = 1;
        return sg_string(c, n, key, VG_SIGMA_MAX_TEXT, 0, &out->v[0]);
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return sg_reject(c, n, VG_SIGMA_R_TYPE, "%s must be a list of strings", key);
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count > VG_SIGMA_MAX_LIST)
        return sg_reject(c, n, VG_SIGMA_R_LIMIT, "%s has more than %u items", key, VG_SIGMA_MAX_LIST);
    out->v = sg_alloc(c, (count ? count : 1) * sizeof *out->v);
    if (!out->v)
        return sg_nomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        vg_rc rc = sg_get(c, n->data.sequence.items.start[i], n, &it);
        if (!rc && it->type != YAML_SCALAR_NODE)
            rc = sg_reject(c, it, VG_SIGMA_R_TYPE, "items of %s must be strings", key);
        if (!rc)
            rc = sg_string(c, it, key, VG_SIGMA_MAX_TEXT, 0, &out->v[out->n]);
        if (rc)
            return rc;
        out->n++;
    }
    return VG_OK;
}
