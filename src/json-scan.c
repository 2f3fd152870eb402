/*
 * json-scan: strict in-place JSON scanning into a token tape, and lookups over the tape
 * (see json-scan.h for the data structure).
 *
 * The scanner is an explicit state machine with a stack of open containers, so nesting depth
 * costs no C stack and is bounded by doc->max_depth. String bodies are skimmed 16 bytes at a
 * time with SSE2: one signed compare finds both control characters and non-ASCII bytes, which
 * are then checked one sequence at a time.
 */
#include "json-scan.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util-mem.h"
#include "util-utf8.h"

vg_rc vg_json_doc_init(vg_json_doc *doc, uint32_t max_tokens, uint32_t max_depth)
{
    memset(doc, 0, sizeof *doc);
    if (max_tokens < 1 || max_depth < 1)
        return VG_ERR_USAGE;
    doc->toks = vg_malloc((size_t)max_tokens * sizeof *doc->toks);
    doc->stack = vg_malloc((size_t)max_depth * sizeof *doc->stack);
    if (!doc->toks || !doc->stack) {
        vg_json_doc_free(doc);
        return VG_ERR_NOMEM;
    }
    doc->cap = max_tokens;
    doc->max_depth = max_depth;
    return VG_OK;
}

void vg_json_doc_free(vg_json_doc *doc)
{
    vg_free(doc->toks);
    vg_free(doc->stack);
    doc->toks = NULL;
    doc->stack = NULL;
    doc->cap = doc->ntoks = 0;
}

const char *vg_json_type_name(vg_json_type t)
{
    static const char *const names[] = { "absent", "null", "false", "true", "number",
                                         "string", "object", "array" };
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

/* ---- scanning primitives ---------------------------------------------------------------- */

static inline int is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Skips whitespace, counting line feeds into *newlines. Compact JSON has none: a byte above
 * the space is not whitespace, one compare. */
static inline const char *skip_ws(const char *p, const char *end, uint32_t *newlines)
{
    if (p < end && (unsigned char)*p > ' ')
        return p;
    while (p < end && is_ws((unsigned char)*p)) {
        *newlines += *p == '\n';
        p++;
    }
    return p;
}

/* First byte in [p, end) that is '"', '\\', a control character or non-ASCII; end if none. */
static inline const char *find_string_special(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* signed v < 0x20 is true for 0x00-0x1F and for 0x80-0xFF */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                 _mm_cmplt_epi8(v, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask)
            return p + __builtin_ctz(mask);
        p += 16;
    }
#endif
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
            return p;
        p++;
    }
    return end;
}

static inline int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Reads 4 hex digits at p (caller checked there are 4 bytes); -1 if not hex. */
static inline long read_hex4(const char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value((unsigned char)p[i]);
        if (h < 0)
            return -1;
        v = (v << 4) | h;
    }
    return v;
}

typedef struct scan {
    const char *text;   /* start of the document */
    const char *end;
    unsigned flags;
    vg_error *err;
} scan;

static vg_rc scan_eof(const scan *s, const char *p, const char *what)
{
    if (s->flags & VG_JSON_PARTIAL)
        return vg_fail(s->err, VG_ERR_TRUNCATED, (size_t)(p - s->text), "input ends inside %s", what);
    return vg_fail(s->err, VG_ERR_PARSE, (size_t)(p - s->text), "unexpected end of input inside %s", what);
}

static vg_rc scan_error(const scan *s, const char *p, const char *reason)
{
    return vg_fail(s->err, VG_ERR_PARSE, (size_t)(p - s->text), "%s", reason);
}

/* Validates one escape sequence at p (p[0] == '\\'); advances *pp past it. */
static vg_rc scan_escape(const scan *s, const char **pp)
{
    const char *p = *pp;
    if (s->end - p < 2)
        return scan_eof(s, p, "a string escape");
    switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        *pp = p + 2;
        return VG_OK;
    case 'u':
        break;
    default:
        return scan_error(s, p, "invalid escape sequence in string");
    }
    if (s->end - p < 6)
        return scan_eof(s, p, "a \\u escape");
    long cp = read_hex4(p + 2);
    if (cp < 0)
        return scan_error(s, p, "invalid \\u escape: expected 4 hex digits");
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return scan_error(s, p, "unpaired low surrogate in \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (s->end - p < 12)
            return scan_eof(s, p, "a surrogate pair escape");
        long lo = p[6] == '\\' && p[7] == 'u' ? read_hex4(p + 8) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return scan_error(s, p, "high surrogate in \\u escape not followed by a low surrogate");
        *pp = p + 12;
        return VG_OK;
    }
    *pp = p + 6;
    return VG_OK;
}

