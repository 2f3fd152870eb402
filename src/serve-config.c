/*
 * serve-config: reading the daemon's YAML configuration into a vg_config (see
 * serve-config.h). The document is loaded whole with util-yaml (bounded by
 * VG_CONFIG_MAX_BYTES); each section has its own reader, and every key not known is an error
 * with the list of the keys that are. `units` is read before the other options wherever it
 * is in the file; a listener, token or file naming a unit that is not declared there is an
 * error, so a typo cannot create a unit. With no units declared there is one, "default".
 */
#include "serve-config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "intel-indicator.h"
#include "intel-snapshot.h"
#include "util-datadir.h"
#include "util-ip.h"
#include "util-mem.h"
#include "util-yaml.h"

typedef struct conf_parse {
    vg_yaml y;
    vg_config *c;
    const char *base_dir;
    vg_conf_listener *l;        /* the listener being read */
    int have_listeners;         /* the file has a listeners option (even an empty one) */
} conf_parse;

#define conf_fail(cp, n, ...) vg_yaml_fail(&(cp)->y, (n), __VA_ARGS__)

static vg_rc nomem(conf_parse *cp)
{
    return vg_fail(cp->y.err, VG_ERR_NOMEM, 0, "out of memory");
}

/* A copy of string option n into *out (replacing what was there). */
static vg_rc want_text(conf_parse *cp, const yaml_node_t *n, const char *what, char **out)
{
    const char *s;
    vg_rc rc = vg_yaml_string(&cp->y, n, what, &s);
    if (rc)
        return rc;
    char *copy = vg_strndup(s, strlen(s));
    if (!copy)
        return nomem(cp);
    vg_free(*out);
    *out = copy;
    return VG_OK;
}

/* A path option: relative paths are taken from the configuration file's directory. */
static vg_rc want_path(conf_parse *cp, const yaml_node_t *n, const char *what, char **out)
{
    vg_rc rc = want_text(cp, n, what, out);
    if (rc || (*out)[0] == '/' || !cp->base_dir)
        return rc;
    size_t blen = strlen(cp->base_dir), len = strlen(*out);
    char *p = vg_malloc(blen + len + 2);
    if (!p)
        return nomem(cp);
    memcpy(p, cp->base_dir, blen);
    p[blen] = '/';
    memcpy(p + blen + 1, *out, len + 1);
    vg_free(*out);
    *out = p;
    return VG_OK;
}

/* Grows an array of items by one (zeroed); NULL with an error past the limit. */
static void *grow(conf_parse *cp, const yaml_node_t *n, void **arr, size_t *count, size_t size, const char *what)
{
    if (*count >= VG_CONFIG_MAX_ITEMS) {
        conf_fail(cp, n, "more than %u %s", VG_CONFIG_MAX_ITEMS, what);
        return NULL;
    }
    void *p = vg_realloc(*arr, (*count + 1) * size);
    if (!p) {
        nomem(cp);
        return NULL;
    }
    *arr = p;
    void *item = (char *)p + *count * size;
    memset(item, 0, size);
    (*count)++;
    return item;
}

/* "HOST:PORT" or "[V6]:PORT" with a numeric host into a. */
static vg_rc want_addr(conf_parse *cp, const yaml_node_t *n, const char *what, vg_conf_addr *a)
{
    size_t len = 0;
    const char *s = vg_yaml_scalar(n, &len);
    if (!s || len == 0 || len >= sizeof(a->text))
        return conf_fail(cp, n, "%s must be HOST:PORT (e.g. 127.0.0.1:5514 or [::1]:5514)", what);
    const char *colon = memrchr(s, ':', len), *host = s;
    size_t hlen = colon ? (size_t)(colon - s) : 0;
    if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
        host++;
        hlen -= 2;
    }
    unsigned port = 0;
    const char *p = colon ? colon + 1 : NULL;
    for (; p && *p >= '0' && *p <= '9' && port <= 65535; p++)
        port = port * 10 + (unsigned)(*p - '0');
    unsigned char ip[16];
    int iplen = colon ? vg_ip_parse(host, hlen, ip) : 0;
    if (!p || *p || p == colon + 1 || port == 0 || port > 65535 || iplen == 0 ||
        (iplen == 16 && host == s))
        return conf_fail(cp, n, "%s must be HOST:PORT with a numeric address and a port from 1 to 65535 "
                         "(IPv6 in brackets), not '%s'", what, s);
    memset(&a->sa, 0, sizeof(a->sa));
    if (iplen == 4) {
        struct sockaddr_in *in = (struct sockaddr_in *)&a->sa;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        memcpy(&in->sin_addr, ip, 4);
        a->salen = sizeof(*in);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->sa;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        memcpy(&in6->sin6_addr, ip, 16);
        a->salen = sizeof(*in6);
    }
    memcpy(a->text, s, len + 1);
    return VG_OK;
}

