/*
 * detect-intel: reads the observables of an event and looks them up in the indicator store
 * (see detect-intel.h).
 *
 * Reading fields is the per-event cost, so it does not look each path up on its own: the
 * matcher turns its paths into a tree of path components, and each event is walked once. The
 * decoder's ECS fields are found by walking their names down the tree; the JSON record is
 * walked from its root, descending only into members whose key is a component of some path
 * (a key holding dots, "source.ip", walks several components). A value found for a path is
 * kept in the worker's slot for that path; a decoder's field wins over the record's value.
 *
 * A decoder's fields usually come in the same order event after event, so the worker also
 * remembers the name and slot found at each position of the last event.
 *
 * Judging a hit (known-good, threat, expired) needs what its sources say; that is decoded once
 * per provenance reference and remembered by the worker, since the same few networks and
 * addresses come back event after event. vg_intel_prefetch_text is a separate hint: the
 * caller hands it the next record's raw text, and the first lines that record's address
 * lookups will read start loading while it is decoded.
 */
#include "detect-intel.h"

#include <stdlib.h>
#include <string.h>

#include "intel-json.h"
#include "json-write.h"
#include "util-mem.h"

#define PORT_KIND (-1)          /* a field read only as the port of an address field */
#define NO_NODE 0xffffu

typedef struct path_node {
    const char *name;           /* the component (not NUL-terminated) */
    uint16_t len;
    uint16_t child, sibling;    /* node indices; NO_NODE: none */
    int16_t slot;               /* the field of this path; -1: an inner node only */
} path_node;

struct vg_intel_matcher {
    size_t nfields;
    vg_intel_field fields[VG_INTEL_MAX_FIELDS];
    int port_slot[VG_INTEL_MAX_FIELDS];     /* slot of an address field's port, or -1 */
    int fallback_of[VG_INTEL_MAX_FIELDS];   /* a fallback field: the field it stands in for, or -1 */
    size_t nnodes;
    path_node nodes[VG_INTEL_MAX_FIELDS * VG_INTEL_MAX_DEPTH + 1];     /* 0: the root */
};

#define NAME_CACHE 512           /* slots of the names remembered per worker (a power of 2; at
                                   most half are used, so a probe always ends) */

/* A decoder's field name (a string constant: its address identifies it) and its slot. */
typedef struct name_slot {
    const char *name;
    int slot;                   /* -1: no field of the matcher */
} name_slot;

#define SHAPE_FIELDS 64          /* field positions whose last name and slot are remembered */

/* The name a decoder gave the field at one position of the last event, and its slot: events
 * of one decoder mostly repeat their sequence of fields, so a position usually finds its
 * name again. */
typedef struct shape_slot {
    const char *name;
    int slot;
} shape_slot;

#define ROLE_CACHE 256          /* provenance summaries remembered per worker (a power of 2) */

/* What the sources of one ref say, as report() needs it: a known-good source, a threat source,
 * and until when some threat source is valid (never: one never expires). */
typedef struct role_entry {
    uint32_t ref;               /* 0: empty (ref 0 has no sources) */
    uint8_t allow, block, never;
    int64_t latest;             /* the latest expiry of a threat source */
} role_entry;

#define MAX_OBS 16              /* observables parsed before their lookups start (prefetched together) */

/* One value to look up: its field, the value as read, the port paired with it (-1: none). */
typedef struct obs {
    uint32_t field;
    long port;
    const char *value;
    size_t len;
} obs;

