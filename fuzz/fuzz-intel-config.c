/*
 * fuzz-intel-config: the YAML feed configuration (vg_intel_config_parse, through libyaml).
 * Invariants: an error names the configuration ("fuzz.yml:"); a configuration that loads has
 * at most VG_INTEL_MAX_FEEDS feeds, each with a unique name, a known format, 1 to
 * VG_INTEL_MAX_PATHS paths, absolute once resolved against the base directory, a weight of at
 * most 65535, options that pass vg_feed_opts_check, and text family and CSV columns.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel-config.h"
#include "util-utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_feed(const vg_intel_feed_conf *f)
{
    vg_error err;
    if (!f->name || !f->name[0] || (unsigned)f->opts.format >= VG_FEED_NFORMATS || f->npaths == 0 ||
        f->npaths > VG_INTEL_MAX_PATHS || f->weight > 65535 || f->expire_days > VG_INTEL_MAX_EXPIRE_DAYS ||
        vg_feed_opts_check(&f->opts, &err) != VG_OK)
        abort();
    for (unsigned p = 0; p < f->npaths; p++)
        if (f->paths[p][0] != '/')     /* relative paths are resolved against "/fuzz" */
            abort();
    if (f->opts.family && strlen(f->opts.family) >= VG_FEED_MAX_TEXT)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_intel_config *conf = NULL;
    vg_error err;
    vg_rc rc = vg_intel_config_parse(&conf, (const char *)data, size, "fuzz.yml", "/fuzz", &err);
    if (rc != VG_OK) {
        if (conf || strncmp(err.msg, "fuzz.yml", 8) != 0)
            abort();
        return 0;
    }
    if (conf->nfeeds > VG_INTEL_MAX_FEEDS)
        abort();
    for (unsigned i = 0; i < conf->nfeeds; i++) {
        check_feed(&conf->feeds[i]);
        for (unsigned j = 0; j < i; j++)
            if (strcmp(conf->feeds[i].name, conf->feeds[j].name) == 0)
                abort();
    }
    vg_intel_config_free(conf);
    return 0;
}