/* The index of the unit named by n. */
static vg_rc want_unit(conf_parse *cp, const yaml_node_t *n, uint32_t *unit)
{
    const char *s;
    vg_rc rc = vg_yaml_string(&cp->y, n, "unit", &s);
    if (rc)
        return rc;
    for (size_t i = 0; i < cp->c->nunits; i++)
        if (strcmp(cp->c->units[i].name, s) == 0) {
            *unit = (uint32_t)i;
            return VG_OK;
        }
    return conf_fail(cp, n, "unit '%s' is not declared under units", s);
}

static vg_rc want_format(conf_parse *cp, const yaml_node_t *n, char **out)
{
    const char *s;
    vg_rc rc = vg_yaml_string(&cp->y, n, "format", &s);
    if (rc)
        return rc;
    if (strcmp(s, "auto") != 0 && !vg_decoder_find(s))
        return conf_fail(cp, n, "unknown format '%s' (auto, or a name listed by vigil formats)", s);
    return want_text(cp, n, "format", out);
}

/* ---- units ---- */

static vg_rc unit_net(void *ctx, yaml_node_t *item)
{
    conf_parse *cp = ctx;
    size_t len = 0;
    const char *s = vg_yaml_scalar(item, &len);
    vg_ind ind;
    vg_error e;
    if (!s || vg_ind_parse(VG_IND_ANY_CIDR, s, len, &ind, &e) != VG_OK)
        return conf_fail(cp, item, "networks: '%s' is not an address or a CIDR network", s ? s : "?");
    vg_conf_net *net = grow(cp, item, (void **)&cp->c->nets, &cp->c->nnets, sizeof(*net), "networks");
    if (!net)
        return VG_ERR_LIMIT;
    net->len = ind.type == VG_IND_CIDR4 ? 4 : 16;
    memcpy(net->key, ind.key, net->len);
    net->prefix = ind.prefix;
    net->unit = (uint32_t)(cp->c->nunits - 1);
    return VG_OK;
}

static vg_rc unit_certificate(void *ctx, yaml_node_t *item)
{
    conf_parse *cp = ctx;
    vg_conf_unit *u = &cp->c->units[cp->c->nunits - 1];
    char **slot = grow(cp, item, (void **)&u->certificates, &u->ncertificates, sizeof(char *), "certificates");
    if (!slot)
        return VG_ERR_LIMIT;
    vg_rc rc = want_text(cp, item, "certificates", slot);
    for (size_t i = 0; !rc && i < cp->c->nunits; i++)
        for (size_t k = 0; k < cp->c->units[i].ncertificates; k++)
            if (&cp->c->units[i].certificates[k] != slot && strcmp(cp->c->units[i].certificates[k], *slot) == 0)
                return conf_fail(cp, item, "certificate name '%s' is given to two units", *slot);
    return rc;
}

static vg_rc unit_key(void *ctx, const char *key, yaml_node_t *v)
{
    conf_parse *cp = ctx;
    vg_conf_unit *u = &cp->c->units[cp->c->nunits - 1];
    if (strcmp(key, "name") == 0) {
        vg_rc rc = want_text(cp, v, key, &u->name);
        for (size_t i = 0; !rc && i + 1 < cp->c->nunits; i++)
            if (strcmp(cp->c->units[i].name, u->name) == 0)
                rc = conf_fail(cp, v, "unit '%s' is declared twice", u->name);
        return rc;
    }
    if (strcmp(key, "networks") == 0)
        return vg_yaml_items(&cp->y, v, "networks", unit_net, cp);
    if (strcmp(key, "certificates") == 0)
        return vg_yaml_items(&cp->y, v, "certificates", unit_certificate, cp);
    return conf_fail(cp, v, "unknown unit key '%s' (name, networks, certificates)", key);
}

static vg_rc parse_unit(void *ctx, yaml_node_t *item)
{
    conf_parse *cp = ctx;
    vg_conf_unit *u = grow(cp, item, (void **)&cp->c->units, &cp->c->nunits, sizeof(*u), "units");
    if (!u)
        return VG_ERR_LIMIT;
    u->line = vg_yaml_line(item);
    vg_rc rc = vg_yaml_each(&cp->y, item, "unit", unit_key, cp);
    if (!rc && !u->name)
        rc = conf_fail(cp, item, "a unit needs a name");
    return rc;
}

/* ---- listeners ---- */

static vg_rc want_sha256(conf_parse *cp, const yaml_node_t *n, unsigned char out[32])
{
    size_t len = 0;
    const char *s = vg_yaml_scalar(n, &len);
    if (s && len == 64) {
        size_t i = 0;
        for (; i < 32; i++) {
            int hi = vg_hex_value(s[2 * i] | 0x20), lo = vg_hex_value(s[2 * i + 1] | 0x20);
            if (hi < 0 || lo < 0)
                break;
            out[i] = (unsigned char)(hi << 4 | lo);
        }
        if (i == 32)
            return VG_OK;
    }
    return conf_fail(cp, n, "token_sha256 must be 64 hex digits (vigil config token makes a token and its hash)");
}

