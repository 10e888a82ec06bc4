/*
 * cog_writer.c -- see cog_writer.h. The file, in order:
 *   header | GDAL's structural metadata ("ghost" area) | IFD 0 (full
 *   resolution) and its out-of-line values | IFD 1 ... IFD n-1 (overviews) |
 *   the smallest overview's tiles ... the full resolution's tiles.
 * Every offset is known before the first byte is written (the IFDs' sizes
 * depend only on the tile counts, the tiles are already compressed), so the
 * file is written once, front to back.
 */
#include "out/cog_writer.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <libdeflate.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROW_BYTES ((size_t)GM_COG_TILE * 4) /* one row after the predictor */
#define ROW_WORDS (ROW_BYTES / 64)          /* ... as a bit mask */

enum { T_BYTE = 1, T_ASCII = 2, T_SHORT = 3, T_LONG = 4, T_LONG8 = 16 };

static size_t type_size(uint16_t type)
{
    switch (type) {
    case 1:
    case 2:
    case 6:
    case 7:
        return 1;
    case 3:
    case 8:
        return 2;
    case 4:
    case 9:
    case 11:
    case 13:
        return 4;
    case 5:
    case 10:
    case 12:
    case 16:
    case 17:
    case 18:
        return 8;
    default:
        return 0;
    }
}

static uint32_t rd16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t rd32(const unsigned char *p)
{
    return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static void wr16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
}

static void wr32(unsigned char *p, uint32_t v)
{
    wr16(p, v & 0xffff), wr16(p + 2, v >> 16);
}

static void wr64(unsigned char *p, uint64_t v)
{
    wr32(p, (uint32_t)v), wr32(p + 4, (uint32_t)(v >> 32));
}

void gm_cog_tags_free(gm_cog_tags *tags)
{
    for (size_t i = 0; i < tags->n; i++)
        free(tags->t[i].value);
    free(tags->t);
    tags->t = NULL, tags->n = 0;
}

int gm_cog_tags_from_tiff(const unsigned char *buf, size_t size, const uint16_t *wanted,
                          size_t n_wanted, gm_cog_tags *out)
{
    memset(out, 0, sizeof *out);
    if (size < 8 || buf[0] != 'I' || buf[1] != 'I' || rd16(buf + 2) != 42) return GM_ERR_INTERNAL;
    size_t ifd = rd32(buf + 4);
    if (ifd + 2 > size) return GM_ERR_INTERNAL;
    size_t n = rd16(buf + ifd);
    if (ifd + 2 + 12 * n > size) return GM_ERR_INTERNAL;
    out->t = calloc(n_wanted ? n_wanted : 1, sizeof *out->t);
    if (!out->t) return GM_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *e = buf + ifd + 2 + 12 * i;
        uint16_t tag = (uint16_t)rd16(e), type = (uint16_t)rd16(e + 2);
        int want = 0;
        for (size_t k = 0; k < n_wanted && !want; k++)
            want = wanted[k] == tag;
        if (!want || out->n == n_wanted) continue;
        uint64_t count = rd32(e + 4);
        size_t bytes = (size_t)count * type_size(type);
        const unsigned char *src = bytes <= 4 ? e + 8 : buf + rd32(e + 8);
        if (!type_size(type) || (bytes > 4 && rd32(e + 8) + bytes > size)) {
            gm_cog_tags_free(out);
            return GM_ERR_INTERNAL;
        }
        gm_cog_tag *t = &out->t[out->n];
        if (!(t->value = malloc(bytes ? bytes : 1))) {
            gm_cog_tags_free(out);
            return GM_ERR_NOMEM;
        }
        memcpy(t->value, src, bytes);
        t->tag = tag, t->type = type, t->count = count, t->size = bytes;
        out->n++;
    }
    return GM_OK;
}

/* ---- tiles ------------------------------------------------------------------ */

/* The Huffman bits of every literal and of every match at the two distances
 * the fast pass uses (1 and one row), as put_bits takes them, and the block
 * header that declares the code: made once per encoder, so no code is
 * bit-reversed per byte. */
typedef struct codes {
    uint32_t lit[256], run[259], row[259]; /* [len]: a match at distance 1 / one row */
    unsigned char lit_nb[256], run_nb[259], row_nb[259];
    uint32_t sym[30], dist[30]; /* symbols 256..285; distance codes */
    unsigned char sym_nb[30], dist_nb[30];
    /* the block's header, in pieces of 21 to 24 bits: at most 17 + 19 x 3 +
     * (286 + 30) x 4 = 1,338 bits, so 64 pieces */
    uint32_t head[72];
    unsigned char head_nb[72];
    int n_head;
} codes;

static void make_codes(codes *c);
static void eq_bits(const unsigned char *a, const unsigned char *b, size_t words, uint64_t *m);
static void row_masks(const unsigned char *cur, const unsigned char *above, uint64_t *up,
                      uint64_t *prev);

struct gm_cog_encoder {
    codes c;
    struct libdeflate_compressor *z;
    unsigned char *plane; /* the predictor's output, one tile */
    unsigned char *split; /* two row buffers, each the fill's row but for its dirty words */
    uint64_t dirty[2];    /* ... their words (64 bytes) that may differ from fill_pred */
    float fill;
    float *fill_row;          /* a row of the fill value; a span's cells copied in and out */
    unsigned char *fill_pred; /* ... and its predictor output: most rows of a sparse tile */
    uint32_t fill_adler;      /* ... and that row's Adler-32 */
    uint32_t fill_sum[ROW_WORDS], fill_wsum[ROW_WORDS]; /* ... each word's byte sums (adler) */
    uint64_t *fill_prev;    /* ... and its byte-before mask (row_masks) */
    uint64_t *fill_next;    /* ... and its byte-after mask */
    uint64_t *prev[2], *up; /* the masks of the two row buffers */
    unsigned char *out;
    size_t out_cap;
};

_Static_assert(ROW_WORDS <= 64, "a row's words fit a 64-bit mask");

static inline unsigned char byte_of(float f, int k) /* k = 0: the most significant */
{
    uint32_t bits;
    memcpy(&bits, &f, 4);
    return (unsigned char)(bits >> (24 - 8 * k));
}

