/* fuzz-decode-auto: format detection plus whichever decoder it picks, over raw input
 * (including gzip/zstd framing). */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_decode(data, size, NULL);
}
