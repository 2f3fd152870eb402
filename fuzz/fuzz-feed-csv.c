/*
 * fuzz-feed-csv: the CSV feed parser (RFC 4180 quoting, joined lines, '#' banners, header
 * row / banner header / numbered columns; columns value, type, ip, port, url, family,
 * reference, confidence, first_seen, last_seen). The first byte chooses the
 * header mode and the delimiter; the rest is the file. Invariants: see fuzz-feed-common.h.
 */
#include "fuzz-feed-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const vg_csv_role roles[] = { VG_CSV_VALUE, VG_CSV_TYPE, VG_CSV_IP, VG_CSV_PORT, VG_CSV_URL,
                                         VG_CSV_FAMILY, VG_CSV_REFERENCE, VG_CSV_CONFIDENCE, VG_CSV_FIRST_SEEN,
                                         VG_CSV_LAST_SEEN };
    static const char *const numbered[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10" };
    if (size == 0)
        return 0;
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_CSV);
    opts.header = (vg_csv_header)(data[0] % 3);
    opts.delimiter = data[0] & 0x80 ? ';' : ',';
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        opts.columns[roles[i]] = opts.header == VG_CSV_HEADER_NONE ? numbered[i] : vg_csv_role_name(roles[i]);
    return fuzz_feed(data + 1, size - 1, &opts);
}
