/*
 * testutil.h -- helpers shared by the unit tests: cmocka, WKT, and the
 * closed-form ellipsoidal area that expected values are computed from.
 *
 * Expected areas never come from the engine: they come from the authalic
 * band formula below (exact for a lon/lat rectangle whose parallel edges are
 * densified, so geodesic chords hug the parallels to ~1e-11 relative).
 */
#ifndef GM_TESTUTIL_H
#define GM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRS80_A 6378137.0
#define GRS80_F (1.0 / 298.257222101)
#define PI 3.14159265358979323846

/* A test file's GEOS handle `h`, made and finished by the cmocka group
 * fixtures gm_geos_setup / gm_geos_teardown. */
#define GM_TEST_GEOS_HANDLE                                                                        \
    static GEOSContextHandle_t h;                                                                  \
    static int gm_geos_setup(void **state)                                                         \
    {                                                                                              \
        (void)state;                                                                               \
        h = GEOS_init_r();                                                                         \
        return h ? 0 : -1;                                                                         \
    }                                                                                              \
    static int gm_geos_teardown(void **state)                                                      \
    {                                                                                              \
        (void)state;                                                                               \
        GEOS_finish_r(h);                                                                          \
        return 0;                                                                                  \
    }

/* A repeatable pseudo-random number in [0, 1] from *seed (an LCG): test data
 * that is the same on every run and machine. */
static inline double test_rnd(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 8 & 0xffffff) / (double)0xffffff;
}

/* Area (m²) on GRS 80 between latitudes lat0..lat1 and longitudes lon0..lon1
 * (degrees): b²Δλ/2 [q(φ)], q(φ) = sinφ/(1-e²sin²φ) + atanh(e sinφ)/e. */
static inline double band_area_m2(double lon0, double lat0, double lon1, double lat1)
{
    double f = GRS80_F, e2 = f * (2 - f), e = sqrt(e2), b = GRS80_A * (1 - f);
    double s0 = sin(lat0 * PI / 180), s1 = sin(lat1 * PI / 180);
    double q0 = s0 / (1 - e2 * s0 * s0) + atanh(e * s0) / e;
    double q1 = s1 / (1 - e2 * s1 * s1) + atanh(e * s1) / e;
    return b * b * ((lon1 - lon0) * PI / 180) / 2 * (q1 - q0);
}

static inline double band_area_ha(double lon0, double lat0, double lon1, double lat1)
{
    return band_area_m2(lon0, lat0, lon1, lat1) / 1e4;
}

/* WKT of the lon/lat rectangle, its parallel edges densified on a global grid
 * of `step` degrees (so that rectangles sharing grid lines share vertices).
 * The caller frees the returned string. */
static inline char *rect_wkt(double lon0, double lat0, double lon1, double lat1, double step)
{
    size_t cap = 64 + (size_t)((lon1 - lon0) / step + 4) * 2 * 64;
    char *s = malloc(cap);
    size_t n = (size_t)snprintf(s, cap, "POLYGON((");
    long k0 = lround(lon0 / step), k1 = lround(lon1 / step);
    for (long k = k0; k <= k1; k++) /* bottom edge, west to east */
        n += (size_t)snprintf(s + n, cap - n, "%.10f %.10f,", k * step, lat0);
    for (long k = k1; k >= k0; k--) /* top edge, east to west */
        n += (size_t)snprintf(s + n, cap - n, "%.10f %.10f,", k * step, lat1);
    snprintf(s + n, cap - n, "%.10f %.10f))", k0 * step, lat0);
    return s;
}

static inline GEOSGeometry *wkt(GEOSContextHandle_t h, const char *text)
{
    GEOSWKTReader *r = GEOSWKTReader_create_r(h);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, r, text);
    GEOSWKTReader_destroy_r(h, r);
    assert_non_null(g);
    return g;
}

static inline GEOSGeometry *rect(GEOSContextHandle_t h, double lon0, double lat0, double lon1,
                                 double lat1)
{
    char *s = rect_wkt(lon0, lat0, lon1, lat1, 0.0005);
    GEOSGeometry *g = wkt(h, s);
    free(s);
    return g;
}

/* A GEOS handle for tests that need no gm_context: use as the group setup
 * and teardown of cmocka_run_group_tests. */
static GEOSContextHandle_t h;
static inline int geos_setup(void **state)
{
    (void)state;
    h = GEOS_init_r();
    return h ? 0 : -1;
}
static inline int geos_teardown(void **state)
{
    (void)state;
    GEOS_finish_r(h);
    return 0;
}

#define assert_rel(actual, expected, tol)                                                          \
    do {                                                                                           \
        double a_ = (actual), e_ = (expected);                                                     \
        double r_ = fabs(a_ - e_) / (fabs(e_) > 0 ? fabs(e_) : 1.0);                               \
        if (!(r_ <= (tol)))                                                                        \
            fail_msg("%s = %.12g, expected %.12g (relative error %.3g > %.3g)", #actual, a_, e_,   \
                     r_, (double)(tol));                                                           \
    } while (0)

#endif