/* Scans a string whose opening quote is at p; on success *pp is past the closing quote. */
static inline __attribute__((always_inline)) vg_rc scan_string(const scan *s, const char **pp, uint32_t *len, uint8_t *flags)
{
    const char *start = *pp + 1, *p = start;
    uint8_t f = 0;
    for (;;) {
        p = find_string_special(p, s->end);
        if (p == s->end)
            return scan_eof(s, p, "a string");
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c == '\\') {
            f |= VG_JSON_ESCAPED;
            if (s->end - p >= 2 && (p[1] == '\\' || p[1] == '"')) {
                p += 2;     /* the escapes of Windows paths and quotes, without a call */
                continue;
            }
            vg_rc rc = scan_escape(s, &p);
            if (rc)
                return rc;
        } else if (c < 0x20) {
            return scan_error(s, p, "unescaped control character in string");
        } else {
            int n = vg_utf8_seq((const unsigned char *)p, (const unsigned char *)s->end);
            if (n < 0)
                return scan_eof(s, p, "a UTF-8 sequence");
            if (n == 0)
                return scan_error(s, p, "invalid UTF-8 in string");
            p += n;
        }
    }
    *len = (uint32_t)(p - start);
    *flags = f;
    *pp = p + 1;
    return VG_OK;
}

static inline int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Scans a number at p per RFC 8259 section 6; *pp is past it. */
static vg_rc scan_number(const scan *s, const char **pp)
{
    const char *p = *pp, *end = s->end;
    if (*p == '-')
        p++;
    if (p == end)
        return scan_eof(s, p, "a number");
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (++p < end && is_digit(*p))
            ;
    } else {
        return scan_error(s, p, "invalid number: expected a digit");
    }
    if (p < end && *p == '.') {
        if (++p == end)
            return scan_eof(s, p, "a number");
        if (!is_digit(*p))
            return scan_error(s, p, "invalid number: expected a digit after '.'");
        while (++p < end && is_digit(*p))
            ;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        if (++p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end)
            return scan_eof(s, p, "a number");
        if (!is_digit(*p))
            return scan_error(s, p, "invalid number: expected a digit in the exponent");
        while (++p < end && is_digit(*p))
            ;
    }
    if (p == end && (s->flags & VG_JSON_PARTIAL))
        return scan_eof(s, p, "a number"); /* more digits may follow */
    *pp = p;
    return VG_OK;
}

/* Scans true/false/null at p. */
static vg_rc scan_literal(const scan *s, const char **pp, uint8_t *type)
{
    const char *p = *pp;
    const char *word;
    switch (*p) {
    case 't': word = "true"; *type = VG_JSON_TRUE; break;
    case 'f': word = "false"; *type = VG_JSON_FALSE; break;
    default: word = "null"; *type = VG_JSON_NULL; break;
    }
    size_t n = strlen(word), have = (size_t)(s->end - p);
    if (memcmp(p, word, have < n ? have : n) != 0)
        return scan_error(s, p, "invalid literal: expected true, false or null");
    if (have < n)
        return scan_eof(s, p, "a literal");
    *pp = p + n;
    return VG_OK;
}

/* ---- the scanner state machine ---------------------------------------------------------- */

static inline vg_rc push_tok(vg_json_doc *doc, const scan *s, const char *p, uint8_t type,
                             uint32_t *index)
{
    if (doc->ntoks >= doc->cap)
        return vg_fail(s->err, VG_ERR_LIMIT, (size_t)(p - s->text),
                       "document has more than %u JSON values", doc->cap);
    vg_json_tok *t = &doc->toks[doc->ntoks];
    t->type = type;
    t->flags = 0;
    t->reserved = 0;
    t->start = (uint32_t)(p - s->text);
    t->len = 0;
    t->next = doc->ntoks + 1;
    *index = doc->ntoks++;
    return VG_OK;
}

