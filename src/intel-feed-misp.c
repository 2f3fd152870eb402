/*
 * intel-feed-misp: MISP feeds (format "misp"), read with the project's in-place JSON scanner.
 *
 * A MISP feed is a directory holding manifest.json, an object that maps each event's uuid to
 * a summary of it, and one file <uuid>.json per event: {"Event": {uuid, info, date,
 * threat_level_id, Tag: [..], Galaxy: [..], Attribute: [..], Object: [{name, Attribute: [..]}]}}.
 * vg_feed_parse is given the manifest: it records the listed uuids, then reads each event
 * file beside it (a listed event whose file cannot be read is reported at the manifest's
 * line), and reports every other *.json file there (not listed: not loaded). Given an event
 * file instead, it reads just that event. Errors in an event name the event file and the
 * line where the attribute starts.
 *
 * Each attribute is a record. One with "to_ids": true (and not deleted) becomes indicators by
 * its type (see misp_types); to_ids false and "link" attributes are counted as not for
 * detection (links become references); deleted attributes and attributes of deleted objects
 * are counted as revoked; any other type is rejected, each attribute, with its type named.
 *
 * Provenance: family from MISP tags (attribute, then event, then event galaxy clusters):
 * misp-galaxy:<g>="Name" for a family galaxy (malpedia, mitre-malware, ransomware, ...) or
 * malware_family:"Name"; note = event info / attribute comment; references = misp:event/<uuid>
 * and the event's link attributes; count = a misp:confidence-level tag (100/75/50/25/0), else
 * the threat level (1 high: 90, 2 medium: 60, 3 low: 30); first seen = attribute first_seen,
 * else the event date; last seen = attribute last_seen, else its timestamp.
 */
#include "intel-feed.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel-feed-internal.h"
#include "util-mem.h"

#define MISP_UUID_LEN 36
#define MISP_MAX_PATH 4096      /* limit: length of an event file's path */
#define MISP_MAX_TYPE 64        /* limit: length of an attribute type shown in a reason */

typedef struct misp_listed {
    char uuid[MISP_UUID_LEN + 1];
    uint64_t line;              /* line of the manifest entry */
} misp_listed;

typedef struct misp_state {
    feed_json *js;
    misp_listed *listed;
    size_t nlisted, cap;
    int manifest;               /* a manifest was read */
    char dir[MISP_MAX_PATH];
    char path[MISP_MAX_PATH];
    /* the event being read */
    char uuid[MISP_UUID_LEN + 1];
    char family[VG_FEED_MAX_TEXT];
    char attr_family[VG_FEED_MAX_TEXT];
    char info[VG_FEED_MAX_TEXT];
    size_t info_len;
    char note[VG_FEED_MAX_TEXT];
    feed_refs refs;
    uint32_t count;
    int64_t date;
    char value[VG_FEED_MAX_TEXT * 4];
    char ipport[VG_FEED_MAX_TEXT];
} misp_state;

/* ---- attribute types ---------------------------------------------------------------------- */

typedef enum misp_map {
    M_IP,           /* an address, or a network with '/' */
    M_IPPORT,       /* "ip|port" */
    M_DOMAIN,       /* a domain (subdomains match, unless the feed says exact) */
    M_HOSTNAME,     /* a host name: matches only itself */
    M_DOMAIN_IP,    /* "domain|ip": both */
    M_HOSTNAME_PORT,/* "hostname|port": the host name (the port is checked, not kept) */
    M_URL,
    M_HASH,         /* md5, sha1, sha256 */
    M_FILE_HASH,    /* "filename|hash": the hash */
    M_EMAIL,
    M_ACCOUNT,
    M_ASN
} misp_map;