/* TIFF predictor 3 (Technical Note 3) on one row: the floats split into byte
 * planes, most significant first, then each byte minus the one before. Only
 * columns [i0, i1) of every plane are written (i0 and i1 multiples of 16, or
 * i1 the row's end); the whole row is read for the bytes before them. */
static void predict_range(const float *restrict row, size_t i0, size_t i1,
                          unsigned char *restrict out)
{
    const size_t w = GM_COG_TILE;
#ifdef __SSE2__
    /* sixteen floats at a time: their bytes transposed into four planes by
     * three rounds of interleaving, each plane less itself shifted by a byte
     * (the chunk before's last byte carried in) */
    __m128i before[4];
    for (int k = 0; k < 4; k++)
        before[k] = i0 ? _mm_set1_epi8((char)byte_of(row[i0 - 1], k)) : _mm_setzero_si128();
    for (size_t i = i0; i < i1; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(row + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(row + i + 4));
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(row + i + 8));
        __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(row + i + 12));
        __m128i u0 = _mm_unpacklo_epi8(a, b), u1 = _mm_unpackhi_epi8(a, b);
        __m128i u2 = _mm_unpacklo_epi8(c, d), u3 = _mm_unpackhi_epi8(c, d);
        __m128i v0 = _mm_unpacklo_epi8(u0, u1), v1 = _mm_unpackhi_epi8(u0, u1);
        __m128i v2 = _mm_unpacklo_epi8(u2, u3), v3 = _mm_unpackhi_epi8(u2, u3);
        __m128i w0 = _mm_unpacklo_epi8(v0, v1), w1 = _mm_unpackhi_epi8(v0, v1);
        __m128i w2 = _mm_unpacklo_epi8(v2, v3), w3 = _mm_unpackhi_epi8(v2, v3);
        __m128i plane[4] = {_mm_unpackhi_epi64(w1, w3), _mm_unpacklo_epi64(w1, w3),
                            _mm_unpackhi_epi64(w0, w2), _mm_unpacklo_epi64(w0, w2)};
        for (int k = 0; k < 4; k++) {
            __m128i q = _mm_or_si128(_mm_slli_si128(plane[k], 1), _mm_srli_si128(before[k], 15));
            _mm_storeu_si128((__m128i *)(void *)(out + k * w + i), _mm_sub_epi8(plane[k], q));
            before[k] = plane[k];
        }
    }
    /* a plane's first byte less the last of the plane before */
    for (int k = 1; k < 4 && i0 == 0; k++)
        out[k * w] = (unsigned char)(out[k * w] - byte_of(row[w - 1], k - 1));
#else
    for (size_t i = i0; i < i1; i++)
        for (int k = 0; k < 4; k++) {
            unsigned char before = i ? byte_of(row[i - 1], k) : k ? byte_of(row[w - 1], k - 1) : 0;
            out[k * w + i] = (unsigned char)(byte_of(row[i], k) - before);
        }
#endif
}

static void predict_row(const float *restrict row, unsigned char *restrict out)
{
    predict_range(row, 0, GM_COG_TILE, out);
}

/* The predictor on a row that is the fill but for cells [lo, hi) (0 <= lo <
 * hi <= GM_COG_TILE; those of `cells` are read, no other) into out, which
 * holds fill_pred: only the words that can change are written. Returns them
 * (bit q: bytes [64q, 64q + 64)). */
static uint64_t predict_span(gm_cog_encoder *e, const float *cells, size_t lo, size_t hi,
                             unsigned char *out)
{
    const size_t w = GM_COG_TILE;
    if (lo == 0 && hi == w) {
        predict_row(cells, out);
        return ROW_WORDS == 64 ? ~(uint64_t)0 : ((uint64_t)1 << ROW_WORDS) - 1;
    }
    /* the byte after the span changes too: its chunk is redone */
    size_t i0 = lo & ~(size_t)15, i1 = (hi + 16) & ~(size_t)15;
    if (i1 > w) i1 = w;
    memcpy(e->fill_row + lo, cells + lo, (hi - lo) * sizeof *cells);
    predict_range(e->fill_row, i0, i1, out);
    /* the planes' first bytes follow the row's last cell */
    for (int k = 1; k < 4; k++)
        out[k * w] =
            (unsigned char)(byte_of(e->fill_row[0], k) - byte_of(e->fill_row[w - 1], k - 1));
    for (size_t i = lo; i < hi; i++)
        e->fill_row[i] = e->fill;
    uint64_t m = 0;
    for (size_t k = 0; k < 4; k++) {
        for (size_t q = (k * w + i0) / 64; q <= (k * w + i1 - 1) / 64; q++)
            m |= (uint64_t)1 << q;
        m |= (uint64_t)1 << (k * w / 64);
    }
    return m;
}

gm_cog_encoder *gm_cog_encoder_new(float fill)
{
    gm_cog_encoder *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    /* level 6, GDAL's default for DEFLATE */
    e->z = libdeflate_alloc_compressor(GM_COG_LEVEL);
    e->plane = malloc((size_t)GM_COG_TILE * GM_COG_TILE * 4);
    /* two rows; a row is read one byte past its end */
    e->split = calloc(ROW_BYTES * 2 + 64, 1);
    e->fill = fill;
    e->fill_row = malloc((size_t)GM_COG_TILE * sizeof *e->fill_row);
    e->fill_pred = calloc(ROW_BYTES + 64, 1);
    e->fill_prev = malloc(5 * ROW_WORDS * sizeof *e->fill_prev);
    e->prev[0] = e->fill_prev ? e->fill_prev + ROW_WORDS : NULL;
    e->prev[1] = e->fill_prev ? e->fill_prev + 2 * ROW_WORDS : NULL;
    e->up = e->fill_prev ? e->fill_prev + 3 * ROW_WORDS : NULL;
    e->fill_next = e->fill_prev ? e->fill_prev + 4 * ROW_WORDS : NULL;
    e->out_cap =
        e->z ? libdeflate_zlib_compress_bound(e->z, (size_t)GM_COG_TILE * GM_COG_TILE * 4) : 0;
    e->out = malloc(e->out_cap ? e->out_cap : 1);
    if (!e->z || !e->plane || !e->split || !e->fill_row || !e->fill_pred || !e->fill_prev ||
        !e->out) {
        gm_cog_encoder_free(e);
        return NULL;
    }
    for (size_t i = 0; i < GM_COG_TILE; i++)
        e->fill_row[i] = fill;
    predict_row(e->fill_row, e->fill_pred);
    memcpy(e->split, e->fill_pred, ROW_BYTES); /* the row buffers start clean */
    memcpy(e->split + ROW_BYTES, e->fill_pred, ROW_BYTES);
    row_masks(e->fill_pred, NULL, NULL, e->fill_prev);
    eq_bits(e->fill_pred + 1, e->fill_pred, ROW_WORDS, e->fill_next);
    for (size_t q = 0; q < ROW_WORDS; q++) { /* Adler-32 over one word: sum, and weighted */
        uint32_t a = 0, b = 0;
        for (size_t i = 0; i < 64; i++)
            a += e->fill_pred[64 * q + i], b += (uint32_t)(64 - i) * e->fill_pred[64 * q + i];
        e->fill_sum[q] = a % 65521, e->fill_wsum[q] = b % 65521;
    }
    make_codes(&e->c);
    e->fill_adler = libdeflate_adler32(1, e->fill_pred, (size_t)GM_COG_TILE * 4);
    return e;
}

