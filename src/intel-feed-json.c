/*
 * intel-feed-json: the JSON feed formats, read with the project's in-place JSON scanner.
 *
 *   asn-drop      Spamhaus ASN-DROP: one object per line, {"asn":64500,"rir":..,"domain":..,
 *                 "cc":..,"asname":..}; the closing {"type":"metadata",...} line is not an entry.
 *   warninglist   a MISP warninglist: {"name":..,"type":..,"list":[..],"matching_attributes":
 *                 [..]}. "cidr" lists hold networks; "hostname" lists domains that match their
 *                 subdomains too; "string" lists exact values whose kind the matching
 *                 attributes decide (hashes, domains matching only themselves, addresses,
 *                 e-mail addresses, URLs). A value starting with '.' ("string" or "hostname")
 *                 stands for the domain and its subdomains. "substring" and "regex" lists
 *                 match parts of values, which an indicator store cannot: each of their
 *                 values is rejected, with that reason.
 */
#include "intel-feed.h"

#include <stdio.h>
#include <string.h>

#include "intel-feed-internal.h"
#include "json-scan.h"
#include "util-ip.h"
#include "util-mem.h"

/* ---- the JSON record state shared by the JSON formats ------------------------------------ */

feed_json *feed_json_new(const vg_feed_opts *opts, vg_error *err)
{
    uint32_t tokens = opts->max_json_values ? opts->max_json_values : VG_FEED_MAX_JSON_VALUES;
    feed_json *js = vg_calloc(1, sizeof *js);
    if (!js) {
        vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        return NULL;
    }
    if (vg_json_doc_init(&js->doc, tokens, VG_JSON_DEFAULT_DEPTH) != VG_OK) {
        vg_free(js);
        vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        return NULL;
    }
    js->count_records = 1;
    return js;
}

void feed_json_free(feed_json *js)
{
    if (!js)
        return;
    vg_json_doc_free(&js->doc);
    vg_free(js);
}

uint64_t feed_json_line(feed_json *js, uint32_t i)
{
    size_t off = js->doc.toks[i].start;
    if (off < js->counted) {
        js->counted = 0;
        js->line = js->first_line;
    }
    for (; js->counted < off; js->counted++)
        if (js->text[js->counted] == '\n')
            js->line++;
    return js->line;
}

const char *feed_json_string(feed_json *js, int i, size_t *n)
{
    if (i < 0)
        return NULL;
    vg_value v = vg_json_value(&js->doc, (uint32_t)i);
    if (v.type != VG_JSON_STRING || v.len >= sizeof js->value)
        return NULL;
    *n = vg_json_unescape(v.ptr, v.len, js->value);
    js->value[*n] = '\0';
    return js->value;
}

vg_json_type feed_json_type(const feed_json *js, int i)
{
    return i < 0 ? VG_JSON_NONE : (vg_json_type)js->doc.toks[i].type;
}

int feed_json_member(const feed_json *js, int obj, const char *key)
{
    if (feed_json_type(js, obj) != VG_JSON_OBJECT)
        return -1;
    return vg_json_member(&js->doc, (uint32_t)obj, key, strlen(key));
}

const char *feed_json_member_string(feed_json *js, int obj, const char *key, size_t *n)
{
    return feed_json_string(js, feed_json_member(js, obj, key), n);
}

int feed_json_note(feed_json *js, int i, char *out, size_t *len, const char *sep)
{
    if (feed_json_type(js, i) != VG_JSON_STRING)
        return -1;
    vg_value v = vg_json_value(&js->doc, (uint32_t)i);
    if (v.len < sizeof js->value) {
        size_t n = vg_json_unescape(v.ptr, v.len, js->value);
        feed_note_append(out, len, sep, js->value, n);
        return 0;
    }
    char *tmp = vg_malloc(v.len);   /* a long text: unescaped whole, then cut by the note */
    if (!tmp)
        return -1;
    size_t n = vg_json_unescape(v.ptr, v.len, tmp);
    feed_note_append(out, len, sep, tmp, n);
    vg_free(tmp);
    return 0;
}

vg_rc feed_json_next(feed_ctx *fc, feed_json *js, vg_reader *r, vg_record *rec, vg_error *err)
{
    for (;;) {
        vg_error rerr;
        vg_rc rc = vg_reader_next_json(r, &js->doc, rec, &rerr);
        if (rc == VG_END || rc == VG_OK) {
            if (rc == VG_OK) {
                if (js->count_records)
                    fc->st->records++;
                js->text = js->doc.text;
                js->counted = 0;
                js->line = js->first_line = rec->line;
            }
            return rc;
        }
        if (rc != VG_ERR_PARSE && rc != VG_ERR_LIMIT)
            return vg_fail(err, rc, 0, "%s: %s", fc->source, rerr.msg);
        fc->st->records++;
        feed_reject(fc, rec->line, "%s", rerr.msg);
    }
}

