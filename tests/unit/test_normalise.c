/*
 * test_normalise.c -- repair and type rules of geometry normalisation.
 */
#include "testutil.h"

#include "core/normalise.h"

#include <greenmine/area.h>

/* A bow-tie becomes its two lobes (structure method), never one (buffer(0)). */
static void test_bowtie_keeps_both_lobes(void **state)
{
    (void)state;
    GEOSGeometry *out;
    unsigned flags;
    GEOSGeometry *in = wkt(h, "POLYGON((112 28, 112.01 28.01, 112.01 28, 112 28.01, 112 28))");
    assert_int_equal(gm_normalise_polygonal(h, in, &out, &flags), 0);
    assert_true(flags & GM_NORM_REPAIRED);
    assert_non_null(out);
    assert_int_equal(GEOSGetNumGeometries_r(h, out), 2);
    assert_int_equal(GEOSisValid_r(h, out), 1);
    /* two triangles: together half the square, in planar degrees (exact) */
    double planar;
    GEOSArea_r(h, out, &planar);
    assert_rel(planar, 0.5 * 0.01 * 0.01, 1e-12);
    GEOSGeom_destroy_r(h, out);
}

/* Overlapping parts of one multipolygon are unioned, not counted twice. */
static void test_overlapping_parts_unioned(void **state)
{
    (void)state;
    GEOSGeometry *out;
    unsigned flags;
    GEOSGeometry *in = wkt(h, "MULTIPOLYGON(((0 0,2 0,2 1,0 1,0 0)),((1 0,3 0,3 1,1 1,1 0)))");
    assert_int_equal(gm_normalise_polygonal(h, in, &out, &flags), 0);
    assert_true(flags & GM_NORM_REPAIRED);
    double planar;
    GEOSArea_r(h, out, &planar);
    assert_rel(planar, 3.0, 1e-12);
    GEOSGeom_destroy_r(h, out);
}

/* Fuzz finding 5: a ring folded back along its own edge. GEOS 3.11's
 * MakeValid (structure) returned two triangles sharing the edge on lat 28 --
 * an invalid multipolygon; the repair must end valid. Hand computed: the
 * triangles (112 28, 119.01 28, 112.01 2.18) and (112 28, 112.01 28.01,
 * 119.01 28) cover 0.5 x 7.01 x 25.82 + 0.5 x 7.01 x 0.01 = 90.53415 square
 * degrees. */
static void test_repair_ends_valid(void **state)
{
    (void)state;
    GEOSGeometry *out;
    unsigned flags;
    GEOSGeometry *in = wkt(h, "POLYGON((112 28,112.01 28,112.112 28,119.01 28,112.01 28.01,112 28,"
                              "112.112 28,119.01 28,112.010 2.18,112 28))");
    assert_int_equal(gm_normalise_polygonal(h, in, &out, &flags), 0);
    assert_true(flags & GM_NORM_REPAIRED);
    assert_non_null(out);
    assert_int_equal(GEOSisValid_r(h, out), 1);
    double planar;
    GEOSArea_r(h, out, &planar);
    assert_rel(planar, 90.53415, 1e-9);
    GEOSGeom_destroy_r(h, out);
}

static void test_valid_polygon_untouched(void **state)
{
    (void)state;
    GEOSGeometry *out;
    unsigned flags;
    GEOSGeometry *in = wkt(h, "POLYGON((0 0,1 0,1 1,0 1,0 0),(0.2 0.2,0.2 0.4,0.4 0.4,0.2 0.2))");
    assert_int_equal(gm_normalise_polygonal(h, in, &out, &flags), 0);
    assert_int_equal(flags, 0);
    assert_int_equal(GEOSGetNumInteriorRings_r(h, out), 1);
    GEOSGeom_destroy_r(h, out);
}

static void test_empty_and_points(void **state)
{
    (void)state;
    GEOSGeometry *out;
    unsigned flags;
    assert_int_equal(gm_normalise_polygonal(h, wkt(h, "POLYGON EMPTY"), &out, &flags), 0);
    assert_null(out);
    assert_true(flags & GM_NORM_EMPTY);
    assert_int_equal(gm_normalise_polygonal(h, NULL, &out, &flags), 0);
    assert_true(flags & GM_NORM_EMPTY);
    assert_int_equal(gm_normalise_polygonal(h, wkt(h, "POINT(1 2)"), &out, &flags), 0);
    assert_null(out);
    assert_true(flags & GM_NORM_NOT_POLYGONAL);
    assert_int_equal(gm_normalise_polygonal(h, wkt(h, "MULTILINESTRING((0 0,1 1))"), &out, &flags),
                     0);
    assert_true(flags & GM_NORM_NOT_POLYGONAL);
}

/* A collection keeps its polygons and says it dropped the rest. */
static void test_collection_keeps_polygons(void **state)
{
    (void)state;
    GEOSGeometry *out;
    unsigned flags;
    GEOSGeometry *in =
        wkt(h, "GEOMETRYCOLLECTION(POLYGON((0 0,1 0,1 1,0 1,0 0)),LINESTRING(5 5,6 6))");
    assert_int_equal(gm_normalise_polygonal(h, in, &out, &flags), 0);
    assert_true(flags & GM_NORM_DROPPED_PARTS);
    assert_int_equal(GEOSGeomTypeId_r(h, out), GEOS_POLYGON);
    GEOSGeom_destroy_r(h, out);
}

/* A ring collapsed to a line repairs to nothing: reported empty. */
static void test_collapsed_is_empty(void **state)
{
    (void)state;
    GEOSGeometry *out;
    unsigned flags;
    GEOSGeometry *in = wkt(h, "POLYGON((0 0,1 1,2 2,0 0))");
    assert_int_equal(gm_normalise_polygonal(h, in, &out, &flags), 0);
    assert_null(out);
    assert_true(flags & GM_NORM_EMPTY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bowtie_keeps_both_lobes),
        cmocka_unit_test(test_overlapping_parts_unioned),
        cmocka_unit_test(test_repair_ends_valid),
        cmocka_unit_test(test_valid_polygon_untouched),
        cmocka_unit_test(test_empty_and_points),
        cmocka_unit_test(test_collection_keeps_polygons),
        cmocka_unit_test(test_collapsed_is_empty),
    };
    return cmocka_run_group_tests(tests, geos_setup, geos_teardown);
}
