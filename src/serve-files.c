/*
 * serve-files: the daemon's file inputs (see serve.h). One thread polls every configured file
 * (ingest-follow: rotation, truncation, files that do not exist yet) and appends its new
 * complete lines to the spool, while the backlog leaves room.
 *
 * Exactly once across restarts: every spool record of a file carries, in front of the line,
 * the file's position just after it (VG_FILE_POS_BYTES: device, inode, offset, little-endian).
 * The store writer saves the furthest position of each file with the batch that processed
 * its records, in the same transaction as their alerts. At start, a file resumes from the
 * furthest of: the position the store saved, and the positions of its records still in the
 * spool past the store's watermark (read, not yet processed). So a line is spooled once, even
 * when the daemon died between reading it and storing its results.
 *
 * Main structures: vg_serve_files (the thread and one input per file), file_input (its
 * follower, source id, and the records of the current poll).
 */
#include "serve.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest-follow.h"
#include "util-log.h"
#include "util-mem.h"
#include "util-time.h"

#define FILES_POLL_MS 200               /* pause between polls when nothing was new */
#define FILES_POLL_BYTES (1u << 20)     /* limit: bytes read from one file per poll */

typedef struct file_input {
    const vg_conf_file *conf;
    uint32_t source;                    /* spool source id: nlisteners + index */
    vg_follow *f;
    vg_buf batch;                       /* position + line, back to back */
    vg_spool_rec *recs;
    size_t nrecs, cap;
} file_input;

struct vg_serve_files {
    vg_serve *s;
    file_input *in;
    size_t n;
    pthread_t thread;
    int started;
    atomic_int stop;
};

void vg_file_pos_encode(unsigned char out[VG_FILE_POS_BYTES], const vg_follow_pos *pos)
{
    uint64_t v[3] = { pos->dev, pos->ino, pos->offset };
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 8; i++)
            out[k * 8 + i] = (unsigned char)(v[k] >> (8 * i));
}

int vg_file_pos_decode(const char *data, size_t len, vg_follow_pos *pos)
{
    if (len < VG_FILE_POS_BYTES)
        return -1;
    uint64_t v[3] = { 0, 0, 0 };
    const unsigned char *p = (const unsigned char *)data;
    for (int k = 0; k < 3; k++)
        for (int i = 7; i >= 0; i--)
            v[k] = v[k] << 8 | p[k * 8 + i];
    *pos = (vg_follow_pos){ v[0], v[1], v[2] };
    return 0;
}

int vg_file_record_line(const vg_config *c, uint32_t src, const char **data, size_t *len, vg_follow_pos *pos)
{
    vg_follow_pos p;
    if (src < c->nlisteners || vg_file_pos_decode(*data, *len, &p) != 0)
        return 0;
    if (pos)
        *pos = p;
    *data += VG_FILE_POS_BYTES;
    *len -= VG_FILE_POS_BYTES;
    return 1;
}

static void on_report(void *ctx, const char *path, const char *reason)
{
    (void)ctx;
    vg_log(VG_LOG_WARN, "file %s: %s", path, reason);
}

static vg_rc on_line(void *ctx, const char *line, size_t len, const vg_follow_pos *after)
{
    file_input *in = ctx;
    if (in->nrecs == in->cap) {
        size_t cap = in->cap ? 2 * in->cap : 256;
        vg_spool_rec *r = vg_realloc(in->recs, cap * sizeof(*r));
        if (!r)
            return VG_ERR_NOMEM;
        in->recs = r;
        in->cap = cap;
    }
    unsigned char pos[VG_FILE_POS_BYTES];
    vg_file_pos_encode(pos, after);
    vg_spool_rec *r = &in->recs[in->nrecs++];
    *r = (vg_spool_rec){ .len = (uint32_t)(len + VG_FILE_POS_BYTES),
                         .data = (const char *)(uintptr_t)in->batch.len }; /* an offset for now */
    vg_rc rc = vg_buf_append(&in->batch, pos, sizeof(pos));
    return rc ? rc : vg_buf_append(&in->batch, line, len);
}