static vg_rc token_key(void *ctx, const char *key, yaml_node_t *v)
{
    conf_parse *cp = ctx;
    vg_conf_token *t = &cp->l->tokens[cp->l->ntokens - 1];
    if (strcmp(key, "name") == 0)
        return want_text(cp, v, key, &t->name);
    if (strcmp(key, "unit") == 0)
        return want_unit(cp, v, &t->unit);
    if (strcmp(key, "token_sha256") == 0)
        return want_sha256(cp, v, t->sha256);
    return conf_fail(cp, v, "unknown token key '%s' (name, unit, token_sha256)", key);
}

static vg_rc parse_token(void *ctx, yaml_node_t *item)
{
    conf_parse *cp = ctx;
    vg_conf_token *t = grow(cp, item, (void **)&cp->l->tokens, &cp->l->ntokens, sizeof(*t), "tokens");
    if (!t)
        return VG_ERR_LIMIT;
    t->line = vg_yaml_line(item);
    t->unit = cp->l->unit;
    static const unsigned char zero[32];
    vg_rc rc = vg_yaml_each(&cp->y, item, "token", token_key, cp);
    if (!rc && (!t->name || memcmp(t->sha256, zero, 32) == 0))
        rc = conf_fail(cp, item, "a token needs a name and a token_sha256");
    return rc;
}

static vg_rc want_kind(conf_parse *cp, const yaml_node_t *n, vg_listen_kind *k)
{
    size_t len = 0;
    const char *s = vg_yaml_scalar(n, &len);
    for (int i = VG_LISTEN_UDP; s && i <= VG_LISTEN_RELP; i++)
        if (strcmp(s, vg_listen_kind_name((vg_listen_kind)i)) == 0) {
            *k = (vg_listen_kind)i;
            return VG_OK;
        }
    return conf_fail(cp, n, "type must be udp, tcp, tls, http or relp");
}

static vg_rc listener_key(void *ctx, const char *key, yaml_node_t *v)
{
    conf_parse *cp = ctx;
    vg_conf_listener *l = cp->l;
    if (strcmp(key, "name") == 0)
        return want_text(cp, v, key, &l->name);
    if (strcmp(key, "type") == 0)
        return want_kind(cp, v, &l->kind);
    if (strcmp(key, "listen") == 0)
        return want_addr(cp, v, key, &l->addr);
    if (strcmp(key, "unit") == 0)
        return want_unit(cp, v, &l->unit);
    if (strcmp(key, "format") == 0)
        return want_format(cp, v, &l->format);
    if (strcmp(key, "framing") == 0) {
        size_t len = 0;
        const char *s = vg_yaml_scalar(v, &len);
        int m = s ? vg_frame_mode_parse(s) : -1;
        if (m < 0)
            return conf_fail(cp, v, "framing must be auto, lf or octet");
        l->framing = (vg_frame_mode)m;
        return VG_OK;
    }
    if (strcmp(key, "max_record") == 0)
        return vg_yaml_uint(&cp->y, v, key, VG_FRAME_MAX_RECORD, &l->max_record);
    if (strcmp(key, "max_connections") == 0)
        return vg_yaml_uint(&cp->y, v, key, 1000000, &l->max_connections);
    if (strcmp(key, "idle_timeout") == 0)
        return vg_yaml_uint(&cp->y, v, key, 86400 * 7, &l->idle_timeout_s);
    if (strcmp(key, "backlog_wait_ms") == 0)
        return vg_yaml_uint(&cp->y, v, key, 60000, &l->backlog_wait_ms);
    if (strcmp(key, "cert") == 0)
        return want_path(cp, v, key, &l->cert);
    if (strcmp(key, "key") == 0)
        return want_path(cp, v, key, &l->key);
    if (strcmp(key, "client_ca") == 0)
        return want_path(cp, v, key, &l->client_ca);
    if (strcmp(key, "tokens") == 0)
        return vg_yaml_items(&cp->y, v, "tokens", parse_token, cp);
    return conf_fail(cp, v, "unknown listener key '%s' (name, type, listen, unit, format, framing, max_record, "
                     "max_connections, idle_timeout, backlog_wait_ms, cert, key, client_ca, tokens)", key);
}

/* A listener's settings before its keys are read. */
static void listener_defaults(vg_conf_listener *l)
{
    l->max_record = 65536;
    l->max_connections = 1024;
    l->idle_timeout_s = 600;
    l->backlog_wait_ms = VG_CONF_BACKLOG_WAIT_MS;
}

