/*
 * sigma-set: rule files loaded from paths into one engine (see sigma-set.h).
 */
#include "sigma-set.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util-mem.h"
#include "util-yaml.h"

#define SET_MAX_ENTRIES 1000000u    /* limit: entries of one directory */
#define SET_PATH_MAX 4096           /* limit: length of a path built by the walk */
#define SET_MAX_PLACEHOLDERS 4096   /* limit: placeholders defined */
#define SET_MAX_PH_VALUES 65536     /* limit: values of one placeholder */

struct vg_sigma_set {
    vg_sigma_mapping *map;
    vg_sigma_engine *engine;
    vg_sigma_corr *corr;
    vg_sigma_placeholder *ph_items;
    vg_sigma_placeholders ph;
    vg_sigma_file **files;
    size_t *first_entry;        /* engine entry of each file's first loaded rule */
    size_t nfiles, cap;
};

/* ---- placeholders ------------------------------------------------------------------------- */

typedef struct ph_parse {
    vg_yaml y;
    vg_sigma_set *s;
    const char **values;
    size_t nvalues;
} ph_parse;

static vg_rc ph_value(void *ctx, yaml_node_t *item)
{
    ph_parse *p = ctx;
    size_t len;
    const char *v = vg_yaml_scalar(item, &len);
    if (!v || memchr(v, '\0', len))
        return vg_yaml_fail(&p->y, item, "a placeholder value must be a string");
    if (p->nvalues == SET_MAX_PH_VALUES)
        return vg_yaml_fail(&p->y, item, "more than %d values", SET_MAX_PH_VALUES);
    return (p->values[p->nvalues++] = vg_strndup(v, len)) ? VG_OK
                                                         : vg_fail(p->y.err, VG_ERR_NOMEM, 0, "out of memory");
}

static vg_rc ph_entry(void *ctx, const char *key, yaml_node_t *v)
{
    ph_parse *p = ctx;
    vg_sigma_set *s = p->s;
    if (s->ph.n == SET_MAX_PLACEHOLDERS)
        return vg_yaml_fail(&p->y, v, "more than %d placeholders", SET_MAX_PLACEHOLDERS);
    p->values = vg_calloc(SET_MAX_PH_VALUES, sizeof *p->values);
    p->nvalues = 0;
    vg_sigma_placeholder *it = &s->ph_items[s->ph.n++];
    it->name = vg_strndup(key, strlen(key));
    it->values = p->values;
    if (!p->values || !it->name)
        return vg_fail(p->y.err, VG_ERR_NOMEM, 0, "out of memory");
    vg_rc rc = vg_yaml_items(&p->y, v, "a placeholder's values", ph_value, p);
    it->nvalues = p->nvalues;
    if (!rc && p->nvalues == 0)
        rc = vg_yaml_fail(&p->y, v, "placeholder %s has no value", key);
    return rc;
}

static vg_rc load_placeholders(vg_sigma_set *s, const char *path, vg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_fail(err, VG_ERR_IO, 0, "%s: %s", path, strerror(errno));
    char *text = vg_malloc(VG_SIGMA_PLACEHOLDERS_MAX + 1);
    size_t n = text ? fread(text, 1, VG_SIGMA_PLACEHOLDERS_MAX + 1, f) : 0;
    fclose(f);
    if (!text)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    vg_rc rc;
    if (n > VG_SIGMA_PLACEHOLDERS_MAX) {
        rc = vg_fail(err, VG_ERR_LIMIT, 0, "%s: larger than %u bytes", path, VG_SIGMA_PLACEHOLDERS_MAX);
    } else if (!(s->ph_items = vg_calloc(SET_MAX_PLACEHOLDERS, sizeof *s->ph_items))) {
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    } else {
        ph_parse p = { .s = s };
        s->ph.items = s->ph_items;
        rc = vg_yaml_load(&p.y, text, n, path, err);
        if (!rc)
            rc = vg_yaml_each(&p.y, vg_yaml_root(&p.y), "the placeholders", ph_entry, &p);
        vg_yaml_free(&p.y);
    }
    vg_free(text);
    return rc;
}

/* ---- the set ------------------------------------------------------------------------------ */

vg_rc vg_sigma_set_new(vg_sigma_set **out, const char *mapping_path, const char *placeholders_path, vg_error *err)
{
    vg_sigma_set *s = vg_calloc(1, sizeof *s);
    if (!s)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    vg_rc rc = vg_sigma_mapping_load(&s->map, mapping_path, err);
    if (!rc && placeholders_path)
        rc = load_placeholders(s, placeholders_path, err);
    if (!rc)
        rc = vg_sigma_engine_new(&s->engine, s->map, &s->ph, err);
    if (rc) {
        vg_sigma_set_free(s);
        return rc;
    }
    *out = s;
    return VG_OK;
}

void vg_sigma_set_free(vg_sigma_set *s)
{
    if (!s)
        return;
    vg_sigma_corr_free(s->corr);
    vg_sigma_engine_free(s->engine);
    for (size_t i = 0; i < s->nfiles; i++)
        vg_sigma_file_free(s->files[i]);
    vg_free(s->files);
    vg_free(s->first_entry);
    for (size_t i = 0; i < s->ph.n; i++) {
        for (size_t k = 0; k < s->ph_items[i].nvalues; k++)
            vg_free((char *)(uintptr_t)s->ph_items[i].values[k]);
        vg_free((void *)(uintptr_t)s->ph_items[i].values);
        vg_free((char *)(uintptr_t)s->ph_items[i].name);
    }
    vg_free(s->ph_items);
    vg_sigma_mapping_free(s->map);
    vg_free(s);
}

