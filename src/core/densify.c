/*
 * densify.c -- vertices inserted along geodesic edges (see densify.h).
 */
#include "core/densify.h"

#include <greenmine/area.h>

#include <geodesic.h>

#include <math.h>
#include <stdlib.h>

/* An upper bound (metres) on the geodesic distance between two lon/lat points.
 * The geodesic is the shortest path, so it is no longer than the path that is
 * straight in (lat, lon): with both radii of curvature at most a^2/b on GRS 80
 * and cos(lat) along it at most `cos_lat`, that of the ring's point nearest the
 * equator, its length is at most a^2/b * hypot(dlat, cos_lat dlon). Solving the
 * geodesic (geod_inverse, the loader's largest cost) is then needed only for
 * edges this bound cannot decide; the result is exactly the same. */
static double length_bound_m(double cos_lat, double x0, double y0, double x1, double y1)
{
    static const double rmax = GM_GRS80_A / (1.0 - GM_GRS80_F); /* a^2/b */
    static const double deg = 3.14159265358979323846 / 180.0;
    double dlon = fabs(x1 - x0);
    if (dlon > 180.0) dlon = 360.0 - dlon;
    double c = cos_lat * dlon, d = fabs(y1 - y0);
    return rmax * deg * sqrt(d * d + c * c) * (1.0 + 1e-9);
}

/* cos of the latitude nearest the equator among xy's n points (1 if it crosses it). */
static double ring_cos_lat(const double *xy, size_t n)
{
    double lo = 90.0;
    int north = 0, south = 0;
    for (size_t i = 0; i < n; i++) {
        double y = xy[2 * i + 1];
        lo = fmin(lo, fabs(y));
        north |= y > 0.0, south |= y <= 0.0;
    }
    return north && south ? 1.0 : cos(lo * 3.14159265358979323846 / 180.0);
}

/* ---- short edges through the 3D chord -----------------------------------
 * Points of the chord between an edge's ends (earth-centred, earth-fixed
 * coordinates), moved along the ellipsoid's normal onto its surface, lie on
 * the normal section through the ends. For edges under GM_DENSIFY_CHORD_M that
 * curve stays within ~e^2 L^3 / (8 R^2) of the geodesic (2e-8 m for 1 km,
 * 2e-11 m for 100 m; tests/unit/test_densify.c measures it), far inside the
 * 2.6e-5 m a 50 m chord itself allows -- and it costs a few sines where
 * solving the geodesic (geod_inverse + geod_genposition) costs a microsecond.
 * The chord is shorter than the arc by L^3 / (24 R^2) (4e-11 m at 100 m), so it
 * decides "longer than max_m" and the number of parts as the arc would. */
#define GM_DENSIFY_CHORD_M 1000.0

typedef struct ecef {
    double x, y, z;
} ecef;

static const double rad = 3.14159265358979323846 / 180.0;

static ecef to_ecef(double lon, double lat)
{
    const double e2 = GM_GRS80_F * (2.0 - GM_GRS80_F);
    double sp = sin(lat * rad), cp = cos(lat * rad), sl = sin(lon * rad), cl = cos(lon * rad);
    double n = GM_GRS80_A / sqrt(1.0 - e2 * sp * sp);
    return (ecef){n * cp * cl, n * cp * sl, n * (1.0 - e2) * sp};
}

/* The surface points under chord points (each at most centimetres below the
 * surface): lon, lat. The fixed point lat = atan2(z + e^2 N sin lat, r)
 * contracts by ~e^2 per step from a start exact on the surface, off by
 * ~e^2 h / R (1e-4 m for the midpoint of a 1 km chord, 2 cm deep): three steps
 * leave ~1e-17 m. The points wait in a batch and are settled step by step
 * across it: every point goes through the same operations in the same order
 * (the same results), but the square roots and divisions of different points
 * overlap in the processor instead of each waiting for the one before. */
enum { PENDING = 64 };
typedef struct pending {
    double x[PENDING], y[PENDING], z[PENDING];
    size_t at[PENDING]; /* where each goes in the output (points, not pointers: it moves) */
    size_t n;
} pending;