/* What a listener of its kind needs, once all its keys are read. */
static vg_rc listener_complete(conf_parse *cp, const yaml_node_t *item, vg_conf_listener *l)
{
    if (!l->name)
        return conf_fail(cp, item, "a listener needs a name");
    for (size_t i = 0; i + 1 < cp->c->nlisteners; i++)
        if (strcmp(cp->c->listeners[i].name, l->name) == 0)
            return conf_fail(cp, item, "listener name '%s' is used twice", l->name);
    if (!l->addr.salen)
        return conf_fail(cp, item, "listener %s needs listen: HOST:PORT", l->name);
    if (l->kind == VG_LISTEN_TLS && (!l->cert || !l->key))
        return conf_fail(cp, item, "listener %s (tls) needs cert and key", l->name);
    if ((l->cert != NULL) != (l->key != NULL))
        return conf_fail(cp, item, "listener %s: cert and key go together", l->name);
    if (l->ntokens && l->kind != VG_LISTEN_HTTP)
        return conf_fail(cp, item, "listener %s: tokens are for http listeners", l->name);
    if (l->client_ca && l->kind != VG_LISTEN_TLS && !(l->kind == VG_LISTEN_RELP && l->cert))
        return conf_fail(cp, item, "listener %s: client_ca is for tls listeners and relp listeners with a cert "
                         "(HTTP sources authenticate with tokens)", l->name);
    if (l->cert && l->kind != VG_LISTEN_TLS && l->kind != VG_LISTEN_HTTP && l->kind != VG_LISTEN_RELP)
        return conf_fail(cp, item, "listener %s: cert and key are for tls, relp and http listeners", l->name);
    if (l->max_record == 0)
        return conf_fail(cp, item, "listener %s: max_record must be at least 1", l->name);
    return VG_OK;
}

static vg_rc parse_listener(void *ctx, yaml_node_t *item)
{
    conf_parse *cp = ctx;
    vg_conf_listener *l = grow(cp, item, (void **)&cp->c->listeners, &cp->c->nlisteners, sizeof(*l), "listeners");
    if (!l)
        return VG_ERR_LIMIT;
    l->line = vg_yaml_line(item);
    listener_defaults(l);
    cp->l = l;
    vg_rc rc = vg_yaml_each(&cp->y, item, "listener", listener_key, cp);
    return rc ? rc : listener_complete(cp, item, l);
}

/* ---- files ---- */

static vg_rc file_key(void *ctx, const char *key, yaml_node_t *v)
{
    conf_parse *cp = ctx;
    vg_conf_file *f = &cp->c->files[cp->c->nfiles - 1];
    if (strcmp(key, "path") == 0)
        return want_path(cp, v, key, &f->path);
    if (strcmp(key, "unit") == 0)
        return want_unit(cp, v, &f->unit);
    if (strcmp(key, "format") == 0)
        return want_format(cp, v, &f->format);
    return conf_fail(cp, v, "unknown file key '%s' (path, unit, format)", key);
}

static vg_rc parse_file(void *ctx, yaml_node_t *item)
{
    conf_parse *cp = ctx;
    vg_conf_file *f = grow(cp, item, (void **)&cp->c->files, &cp->c->nfiles, sizeof(*f), "files");
    if (!f)
        return VG_ERR_LIMIT;
    f->line = vg_yaml_line(item);
    vg_rc rc = vg_yaml_each(&cp->y, item, "file", file_key, cp);
    if (!rc && !f->path)
        rc = conf_fail(cp, item, "a file needs a path");
    return rc;
}

/* ---- sections ---- */

static vg_rc log_key(void *ctx, const char *key, yaml_node_t *v)
{
    conf_parse *cp = ctx;
    size_t len = 0;
    const char *s = vg_yaml_scalar(v, &len);
    if (strcmp(key, "level") == 0) {
        static const char *names[] = { "debug", "info", "warn", "error" };
        for (int i = 0; s && i < 4; i++)
            if (strcmp(s, names[i]) == 0) {
                cp->c->log_level = (vg_log_level)i;
                return VG_OK;
            }
        return conf_fail(cp, v, "log level must be debug, info, warn or error");
    }
    if (strcmp(key, "format") == 0) {
        if (!s || (strcmp(s, "text") != 0 && strcmp(s, "json") != 0))
            return conf_fail(cp, v, "log format must be text or json");
        cp->c->log_json = strcmp(s, "json") == 0;
        return VG_OK;
    }
    return conf_fail(cp, v, "unknown log key '%s' (level, format)", key);
}

static vg_rc spool_key(void *ctx, const char *key, yaml_node_t *v)
{
    conf_parse *cp = ctx;
    vg_config *c = cp->c;
    size_t len = 0;
    const char *s = vg_yaml_scalar(v, &len);
    if (strcmp(key, "sync") == 0) {
        if (s && strcmp(s, "always") == 0)
            c->spool_sync = VG_SPOOL_SYNC_ALWAYS;
        else if (s && strcmp(s, "interval") == 0)
            c->spool_sync = VG_SPOOL_SYNC_INTERVAL;
        else if (s && strcmp(s, "never") == 0)
            c->spool_sync = VG_SPOOL_SYNC_NEVER;
        else
            return conf_fail(cp, v, "spool sync must be always, interval or never");
        return VG_OK;
    }
    if (strcmp(key, "sync_interval_ms") == 0)
        return vg_yaml_uint(&cp->y, v, key, 60000, &c->spool_sync_interval_ms);
    if (strcmp(key, "segment_mb") == 0)
        return vg_yaml_uint(&cp->y, v, key, 4096, &c->spool_segment_mb);
    if (strcmp(key, "max_backlog") == 0)
        return vg_yaml_uint(&cp->y, v, key, 1000000000, &c->spool_max_backlog);
    return conf_fail(cp, v, "unknown spool key '%s' (sync, sync_interval_ms, segment_mb, max_backlog)", key);
}

