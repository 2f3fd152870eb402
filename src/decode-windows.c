/* decode-windows: Windows events as JSON (in progress). */
#include "decode.h"

static int probe(const vg_event *ev) { (void)ev; return 0; }
static vg_rc decode(const vg_decode_opts *opts, vg_event *ev, vg_error *err) { (void)opts; (void)ev; (void)err; return VG_OK; }
const vg_decoder vg_decoder_windows = { "windows", "Windows events as JSON", 1, probe, decode };
