/*
 * fuzz-feed-ipsum: the ipsum feed parser (IPsum: IP<TAB>count).
 * Invariants: see fuzz-feed-common.h.
 */
#include "fuzz-feed-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_IPSUM);
    return fuzz_feed(data, size, &opts);
}