/* ---- ASN-DROP ------------------------------------------------------------------------------ */

static void asn_note(feed_json *js, char *out)
{
    static const char *const keys[] = { "asname", "cc", "rir", "domain" };
    size_t len = 0;
    out[0] = '\0';
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        size_t n;
        const char *s = feed_json_string(js, vg_json_member(&js->doc, 0, keys[k], strlen(keys[k])), &n);
        if (!s || !n)
            continue;
        int w = snprintf(out + len, VG_FEED_MAX_TEXT - len, "%s%s", len ? ", " : "", s);
        if (w < 0 || (size_t)w >= VG_FEED_MAX_TEXT - len) {
            out[len] = '\0';
            return;
        }
        len += (size_t)w;
    }
}

static vg_rc asn_record(feed_ctx *fc, feed_json *js, const vg_record *rec)
{
    if (js->doc.toks[0].type != VG_JSON_OBJECT) {
        feed_reject(fc, rec->line, "record is not an object");
        return VG_OK;
    }
    size_t n;
    const char *type = feed_json_string(js, vg_json_member(&js->doc, 0, "type", 4), &n);
    if (type && strcmp(type, "metadata") == 0)
        return VG_OK;
    int i = vg_json_member(&js->doc, 0, "asn", 3);
    vg_value v = i >= 0 ? vg_json_value(&js->doc, (uint32_t)i) : (vg_value){ 0, 0, 0, NULL };
    if (v.type != VG_JSON_NUMBER) {
        feed_reject(fc, rec->line, "record has no \"asn\" number");
        return VG_OK;
    }
    vg_feed_prov prov;
    feed_prov_init(fc, &prov, rec->line);
    asn_note(js, js->note);
    prov.note = js->note;
    return feed_value(fc, VG_IND_ASN, v.ptr, v.len, &prov, "asn", NULL);
}

vg_rc feed_parse_asn_drop(feed_ctx *fc, vg_reader *r, vg_error *err)
{
    feed_json *js = feed_json_new(fc->opts, err);
    if (!js)
        return VG_ERR_NOMEM;
    vg_record rec;
    vg_rc rc;
    while ((rc = feed_json_next(fc, js, r, &rec, err)) == VG_OK)
        if ((rc = asn_record(fc, js, &rec)) != VG_OK)
            break;
    feed_json_free(js);
    return rc == VG_END ? VG_OK : rc;
}

/* ---- MISP warninglists --------------------------------------------------------------------- */

/* Does the array token arr hold one of the strings of names (NULL-terminated)? */
static int array_has(feed_json *js, int arr, const char *const *names)
{
    if (arr < 0 || js->doc.toks[arr].type != VG_JSON_ARRAY)
        return 0;
    for (uint32_t i = (uint32_t)arr + 1; i < js->doc.toks[arr].next; i = js->doc.toks[i].next) {
        vg_value v = vg_json_value(&js->doc, i);
        for (const char *const *n = names; *n && v.type == VG_JSON_STRING; n++)
            if (vg_json_string_equals(v.ptr, v.len, v.flags, *n, strlen(*n)))
                return 1;
    }
    return 0;
}

/* The kind of the values of a "string" list, from its matching attributes; -1 if none fits. */
static int string_list_kind(feed_json *js, int attrs, unsigned *flags)
{
    static const char *const hashes[] = { "md5", "sha1", "sha256", "filename|md5", "filename|sha1",
                                          "filename|sha256", "x509-fingerprint-md5", "x509-fingerprint-sha1",
                                          "x509-fingerprint-sha256", NULL };
    static const char *const domains[] = { "domain", "hostname", "domain|ip", "hostname|port", NULL };
    static const char *const ips[] = { "ip-src", "ip-dst", "ip-src|port", "ip-dst|port", NULL };
    static const char *const emails[] = { "email", "email-src", "email-dst", "target-email", NULL };
    static const char *const urls[] = { "url", "uri", NULL };
    if (array_has(js, attrs, hashes))
        return VG_IND_ANY_HASH;
    if (array_has(js, attrs, domains)) {
        *flags |= VG_PROV_HOST_ONLY;
        return VG_IND_DOMAIN;
    }
    if (array_has(js, attrs, ips))
        return VG_IND_ANY_IP;
    if (array_has(js, attrs, emails))
        return VG_IND_EMAIL;
    if (array_has(js, attrs, urls))
        return VG_IND_URL;
    return -1;
}

