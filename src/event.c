/*
 * event: fields, lookups and serialization of the event model (see event.h).
 *
 * Serialization merges the scanned JSON record with the decoder's dotted field names: the
 * fields are sorted by name, so every dotted prefix ("source.") is one contiguous run, and the
 * record's objects are walked in their original member order. A member whose key matches a
 * leaf field is replaced by the field; a member whose key matches a prefix is merged
 * recursively (or replaced by the fields, when the record's value there is not an object: the
 * decoder carries such a value over, e.g. Zeek "user_agent" into "user_agent.original"); fields
 * left over are appended as nested objects.
 */
#include "event.h"

#include <stdio.h>
#include <string.h>

#include "json-write.h"

void vg_event_reset(vg_event *ev, const char *text, size_t len, const vg_json_doc *doc)
{
    ev->text = text;
    ev->len = len;
    ev->doc = doc;
    ev->decoder = NULL;
    ev->repeat = 1;
    ev->body = NULL;
    ev->body_len = 0;
    ev->audit = 0;
    ev->nfields = 0;
    memset(ev->name_bits, 0, sizeof ev->name_bits);
    ev->scratch_used = 0;
}

/* The index of name pointer p's bit in name_bits (a multiplicative hash of the pointer). */
static unsigned name_bit(const char *p)
{
    return (unsigned)((uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull >> 56);
}

/* Appends field name = value (its name bit already set). */
static inline vg_rc append_field(vg_event *ev, const char *name, vg_value value)
{
    if (ev->nfields >= VG_EVENT_MAX_FIELDS)
        return VG_ERR_LIMIT;
    vg_field *f = &ev->fields[ev->nfields++];
    f->name = name;
    f->value = value;
    return VG_OK;
}

/* vg_event_set of a name whose bit is set: set before, or another name sharing its bit. Out
 * of line, so the common path (a name not set yet) saves no registers. */
static __attribute__((noinline)) vg_rc set_again(vg_event *ev, const char *name, vg_value value)
{
    for (unsigned i = 0; i < ev->nfields; i++) {
        if (ev->fields[i].name == name) {
            /* move it last: of equal names the slot set last wins, with or without merging */
            memmove(&ev->fields[i], &ev->fields[i + 1], (ev->nfields - i - 1) * sizeof ev->fields[0]);
            ev->fields[ev->nfields - 1].name = name;
            ev->fields[ev->nfields - 1].value = value;
            return VG_OK;
        }
    }
    return append_field(ev, name, value);
}

vg_rc vg_event_set(vg_event *ev, const char *name, vg_value value)
{
    /* the hot path: decoders pass string constants, so the same name is the same pointer;
     * equal names at different addresses get a new slot, and the newest one wins. A name
     * whose bit is clear was never set: appended without looking at the others */
    unsigned b = name_bit(name);
    uint64_t bit = 1ull << (b % 64), *word = &ev->name_bits[b / 64];
    if (*word & bit)
        return set_again(ev, name, value);
    vg_rc rc = append_field(ev, name, value);
    if (rc == VG_OK)
        *word |= bit;
    return rc;
}

vg_rc vg_event_set_str(vg_event *ev, const char *name, const char *s, size_t n)
{
    vg_value v = { VG_JSON_STRING, VG_VALUE_PLAIN, (uint32_t)n, s };
    return vg_event_set(ev, name, v);
}

vg_rc vg_event_set_num(vg_event *ev, const char *name, const char *s, size_t n)
{
    vg_value v = { VG_JSON_NUMBER, 0, (uint32_t)n, s };
    return vg_event_set(ev, name, v);
}

vg_rc vg_event_set_int(vg_event *ev, const char *name, long long x)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%lld", x);
    char *p = vg_event_scratch(ev, tmp, (size_t)n);
    if (!p)
        return VG_ERR_LIMIT;
    return vg_event_set_num(ev, name, p, (size_t)n);
}

vg_rc vg_event_set_json(vg_event *ev, const char *name, const char *json)
{
    size_t n = strlen(json);
    vg_value v = { json[0] == '[' ? VG_JSON_ARRAY : VG_JSON_OBJECT, VG_VALUE_JSON, (uint32_t)n, json };
    return vg_event_set(ev, name, v);
}

