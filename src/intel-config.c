/*
 * intel-config: reading the feed configuration (see intel-config.h). The YAML document is
 * loaded whole with util-yaml (the file is small and bounded by VG_INTEL_CONFIG_MAX); each
 * node carries its line for error messages.
 */
#include "intel-config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util-mem.h"
#include "util-yaml.h"

typedef struct conf_parse {
    vg_yaml y;                  /* the document, its name and the error (util-yaml) */
    const char *base_dir;
} conf_parse;

#define conf_fail(cp, n, ...) vg_yaml_fail(&(cp)->y, (n), __VA_ARGS__)

/* A non-empty string without NUL bytes, with its length. */
static vg_rc want_string(conf_parse *cp, const yaml_node_t *n, const char *key, const char **s, size_t *len)
{
    vg_rc rc = vg_yaml_string(&cp->y, n, key, s);
    if (!rc)
        *len = strlen(*s);
    return rc;
}

/* Copies s into one of the feed's owned strings. */
static const char *keep(vg_intel_feed_conf *f, int slot, const char *s, size_t n)
{
    vg_free(f->strings[slot]);
    f->strings[slot] = vg_strndup(s, n);
    return f->strings[slot];
}

/* Adds path (resolved against the base directory when relative) to the feed. */
static vg_rc add_path(conf_parse *cp, vg_intel_feed_conf *f, const yaml_node_t *n)
{
    const char *s;
    size_t len;
    vg_rc rc = want_string(cp, n, "path", &s, &len);
    if (rc)
        return rc;
    if (f->npaths == VG_INTEL_MAX_PATHS)
        return conf_fail(cp, n, "more than %u paths", VG_INTEL_MAX_PATHS);
    char **paths = vg_realloc(f->paths, (f->npaths + 1) * sizeof *paths);
    if (!paths)
        return vg_fail(cp->y.err, VG_ERR_NOMEM, 0, "out of memory");
    f->paths = paths;
    size_t blen = s[0] == '/' || !cp->base_dir ? 0 : strlen(cp->base_dir);
    char *p = vg_malloc(blen + 1 + len + 1);
    if (!p)
        return vg_fail(cp->y.err, VG_ERR_NOMEM, 0, "out of memory");
    if (blen) {
        memcpy(p, cp->base_dir, blen);
        p[blen] = '/';
        memcpy(p + blen + 1, s, len + 1);
    } else {
        memcpy(p, s, len + 1);
    }
    f->paths[f->npaths++] = p;
    return VG_OK;
}

static vg_rc parse_paths(conf_parse *cp, vg_intel_feed_conf *f, yaml_node_t *n)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return add_path(cp, f, n);
    vg_rc rc = VG_OK;
    for (yaml_node_item_t *it = n->data.sequence.items.start; !rc && it < n->data.sequence.items.top; it++)
        rc = add_path(cp, f, vg_yaml_node(&cp->y, *it));
    if (!rc && f->npaths == 0)
        return conf_fail(cp, n, "path list is empty");
    return rc;
}

static vg_rc parse_columns(conf_parse *cp, vg_intel_feed_conf *f, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return conf_fail(cp, n, "columns must map roles to column names or numbers");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = vg_yaml_node(&cp->y, p->key), *v = vg_yaml_node(&cp->y, p->value);
        size_t klen, vlen;
        const char *key = vg_yaml_scalar(k, &klen), *val;
        int role = key ? vg_csv_role_from_name(key, klen) : -1;
        if (role < 0)
            return conf_fail(cp, k, "unknown column role '%s' (value, type, ip, port, url, domain, hash, email, "
                             "account, family, aliases, note, reference, confidence, first_seen, last_seen)",
                             key ? key : "?");
        if (f->opts.columns[role])
            return conf_fail(cp, k, "column role %s given twice", key);
        vg_rc rc = want_string(cp, v, key, &val, &vlen);
        if (rc)
            return rc;
        if (!(f->opts.columns[role] = keep(f, 1 + role, val, vlen)))
            return vg_fail(cp->y.err, VG_ERR_NOMEM, 0, "out of memory");
    }
    return VG_OK;
}

static vg_rc parse_csv(conf_parse *cp, vg_intel_feed_conf *f, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return conf_fail(cp, n, "csv must be a mapping (delimiter, header, columns)");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = vg_yaml_node(&cp->y, p->key), *v = vg_yaml_node(&cp->y, p->value);
        size_t klen, vlen;
        const char *key = vg_yaml_scalar(k, &klen), *val = vg_yaml_scalar(v, &vlen);
        vg_rc rc = VG_OK;
        if (key && strcmp(key, "columns") == 0) {
            rc = parse_columns(cp, f, v);
        } else if (key && strcmp(key, "delimiter") == 0) {
            if (!val || (vlen != 1 && strcmp(val, "\\t") != 0))
                return conf_fail(cp, v, "delimiter must be one character (or \\t)");
            f->opts.delimiter = vlen == 1 ? val[0] : '\t';
        } else if (key && strcmp(key, "header") == 0) {
            if (val && strcmp(val, "row") == 0)
                f->opts.header = VG_CSV_HEADER_ROW;
            else if (val && strcmp(val, "comment") == 0)
                f->opts.header = VG_CSV_HEADER_COMMENT;
            else if (val && strcmp(val, "none") == 0)
                f->opts.header = VG_CSV_HEADER_NONE;
            else
                return conf_fail(cp, v, "header must be row, comment or none");
        } else {
            return conf_fail(cp, k, "unknown csv key '%s' (delimiter, header, columns)", key ? key : "?");
        }
        if (rc)
            return rc;
    }
    return VG_OK;
}

