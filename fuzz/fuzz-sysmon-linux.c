/* fuzz-sysmon-linux: the "sysmon-linux" decoder (bare <Event> XML documents) and the syslog
 * decoder (Sysmon for Linux carried by program "sysmon") over the same raw input (including
 * gzip/zstd framing), forced rather than detected, so every line reaches both. */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_decode(data, size, "sysmon-linux");
    return fuzz_decode(data, size, "syslog");
}