void gm_cog_encoder_free(gm_cog_encoder *e)
{
    if (!e) return;
    if (e->z) libdeflate_free_compressor(e->z);
    free(e->plane);
    free(e->split);
    free(e->fill_row);
    free(e->fill_pred);
    free(e->fill_prev);
    free(e->out);
    free(e);
}

/* ---- a fast DEFLATE for sparse tiles ---------------------------------------
 * Most tiles of a sparse raster are nodata but for a few cells, and after the
 * predictor most of their rows repeat the row above byte for byte. A general
 * compressor spends milliseconds searching matches in that megabyte; this one
 * only tries the two that matter -- the row above (distance one row) and the
 * byte before (distance 1, runs) -- with one Huffman code for every tile
 * (make_codes), in one pass. A tile it cannot shrink well (fractions everywhere) goes to
 * libdeflate instead: the caller gives it a budget. */

typedef struct bits {
    unsigned char *out;
    size_t n, cap;
    uint64_t acc;
    int used;
    /* a whole row as the row above: its matches' bits, made once per tile */
    uint32_t rep_v[16];
    unsigned char rep_nb[16];
    int rep_n;
    const codes *c;
} bits;

/* Appends the low `len` (<= 32) bits of v, least significant first; whole
 * 32-bit words go out at once (the same bytes as one at a time). */
static inline void put_bits(bits *b, uint32_t v, int len)
{
    b->acc |= (uint64_t)v << b->used;
    b->used += len;
    if (b->used >= 32) {
        if (b->n + 4 <= b->cap) {
            unsigned char *o = b->out + b->n;
            o[0] = (unsigned char)b->acc, o[1] = (unsigned char)(b->acc >> 8);
            o[2] = (unsigned char)(b->acc >> 16), o[3] = (unsigned char)(b->acc >> 24);
        }
        b->n += 4;
        b->acc >>= 32;
        b->used -= 32;
    }
}

/* Pads to a byte boundary with zero bits and writes out what is held. */
static void flush_bits(bits *b)
{
    b->used += (8 - b->used % 8) % 8;
    for (; b->used > 0; b->used -= 8, b->acc >>= 8, b->n++)
        if (b->n < b->cap) b->out[b->n] = (unsigned char)b->acc;
}

/* Symbol 256 (the block's end) .. 285, from the table. */
static inline void put_symbol(bits *b, unsigned sym) /* 256..285 */
{
    put_bits(b, b->c->sym[sym - 256], b->c->sym_nb[sym - 256]);
}

static const unsigned short lbase[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                         15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                         67, 83, 99, 115, 131, 163, 195, 227, 258};
static const unsigned char lextra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                         2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const unsigned short dbase[30] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};

static int dist_code(unsigned dist)
{
    int di = 29;
    while (dbase[di] > dist)
        di--;
    return di;
}

/* A match's bits: its length's symbol and extra bits, its distance's code
 * (1 or one row: the only two the code has) and extra bits. */
static void match_bits(const codes *c, unsigned len, unsigned dist, uint32_t *v_out, int *nb_out)
{
    int li = 28;
    while (lbase[li] > len)
        li--;
    uint32_t v = c->sym[1 + li];
    int nb = c->sym_nb[1 + li];
    if (lextra[li]) v |= (len - lbase[li]) << nb, nb += lextra[li];
    int di = dist_code(dist);
    v |= c->dist[di] << nb, nb += c->dist_nb[di];
    int dextra = di < 4 ? 0 : di / 2 - 1;
    if (dextra) v |= (dist - dbase[di]) << nb, nb += dextra;
    *v_out = v, *nb_out = nb;
}

static void put_match(bits *b, unsigned len, unsigned dist)
{
    uint32_t v;
    int nb;
    match_bits(b->c, len, dist, &v, &nb);
    put_bits(b, v, nb);
}

/* A match of len bytes at distance 1 or one row (GM_COG_TILE * 4), from the table. */
static inline void put_run(bits *b, unsigned len)
{
    put_bits(b, b->c->run[len], b->c->run_nb[len]);
}

static inline void put_above(bits *b, unsigned len)
{
    put_bits(b, b->c->row[len], b->c->row_nb[len]);
}

/* The literals (predicted bytes) that get 9 bits, the others 10: the 104
 * most frequent in both rasters of the three scale-1 bench provinces -- small
 * differences (1..30, 221..255) and the exponent bytes of fractions (54..63,
 * 193..202). */
static const uint64_t nine_bits[4] = {0xffc0010b7ffffffeull, 0x03f0000000400000ull,
                                      0x0000000000000f81ull, 0xfffffffde50207feull};

/* Reverses the low len bits of code (Huffman codes go most significant bit
 * first, put_bits least significant first). */
static uint32_t reversed(uint32_t code, int len)
{
    uint32_t r = 0;
    for (int i = 0; i < len; i++)
        r |= ((code >> i) & 1u) << (len - 1 - i);
    return r;
}

/* Canonical Huffman codes (RFC 1951 3.2.2) for n symbols of lengths len[]
 * (0: unused), bit-reversed, into code[]. */