vg_rc vg_json_parse(vg_json_doc *doc, const char *text, size_t len, unsigned flags,
                    size_t *end_offset, vg_error *err)
{
    scan s = { text, text + len, flags, err };
    doc->text = text;
    doc->len = len;
    doc->ntoks = 0;
    doc->newlines = 0;
    if (len > UINT32_MAX)
        return vg_fail(err, VG_ERR_LIMIT, 0, "document larger than 4 GiB");

    const char *p = skip_ws(text, s.end, &doc->newlines);
    if (p == s.end)
        return VG_END;
    uint32_t depth = 0, ti = 0;
    vg_rc rc;

value:
    if (p == s.end)
        return scan_eof(&s, p, "a value");
    switch (*p) {
    case '{':
    case '[':
        if (depth >= doc->max_depth)
            return vg_fail(err, VG_ERR_LIMIT, (size_t)(p - text),
                           "nesting deeper than %u levels", doc->max_depth);
        if ((rc = push_tok(doc, &s, p, *p == '{' ? VG_JSON_OBJECT : VG_JSON_ARRAY, &ti)))
            return rc;
        doc->stack[depth++] = ti;
        p = skip_ws(p + 1, s.end, &doc->newlines);
        if (p == s.end)
            return scan_eof(&s, p, doc->toks[ti].type == VG_JSON_OBJECT ? "an object" : "an array");
        if (*p == (doc->toks[ti].type == VG_JSON_OBJECT ? '}' : ']'))
            goto close;
        if (doc->toks[ti].type == VG_JSON_OBJECT)
            goto key;
        goto value;
    case '"':
        if ((rc = push_tok(doc, &s, p + 1, VG_JSON_STRING, &ti)))
            return rc;
        if ((rc = scan_string(&s, &p, &doc->toks[ti].len, &doc->toks[ti].flags)))
            return rc;
        goto after_value;
    case 't':
    case 'f':
    case 'n': {
        uint8_t type;
        const char *start = p;
        if ((rc = scan_literal(&s, &p, &type)))
            return rc;
        if ((rc = push_tok(doc, &s, start, type, &ti)))
            return rc;
        doc->toks[ti].len = (uint32_t)(p - start);
        goto after_value;
    }
    default: {
        const char *start = p;
        if (*p != '-' && !is_digit(*p))
            return scan_error(&s, p, depth ? "unexpected character: expected a value"
                                           : "not JSON: expected '{', '[' or a value");
        if ((rc = scan_number(&s, &p)))
            return rc;
        if ((rc = push_tok(doc, &s, start, VG_JSON_NUMBER, &ti)))
            return rc;
        doc->toks[ti].len = (uint32_t)(p - start);
        goto after_value;
    }
    }

key:
    if (*p != '"')
        return scan_error(&s, p, "expected a string as object key");
    if ((rc = push_tok(doc, &s, p + 1, VG_JSON_STRING, &ti)))
        return rc;
    if ((rc = scan_string(&s, &p, &doc->toks[ti].len, &doc->toks[ti].flags)))
        return rc;
    doc->toks[ti].flags |= VG_JSON_KEY;
    p = skip_ws(p, s.end, &doc->newlines);
    if (p == s.end)
        return scan_eof(&s, p, "an object");
    if (*p != ':')
        return scan_error(&s, p, "expected ':' after object key");
    p = skip_ws(p + 1, s.end, &doc->newlines);
    goto value;

after_value:
    if (depth == 0) {
        *end_offset = (size_t)(p - text);
        return VG_OK;
    }
    p = skip_ws(p, s.end, &doc->newlines);
    if (p == s.end)
        return scan_eof(&s, p, doc->toks[doc->stack[depth - 1]].type == VG_JSON_OBJECT ? "an object" : "an array");
    if (doc->toks[doc->stack[depth - 1]].type == VG_JSON_OBJECT) {
        if (*p == ',') {
            p = skip_ws(p + 1, s.end, &doc->newlines);
            if (p == s.end)
                return scan_eof(&s, p, "an object");
            goto key;
        }
        if (*p == '}')
            goto close;
        return scan_error(&s, p, "expected ',' or '}' after object member");
    }
    if (*p == ',') {
        p = skip_ws(p + 1, s.end, &doc->newlines);
        goto value;
    }
    if (*p == ']')
        goto close;
    return scan_error(&s, p, "expected ',' or ']' after array element");

close:
    /* p is at the closing bracket of the innermost open container */
    ti = doc->stack[--depth];
    doc->toks[ti].next = doc->ntoks;
    doc->toks[ti].len = (uint32_t)(p + 1 - (text + doc->toks[ti].start));
    p++;
    goto after_value;
}

/* ---- lookups ---------------------------------------------------------------------------- */

vg_value vg_json_value(const vg_json_doc *doc, uint32_t i)
{
    const vg_json_tok *t = &doc->toks[i];
    vg_value v = { t->type, t->flags, t->len, doc->text + t->start };
    return v;
}

/* Decodes the escape sequence at s[*i] (s[*i] == '\\', already validated) into out (up to 4
 * bytes); advances *i past it and returns the number of bytes written. */
static size_t unescape_one(const char *s, size_t *i, char out[4])
{
    char c = s[*i + 1];
    *i += 2;
    switch (c) {
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': {
        uint32_t cp = (uint32_t)read_hex4(s + *i);
        *i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = (uint32_t)read_hex4(s + *i + 2);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            *i += 6;
        }
        return (size_t)vg_utf8_encode(cp, out);
    }
    default: out[0] = c; return 1;  /* '"', '\\', '/' */
    }
}

