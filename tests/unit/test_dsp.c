/* Pixel kernels of the DSP context this CPU runs (8- and 16-bit
 * containers) against naive references: plane statistics, code maps and
 * the freeze SAD; the band -> plane rectangle mapping for every
 * subsampling, and merging band partials into whole-frame statistics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks/band_stats.h"
#include "checks/dsp/dsp.h"

/* ---- a plane with padding (and optionally a negative linesize) ---- */

typedef struct Plane {
    uint8_t *buf;
    uint8_t *data;              /* first row */
    ptrdiff_t linesize;
    int width, rows, bps, depth;
} Plane;

static uint32_t rng = 2463534242u;

static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Padding bytes are random garbage: a kernel that reads them shows it.
 * pad_bytes is rounded up to whole samples (rows stay aligned). */
static Plane make_plane(int width, int rows, int depth, int pad_bytes, int flipped)
{
    Plane p = { .width = width, .rows = rows, .depth = depth, .bps = depth > 8 ? 2 : 1 };
    ptrdiff_t stride = (ptrdiff_t)(width + (pad_bytes + p.bps - 1) / p.bps) * p.bps;
    size_t size = (size_t)stride * (size_t)rows;
    p.buf = malloc(size);
    cr_assert_not_null(p.buf);
    for (size_t i = 0; i < size; i++)
        p.buf[i] = (uint8_t)next_random();
    p.data = flipped ? p.buf + (rows - 1) * stride : p.buf;
    p.linesize = flipped ? -stride : stride;
    return p;
}

static unsigned get_sample(const Plane *p, int x, int y)
{
    const uint8_t *row = p->data + y * p->linesize;
    return p->bps == 1 ? row[x] : ((const uint16_t *)row)[x];
}

static void set_sample(Plane *p, int x, int y, unsigned v)
{
    uint8_t *row = p->data + y * p->linesize;
    if (p->bps == 1)
        row[x] = (uint8_t)v;
    else
        ((uint16_t *)row)[x] = (uint16_t)v;
}

static unsigned max_code(int depth)
{
    return (1u << depth) - 1;
}

static void fill_constant(Plane *p, unsigned v)
{
    for (int y = 0; y < p->rows; y++)
        for (int x = 0; x < p->width; x++)
            set_sample(p, x, y, v);
}

/* Half uniform samples, half samples at and around lo and hi and the ends
 * of the code range, where off-by-one errors show. */
static void fill_random(Plane *p, unsigned lo, unsigned hi)
{
    const unsigned max = max_code(p->depth);
    const unsigned specials[] = { 0, 1, lo - 1, lo, lo + 1, hi - 1, hi, hi + 1, max - 1, max };
    for (int y = 0; y < p->rows; y++)
        for (int x = 0; x < p->width; x++) {
            uint32_t r = next_random();
            unsigned v = r & 1 ? (r >> 1) & max : specials[(r >> 1) % 10];
            set_sample(p, x, y, v > max ? max : v);
        }
}

static MqcPlaneStats reference_stats(const Plane *p, unsigned lo, unsigned hi)
{
    MqcPlaneStats s = { .min = ~0u };
    for (int y = 0; y < p->rows; y++)
        for (int x = 0; x < p->width; x++) {
            unsigned v = get_sample(p, x, y);
            s.sum += v;
            s.below += v < lo;
            s.above += v > hi;
            s.min = v < s.min ? v : s.min;
            s.max = v > s.max ? v : s.max;
        }
    s.count = (uint64_t)p->width * (uint64_t)p->rows;
    return s;
}

static MqcPlaneStats kernel_stats(const Plane *p, unsigned lo, unsigned hi)
{
    MqcPlaneStats s;
    memset(&s, 0x5A, sizeof(s));
    mqc_dsp_get()->plane_stats[p->bps - 1](p->data, p->linesize, p->width, p->rows, lo, hi, &s);
    return s;
}

