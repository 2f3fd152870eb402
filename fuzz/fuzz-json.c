/*
 * fuzz-json: the in-place JSON scanner, its lookups and the compact writer. Invariants checked
 * on every accepted input:
 *   - a document accepted whole is also accepted in streaming mode, with the same end;
 *   - every proper prefix in streaming mode is "truncated" or invalid, never accepted past it;
 *   - every string unescapes to valid UTF-8 no longer than its raw form;
 *   - the compact re-serialization scans again to a tape of the same shape;
 *   - every object member is found again by vg_json_member under its own key;
 *   - the scanner's line-feed count equals the line feeds in the scanned text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json-scan.h"
#include "json-write.h"
#include "util-buf.h"
#include "util-utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vg_json_doc doc, again;
static vg_buf out;

static void check_strings_and_members(const vg_json_doc *d)
{
    static char tmp[1 << 16];
    for (uint32_t i = 0; i < d->ntoks; i++) {
        const vg_json_tok *t = &d->toks[i];
        if (t->type == VG_JSON_STRING && t->len <= sizeof tmp) {
            size_t n = vg_json_unescape(d->text + t->start, t->len, tmp);
            if (n > t->len || vg_utf8_check(tmp, n) != n)
                abort();
        }
        if (t->type == VG_JSON_OBJECT) {
            for (uint32_t k = i + 1; k < t->next; k = d->toks[k + 1].next) {
                const vg_json_tok *key = &d->toks[k];
                if (key->flags & VG_JSON_ESCAPED || key->len > sizeof tmp)
                    continue;
                int m = vg_json_member(d, i, d->text + key->start, key->len);
                /* duplicate keys: the first occurrence is found, never a later one */
                if (m < 0 || (uint32_t)m > k + 1)
                    abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!doc.toks) {
        if (vg_json_doc_init(&doc, 1u << 16, 64) || vg_json_doc_init(&again, 1u << 16, 64))
            abort();
        vg_buf_init(&out, 0);
    }
    const char *text = (const char *)data;
    size_t end = 0, end2 = 0;
    vg_error err;
    vg_rc rc = vg_json_parse(&doc, text, size, 0, &end, &err);
    if (rc != VG_OK)
        return 0;
    if (end > size)
        abort();
    uint32_t ntoks = doc.ntoks, lf = 0;
    for (size_t k = 0; k < end; k++)
        lf += text[k] == '\n';
    if (lf != doc.newlines)
        abort();

    /* streaming mode agrees (a trailing top-level number may be cut: then truncated) */
    vg_rc rc2 = vg_json_parse(&again, text, size, VG_JSON_PARTIAL, &end2, &err);
    if (!(rc2 == VG_OK && end2 == end) && !(rc2 == VG_ERR_TRUNCATED && end == size))
        abort();
    for (size_t k = end > 64 ? end - 64 : 1; k < end; k++) {
        rc2 = vg_json_parse(&again, text, k, VG_JSON_PARTIAL, &end2, &err);
        if (rc2 == VG_OK && end2 > k)
            abort();
    }

    vg_json_parse(&doc, text, size, 0, &end, &err);
    check_strings_and_members(&doc);

    vg_buf_reset(&out);
    if (vg_jw_token(&out, &doc, 0) != VG_OK)
        abort();
    if (vg_json_parse(&again, out.data, out.len, 0, &end2, &err) != VG_OK || end2 != out.len ||
        again.ntoks != ntoks)
        abort();
    for (uint32_t i = 0; i < ntoks; i++)
        if (again.toks[i].type != doc.toks[i].type || again.toks[i].next != doc.toks[i].next)
            abort();
    return 0;
}