struct vg_intel_scratch {
    const vg_intel_matcher *cached_for;     /* the matcher the name cache is for */
    unsigned nnames;                        /* names remembered */
    name_slot names[NAME_CACHE];
    shape_slot shape[SHAPE_FIELDS];         /* for the same matcher as names */
    const vg_snap *roles_for;               /* the snapshot the role cache is for */
    uint64_t roles_id;                      /* and its identity (a reload may reuse the address) */
    role_entry roles[ROLE_CACHE];
    uint32_t gen;                           /* the current event's generation */
    uint32_t seen[VG_INTEL_MAX_FIELDS];     /* slot holds a value of this generation */
    unsigned nset;
    uint16_t set[VG_INTEL_MAX_FIELDS];      /* the slots given a value, in the order found */
    vg_value slot[VG_INTEL_MAX_FIELDS];
    vg_json_doc arr;                        /* an array value, scanned */
    unsigned nobs;                          /* observables parsed, not yet looked up */
    obs obs[MAX_OBS];
    vg_ind ind[MAX_OBS], pair[MAX_OBS];     /* each observable, and with its port */
    char value[MAX_OBS][VG_IND_MAX_KEY + 1];    /* values that had to be decoded */
    vg_intel_hit hits[VG_INTEL_MAX_HITS + 1];
};

static const vg_intel_field default_fields[] = {
    { "source.ip", VG_IND_ANY_IP, "source.port", 0 },
    { "destination.ip", VG_IND_ANY_IP, "destination.port", 0 },
    { "client.ip", VG_IND_ANY_IP, "client.port", 0 },
    { "server.ip", VG_IND_ANY_IP, "server.port", 0 },
    { "host.ip", VG_IND_ANY_IP, NULL, 0 },
    { "dns.resolved_ip", VG_IND_ANY_IP, NULL, 0 },
    { "source.domain", VG_IND_DOMAIN, NULL, 0 },
    { "destination.domain", VG_IND_DOMAIN, NULL, 0 },
    { "client.domain", VG_IND_DOMAIN, NULL, 0 },
    { "server.domain", VG_IND_DOMAIN, NULL, 0 },
    { "url.domain", VG_IND_DOMAIN, NULL, 0 },
    { "dns.question.name", VG_IND_DOMAIN, NULL, 0 },
    { "tls.client.server_name", VG_IND_DOMAIN, NULL, 0 },
    { "url.full", VG_IND_URL, NULL, 0 },
    { "url.original", VG_IND_URL, NULL, 1 },
    { "file.hash.md5", VG_IND_MD5, NULL, 0 },
    { "file.hash.sha1", VG_IND_SHA1, NULL, 0 },
    { "file.hash.sha256", VG_IND_SHA256, NULL, 0 },
    { "process.hash.md5", VG_IND_MD5, NULL, 0 },
    { "process.hash.sha1", VG_IND_SHA1, NULL, 0 },
    { "process.hash.sha256", VG_IND_SHA256, NULL, 0 },
    { "dll.hash.md5", VG_IND_MD5, NULL, 0 },
    { "dll.hash.sha1", VG_IND_SHA1, NULL, 0 },
    { "dll.hash.sha256", VG_IND_SHA256, NULL, 0 },
    { "email.from.address", VG_IND_EMAIL, NULL, 0 },
    { "email.sender.address", VG_IND_EMAIL, NULL, 0 },
    { "email.reply_to.address", VG_IND_EMAIL, NULL, 0 },
    { "email.to.address", VG_IND_EMAIL, NULL, 0 },
    { "email.cc.address", VG_IND_EMAIL, NULL, 0 },
    { "email.bcc.address", VG_IND_EMAIL, NULL, 0 },
    { "user.email", VG_IND_EMAIL, NULL, 0 },
    { "user.name", VG_IND_ACCOUNT, NULL, 0 },
    { "user.target.name", VG_IND_ACCOUNT, NULL, 0 },
    { "user.effective.name", VG_IND_ACCOUNT, NULL, 0 },
    { "source.user.name", VG_IND_ACCOUNT, NULL, 0 },
    { "destination.user.name", VG_IND_ACCOUNT, NULL, 0 },
};

const vg_intel_field *vg_intel_default_fields(size_t *n)
{
    *n = sizeof default_fields / sizeof default_fields[0];
    return default_fields;
}

/* ---- the path tree ------------------------------------------------------------------------ */