static vg_rc store_key(void *ctx, const char *key, yaml_node_t *v)
{
    conf_parse *cp = ctx;
    if (strcmp(key, "path") == 0)
        return want_text(cp, v, key, &cp->c->store_path); /* relative to data_dir (complete) */
    if (strcmp(key, "retention_days") == 0)
        return vg_yaml_uint(&cp->y, v, key, 36500, &cp->c->retention_days);
    if (strcmp(key, "max_size_mb") == 0)
        return vg_yaml_uint(&cp->y, v, key, 100000000, &cp->c->store_max_mb);
    if (strcmp(key, "archive") == 0)
        return vg_yaml_bool(&cp->y, v, key, &cp->c->archive);
    if (strcmp(key, "archive_days") == 0)
        return vg_yaml_uint(&cp->y, v, key, 36500, &cp->c->archive_days);
    return conf_fail(cp, v, "unknown store key '%s' (path, retention_days, max_size_mb, archive, archive_days)", key);
}

static vg_rc rule_path(void *ctx, yaml_node_t *item)
{
    conf_parse *cp = ctx;
    char **slot = grow(cp, item, (void **)&cp->c->rules, &cp->c->nrules, sizeof(char *), "rule paths");
    return slot ? want_path(cp, item, "rules", slot) : VG_ERR_LIMIT;
}

static vg_rc detection_key(void *ctx, const char *key, yaml_node_t *v)
{
    conf_parse *cp = ctx;
    vg_config *c = cp->c;
    if (strcmp(key, "workers") == 0)
        return vg_yaml_uint(&cp->y, v, key, VG_CONFIG_MAX_WORKERS, &c->workers);
    if (strcmp(key, "batch") == 0) {
        vg_rc rc = vg_yaml_uint(&cp->y, v, key, 65536, &c->batch);
        return !rc && c->batch == 0 ? conf_fail(cp, v, "batch must be at least 1") : rc;
    }
    if (strcmp(key, "rules") == 0)
        return vg_yaml_items(&cp->y, v, "rules", rule_path, cp);
    if (strcmp(key, "mapping") == 0)
        return want_path(cp, v, key, &c->mapping);
    if (strcmp(key, "placeholders") == 0)
        return want_path(cp, v, key, &c->placeholders);
    if (strcmp(key, "intel") == 0)
        return want_path(cp, v, key, &c->intel);
    return conf_fail(cp, v, "unknown detection key '%s' (workers, batch, rules, mapping, placeholders, intel)", key);
}

static vg_rc api_key(void *ctx, const char *key, yaml_node_t *v)
{
    conf_parse *cp = ctx;
    if (strcmp(key, "listen") == 0)
        return want_addr(cp, v, key, &cp->c->api);
    if (strcmp(key, "enabled") == 0)
        return vg_yaml_bool(&cp->y, v, key, &cp->c->api_enabled);
    return conf_fail(cp, v, "unknown api key '%s' (listen, enabled)", key);
}

/* Pass 1 reads only units (so they are known whatever their place), pass 2 the rest. */
static vg_rc units_only(void *ctx, const char *key, yaml_node_t *v)
{
    conf_parse *cp = ctx;
    return strcmp(key, "units") == 0 ? vg_yaml_items(&cp->y, v, "units", parse_unit, cp) : VG_OK;
}

static vg_rc top_key(void *ctx, const char *key, yaml_node_t *v)
{
    conf_parse *cp = ctx;
    if (strcmp(key, "data_dir") == 0)
        return want_path(cp, v, key, &cp->c->data_dir);
    if (strcmp(key, "user") == 0)
        return want_text(cp, v, key, &cp->c->user);
    if (strcmp(key, "log") == 0)
        return vg_yaml_each(&cp->y, v, "log", log_key, cp);
    if (strcmp(key, "spool") == 0)
        return vg_yaml_each(&cp->y, v, "spool", spool_key, cp);
    if (strcmp(key, "store") == 0)
        return vg_yaml_each(&cp->y, v, "store", store_key, cp);
    if (strcmp(key, "detection") == 0)
        return vg_yaml_each(&cp->y, v, "detection", detection_key, cp);
    if (strcmp(key, "api") == 0)
        return vg_yaml_each(&cp->y, v, "api", api_key, cp);
    if (strcmp(key, "units") == 0)
        return VG_OK; /* pass 1 */
    if (strcmp(key, "listeners") == 0 && (cp->have_listeners = 1) &&
        v->type == YAML_SEQUENCE_NODE && v->data.sequence.items.start == v->data.sequence.items.top)
        return VG_OK; /* listeners: [] (files only) */
    if (strcmp(key, "listeners") == 0)
        return vg_yaml_items(&cp->y, v, "listeners", parse_listener, cp);
    if (strcmp(key, "files") == 0)
        return vg_yaml_items(&cp->y, v, "files", parse_file, cp);
    return conf_fail(cp, v, "unknown option '%s' (data_dir, user, log, spool, store, detection, api, units, "
                     "listeners, files)", key);
}