static void settle(pending *p, double *xy)
{
    const double e2 = GM_GRS80_F * (2.0 - GM_GRS80_F);
    double r[PENDING], t[PENDING]; /* t: tan lat, iterated without trigonometry */
    size_t n = p->n;
    for (size_t i = 0; i < n; i++) {
        r[i] = sqrt(p->x[i] * p->x[i] + p->y[i] * p->y[i]);
        t[i] = p->z[i] / (r[i] * (1.0 - e2));
    }
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < n; i++) {
            double sp = t[i] / sqrt(1.0 + t[i] * t[i]);
            double nn = GM_GRS80_A / sqrt(1.0 - e2 * sp * sp);
            t[i] = (p->z[i] + e2 * nn * sp) / r[i];
        }
    for (size_t i = 0; i < n; i++) {
        xy[2 * p->at[i]] = atan2(p->y[i], p->x[i]) / rad;
        xy[2 * p->at[i] + 1] = atan(t[i]) / rad;
    }
    p->n = 0;
}

/* An edge that may need points: its length, and how to place them. */
typedef struct edge {
    int solved; /* the bound could not decide: the fields below are set */
    double s12; /* metres: the geodesic's, or (short edges) the chord's */
    int exact;  /* solved as a geodesic (long edges): a1 is its azimuth */
    double a1;
    ecef p0, p1; /* short edges: the chord's ends */
} edge;

/* Whether the edge is longer than max_m; fills *e when it may be (e->solved).
 * prev: the previous edge of the ring, whose end is this one's start. */
static int long_edge(const struct geod_geodesic *g, double cos_lat, double x0, double y0, double x1,
                     double y1, double max_m, const edge *prev, edge *e)
{
    e->s12 = 0.0;
    e->solved = 0;
    if (length_bound_m(cos_lat, x0, y0, x1, y1) <= max_m) return 0;
    e->solved = 1;
    e->p0 = prev && prev->solved ? prev->p1 : to_ecef(x0, y0);
    e->p1 = to_ecef(x1, y1);
    double dx = e->p1.x - e->p0.x, dy = e->p1.y - e->p0.y, dz = e->p1.z - e->p0.z;
    e->s12 = sqrt(dx * dx + dy * dy + dz * dz);
    e->exact = e->s12 > GM_DENSIFY_CHORD_M;
    if (e->exact) {
        double a2;
        geod_inverse(g, y0, x0, y1, x1, &e->s12, &e->a1, &a2);
    }
    return e->s12 > max_m;
}

/* The ring's coordinates as x, y pairs (malloc'd), or NULL. */
static double *ring_xy(GEOSContextHandle_t h, const GEOSGeometry *ring, unsigned *n)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    *n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, n)) return NULL;
    double *xy = malloc(2 * (size_t)(*n ? *n : 1) * sizeof *xy);
    if (xy && *n && !GEOSCoordSeq_copyToBuffer_r(h, seq, xy, 0, 0)) {
        free(xy);
        return NULL;
    }
    return xy;
}

size_t gm_densify_ring_xy(const double *in, size_t n, double max_m, double **out, size_t *cap)
{
    return gm_densify_ring_xy_at(in, n, max_m, out, cap, NULL);
}