static const struct misp_type {
    const char *name;
    misp_map map;
    int kind;
} misp_types[] = {
    { "ip-src", M_IP, 0 }, { "ip-dst", M_IP, 0 },
    { "ip-src|port", M_IPPORT, VG_IND_ANY_IPPORT }, { "ip-dst|port", M_IPPORT, VG_IND_ANY_IPPORT },
    { "domain", M_DOMAIN, VG_IND_DOMAIN }, { "hostname", M_HOSTNAME, VG_IND_DOMAIN },
    { "domain|ip", M_DOMAIN_IP, VG_IND_DOMAIN }, { "hostname|port", M_HOSTNAME_PORT, VG_IND_DOMAIN },
    { "url", M_URL, VG_IND_URL }, { "uri", M_URL, VG_IND_URL },
    { "md5", M_HASH, VG_IND_MD5 }, { "sha1", M_HASH, VG_IND_SHA1 }, { "sha256", M_HASH, VG_IND_SHA256 },
    { "filename|md5", M_FILE_HASH, VG_IND_MD5 }, { "filename|sha1", M_FILE_HASH, VG_IND_SHA1 },
    { "filename|sha256", M_FILE_HASH, VG_IND_SHA256 },
    { "email", M_EMAIL, VG_IND_EMAIL }, { "email-src", M_EMAIL, VG_IND_EMAIL },
    { "email-dst", M_EMAIL, VG_IND_EMAIL }, { "email-reply-to", M_EMAIL, VG_IND_EMAIL },
    { "target-email", M_EMAIL, VG_IND_EMAIL },
    { "target-user", M_ACCOUNT, VG_IND_ACCOUNT },
    { "AS", M_ASN, VG_IND_ASN },
};

static const struct misp_type *misp_type(const char *name)
{
    for (size_t i = 0; i < sizeof misp_types / sizeof misp_types[0]; i++)
        if (strcmp(misp_types[i].name, name) == 0)
            return &misp_types[i];
    return NULL;
}

/* ---- tags --------------------------------------------------------------------------------- */

/* Galaxies whose clusters name a malware family, tool or actor. */
static const char *const family_galaxies[] = {
    "malpedia", "mitre-malware", "mitre-tool", "ransomware", "banker", "botnet", "rat", "stealer",
    "backdoor", "tool", "android", "exploit-kit", "threat-actor", "mitre-intrusion-set",
    "microsoft-activity-group", NULL
};

static int is_family_galaxy(const char *s, size_t n)
{
    for (const char *const *g = family_galaxies; *g; g++)
        if (strlen(*g) == n && memcmp(*g, s, n) == 0)
            return 1;
    return 0;
}

/* Copies a tag value ("Name" or Name) into out if out is still empty. */
static void tag_value(const char *v, size_t n, char *out)
{
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        v++;
        n -= 2;
    }
    if (!out[0] && n && feed_text(v, n, out) != 0)
        out[0] = '\0';
}

/* What a tag says: a family (into family, if empty) or a confidence (into *conf). */
static void tag_meaning(const char *t, size_t n, char *family, uint32_t *conf, int *has_conf)
{
    static const char galaxy[] = "misp-galaxy:", confidence[] = "misp:confidence-level=";
    static const struct { const char *level; uint32_t value; } levels[] = {
        { "\"completely-confident\"", 100 }, { "\"usually-confident\"", 75 },
        { "\"fairly-confident\"", 50 }, { "\"rarely-confident\"", 25 }, { "\"unconfident\"", 0 },
    };
    const char *eq = memchr(t, '=', n);
    if (n > sizeof galaxy - 1 && memcmp(t, galaxy, sizeof galaxy - 1) == 0 && eq) {
        const char *g = t + sizeof galaxy - 1;
        if (is_family_galaxy(g, (size_t)(eq - g)))
            tag_value(eq + 1, n - (size_t)(eq + 1 - t), family);
        return;
    }
    if (n > 15 && (memcmp(t, "malware_family", 14) == 0 || memcmp(t, "malware-family", 14) == 0) &&
        (t[14] == '=' || t[14] == ':')) {
        tag_value(t + 15, n - 15, family);
        return;
    }
    if (n > sizeof confidence - 1 && memcmp(t, confidence, sizeof confidence - 1) == 0 && !*has_conf) {
        const char *l = t + sizeof confidence - 1;
        for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
            if (strlen(levels[i].level) == n - (sizeof confidence - 1) && memcmp(levels[i].level, l, strlen(levels[i].level)) == 0) {
                *conf = levels[i].value;
                *has_conf = 1;
            }
        }
    }
}