static void canonical(const unsigned char *len, size_t n, uint32_t *code)
{
    unsigned count[16] = {0}, next[16] = {0};
    for (size_t i = 0; i < n; i++)
        count[len[i]]++;
    count[0] = 0;
    for (int nb = 1, c = 0; nb < 16; nb++)
        next[nb] = (unsigned)(c = (c + (int)count[nb - 1]) << 1);
    for (size_t i = 0; i < n; i++)
        code[i] = len[i] ? reversed(next[len[i]]++, len[i]) : 0;
}

static void head_add(codes *c, uint32_t v, int nb)
{
    int last = c->n_head - 1;
    if (last >= 0 && c->head_nb[last] + nb <= 24) {
        c->head[last] |= v << c->head_nb[last];
        c->head_nb[last] = (unsigned char)(c->head_nb[last] + nb);
        return;
    }
    c->head[c->n_head] = v, c->head_nb[c->n_head++] = (unsigned char)nb;
}

/* One Huffman code for every tile, sent as a dynamic block (RFC 1951 3.2.7):
 * a whole tile's statistics are not known before its last row, and a second
 * pass would cost what the code saves. The lengths follow the tiles' symbol
 * counts (the bench provinces': 258-byte matches 39 %, literal 0 10 %, one
 * of 227..257 8 % of the symbols; distances one row or 1, nothing else):
 * 258 gets 2 bits, literal 0 3, 227..257 4, the other lengths 7, literals 9
 * or 10, each distance 1 -- a complete code (the lengths' 2^-len sum to 1,
 * as zlib demands). The files come out ~30 % smaller than with the fixed
 * code; a tile the code suits badly (fractions everywhere) still goes to
 * libdeflate past its budget. */
static void make_codes(codes *c)
{
    enum { N_LITLEN = 286 };
    unsigned char len[N_LITLEN];
    uint32_t code[N_LITLEN];
    for (int s = 0; s < N_LITLEN; s++)
        len[s] = s == 285                                         ? 2
                 : s == 0                                         ? 3
                 : s == 284                                       ? 4
                 : s >= 257                                       ? 7
                 : s < 256 && (nine_bits[s / 64] >> (s % 64) & 1) ? 9
                                                                  : 10;
    canonical(len, N_LITLEN, code);
    for (int s = 0; s < 256; s++)
        c->lit[s] = code[s], c->lit_nb[s] = len[s];
    for (int s = 256; s < N_LITLEN; s++)
        c->sym[s - 256] = code[s], c->sym_nb[s - 256] = len[s];
    /* distances: 1 and one row, a bit each */
    int row = dist_code(GM_COG_TILE * 4), n_dist = row + 1;
    unsigned char dlen[30] = {0};
    dlen[0] = dlen[row] = 1;
    canonical(dlen, 30, c->dist);
    for (int d = 0; d < 30; d++)
        c->dist_nb[d] = dlen[d];
    /* the header: the final block, dynamic; the code lengths each in 4 bits
     * (a code-length code of 16 four-bit codes, lengths 0..15, no repeats) */
    c->n_head = 0;
    head_add(c, 1, 1);
    head_add(c, 2, 2);
    head_add(c, N_LITLEN - 257, 5);
    head_add(c, (uint32_t)n_dist - 1, 5);
    head_add(c, 19 - 4, 4);
    static const unsigned char order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                            11, 4,  12, 3, 13, 2, 14, 1, 15};
    for (int i = 0; i < 19; i++)
        head_add(c, order[i] < 16 ? 4 : 0, 3);
    for (int s = 0; s < N_LITLEN + n_dist; s++)
        head_add(c, reversed(s < N_LITLEN ? len[s] : dlen[s - N_LITLEN], 4), 4);
    for (unsigned l = 3; l <= 258; l++) {
        int nb;
        match_bits(c, l, 1, &c->run[l], &nb);
        c->run_nb[l] = (unsigned char)nb;
        match_bits(c, l, GM_COG_TILE * 4, &c->row[l], &nb);
        c->row_nb[l] = (unsigned char)nb;
    }
}

/* Byte equality as bit masks, 64 bytes a word: the match search reads
 * these instead of comparing bytes at every position (a tile's rows are
 * mostly literals between short runs, where that search cost the most). */
static inline unsigned ctz64(uint64_t x) /* x != 0 */
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    for (; !(x & 1); x >>= 1)
        n++;
    return n;
#endif
}

/* Writes fill_pred back over the dirty words of a row buffer. */
static void restore_row(const gm_cog_encoder *e, unsigned char *row, uint64_t dirty)
{
    for (; dirty; dirty &= dirty - 1) {
        size_t q = ctz64(dirty);
        memcpy(row + 64 * q, e->fill_pred + 64 * q, 64);
    }
}

/* m[w] bit i: a[64w + i] == b[64w + i], for the `words` words of 64 bytes. */
static void eq_bits(const unsigned char *a, const unsigned char *b, size_t words, uint64_t *m)
{
    for (size_t w = 0; w < words; w++, a += 64, b += 64) {
        uint64_t x = 0;
#ifdef __SSE2__
        for (int q = 0; q < 4; q++) {
            __m128i va = _mm_loadu_si128((const __m128i *)(const void *)(a + 16 * q));
            __m128i vb = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * q));
            x |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(va, vb)) << (16 * q);
        }
#else
        for (int q = 0; q < 8; q++) {
            uint64_t u, v;
            memcpy(&u, a + 8 * q, 8);
            memcpy(&v, b + 8 * q, 8);
            for (int k = 0; k < 8; k++)
                if (((u ^ v) >> (8 * k) & 0xff) == 0) x |= (uint64_t)1 << (8 * q + k);
        }
#endif
        m[w] = x;
    }
}

/* A row's masks: up[i] = cur[i] == above[i] (none without a row above);
 * prev[i] = cur[i] == cur[i - 1] (bit 0 clear: a row's first byte is not
 * matched against the row before). cur has a byte to spare after the row. */
