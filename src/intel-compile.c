/*
 * intel-compile: from a feed configuration to a snapshot file (see intel-compile.h). An
 * entry's expiry is the earlier of the feed's own (STIX valid_until) and expire_after days
 * after its last sighting; a MISP feed's path may name the feed's directory (its manifest.json
 * is read, and the manifest's parser reads the event files beside it).
 */
#include "intel-compile.h"

#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "intel-store.h"
#include "util-mem.h"

#define SECONDS_PER_DAY 86400

typedef struct compile_run {
    vg_istore *store;
    unsigned feed_id;
    vg_compile_feed result;
    const vg_compile_sink *sink;
    int64_t now;
    int64_t file_mtime;
    const char *conf_path;
    vg_error *err;
} compile_run;

static vg_rc on_indicator(void *ctx, const vg_ind *ind, const vg_feed_prov *prov)
{
    compile_run *run = ctx;
    int64_t expires = prov->expires;   /* the feed's own (STIX valid_until), else 0 */
    unsigned days = run->result.conf->expire_days;
    if (days) {
        int64_t seen = prov->last_seen ? prov->last_seen : prov->first_seen ? prov->first_seen : run->file_mtime;
        int64_t after = seen + (int64_t)days * SECONDS_PER_DAY;
        if (!expires || after < expires)
            expires = after;
    }
    if (expires && expires <= run->now) {
        run->result.expired++;
        return VG_OK;
    }
    return vg_istore_add(run->store, run->feed_id, ind, prov, expires, run->err);
}

static void on_reject(void *ctx, const char *source, uint64_t line, const char *reason)
{
    compile_run *run = ctx;
    if (run->sink->on_reject)
        run->sink->on_reject(run->sink->ctx, run->result.conf->name, source, line, reason);
}

/* Parses one file of the current feed (a MISP feed's directory: its manifest.json). */
static vg_rc load_file(compile_run *run, const char *path)
{
    struct stat st;
    char manifest[PATH_MAX];
    if (run->result.conf->opts.format == VG_FEED_MISP && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        int w = snprintf(manifest, sizeof manifest, "%s/manifest.json", path);
        if (w < 0 || (size_t)w >= sizeof manifest)
            return vg_fail(run->err, VG_ERR_LIMIT, 0, "feed %s: path %s is too long", run->result.conf->name, path);
        path = manifest;
    }
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return vg_fail(run->err, VG_ERR_IO, 0, "feed %s: %s is not a readable file", run->result.conf->name, path);
    run->file_mtime = (int64_t)st.st_mtime;
    vg_feed_sink sink = { on_indicator, on_reject, run };
    vg_rc rc = vg_feed_parse_file(path, &run->result.conf->opts, &sink, &run->result.st, run->err);
    if (rc)
        return rc;
    run->result.files++;
    if (run->sink->on_file)
        run->sink->on_file(run->sink->ctx, &run->result, path);
    return VG_OK;
}

/* Expands one path or glob of the feed and loads its files in sorted order. */
static vg_rc load_pattern(compile_run *run, const char *pattern)
{
    glob_t g;
    int r = glob(pattern, GLOB_BRACE | GLOB_ERR, NULL, &g);
    if (r == GLOB_NOMATCH)
        return vg_fail(run->err, VG_ERR_IO, 0, "%s:%u: feed %s: path %s matches no file",
                       run->conf_path, run->result.conf->line, run->result.conf->name, pattern);
    if (r != 0)
        return vg_fail(run->err, VG_ERR_IO, 0, "feed %s: cannot expand %s", run->result.conf->name, pattern);
    vg_rc rc = VG_OK;
    for (size_t i = 0; !rc && i < g.gl_pathc; i++)
        rc = load_file(run, g.gl_pathv[i]);
    globfree(&g);
    return rc;
}

static void add_totals(vg_compile_totals *tot, const vg_compile_feed *f)
{
    tot->files += f->files;
    tot->records += f->st.records;
    tot->accepted += f->st.accepted;
    tot->rejected += f->st.rejected;
    tot->expired += f->expired;
}

static vg_rc load_feed(compile_run *run, const vg_intel_feed_conf *fc, vg_compile_totals *tot)
{
    memset(&run->result, 0, sizeof run->result);
    run->result.conf = fc;
    if (!fc->enabled) {
        tot->disabled++;
        if (run->sink->on_feed)
            run->sink->on_feed(run->sink->ctx, &run->result);
        return VG_OK;
    }
    vg_istore_feed sf = { fc->name, fc->npaths ? fc->paths[0] : "", fc->opts.format, fc->role, fc->weight,
                         fc->expire_days };
    vg_rc rc = vg_istore_add_feed(run->store, &sf, &run->feed_id, run->err);
    for (unsigned p = 0; !rc && p < fc->npaths; p++)
        rc = load_pattern(run, fc->paths[p]);
    if (rc)
        return rc;
    vg_istore_feed_done(run->store, run->feed_id, &run->result.st, run->result.expired, run->result.files);
    tot->feeds++;
    add_totals(tot, &run->result);
    if (run->sink->on_feed)
        run->sink->on_feed(run->sink->ctx, &run->result);
    return VG_OK;
}

vg_rc vg_intel_compile(const vg_intel_config *conf, const char *out, int64_t now, const vg_compile_sink *sink,
                       vg_compile_totals *tot, vg_error *err)
{
    memset(tot, 0, sizeof *tot);
    compile_run run;
    memset(&run, 0, sizeof run);
    run.sink = sink;
    run.now = now;
    run.err = err;
    run.conf_path = conf->path;
    vg_rc rc = vg_istore_new(&run.store, err);
    for (unsigned i = 0; !rc && i < conf->nfeeds; i++)
        rc = load_feed(&run, &conf->feeds[i], tot);
    if (!rc) {
        tot->indicators = vg_istore_count(run.store, VG_IND_NONE);
        for (int t = 1; t < VG_IND_NTYPES; t++)
            tot->per_type[t] = vg_istore_count(run.store, t);
        tot->build_memory = vg_istore_memory(run.store);
        rc = vg_istore_write(run.store, out, now, err);
    }
    vg_istore_free(run.store);
    return rc;
}
