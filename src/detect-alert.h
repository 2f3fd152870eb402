/*
 * detect-alert: the envelope every alert shares, whatever found it (indicator matching,
 * Sigma rules): one JSON object per line,
 *
 *   {"@timestamp": the event's time (or when the alert was made, if the event has none),
 *    "alert": {"kind": "intel"|"sigma", "created", "input", "record", "line", "repeat"},
 *    ...the detector's members ("threat" and "matched" for intel, "rule" for Sigma)...,
 *    "event": the event as vigil decode prints it}
 *
 * The format is documented in docs/alerts.md.
 */
#ifndef VIGIL_DETECT_ALERT_H
#define VIGIL_DETECT_ALERT_H

#include <stdint.h>

#include "event.h"
#include "util-buf.h"

/* Where an event came from: the input's name, the record's number in it and its first line;
 * for the daemon also the unit and the receipt time. */
typedef struct vg_alert_origin {
    const char *input;
    uint64_t record;
    uint64_t line;
    unsigned repeat;        /* times the event occurred (syslog "message repeated"); 1 */
    const char *unit;       /* the daemon: the unit of the source (NULL: none) */
    int64_t received_us;    /* the daemon: when the record was received (0: not given) */
} vg_alert_origin;

/* Appends the start of an alert: "{" "@timestamp" and "alert" (kind, created at now, origin);
 * the detector appends its members after it, each starting with a comma. */
vg_rc vg_alert_begin(vg_buf *b, const char *kind, const vg_event *ev, const vg_alert_origin *o, int64_t now);

/* Appends the event, closes the object and ends the line. */
vg_rc vg_alert_end(vg_buf *b, const vg_event *ev);

#endif