static void expect_stats_eq(const MqcPlaneStats *got, const MqcPlaneStats *want,
                            const char *what)
{
    cr_expect_eq(got->sum, want->sum, "%s: sum %llu, want %llu", what,
                 (unsigned long long)got->sum, (unsigned long long)want->sum);
    cr_expect_eq(got->below, want->below, "%s: below %llu, want %llu", what,
                 (unsigned long long)got->below, (unsigned long long)want->below);
    cr_expect_eq(got->above, want->above, "%s: above %llu, want %llu", what,
                 (unsigned long long)got->above, (unsigned long long)want->above);
    cr_expect_eq(got->count, want->count, "%s: count", what);
    cr_expect_eq(got->min, want->min, "%s: min %u, want %u", what, got->min, want->min);
    cr_expect_eq(got->max, want->max, "%s: max %u, want %u", what, got->max, want->max);
}

/* ---- plane_stats against the reference on random data ---- */

Test(dsp, plane_stats_match_reference_on_random_data)
{
    static const struct {
        int depth, width, rows, pad, flipped;
    } shapes[] = {
        { 8, 1, 1, 0, 0 }, { 8, 37, 13, 3, 0 }, { 8, 641, 7, 63, 1 }, { 8, 1920, 3, 0, 0 },
        { 8, 15, 17, 1, 1 },
        { 10, 33, 9, 6, 0 }, { 10, 1023, 5, 2, 1 }, { 12, 17, 31, 30, 0 },
        { 16, 255, 3, 14, 0 }, { 16, 1, 1, 0, 0 }, { 16, 99, 11, 2, 1 },
    };
    /* legal bands as fractions of the code range, plus the whole range and
     * the black check's (threshold + 1, ~0u) */
    static const struct { double lo, hi; } bands[] = {
        { 0.02, 0.965 }, { 0.5, 0.5 }, { 0, 1 }, { 0.15, -1 },
    };
    for (size_t s = 0; s < sizeof(shapes) / sizeof(*shapes); s++) {
        for (size_t b = 0; b < sizeof(bands) / sizeof(*bands); b++) {
            const unsigned max = max_code(shapes[s].depth);
            unsigned lo = (unsigned)(bands[b].lo * max);
            unsigned hi = bands[b].hi < 0 ? ~0u : (unsigned)(bands[b].hi * max);
            Plane p = make_plane(shapes[s].width, shapes[s].rows, shapes[s].depth, shapes[s].pad,
                                 shapes[s].flipped);
            fill_random(&p, lo, hi);
            MqcPlaneStats got = kernel_stats(&p, lo, hi), want = reference_stats(&p, lo, hi);
            char what[128];
            snprintf(what, sizeof(what), "%d-bit %dx%d pad %d%s, band [%u, %u]",
                     shapes[s].depth, shapes[s].width, shapes[s].rows, shapes[s].pad,
                     shapes[s].flipped ? " flipped" : "", lo, hi);
            expect_stats_eq(&got, &want, what);
            free(p.buf);
        }
    }
}

/* ---- edge cases with hand-computed results ---- */

