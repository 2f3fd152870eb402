/*
 * fuzz-feed-asn-drop: the asn-drop feed parser (Spamhaus ASN-DROP: JSON lines with asn numbers and a metadata line).
 * Invariants: see fuzz-feed-common.h.
 */
#include "fuzz-feed-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_ASN_DROP);
    return fuzz_feed(data, size, &opts);
}
