/*
 * util-hscache: a content-addressed cache of compiled Hyperscan databases (see util-hscache.h).
 */
#include "util-hscache.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util-mem.h"

#define HSCACHE_MAX_FILE (512u << 20)   /* limit: bytes of one cached database */
#define HSCACHE_PATH 4096

static void hash_bytes(EVP_MD_CTX *c, const void *p, size_t n)
{
    EVP_DigestUpdate(c, p, n);
}

/* The file name of the database the patterns make: 64 hex digits of their SHA-256. */
static int cache_key(const char *const *exprs, const unsigned *flags, const unsigned *ids, unsigned n, char hex[65])
{
    unsigned char md[32];
    unsigned len = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(c);
        return -1;
    }
    const char *v = hs_version();
    hash_bytes(c, "vigil-hscache-1 block ", 22);
    hash_bytes(c, v, strlen(v) + 1);
    hash_bytes(c, &n, sizeof n);
    for (unsigned i = 0; i < n; i++) {
        size_t el = strlen(exprs[i]);
        hash_bytes(c, &flags[i], sizeof flags[i]);
        hash_bytes(c, &ids[i], sizeof ids[i]);
        hash_bytes(c, &el, sizeof el);
        hash_bytes(c, exprs[i], el);
    }
    int ok = EVP_DigestFinal_ex(c, md, &len);
    EVP_MD_CTX_free(c);
    if (!ok)
        return -1;
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* Reads a cached database; NULL if absent, damaged or unreadable. */
static hs_database_t *cache_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat st;
    hs_database_t *db = NULL;
    char *buf = NULL;
    if (fstat(fileno(f), &st) == 0 && st.st_size > 32 && (uint64_t)st.st_size <= HSCACHE_MAX_FILE &&
        (buf = vg_malloc((size_t)st.st_size)) && fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
        size_t n = (size_t)st.st_size - 32;
        unsigned char md[32];
        unsigned len = 0;
        if (EVP_Digest(buf, n, md, &len, EVP_sha256(), NULL) && memcmp(md, buf + n, 32) == 0 &&
            hs_deserialize_database(buf, n, &db) != HS_SUCCESS)
            db = NULL;
    }
    vg_free(buf);
    fclose(f);
    return db;
}

/* Writes the serialized database bytes[0..n) to path (a temporary file, then a rename); 0 or
 * -1. */
static int cache_write(const char *dir, const char *path, const char *bytes, size_t n)
{
    unsigned char md[32];
    unsigned len = 0;
    char tmp[HSCACHE_PATH];
    int rc = -1;
    if (EVP_Digest(bytes, n, md, &len, EVP_sha256(), NULL) &&
        snprintf(tmp, sizeof tmp, "%s/.tmp.%ld.%p", dir, (long)getpid(), (const void *)bytes) < (int)sizeof tmp) {
        FILE *f = fopen(tmp, "wb");
        if (f) {
            int ok = fwrite(bytes, 1, n, f) == n && fwrite(md, 1, 32, f) == 32;
            ok = (fclose(f) == 0) && ok;
            if (ok && rename(tmp, path) == 0)
                rc = 0;
            else
                unlink(tmp);
        }
    }
    return rc;
}

/* Creates dir and its parents (mode 0700); 0 if it exists afterwards. */
static int make_dirs(const char *dir)
{
    char p[HSCACHE_PATH];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p)
        return -1;
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++)
        if (p[i] == '/' || p[i] == '\0') {
            char c = p[i];
            p[i] = '\0';
            if (mkdir(p, 0700) != 0 && errno != EEXIST)
                return -1;
            p[i] = c;
        }
    return 0;
}

/* ---- the memo of one build ---------------------------------------------------------------- */

typedef struct memo_entry {
    char key[65];                   /* cache_key's hex digits */
    char *bytes;                    /* the serialized database (Hyperscan's malloc) */
    size_t len;
} memo_entry;

struct vg_hscache_memo {
    memo_entry *v;
    size_t n, cap;
};

vg_hscache_memo *vg_hscache_memo_new(void)
{
    return vg_calloc(1, sizeof(vg_hscache_memo));
}

void vg_hscache_memo_free(vg_hscache_memo *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].bytes);
    vg_free(m->v);
    vg_free(m);
}

/* A copy of the database memo keeps under key hex, or NULL. */
static hs_database_t *memo_get(const vg_hscache_memo *m, const char *hex)
{
    hs_database_t *db = NULL;
    for (size_t i = 0; i < m->n; i++)
        if (memcmp(m->v[i].key, hex, 64) == 0)
            return hs_deserialize_database(m->v[i].bytes, m->v[i].len, &db) == HS_SUCCESS ? db : NULL;
    return NULL;
}

/* Keeps the serialized database bytes[0..len) under key hex, taking the bytes; -1 (the bytes
 * still the caller's) when out of memory: the next ask compiles again. */
static int memo_keep(vg_hscache_memo *m, const char *hex, char *bytes, size_t len)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        memo_entry *v = vg_realloc(m->v, cap * sizeof *v);
        if (!v)
            return -1;
        m->v = v;
        m->cap = cap;
    }
    memcpy(m->v[m->n].key, hex, 65);
    m->v[m->n].bytes = bytes;
    m->v[m->n++].len = len;
    return 0;
}

hs_error_t vg_hscache_compile(const char *const *exprs, const unsigned *flags, const unsigned *ids, unsigned n,
                              const char *dir, vg_hscache_memo *memo, hs_database_t **db, hs_compile_error_t **ce,
                              vg_hscache_stats *st)
{
    char hex[65], path[HSCACHE_PATH];
    int keyed = (memo || (dir && dir[0])) && cache_key(exprs, flags, ids, n, hex) == 0;
    int cached = keyed && dir && dir[0] && snprintf(path, sizeof path, "%s/%s.hsdb", dir, hex) < (int)sizeof path;
    int in_memo = keyed && memo && (*db = memo_get(memo, hex)) != NULL;
    int from_file = !in_memo && cached && (*db = cache_read(path)) != NULL;
    if (in_memo || from_file) {
        if (st)
            st->hits++;
    } else {
        hs_error_t rc = hs_compile_multi(exprs, flags, ids, n, HS_MODE_BLOCK, NULL, db, ce);
        if (rc != HS_SUCCESS)
            return rc;
        if (st)
            st->compiled++;
    }
    int to_memo = keyed && memo && !in_memo, to_file = cached && !in_memo && !from_file;
    if (to_memo || to_file) {   /* serialized once for both */
        char *bytes = NULL;
        size_t len = 0;
        int ok = hs_serialize_database(*db, &bytes, &len) == HS_SUCCESS;
        if (to_file && (!ok || make_dirs(dir) != 0 || cache_write(dir, path, bytes, len) != 0) && st)
            st->write_errors++;
        if (!ok || !to_memo || memo_keep(memo, hex, bytes, len) != 0)
            free(bytes);    /* Hyperscan allocates with malloc unless told otherwise */
    }
    return HS_SUCCESS;
}

const char *vg_hscache_default_dir(char *buf, size_t cap)
{
    const char *v = getenv("VIGIL_CACHE_DIR");
    if (v)
        return snprintf(buf, cap, "%s", v) < (int)cap ? buf : "";
    if ((v = getenv("XDG_CACHE_HOME")) && v[0])
        return snprintf(buf, cap, "%s/vigil/sigma", v) < (int)cap ? buf : "";
    if ((v = getenv("HOME")) && v[0])
        return snprintf(buf, cap, "%s/.cache/vigil/sigma", v) < (int)cap ? buf : "";
    return "";
}
