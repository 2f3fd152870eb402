/*
 * ingest-decode: the record loop shared by every consumer of decoded events (vigil decode,
 * scan, the daemon's file inputs, the fuzz targets). It reads records from a vg_reader,
 * detects or takes the format, decodes each record into one reused vg_event and hands it to a
 * sink; rejected records go to the sink's reject callback with line and reason.
 */
#ifndef VIGIL_INGEST_DECODE_H
#define VIGIL_INGEST_DECODE_H

#include <stdint.h>

#include "decode.h"
#include "ingest-reader.h"

typedef struct vg_decode_sink {
    /* Called for each decoded event (which stands for ev->repeat occurrences). A non-OK
     * return stops the loop and is returned by vg_decode_input. */
    vg_rc (*event)(void *ctx, const vg_event *ev);
    /* Called for each rejected record. */
    void (*reject)(void *ctx, const char *source, uint64_t line, const char *reason);
    void *ctx;
} vg_decode_sink;

typedef struct vg_decode_stats {
    uint64_t records;   /* records read (blank lines are not records) */
    uint64_t events;    /* events produced, counting repeats */
    uint64_t rejected;  /* records rejected */
} vg_decode_stats;

/* Per-worker state of the loop: the JSON tape and the event, allocated once. */
typedef struct vg_decode_state {
    vg_json_doc doc;
    vg_event ev;
} vg_decode_state;

/* Allocates the state for records of at most max_record bytes. */
vg_rc vg_decode_state_init(vg_decode_state *st, size_t max_record);

/* Frees the state. */
void vg_decode_state_free(vg_decode_state *st);

/* Decodes every record of r. dec forces a decoder (NULL: detect from the first line; JSON
 * input with the generic "json" decoder picks a decoder per object). Returns VG_OK at the end
 * of input, VG_ERR_PARSE if the format could not be detected (err says why; err->offset is the
 * line that matched no decoder), VG_ERR_IO on read
 * errors, or what the sink returned. Stats are added to *stats. */
vg_rc vg_decode_input(vg_decode_state *st, vg_reader *r, const vg_decoder *dec,
                      const vg_decode_opts *opts, const vg_decode_sink *sink,
                      vg_decode_stats *stats, vg_error *err);

/* Decodes one record held in memory (a frame a listener received): dec NULL chooses per
 * record (a JSON object goes to the JSON decoders, else the first text decoder whose probe
 * accepts the line). source and line name it in rejections. Blank records are skipped. */
vg_rc vg_decode_record(vg_decode_state *st, const vg_decoder *dec, const vg_decode_opts *opts, const char *source,
                       uint64_t line, const char *data, size_t len, const vg_decode_sink *sink,
                       vg_decode_stats *stats);

#endif
