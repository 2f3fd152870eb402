/*
 * fuzz-snapshot: arbitrary bytes as an indicator snapshot (intel-snapshot). The input is
 * opened from memory without verification and queried with a lookup of every type (single,
 * batched, prefetched and hinted), every hit's sources and references read, its own bytes
 * scanned as the text of a record to come (vg_intel_prefetch_text); then its SHA-256 is
 * resealed on a copy, so the deep checks of VG_SNAP_VERIFY run on the damaged content too
 * (not only the checksum).
 * Invariants: no read outside the input (ASan), no undefined behaviour (UBSan); batched
 * results (vg_snap_match_batch, vg_snap_find_ipv4_batch, vg_snap_match_domain_batch) equal
 * single ones; a snapshot that passes VG_SNAP_VERIFY opens without it as well.
 * Seeds: fuzz/corpus/fuzz-snapshot (made by fuzz/make-snapshot-corpus.sh).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "detect-intel.h"
#include "intel-format.h"
#include "intel-snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const queries[] = {
    "192.0.2.1", "198.51.100.7", "10.1.2.3", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::1",
    "10.0.0.0/8", "2001:db8::/32", "203.0.113.7:8443", "[2001:db8::bad]:443", "evil.example",
    "www.evil.example", "a.b.c.d.e.f.g.example.com", "tk", "http://dl.example/payload.bin",
    "https://x.example/a?b=c", "/gate.php", "44d88612fea8a8f36de82e1278abb02f",
    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "user@example.org", "AS64500",
};
#define NQ (sizeof queries / sizeof queries[0])

static void query_all(const vg_snap *s, const vg_ind *const *inds, size_t n)
{
    static vg_intel_hit hits[NQ * VG_INTEL_MAX_HITS], one[VG_INTEL_MAX_HITS];
    uint32_t counts[NQ];
    size_t total = vg_snap_match_batch(s, inds, n, hits, NQ * VG_INTEL_MAX_HITS, counts), at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = vg_snap_match(s, inds[i], one, VG_INTEL_MAX_HITS);
        if (k != counts[i])
            abort();
        for (size_t h = 0; h < k; h++) {
            const vg_intel_hit *b = &hits[at + h];
            if (b->type != one[h].type || b->prefix != one[h].prefix || b->parent != one[h].parent ||
                b->ref != one[h].ref || b->key != one[h].key || b->key_len != one[h].key_len)
                abort();
            char text[VG_IND_TEXT_MAX];
            vg_snap_hit_format(&one[h], text, sizeof text);
            size_t nsrc = vg_snap_source_count(s, one[h].ref);
            for (size_t j = 0; j < nsrc && j < 8; j++) {
                vg_intel_source src;
                if (vg_snap_source(s, one[h].ref, j, &src) == 0)
                    for (unsigned r = 0; r < src.nrefs && r < 4; r++)
                        if (!vg_snap_source_reference(s, &src, r))
                            abort();
            }
        }
        at += k;
        vg_snap_prefetch(s, inds[i]);
    }
    if (at != total)
        abort();
    uint32_t addrs[4] = { 0xC0000201u, 0x0A010203u, 0, 0xFFFFFFFFu }, refs[4];
    vg_snap_find_ipv4_batch(s, addrs, 4, refs);
    for (int i = 0; i < 4; i++) {
        vg_snap_hint_ipv4(s, addrs[i], i == 3 ? -1 : (long)(addrs[i] & 0x1ffff));
        if (refs[i] != vg_snap_find_ipv4(s, addrs[i]))
            abort();
    }
    const char *names[NQ];      /* every query as a domain name, batched and single */
    size_t lens[NQ], nn = 0, dat = 0, got;
    for (size_t i = 0; i < n; i++)
        if (inds[i]->type == VG_IND_DOMAIN)
            names[nn] = (const char *)inds[i]->key, lens[nn++] = inds[i]->len;
    total = vg_snap_match_domain_batch(s, names, lens, nn, hits, NQ * VG_INTEL_MAX_HITS, counts);
    for (size_t i = 0; i < nn; i++, dat += got)
        if ((got = vg_snap_match_domain(s, names[i], lens[i], one, VG_INTEL_MAX_HITS)) != counts[i] ||
            (got && one[0].key != hits[dat].key))
            abort();
    if (dat != total)
        abort();
    for (size_t i = 0; i < vg_snap_feed_count(s); i++) {
        vg_intel_feed_info f;
        vg_snap_feed(s, i, &f);
    }
    for (size_t i = 0; i < vg_snap_section_count(s); i++) {
        char name[64];
        uint64_t bytes, count;
        vg_snap_section(s, i, name, sizeof name, &bytes, &count);
    }
    vg_snap_count(s, VG_IND_NONE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vg_ind ind[NQ];
    static const vg_ind *inds[NQ];
    static size_t nind;
    if (!nind) {
        for (size_t i = 0; i < NQ; i++) {
            vg_error err;
            if (vg_ind_parse(VG_IND_GUESS, queries[i], strlen(queries[i]), &ind[nind], &err) == VG_OK)
                inds[nind] = &ind[nind], nind++;
        }
    }
    uint64_t *copy = malloc(size ? size : 1);      /* malloc: 8-byte aligned, exact size for ASan */
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    vg_snap *s;
    vg_error err;
    if (vg_snap_open_mem(copy, size, 0, &s, &err) == VG_OK) {
        query_all(s, inds, nind);
        vg_intel_prefetch_text(s, (const char *)data, size);    /* the bytes as a record to come */
        vg_snap_verify(s, &err);
        vg_snap_close(s);
    }
    if (size >= SNAP_HEADER_SIZE) {     /* reseal: the deep checks, then lookups if they pass */
        unsigned int len;
        EVP_Digest((unsigned char *)copy + SNAP_HEADER_SIZE, size - SNAP_HEADER_SIZE,
                   (unsigned char *)copy + offsetof(snap_header, sha256), &len, EVP_sha256(), NULL);
        if (vg_snap_open_mem(copy, size, VG_SNAP_VERIFY, &s, &err) == VG_OK) {
            query_all(s, inds, nind);
            vg_snap_close(s);
            if (vg_snap_open_mem(copy, size, 0, &s, &err) != VG_OK)
                abort();
            vg_snap_close(s);
        }
    }
    free(copy);
    return 0;
}
