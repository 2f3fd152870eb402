/*
 * fuzz-feed-warninglist: the warninglist feed parser (MISP warninglists: one JSON document, list kinds chosen by type and matching attributes).
 * Invariants: see fuzz-feed-common.h.
 */
#include "fuzz-feed-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_WARNINGLIST);
    return fuzz_feed(data, size, &opts);
}