/* The tags of object token obj ("Tag": [{"name": ..}]). */
static void read_tags(feed_json *js, int obj, char *family, uint32_t *conf, int *has_conf)
{
    int tags = feed_json_member(js, obj, "Tag");
    if (feed_json_type(js, tags) != VG_JSON_ARRAY)
        return;
    FEED_JSON_EACH(js, tags, t) {
        size_t n;
        const char *name = feed_json_member_string(js, (int)t, "name", &n);
        if (name)
            tag_meaning(name, n, family, conf, has_conf);
    }
}

/* The event's galaxy clusters: their tag_name, else the value of a family galaxy's cluster. */
static void read_galaxies(feed_json *js, int ev, char *family, uint32_t *conf, int *has_conf)
{
    int gals = feed_json_member(js, ev, "Galaxy");
    if (feed_json_type(js, gals) != VG_JSON_ARRAY)
        return;
    FEED_JSON_EACH(js, gals, g) {
        size_t n;
        const char *type = feed_json_member_string(js, (int)g, "type", &n);
        int family_galaxy = type && is_family_galaxy(type, n);
        int clusters = feed_json_member(js, (int)g, "GalaxyCluster");
        if (feed_json_type(js, clusters) != VG_JSON_ARRAY)
            continue;
        FEED_JSON_EACH(js, clusters, c) {
            const char *s = feed_json_member_string(js, (int)c, "tag_name", &n);
            if (s)
                tag_meaning(s, n, family, conf, has_conf);
            else if (family_galaxy && (s = feed_json_member_string(js, (int)c, "value", &n)) != NULL)
                tag_value(s, n, family);
        }
    }
}

/* ---- attributes --------------------------------------------------------------------------- */

/* A JSON boolean member (absent: 0); -1 if it is something else. */
static int member_bool(feed_json *js, int obj, const char *key)
{
    vg_json_type t = feed_json_type(js, feed_json_member(js, obj, key));
    return t == VG_JSON_NONE || t == VG_JSON_FALSE ? 0 : t == VG_JSON_TRUE ? 1 : -1;
}

/* A time member: RFC 3339 / ISO 8601 text, a date, or epoch seconds (string or number).
 * Returns 0 (*out unchanged when absent or empty) or -1. */
static int member_time(feed_json *js, int obj, const char *key, int64_t *out)
{
    int i = feed_json_member(js, obj, key);
    vg_value v = i >= 0 ? vg_json_value(&js->doc, (uint32_t)i) : (vg_value){ 0, 0, 0, NULL };
    size_t n;
    const char *s;
    if (v.type == VG_JSON_NONE || v.type == VG_JSON_NULL)
        return 0;
    if (v.type == VG_JSON_NUMBER)
        return feed_date(v.ptr, v.len, out);
    if (!(s = feed_json_string(js, i, &n)))
        return -1;
    return n == 0 ? 0 : feed_date(s, n, out);
}

