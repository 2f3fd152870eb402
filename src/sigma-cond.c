/*
 * sigma-cond: recursive-descent parser of Sigma conditions (see sigma-cond.h). The text is
 * tokenized on the fly (blanks separate words; parentheses are tokens of their own); nodes go
 * into one array sized from the token count, so the parser allocates twice at most.
 */
#include "sigma-cond.h"

#include <stdio.h>
#include <string.h>

#include "util-mem.h"

#define COND_MAX_IDS 65536      /* limit: identifiers named by the OF nodes of one condition */

typedef enum tok_kind { T_END, T_LPAREN, T_RPAREN, T_WORD } tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t off, len;
} tok;

typedef struct cparse {
    const char *text;
    size_t len, pos;
    tok cur;
    const char *const *names;
    uint32_t nnames;
    vg_sigma_cond *c;
    uint32_t cap_nodes, cap_ids;
    unsigned depth;
    vg_error *err;
} cparse;

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static void next_tok(cparse *p)
{
    while (p->pos < p->len && is_blank(p->text[p->pos]))
        p->pos++;
    p->cur.off = p->pos;
    if (p->pos >= p->len) {
        p->cur.kind = T_END;
        p->cur.len = 0;
        return;
    }
    char ch = p->text[p->pos];
    if (ch == '(' || ch == ')') {
        p->cur.kind = ch == '(' ? T_LPAREN : T_RPAREN;
        p->cur.len = 1;
        p->pos++;
        return;
    }
    while (p->pos < p->len && !is_blank(p->text[p->pos]) && p->text[p->pos] != '(' && p->text[p->pos] != ')')
        p->pos++;
    p->cur.kind = T_WORD;
    p->cur.len = p->pos - p->cur.off;
}

static int word_is(const cparse *p, const char *kw)
{
    size_t n = strlen(kw);
    return p->cur.kind == T_WORD && p->cur.len == n && memcmp(p->text + p->cur.off, kw, n) == 0;
}

static int is_keyword(const char *s, size_t n)
{
    static const char *const kws[] = { "and", "or", "not", "of", "them", NULL };
    for (int i = 0; kws[i]; i++)
        if (strlen(kws[i]) == n && memcmp(kws[i], s, n) == 0)
            return 1;
    return 0;
}

/* fmt holds one "%s", replaced by arg[0..alen) (shortened when long). */
static vg_rc cfail(cparse *p, vg_rc rc, size_t off, const char *fmt, const char *arg, size_t alen)
{
    char what[96];
    size_t n = alen < sizeof what - 4 ? alen : sizeof what - 4;
    memcpy(what, arg, n);
    if (n < alen)
        memcpy(what + n, "...", 4);
    else
        what[n] = '\0';
    const char *hole = strstr(fmt, "%s");
    size_t pre = hole ? (size_t)(hole - fmt) : strlen(fmt);
    return vg_fail(p->err, rc, off, "%.*s%s%s", (int)pre, fmt, hole ? what : "", hole ? hole + 2 : "");
}

static vg_rc tok_fail(cparse *p, const char *fmt)
{
    if (p->cur.kind == T_END) {
        const char *hole = strstr(fmt, "'%s'");
        int pre = hole ? (int)(hole - fmt) : (int)strlen(fmt);
        return vg_fail(p->err, VG_ERR_PARSE, p->cur.off, "%.*s%s%s", pre, fmt, hole ? "the end of the condition" : "",
                       hole ? hole + 4 : "");
    }
    return cfail(p, VG_ERR_PARSE, p->cur.off, fmt, p->text + p->cur.off, p->cur.len);
}

static vg_rc new_node(cparse *p, vg_sigma_cnode_kind kind, uint32_t a, uint32_t b, size_t off, uint32_t *out)
{
    vg_sigma_cond *c = p->c;
    if (c->nnodes >= p->cap_nodes)
        return vg_fail(p->err, VG_ERR_LIMIT, off, "condition has more than %u nodes", VG_SIGMA_COND_MAX_NODES);
    vg_sigma_cnode *n = &c->nodes[c->nnodes];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->a = a;
    n->b = b;
    n->offset = (uint32_t)off;
    *out = c->nnodes++;
    return VG_OK;
}

static vg_rc push_id(cparse *p, uint32_t id, size_t off)
{
    vg_sigma_cond *c = p->c;
    if (c->nids == p->cap_ids) {
        if (p->cap_ids >= COND_MAX_IDS)
            return vg_fail(p->err, VG_ERR_LIMIT, off, "'x of' names more than %u identifiers in total", COND_MAX_IDS);
        uint32_t cap = p->cap_ids ? p->cap_ids * 2 : 16;
        uint32_t *ids = vg_realloc(c->ids, cap * sizeof *ids);
        if (!ids)
            return vg_fail(p->err, VG_ERR_NOMEM, off, "out of memory");
        c->ids = ids;
        p->cap_ids = cap;
    }
    c->ids[c->nids++] = id;
    return VG_OK;
}