vg_rc vg_event_add_tag(vg_event *ev, const char *tag)
{
    vg_value old = vg_event_get(ev, "tags");
    int has_old = old.type == VG_JSON_ARRAY && old.len >= 2;
    size_t tn = strlen(tag);
    /* old array without its ']' (and without a trailing ']' of an empty "[]"), then the tag */
    size_t keep = has_old ? old.len - 1 : 1;
    while (has_old && keep > 1 && (old.ptr[keep - 1] == ' ' || old.ptr[keep - 1] == '\n' ||
                                   old.ptr[keep - 1] == '\t' || old.ptr[keep - 1] == '\r'))
        keep--;
    int empty = !has_old || old.ptr[keep - 1] == '[';
    size_t n = keep + (empty ? 0 : 1) + tn + 3;
    char *p = vg_event_scratch_reserve(ev, n);
    if (!p)
        return VG_ERR_LIMIT;
    size_t o = 0;
    if (has_old)
        memcpy(p, old.ptr, keep);
    else
        p[0] = '[';
    o = keep;
    if (!empty)
        p[o++] = ',';
    p[o++] = '"';
    memcpy(p + o, tag, tn);
    o += tn;
    p[o++] = '"';
    p[o++] = ']';
    vg_value v = { VG_JSON_ARRAY, VG_VALUE_JSON, (uint32_t)o, p };
    return vg_event_set(ev, "tags", v);
}

char *vg_event_scratch_reserve(vg_event *ev, size_t n)
{
    if (n > VG_EVENT_SCRATCH - ev->scratch_used)
        return NULL;
    char *p = ev->scratch + ev->scratch_used;
    ev->scratch_used += n;
    return p;
}

char *vg_event_scratch(vg_event *ev, const char *s, size_t n)
{
    char *p = vg_event_scratch_reserve(ev, n);
    if (p && n)
        memcpy(p, s, n);
    return p;
}

const vg_field *vg_event_field(const vg_event *ev, const char *name)
{
    for (unsigned i = ev->nfields; i-- > 0;) { /* newest first */
        const char *f = ev->fields[i].name;
        if (f == name || (f[0] == name[0] && strcmp(f, name) == 0))
            return &ev->fields[i];
    }
    return NULL;
}

vg_value vg_event_doc_get(const vg_event *ev, const char *path)
{
    if (ev->doc && ev->doc->ntoks) {
        int i = vg_json_find(ev->doc, 0, path, strlen(path));
        if (i >= 0)
            return vg_json_value(ev->doc, (uint32_t)i);
    }
    vg_value none = { VG_JSON_NONE, 0, 0, NULL };
    return none;
}

vg_value vg_event_get(const vg_event *ev, const char *path)
{
    const vg_field *f = vg_event_field(ev, path);
    return f ? f->value : vg_event_doc_get(ev, path);
}

long vg_value_string(const vg_value *v, char *out, size_t cap)
{
    if (v->type != VG_JSON_STRING || v->len >= cap)
        return -1;
    size_t n = v->len;
    if (v->flags & VG_JSON_ESCAPED)
        n = vg_json_unescape(v->ptr, v->len, out);
    else
        memcpy(out, v->ptr, n);
    out[n] = '\0';
    return (long)n;
}

int vg_value_equals(const vg_value *v, const char *s, size_t n)
{
    if (v->type != VG_JSON_STRING)
        return 0;
    return vg_json_string_equals(v->ptr, v->len, v->flags & VG_JSON_ESCAPED, s, n);
}

/* ---- serialization ---------------------------------------------------------------------- */

typedef struct merge {
    const vg_event *ev;
    const vg_field *sorted[VG_EVENT_MAX_FIELDS];
    unsigned char used[VG_EVENT_MAX_FIELDS];
    unsigned n;
    vg_buf *out;
} merge;

static vg_rc write_field_value(vg_buf *out, const vg_value *v)
{
    return vg_jw_value(out, v);
}

static vg_rc write_key(vg_buf *out, int *first, const char *k, size_t n, int plain)
{
    vg_rc rc;
    if (!*first && (rc = vg_buf_putc(out, ',')))
        return rc;
    *first = 0;
    if (plain)
        rc = vg_jw_string(out, k, n, NULL);
    else if (!(rc = vg_buf_putc(out, '"')) && !(rc = vg_buf_append(out, k, n)))
        rc = vg_buf_putc(out, '"');
    if (rc)
        return rc;
    return vg_buf_putc(out, ':');
}

/* Finds, among sorted fields [lo,hi) under a prefix of length plen, the leaf named exactly
 * prefix+comp (*leaf, or -1) and the run [*clo,*chi) of names starting with prefix+comp+'.'. */
