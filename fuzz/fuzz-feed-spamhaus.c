/*
 * fuzz-feed-spamhaus: the spamhaus feed parser (Spamhaus DROP/EDROP/DROPv6: 'CIDR ; SBLnnn', ';' comments).
 * Invariants: see fuzz-feed-common.h.
 */
#include "fuzz-feed-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_SPAMHAUS);
    return fuzz_feed(data, size, &opts);
}