static void row_masks(const unsigned char *cur, const unsigned char *above, uint64_t *up,
                      uint64_t *prev)
{
    if (up && above)
        eq_bits(cur, above, ROW_WORDS, up);
    else if (up)
        memset(up, 0, ROW_WORDS * sizeof *up);
    if (prev) {
        uint64_t next[ROW_WORDS]; /* cur[i + 1] == cur[i] */
        eq_bits(cur + 1, cur, ROW_WORDS, next);
        for (size_t w = ROW_WORDS; w-- > 0;)
            prev[w] = next[w] << 1 | (w > 0 ? next[w - 1] >> 63 : 0);
    }
}

/* row_masks for a row that is fill_pred but for its `dirty` words, against
 * `above` (NULL: none), fill_pred but for its own: a word clean in both
 * matches whole, without reading it. prev may be NULL. */
static void span_masks(const gm_cog_encoder *e, const unsigned char *cur, uint64_t dirty,
                       const unsigned char *above, uint64_t above_dirty, uint64_t *up,
                       uint64_t *prev)
{
    for (size_t q = 0; above && q < ROW_WORDS; q++) {
        if ((dirty | above_dirty) >> q & 1)
            eq_bits(cur + 64 * q, above + 64 * q, 1, &up[q]);
        else
            up[q] = ~(uint64_t)0;
    }
    if (!above) memset(up, 0, ROW_WORDS * sizeof *up);
    if (!prev) return;
    uint64_t next[ROW_WORDS]; /* cur[i + 1] == cur[i]: reads the next word's first byte */
    for (size_t q = 0; q < ROW_WORDS; q++) {
        if ((dirty >> q & 1) || (q + 1 < ROW_WORDS && (dirty >> (q + 1) & 1)))
            eq_bits(cur + 64 * q + 1, cur + 64 * q, 1, &next[q]);
        else
            next[q] = e->fill_next[q];
    }
    for (size_t q = ROW_WORDS; q-- > 0;)
        prev[q] = next[q] << 1 | (q > 0 ? next[q - 1] >> 63 : 0);
}

/* Adler-32 of a row that is fill_pred but for its `dirty` words: the clean
 * words from their sums, the dirty ones read. */
static uint32_t span_adler(const gm_cog_encoder *e, const unsigned char *row, uint64_t dirty)
{
    const uint32_t base = 65521;
    /* the sums of a run of clean words grow unreduced: 32 words of 64 bytes
     * cannot carry them past 2^64 */
    uint64_t s1 = 1, s2 = 0;
    for (size_t q = 0; q < ROW_WORDS;) {
        if (dirty >> q & 1) {
            size_t q1 = q + 1;
            while (q1 < ROW_WORDS && (dirty >> q1 & 1))
                q1++;
            uint32_t a = libdeflate_adler32((uint32_t)(s2 % base) << 16 | (uint32_t)(s1 % base),
                                            row + 64 * q, 64 * (q1 - q));
            s1 = a & 0xffff, s2 = a >> 16;
            q = q1;
            continue;
        }
        s2 += 64 * s1 + e->fill_wsum[q];
        s1 += e->fill_sum[q];
        q++;
    }
    return (uint32_t)(s2 % base) << 16 | (uint32_t)(s1 % base);
}

/* The number of set bits in m from bit i on, up to max (the row's bits
 * past its end are clear). */
static inline size_t ones(const uint64_t *m, size_t i, size_t max)
{
    size_t k = 0;
    while (k < max) {
        size_t p = i + k;
        unsigned sh = (unsigned)(p & 63);
        uint64_t w = m[p >> 6] >> sh;
        if (w == (~(uint64_t)0 >> sh)) {
            k += 64 - sh;
            continue;
        }
        k += ctz64(~w);
        break;
    }
    return k < max ? k : max;
}

/* One row of `n` bytes: whole as the row above (the common case, no byte
 * loop), or matches against the row above and runs, or literals. */
static void put_row(bits *b, const unsigned char *cur, const uint64_t *up, const uint64_t *prev,
                    const unsigned char *above, size_t n, int same_as_above)
{
    int same = same_as_above;
    if (above && !same && up) {
        uint64_t all = ~(uint64_t)0;
        for (size_t w = 0; w < ROW_WORDS; w++)
            all &= up[w];
        same = n == ROW_BYTES && all == ~(uint64_t)0;
    } else if (above && !same) {
        same = memcmp(cur, above, n) == 0;
    }
    if (above && same) {
        if (b->rep_n == 0)
            for (size_t left = n; left > 0 && b->rep_n >= 0;) {
                size_t len = left > 258 ? 258 : left;
                if (left - len > 0 && left - len < 3) len = left - 3; /* keep the tail >= 3 */
                if (b->rep_n == 16) {
                    b->rep_n = -1; /* rows this long: made each time below */
                    break;
                }
                int nb;
                match_bits(b->c, (unsigned)len, (unsigned)n, &b->rep_v[b->rep_n], &nb);
                b->rep_nb[b->rep_n++] = (unsigned char)nb;
                left -= len;
            }
        if (b->rep_n > 0) {
            for (int i = 0; i < b->rep_n; i++)
                put_bits(b, b->rep_v[i], b->rep_nb[i]);
            return;
        }
        for (size_t left = n; left > 0;) {
            size_t len = left > 258 ? 258 : left;
            if (left - len > 0 && left - len < 3) len = left - 3; /* keep the tail >= 3 */
            put_match(b, (unsigned)len, (unsigned)n);
            left -= len;
        }
        return;
    }
    uint64_t start[ROW_WORDS], mine[ROW_WORDS];
    if (!up) { /* not made with the row */
        row_masks(cur, above, mine, NULL);
        up = mine;
    }
    /* where a match of 3 or more can start: 3 bytes equal to those above, or
     * to the bytes before them */
    for (size_t w = 0; w < ROW_WORDS; w++) {
        uint64_t u1 = up[w] >> 1 | (w + 1 < ROW_WORDS ? up[w + 1] << 63 : 0);
        uint64_t u2 = up[w] >> 2 | (w + 1 < ROW_WORDS ? up[w + 1] << 62 : 0);
        uint64_t p1 = prev[w] >> 1 | (w + 1 < ROW_WORDS ? prev[w + 1] << 63 : 0);
        uint64_t p2 = prev[w] >> 2 | (w + 1 < ROW_WORDS ? prev[w + 1] << 62 : 0);
        start[w] = (up[w] & u1 & u2) | (prev[w] & p1 & p2);
    }
    size_t at = 0;
    while (at < n) {
        if (!(start[at >> 6] >> (at & 63) & 1)) { /* literals up to the next start */
            size_t w = at >> 6;
            uint64_t s = start[w] & (~(uint64_t)0 << (at & 63));
            while (!s && ++w < ROW_WORDS)
                s = start[w];
            size_t next = s ? 64 * w + ctz64(s) : n;
            for (; at + 2 <= next; at += 2) /* two codes of at most 9 bits at once */
                put_bits(b, b->c->lit[cur[at]] | b->c->lit[cur[at + 1]] << b->c->lit_nb[cur[at]],
                         b->c->lit_nb[cur[at]] + b->c->lit_nb[cur[at + 1]]);
            if (at < next) put_bits(b, b->c->lit[cur[at]], b->c->lit_nb[cur[at]]);
            at = next;
            continue;
        }
        /* the same choice as comparing bytes: the longer of the two, the
         * row above on a tie, the byte before measured only when it can win */
        size_t longest = n - at < 258 ? n - at : 258;
        size_t u = ones(up, at, n - at);
        for (; u > longest; u -= 258, at += 258) /* a long run as the row above: 258s */
            put_above(b, 258);
        longest = n - at < 258 ? n - at : 258;
        size_t p = u < longest ? ones(prev, at, longest) : 0;
        if (u >= 3 && u >= p) {
            put_above(b, (unsigned)u);
            at += u;
        } else if (p >= 3) {
            put_run(b, (unsigned)p);
            at += p;
        } else {
            put_bits(b, b->c->lit[cur[at]], b->c->lit_nb[cur[at]]);
            at++;
        }
    }
}

