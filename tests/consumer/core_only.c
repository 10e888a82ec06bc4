/* The installed core measures a 0.1 x 0.1 degree box at 28N: its area must be
 * the GRS 80 band's, b^2 dlon/2 [q(phi)] (computed here independently). */
#include <greenmine/area.h>
#include <greenmine/context.h>

#include <math.h>
#include <stdio.h>

static double q(double phi)
{
    const double f = 1 / 298.257222101, e2 = f * (2 - f), e = sqrt(e2);
    double s = sin(phi);
    return s / (1 - e2 * s * s) + atanh(e * s) / e;
}

int main(void)
{
    const double a = 6378137.0, f = 1 / 298.257222101, b = a * (1 - f), d = M_PI / 180;
    double band = b * b * 0.1 * d / 2 * (q(28.1 * d) - q(28.0 * d));
    GEOSContextHandle_t h = GEOS_init_r();
    /* edges along the parallels densified, so the geodesics hug them */
    char wkt[8192];
    int n = snprintf(wkt, sizeof wkt, "POLYGON((");
    for (int i = 0; i <= 100; i++)
        n += snprintf(wkt + n, sizeof wkt - (size_t)n, "%.6f 28.0,", 112.0 + i * 0.001);
    for (int i = 0; i <= 100; i++)
        n += snprintf(wkt + n, sizeof wkt - (size_t)n, "%.6f 28.1,", 112.1 - i * 0.001);
    snprintf(wkt + n, sizeof wkt - (size_t)n, "112.0 28.0))");
    GEOSWKTReader *r = GEOSWKTReader_create_r(h);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, r, wkt);
    double area = gm_geodesic_area_m2(h, g);
    printf("core: %.3f m2, band %.3f m2\n", area, band);
    GEOSGeom_destroy_r(h, g);
    GEOSWKTReader_destroy_r(h, r);
    GEOS_finish_r(h);
    return fabs(area - band) / band < 1e-9 ? 0 : 1;
}