/* Emits value v[0..n) of an attribute of type t. */
static vg_rc attribute_value(feed_ctx *fc, misp_state *ms, const struct misp_type *t, char *v, size_t n,
                             vg_feed_prov *prov)
{
    switch (t->map) {
    case M_IP:
        return feed_value(fc, memchr(v, '/', n) ? VG_IND_ANY_CIDR : VG_IND_ANY_IP, v, n, prov, t->name, NULL);
    case M_HOSTNAME:
        prov->flags |= VG_PROV_HOST_ONLY;
        return feed_value(fc, t->kind, v, n, prov, t->name, NULL);
    case M_IPPORT: case M_DOMAIN_IP: case M_HOSTNAME_PORT: case M_FILE_HASH:
        break;
    default:
        return feed_value(fc, t->kind, v, n, prov, t->name, NULL);
    }
    const char *bar = memrchr(v, '|', n);
    if (!bar) {
        feed_reject(fc, prov->line, "%s value has no '|'", t->name);
        return VG_OK;
    }
    size_t left = (size_t)(bar - v), right = n - left - 1;
    const char *r = bar + 1;
    if (t->map == M_FILE_HASH)
        return feed_value(fc, t->kind, r, right, prov, t->name, NULL);
    if (t->map == M_IPPORT) {
        int v6 = memchr(v, ':', left) != NULL;
        int w = snprintf(ms->ipport, sizeof ms->ipport, "%s%.*s%s:%.*s", v6 ? "[" : "", (int)left, v, v6 ? "]" : "",
                         (int)right, r);
        if (w < 0 || (size_t)w >= sizeof ms->ipport) {
            feed_reject(fc, prov->line, "%s value is too long", t->name);
            return VG_OK;
        }
        return feed_value(fc, VG_IND_ANY_IPPORT, ms->ipport, (size_t)w, prov, t->name, NULL);
    }
    if (t->map == M_HOSTNAME_PORT) {
        uint32_t port;
        if (feed_count(r, right, &port) != 0 || port == 0 || port > 65535) {
            feed_reject(fc, prov->line, "%s value: the port is not 1-65535", t->name);
            return VG_OK;
        }
        prov->flags |= VG_PROV_HOST_ONLY;
        return feed_value(fc, VG_IND_DOMAIN, v, left, prov, t->name, NULL);
    }
    /* domain|ip: both */
    vg_rc rc = feed_value(fc, VG_IND_DOMAIN, v, left, prov, t->name, NULL);
    return rc ? rc : feed_value(fc, VG_IND_ANY_IP, r, right, prov, t->name, NULL);
}

/* One attribute (token a); deleted: it belongs to a deleted object. */
static vg_rc attribute(feed_ctx *fc, misp_state *ms, uint32_t a, int deleted)
{
    feed_json *js = ms->js;
    uint64_t line = feed_json_line(js, a);
    fc->st->records++;
    if (feed_json_type(js, (int)a) != VG_JSON_OBJECT) {
        feed_reject(fc, line, "attribute is not an object");
        return VG_OK;
    }
    char type[MISP_MAX_TYPE];
    size_t n;
    const char *s = feed_json_member_string(js, (int)a, "type", &n);
    if (!s || n == 0 || n >= sizeof type || feed_text(s, n, type) != 0) {
        feed_reject(fc, line, "attribute has no \"type\" (text of 1-%zu bytes)", sizeof type - 1);
        return VG_OK;
    }
    int del = member_bool(js, (int)a, "deleted"), ids = member_bool(js, (int)a, "to_ids");
    if (del < 0 || ids < 0) {
        feed_reject(fc, line, "attribute's \"%s\" is not true or false", del < 0 ? "deleted" : "to_ids");
        return VG_OK;
    }
    if (del || deleted) {
        fc->st->revoked++;
        return VG_OK;
    }
    if (!ids || strcmp(type, "link") == 0) {
        fc->st->not_for_detection++;
        return VG_OK;
    }
    const struct misp_type *t = misp_type(type);
    if (!t) {
        feed_reject(fc, line, "attribute type '%s' cannot be held by vigil (no such indicator type)", type);
        return VG_OK;
    }
    vg_feed_prov prov;
    feed_prov_init(fc, &prov, line);
    int has_conf = 0;
    uint32_t conf = 0;
    ms->attr_family[0] = '\0';
    read_tags(js, (int)a, ms->attr_family, &conf, &has_conf);
    if (!fc->opts->family)
        prov.family = ms->attr_family[0] ? ms->attr_family : ms->family;
    prov.count = has_conf ? conf : ms->count;
    size_t nlen = ms->info_len;
    memcpy(ms->note, ms->info, nlen + 1);
    feed_json_note(js, feed_json_member(js, (int)a, "comment"), ms->note, &nlen, " / ");
    prov.note = ms->note;
    feed_refs_to_prov(&ms->refs, &prov);
    prov.first_seen = ms->date;
    static const char *const times[] = { "first_seen", "last_seen", "timestamp" };
    int64_t *dest[] = { &prov.first_seen, &prov.last_seen, &prov.last_seen };
    for (int i = 0; i < 3; i++) {
        if (i == 2 && prov.last_seen)
            break;
        if (member_time(js, (int)a, times[i], dest[i]) != 0) {
            feed_reject(fc, line, "attribute's \"%s\" is not a time", times[i]);
            return VG_OK;
        }
    }
    int vi = feed_json_member(js, (int)a, "value");
    vg_value v = vi >= 0 ? vg_json_value(&js->doc, (uint32_t)vi) : (vg_value){ 0, 0, 0, NULL };
    if (v.type != VG_JSON_STRING || v.len >= sizeof ms->value) {
        feed_reject(fc, line, "attribute has no \"value\" string of at most %zu bytes", sizeof ms->value - 1);
        return VG_OK;
    }
    n = vg_json_unescape(v.ptr, v.len, ms->value);
    ms->value[n] = '\0';
    return attribute_value(fc, ms, t, ms->value, n, &prov);
}

