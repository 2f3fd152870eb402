/* fuzz-auditd: the "auditd" decoder over raw input (including gzip/zstd framing), forced rather
 * than detected, so every line reaches it; each record is also offered to the audit join
 * (decode-auditjoin), whose process events must serialize to one JSON object, and its text is
 * read as an EXECVE record's command line with a small and a large buffer, which must agree. */
#include "fuzz-common.h"

#include "decode-auditjoin.h"
#include "decode-syslog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vg_auditjoin *join;
static vg_auditjoin_proc proc;
static vg_event pev;

static void check_event(const vg_event *ev)
{
    static char small[16], big[8192];
    static vg_buf out;
    static vg_json_doc doc;
    static int ready;
    if (!ready) {
        vg_buf_init(&out, 0);
        if (vg_json_doc_init(&doc, 1u << 16, 256))
            abort();
        ready = 1;
    }
    vg_auditd_args as, ab;
    vg_auditd_args_init(&as);
    vg_auditd_args_init(&ab);
    vg_auditd_command_line(ev->text, ev->len, small, sizeof small, &as);
    vg_auditd_command_line(ev->text, ev->len, big, sizeof big, &ab);
    if (as.len > sizeof small || ab.len > sizeof big || memcmp(small, big, as.len) != 0 ||
        (!as.truncated && (as.len != ab.len || as.argc != ab.argc || as.last != ab.last)))
        abort();    /* what fits in the small buffer is the start of the same command line */
    if (!vg_auditjoin_wants(ev) || !vg_auditjoin_offer(join, ev, &proc))
        return;
    vg_auditjoin_event(&proc, &pev);
    vg_buf_reset(&out);
    size_t end;
    vg_error err;
    if (vg_event_to_json(&pev, &out) != VG_OK || vg_json_parse(&doc, out.data, out.len, 0, &end, &err) != VG_OK ||
        end != out.len || doc.toks[0].type != VG_JSON_OBJECT)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_error err;
    if (!join && vg_auditjoin_new(&join, &err) != VG_OK)
        abort();
    fuzz_event_hook = check_event;
    return fuzz_decode(data, size, "auditd");
}
