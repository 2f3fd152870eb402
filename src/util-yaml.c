/*
 * util-yaml: YAML configuration files read whole, with file and line in errors (see
 * util-yaml.h).
 */
#include "util-yaml.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define YAML_MAX_KEYS 4096      /* limit: keys of one mapping checked for duplicates */

vg_rc vg_yaml_load(vg_yaml *y, const char *text, size_t len, const char *name, vg_error *err)
{
    yaml_parser_t parser;
    memset(y, 0, sizeof *y);
    y->name = name;
    y->err = err;
    if (!yaml_parser_initialize(&parser))
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    vg_rc rc = VG_OK;
    if (!yaml_parser_load(&parser, &y->doc))
        rc = vg_fail(err, VG_ERR_PARSE, 0, "%s:%zu: %s", name, parser.problem_mark.line + 1,
                     parser.problem ? parser.problem : "invalid YAML");
    else
        y->loaded = 1;
    yaml_parser_delete(&parser);
    return rc;
}

void vg_yaml_free(vg_yaml *y)
{
    if (y->loaded)
        yaml_document_delete(&y->doc);
    y->loaded = 0;
}

yaml_node_t *vg_yaml_root(vg_yaml *y)
{
    return yaml_document_get_root_node(&y->doc);
}

yaml_node_t *vg_yaml_node(vg_yaml *y, int id)
{
    return yaml_document_get_node(&y->doc, id);
}

unsigned vg_yaml_line(const yaml_node_t *n)
{
    return (unsigned)n->start_mark.line + 1;
}

vg_rc vg_yaml_fail(vg_yaml *y, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[VG_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return vg_fail(y->err, VG_ERR_PARSE, 0, "%s:%u: %s", y->name, n ? vg_yaml_line(n) : 1, msg);
}

const char *vg_yaml_scalar(const yaml_node_t *n, size_t *len)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    *len = n->data.scalar.length;
    return (const char *)n->data.scalar.value;
}

vg_rc vg_yaml_string(vg_yaml *y, const yaml_node_t *n, const char *what, const char **s)
{
    size_t len = 0;
    *s = vg_yaml_scalar(n, &len);
    if (!*s || len == 0)
        return vg_yaml_fail(y, n, "%s must be a non-empty string", what);
    if (memchr(*s, '\0', len))
        return vg_yaml_fail(y, n, "%s contains a NUL byte", what);
    return VG_OK;
}

vg_rc vg_yaml_uint(vg_yaml *y, const yaml_node_t *n, const char *what, unsigned max, unsigned *out)
{
    size_t len = 0;
    const char *s = vg_yaml_scalar(n, &len);
    unsigned long long v = 0;
    if (!s || len == 0 || len > 10)
        return vg_yaml_fail(y, n, "%s must be a number from 0 to %u", what, max);
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return vg_yaml_fail(y, n, "%s must be a number from 0 to %u", what, max);
        v = v * 10 + (unsigned long long)(s[i] - '0');
    }
    if (v > max)
        return vg_yaml_fail(y, n, "%s must be a number from 0 to %u", what, max);
    *out = (unsigned)v;
    return VG_OK;
}

vg_rc vg_yaml_bool(vg_yaml *y, const yaml_node_t *n, const char *what, int *out)
{
    size_t len = 0;
    const char *s = vg_yaml_scalar(n, &len);
    if (s && (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0))
        *out = 1;
    else if (s && (strcmp(s, "false") == 0 || strcmp(s, "no") == 0))
        *out = 0;
    else
        return vg_yaml_fail(y, n, "%s must be true or false", what);
    return VG_OK;
}

vg_rc vg_yaml_each(vg_yaml *y, yaml_node_t *n, const char *what,
                   vg_rc (*fn)(void *ctx, const char *key, yaml_node_t *value), void *ctx)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return vg_yaml_fail(y, n, "%s must be a mapping", what);
    yaml_node_pair_t *first = n->data.mapping.pairs.start, *end = n->data.mapping.pairs.top;
    if (end - first > YAML_MAX_KEYS)
        return vg_yaml_fail(y, n, "%s has more than %d keys", what, YAML_MAX_KEYS);
    for (yaml_node_pair_t *p = first; p < end; p++) {
        yaml_node_t *k = vg_yaml_node(y, p->key);
        size_t klen;
        const char *key = vg_yaml_scalar(k, &klen);
        if (!key || klen == 0 || memchr(key, '\0', klen))
            return vg_yaml_fail(y, k, "%s: keys must be non-empty strings", what);
        for (yaml_node_pair_t *q = first; q < p; q++) {
            size_t qlen = 0;
            const char *other = vg_yaml_scalar(vg_yaml_node(y, q->key), &qlen);
            if (other && qlen == klen && memcmp(other, key, klen) == 0)
                return vg_yaml_fail(y, k, "%s: key '%s' given twice", what, key);
        }
        vg_rc rc = fn(ctx, key, vg_yaml_node(y, p->value));
        if (rc)
            return rc;
    }
    return VG_OK;
}

vg_rc vg_yaml_items(vg_yaml *y, yaml_node_t *n, const char *what, vg_rc (*fn)(void *ctx, yaml_node_t *item),
                    void *ctx)
{
    if (n && n->type == YAML_SCALAR_NODE)
        return fn(ctx, n);
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return vg_yaml_fail(y, n, "%s must be a list", what);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        vg_rc rc = fn(ctx, vg_yaml_node(y, *it));
        if (rc)
            return rc;
    }
    return VG_OK;
}
