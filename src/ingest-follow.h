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
 * The exact rules:
 *   - Rotation is noticed at the end of the open file, when the path (stat) names another
 *     (dev, ino). The old file is then read once more to its end (what was written to it
 *     before the new file appeared), and only then the new one from offset 0. A last line of
 *     the old file without LF is complete at that moment (the writer has moved on) and is
 *     handed over as a line (within the limit), with the old file's end as its position; in a
 *     file that is only idle a partial line waits for its LF.
 *   - A path that disappears (deleted, or renamed with no new file yet) is reported once; the
 *     open file is still read (writers may still append to it) until the path names a file.
 *   - Truncation: the file's size is below what was read of it; a partial line read before is
 *     dropped (its bytes are gone). A truncation followed by more writes than were read, all
 *     before the next poll, cannot be seen by size (a limit of copytruncate itself).
 *   - A saved position whose file the path no longer names: the current file is read from 0
 *     and this is reported; what was written to the old file after the saved position is lost
 *     unless read from its rotated name by other means (rotated names are not searched).
 *   - Lines over max_record bytes (after the CR is removed) are reported and skipped up to
 *     their LF; the position moves past them, as it does past empty lines.
 *   - Work is bounded: a poll reads at most max_bytes and follows at most two rotations.
 *
 * Main structure: vg_follow, one followed path: its open descriptor, identity and position,
 * and one buffer of max_record + 2 bytes (a line, its CR and its LF) for the partial last line.
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
 * but move the position), with the position just after it. A non-OK return stops the poll
 * with that result; the line is then not consumed (the next poll hands it over again). */
typedef vg_rc (*vg_follow_line_fn)(void *ctx, const char *line, size_t len, const vg_follow_pos *after);

/* Called for each event worth reporting (rotation, truncation, a missing file, a line over the
 * limit that was skipped): the path and the reason. */
typedef void (*vg_follow_report_fn)(void *ctx, const char *path, const char *reason);

/* Follows path from position start (NULL: from the beginning of the file the path names now;
 * see the top comment for a saved position that no longer fits). Lines longer than max_record
 * (1 byte to 256 MiB) are reported and skipped. The file need not exist yet (reported here);
 * VG_ERR_IO if it exists but cannot be opened, VG_ERR_UNSUPPORTED if it is not a regular file. */
vg_rc vg_follow_open(vg_follow **out, const char *path, const vg_follow_pos *start, size_t max_record,
                     vg_follow_report_fn report, void *report_ctx, vg_error *err);

/* Reads at most max_bytes (> 0) of what was appended since the last poll (and follows rotation
 * and truncation), calling fn for each complete line. VG_OK when it read or followed
 * something (poll again soon), VG_END when there was nothing new, VG_ERR_IO when the file
 * cannot be read (the follower stays usable: the next poll tries again), or fn's result. */
vg_rc vg_follow_poll(vg_follow *f, size_t max_bytes, vg_follow_line_fn fn, void *ctx, vg_error *err);

/* The position after the last line handed over. */
void vg_follow_position(const vg_follow *f, vg_follow_pos *pos);

/* Closes and frees f (NULL is allowed). */
void vg_follow_close(vg_follow *f);

#endif