/* Calls fn on every attribute of the event (its own, then those of its objects, in the order
 * of the text), with whether the attribute's object is deleted. */
static vg_rc each_attribute(feed_ctx *fc, misp_state *ms, int ev,
                            vg_rc (*fn)(feed_ctx *, misp_state *, uint32_t, int))
{
    feed_json *js = ms->js;
    vg_rc rc = VG_OK;
    FEED_JSON_EACH_MEMBER(js, ev, k) {
        vg_value key = vg_json_value(&js->doc, k);
        int attrs = vg_json_string_equals(key.ptr, key.len, key.flags, "Attribute", 9);
        int objects = !attrs && vg_json_string_equals(key.ptr, key.len, key.flags, "Object", 6);
        if ((!attrs && !objects) || feed_json_type(js, (int)k + 1) != VG_JSON_ARRAY) {
            if ((attrs || objects) && fn == attribute)
                feed_reject(fc, feed_json_line(js, k), "event's \"%s\" is not an array", attrs ? "Attribute" : "Object");
            continue;
        }
        FEED_JSON_EACH(js, k + 1, i) {
            if (attrs) {
                rc = fn(fc, ms, i, 0);
            } else {
                int oa = feed_json_member(js, (int)i, "Attribute");
                int del = member_bool(js, (int)i, "deleted");
                if (feed_json_type(js, oa) != VG_JSON_ARRAY || del < 0) {
                    if (fn == attribute)
                        feed_reject(fc, feed_json_line(js, i), "object has no \"Attribute\" array, or its "
                                    "\"deleted\" is not true or false: its attributes are not loaded");
                    continue;
                }
                FEED_JSON_EACH(js, oa, j) {
                    if ((rc = fn(fc, ms, j, del != 0)) != VG_OK)
                        return rc;
                }
            }
            if (rc)
                return rc;
        }
    }
    return rc;
}

