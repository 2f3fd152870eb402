/*
 * fuzz-feed-misp: the MISP feed parser on one input that is an event file ({"Event": ...}) or
 * a manifest (an object of event uuids). The input is named as a manifest in a directory that
 * does not exist, so a manifest's events are reported as unreadable (never read from the
 * disk) and the listing of the directory ends the parse with an I/O error naming the input.
 * Invariants: see fuzz-feed-common.h.
 */
#include "fuzz-feed-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_MISP);
    return fuzz_feed_named(data, size, &opts, "/nonexistent-vigil-fuzz/misp/manifest.json");
}
