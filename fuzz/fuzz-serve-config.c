/*
 * fuzz-serve-config: the daemon's YAML configuration (vg_config_parse, through libyaml).
 * Invariants: an error names the configuration ("fuzz.yml:") and returns no configuration; a
 * configuration that loads has at least one unit, units with unique names, listeners with
 * unique names, an address, a record limit and units in range, TLS listeners with cert and
 * key, tokens only on HTTP listeners, networks with prefixes that fit their family, absolute
 * paths (resolved against "/fuzz"), and every unit lookup lands on a declared unit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "serve-config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_listener(const vg_config *c, const vg_conf_listener *l)
{
    if (!l->name || !l->addr.salen || l->unit >= c->nunits || l->max_record == 0 ||
        l->max_record > VG_FRAME_MAX_RECORD || (l->kind == VG_LISTEN_TLS && (!l->cert || !l->key)) ||
        (l->ntokens && l->kind != VG_LISTEN_HTTP))
        abort();
    for (size_t t = 0; t < l->ntokens; t++)
        if (!l->tokens[t].name || l->tokens[t].unit >= c->nunits)
            abort();
    if ((l->cert && l->cert[0] != '/') || (l->key && l->key[0] != '/'))
        abort();
    struct sockaddr_in sa = { .sin_family = AF_INET };
    memcpy(&sa.sin_addr, "\x0a\x01\x02\x03", 4);
    if (vg_config_unit_of(c, l, (const struct sockaddr *)&sa) >= c->nunits)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_config *c = NULL;
    vg_error err;
    setenv("VIGIL_DATA_DIR", "/fuzz-data", 1);
    vg_rc rc = vg_config_parse(&c, (const char *)data, size, "fuzz.yml", "/fuzz", &err);
    if (rc != VG_OK) {
        if (c || (strncmp(err.msg, "fuzz.yml", 8) != 0 && rc != VG_ERR_NOMEM))
            abort();
        return 0;
    }
    if (c->nunits == 0 || !c->data_dir || !c->store_path || c->store_path[0] != '/' || c->workers > VG_CONFIG_MAX_WORKERS)
        abort();
    for (size_t i = 0; i < c->nunits; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->units[i].name, c->units[j].name) == 0)
                abort();
    for (size_t i = 0; i < c->nnets; i++)
        if (c->nets[i].unit >= c->nunits || (c->nets[i].len != 4 && c->nets[i].len != 16) ||
            c->nets[i].prefix > c->nets[i].len * 8)
            abort();
    for (size_t i = 0; i < c->nlisteners; i++) {
        check_listener(c, &c->listeners[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->listeners[i].name, c->listeners[j].name) == 0)
                abort();
    }
    for (size_t i = 0; i < c->nrules; i++)
        if (c->rules[i][0] != '/')
            abort();
    for (size_t i = 0; i < c->nfiles; i++)
        if (c->files[i].path[0] != '/' || c->files[i].unit >= c->nunits)
            abort();
    vg_config_free(c);
    return 0;
}