static const struct Edge {
    const char *what;
    int depth, width, rows;
    unsigned value, lo, hi;
    MqcPlaneStats want;         /* sum, below, above, count, min, max */
} edges[] = {
    { "all 0, below 16", 8, 5, 3, 0, 16, 235, { 0, 15, 0, 15, 0, 0 } },
    { "all max 8-bit", 8, 5, 3, 255, 16, 235, { 3825, 0, 15, 15, 255, 255 } },
    { "all max 16-bit", 16, 7, 2, 65535, 4096, 60160, { 14 * 65535ull, 0, 14, 14, 65535, 65535 } },
    { "all 0, 10-bit", 10, 9, 4, 0, 64, 940, { 0, 36, 0, 36, 0, 0 } },
    { "single pixel on both limits", 8, 1, 1, 16, 16, 16, { 16, 0, 0, 1, 16, 16 } },
    { "single pixel 16-bit", 16, 1, 1, 40000, 40001, 65535, { 40000, 1, 0, 1, 40000, 40000 } },
    { "lo 0 never below", 8, 4, 4, 0, 0, 255, { 0, 0, 0, 16, 0, 0 } },
    { "hi max never above", 8, 4, 4, 255, 0, 255, { 255 * 16, 0, 0, 16, 255, 255 } },
    { "hi max 16-bit", 16, 3, 3, 65535, 0, 65535, { 9 * 65535ull, 0, 0, 9, 65535, 65535 } },
    { "black check: hi ~0u", 16, 3, 1, 65535, 38, ~0u, { 3 * 65535ull, 0, 0, 3, 65535, 65535 } },
    /* the widest row the 32-bit row accumulators are documented to hold */
    { "65536 max samples per row", 16, 65536, 2, 65535, 0, 65534,
      { 2 * 65536ull * 65535, 0, 2 * 65536ull, 2 * 65536ull, 65535, 65535 } },
};

Test(dsp, plane_stats_edge_cases)
{
    for (size_t i = 0; i < sizeof(edges) / sizeof(*edges); i++) {
        const struct Edge *e = &edges[i];
        for (int flipped = 0; flipped <= 1; flipped++) {
            Plane p = make_plane(e->width, e->rows, e->depth, 5, flipped);
            fill_constant(&p, e->value);
            MqcPlaneStats got = kernel_stats(&p, e->lo, e->hi);
            expect_stats_eq(&got, &e->want, e->what);
            MqcPlaneStats ref = reference_stats(&p, e->lo, e->hi);
            expect_stats_eq(&ref, &e->want, "reference");   /* the table itself is right */
            free(p.buf);
        }
    }
}

/* ---- pictures and bands ---- */

typedef struct Format {
    const char *name;
    int log2_w, log2_h, is_rgb;
} Format;

static const Format yuv420 = { "4:2:0", 1, 1, 0 };
static const Format yuv422 = { "4:2:2", 1, 0, 0 };
static const Format yuv444 = { "4:4:4", 0, 0, 0 };
static const Format gbrp = { "RGB", 0, 0, 1 };

typedef struct Picture {
    MqcPicture pic;
    Plane planes[3];
} Picture;

static int plane_width(const MqcPicture *pic, int p)
{
    int sw = p && !pic->is_rgb ? pic->log2_chroma_w : 0;
    return (pic->width + (1 << sw) - 1) >> sw;
}

static int plane_rows(const MqcPicture *pic, int p)
{
    int sh = p && !pic->is_rgb ? pic->log2_chroma_h : 0;
    return (pic->height + (1 << sh) - 1) >> sh;
}

static Picture *make_picture(const Format *f, int width, int height, int depth)
{
    Picture *pc = calloc(1, sizeof(*pc));
    cr_assert_not_null(pc);
    MqcPicture *pic = &pc->pic;
    pic->width = width;
    pic->height = height;
    pic->nb_planes = 3;
    pic->log2_chroma_w = f->log2_w;
    pic->log2_chroma_h = f->log2_h;
    pic->is_rgb = f->is_rgb;
    pic->bit_depth = depth;
    pic->bytes_per_sample = depth > 8 ? 2 : 1;
    for (int p = 0; p < 3; p++) {
        pc->planes[p] = make_plane(plane_width(pic, p), plane_rows(pic, p), depth, 32, 0);
        pic->data[p] = pc->planes[p].data;
        pic->linesize[p] = pc->planes[p].linesize;
    }
    return pc;
}

static void free_picture(Picture *pc)
{
    for (int p = 0; p < 3; p++)
        free(pc->planes[p].buf);
    free(pc);
}