/* First pass over the attributes: links become references of every indicator of the event. */
static vg_rc collect_link(feed_ctx *fc, misp_state *ms, uint32_t a, int deleted)
{
    size_t n;
    const char *type = feed_json_member_string(ms->js, (int)a, "type", &n);
    if (deleted || !type || strcmp(type, "link") != 0 || member_bool(ms->js, (int)a, "deleted") != 0)
        return VG_OK;
    const char *url = feed_json_member_string(ms->js, (int)a, "value", &n);
    if (url && feed_refs_add(&ms->refs, url, n) < 0)
        feed_reject(fc, feed_json_line(ms->js, a), "link not used as a reference: not text, or over %d references "
                    "(%u bytes)", VG_FEED_MAX_REFS, VG_FEED_MAX_REFS_BYTES);
    return VG_OK;
}

/* ---- events and manifests ----------------------------------------------------------------- */

static int is_uuid(const char *s, size_t n)
{
    if (n != MISP_UUID_LEN)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : vg_hex_value((unsigned char)s[i] | 0x20) < 0)
            return 0;
    }
    return 1;
}

/* The event of the current record; expect: the uuid its file name says, or NULL. */
static vg_rc event(feed_ctx *fc, misp_state *ms, const char *expect)
{
    feed_json *js = ms->js;
    int ev = feed_json_member(js, 0, "Event");
    if (feed_json_type(js, ev) != VG_JSON_OBJECT) {
        feed_reject(fc, js->first_line, "not a MISP event: \"Event\" is not an object");
        return VG_OK;
    }
    uint64_t line = feed_json_line(js, (uint32_t)ev);
    size_t n;
    const char *uuid = feed_json_member_string(js, ev, "uuid", &n);
    if (!uuid || !is_uuid(uuid, n)) {
        feed_reject(fc, line, "event has no \"uuid\" (8-4-4-4-12 hex digits): not loaded");
        return VG_OK;
    }
    if (expect && strcasecmp(uuid, expect) != 0) {
        feed_reject(fc, line, "event uuid %s is not the one its file name and the manifest say: not loaded", uuid);
        return VG_OK;
    }
    memcpy(ms->uuid, uuid, n + 1);
    ms->date = 0;
    if (member_time(js, ev, "date", &ms->date) != 0) {
        feed_reject(fc, line, "event's \"date\" is not a date: not loaded");
        return VG_OK;
    }
    ms->info_len = 0;
    ms->info[0] = '\0';
    feed_json_note(js, feed_json_member(js, ev, "info"), ms->info, &ms->info_len, "");
    int has_conf = 0;
    ms->count = 0;
    ms->family[0] = '\0';
    read_tags(js, ev, ms->family, &ms->count, &has_conf);
    read_galaxies(js, ev, ms->family, &ms->count, &has_conf);
    if (!has_conf) {
        int t = feed_json_member(js, ev, "threat_level_id");
        vg_value v = t >= 0 ? vg_json_value(&js->doc, (uint32_t)t) : (vg_value){ 0, 0, 0, NULL };
        static const uint32_t levels[] = { 0, 90, 60, 30, 0 };
        if ((v.type == VG_JSON_STRING || v.type == VG_JSON_NUMBER) && v.len == 1 && v.ptr[0] >= '1' && v.ptr[0] <= '4')
            ms->count = levels[v.ptr[0] - '0'];
    }
    ms->refs.used = 0;
    ms->refs.n = 0;
    char ref[sizeof "misp:event/" + MISP_UUID_LEN];
    int w = snprintf(ref, sizeof ref, "misp:event/%s", ms->uuid);
    feed_refs_add(&ms->refs, ref, (size_t)w);
    vg_rc rc = each_attribute(fc, ms, ev, collect_link);
    return rc ? rc : each_attribute(fc, ms, ev, attribute);
}