/* One key of a feed. */
static vg_rc feed_key(conf_parse *cp, vg_intel_feed_conf *f, const yaml_node_t *k, const char *key, yaml_node_t *v,
                      int *has_format)
{
    size_t len;
    const char *s = vg_yaml_scalar(v, &len);
    if (strcmp(key, "name") == 0) {
        vg_rc rc = want_string(cp, v, key, &s, &len);
        if (!rc && !(f->name = vg_strndup(s, len)))
            rc = vg_fail(cp->y.err, VG_ERR_NOMEM, 0, "out of memory");
        return rc;
    }
    if (strcmp(key, "format") == 0) {
        int fmt = s ? vg_feed_format_from_name(s, len) : -1;
        if (fmt < 0)
            return conf_fail(cp, v, "format must be plain, maltrail, ipsum, netset, spamhaus, asn-drop, csv, warninglist, misp or stix");
        f->opts.format = (vg_feed_format)fmt;
        *has_format = 1;
        return VG_OK;
    }
    if (strcmp(key, "path") == 0)
        return parse_paths(cp, f, v);
    if (strcmp(key, "type") == 0) {
        int kind = s ? vg_ind_kind_from_name(s, len) : -1;
        if (kind < 0)
            return conf_fail(cp, v, "unknown indicator type '%s'", s ? s : "?");
        f->opts.kind = kind;
        return VG_OK;
    }
    if (strcmp(key, "enabled") == 0)
        return vg_yaml_bool(&cp->y, v, key, &f->enabled);
    if (strcmp(key, "weight") == 0)
        return vg_yaml_uint(&cp->y, v, key, 65535, &f->weight);
    if (strcmp(key, "expire_after") == 0)
        return vg_yaml_uint(&cp->y, v, key, VG_INTEL_MAX_EXPIRE_DAYS, &f->expire_days);
    if (strcmp(key, "role") == 0) {
        if (!s || (strcmp(s, "block") != 0 && strcmp(s, "allow") != 0))
            return conf_fail(cp, v, "role must be block or allow");
        f->role = strcmp(s, "allow") == 0 ? VG_INTEL_ALLOW : VG_INTEL_BLOCK;
        return VG_OK;
    }
    if (strcmp(key, "match") == 0) {
        if (!s || (strcmp(s, "subdomains") != 0 && strcmp(s, "exact") != 0))
            return conf_fail(cp, v, "match must be subdomains or exact");
        f->opts.flags = strcmp(s, "exact") == 0 ? VG_PROV_HOST_ONLY : 0;
        return VG_OK;
    }
    if (strcmp(key, "family") == 0) {
        vg_rc rc = want_string(cp, v, key, &s, &len);
        if (!rc && len >= VG_FEED_MAX_TEXT)
            rc = conf_fail(cp, v, "family is longer than %d bytes", VG_FEED_MAX_TEXT - 1);
        if (!rc && !(f->opts.family = keep(f, 0, s, len)))
            rc = vg_fail(cp->y.err, VG_ERR_NOMEM, 0, "out of memory");
        return rc;
    }
    if (strcmp(key, "csv") == 0)
        return parse_csv(cp, f, v);
    return conf_fail(cp, k, "unknown feed key '%s' (name, format, path, type, enabled, weight, role, match, "
                     "family, expire_after, csv)", key);
}

static vg_rc parse_feed(conf_parse *cp, vg_intel_feed_conf *f, yaml_node_t *n)
{
    memset(f, 0, sizeof *f);
    vg_feed_opts_init(&f->opts, VG_FEED_PLAIN);
    f->enabled = 1;
    f->weight = 100;
    f->line = vg_yaml_line(n);
    if (n->type != YAML_MAPPING_NODE)
        return conf_fail(cp, n, "a feed must be a mapping (name, format, path, ...)");
    int has_format = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = vg_yaml_node(&cp->y, p->key), *v = vg_yaml_node(&cp->y, p->value);
        size_t klen;
        const char *key = vg_yaml_scalar(k, &klen);
        if (!key)
            return conf_fail(cp, k, "feed keys must be strings");
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            size_t qlen;
            const char *other = vg_yaml_scalar(vg_yaml_node(&cp->y, q->key), &qlen);
            if (other && strcmp(other, key) == 0)
                return conf_fail(cp, k, "key '%s' given twice", key);
        }
        vg_rc rc = feed_key(cp, f, k, key, v, &has_format);
        if (rc)
            return rc;
    }
    if (!f->name)
        return conf_fail(cp, n, "feed has no name");
    if (!has_format)
        return conf_fail(cp, n, "feed %s has no format", f->name);
    if (!f->npaths)
        return conf_fail(cp, n, "feed %s has no path", f->name);
    vg_error e;
    if (vg_feed_opts_check(&f->opts, &e) != VG_OK)
        return conf_fail(cp, n, "feed %s: %s", f->name, e.msg);
    return VG_OK;
}

