/*
 * fuzz-feed-stix: the STIX 2.1 parser (bundles, bare arrays and single objects; the pattern
 * parser, relationships, timestamps, external references).
 * Invariants: see fuzz-feed-common.h.
 */
#include "fuzz-feed-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_STIX);
    return fuzz_feed(data, size, &opts);
}