int vg_sigma_glob(const char *p, size_t pn, const char *s)
{
    size_t pi = 0, star = (size_t)-1;
    const char *si = s, *mark = s;
    while (*si) {
        if (pi < pn && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < pn && p[pi] == *si) {
            pi++;
            si++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else {
            return 0;
        }
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

static vg_rc parse_or(cparse *p, uint32_t *out);

/* QUANT "of" ("them" | PATTERN); the quantifier is the current token. */
static vg_rc parse_of(cparse *p, uint32_t need, int all, uint32_t *out)
{
    size_t qoff = p->cur.off;
    next_tok(p);
    if (!word_is(p, "of"))
        return tok_fail(p, "expected 'of' after a quantifier, found '%s'");
    next_tok(p);
    if (p->cur.kind != T_WORD || (is_keyword(p->text + p->cur.off, p->cur.len) && !word_is(p, "them")))
        return tok_fail(p, "expected 'them' or an identifier pattern after 'of', found '%s'");
    const char *pat = p->text + p->cur.off;
    size_t plen = p->cur.len;
    int them = word_is(p, "them");
    uint32_t first = p->c->nids;
    for (uint32_t i = 0; i < p->nnames; i++) {
        int hit = them ? p->names[i][0] != '_' : vg_sigma_glob(pat, plen, p->names[i]);
        if (hit) {
            vg_rc rc = push_id(p, i, p->cur.off);
            if (rc)
                return rc;
        }
    }
    uint32_t count = p->c->nids - first;
    if (count == 0)
        return cfail(p, VG_ERR_NOTFOUND, p->cur.off,
                     them ? "'%s' names no search identifier (identifiers starting with '_' are left out)"
                          : "pattern '%s' matches no search identifier", pat, plen);
    if (!all && need > count) {
        char msg[64];
        snprintf(msg, sizeof msg, "%u of", need);
        return cfail(p, VG_ERR_PARSE, qoff, "'%s' can never be true: the pattern matches fewer identifiers",
                     msg, strlen(msg));
    }
    vg_rc rc = new_node(p, VG_SIGMA_C_OF, first, count, qoff, out);
    if (rc)
        return rc;
    vg_sigma_cnode *n = &p->c->nodes[*out];
    n->need = all ? count : need;
    n->all = (uint8_t)all;
    n->them = (uint8_t)them;
    next_tok(p);
    return VG_OK;
}

static vg_rc parse_primary(cparse *p, uint32_t *out)
{
    if (p->cur.kind == T_LPAREN) {
        size_t open = p->cur.off;
        next_tok(p);
        vg_rc rc = parse_or(p, out);
        if (rc)
            return rc;
        if (p->cur.kind != T_RPAREN) {
            if (p->cur.kind == T_END)
                return cfail(p, VG_ERR_PARSE, open, "parenthesis '%s' is never closed", "(", 1);
            return tok_fail(p, "expected ')' or an operator, found '%s'");
        }
        next_tok(p);
        return VG_OK;
    }
    if (p->cur.kind != T_WORD)
        return tok_fail(p, "expected an identifier, 'x of', 'not' or '(', found '%s'");
    const char *w = p->text + p->cur.off;
    size_t n = p->cur.len;
    if (word_is(p, "all"))
        return parse_of(p, 0, 1, out);
    if (word_is(p, "any"))
        return parse_of(p, 1, 0, out);
    if (w[0] >= '0' && w[0] <= '9') {
        uint32_t v = 0;
        size_t i = 0;
        while (i < n && w[i] >= '0' && w[i] <= '9' && v <= 100000)
            v = v * 10 + (uint32_t)(w[i++] - '0');
        if (i == n) {
            if (v == 0 || v > 100000)
                return cfail(p, VG_ERR_PARSE, p->cur.off, "quantifier '%s' must be 1, all, or a count from 1", w, n);
            return parse_of(p, v, 0, out);
        }
    }
    if (is_keyword(w, n))
        return tok_fail(p, "expected an identifier, 'x of', 'not' or '(', found '%s'");
    if (memchr(w, '*', n))
        return cfail(p, VG_ERR_PARSE, p->cur.off, "wildcard '%s' is only allowed after '1 of' or 'all of'", w, n);
    for (uint32_t i = 0; i < p->nnames; i++) {
        if (strlen(p->names[i]) == n && memcmp(p->names[i], w, n) == 0) {
            vg_rc rc = new_node(p, VG_SIGMA_C_ID, i, 0, p->cur.off, out);
            if (!rc)
                next_tok(p);
            return rc;
        }
    }
    return cfail(p, VG_ERR_NOTFOUND, p->cur.off, "unknown search identifier '%s'", w, n);
}

static vg_rc parse_not(cparse *p, uint32_t *out)
{
    if (++p->depth > VG_SIGMA_COND_MAX_DEPTH)
        return vg_fail(p->err, VG_ERR_LIMIT, p->cur.off, "condition nests deeper than %u", VG_SIGMA_COND_MAX_DEPTH);
    vg_rc rc;
    if (word_is(p, "not")) {
        size_t off = p->cur.off;
        next_tok(p);
        uint32_t a;
        rc = parse_not(p, &a);
        if (!rc)
            rc = new_node(p, VG_SIGMA_C_NOT, a, 0, off, out);
    } else {
        rc = parse_primary(p, out);
    }
    p->depth--;
    return rc;
}

static vg_rc parse_binary(cparse *p, int is_or, uint32_t *out)
{
    vg_rc rc = is_or ? parse_binary(p, 0, out) : parse_not(p, out);
    while (!rc && word_is(p, is_or ? "or" : "and")) {
        size_t off = p->cur.off;
        next_tok(p);
        uint32_t b;
        rc = is_or ? parse_binary(p, 0, &b) : parse_not(p, &b);
        if (!rc)
            rc = new_node(p, is_or ? VG_SIGMA_C_OR : VG_SIGMA_C_AND, *out, b, off, out);
    }
    return rc;
}

static vg_rc parse_or(cparse *p, uint32_t *out)
{
    if (++p->depth > VG_SIGMA_COND_MAX_DEPTH)
        return vg_fail(p->err, VG_ERR_LIMIT, p->cur.off, "condition nests deeper than %u", VG_SIGMA_COND_MAX_DEPTH);
    vg_rc rc = parse_binary(p, 1, out);
    p->depth--;
    return rc;
}

vg_rc vg_sigma_cond_parse(vg_sigma_cond *out, const char *text, size_t len, const char *const *names,
                          uint32_t nnames, vg_error *err)
{
    memset(out, 0, sizeof *out);
    if (len > VG_SIGMA_COND_MAX_LEN)
        return vg_fail(err, VG_ERR_LIMIT, 0, "condition is longer than %u bytes", VG_SIGMA_COND_MAX_LEN);
    cparse p = { .text = text, .len = len, .names = names, .nnames = nnames, .c = out, .err = err };
    /* every node consumes at least one token: the token count bounds the node count */
    uint32_t ntok = 0;
    for (next_tok(&p); p.cur.kind != T_END; next_tok(&p))
        ntok++;
    if (ntok == 0)
        return vg_fail(err, VG_ERR_PARSE, 0, "condition is empty");
    p.cap_nodes = ntok < VG_SIGMA_COND_MAX_NODES ? ntok : VG_SIGMA_COND_MAX_NODES;
    out->nodes = vg_calloc(p.cap_nodes, sizeof *out->nodes);
    if (!out->nodes)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    p.pos = 0;
    next_tok(&p);
    vg_rc rc = parse_or(&p, &out->root);
    if (!rc && p.cur.kind != T_END)
        rc = p.cur.kind == T_RPAREN ? tok_fail(&p, "unbalanced '%s'")
                                    : tok_fail(&p, "expected 'and', 'or' or the end of the condition, found '%s'");
    if (rc)
        vg_sigma_cond_free(out);
    return rc;
}

void vg_sigma_cond_free(vg_sigma_cond *c)
{
    if (!c)
        return;
    vg_free(c->nodes);
    vg_free(c->ids);
    memset(c, 0, sizeof *c);
}

typedef struct fmt_out {
    char *buf;
    size_t size, len;
} fmt_out;

static void put(fmt_out *o, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++, o->len++)
        if (o->len + 1 < o->size)
            o->buf[o->len] = s[i];
}

static void fmt_node(const vg_sigma_cond *c, const char *const *names, uint32_t i, fmt_out *o, unsigned depth)
{
    const vg_sigma_cnode *n = &c->nodes[i];
    if (depth > VG_SIGMA_COND_MAX_DEPTH * 2 + 2) {
        put(o, "...");
        return;
    }
    switch (n->kind) {
    case VG_SIGMA_C_ID:
        put(o, names[n->a]);
        break;
    case VG_SIGMA_C_NOT:
        put(o, "not ");
        fmt_node(c, names, n->a, o, depth + 1);
        break;
    case VG_SIGMA_C_AND:
    case VG_SIGMA_C_OR:
        put(o, "(");
        fmt_node(c, names, n->a, o, depth + 1);
        put(o, n->kind == VG_SIGMA_C_AND ? " and " : " or ");
        fmt_node(c, names, n->b, o, depth + 1);
        put(o, ")");
        break;
    case VG_SIGMA_C_OF: {
        char q[32];
        if (n->all)
            snprintf(q, sizeof q, "all");
        else
            snprintf(q, sizeof q, "%u", n->need);
        put(o, q);
        put(o, " of [");
        for (uint32_t k = 0; k < n->b; k++) {
            if (k)
                put(o, " ");
            put(o, names[c->ids[n->a + k]]);
        }
        put(o, "]");
        break;
    }
    }
}

size_t vg_sigma_cond_format(const vg_sigma_cond *c, const char *const *names, char *buf, size_t size)
{
    fmt_out o = { buf, size, 0 };
    if (c->nnodes)
        fmt_node(c, names, c->root, &o, 0);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len;
}
