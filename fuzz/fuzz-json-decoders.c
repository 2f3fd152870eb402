/* fuzz-json-decoders: JSON input through the per-object decoder choice (Windows, Suricata,
 * Zeek, generic) and whichever decoder the shape picks. */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_decode(data, size, "json");
}