/* gm_densify_ring_xy_at, but edge i stays a chord when chord && chord[i]. */
static size_t densify_ring_xy(const double *in, size_t n, double max_m, double **out, size_t *cap,
                              size_t *at, const unsigned char *chord)
{
    if (n < 2) return 0;
    struct geod_geodesic g;
    int g_ready = 0; /* set up on the first edge that needs it (over 1 km) */
    double cos_lat = ring_cos_lat(in, n);
    size_t used = 0;
    double *xy = *out;
    if (*cap < n + 1) {
        size_t c = 2 * n;
        double *p = realloc(xy, 2 * c * sizeof *p);
        if (!p) return 0;
        xy = *out = p, *cap = c;
    }
    edge e = {0}, prev = {0};
    pending wait;
    wait.n = 0;
    for (size_t i = 0; i + 1 < n; i++, prev = e) {
        double x0 = in[2 * i], y0 = in[2 * i + 1], x1 = in[2 * i + 2], y1 = in[2 * i + 3];
        if (!g_ready && length_bound_m(cos_lat, x0, y0, x1, y1) > GM_DENSIFY_CHORD_M) {
            geod_init(&g, GM_GRS80_A, GM_GRS80_F);
            g_ready = 1;
        }
        /* a chord's end is taken afresh by the next edge: the same bits */
        if (chord && chord[i]) e = (edge){0};
        size_t parts =
            !(chord && chord[i]) && long_edge(&g, cos_lat, x0, y0, x1, y1, max_m, &prev, &e)
                ? (size_t)ceil(e.s12 / max_m)
                : 1;
        if (used + parts + 1 > *cap) {
            size_t c = (used + parts + 1) * 2;
            double *p = realloc(xy, 2 * c * sizeof *p);
            if (!p) return 0;
            xy = *out = p, *cap = c;
        }
        if (at) at[i] = used;
        xy[2 * used] = x0, xy[2 * used + 1] = y0, used++;
        if (parts > 1 && e.exact) {
            /* geod_direct() is geod_lineinit() + geod_genposition(): set the line up
             * once per edge, with the same capabilities, and get the same points */
            struct geod_geodesicline l;
            geod_lineinit(&l, &g, y0, x0, e.a1,
                          GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_AZIMUTH | GEOD_DISTANCE_IN);
            for (size_t k = 1; k < parts; k++) {
                double lat, lon, azi;
                geod_genposition(&l, GEOD_NOFLAGS, e.s12 * (double)k / (double)parts, &lat, &lon,
                                 &azi, NULL, NULL, NULL, NULL, NULL);
                xy[2 * used] = lon, xy[2 * used + 1] = lat, used++;
            }
        } else if (parts > 1) {
            for (size_t k = 1; k < parts; k++) {
                if (wait.n == PENDING) settle(&wait, xy);
                double t = (double)k / (double)parts;
                wait.x[wait.n] = e.p0.x + t * (e.p1.x - e.p0.x);
                wait.y[wait.n] = e.p0.y + t * (e.p1.y - e.p0.y);
                wait.z[wait.n] = e.p0.z + t * (e.p1.z - e.p0.z);
                wait.at[wait.n++] = used++;
            }
        }
    }
    settle(&wait, xy);
    if (at) at[n - 1] = used;
    xy[2 * used] = in[2 * (n - 1)], xy[2 * used + 1] = in[2 * (n - 1) + 1], used++;
    return used;
}

size_t gm_densify_ring_xy_at(const double *in, size_t n, double max_m, double **out, size_t *cap,
                             size_t *at)
{
    return densify_ring_xy(in, n, max_m, out, cap, at, NULL);
}

size_t gm_densify_ring_xy_some(const double *in, size_t n, double max_m, const unsigned char *chord,
                               double **out, size_t *cap, size_t *at)
{
    return densify_ring_xy(in, n, max_m, out, cap, at, chord);
}

/* On the sphere, a great circle's image in the (lon, lat) plane, both in
 * radians, has curvature |sin φ cos φ + 2 tan φ φ'²| / (1 + φ'²)^(3/2), with
 * φ' = dφ/dλ: at most 1/2 + 0.77 tan φ. A curve of curvature at most k strays
 * from its chord of length L by at most k L² / 8, and from the chord's line by
 * at most k L / 2 times the distance to the nearer end. The bound takes k =
 * 2 (1 + tan φ) at the ring's largest |latitude| plus its longest edge -- twice the
 * sphere's, for the ellipsoid (its geodesics differ from great circles by the
 * flattening, 0.3 %) and the short edges' normal-section points (2e-8 m off
 * the geodesic: the 1e-12 degree added) -- and test_densify checks it against
 * densified edges. */
void gm_densify_ring_sags(const double *in, size_t n, double max_m, double *sag)
{
    static const double deg = 3.14159265358979323846 / 180.0;
    if (n < 2) return;
    double cos_lat = ring_cos_lat(in, n), lat = 0.0, step = 0.0;
    for (size_t i = 0; i + 1 < n; i++) { /* one k for the ring: its largest |lat| and edge */
        double dx = fabs(in[2 * i + 2] - in[2 * i]), dy = fabs(in[2 * i + 3] - in[2 * i + 1]);
        lat = fmax(lat, fabs(in[2 * i + 1])), step = fmax(step, dx + dy);
    }
    double k = 2.0 * (1.0 + tan(fmin(lat + step, 89.0) * deg));
    for (size_t i = 0; i + 1 < n; i++) {
        double x0 = in[2 * i], y0 = in[2 * i + 1], x1 = in[2 * i + 2], y1 = in[2 * i + 3];
        double dx = x1 - x0, dy = y1 - y0;
        sag[i] = length_bound_m(cos_lat, x0, y0, x1, y1) <= max_m /* no point is added */
                     ? 0.0
                     : k * (dx * dx + dy * dy) * deg / 8.0 + 1e-12;
    }
}

