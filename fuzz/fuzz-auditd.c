/* fuzz-auditd: the "auditd" decoder over raw input (including gzip/zstd framing), forced rather
 * than detected, so every line reaches it. */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_decode(data, size, "auditd");
}