/* zlib's adler32_combine: the checksum of A then B from theirs and B's length. */
static uint32_t adler_combine(uint32_t a1, uint32_t a2, size_t len2)
{
    const uint32_t base = 65521;
    uint32_t rem = (uint32_t)(len2 % base);
    uint32_t sum1 = a1 & 0xffff;
    uint32_t sum2 = (uint32_t)(((uint64_t)rem * sum1) % base);
    sum1 += (a2 & 0xffff) + base - 1;
    sum2 += ((a1 >> 16) & 0xffff) + ((a2 >> 16) & 0xffff) + base - rem;
    if (sum1 >= base) sum1 -= base;
    if (sum1 >= base) sum1 -= base;
    if (sum2 >= base << 1) sum2 -= base << 1;
    if (sum2 >= base) sum2 -= base;
    return sum1 | (sum2 << 16);
}

/* Row r's cells [*lo, *hi) that may hold data; 1 when it is a fill row. */
static int row_span(const gm_cog_encoder *e, const float *cells, size_t r, size_t r0, size_t r1,
                    const gm_cog_span *spans, size_t *lo, size_t *hi)
{
    const size_t w = GM_COG_TILE;
    *lo = 0, *hi = w;
    if (r < r0 || r >= r1) return 1;
    if (!spans) return memcmp(cells + r * w, e->fill_row, w * sizeof *cells) == 0;
    *lo = spans[r].lo, *hi = spans[r].hi < w ? spans[r].hi : w;
    return *lo >= *hi;
}

/* The tile as one zlib stream into e->out, at most cap bytes (0: more). Rows
 * outside [r0, r1) are fill rows, never read; so are the cells outside each
 * row's span. */
static size_t fast_zlib(gm_cog_encoder *e, const float *cells, size_t r0, size_t r1,
                        const gm_cog_span *spans, size_t cap)
{
    const size_t w = GM_COG_TILE, n = w * 4;
    bits b = {.out = e->out, .cap = cap - 4, .c = &e->c}; /* the Adler-32 goes after */
    put_bits(&b, 0x78, 8);
    put_bits(&b, 0x01, 8);                /* zlib header: DEFLATE, 32 KiB window, no dictionary */
    for (int i = 0; i < e->c.n_head; i++) /* the final block, its code */
        put_bits(&b, e->c.head[i], e->c.head_nb[i]);
    uint32_t adler = 1, row_adler = 1;
    const unsigned char *above = NULL;
    const uint64_t *above_prev = NULL;
    uint64_t above_dirty = 0;
    int above_fill = 0;
    size_t above_lo = 0, above_hi = 0;
    unsigned char *rows[2] = {e->split, e->split + n};
    for (size_t r = 0; r < GM_COG_TILE && b.n <= b.cap; r++) {
        const unsigned char *cur;
        const uint64_t *prev = above_prev, *up = NULL;
        uint64_t dirty = 0;
        size_t lo, hi;
        /* a nodata row inside the data box (most of a sparse tile's) is a fill
         * row too: no predictor, no checksum pass, no byte loop */
        int fill = row_span(e, cells, r, r0, r1, spans, &lo, &hi);
        /* so is a data row that repeats the one above (a zone's interior) */
        int same =
            !fill && above && !above_fill && lo == above_lo && hi == above_hi &&
            memcmp(cells + r * w + lo, cells + (r - 1) * w + lo, (hi - lo) * sizeof *cells) == 0;
        if (fill) {
            cur = e->fill_pred;
            prev = e->fill_prev;
            adler = adler_combine(adler, e->fill_adler, n);
            if (above && !above_fill) {
                span_masks(e, cur, 0, above, above_dirty, e->up, NULL);
                up = e->up;
            }
        } else if (same) {
            cur = above;
            dirty = above_dirty;
            adler = adler_combine(adler, row_adler, n);
        } else {
            /* only the span's words are computed: the rest of the row is the
             * fill's, in the buffer since it was last restored */
            int i = above == rows[0];
            unsigned char *row = rows[i];
            restore_row(e, row, e->dirty[i]);
            dirty = e->dirty[i] = predict_span(e, cells + r * w, lo, hi, row);
            span_masks(e, row, dirty, above, above_dirty, e->up, e->prev[i]);
            cur = row, prev = e->prev[i], up = above ? e->up : NULL;
            row_adler = span_adler(e, row, dirty);
            adler = adler_combine(adler, row_adler, n);
        }
        put_row(&b, cur, up, prev, above, n, (fill && above_fill) || same);
        above = cur, above_prev = prev, above_dirty = dirty;
        above_fill = fill, above_lo = lo, above_hi = hi;
    }
    put_symbol(&b, 256); /* end of block */
    flush_bits(&b);
    if (b.n > b.cap) return 0;
    e->out[b.n++] = (unsigned char)(adler >> 24), e->out[b.n++] = (unsigned char)(adler >> 16);
    e->out[b.n++] = (unsigned char)(adler >> 8), e->out[b.n++] = (unsigned char)adler;
    return b.n;
}