/* Child of node named s[0..n), or NO_NODE. */
static uint16_t node_child(const vg_intel_matcher *m, uint16_t node, const char *s, size_t n)
{
    for (uint16_t c = m->nodes[node].child; c != NO_NODE; c = m->nodes[c].sibling) {
        const path_node *p = &m->nodes[c];
        if (p->len == n && p->name[0] == s[0] && memcmp(p->name, s, n) == 0)
            return c;
    }
    return NO_NODE;
}

/* Walks the dotted name s[0..n) down from node; the node reached, or NO_NODE. */
static uint16_t node_walk(const vg_intel_matcher *m, uint16_t node, const char *s, size_t n)
{
    size_t i = 0;
    while (node != NO_NODE) {
        const char *dot = memchr(s + i, '.', n - i);
        size_t end = dot ? (size_t)(dot - s) : n;
        if (end == i)
            return NO_NODE;
        node = node_child(m, node, s + i, end - i);
        if (!dot)
            return node;
        i = end + 1;
    }
    return NO_NODE;
}

/* Adds path to the tree with its slot; the same path twice is an error. */
static vg_rc tree_add(vg_intel_matcher *m, const char *path, int slot, vg_error *err)
{
    size_t n = strlen(path), i = 0, depth = 0;
    uint16_t node = 0;
    if (n == 0)
        return vg_fail(err, VG_ERR_USAGE, 0, "empty field path");
    while (i <= n) {
        const char *dot = memchr(path + i, '.', n - i);
        size_t end = dot ? (size_t)(dot - path) : n;
        if (end == i || end - i > 0xffff || ++depth > VG_INTEL_MAX_DEPTH)
            return vg_fail(err, VG_ERR_USAGE, 0, "field path %s: empty component or more than %d", path,
                           VG_INTEL_MAX_DEPTH);
        uint16_t c = node_child(m, node, path + i, end - i);
        if (c == NO_NODE) {
            c = (uint16_t)m->nnodes++;
            m->nodes[c] = (path_node){ path + i, (uint16_t)(end - i), NO_NODE, m->nodes[node].child, -1 };
            m->nodes[node].child = c;
        }
        node = c;
        i = end + 1;
    }
    if (m->nodes[node].slot >= 0)
        return vg_fail(err, VG_ERR_USAGE, 0, "field %s is given twice", path);
    m->nodes[node].slot = (int16_t)slot;
    return VG_OK;
}

static int field_index(const vg_intel_matcher *m, const char *path)
{
    for (size_t i = 0; i < m->nfields; i++)
        if (strcmp(m->fields[i].path, path) == 0)
            return (int)i;
    return -1;
}

static vg_rc matcher_add(vg_intel_matcher *m, const vg_intel_field *f, vg_error *err)
{
    if (m->nfields + (f->port ? 2 : 1) > VG_INTEL_MAX_FIELDS)
        return vg_fail(err, VG_ERR_USAGE, 0, "more than %d fields to match", VG_INTEL_MAX_FIELDS);
    if (f->kind != PORT_KIND && (f->kind <= VG_IND_NONE || f->kind >= VG_IND_NKINDS))
        return vg_fail(err, VG_ERR_USAGE, 0, "field %s: unknown kind", f->path);
    size_t i = m->nfields++;
    m->fields[i] = *f;
    m->port_slot[i] = -1;
    m->fallback_of[i] = -1;
    for (size_t j = i; f->fallback && j-- > 0;)
        if (m->fields[j].kind != PORT_KIND) {
            m->fallback_of[i] = (int)j;
            break;
        }
    vg_rc rc = tree_add(m, f->path, (int)i, err);
    if (rc || !f->port)
        return rc;
    int p = field_index(m, f->port);
    if (p < 0) {
        vg_intel_field port = { f->port, PORT_KIND, NULL, 0 };
        if ((rc = matcher_add(m, &port, err)) != VG_OK)
            return rc;
        p = (int)m->nfields - 1;
    } else if (m->fields[p].kind != PORT_KIND) {
        return vg_fail(err, VG_ERR_USAGE, 0, "field %s is both a port and a value", f->port);
    }
    m->port_slot[i] = p;
    return VG_OK;
}