/* The manifest of the current record: its uuids are added to the list. */
static vg_rc manifest(feed_ctx *fc, misp_state *ms, vg_error *err)
{
    feed_json *js = ms->js;
    ms->manifest = 1;
    FEED_JSON_EACH_MEMBER(js, 0, k) {
        uint64_t line = feed_json_line(js, k);
        size_t n;
        const char *uuid = feed_json_string(js, (int)k, &n);
        if (!uuid || !is_uuid(uuid, n)) {
            feed_reject(fc, line, "manifest key is not an event uuid (8-4-4-4-12 hex digits)");
            continue;
        }
        if (feed_json_type(js, (int)k + 1) != VG_JSON_OBJECT) {
            feed_reject(fc, line, "manifest entry %s is not an object", uuid);
            continue;
        }
        if (ms->nlisted == VG_MISP_MAX_EVENTS) {
            feed_reject(fc, line, "more than %u events in the manifest: the rest is not loaded", VG_MISP_MAX_EVENTS);
            break;
        }
        if (ms->nlisted == ms->cap) {
            size_t cap = ms->cap ? ms->cap * 2 : 64;
            misp_listed *l = vg_realloc(ms->listed, cap * sizeof *l);
            if (!l)
                return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
            ms->listed = l;
            ms->cap = cap;
        }
        memcpy(ms->listed[ms->nlisted].uuid, uuid, n + 1);
        ms->listed[ms->nlisted++].line = line;
    }
    return VG_OK;
}

/* One JSON text of the file given: an event, or a manifest. */
static vg_rc record(feed_ctx *fc, misp_state *ms, vg_error *err)
{
    feed_json *js = ms->js;
    if (js->doc.toks[0].type == VG_JSON_OBJECT && feed_json_member(js, 0, "Event") >= 0)
        return event(fc, ms, NULL);
    /* a manifest: {} or an object whose first key is a uuid (anything else, such as a piece
     * of an event the reader resynchronized to after an error, is not one) */
    size_t n = 0;
    const char *first = js->doc.toks[0].type == VG_JSON_OBJECT && js->doc.toks[0].next > 1
                      ? feed_json_string(js, 1, &n) : "";
    if (js->doc.toks[0].type != VG_JSON_OBJECT || !first || (n && !is_uuid(first, n))) {
        feed_reject(fc, js->first_line, "not a MISP manifest (an object of event uuids) or event "
                    "({\"Event\": {...}})");
        return VG_OK;
    }
    return manifest(fc, ms, err);
}

static int listed_cmp(const void *a, const void *b)
{
    return strcmp(((const misp_listed *)a)->uuid, ((const misp_listed *)b)->uuid);
}

/* Reads the event file of listed entry l. */
static vg_rc load_event(feed_ctx *fc, misp_state *ms, const misp_listed *l, vg_error *err)
{
    int w = snprintf(ms->path, sizeof ms->path, "%s/%s.json", ms->dir, l->uuid);
    vg_reader *r = NULL;
    vg_error oerr;
    if (w < 0 || (size_t)w >= sizeof ms->path) {
        feed_reject(fc, l->line, "event %s: path of its file is too long", l->uuid);
        return VG_OK;
    }
    if (vg_reader_open(&r, ms->path, VG_FEED_MAX_JSON, &oerr) != VG_OK) {
        feed_reject(fc, l->line, "event %s is listed but its file cannot be read: %s", l->uuid, oerr.msg);
        return VG_OK;
    }
    const char *manifest_name = fc->source;
    fc->source = ms->path;
    vg_record rec;
    vg_rc rc;
    while ((rc = feed_json_next(fc, ms->js, r, &rec, err)) == VG_OK) {
        if (ms->js->doc.toks[0].type != VG_JSON_OBJECT)
            feed_reject(fc, rec.line, "not a MISP event ({\"Event\": {...}})");
        else if ((rc = event(fc, ms, l->uuid)) != VG_OK)
            break;
    }
    fc->source = manifest_name;
    vg_reader_close(r);
    return rc == VG_END ? VG_OK : rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reports every *.json file beside the manifest that it does not list (sorted by name). */
static vg_rc report_unlisted(feed_ctx *fc, misp_state *ms, vg_error *err)
{
    DIR *d = opendir(ms->dir);
    if (!d)
        return vg_fail(err, VG_ERR_IO, 0, "%s: cannot list its directory %s: %s", fc->source, ms->dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    vg_rc rc = VG_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 ||
            strcmp(e->d_name, "manifest.json") == 0)
            continue;
        misp_listed key;
        if (len - 5 == MISP_UUID_LEN) {
            memcpy(key.uuid, e->d_name, MISP_UUID_LEN);
            key.uuid[MISP_UUID_LEN] = '\0';
            if (ms->nlisted && bsearch(&key, ms->listed, ms->nlisted, sizeof *ms->listed, listed_cmp))
                continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **more = n < VG_MISP_MAX_EVENTS ? vg_realloc(names, cap * sizeof *names) : NULL;
            if (!more) {
                rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
                break;
            }
            names = more;
        }
        if (!(names[n] = vg_strndup(e->d_name, len)))
            rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        else
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, name_cmp);
    const char *manifest_name = fc->source;
    for (size_t i = 0; i < n; i++) {
        if (!rc && snprintf(ms->path, sizeof ms->path, "%s/%s", ms->dir, names[i]) < (int)sizeof ms->path) {
            fc->source = ms->path;
            feed_reject(fc, 1, "event file is not listed in the manifest: not loaded");
        }
        vg_free(names[i]);
    }
    fc->source = manifest_name;
    vg_free(names);
    return rc;
}

