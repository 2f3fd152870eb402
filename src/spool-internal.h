/*
 * spool-internal: the structures shared by spool.c (open, append, sync, release) and
 * spool-read.c (readers). Not a public interface: include spool.h.
 */
#ifndef VIGIL_SPOOL_INTERNAL_H
#define VIGIL_SPOOL_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "spool.h"

#define SPOOL_DIR_MAX 4064                  /* limit: the spool directory's path */
#define SPOOL_PATH_MAX (SPOOL_DIR_MAX + 32) /* a segment file's path */
#define SPOOL_READ_AHEAD (256u << 10)       /* bytes a reader reads at once */

typedef struct sp_region {
    uint64_t start, end;        /* damaged bytes [start, end) of a segment */
} sp_region;

typedef struct sp_seg {
    uint64_t first_seq;         /* from the file name */
    uint64_t end;               /* committed bytes */
    uint64_t last_seq;          /* the last intact record (0: none) */
    sp_region *damage;          /* found at open, ascending */
    size_t ndamage;
} sp_seg;

struct vg_spool {
    char dir[SPOOL_DIR_MAX];
    vg_spool_opts o;
    vg_spool_report_fn report;
    void *report_ctx;
    int dirfd, lockfd, fd;      /* fd: the write segment */
    pthread_mutex_t mu;         /* guards everything below */
    pthread_cond_t cv;          /* broadcast when a sync ends */
    sp_seg *segs;
    size_t nsegs, capsegs;
    uint64_t next_seq, durable_seq, released_seq, bytes, damaged, torn, syncs;
    int syncing;                /* a sync runs on fd now (roll and close wait for it) */
    int sealed_unsynced;        /* NEVER mode rolled without syncing: the next sync syncs them all */
    int failed_errno;           /* a failed fdatasync: the spool refuses further work */
    vg_spool_reader *readers;
    uint8_t *hdrs;              /* append scratch: SPOOL_IOV_RECS record headers */
    struct iovec *iov;          /* and their iovecs */
    pthread_t flusher;          /* VG_SPOOL_SYNC_INTERVAL */
    int flusher_on, stop;
    pthread_cond_t stop_cv;
};

struct vg_spool_reader {
    vg_spool *sp;
    vg_spool_reader *next;      /* in sp->readers */
    uint64_t seg_first;         /* the segment it is in (guarded by sp->mu: release reads it) */
    uint64_t from, last_seq;
    int fd;                     /* open on seg_first, or -1 */
    uint64_t off;               /* next record's offset in the segment */
    sp_region *damage;          /* copy of the segment's regions found at open */
    size_t ndamage;
    uint8_t *buf;               /* holds segment bytes [buf_off, buf_off + buf_len) */
    size_t cap, buf_len;
    uint64_t buf_off;
    char path[SPOOL_PATH_MAX];
};

/* Writes the path of segment first of the spool in dir. */
void vg_spool_seg_path(char *out, size_t cap, const char *dir, uint64_t first);

#endif