vg_rc vg_intel_matcher_new(vg_intel_matcher **out, int defaults, const vg_intel_field *extra, size_t nextra,
                           vg_error *err)
{
    vg_intel_matcher *m = vg_calloc(1, sizeof *m);
    if (!m)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    m->nodes[0] = (path_node){ "", 0, NO_NODE, NO_NODE, -1 };
    m->nnodes = 1;
    size_t ndef = 0;
    const vg_intel_field *def = vg_intel_default_fields(&ndef);
    vg_rc rc = VG_OK;
    for (size_t i = 0; defaults && i < ndef && rc == VG_OK; i++)
        rc = matcher_add(m, &def[i], err);
    for (size_t i = 0; i < nextra && rc == VG_OK; i++) {
        int have = field_index(m, extra[i].path);
        if (have >= 0 && m->fields[have].kind == extra[i].kind && !extra[i].port)
            continue;   /* a default named again */
        rc = matcher_add(m, &extra[i], err);
    }
    if (rc) {
        vg_free(m);
        return rc;
    }
    *out = m;
    return VG_OK;
}

void vg_intel_matcher_free(vg_intel_matcher *m)
{
    vg_free(m);
}

vg_rc vg_intel_field_parse(char *spec, vg_intel_field *f, vg_error *err)
{
    char *eq = strrchr(spec, '=');
    if (!eq || eq == spec || !eq[1])
        return vg_fail(err, VG_ERR_USAGE, 0, "field '%s': expected PATH=KIND", spec);
    *eq = '\0';
    char *kind = eq + 1, *port = NULL;
    if (strncmp(kind, "ip:", 3) == 0 && kind[3]) {
        port = kind + 3;
        kind[2] = '\0';
    }
    int k = vg_ind_kind_from_name(kind, strlen(kind));
    if (k == VG_IND_GUESS || (k > VG_IND_NONE && k < VG_IND_NKINDS && k != VG_IND_ANY_CIDR)) {
        *f = (vg_intel_field){ spec, k, port, 0 };
        return VG_OK;
    }
    return vg_fail(err, VG_ERR_USAGE, 0, "field %s: unknown kind '%s' (ip, domain, url, hash, email, account, auto)",
                   spec, kind);
}