/* ---- defaults, loading ---- */

const char *vg_listen_kind_name(vg_listen_kind k)
{
    static const char *names[] = { "udp", "tcp", "tls", "http", "relp" };
    return k <= VG_LISTEN_RELP ? names[k] : "?";
}

/* A default address, read as if the file had it. */
static vg_rc default_addr(conf_parse *cp, const char *text, vg_conf_addr *a)
{
    yaml_node_t fake = { .type = YAML_SCALAR_NODE };
    fake.data.scalar.value = (yaml_char_t *)(uintptr_t)text;
    fake.data.scalar.length = strlen(text);
    return want_addr(cp, &fake, "listen", a);
}

/* A listener of the defaults. */
static vg_rc default_listener(conf_parse *cp, const char *name, vg_listen_kind kind, const char *addr)
{
    vg_conf_listener *l = grow(cp, NULL, (void **)&cp->c->listeners, &cp->c->nlisteners, sizeof(*l), "listeners");
    if (!l || !(l->name = vg_strndup(name, strlen(name))))
        return nomem(cp);
    l->kind = kind;
    listener_defaults(l);
    return default_addr(cp, addr, &l->addr);
}

/* Fills what the file left unset. */
static vg_rc complete(conf_parse *cp, int have_listeners)
{
    vg_config *c = cp->c;
    if (c->nunits == 0) {
        vg_conf_unit *u = grow(cp, NULL, (void **)&c->units, &c->nunits, sizeof(*u), "units");
        if (!u || !(u->name = vg_strndup("default", 7)))
            return nomem(cp);
    }
    if (!c->data_dir) {
        char dir[4096];
        vg_error derr;
        if (vg_data_dir(dir, sizeof(dir), &derr) != VG_OK)
            return vg_fail(cp->y.err, VG_ERR_USAGE, 0, "no data directory: set data_dir, VIGIL_DATA_DIR or HOME");
        if (!(c->data_dir = vg_strndup(dir, strlen(dir))))
            return nomem(cp);
    }
    if (!c->store_path || c->store_path[0] != '/') {
        const char *name = c->store_path ? c->store_path : "vigil.db";
        size_t n = strlen(c->data_dir) + strlen(name) + 2;
        char *p = vg_malloc(n);
        if (!p)
            return nomem(cp);
        snprintf(p, n, "%s/%s", c->data_dir, name);
        vg_free(c->store_path);
        c->store_path = p;
    }
    vg_rc rc = c->api.salen ? VG_OK : default_addr(cp, "127.0.0.1:8515", &c->api);
    if (!rc && !have_listeners) {
        rc = default_listener(cp, "syslog-udp", VG_LISTEN_UDP, "127.0.0.1:5514");
        if (!rc)
            rc = default_listener(cp, "syslog-tcp", VG_LISTEN_TCP, "127.0.0.1:5514");
        if (!rc)
            rc = default_listener(cp, "http", VG_LISTEN_HTTP, "127.0.0.1:8514");
    }
    return rc;
}

static void set_defaults(vg_config *c)
{
    c->log_level = VG_LOG_INFO;
    c->spool_sync = VG_SPOOL_SYNC_ALWAYS;
    c->spool_sync_interval_ms = 1000;
    c->spool_segment_mb = 64;
    c->spool_max_backlog = 1000000;
    c->retention_days = 365;
    c->archive_days = 90;
    c->batch = 4096;   /* bench-serve: 512 made one store commit (and WAL fdatasync) per 512 records the bottleneck */
    c->api_enabled = 1;
}

vg_rc vg_config_parse(vg_config **out, const char *text, size_t len, const char *name, const char *base_dir,
                      vg_error *err)
{
    *out = NULL;
    vg_config *c = vg_calloc(1, sizeof(*c));
    if (!c)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    set_defaults(c);
    conf_parse cp = { .c = c, .base_dir = base_dir };
    cp.y.err = err;
    cp.y.name = name;
    vg_rc rc = VG_OK;
    yaml_node_t *root = NULL;
    if (text) {
        if (len > VG_CONFIG_MAX_BYTES)
            rc = vg_fail(err, VG_ERR_LIMIT, 0, "%s: larger than %u bytes", name, VG_CONFIG_MAX_BYTES);
        if (!rc)
            rc = vg_yaml_load(&cp.y, text, len, name, err);
        if (!rc)
            root = vg_yaml_root(&cp.y);
        if (!rc && root)
            rc = vg_yaml_each(&cp.y, root, "the configuration", units_only, &cp);
        if (!rc && root)
            rc = vg_yaml_each(&cp.y, root, "the configuration", top_key, &cp);
    }
    if (!rc && name && !(c->file = vg_strndup(name, strlen(name))))
        rc = nomem(&cp);
    if (!rc)
        rc = complete(&cp, cp.have_listeners);
    if (text)
        vg_yaml_free(&cp.y);
    if (rc) {
        vg_config_free(c);
        return rc;
    }
    *out = c;
    return VG_OK;
}