/* Polls one file and spools its new lines; 1 if there were any. */
static int poll_file(vg_serve_files *fs, file_input *in)
{
    vg_error err;
    in->nrecs = 0;
    vg_buf_reset(&in->batch);
    vg_rc rc = vg_follow_poll(in->f, FILES_POLL_BYTES, on_line, in, &err);
    if (rc != VG_OK && rc != VG_END)
        vg_log(VG_LOG_ERROR, "file %s: %s", in->conf->path, err.msg);
    if (!in->nrecs)
        return 0;
    int64_t now = vg_now_us();
    for (size_t i = 0; i < in->nrecs; i++) {
        in->recs[i].data = in->batch.data + (uintptr_t)in->recs[i].data;
        in->recs[i].received_us = now;
        in->recs[i].unit = in->conf->unit;
        in->recs[i].source = in->source;
    }
    rc = vg_serve_submit(fs->s, in->source, in->recs, in->nrecs, VG_SUBMIT_FORCE, &err);
    if (rc) {
        /* the lines are not lost: the position was not saved; they are read again at restart */
        vg_log(VG_LOG_ERROR, "file %s: %zu lines not spooled: %s", in->conf->path, in->nrecs, err.msg);
        atomic_store(&fs->stop, 1);
    }
    return 1;
}

static void *files_main(void *arg)
{
    vg_serve_files *fs = arg;
    while (!atomic_load(&fs->stop)) {
        int busy = 0;
        if (vg_serve_backlog(fs->s) < fs->s->conf->spool_max_backlog)
            for (size_t i = 0; i < fs->n && !atomic_load(&fs->stop); i++)
                busy |= poll_file(fs, &fs->in[i]);
        if (!busy)
            usleep(FILES_POLL_MS * 1000);
    }
    return NULL;
}

/* Where file i resumes: the store's saved position, or a later one of its records in the spool. */
static vg_rc resume_position(vg_serve *s, uint32_t source, const vg_follow_pos *saved, uint64_t from_seq,
                             vg_follow_pos *pos, vg_error *err)
{
    *pos = *saved;
    vg_spool_reader *r = NULL;
    vg_rc rc = vg_spool_reader_open(s->spool, from_seq, &r, err);
    for (vg_spool_rec rec; !rc;) {
        rc = vg_spool_read(r, &rec, err);
        vg_follow_pos p;
        if (!rc && rec.source == source && vg_file_pos_decode(rec.data, rec.len, &p) == 0)
            *pos = p;
    }
    vg_spool_reader_close(r);
    return rc == VG_END ? VG_OK : rc;
}

vg_rc vg_serve_files_start(vg_serve *s, const vg_follow_pos *saved, uint64_t from_seq, vg_serve_files **out,
                           vg_error *err)
{
    *out = NULL;
    if (!s->conf->nfiles)
        return VG_OK;
    vg_serve_files *fs = vg_calloc(1, sizeof(*fs));
    if (!fs || !(fs->in = vg_calloc(s->conf->nfiles, sizeof(*fs->in)))) {
        vg_free(fs);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    fs->s = s;
    vg_rc rc = VG_OK;
    for (size_t i = 0; !rc && i < s->conf->nfiles; i++) {
        file_input *in = &fs->in[fs->n++];
        in->conf = &s->conf->files[i];
        in->source = (uint32_t)(s->conf->nlisteners + i);
        vg_buf_init(&in->batch, 0);
        vg_follow_pos pos;
        rc = resume_position(s, in->source, &saved[i], from_seq, &pos, err);
        if (!rc)
            rc = vg_follow_open(&in->f, in->conf->path, pos.dev || pos.ino ? &pos : NULL, 65536, on_report, NULL,
                                err);
        if (!rc)
            vg_log(VG_LOG_INFO, "file %s: following from byte %llu", in->conf->path, (unsigned long long)pos.offset);
    }
    if (!rc && pthread_create(&fs->thread, NULL, files_main, fs) != 0)
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "cannot start the file input thread");
    else if (!rc) {
        fs->started = 1;
        pthread_setname_np(fs->thread, "vg-files");
    }
    if (rc) {
        vg_serve_files_stop(fs);
        return rc;
    }
    *out = fs;
    return VG_OK;
}

void vg_serve_files_stop(vg_serve_files *fs)
{
    if (!fs)
        return;
    atomic_store(&fs->stop, 1);
    if (fs->started)
        pthread_join(fs->thread, NULL);
    for (size_t i = 0; i < fs->n; i++) {
        vg_follow_close(fs->in[i].f);
        vg_buf_free(&fs->in[i].batch);
        vg_free(fs->in[i].recs);
    }
    vg_free(fs->in);
    vg_free(fs);
}