vg_rc vg_intel_scratch_new(vg_intel_scratch **out, vg_error *err)
{
    vg_intel_scratch *w = vg_calloc(1, sizeof *w);
    if (!w || vg_json_doc_init(&w->arr, VG_INTEL_ARRAY_TOKENS, 8) != VG_OK) {
        vg_free(w);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    *out = w;
    return VG_OK;
}

void vg_intel_scratch_free(vg_intel_scratch *w)
{
    if (!w)
        return;
    vg_json_doc_free(&w->arr);
    vg_free(w);
}

/* ---- gathering the event's values --------------------------------------------------------- */

static void slot_set(vg_intel_scratch *w, int slot, vg_value v)
{
    if (w->seen[slot] == w->gen)
        return;     /* the decoder's value, or the record's first */
    w->seen[slot] = w->gen;
    w->set[w->nset++] = (uint16_t)slot;
    w->slot[slot] = v;
}

/* Walks the members of object token obj of doc under tree node. */
static void gather_object(const vg_intel_matcher *m, vg_intel_scratch *w, const vg_json_doc *doc, uint32_t obj,
                          uint16_t node, int depth)
{
    const vg_json_tok *t = doc->toks;
    uint32_t end = t[obj].next;
    for (uint32_t k = obj + 1; k < end; k = t[k + 1].next) {
        if (t[k].flags & VG_JSON_ESCAPED)
            continue;       /* no field path needs an escaped key */
        uint16_t c = node_walk(m, node, doc->text + t[k].start, t[k].len);
        if (c == NO_NODE)
            continue;
        const vg_json_tok *v = &t[k + 1];
        if (m->nodes[c].slot >= 0)
            slot_set(w, m->nodes[c].slot, vg_json_value(doc, k + 1));
        if (v->type == VG_JSON_OBJECT && m->nodes[c].child != NO_NODE && depth < VG_INTEL_MAX_DEPTH)
            gather_object(m, w, doc, k + 1, c, depth + 1);
    }
}

/* The slot of a decoder's field name not in the cache: walked down the tree, then remembered
 * in the free slot e where its probe ended (while the cache is at most half full). Kept out of
 * line, so the loop over an event's fields stays small. */
static __attribute__((noinline)) int name_slot_miss(const vg_intel_matcher *m, vg_intel_scratch *w, name_slot *e,
                                                    const char *name)
{
    uint16_t c = node_walk(m, 0, name, strlen(name));
    int slot = c != NO_NODE ? m->nodes[c].slot : -1;
    if (w->nnames < NAME_CACHE / 2) {
        w->nnames++;
        *e = (name_slot){ name, slot };
    }
    return slot;
}

/* The slot of a decoder's field name: decoders name fields with string constants, so the
 * address finds it in a small open-addressing cache (names are never evicted: two names whose
 * addresses collide both stay); a miss walks the tree. */
static inline int name_slot_of(const vg_intel_matcher *m, vg_intel_scratch *w, const char *name)
{
    size_t h = ((uintptr_t)name * 0x9E3779B97F4A7C15ull) >> 55 & (NAME_CACHE - 1);
    for (;; h = (h + 1) & (NAME_CACHE - 1)) {
        name_slot *e = &w->names[h];
        if (e->name == name)
            return e->slot;
        if (!e->name)
            return name_slot_miss(m, w, e, name);
    }
}

static void gather(const vg_intel_matcher *m, vg_intel_scratch *w, const vg_event *ev)
{
    if (++w->gen == 0) {
        memset(w->seen, 0, sizeof w->seen);
        w->gen = 1;
    }
    w->nset = 0;
    if (w->cached_for != m) {
        memset(w->names, 0, sizeof w->names);
        memset(w->shape, 0, sizeof w->shape);
        w->nnames = 0;
        w->cached_for = m;
    }
    const vg_field *fields = ev->fields;
    for (unsigned i = 0, nf = ev->nfields; i < nf; i++) {
        const char *name = fields[i].name;
        shape_slot *p = &w->shape[i & (SHAPE_FIELDS - 1)];
        if (p->name != name)    /* another name at this position than in the last event */
            *p = (shape_slot){ name, name_slot_of(m, w, name) };
        int s = p->slot;
        if (s >= 0) {
            /* the value set last wins: later fields overwrite earlier ones of the same name */
            if (w->seen[s] != w->gen)
                w->set[w->nset++] = (uint16_t)s;
            w->seen[s] = w->gen;
            w->slot[s] = fields[i].value;
        }
    }
    if (ev->doc && ev->doc->ntoks && ev->doc->toks[0].type == VG_JSON_OBJECT)
        gather_object(m, w, ev->doc, 0, 0, 0);
}

/* ---- lookups ------------------------------------------------------------------------------ */

typedef struct match_run {
    const vg_intel_matcher *m;
    vg_intel_scratch *w;
    const vg_snap *snap;
    const vg_event *ev;
    int64_t now;
    vg_intel_alert_fn alert;
    void *ctx;
    vg_intel_stats *st;
} match_run;

/* The summary of ref's sources: decoded once, then remembered (a hot network or address has
 * the same few refs event after event). */
static const role_entry *ref_roles(vg_intel_scratch *w, const vg_snap *snap, uint32_t ref)
{
    role_entry *e = &w->roles[(ref * 0x9E3779B1u) >> 24 & (ROLE_CACHE - 1)];
    if (e->ref == ref && ref)
        return e;
    *e = (role_entry){ ref, 0, 0, 0, INT64_MIN };
    size_t n = vg_snap_source_count(snap, ref);
    for (size_t i = 0; i < n; i++) {
        vg_intel_source src;
        if (vg_snap_source(snap, ref, i, &src) != 0)
            continue;
        if (src.role == VG_INTEL_ALLOW) {
            e->allow = 1;
        } else {
            e->block = 1;
            e->never |= !src.expires;
            e->latest = src.expires > e->latest ? src.expires : e->latest;
        }
    }
    return e;
}

/* Reports the hits of one value: suppressed when a known-good list names it. */
static vg_rc report(match_run *r, vg_intel_alert *a, size_t nhits)
{
    int allow = 0, block[VG_INTEL_MAX_HITS + 1], valid[VG_INTEL_MAX_HITS + 1];
    r->st->hits += nhits;
    for (size_t i = 0; i < nhits; i++) {
        const role_entry *e = ref_roles(r->w, r->snap, r->w->hits[i].ref);
        block[i] = e->block;
        valid[i] = e->never || e->latest > r->now;   /* a threat source that has not expired */
        allow |= e->allow;
    }
    for (size_t i = 0; i < nhits; i++) {
        if (!block[i]) {
            r->st->allowed++;
        } else if (allow) {
            r->st->suppressed++;
        } else if (!valid[i]) {
            r->st->expired++;
        } else {
            a->hit = &r->w->hits[i];
            r->st->alerts++;
            vg_rc rc = r->alert(r->ctx, a);
            if (rc)
                return rc;
        }
    }
    return VG_OK;
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is looked up as the IPv4 address. */
static void unmap_v4(vg_ind *ind)
{
    static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (ind->type == VG_IND_IPV6 && memcmp(ind->key, prefix, 12) == 0) {
        memmove(ind->key, ind->key + 12, 4);
        ind->type = VG_IND_IPV4;
        ind->len = 4;
    }
}

/* The port of slot s as a number, or -1. */
static long port_value(const vg_intel_scratch *w, int s)
{
    if (s < 0 || w->seen[s] != w->gen)
        return -1;
    const vg_value *v = &w->slot[s];
    if ((v->type != VG_JSON_NUMBER && v->type != VG_JSON_STRING) || v->len == 0 || v->len > 5)
        return -1;
    long p = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        if (v->ptr[i] < '0' || v->ptr[i] > '9')
            return -1;
        p = p * 10 + (v->ptr[i] - '0');
    }
    return p <= 65535 ? p : -1;
}

/* Looks up the observables parsed so far: first every one's memory is requested, then they
 * are looked up one after another, so the cache misses of an event overlap. */
static vg_rc flush(match_run *r)
{
    vg_intel_scratch *w = r->w;
    unsigned n = w->nobs;
    w->nobs = 0;
    for (unsigned k = 0; k < n; k++) {
        vg_snap_prefetch(r->snap, &w->ind[k]);
        if (w->obs[k].port >= 0)
            vg_snap_prefetch(r->snap, &w->pair[k]);
    }
    for (unsigned k = 0; k < n; k++) {
        const obs *o = &w->obs[k];
        const vg_intel_field *f = &r->m->fields[o->field];
        r->st->lookups++;
        size_t nhits = vg_snap_match(r->snap, &w->ind[k], w->hits, VG_INTEL_MAX_HITS);
        vg_rc rc;
        if (nhits) {
            vg_intel_alert a = { r->ev, r->snap, f->path, o->value, o->len, NULL, 0, NULL, r->now };
            if ((rc = report(r, &a, nhits)) != VG_OK)
                return rc;
        }
        if (o->port < 0)
            continue;
        r->st->lookups++;
        nhits = vg_snap_match(r->snap, &w->pair[k], w->hits, VG_INTEL_MAX_HITS);
        if (nhits) {
            vg_intel_alert a = { r->ev, r->snap, f->path, o->value, o->len, f->port, (unsigned)o->port, NULL, r->now };
            if ((rc = report(r, &a, nhits)) != VG_OK)
                return rc;
        }
    }
    return VG_OK;
}

/* Parses one string value of field i (s[0..n), decoded) into the next observable. */
static vg_rc match_value(match_run *r, size_t i, const char *s, size_t n)
{
    const vg_intel_field *f = &r->m->fields[i];
    vg_intel_scratch *w = r->w;
    if (n == 0 || (n == 1 && s[0] == '-'))
        return VG_OK;       /* an empty value, as logs write it */
    r->st->values++;
    unsigned k = w->nobs;
    vg_ind *ind = &w->ind[k];
    if (vg_ind_parse(f->kind, s, n, ind, NULL) != VG_OK) {
        r->st->invalid++;
        return VG_OK;
    }
    unmap_v4(ind);
    long port = port_value(w, r->m->port_slot[i]);
    if (ind->type != VG_IND_IPV4 && ind->type != VG_IND_IPV6)
        port = -1;
    if (port >= 0) {
        /* the address with its port: an IP:port indicator (the key only: a vg_ind is 4 KiB) */
        vg_ind *p = &w->pair[k];
        memcpy(p->key, ind->key, 16);       /* a fixed-size copy: ind->len (4 or 16) bytes matter */
        p->prefix = 0;
        p->flags = 0;
        p->type = ind->type == VG_IND_IPV4 ? VG_IND_IPPORT4 : VG_IND_IPPORT6;
        p->key[ind->len] = (unsigned char)(port >> 8);
        p->key[ind->len + 1] = (unsigned char)port;
        p->len = ind->len + 2;
    }
    w->obs[k] = (obs){ (uint32_t)i, port, s, n };
    return ++w->nobs == MAX_OBS ? flush(r) : VG_OK;
}

/* Looks up a string value (escaped or not) of field i. */
static vg_rc match_string(match_run *r, size_t i, const vg_value *v)
{
    if (!(v->flags & VG_JSON_ESCAPED) || (v->flags & VG_VALUE_PLAIN))
        return match_value(r, i, v->ptr, v->len);
    if (v->len > VG_IND_MAX_KEY) {
        r->st->values++;
        r->st->invalid++;
        return VG_OK;
    }
    char *buf = r->w->value[r->w->nobs];    /* the slot of the observable it may become */
    size_t n = vg_json_unescape(v->ptr, v->len, buf);
    return match_value(r, i, buf, n);
}

/* Looks up each string of an array value of field i. */
static vg_rc match_array(match_run *r, size_t i, const vg_value *v)
{
    vg_json_doc *d = &r->w->arr;
    size_t end;
    if (vg_json_parse(d, v->ptr, v->len, 0, &end, NULL) != VG_OK || d->toks[0].type != VG_JSON_ARRAY) {
        r->st->values++;
        r->st->invalid++;
        return VG_OK;
    }
    vg_rc rc = VG_OK;
    for (uint32_t k = 1; k < d->ntoks && rc == VG_OK; k = d->toks[k].next) {
        vg_value e = vg_json_value(d, k);
        if (e.type == VG_JSON_STRING) {
            rc = match_string(r, i, &e);
        } else {
            r->st->values++;
            r->st->invalid++;
        }
    }
    return rc;
}

vg_rc vg_intel_match_event(const vg_intel_matcher *m, vg_intel_scratch *w, const vg_snap *snap,
                           const vg_event *ev, int64_t now, vg_intel_alert_fn alert, void *ctx,
                           vg_intel_stats *st)
{
    match_run r = { m, w, snap, ev, now, alert, ctx, st };
    st->events++;
    if (w->roles_for != snap || w->roles_id != vg_snap_identity(snap)) {    /* another snapshot */
        memset(w->roles, 0, sizeof w->roles);
        w->roles_for = snap;
        w->roles_id = vg_snap_identity(snap);
    }
    gather(m, w, ev);
    w->nobs = 0;
    vg_rc rc = VG_OK;
    for (unsigned k = 0; k < w->nset && rc == VG_OK; k++) {
        unsigned i = w->set[k];
        int instead = m->fallback_of[i];
        if (m->fields[i].kind == PORT_KIND || (instead >= 0 && w->seen[instead] == w->gen))
            continue;
        const vg_value *v = &w->slot[i];
        if (v->type == VG_JSON_STRING)
            rc = match_string(&r, i, v);
        else if (v->type == VG_JSON_ARRAY)
            rc = match_array(&r, i, v);
        else if (v->type != VG_JSON_NULL) {
            st->values++;
            st->invalid++;
        }
    }
    return rc ? rc : flush(&r);
}

/* The dotted quad at s (up to end) into *addr, and where it ends; NULL if there is none. A
 * hint's parse: four parts of 1-3 digits, each at most 255 (leading zeros pass: a wrong guess
 * costs a useless prefetch, never a wrong result). */
static const char *quad_at(const char *s, const char *end, uint32_t *addr)
{
    uint32_t a = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0, k = 0, d;
        while (k < 3 && s < end && (d = (unsigned)(unsigned char)*s - '0') <= 9) {
            v = v * 10 + d;
            s++;
            k++;
        }
        if (!k || v > 255 || (part < 3 && (s >= end || *s++ != '.')))
            return NULL;
        a = a << 8 | v;
    }
    *addr = a;
    return s;
}