vg_rc vg_config_load(vg_config **out, const char *path, vg_error *err)
{
    if (!path)
        return vg_config_parse(out, NULL, 0, NULL, NULL, err);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return vg_fail(err, VG_ERR_IO, 0, "%s: %s", path, strerror(errno));
    char *text = vg_malloc(VG_CONFIG_MAX_BYTES + 1);
    size_t n = text ? fread(text, 1, VG_CONFIG_MAX_BYTES + 1, fp) : 0;
    int bad = ferror(fp);
    fclose(fp);
    if (!text)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    vg_rc rc;
    if (bad) {
        rc = vg_fail(err, VG_ERR_IO, 0, "%s: read error", path);
    } else {
        char dir[4096], *abs;
        const char *slash = strrchr(path, '/');
        if (!slash)
            snprintf(dir, sizeof(dir), ".");
        else
            snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 : slash - path), path);
        abs = realpath(dir, NULL); /* relative paths in the file become absolute */
        rc = abs ? vg_config_parse(out, text, n, path, abs, err)
                 : vg_fail(err, VG_ERR_IO, 0, "%s: %s", dir, strerror(errno));
        free(abs);
    }
    vg_free(text);
    return rc;
}

void vg_config_free(vg_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nunits; i++) {
        for (size_t k = 0; k < c->units[i].ncertificates; k++)
            vg_free(c->units[i].certificates[k]);
        vg_free(c->units[i].certificates);
        vg_free(c->units[i].name);
    }
    for (size_t i = 0; i < c->nlisteners; i++) {
        vg_conf_listener *l = &c->listeners[i];
        for (size_t t = 0; t < l->ntokens; t++)
            vg_free(l->tokens[t].name);
        vg_free(l->tokens);
        vg_free(l->name);
        vg_free(l->format);
        vg_free(l->cert);
        vg_free(l->key);
        vg_free(l->client_ca);
    }
    for (size_t i = 0; i < c->nfiles; i++) {
        vg_free(c->files[i].path);
        vg_free(c->files[i].format);
    }
    for (size_t i = 0; i < c->nrules; i++)
        vg_free(c->rules[i]);
    vg_free(c->units);
    vg_free(c->nets);
    vg_free(c->listeners);
    vg_free(c->files);
    vg_free(c->rules);
    vg_free(c->file);
    vg_free(c->data_dir);
    vg_free(c->store_path);
    vg_free(c->mapping);
    vg_free(c->placeholders);
    vg_free(c->intel);
    vg_free(c->user);
    vg_free(c);
}

/* ---- checks ---- */

typedef struct check_run {
    void (*problem)(void *ctx, int fatal, const char *msg);
    void *ctx;
    size_t fatal;
} check_run;

static void problem(check_run *cr, int fatal, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void problem(check_run *cr, int fatal, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cr->fatal += fatal != 0;
    if (cr->problem)
        cr->problem(cr->ctx, fatal, msg);
}

static void check_readable(check_run *cr, const char *what, const char *path)
{
    if (path && access(path, R_OK) != 0)
        problem(cr, 1, "%s %s: %s", what, path, strerror(errno));
}

/* The indicator snapshot opens (a snapshot of another format version, after an upgrade, or a
 * file that is no snapshot would stop the daemon's start or reload); the checksum is not read. */
static void check_snapshot(check_run *cr, const char *path)
{
    vg_snap *snap;
    vg_error err;
    if (!path || access(path, R_OK) != 0)
        return;     /* check_readable said why */
    if (vg_snap_open(&snap, path, 0, &err) != VG_OK)
        problem(cr, 1, "indicator snapshot %s", err.msg);
    else
        vg_snap_close(snap);
}

/* Whether two listen addresses would take the same port (a wildcard overlaps everything). */
static int same_port(const vg_conf_addr *a, const vg_conf_addr *b)
{
    const struct sockaddr_in *a4 = (const void *)&a->sa, *b4 = (const void *)&b->sa;
    const struct sockaddr_in6 *a6 = (const void *)&a->sa, *b6 = (const void *)&b->sa;
    uint16_t pa = a->sa.ss_family == AF_INET ? a4->sin_port : a6->sin6_port;
    uint16_t pb = b->sa.ss_family == AF_INET ? b4->sin_port : b6->sin6_port;
    if (pa != pb)
        return 0;
    int wa = a->sa.ss_family == AF_INET ? a4->sin_addr.s_addr == INADDR_ANY : IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr);
    int wb = b->sa.ss_family == AF_INET ? b4->sin_addr.s_addr == INADDR_ANY : IN6_IS_ADDR_UNSPECIFIED(&b6->sin6_addr);
    if (wa || wb)
        return 1;
    return a->sa.ss_family == b->sa.ss_family && memcmp(&a->sa, &b->sa, a->salen) == 0;
}

static int port_of(const vg_conf_addr *a)
{
    return ntohs(a->sa.ss_family == AF_INET ? ((const struct sockaddr_in *)(const void *)&a->sa)->sin_port
                                            : ((const struct sockaddr_in6 *)(const void *)&a->sa)->sin6_port);
}