static void find_group(const merge *m, unsigned lo, unsigned hi, size_t plen, const char *comp,
                       size_t clen, int *leaf, unsigned *clo, unsigned *chi)
{
    *leaf = -1;
    *clo = *chi = 0;
    for (unsigned i = lo; i < hi; i++) {
        const char *rest = m->sorted[i]->name + plen;
        if (strncmp(rest, comp, clen) != 0)
            continue;
        if (rest[clen] == '\0') {
            *leaf = (int)i;
        } else if (rest[clen] == '.') {
            if (*chi == 0)
                *clo = i;
            *chi = i + 1;
        }
    }
}

static vg_rc write_object(merge *m, int tok, size_t plen, unsigned lo, unsigned hi);

static vg_rc write_object(merge *m, int tok, size_t plen, unsigned lo, unsigned hi)
{
    vg_buf *out = m->out;
    const vg_json_doc *doc = m->ev->doc;
    int first = 1;
    vg_rc rc = vg_buf_putc(out, '{');
    if (rc)
        return rc;

    if (tok >= 0) {
        const vg_json_tok *o = &doc->toks[tok];
        for (uint32_t k = (uint32_t)tok + 1; k < o->next; k = doc->toks[k + 1].next) {
            const vg_json_tok *kt = &doc->toks[k];
            const char *key = doc->text + kt->start;
            int leaf = -1;
            unsigned clo = 0, chi = 0;
            if (lo < hi && !(kt->flags & VG_JSON_ESCAPED)) {
                find_group(m, lo, hi, plen, key, kt->len, &leaf, &clo, &chi);
            } else if (lo < hi && kt->len <= VG_EVENT_KEY_MAX) {
                /* an escaped key ("\u0040timestamp") matches fields by its decoded text */
                char plain[VG_EVENT_KEY_MAX];
                size_t pn = vg_json_unescape(key, kt->len, plain);
                find_group(m, lo, hi, plen, plain, pn, &leaf, &clo, &chi);
            }
            if ((rc = write_key(out, &first, key, kt->len, 0)))
                return rc;
            if (leaf >= 0) {
                m->used[leaf] = 1;
                rc = write_field_value(out, &m->sorted[leaf]->value);
            } else if (chi > clo) {
                /* fields below this key: merged into the record's object, or replacing a
                 * record value that is not an object (never two members with one key) */
                int inner = doc->toks[k + 1].type == VG_JSON_OBJECT ? (int)(k + 1) : -1;
                rc = write_object(m, inner, plen + kt->len + 1, clo, chi);
                for (unsigned i = clo; i < chi; i++)
                    m->used[i] = 1;
            } else {
                rc = vg_jw_token(out, doc, k + 1);
            }
            if (rc)
                return rc;
        }
    }

    for (unsigned i = lo; i < hi; i++) {
        if (m->used[i])
            continue;
        const char *rest = m->sorted[i]->name + plen;
        const char *dot = strchr(rest, '.');
        if (!dot) {
            m->used[i] = 1;
            if ((rc = write_key(out, &first, rest, strlen(rest), 1)) ||
                (rc = write_field_value(out, &m->sorted[i]->value)))
                return rc;
            continue;
        }
        size_t clen = (size_t)(dot - rest);
        unsigned j = i;
        while (j < hi && strncmp(m->sorted[j]->name + plen, rest, clen + 1) == 0)
            j++;
        if ((rc = write_key(out, &first, rest, clen, 1)) || (rc = write_object(m, -1, plen + clen + 1, i, j)))
            return rc;
        for (unsigned k = i; k < j; k++)
            m->used[k] = 1;
    }
    return vg_buf_putc(out, '}');
}

vg_rc vg_event_to_json(const vg_event *ev, vg_buf *out)
{
    merge m;
    m.ev = ev;
    m.out = out;
    unsigned n = 0;
    for (unsigned i = 0; i < ev->nfields; i++) {
        /* insertion sort by name (stable: of equal names the newest comes last and replaces
         * the older one); at most VG_EVENT_MAX_FIELDS entries */
        const vg_field *f = &ev->fields[i];
        unsigned j = n;
        int c = 1;
        while (j > 0 && (c = strcmp(m.sorted[j - 1]->name, f->name)) > 0)
            j--;
        if (j > 0 && c == 0) {
            m.sorted[j - 1] = f;
            continue;
        }
        memmove(&m.sorted[j + 1], &m.sorted[j], (n - j) * sizeof m.sorted[0]);
        m.sorted[j] = f;
        n++;
    }
    m.n = n;
    memset(m.used, 0, sizeof m.used);
    int root = ev->doc && ev->doc->ntoks && ev->doc->toks[0].type == VG_JSON_OBJECT ? 0 : -1;
    return write_object(&m, root, 0, 0, m.n);
}