/* The port written right after an address at p (":N" or " port N"), or -1. */
static long port_after(const char *p, const char *end)
{
    if (p < end && *p == ':')
        p++;
    else if (end - p > 6 && memcmp(p, " port ", 6) == 0)
        p += 6;
    else
        return -1;
    long v = 0;
    unsigned k = 0, d;
    for (; k < 5 && p < end && (d = (unsigned)(unsigned char)*p - '0') <= 9; p++, k++)
        v = v * 10 + d;
    return k ? v : -1;
}

void vg_intel_prefetch_text(const vg_snap *snap, const char *text, size_t n)
{
    const char *end = text + (n < VG_INTEL_AHEAD ? n : VG_INTEL_AHEAD), *p = text;
    while (end - p >= 7) {      /* each dot after a digit may be the first dot of a quad */
        const char *dot = memchr(p + 1, '.', (size_t)(end - p - 1));
        if (!dot || end - dot < 6)
            return;
        const char *s = dot;
        while (s > p && dot - s < 3 && s[-1] >= '0' && s[-1] <= '9')
            s--;
        uint32_t addr;
        const char *e = s < dot ? quad_at(s, end, &addr) : NULL;
        if (e)
            vg_snap_hint_ipv4(snap, addr, port_after(e, end));
        p = e ? e : dot + 1;
    }
}

