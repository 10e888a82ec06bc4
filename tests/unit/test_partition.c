/*
 * test_partition.c -- zone partitions (analysis.h) on hand-made lon/lat
 * rectangles: two overlapping zones and a third apart. Each partition's mines,
 * zone row and province share are checked against closed-form band areas, and
 * the shares against the whole run, so a partition that counted an overlap
 * twice, or gave a tied mine to the wrong zone, fails.
 */
#include "testutil.h"
#include "testctx.h"

#include <greenmine/analysis.h>
#include <greenmine/area.h>
#include <greenmine/load.h>

static void mine(gm_inputs *in, const char *id, GEOSGeometry *g)
{
    gm_mine *m = GROW(in->mines, in->n_mines);
    *m = (gm_mine){.mine_id = strdup(id), .scale = GM_SCALE_SMALL, .geom = g};
}

static void done(gm_inputs *in, GEOSGeometry *g)
{
    gm_parcel *p = GROW(in->parcels, in->n_parcels);
    *p = (gm_parcel){.parcel_id = strdup("p"),
                     .kind = GM_RESTORATION,
                     .status = GM_PARCEL_COMPLETED,
                     .completed_on = 20180601,
                     .legacy = GM_FLAG_YES,
                     .geom = g};
}

static void zone(gm_inputs *in, const char *id, const char *name, GEOSGeometry *g)
{
    gm_zone *z = GROW(in->zones, in->n_zones);
    *z = (gm_zone){.zone_id = strdup(id), .name = strdup(name), .geom = g};
}

/* Zones A (x 0..20) and B (x 10..30) overlap on x 10..20; C (x 40..50) is apart.
 * B comes first in zone_id order but second in the layer: the layer decides. */
static gm_inputs *province(void)
{
    gm_inputs *in = NULL;
    assert_int_equal(gm_inputs_new(&in), GM_OK);
    zone(in, "Z2", "A", r(0, 0, 20, 10));
    zone(in, "Z1", "B", r(10, 0, 30, 10));
    zone(in, "Z3", "C", r(40, 0, 50, 10));
    mine(in, "tie", r(12, 3, 14, 5));      /* inside A and B: A, first in the layer */
    mine(in, "mostly-b", r(18, 3, 26, 5)); /* 2 units in A, 8 in B */
    mine(in, "outside", r(33, 3, 34, 4));
    mine(in, "no-geometry", NULL);
    done(in, r(5, 2, 25, 8));  /* across A, the overlap and B */
    done(in, r(32, 2, 38, 8)); /* outside every zone */
    done(in, r(42, 2, 48, 8)); /* in C */
    return in;
}

/* Runs the partition of `name` as `analyze --zone` does. */
static gm_results *partition(const char *name, gm_inputs **in_out)
{
    gm_inputs *in = province();
    gm_zone_partition p;
    gm_results *res = NULL;
    assert_int_equal(gm_zone_find(ctx, in, name, &p), GM_OK);
    assert_int_equal(gm_inputs_keep_zone_mines(ctx, in, &p), GM_OK);
    assert_int_equal(gm_inputs_clip_parcels_to_zone(ctx, in, &p), GM_OK);
    assert_int_equal(gm_inputs_keep_zone(ctx, in, &p), GM_OK);
    assert_int_equal(gm_analyze(ctx, in, NULL, &res), GM_OK);
    assert_int_equal(gm_results_zone_share(ctx, res, &p), GM_OK);
    gm_zone_partition_clear(ctx, &p);
    *in_out = in;
    return res;
}

static void test_zone_partitions_add_up(void **state)
{
    (void)state;
    static const char *names[] = {"A", "Z1", "C", "-"}; /* Z1 = B by its zone_id */
    static const char *mines[] = {"tie", "mostly-b", NULL, "outside"};
    double row[] = {ha(5, 2, 20, 8), ha(10, 2, 25, 8), ha(42, 2, 48, 8), 0};
    double share[] = {ha(5, 2, 20, 8), ha(20, 2, 25, 8), ha(42, 2, 48, 8), ha(32, 2, 38, 8)};
    double sum = 0;
    size_t n_mines = 0;
    for (int i = 0; i < 4; i++) {
        gm_inputs *in = NULL;
        gm_results *res = partition(names[i], &in);
        assert_int_equal(in->n_zones, i < 3 ? 1 : 0);
        if (i < 3) {
            assert_rel(res->zones[0].done_ha[GM_RESTORATION], row[i], 1e-9);
            assert_int_equal(res->zones[0].mines, mines[i] ? 1 : 0);
        }
        assert_rel(res->done_ha[GM_RESTORATION], share[i], 1e-9);
        if (mines[i]) assert_string_equal(in->mines[0].mine_id, mines[i]);
        n_mines += in->n_mines;
        if (i == 3) { /* the rest: the mine outside and the one without geometry */
            assert_int_equal(in->n_mines, 2);
            assert_string_equal(in->mines[1].mine_id, "no-geometry");
        } else {
            assert_int_equal(in->n_mines, mines[i] ? 1 : 0);
        }
        sum += res->done_ha[GM_RESTORATION];
        gm_results_free(ctx, res);
        gm_inputs_free(ctx, in);
    }
    assert_int_equal(n_mines, 4);
    double whole = ha(5, 2, 25, 8) + ha(32, 2, 38, 8) + ha(42, 2, 48, 8);
    assert_rel(sum, whole, 1e-9);
    /* and the whole run agrees */
    gm_inputs *in = province();
    gm_results *res = NULL;
    assert_int_equal(gm_analyze(ctx, in, NULL, &res), GM_OK);
    assert_rel(res->done_ha[GM_RESTORATION], whole, 1e-9);
    assert_int_equal(res->mines[0].zone, 0); /* the tie: A */
    assert_int_equal(res->mines[1].zone, 1);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

static void test_zone_find(void **state)
{
    (void)state;
    gm_inputs *in = province();
    gm_zone_partition p;
    assert_int_equal(gm_zone_find(ctx, in, "-", &p), GM_OK);
    assert_int_equal(p.zone, GM_ZONE_OUTSIDE);
    assert_int_equal(gm_zone_find(ctx, in, "Z3", &p), GM_OK);
    assert_int_equal(p.zone, 2);
    assert_int_equal(gm_zone_find(ctx, in, "D", &p), GM_ERR_USAGE);
    assert_non_null(strstr(gm_context_errmsg(ctx), "Z2 A, Z1 B, Z3 C"));
    zone(in, "A", "twice", r(60, 0, 61, 1)); /* a zone_id equal to another zone's name */
    assert_int_equal(gm_zone_find(ctx, in, "A", &p), GM_ERR_USAGE);
    assert_non_null(strstr(gm_context_errmsg(ctx), "2 zones"));
    double box[4];
    assert_int_equal(gm_zone_find(ctx, in, "C", &p), GM_OK);
    assert_true(gm_zone_box(ctx, in, &p, box));
    assert_rel(box[0], 112.40, 1e-12);
    assert_rel(box[2], 112.50, 1e-12);
    p.zone = GM_ZONE_OUTSIDE;
    assert_false(gm_zone_box(ctx, in, &p, box));
    gm_inputs_free(ctx, in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_partitions_add_up),
        cmocka_unit_test(test_zone_find),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
