/* decode-web: web access and Apache error logs (in progress). */
#include "decode.h"

static int probe(const vg_event *ev) { (void)ev; return 0; }
static vg_rc decode(const vg_decode_opts *opts, vg_event *ev, vg_error *err) { (void)opts; (void)ev; return vg_fail(err, VG_ERR_PARSE, 0, "web: not yet"); }
const vg_decoder vg_decoder_web_access = { "access", "Apache/nginx access logs (common, combined)", 0, probe, decode };
const vg_decoder vg_decoder_apache_error = { "apache-error", "Apache error logs", 0, probe, decode };