/* First row of plane p a band starts at, from the pointer it returns. */
static int band_rows(const MqcPicture *pic, int y0, int y1, int p, int *row0, int *width)
{
    MqcBand band = { .pic = pic, .y0 = y0, .y1 = y1 };
    const uint8_t *data;
    int rows;
    mqc_band_plane(&band, p, &data, width, &rows);
    ptrdiff_t off = data - pic->data[p];
    cr_assert_eq(off % pic->linesize[p], 0, "band data not at a row start");
    *row0 = (int)(off / pic->linesize[p]);
    return rows;
}

Test(dsp, band_plane_known_rectangles)
{
    static const struct {
        const Format *fmt;
        int width, height, y0, y1, plane;
        int row0, rows, plane_w;
    } cases[] = {
        /* odd 1921x1081: the last 16-row band is 9 luma rows */
        { &yuv420, 1921, 1081, 1072, 1081, 0, 1072, 9, 1921 },
        { &yuv420, 1921, 1081, 1072, 1081, 1, 536, 5, 961 },   /* rows 536..540 = ceil(1081/2) */
        { &yuv420, 1921, 1081, 0, 16, 2, 0, 8, 961 },
        { &yuv420, 1921, 1081, 16, 32, 1, 8, 8, 961 },
        { &yuv422, 1921, 1081, 1072, 1081, 1, 1072, 9, 961 },
        { &yuv422, 1921, 1081, 16, 32, 2, 16, 16, 961 },
        { &yuv444, 1921, 1081, 1072, 1081, 2, 1072, 9, 1921 },
        { &gbrp, 1921, 1081, 1072, 1081, 1, 1072, 9, 1921 },
        { &gbrp, 1921, 1081, 32, 48, 2, 32, 16, 1921 },
        { &yuv420, 720, 576, 560, 576, 1, 280, 8, 360 },
        { &yuv420, 3, 1, 0, 1, 1, 0, 1, 2 },                     /* 3x1: chroma 2x1 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        Picture *pc = make_picture(cases[i].fmt, cases[i].width, cases[i].height, 10);
        int row0, width;
        int rows = band_rows(&pc->pic, cases[i].y0, cases[i].y1, cases[i].plane, &row0, &width);
        cr_expect(row0 == cases[i].row0 && rows == cases[i].rows && width == cases[i].plane_w,
                  "%s %dx%d band [%d, %d) plane %d: row %d, %d rows, width %d; want %d, %d, %d",
                  cases[i].fmt->name, cases[i].width, cases[i].height, cases[i].y0, cases[i].y1,
                  cases[i].plane, row0, rows, width, cases[i].row0, cases[i].rows,
                  cases[i].plane_w);
        free_picture(pc);
    }
}

static const Format *const formats[] = { &yuv420, &yuv422, &yuv444, &gbrp };
static const struct { int width, height, band; } tilings[] = {
    { 64, 64, 16 }, { 33, 17, 4 }, { 1921, 27, 2 }, { 17, 33, 32 }, { 9, 7, 64 }, { 5, 1, 2 },
};

/* Bands of height band_h (the last one shorter) tile every plane exactly. */
static void check_tiling(const Format *f, int width, int height, int band_h)
{
    Picture *pc = make_picture(f, width, height, 8);
    for (int p = 0; p < 3; p++) {
        int next_row = 0;
        for (int y0 = 0; y0 < height; y0 += band_h) {
            int y1 = y0 + band_h < height ? y0 + band_h : height;
            int row0, w;
            int rows = band_rows(&pc->pic, y0, y1, p, &row0, &w);
            cr_expect_eq(row0, next_row, "%s %dx%d/%d plane %d band %d: starts at row %d",
                         f->name, width, height, band_h, p, y0, row0);
            cr_expect_eq(w, plane_width(&pc->pic, p));
            next_row = row0 + rows;
        }
        cr_expect_eq(next_row, plane_rows(&pc->pic, p), "%s %dx%d/%d plane %d: covers %d rows",
                     f->name, width, height, band_h, p, next_row);
    }
    free_picture(pc);
}

Test(dsp, bands_tile_every_plane)
{
    for (size_t f = 0; f < sizeof(formats) / sizeof(*formats); f++)
        for (size_t t = 0; t < sizeof(tilings) / sizeof(*tilings); t++)
            check_tiling(formats[f], tilings[t].width, tilings[t].height, tilings[t].band);
}

/* ---- merge of band partials equals the whole plane ---- */

static void check_merge(const Format *f, int width, int height, int band_h, int depth)
{
    Picture *pc = make_picture(f, width, height, depth);
    const unsigned lo = max_code(depth) / 10, hi = max_code(depth) - lo;
    for (int p = 0; p < 3; p++)
        fill_random(&pc->planes[p], lo, hi);
    for (int p = 0; p < 3; p++) {
        MqcPlaneStats merged, part;
        memset(&merged, 0, sizeof(merged));
        for (int y0 = 0, band = 0; y0 < height; y0 += band_h, band++) {
            MqcBand b = { .pic = &pc->pic, .y0 = y0,
                          .y1 = y0 + band_h < height ? y0 + band_h : height };
            const uint8_t *data;
            int w, rows;
            mqc_band_plane(&b, p, &data, &w, &rows);
            mqc_dsp_get()->plane_stats[depth > 8](data, pc->pic.linesize[p], w, rows, lo, hi,
                                                  &part);
            mqc_plane_stats_merge(&merged, &part, band == 0);
        }
        MqcPlaneStats whole = reference_stats(&pc->planes[p], lo, hi);
        char what[96];
        snprintf(what, sizeof(what), "%s %dx%d %d-bit bands of %d, plane %d", f->name, width,
                 height, depth, band_h, p);
        expect_stats_eq(&merged, &whole, what);
    }
    free_picture(pc);
}

Test(dsp, merged_band_stats_equal_the_whole_plane)
{
    for (size_t f = 0; f < sizeof(formats) / sizeof(*formats); f++)
        for (size_t t = 0; t < sizeof(tilings) / sizeof(*tilings); t++) {
            check_merge(formats[f], tilings[t].width, tilings[t].height, tilings[t].band, 8);
            check_merge(formats[f], tilings[t].width, tilings[t].height, tilings[t].band, 10);
        }
}

Test(dsp, merge_first_replaces_and_later_combine)
{
    MqcPlaneStats a, b = { 100, 1, 2, 10, 5, 50 }, c = { 30, 3, 0, 4, 2, 9 };
    memset(&a, 0x77, sizeof(a));
    mqc_plane_stats_merge(&a, &b, 1);
    MqcPlaneStats want_b = b;
    expect_stats_eq(&a, &want_b, "first");
    mqc_plane_stats_merge(&a, &c, 0);
    MqcPlaneStats want = { 130, 4, 2, 14, 2, 50 };
    expect_stats_eq(&a, &want, "second");
}

/* ---- plane_codes: the set of code values used, as a bitmap ---- */

static int map_has(const uint8_t *map, unsigned v)
{
    return map[v / 8] >> (v % 8) & 1;
}

Test(dsp, plane_codes_match_reference_on_random_data)
{
    static const struct {
        int depth, width, rows, pad, flipped, sparse;
    } shapes[] = {
        { 8, 1, 1, 0, 0, 0 }, { 8, 37, 13, 3, 1, 0 }, { 8, 641, 7, 63, 0, 1 },
        { 10, 33, 9, 6, 0, 0 }, { 10, 1023, 5, 2, 1, 1 }, { 12, 17, 31, 30, 0, 0 },
        { 12, 700, 3, 0, 1, 1 }, { 16, 255, 3, 14, 0, 0 }, { 16, 99, 11, 2, 1, 1 },
        { 16, 1, 1, 0, 0, 0 },
    };
    static uint8_t got[8192], want[8192];
    for (size_t s = 0; s < sizeof(shapes) / sizeof(*shapes); s++) {
        const int depth = shapes[s].depth;
        const unsigned max = max_code(depth);
        Plane p = make_plane(shapes[s].width, shapes[s].rows, depth, shapes[s].pad,
                             shapes[s].flipped);
        for (int y = 0; y < p.rows; y++)
            for (int x = 0; x < p.width; x++) {
                unsigned v = next_random() & max;
                /* sparse: an 8-bit set shifted up, as upconverted content is */
                set_sample(&p, x, y, shapes[s].sparse ? (v >> (depth - 8)) << (depth - 8) : v);
            }
        set_sample(&p, 0, 0, 0);
        set_sample(&p, p.width - 1, p.rows - 1, max);
        memset(want, 0, sizeof(want));
        for (int y = 0; y < p.rows; y++)
            for (int x = 0; x < p.width; x++) {
                unsigned v = get_sample(&p, x, y);
                want[v / 8] |= (uint8_t)(1u << (v % 8));
            }
        memset(got, 0xA5, sizeof(got));
        mqc_dsp_get()->plane_codes[p.bps - 1](p.data, p.linesize, p.width, p.rows, depth, got);
        size_t bytes = MQC_CODE_MAP_BYTES(depth);
        cr_expect_eq(memcmp(got, want, bytes), 0, "%d-bit %dx%d%s: code sets differ", depth,
                     p.width, p.rows, shapes[s].flipped ? " flipped" : "");
        if (bytes < sizeof(got))
            cr_expect_eq(got[bytes], 0xA5, "%d-bit: wrote past the map", depth);
        free(p.buf);
    }
}

Test(dsp, plane_codes_edge_values_and_stray_high_bits)
{
    uint8_t map[8192];
    /* every code of a 10-bit plane, 0..1023, gives a full map */
    Plane p = make_plane(1024, 1, 10, 4, 0);
    for (int x = 0; x < 1024; x++)
        set_sample(&p, x, 0, (unsigned)x);
    mqc_dsp_get()->plane_codes[1](p.data, p.linesize, p.width, p.rows, 10, map);
    for (unsigned v = 0; v < 1024; v++)
        cr_expect(map_has(map, v), "code %u missing", v);
    /* a stray bit above the depth is masked, never indexes outside the map */
    fill_constant(&p, 0xFC00 | 17);
    memset(map, 0, sizeof(map));
    mqc_dsp_get()->plane_codes[1](p.data, p.linesize, p.width, p.rows, 10, map);
    for (unsigned v = 0; v < 1024; v++)
        cr_expect_eq(map_has(map, v), v == 17, "code %u", v);
    free(p.buf);
    /* 16-bit extremes */
    Plane q = make_plane(3, 2, 16, 2, 1);
    fill_constant(&q, 65535);
    set_sample(&q, 1, 1, 0);
    mqc_dsp_get()->plane_codes[1](q.data, q.linesize, q.width, q.rows, 16, map);
    for (unsigned v = 0; v < 65536; v++)
        if (map_has(map, v) != (v == 0 || v == 65535))
            cr_expect_fail("16-bit code %u", v);
    free(q.buf);
}

/* ---- sad_black: sum |a - b| and the count of a <= black ---- */

static void reference_sad_black(const Plane *a, const Plane *b, unsigned black, uint64_t *sad,
                                uint64_t *count)
{
    *sad = *count = 0;
    for (int y = 0; y < a->rows; y++)
        for (int x = 0; x < a->width; x++) {
            const unsigned va = get_sample(a, x, y), vb = get_sample(b, x, y);
            *sad += va > vb ? va - vb : vb - va;
            *count += va <= black;
        }
}

static void expect_sad_black(const MqcDsp *d, const Plane *a, const Plane *b, unsigned black,
                             const char *what)
{
    uint64_t got_sad = 1, got_count = 1, want_sad, want_count;
    d->sad_black[a->bps - 1](a->data, a->linesize, b->data, b->linesize, a->width, a->rows,
                             black, &got_sad, &got_count);
    reference_sad_black(a, b, black, &want_sad, &want_count);
    cr_expect_eq(got_sad, want_sad, "%s: sad %llu, want %llu", what,
                 (unsigned long long)got_sad, (unsigned long long)want_sad);
    cr_expect_eq(got_count, want_count, "%s: black %llu, want %llu", what,
                 (unsigned long long)got_count, (unsigned long long)want_count);
}

Test(dsp, sad_black_matches_reference)
{
    static const struct {
        int depth, width, rows, pad, flipped;
    } shapes[] = {
        { 8, 1, 1, 0, 0 }, { 8, 37, 13, 3, 1 }, { 8, 1920, 3, 0, 0 }, { 8, 70000, 2, 5, 0 },
        { 10, 33, 9, 6, 0 }, { 10, 1023, 5, 2, 1 }, { 16, 255, 3, 14, 0 },
        { 16, 70000, 2, 4, 1 },
    };
    /* the C reference and the versions this CPU runs */
    MqcDsp c;
    mqc_dsp_init(&c, 0);
    const MqcDsp *rungs[] = { &c, mqc_dsp_get() };
    for (size_t s = 0; s < sizeof(shapes) / sizeof(*shapes); s++) {
        const int depth = shapes[s].depth;
        const unsigned max = max_code(depth);
        Plane a = make_plane(shapes[s].width, shapes[s].rows, depth, shapes[s].pad,
                             shapes[s].flipped);
        Plane b = make_plane(shapes[s].width, shapes[s].rows, depth, shapes[s].pad + 7, 0);
        fill_random(&a, max / 16, max - max / 16);
        fill_random(&b, max / 16, max - max / 16);
        const unsigned blacks[] = { 0, max / 10, max - 1, max, ~0u };
        for (int r = 0; r < 2; r++)
            for (size_t k = 0; k < sizeof(blacks) / sizeof(*blacks); k++) {
                char what[96];
                snprintf(what, sizeof(what), "%s %d-bit %dx%d black %u", r ? "best" : "C", depth,
                         shapes[s].width, shapes[s].rows, blacks[k]);
                expect_sad_black(rungs[r], &a, &b, blacks[k], what);
            }
        free(a.buf);
        free(b.buf);
    }
}

Test(dsp, sad_black_hand_computed)
{
    /* 0 against max everywhere: the largest difference, on the widest rows */
    const MqcDsp *d = mqc_dsp_get();
    for (int depth = 8; depth <= 16; depth += 8) {
        Plane a = make_plane(70000, 2, depth, 3, 0), b = make_plane(70000, 2, depth, 9, 1);
        fill_constant(&a, 0);
        fill_constant(&b, max_code(depth));
        uint64_t sad, count;
        d->sad_black[depth > 8](a.data, a.linesize, b.data, b.linesize, 70000, 2, 0, &sad, &count);
        cr_expect_eq(sad, 140000ull * max_code(depth), "%d-bit sad %llu", depth,
                     (unsigned long long)sad);
        cr_expect_eq(count, 140000u);
        d->sad_black[depth > 8](b.data, b.linesize, a.data, a.linesize, 70000, 2, 0, &sad, &count);
        cr_expect_eq(sad, 140000ull * max_code(depth));
        cr_expect_eq(count, 0);
        free(a.buf);
        free(b.buf);
    }
}

/* ---- plane_hist and the shared histogram stage ---- */

Test(dsp, plane_hist_matches_reference)
{
    static uint32_t hist[2 << MQC_HIST_MAX_DEPTH];
    const MqcDsp *d = mqc_dsp_get();
    for (int depth = 8; depth <= MQC_HIST_MAX_DEPTH; depth += 2) {
        Plane p = make_plane(333, 7, depth, 10, depth == 10);
        fill_random(&p, max_code(depth) / 9, max_code(depth) - 3);
        d->plane_hist[p.bps - 1](p.data, p.linesize, p.width, p.rows, depth, hist);
        uint64_t total = 0;
        for (unsigned v = 0; v <= max_code(depth); v++) {
            uint32_t want = 0;
            for (int y = 0; y < p.rows; y++)
                for (int x = 0; x < p.width; x++)
                    want += get_sample(&p, x, y) == v;
            cr_expect_eq(hist[v], want, "%d-bit code %u: %u, want %u", depth, v, hist[v], want);
            total += hist[v];
        }
        cr_expect_eq(total, 333u * 7u);
        free(p.buf);
    }
}

/* Through the stage and straight from the samples, every band of every
 * plane gives the same statistics and code maps (16 bits: no histogram,
 * both paths read the samples). */
Test(dsp, histogram_stage_equals_direct_kernels)
{
    static MqcBandHist h;
    static uint8_t direct_map[8192], stage_map[8192];
    const MqcDsp *d = mqc_dsp_get();
    static const int depths[] = { 8, 10, 12, 16 };
    for (size_t f = 0; f < sizeof(formats) / sizeof(*formats); f++)
        for (int di = 0; di < 4; di++) {
            const int depth = depths[di];
            Picture *pc = make_picture(formats[f], 77, 50, depth);
            const unsigned max = max_code(depth), lo = max / 12, hi = max - max / 15;
            for (int p = 0; p < 3; p++)
                fill_random(&pc->planes[p], lo, hi);
            for (int y0 = 0; y0 < 50; y0 += 16) {
                MqcBand band = { .pic = &pc->pic, .y0 = y0, .y1 = y0 + 16 < 50 ? y0 + 16 : 50 };
                mqc_stage_histograms.measure(&band, MQC_NEED_PLANE_STATS | MQC_NEED_CODE_SETS, &h);
                cr_assert_eq(h.depth, depth <= MQC_HIST_MAX_DEPTH ? depth : 0);
                MqcBand staged = band;
                staged.stage = &h;
                for (int p = 0; p < 3; p++) {
                    const unsigned bands[][2] = { { lo, hi }, { 0, max }, { lo + 1, ~0u },
                                                  { max, 0 } };
                    for (int b = 0; b < 4; b++) {
                        MqcPlaneStats a, s;
                        mqc_band_plane_stats(d, &band, p, bands[b][0], bands[b][1], &a);
                        mqc_band_plane_stats(d, &staged, p, bands[b][0], bands[b][1], &s);
                        char what[96];
                        snprintf(what, sizeof(what), "%s %d-bit band %d plane %d limits %d",
                                 formats[f]->name, depth, y0, p, b);
                        expect_stats_eq(&s, &a, what);
                    }
                    mqc_band_plane_codes(d, &band, p, depth, direct_map);
                    mqc_band_plane_codes(d, &staged, p, depth, stage_map);
                    cr_expect_eq(memcmp(direct_map, stage_map, MQC_CODE_MAP_BYTES(depth)), 0,
                                 "%s %d-bit band %d plane %d: code maps differ",
                                 formats[f]->name, depth, y0, p);
                }
            }
            free_picture(pc);
        }
}

/* Plane statistics alone are read from the samples: no histogram is built. */
Test(dsp, histogram_stage_only_for_code_sets)
{
    static MqcBandHist h;
    Picture *pc = make_picture(&yuv422, 64, 16, 10);
    MqcBand band = { .pic = &pc->pic, .y0 = 0, .y1 = 16 };
    mqc_stage_histograms.measure(&band, MQC_NEED_PLANE_STATS, &h);
    cr_expect_eq(h.depth, 0);
    mqc_stage_histograms.measure(&band, MQC_NEED_PLANE_STATS | MQC_NEED_CODE_SETS, &h);
    cr_expect_eq(h.depth, 10);
    cr_expect_eq(h.planes, 3);
    free_picture(pc);
}
