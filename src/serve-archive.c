/*
 * serve-archive: the daemon's archive of received records, for later investigation (see
 * serve.h and docs/serve.md): one zstd-compressed file of JSON lines per UTC day under
 * data_dir/archive (YYYY-MM-DD.jsonl.zst), each line {"seq", "received", "unit", "source",
 * "record"} with the record as received. The store writer archives each batch once it is
 * committed, reading the batch's records back from the spool (before releasing it); every
 * batch is one complete zstd frame, so a crash leaves whole frames and `zstd -dc` or
 * `vigil decode` read the file; a crash between the commit and the archive write can lose or
 * (after the spool is read again) repeat a batch in the archive: `seq` tells them apart.
 * Archives older than store.archive_days are deleted.
 *
 * Main structure: vg_serve_archive, the open day file, its compression context and buffers,
 * and a spool reader of its own.
 */
#include "serve.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "json-write.h"
#include "util-log.h"
#include "util-mem.h"
#include "util-time.h"

#define ARCHIVE_LEVEL 3     /* zstd level: fast, about 5-10x on logs */

struct vg_serve_archive {
    vg_serve *s;
    char dir[4096];
    int fd;
    int64_t day;            /* days since the epoch of the open file, -1 none */
    ZSTD_CCtx *cctx;
    vg_buf text, out;
};

static void expire(vg_serve_archive *a, int64_t today);

vg_rc vg_serve_archive_open(vg_serve *s, vg_serve_archive **out, vg_error *err)
{
    *out = NULL;
    if (!s->conf->archive)
        return VG_OK;
    vg_serve_archive *a = vg_calloc(1, sizeof(*a));
    if (!a || !(a->cctx = ZSTD_createCCtx())) {
        vg_free(a);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    a->s = s;
    a->fd = -1;
    a->day = -1;
    vg_buf_init(&a->text, 0);
    vg_buf_init(&a->out, 0);
    ZSTD_CCtx_setParameter(a->cctx, ZSTD_c_compressionLevel, ARCHIVE_LEVEL);
    ZSTD_CCtx_setParameter(a->cctx, ZSTD_c_checksumFlag, 1);
    snprintf(a->dir, sizeof(a->dir), "%s/archive", s->conf->data_dir);
    if (mkdir(a->dir, 0700) != 0 && errno != EEXIST) {
        vg_rc rc = vg_fail(err, VG_ERR_IO, 0, "%s: %s", a->dir, strerror(errno));
        vg_serve_archive_close(a);
        return rc;
    }
    expire(a, vg_now_us() / 86400000000LL);
    *out = a;
    return VG_OK;
}

void vg_serve_archive_close(vg_serve_archive *a)
{
    if (!a)
        return;
    if (a->fd >= 0)
        close(a->fd);
    ZSTD_freeCCtx(a->cctx);
    vg_buf_free(&a->text);
    vg_buf_free(&a->out);
    vg_free(a);
}

/* Deletes day files older than archive_days (names are YYYY-MM-DD.jsonl.zst). */
static void expire(vg_serve_archive *a, int64_t today)
{
    unsigned keep = a->s->conf->archive_days;
    DIR *d = keep ? opendir(a->dir) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        int y, m, dd;
        char tail[16];
        if (sscanf(e->d_name, "%4d-%2d-%2d%15s", &y, &m, &dd, tail) != 4 || strcmp(tail, ".jsonl.zst") != 0)
            continue;
        if (today - vg_time_from_civil(y, m, dd, 0, 0, 0) / 86400 >= (int64_t)keep) {
            if (unlinkat(dirfd(d), e->d_name, 0) == 0)
                vg_log(VG_LOG_INFO, "archive: %s deleted (older than %u days)", e->d_name, keep);
        }
    }
    if (d)
        closedir(d);
}

/* The file of day (days since the epoch), opened for appending. */
static vg_rc open_day(vg_serve_archive *a, int64_t day, vg_error *err)
{
    if (a->day == day)
        return VG_OK;
    if (a->fd >= 0)
        close(a->fd);
    int y, m, d, hh, mm, ss;
    vg_time_to_civil(day * 86400, &y, &m, &d, &hh, &mm, &ss);
    char path[4200];
    snprintf(path, sizeof(path), "%s/%04d-%02d-%02d.jsonl.zst", a->dir, y, m, d);
    a->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (a->fd < 0) {
        a->day = -1;
        return vg_fail(err, VG_ERR_IO, 0, "%s: %s", path, strerror(errno));
    }
    a->day = day;
    expire(a, day);
    return VG_OK;
}

/* One record as a JSON line. */
static void record_line(vg_serve_archive *a, const vg_spool_rec *r)
{
    const vg_config *c = a->s->conf;
    const char *data = r->data;
    size_t len = r->len;
    vg_file_record_line(c, r->source, &data, &len, NULL);
    const char *source = vg_config_source_name(c, r->source);
    vg_buf_printf(&a->text, "{\"seq\":%llu,\"received_us\":%lld,\"unit\":", (unsigned long long)r->seq,
                  (long long)r->received_us);
    const char *unit = r->unit < c->nunits ? c->units[r->unit].name : "?";
    vg_jw_string(&a->text, unit, strlen(unit), NULL);
    vg_buf_puts(&a->text, ",\"source\":");
    vg_jw_string(&a->text, source, strlen(source), NULL);
    vg_buf_puts(&a->text, ",\"record\":");
    vg_jw_string(&a->text, data, len, NULL);
    vg_buf_puts(&a->text, "}\n");
}

/* Compresses a->text as one frame and appends it to the day's file. */
static vg_rc write_frame(vg_serve_archive *a, vg_error *err)
{
    size_t bound = ZSTD_compressBound(a->text.len);
    vg_buf_reset(&a->out);
    if (vg_buf_reserve(&a->out, bound) != VG_OK)
        return vg_fail(err, VG_ERR_NOMEM, 0, "archive: out of memory");
    size_t n = ZSTD_compress2(a->cctx, a->out.data, bound, a->text.data, a->text.len);
    if (ZSTD_isError(n))
        return vg_fail(err, VG_ERR_IO, 0, "archive: zstd: %s", ZSTD_getErrorName(n));
    for (size_t done = 0; done < n;) {
        ssize_t w = write(a->fd, a->out.data + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return vg_fail(err, VG_ERR_IO, 0, "archive: write: %s", strerror(errno));
        done += (size_t)w;
    }
    return VG_OK;
}

vg_rc vg_serve_archive_batch(vg_serve_archive *a, uint64_t first, uint64_t last, vg_error *err)
{
    vg_spool_reader *r = NULL;
    vg_rc rc = vg_spool_reader_open(a->s->spool, first, &r, err);
    int64_t day = -1;
    vg_buf_reset(&a->text);
    while (!rc) {
        vg_spool_rec rec;
        rc = vg_spool_read(r, &rec, err);
        if (rc || rec.seq > last)
            break;
        int64_t d = rec.received_us / 86400000000LL;
        if (day >= 0 && d != day && a->text.len) { /* a batch across midnight: one frame per day */
            rc = open_day(a, day, err);
            if (!rc)
                rc = write_frame(a, err);
            vg_buf_reset(&a->text);
        }
        day = d;
        record_line(a, &rec);
    }
    vg_spool_reader_close(r);
    if (rc == VG_END)
        rc = VG_OK;
    if (!rc && a->text.len) {
        rc = open_day(a, day, err);
        if (!rc)
            rc = write_frame(a, err);
    }
    return rc;
}