static void check_listeners(const vg_config *c, check_run *cr)
{
    for (size_t i = 0; i < c->nlisteners; i++) {
        const vg_conf_listener *l = &c->listeners[i];
        int udp = l->kind == VG_LISTEN_UDP;
        for (size_t j = 0; j < i; j++)
            if ((c->listeners[j].kind == VG_LISTEN_UDP) == udp && same_port(&l->addr, &c->listeners[j].addr))
                problem(cr, 1, "listeners %s and %s both listen on %s port %d", c->listeners[j].name, l->name,
                        udp ? "UDP" : "TCP", port_of(&l->addr));
        if (!udp && c->api_enabled && same_port(&l->addr, &c->api))
            problem(cr, 1, "listener %s and the api both listen on TCP port %d", l->name, port_of(&l->addr));
        if (port_of(&l->addr) < 1024 && geteuid() != 0)
            problem(cr, 0, "listener %s: port %d needs root (or CAP_NET_BIND_SERVICE) to bind", l->name,
                    port_of(&l->addr));
        check_readable(cr, "certificate", l->cert);
        check_readable(cr, "key", l->key);
        check_readable(cr, "client CA", l->client_ca);
        if (l->kind == VG_LISTEN_HTTP && l->ntokens == 0)
            problem(cr, 0, "listener %s has no tokens: every POST will be refused (vigil config token makes one)",
                    l->name);
    }
}

size_t vg_config_check(const vg_config *c, void (*fn)(void *ctx, int fatal, const char *msg), void *ctx)
{
    check_run cr = { fn, ctx, 0 };
    check_listeners(c, &cr);
    for (size_t i = 0; i < c->nrules; i++)
        check_readable(&cr, "rules", c->rules[i]);
    check_readable(&cr, "mapping", c->mapping);
    check_readable(&cr, "placeholders", c->placeholders);
    check_readable(&cr, "indicator snapshot", c->intel);
    check_snapshot(&cr, c->intel);
    for (size_t i = 0; i < c->nfiles; i++)
        if (access(c->files[i].path, R_OK) != 0)
            problem(&cr, 0, "file %s: %s (it will be read once it exists)", c->files[i].path, strerror(errno));
    if (access(c->data_dir, W_OK) != 0 && errno != ENOENT)
        problem(&cr, 1, "data_dir %s: %s", c->data_dir, strerror(errno));
    if (c->user && !getpwnam(c->user))
        problem(&cr, 1, "user %s does not exist", c->user);
    if (c->user && geteuid() != 0)
        problem(&cr, 0, "user %s: privileges are dropped only when vigil starts as root", c->user);
    return cr.fatal;
}

/* ---- units of sources ---- */

static int net_contains(const vg_conf_net *n, const unsigned char *ip, int len)
{
    if (n->len != len)
        return 0;
    unsigned full = n->prefix / 8, rest = n->prefix % 8;
    if (memcmp(n->key, ip, full) != 0)
        return 0;
    return rest == 0 || ((n->key[full] ^ ip[full]) & (0xFFu << (8 - rest)) & 0xFFu) == 0;
}

size_t vg_config_max_record(const vg_config *c)
{
    size_t m = 65536;
    for (size_t i = 0; i < c->nlisteners; i++)
        if (c->listeners[i].max_record > m)
            m = c->listeners[i].max_record;
    return m;
}

const char *vg_config_source_name(const vg_config *c, uint32_t src)
{
    if (src < c->nlisteners)
        return c->listeners[src].name;
    return src - c->nlisteners < c->nfiles ? c->files[src - c->nlisteners].path : "?";
}

const char *vg_config_source_format(const vg_config *c, uint32_t src)
{
    const char *f = src < c->nlisteners ? c->listeners[src].format
                    : src - c->nlisteners < c->nfiles ? c->files[src - c->nlisteners].format : NULL;
    return f ? f : "auto";
}

int vg_config_unit_of_certificate(const vg_config *c, const char *cn)
{
    for (size_t i = 0; cn && cn[0] && i < c->nunits; i++)
        for (size_t k = 0; k < c->units[i].ncertificates; k++)
            if (strcmp(c->units[i].certificates[k], cn) == 0)
                return (int)i;
    return -1;
}

uint32_t vg_config_unit_of(const vg_config *c, const vg_conf_listener *l, const struct sockaddr *sa)
{
    unsigned char ip[16];
    int len = 0;
    if (sa && sa->sa_family == AF_INET) {
        memcpy(ip, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        len = 4;
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a6)) {
            memcpy(ip, a6->s6_addr + 12, 4);
            len = 4;
        } else {
            memcpy(ip, a6->s6_addr, 16);
            len = 16;
        }
    }
    int best = -1;
    uint32_t unit = l ? l->unit : 0;
    for (size_t i = 0; len && i < c->nnets; i++)
        if (c->nets[i].prefix > best && net_contains(&c->nets[i], ip, len)) {
            best = c->nets[i].prefix;
            unit = c->nets[i].unit;
        }
    return unit;
}