size_t vg_json_unescape(const char *s, size_t n, char *out)
{
    size_t o = 0, i = 0;
    /* eight bytes at a time: each word is copied whole (o <= i, so never past out[n)) and
     * the part before its first backslash kept; the lowest byte the zero-byte test flags is
     * exact */
    while (i + 8 <= n) {
        uint64_t x, y, m;
        memcpy(&x, s + i, 8);
        memcpy(out + o, &x, 8);
        y = x ^ 0x5c5c5c5c5c5c5c5cull;
        m = (y - 0x0101010101010101ull) & ~y & 0x8080808080808080ull;
        if (!m) {
            i += 8;
            o += 8;
            continue;
        }
        size_t k = (size_t)__builtin_ctzll(m) / 8;
        i += k;
        o += k;
        o += unescape_one(s, &i, out + o);
    }
    while (i < n) {
        if (s[i] != '\\')
            out[o++] = s[i++];
        else
            o += unescape_one(s, &i, out + o);
    }
    return o;
}

int vg_json_string_equals(const char *raw, size_t raw_len, unsigned flags, const char *b, size_t bn)
{
    if (!(flags & VG_JSON_ESCAPED))
        return raw_len == bn && memcmp(raw, b, bn) == 0;
    /* compare while decoding: no buffer, no allocation */
    size_t o = 0;
    for (size_t i = 0; i < raw_len;) {
        if (raw[i] != '\\') {
            if (o >= bn || raw[i] != b[o])
                return 0;
            i++;
            o++;
            continue;
        }
        char tmp[4];
        size_t k = unescape_one(raw, &i, tmp);
        if (o + k > bn || memcmp(tmp, b + o, k) != 0)
            return 0;
        o += k;
    }
    return o == bn;
}

/* Does key token k equal path[0..n)? */
static inline int key_equals(const vg_json_doc *doc, const vg_json_tok *k, const char *s, size_t n)
{
    if (!(k->flags & VG_JSON_ESCAPED))     /* the length and the first byte before any call */
        return k->len == n && (n == 0 || (doc->text[k->start] == s[0] && memcmp(doc->text + k->start, s, n) == 0));
    return vg_json_string_equals(doc->text + k->start, k->len, k->flags, s, n);
}

int vg_json_member(const vg_json_doc *doc, uint32_t obj, const char *key, size_t key_len)
{
    const vg_json_tok *o = &doc->toks[obj];
    if (o->type != VG_JSON_OBJECT)
        return -1;
    for (uint32_t i = obj + 1; i < o->next; i = doc->toks[i + 1].next)
        if (key_equals(doc, &doc->toks[i], key, key_len))
            return (int)(i + 1);
    return -1;
}

/* Parses a decimal array index; -1 if s[0..n) is not one. */
static long parse_index(const char *s, size_t n)
{
    if (n == 0 || n > 9)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int vg_json_find(const vg_json_doc *doc, uint32_t at, const char *path, size_t n)
{
    uint32_t cur = at;
    while (n > 0) {
        const vg_json_tok *t = &doc->toks[cur];
        if (t->type == VG_JSON_OBJECT) {
            uint32_t i, found = 0;
            for (i = cur + 1; i < t->next; i = doc->toks[i + 1].next) {
                const vg_json_tok *k = &doc->toks[i];
                size_t comp = n;    /* length of the path prefix this key matches */
                if (!(k->flags & VG_JSON_ESCAPED)) {
                    if (k->len > n || (k->len && doc->text[k->start] != path[0]) ||   /* the first byte: no call */
                        memcmp(doc->text + k->start, path, k->len) != 0)
                        continue;
                    if (k->len < n && path[k->len] != '.')
                        continue;
                    comp = k->len;
                } else if (!key_equals(doc, k, path, n)) {
                    /* escaped keys are rare: compare decoded, whole path or first component */
                    const char *dot = memchr(path, '.', n);
                    if (!dot || !key_equals(doc, k, path, (size_t)(dot - path)))
                        continue;
                    comp = (size_t)(dot - path);
                }
                if (comp == n)
                    return (int)(i + 1);
                path += comp + 1;
                n -= comp + 1;
                cur = i + 1;
                found = 1;
                break;
            }
            if (!found)
                return -1;
        } else if (t->type == VG_JSON_ARRAY) {
            const char *dot = memchr(path, '.', n);
            size_t comp = dot ? (size_t)(dot - path) : n;
            long idx = parse_index(path, comp);
            if (idx < 0)
                return -1;
            uint32_t i = cur + 1;
            for (long k = 0; k < idx && i < t->next; k++)
                i = doc->toks[i].next;
            if (i >= t->next)
                return -1;
            if (!dot)
                return (int)i;
            path += comp + 1;
            n -= comp + 1;
            cur = i;
        } else {
            return -1;
        }
    }
    return (int)cur;
}