int gm_cog_encode(gm_cog_encoder *e, const float *cells, size_t r0, size_t r1,
                  const gm_cog_span *spans, gm_cog_blob *blob)
{
    const size_t w = GM_COG_TILE;
    /* the fast pass first; when it cannot reach 3/16 of the tile (fractions
     * nearly everywhere: a dense overview), libdeflate, which takes ~20x longer */
    size_t n = fast_zlib(e, cells, r0, r1, spans, w * w * 4 * 3 / 16);
    if (n == 0) {
        for (size_t r = 0; r < GM_COG_TILE; r++) {
            unsigned char *p = e->plane + r * w * 4;
            size_t lo, hi;
            int fill = row_span(e, cells, r, r0, r1, spans, &lo, &hi);
            if (fill || hi - lo < w) memcpy(p, e->fill_pred, w * 4);
            if (!fill) predict_span(e, cells + r * w, lo, hi, p);
        }
        n = libdeflate_zlib_compress(e->z, e->plane, w * w * 4, e->out, e->out_cap);
        if (n == 0) return GM_ERR_INTERNAL; /* cannot happen: out_cap is the bound */
    }
    blob->data = malloc(n);
    if (!blob->data) return GM_ERR_NOMEM;
    memcpy(blob->data, e->out, n);
    blob->size = n;
    return GM_OK;
}

/* ---- the file --------------------------------------------------------------- */

/* GDAL's "ghost area": tells GDAL (and the validator) how the file is laid
 * out, so a reader can fetch a tile with its size in one request. */
static const char ghost_md[] = "LAYOUT=IFDS_BEFORE_DATA\n"
                               "BLOCK_ORDER=ROW_MAJOR\n"
                               "BLOCK_LEADER=SIZE_AS_UINT4\n"
                               "BLOCK_TRAILER=LAST_4_BYTES_REPEATED\n"
                               "KNOWN_INCOMPATIBLE_EDITION=NO\n";

typedef struct entry {
    uint16_t tag, type;
    uint64_t count;
    const unsigned char *value; /* size bytes */
    size_t size;
    unsigned char small[8];
    uint64_t at; /* where an out-of-line value goes */
} entry;

typedef struct ifd {
    entry e[40];
    size_t n;
    uint64_t offset, size;           /* the IFD and its out-of-line values */
    unsigned char *offsets, *counts; /* TileOffsets, TileByteCounts values */
} ifd;

static void put(ifd *d, uint16_t tag, uint16_t type, uint64_t count, const void *value, size_t size)
{
    if (d->n == sizeof d->e / sizeof d->e[0]) return; /* more tags than any caller gives */
    entry *e = &d->e[d->n++];
    memset(e, 0, sizeof *e);
    e->tag = tag, e->type = type, e->count = count, e->size = size;
    e->value = value;
}

static void put_num(ifd *d, uint16_t tag, uint16_t type, uint32_t v)
{
    put(d, tag, type, 1, NULL, type == T_SHORT ? 2 : 4);
    entry *e = &d->e[d->n - 1];
    if (type == T_SHORT)
        wr16(e->small, v);
    else
        wr32(e->small, v);
    e->value = NULL; /* emit_ifd reads small: qsort moves the entry */
}

static int by_tag(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return (int)x->tag - (int)y->tag;
}

static size_t level_tiles(const gm_cog_level *l)
{
    return l->tcols * l->trows;
}

/* Builds the IFDs' entries and places them from `at` on; returns the end. */
static uint64_t layout(ifd *d, const gm_cog_level *levels, int n_levels,
                       const gm_cog_tags *main_tags, const gm_cog_tags *all_tags, int big,
                       uint64_t at)
{
    size_t inl = big ? 8 : 4, osz = big ? 8 : 4;
    for (int k = 0; k < n_levels; k++) {
        ifd *f = &d[k];
        const gm_cog_level *l = &levels[k];
        size_t nt = level_tiles(l);
        f->n = 0;
        if (k > 0) put_num(f, 254, T_LONG, 1); /* NewSubfileType: reduced resolution */
        put_num(f, 256, T_LONG, (uint32_t)l->width);
        put_num(f, 257, T_LONG, (uint32_t)l->height);
        put_num(f, 258, T_SHORT, 32); /* BitsPerSample */
        put_num(f, 259, T_SHORT, 8);  /* Compression: DEFLATE (zlib) */
        put_num(f, 262, T_SHORT, 1);  /* Photometric: min-is-black */
        put_num(f, 277, T_SHORT, 1);  /* SamplesPerPixel */
        put_num(f, 284, T_SHORT, 1);  /* PlanarConfiguration: contiguous */
        put_num(f, 317, T_SHORT, 3);  /* Predictor: floating point */
        put_num(f, 322, T_SHORT, GM_COG_TILE);
        put_num(f, 323, T_SHORT, GM_COG_TILE);
        put(f, 324, big ? T_LONG8 : T_LONG, nt, f->offsets, nt * osz);
        put(f, 325, T_LONG, nt, f->counts, nt * 4);
        put_num(f, 339, T_SHORT, 3); /* SampleFormat: IEEE float */
        for (size_t i = 0; k == 0 && i < main_tags->n; i++)
            put(f, main_tags->t[i].tag, main_tags->t[i].type, main_tags->t[i].count,
                main_tags->t[i].value, main_tags->t[i].size);
        for (size_t i = 0; i < all_tags->n; i++)
            put(f, all_tags->t[i].tag, all_tags->t[i].type, all_tags->t[i].count,
                all_tags->t[i].value, all_tags->t[i].size);
        qsort(f->e, f->n, sizeof f->e[0], by_tag);
        f->offset = at;
        at += big ? 8 + 20 * f->n + 8 : 2 + 12 * f->n + 4;
        for (size_t i = 0; i < f->n; i++) {
            if (f->e[i].size <= inl) continue;
            at += at & 1; /* values start on a word boundary */
            f->e[i].at = at;
            at += f->e[i].size;
        }
        at += at & 1;
        f->size = at - f->offset;
    }
    return at;
}