/* After a manifest: every listed event, in uuid order, then the files it does not list. */
static vg_rc load_listed(feed_ctx *fc, misp_state *ms, vg_error *err)
{
    if (ms->nlisted)        /* an empty manifest has no array at all */
        qsort(ms->listed, ms->nlisted, sizeof *ms->listed, listed_cmp);
    size_t kept = 0;
    for (size_t i = 0; i < ms->nlisted; i++) {
        if (kept && strcmp(ms->listed[kept - 1].uuid, ms->listed[i].uuid) == 0) {
            feed_reject(fc, ms->listed[i].line, "event %s is listed twice (also at line %llu)", ms->listed[i].uuid,
                        (unsigned long long)ms->listed[kept - 1].line);
            continue;
        }
        ms->listed[kept++] = ms->listed[i];
    }
    ms->nlisted = kept;
    vg_rc rc = VG_OK;
    for (size_t i = 0; !rc && i < ms->nlisted; i++)
        rc = load_event(fc, ms, &ms->listed[i], err);
    return rc ? rc : report_unlisted(fc, ms, err);
}

vg_rc feed_parse_misp(feed_ctx *fc, vg_reader *r, vg_error *err)
{
    misp_state *ms = vg_calloc(1, sizeof *ms);
    if (!ms || !(ms->js = feed_json_new(fc->opts, err))) {
        vg_free(ms);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    ms->js->count_records = 0;      /* attributes are the records */
    const char *slash = strrchr(fc->source, '/');
    size_t dlen = slash ? (size_t)(slash - fc->source) : 0;
    if (!slash)
        memcpy(ms->dir, ".", 2);
    else if (dlen == 0)
        memcpy(ms->dir, "/", 2);
    else if (dlen < sizeof ms->dir) {
        memcpy(ms->dir, fc->source, dlen);
        ms->dir[dlen] = '\0';
    }
    vg_record rec;
    vg_rc rc;
    if (slash && dlen >= sizeof ms->dir)
        rc = vg_fail(err, VG_ERR_LIMIT, 0, "%s: path too long", fc->source);
    else
        while ((rc = feed_json_next(fc, ms->js, r, &rec, err)) == VG_OK && (rc = record(fc, ms, err)) == VG_OK)
            ;
    if (rc == VG_END)
        rc = ms->manifest ? load_listed(fc, ms, err) : VG_OK;
    feed_json_free(ms->js);
    vg_free(ms->listed);
    vg_free(ms);
    return rc;
}