static vg_rc parse_root(conf_parse *cp, vg_intel_config *conf)
{
    yaml_node_t *root = vg_yaml_root(&cp->y);
    if (!root || root->type != YAML_MAPPING_NODE)
        return conf_fail(cp, root, "the configuration must be a mapping with a 'feeds' list");
    yaml_node_t *feeds = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = vg_yaml_node(&cp->y, p->key);
        size_t klen;
        const char *key = vg_yaml_scalar(k, &klen);
        if (!key || strcmp(key, "feeds") != 0 || feeds)
            return conf_fail(cp, k, "unknown or repeated key '%s' (the configuration has one key: feeds)",
                             key ? key : "?");
        feeds = vg_yaml_node(&cp->y, p->value);
    }
    if (!feeds || feeds->type != YAML_SEQUENCE_NODE)
        return conf_fail(cp, feeds ? feeds : root, "'feeds' must be a list");
    size_t n = (size_t)(feeds->data.sequence.items.top - feeds->data.sequence.items.start);
    if (n > VG_INTEL_MAX_FEEDS)
        return conf_fail(cp, feeds, "more than %u feeds", VG_INTEL_MAX_FEEDS);
    conf->feeds = vg_calloc(n ? n : 1, sizeof *conf->feeds);
    if (!conf->feeds)
        return vg_fail(cp->y.err, VG_ERR_NOMEM, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *fn = vg_yaml_node(&cp->y, feeds->data.sequence.items.start[i]);
        vg_rc rc = parse_feed(cp, &conf->feeds[conf->nfeeds++], fn);
        if (rc)
            return rc;
        for (unsigned j = 0; j + 1 < conf->nfeeds; j++)
            if (strcmp(conf->feeds[j].name, conf->feeds[conf->nfeeds - 1].name) == 0)
                return conf_fail(cp, fn, "two feeds are named %s", conf->feeds[j].name);
    }
    return VG_OK;
}

vg_rc vg_intel_config_parse(vg_intel_config **out, const char *text, size_t len, const char *name,
                            const char *base_dir, vg_error *err)
{
    vg_intel_config *conf = vg_calloc(1, sizeof *conf);
    if (!conf || !(conf->path = vg_strndup(name, strlen(name)))) {
        vg_free(conf);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    if (len > VG_INTEL_CONFIG_MAX) {
        vg_intel_config_free(conf);
        return vg_fail(err, VG_ERR_LIMIT, 0, "%s: larger than %u bytes", name, VG_INTEL_CONFIG_MAX);
    }
    conf_parse cp = { .base_dir = base_dir };
    vg_rc rc = vg_yaml_load(&cp.y, text, len, name, err);
    if (!rc)
        rc = parse_root(&cp, conf);
    vg_yaml_free(&cp.y);
    if (rc) {
        vg_intel_config_free(conf);
        return rc;
    }
    *out = conf;
    return VG_OK;
}

vg_rc vg_intel_config_load(vg_intel_config **out, const char *path, vg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_fail(err, VG_ERR_IO, 0, "%s: %s", path, strerror(errno));
    char *text = vg_malloc(VG_INTEL_CONFIG_MAX + 1);
    size_t n = text ? fread(text, 1, VG_INTEL_CONFIG_MAX + 1, f) : 0;
    int failed = !text || ferror(f);
    fclose(f);
    if (failed) {
        vg_free(text);
        return vg_fail(err, VG_ERR_IO, 0, "%s: cannot read", path);
    }
    char *dir = vg_strndup(path, strlen(path));
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    vg_rc rc = dir ? vg_intel_config_parse(out, text, n, path, slash ? dir : ".", err)
                   : vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    vg_free(dir);
    vg_free(text);
    return rc;
}

void vg_intel_config_free(vg_intel_config *conf)
{
    if (!conf)
        return;
    for (unsigned i = 0; i < conf->nfeeds; i++) {
        vg_intel_feed_conf *f = &conf->feeds[i];
        vg_free(f->name);
        for (unsigned p = 0; p < f->npaths; p++)
            vg_free(f->paths[p]);
        vg_free(f->paths);
        for (int s = 0; s <= VG_CSV_NROLES; s++)
            vg_free(f->strings[s]);
    }
    vg_free(conf->feeds);
    vg_free(conf->path);
    vg_free(conf);
}