/* ---- the alert's JSON --------------------------------------------------------------------- */

static const char *match_name(const vg_intel_hit *h)
{
    if (h->parent)
        return "parent domain";
    if (h->type == VG_IND_CIDR4 || h->type == VG_IND_CIDR6)
        return "network";
    return "exact";
}

vg_rc vg_intel_alert_json(vg_buf *b, const vg_intel_alert *a)
{
    char text[VG_IND_TEXT_MAX];
    size_t n = vg_snap_hit_format(a->hit, text, sizeof text);
    vg_buf_printf(b, ",\"threat\":{\"indicator\":{\"type\":\"%s\",\"value\":", vg_ind_kind_name(a->hit->type));
    vg_jw_string(b, text, n, NULL);
    vg_buf_printf(b, ",\"match\":\"%s\"},\"sources\":[", match_name(a->hit));
    size_t nsrc = vg_snap_source_count(a->snap, a->hit->ref), written = 0;
    for (size_t i = 0; i < nsrc; i++) {
        vg_intel_source src;
        if (vg_snap_source(a->snap, a->hit->ref, i, &src) != 0 || src.role == VG_INTEL_ALLOW ||
            (src.expires && src.expires <= a->now))
            continue;
        if (written++)
            vg_buf_putc(b, ',');
        vg_intel_json_source(b, a->snap, &src, a->now);
    }
    vg_buf_puts(b, "]},\"matched\":{\"field\":");
    vg_jw_string(b, a->field, strlen(a->field), NULL);
    vg_buf_puts(b, ",\"value\":");
    vg_jw_string(b, a->value, a->value_len, NULL);
    if (a->port_field) {
        vg_buf_puts(b, ",\"port_field\":");
        vg_jw_string(b, a->port_field, strlen(a->port_field), NULL);
        vg_buf_printf(b, ",\"port\":%u", a->port);
    }
    return vg_buf_putc(b, '}');
}
