/*
 * ingest-follow: follows a growing log file the way the daemon's file inputs need: reads what
 * was appended since the last poll, hands over complete lines only (a partial last line waits
 * for its LF), and keeps reading the right bytes through rotation and truncation:
 *
 *   - rotation by rename (logrotate's default; the path now names a new file): the old file,
 *     still open, is read to its end first, then the new one from its start;
 *   - truncation in place (copytruncate, `> file`): the file is smaller than the position, so
 *     it is read again from its start, and the truncation is reported;
 *   - a file that does not exist yet, or disappears: waited for, reported once.
 *
 * Every line comes with the position just after it (device, inode, offset), which the caller
 * saves with what it did with the line, so a restart resumes exactly there (vg_follow_open
 * with that position: if the path still names that inode, reading resumes at the offset; if
 * the inode is gone or the file is shorter, the start rules above apply and are reported).
 *
 * Main structure: vg_follow, one followed path: its open descriptor, identity and position,
 * and a buffer of at most max_record bytes for the partial last line.
 */
#ifndef VIGIL_INGEST_FOLLOW_H
#define VIGIL_INGEST_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "util-error.h"

/* A position in a followed file. */
typedef struct vg_follow_pos {
    uint64_t dev, ino;      /* the file's identity (0, 0: none) */
    uint64_t offset;        /* bytes of it consumed: the byte after the last line handed over */
} vg_follow_pos;

typedef struct vg_follow vg_follow;

/* Called for each complete line (without its LF and a CR before it; empty lines are skipped
 * but move the position), with the position just after it. A non-OK return stops the poll. */
typedef vg_rc (*vg_follow_line_fn)(void *ctx, const char *line, size_t len, const vg_follow_pos *after);

/* Called for each event worth reporting (rotation, truncation, a missing file, a line over the
 * limit that was skipped): the path and the reason. */
typedef void (*vg_follow_report_fn)(void *ctx, const char *path, const char *reason);

/* Follows path from position start (NULL: from the beginning of the file the path names now;
 * see the top comment for a saved position that no longer fits). Lines longer than max_record
 * are reported and skipped. The file need not exist yet. */
vg_rc vg_follow_open(vg_follow **out, const char *path, const vg_follow_pos *start, size_t max_record,
                     vg_follow_report_fn report, void *report_ctx, vg_error *err);

/* Reads at most max_bytes of what was appended since the last poll (and follows rotation and
 * truncation), calling fn for each complete line. VG_END when there was nothing new. */
vg_rc vg_follow_poll(vg_follow *f, size_t max_bytes, vg_follow_line_fn fn, void *ctx, vg_error *err);

/* The position after the last line handed over. */
void vg_follow_position(const vg_follow *f, vg_follow_pos *pos);

/* Closes and frees f (NULL is allowed). */
void vg_follow_close(vg_follow *f);

#endif
