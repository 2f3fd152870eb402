/*
 * intel-config: the feed configuration of the indicator store, a YAML file (read with
 * libyaml) listing the feeds `vigil intel compile` loads:
 *
 *   feeds:
 *     - name: feodo                 # unique; shown with every hit
 *       format: csv                 # plain maltrail ipsum netset spamhaus asn-drop csv warninglist
 *                                   # misp stix
 *       path: abusech/ipblocklist.csv   # file or glob, or a list; relative to the config file
 *                                   # (misp: the feed's manifest.json or its directory;
 *                                   #  stix: bundle files)
 *       type: auto                  # kind of plain entries and of the CSV value column
 *       enabled: true
 *       weight: 100                 # 0-65535
 *       role: block                 # block (threats) or allow (known good)
 *       match: subdomains           # domains: subdomains (default) or exact
 *       family: Dridex              # family of every entry
 *       expire_after: 30            # days after an entry's last sighting; 0: never
 *       csv: { delimiter: ",", header: row, columns: { ip: dst_ip, port: dst_port } }
 *
 * Unknown keys, duplicate keys, duplicate feed names and bad values are errors naming the
 * file and line. Main structure: an array of vg_intel_feed_conf, each with its vg_feed_opts.
 */
#ifndef VIGIL_INTEL_CONFIG_H
#define VIGIL_INTEL_CONFIG_H

#include <stddef.h>

#include "intel-feed.h"
#include "intel-store.h"
#include "util-error.h"

#define VG_INTEL_CONFIG_MAX (1u << 20)  /* limit: bytes of a configuration file */
#define VG_INTEL_MAX_FEEDS 4096u        /* limit: feeds in one configuration */
#define VG_INTEL_MAX_PATHS 256u         /* limit: paths (globs) of one feed */
#define VG_INTEL_MAX_EXPIRE_DAYS 36500u /* limit: expire_after */

typedef struct vg_intel_feed_conf {
    char *name;
    vg_feed_opts opts;          /* its strings point into this feed's own copies */
    char **paths;               /* as resolved against the configuration's directory */
    unsigned npaths;
    int enabled;
    unsigned weight;
    vg_intel_role role;
    unsigned expire_days;
    unsigned line;              /* line of the feed in the configuration */
    char *strings[VG_CSV_NROLES + 1];   /* owned copies: family, CSV columns */
} vg_intel_feed_conf;

typedef struct vg_intel_config {
    char *path;
    vg_intel_feed_conf *feeds;
    unsigned nfeeds;
} vg_intel_config;

/* Reads and checks the configuration file at path. Errors carry "FILE:LINE: reason". */
vg_rc vg_intel_config_load(vg_intel_config **out, const char *path, vg_error *err);

/* Parses a configuration from text[0..len) named name; relative paths are resolved against
 * base_dir. For tests and fuzzing. */
vg_rc vg_intel_config_parse(vg_intel_config **out, const char *text, size_t len, const char *name,
                            const char *base_dir, vg_error *err);

/* Frees a configuration. */
void vg_intel_config_free(vg_intel_config *conf);

#endif