/* Kind of the values of the list (-1: every value is rejected with *why). */
static int list_kind(feed_json *js, unsigned *flags, const char **why)
{
    size_t n;
    const char *type = feed_json_string(js, vg_json_member(&js->doc, 0, "type", 4), &n);
    int attrs = vg_json_member(&js->doc, 0, "matching_attributes", 19);
    *why = "the list has no \"type\"";
    if (!type)
        return -1;
    if (strcmp(type, "cidr") == 0)
        return VG_IND_ANY_CIDR;
    if (strcmp(type, "hostname") == 0)
        return VG_IND_DOMAIN;
    if (strcmp(type, "string") == 0) {
        *why = "the list's matching attributes name no type vigil stores";
        return string_list_kind(js, attrs, flags);
    }
    if (strcmp(type, "substring") == 0 || strcmp(type, "regex") == 0)
        *why = "a substring or regex warninglist matches parts of values, not whole indicators";
    else
        *why = "unknown warninglist type";
    return -1;
}

static vg_rc list_value(feed_ctx *fc, feed_json *js, uint32_t i, int kind, vg_feed_prov *prov,
                        const char *why)
{
    prov->line = feed_json_line(js, i);
    size_t n;
    const char *s = feed_json_string(js, (int)i, &n);
    if (!s) {
        feed_reject(fc, prov->line, "list value is not a string of at most %zu bytes", sizeof js->value - 1);
        return VG_OK;
    }
    if (kind < 0) {
        feed_reject(fc, prov->line, "'%.60s': %s", s, why);
        return VG_OK;
    }
    unsigned flags = prov->flags;
    unsigned char addr[16];
    if (kind == VG_IND_DOMAIN && n > 1 && s[0] == '.') {
        s++;
        n--;
        prov->flags &= ~VG_PROV_HOST_ONLY;
    } else if (kind == VG_IND_DOMAIN && vg_ip_parse(s, n, addr)) {
        kind = VG_IND_ANY_IP;
    }
    vg_rc rc = feed_value(fc, kind, s, n, prov, NULL, NULL);
    prov->flags = flags;
    return rc;
}

static vg_rc warninglist_record(feed_ctx *fc, feed_json *js, const vg_record *rec)
{
    int list = js->doc.toks[0].type == VG_JSON_OBJECT ? vg_json_member(&js->doc, 0, "list", 4) : -1;
    if (list < 0 || js->doc.toks[list].type != VG_JSON_ARRAY) {
        feed_reject(fc, rec->line, "not a warninglist: no \"list\" array");
        return VG_OK;
    }
    vg_feed_prov prov;
    feed_prov_init(fc, &prov, rec->line);
    const char *why;
    int kind = list_kind(js, &prov.flags, &why);
    size_t n;
    const char *name = feed_json_string(js, vg_json_member(&js->doc, 0, "name", 4), &n);
    if (name && feed_text(name, n, js->note) == 0)
        prov.note = js->note;
    if (!fc->opts->family) {
        prov.family = js->family;
    }
    vg_rc rc = VG_OK;
    for (uint32_t i = (uint32_t)list + 1; !rc && i < js->doc.toks[list].next; i = js->doc.toks[i].next)
        rc = list_value(fc, js, i, kind, &prov, why);
    return rc;
}

/* Family of a warninglist: the name of the directory holding it (lists/amazon-aws/list.json). */
static void warninglist_family(const char *path, char *out)
{
    const char *end = strrchr(path, '/');
    if (!end) {
        feed_basename(path, ".json", out);
        return;
    }
    const char *start = end;
    while (start > path && start[-1] != '/')
        start--;
    size_t n = (size_t)(end - start);
    if (n == 0 || n >= VG_FEED_MAX_TEXT) {
        feed_basename(path, ".json", out);
        return;
    }
    memcpy(out, start, n);
    out[n] = '\0';
}

vg_rc feed_parse_warninglist(feed_ctx *fc, vg_reader *r, vg_error *err)
{
    feed_json *js = feed_json_new(fc->opts, err);
    if (!js)
        return VG_ERR_NOMEM;
    warninglist_family(fc->source, js->family);
    vg_record rec;
    vg_rc rc;
    while ((rc = feed_json_next(fc, js, r, &rec, err)) == VG_OK)
        if ((rc = warninglist_record(fc, js, &rec)) != VG_OK)
            break;
    feed_json_free(js);
    return rc == VG_END ? VG_OK : rc;
}