typedef struct walk_ctx {
    vg_sigma_set *s;
    void (*on_error)(void *ctx, const char *msg);
    void *ctx;
    vg_error *err;
} walk_ctx;

/* Reports "a: b" (or a alone when b is empty) to the caller. */
static void report(const walk_ctx *w, const char *a, const char *b)
{
    char msg[VG_ERROR_MSG_MAX + SET_PATH_MAX];
    snprintf(msg, sizeof msg, "%s%s%s", a, b[0] ? ": " : "", b);
    if (w->on_error)
        w->on_error(w->ctx, msg);
}

static vg_rc add_file(const walk_ctx *w, const char *path)
{
    vg_sigma_set *s = w->s;
    vg_sigma_file *f;
    vg_error ferr;
    vg_error_clear(&ferr);
    if (s->nfiles == VG_SIGMA_SET_MAX_FILES)
        return vg_fail(w->err, VG_ERR_LIMIT, 0, "more than %u rule files", VG_SIGMA_SET_MAX_FILES);
    vg_rc rc = vg_sigma_load_file(&f, path, &ferr);
    if (rc == VG_ERR_NOMEM)
        return vg_fail(w->err, VG_ERR_NOMEM, 0, "out of memory");
    if (rc) {
        report(w, ferr.msg, "");
        return VG_OK;
    }
    if (s->nfiles == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        vg_sigma_file **nf = vg_realloc(s->files, cap * sizeof *nf);
        size_t *ne = nf ? vg_realloc(s->first_entry, cap * sizeof *ne) : NULL;
        if (nf)
            s->files = nf;
        if (!ne) {
            vg_sigma_file_free(f);
            return vg_fail(w->err, VG_ERR_NOMEM, 0, "out of memory");
        }
        s->first_entry = ne;
        s->cap = cap;
    }
    s->first_entry[s->nfiles] = vg_sigma_engine_count(s->engine);
    s->files[s->nfiles++] = f;
    return vg_sigma_engine_add(s->engine, f, w->err);
}

static int has_rule_ext(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".yml") == 0) || (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory dir, sorted (NULL and *n = 0 when it cannot be read: reported). */
static char **list_dir(const walk_ctx *w, const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        report(w, dir, strerror(errno));
        return NULL;
    }
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && *n < SET_MAX_ENTRIES) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nn = vg_realloc(names, ncap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
            cap = ncap;
        }
        if (!(names[*n] = vg_strndup(e->d_name, strlen(e->d_name))))
            break;
        (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, cmp_names);
    return names;
}

static vg_rc walk(const walk_ctx *w, const char *dir, unsigned depth)
{
    if (depth > VG_SIGMA_SET_MAX_DEPTH) {
        report(w, dir, "directories nest deeper than the limit");
        return VG_OK;
    }
    size_t n;
    char **names = list_dir(w, dir, &n);
    vg_rc rc = VG_OK;
    for (size_t i = 0; i < n; i++) {
        char path[SET_PATH_MAX];
        struct stat st;
        int len = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (rc) {
            /* stopped: free the rest */
        } else if (len < 0 || (size_t)len >= sizeof path) {
            report(w, names[i], "path too long");
        } else if (lstat(path, &st) != 0) {
            report(w, path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(w, path, depth + 1);
        } else if (has_rule_ext(names[i]) &&
                   (S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) && stat(path, &st) == 0 && S_ISREG(st.st_mode)))) {
            rc = add_file(w, path);
        }
        vg_free(names[i]);
    }
    vg_free(names);
    return rc;
}

vg_rc vg_sigma_set_add(vg_sigma_set *s, const char *path, void (*on_error)(void *ctx, const char *msg), void *ctx,
                       vg_error *err)
{
    walk_ctx w = { s, on_error, ctx, err };
    struct stat st;
    if (stat(path, &st) != 0) {
        report(&w, path, strerror(errno));
        return VG_OK;
    }
    return S_ISDIR(st.st_mode) ? walk(&w, path, 0) : add_file(&w, path);
}

void vg_sigma_set_cache(vg_sigma_set *s, const char *dir)
{
    vg_sigma_engine_set_cache(s->engine, dir);
}

vg_rc vg_sigma_set_build(vg_sigma_set *s, vg_error *err)
{
    return vg_sigma_engine_build(s->engine, err);
}

vg_rc vg_sigma_set_correlate(vg_sigma_set *s, const vg_sigma_corr_limits *lim, size_t max_value, vg_error *err)
{
    vg_sigma_corr_free(s->corr);
    s->corr = NULL;
    return vg_sigma_corr_new(&s->corr, s->engine, s->map, &s->ph, lim, max_value, err);
}

vg_sigma_corr *vg_sigma_set_corr(const vg_sigma_set *s)
{
    return s->corr;
}

const vg_sigma_engine *vg_sigma_set_engine(const vg_sigma_set *s)
{
    return s->engine;
}

const vg_sigma_mapping *vg_sigma_set_mapping(const vg_sigma_set *s)
{
    return s->map;
}

size_t vg_sigma_set_nfiles(const vg_sigma_set *s)
{
    return s->nfiles;
}

const vg_sigma_file *vg_sigma_set_file(const vg_sigma_set *s, size_t i)
{
    return i < s->nfiles ? s->files[i] : NULL;
}

const vg_sigma_entry *vg_sigma_set_entry_of(const vg_sigma_set *s, size_t file, uint32_t doc)
{
    if (file >= s->nfiles || doc >= s->files[file]->ndocs || !s->files[file]->docs[doc].rule)
        return NULL;
    size_t e = s->first_entry[file];
    for (uint32_t d = 0; d < doc; d++)
        e += s->files[file]->docs[d].rule != NULL;
    return vg_sigma_engine_entry(s->engine, e);
}
