/*
 * ingest-relp: the frames of RELP, the Reliable Event Logging Protocol of rsyslog (librelp),
 * parsed from a byte stream fed in pieces. A frame is
 *
 *     TXNR SP COMMAND SP DATALEN [SP DATA] LF
 *
 * TXNR 1-999999999, COMMAND 1-32 letters (and '_'), DATALEN 0-999999999 (DATA follows after a
 * space when it is not 0). The sender numbers its frames and waits for a "rsp" frame with the
 * same number before it forgets a message: the receiver acknowledges a syslog frame only once
 * the message is safe (for vigil serve: in the spool). RELP has no way to find the next frame
 * after a malformed one: a parse error ends the connection (the sender sends again what was
 * not acknowledged).
 *
 * Main structure: vg_relp_parser, the state of one stream: the field being read, the frame's
 * number and command, and the data gathered (a frame within one piece is handed over in place).
 */
#ifndef VIGIL_INGEST_RELP_H
#define VIGIL_INGEST_RELP_H

#include <stddef.h>
#include <stdint.h>

#include "util-buf.h"
#include "util-error.h"

#define VG_RELP_MAX_COMMAND 32      /* limit: letters of a command */
#define VG_RELP_MAX_TXNR 999999999u /* limit: a frame number */

/* One frame; data valid during the callback only. */
typedef struct vg_relp_frame {
    uint32_t txnr;
    char command[VG_RELP_MAX_COMMAND + 1];
    const char *data;
    size_t len;
} vg_relp_frame;

typedef struct vg_relp_parser {
    int state;
    uint32_t txnr;
    char command[VG_RELP_MAX_COMMAND + 1];
    unsigned cmdlen;
    uint32_t datalen;
    unsigned digits;
    char *buf;                  /* the data of a frame split across pieces (max_data bytes) */
    size_t have;
    size_t max_data;
    uint64_t offset;            /* stream offset of the next byte (for errors) */
} vg_relp_parser;

/* Initializes a parser for frames of at most max_data bytes of data. */
vg_rc vg_relp_init(vg_relp_parser *p, size_t max_data);

/* Frees the parser's buffer. */
void vg_relp_free(vg_relp_parser *p);

/* Feeds the next len bytes; calls frame for each complete frame (a non-OK return stops and is
 * returned). VG_ERR_PARSE (reason and stream offset in err) for a malformed frame,
 * VG_ERR_LIMIT for data over max_data: the connection cannot go on. */
vg_rc vg_relp_feed(vg_relp_parser *p, const char *data, size_t len,
                   vg_rc (*frame)(void *ctx, const vg_relp_frame *f), void *ctx, vg_error *err);

/* Appends a response frame "TXNR rsp LEN CODE TEXT[\nEXTRA]\n" to out (extra may be NULL). */
vg_rc vg_relp_response(vg_buf *out, uint32_t txnr, unsigned code, const char *text, const char *extra);

#endif