static GEOSGeometry *densify_ring(GEOSContextHandle_t h, const GEOSGeometry *ring, double max_m)
{
    unsigned n = 0;
    double *in = ring_xy(h, ring, &n);
    if (!in) return NULL;
    if (n < 2) {
        free(in);
        return GEOSGeom_clone_r(h, ring);
    }
    double *xy = NULL;
    size_t cap = 0, used = gm_densify_ring_xy(in, n, max_m, &xy, &cap);
    free(in);
    GEOSCoordSequence *out =
        used ? GEOSCoordSeq_copyFromBuffer_r(h, xy, (unsigned)used, 0, 0) : NULL;
    free(xy);
    return out ? GEOSGeom_createLinearRing_r(h, out) : NULL;
}

static GEOSGeometry *densify_polygon(GEOSContextHandle_t h, const GEOSGeometry *poly, double max_m)
{
    int nh = GEOSGetNumInteriorRings_r(h, poly);
    GEOSGeometry *shell = densify_ring(h, GEOSGetExteriorRing_r(h, poly), max_m);
    GEOSGeometry **holes = calloc(nh > 0 ? (size_t)nh : 1, sizeof *holes);
    int ok = shell && holes;
    for (int i = 0; ok && i < nh; i++)
        ok = (holes[i] = densify_ring(h, GEOSGetInteriorRingN_r(h, poly, i), max_m)) != NULL;
    GEOSGeometry *out = ok ? GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nh) : NULL;
    if (!out) {
        if (shell) GEOSGeom_destroy_r(h, shell);
        for (int i = 0; holes && i < nh; i++)
            if (holes[i]) GEOSGeom_destroy_r(h, holes[i]);
    }
    free(holes);
    return out;
}

GEOSGeometry *gm_densify_geodesic(GEOSContextHandle_t h, const GEOSGeometry *geom, double max_m)
{
    int type = GEOSGeomTypeId_r(h, geom);
    if (type == GEOS_POLYGON) return densify_polygon(h, geom, max_m);
    if (type != GEOS_MULTIPOLYGON) return GEOSGeom_clone_r(h, geom);
    int n = GEOSGetNumGeometries_r(h, geom);
    GEOSGeometry **parts = calloc(n > 0 ? (size_t)n : 1, sizeof *parts);
    int ok = parts != NULL;
    for (int i = 0; ok && i < n; i++)
        ok = (parts[i] = densify_polygon(h, GEOSGetGeometryN_r(h, geom, i), max_m)) != NULL;
    GEOSGeometry *out =
        ok ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)n) : NULL;
    if (!out)
        for (int i = 0; parts && i < n; i++)
            if (parts[i]) GEOSGeom_destroy_r(h, parts[i]);
    free(parts);
    return out;
}

static int ring_needs(GEOSContextHandle_t h, const struct geod_geodesic *g,
                      const GEOSGeometry *ring, double max_m)
{
    unsigned n = 0;
    double *xy = ring_xy(h, ring, &n);
    if (!xy) return -1;
    double cos_lat = ring_cos_lat(xy, n);
    int needed = 0;
    edge e = {0}, prev = {0};
    for (unsigned i = 0; needed == 0 && i + 1 < n; i++, prev = e)
        needed = long_edge(g, cos_lat, xy[2 * i], xy[2 * i + 1], xy[2 * i + 2], xy[2 * i + 3],
                           max_m, &prev, &e);
    free(xy);
    return needed;
}

static int polygon_needs(GEOSContextHandle_t h, const struct geod_geodesic *g,
                         const GEOSGeometry *poly, double max_m)
{
    int needed = ring_needs(h, g, GEOSGetExteriorRing_r(h, poly), max_m);
    int nh = GEOSGetNumInteriorRings_r(h, poly);
    for (int i = 0; needed == 0 && i < nh; i++)
        needed = ring_needs(h, g, GEOSGetInteriorRingN_r(h, poly, i), max_m);
    return needed;
}

int gm_densify_needed(GEOSContextHandle_t h, const GEOSGeometry *geom, double max_m)
{
    struct geod_geodesic g;
    geod_init(&g, GM_GRS80_A, GM_GRS80_F);
    int type = GEOSGeomTypeId_r(h, geom);
    if (type == GEOS_POLYGON) return polygon_needs(h, &g, geom, max_m);
    if (type != GEOS_MULTIPOLYGON) return 0;
    int n = GEOSGetNumGeometries_r(h, geom), needed = 0;
    for (int i = 0; needed == 0 && i < n; i++)
        needed = polygon_needs(h, &g, GEOSGetGeometryN_r(h, geom, i), max_m);
    return needed;
}