static size_t ghost_size(void)
{
    return strlen("GDAL_STRUCTURAL_METADATA_SIZE=000000 bytes\n") + strlen(ghost_md);
}

uint64_t gm_cog_overhead(const gm_cog_level *levels, int n_levels, const gm_cog_tags *main_tags,
                         const gm_cog_tags *all_tags)
{
    ifd *d = calloc((size_t)n_levels, sizeof *d);
    if (!d) return UINT64_MAX;
    uint64_t end = layout(d, levels, n_levels, main_tags, all_tags, 1, 16 + ghost_size() + 1);
    free(d);
    for (int k = 0; k < n_levels; k++)
        end += 8 * level_tiles(&levels[k]); /* leaders and trailers */
    return end;
}

/* Serialises IFD k into buf (the file's bytes from 0), pointing to `next`. */
static void emit_ifd(unsigned char *buf, const ifd *f, int big, uint64_t next)
{
    unsigned char *p = buf + f->offset;
    size_t inl = big ? 8 : 4;
    if (big)
        wr64(p, f->n), p += 8;
    else
        wr16(p, (uint32_t)f->n), p += 2;
    for (size_t i = 0; i < f->n; i++) {
        const entry *e = &f->e[i];
        wr16(p, e->tag), wr16(p + 2, e->type);
        if (big)
            wr64(p + 4, e->count);
        else
            wr32(p + 4, (uint32_t)e->count);
        unsigned char *v = p + (big ? 12 : 8);
        const unsigned char *value = e->value ? e->value : e->small;
        if (e->size <= inl) {
            if (e->size) memcpy(v, value, e->size);
        } else {
            if (big)
                wr64(v, e->at);
            else
                wr32(v, (uint32_t)e->at);
            memcpy(buf + e->at, value, e->size);
        }
        p += big ? 20 : 12;
    }
    if (big)
        wr64(p, next);
    else
        wr32(p, (uint32_t)next);
}

int gm_cog_write(gm_context *ctx, const char *path, const gm_cog_level *levels, int n_levels,
                 const gm_cog_tags *main_tags, const gm_cog_tags *all_tags)
{
    ifd *d = calloc((size_t)n_levels, sizeof *d);
    unsigned char *head = NULL;
    FILE *f = NULL;
    int rc = GM_OK;
    if (!d) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    uint64_t data_bytes = 0;
    for (int k = 0; k < n_levels; k++) {
        size_t nt = level_tiles(&levels[k]);
        for (size_t i = 0; i < nt; i++)
            if (levels[k].tiles[i].size) data_bytes += levels[k].tiles[i].size + 8;
        d[k].offsets = calloc(nt ? nt : 1, 8);
        d[k].counts = calloc(nt ? nt : 1, 4);
        if (!d[k].offsets || !d[k].counts) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
    }
    /* classic TIFF unless some offset would pass 4 GiB */
    int big = 0;
    uint64_t start = 8 + ghost_size();
    start += start & 1;
    uint64_t head_size = layout(d, levels, n_levels, main_tags, all_tags, 0, start);
    if (head_size + data_bytes >= UINT32_MAX) {
        big = 1;
        start = 16 + ghost_size();
        start += start & 1;
        head_size = layout(d, levels, n_levels, main_tags, all_tags, 1, start);
    }
    /* the tiles' offsets: smallest overview first, each level row-major */
    uint64_t at = head_size;
    for (int k = n_levels - 1; k >= 0; k--) {
        size_t nt = level_tiles(&levels[k]);
        for (size_t i = 0; i < nt; i++) {
            const gm_cog_blob *b = &levels[k].tiles[i];
            if (!b->size) continue;
            at += 4; /* leader */
            if (big)
                wr64(d[k].offsets + 8 * i, at);
            else
                wr32(d[k].offsets + 4 * i, (uint32_t)at);
            wr32(d[k].counts + 4 * i, (uint32_t)b->size);
            at += b->size + 4; /* data, trailer */
        }
    }
    if (!(head = calloc(head_size, 1))) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    head[0] = head[1] = 'I';
    if (big) {
        wr16(head + 2, 43), wr16(head + 4, 8), wr16(head + 6, 0), wr64(head + 8, start);
    } else {
        wr16(head + 2, 42), wr32(head + 4, (uint32_t)start);
    }
    char ghost[256];
    snprintf(ghost, sizeof ghost, "GDAL_STRUCTURAL_METADATA_SIZE=%06zu bytes\n%s", strlen(ghost_md),
             ghost_md);
    memcpy(head + (big ? 16 : 8), ghost, strlen(ghost));
    for (int k = 0; k < n_levels; k++)
        emit_ifd(head, &d[k], big, k + 1 < n_levels ? d[k + 1].offset : 0);

    if (!(f = fopen(path, "wb"))) {
        rc = gm_error(ctx, GM_ERR_WRITE, "%s: cannot write: %s", path, strerror(errno));
        goto done;
    }
    int ok = fwrite(head, 1, head_size, f) == head_size;
    for (int k = n_levels - 1; k >= 0 && ok; k--) {
        size_t nt = level_tiles(&levels[k]);
        for (size_t i = 0; i < nt && ok; i++) {
            const gm_cog_blob *b = &levels[k].tiles[i];
            if (!b->size) continue;
            unsigned char lead[4];
            wr32(lead, (uint32_t)b->size);
            ok = fwrite(lead, 1, 4, f) == 4 && fwrite(b->data, 1, b->size, f) == b->size &&
                 fwrite(b->data + b->size - 4, 1, 4, f) == 4;
        }
    }
    int e = errno;
    if (fclose(f) != 0 && ok) ok = 0, e = errno;
    f = NULL;
    if (!ok) {
        unlink(path);
        rc = gm_error(ctx, GM_ERR_WRITE, "%s: cannot write: %s", path, strerror(e));
    }
done:
    for (int k = 0; k < n_levels; k++) {
        free(d[k].offsets);
        free(d[k].counts);
    }
    free(d);
    free(head);
    return rc;
}
