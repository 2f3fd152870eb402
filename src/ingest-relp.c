/*
 * ingest-relp: RELP frame parsing and responses (see ingest-relp.h). The parser is a small
 * state machine over the frame's fields; the data of a frame is handed over in place when it
 * lies within one piece, else gathered in the parser's buffer.
 */
#include "ingest-relp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_TXNR = 0, ST_COMMAND, ST_DATALEN, ST_DATA, ST_TRAILER, ST_EMPTY_DONE };

vg_rc vg_relp_init(vg_relp_parser *p, size_t max_data)
{
    memset(p, 0, sizeof(*p));
    if (max_data == 0 || max_data > VG_RELP_MAX_TXNR)
        return VG_ERR_USAGE;
    if (!(p->buf = malloc(max_data)))
        return VG_ERR_NOMEM;
    p->max_data = max_data;
    return VG_OK;
}

void vg_relp_free(vg_relp_parser *p)
{
    free(p->buf);
    p->buf = NULL;
}

static vg_rc bad(vg_relp_parser *p, vg_error *err, const char *what, unsigned char c)
{
    return vg_fail(err, VG_ERR_PARSE, (size_t)p->offset, "RELP frame: %s (byte 0x%02x at %llu)", what, c,
                   (unsigned long long)p->offset);
}

/* A digit of a number field: 1 to 9 digits, no leading zero except a lone "0" where allowed. */
static int digit(uint32_t *v, unsigned *digits, unsigned char c, int zero_ok)
{
    if (c < '0' || c > '9' || *digits >= 9 || (*digits == 1 && *v == 0) || (!zero_ok && *digits == 0 && c == '0'))
        return 0;
    *v = *v * 10 + (uint32_t)(c - '0');
    (*digits)++;
    return 1;
}

static vg_rc deliver(vg_relp_parser *p, const char *data, size_t len,
                     vg_rc (*frame)(void *ctx, const vg_relp_frame *f), void *ctx)
{
    vg_relp_frame f = { .txnr = p->txnr, .data = data, .len = len };
    memcpy(f.command, p->command, p->cmdlen + 1);
    return frame(ctx, &f);
}

/* One byte of the header fields; returns VG_OK or an error. */
static vg_rc header_byte(vg_relp_parser *p, unsigned char c, vg_error *err)
{
    switch (p->state) {
    case ST_TXNR:
        if (c == ' ' && p->digits)
            p->state = ST_COMMAND, p->digits = 0, p->cmdlen = 0;
        else if (!digit(&p->txnr, &p->digits, c, 0))
            return bad(p, err, "transaction number expected", c);
        return VG_OK;
    case ST_COMMAND:
        if (c == ' ' && p->cmdlen) {
            p->command[p->cmdlen] = '\0';
            p->state = ST_DATALEN;
        } else if (((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_') {
            if (p->cmdlen == VG_RELP_MAX_COMMAND)
                return bad(p, err, "command longer than 32 letters", c);
            p->command[p->cmdlen++] = (char)c;
        } else {
            return bad(p, err, "command expected", c);
        }
        return VG_OK;
    case ST_DATALEN:
        if ((c == ' ' || c == '\n') && p->digits) {
            if (p->datalen > p->max_data)
                return vg_fail(err, VG_ERR_LIMIT, (size_t)p->offset, "RELP frame: %u bytes of data, over the limit of %zu",
                               p->datalen, p->max_data);
            if ((c == '\n') != (p->datalen == 0))
                return bad(p, err, p->datalen ? "data expected after its length" : "trailer expected", c);
            p->state = c == ' ' ? ST_DATA : ST_EMPTY_DONE; /* no data: the LF ended the frame */
            p->have = 0;
        } else if (!digit(&p->datalen, &p->digits, c, 1)) {
            return bad(p, err, "data length expected", c);
        }
        return VG_OK;
    default:
        return bad(p, err, "internal state", c);
    }
}

vg_rc vg_relp_feed(vg_relp_parser *p, const char *data, size_t len,
                   vg_rc (*frame)(void *ctx, const vg_relp_frame *f), void *ctx, vg_error *err)
{
    size_t i = 0;
    while (i < len) {
        vg_rc rc = VG_OK;
        if (p->state == ST_DATA) {
            size_t want = p->datalen - p->have, take = len - i < want ? len - i : want;
            if (p->have == 0 && take == want && i + take < len && data[i + take] == '\n') {
                rc = deliver(p, data + i, take, frame, ctx); /* whole within the piece: in place */
                p->offset += take + 1;
                i += take + 1;
                p->state = ST_TXNR, p->txnr = 0, p->digits = 0, p->datalen = 0;
            } else {
                memcpy(p->buf + p->have, data + i, take);
                p->have += take;
                p->offset += take;
                i += take;
                if (p->have == p->datalen)
                    p->state = ST_TRAILER;
            }
        } else if (p->state == ST_TRAILER) {
            if (data[i] != '\n')
                return bad(p, err, "trailer (LF) expected", (unsigned char)data[i]);
            rc = deliver(p, p->datalen ? p->buf : "", p->datalen, frame, ctx);
            p->offset++;
            i++;
            p->state = ST_TXNR, p->txnr = 0, p->digits = 0, p->datalen = 0;
        } else {
            if (p->state == ST_TXNR && p->digits == 0 && (data[i] == '\n' || data[i] == '\r')) {
                i++; /* line ends between frames: tolerated */
                p->offset++;
                continue;
            }
            rc = header_byte(p, (unsigned char)data[i], err);
            p->offset++;
            i++;
            if (!rc && p->state == ST_EMPTY_DONE) {
                rc = deliver(p, "", 0, frame, ctx);
                p->state = ST_TXNR, p->txnr = 0, p->digits = 0, p->datalen = 0;
            }
        }
        if (rc)
            return rc;
    }
    return VG_OK;
}

vg_rc vg_relp_response(vg_buf *out, uint32_t txnr, unsigned code, const char *text, const char *extra)
{
    char body[512];
    int n = extra ? snprintf(body, sizeof(body), "%u %s\n%s", code, text, extra)
                  : snprintf(body, sizeof(body), "%u %s", code, text);
    if (n < 0 || (size_t)n >= sizeof(body))
        return VG_ERR_LIMIT;
    return vg_buf_printf(out, "%u rsp %d %s\n", txnr, n, body);
}
