/*
 * test_corners.c -- corner-point files (拐点坐标): the parser on each form of
 * docs/check.md and on malformed files, the zone prefix, --crs, and the
 * checks on coordinates (swapped, wrong zone, too few points, self-crossing).
 * The expected area of a 1 km square centred on a zone's central meridian is
 * 100 ha: Gauss-Kruger is true to scale there (k = 1 + (x/R)^2/2 ~ 1 + 3e-9).
 */
#include "testutil.h"

#include "core/context_impl.h"
#include "io/corners.h"

#include <greenmine/applications.h>
#include <greenmine/area.h>
#include <greenmine/check.h>

static gm_context *ctx;
static char warnings[4096];

static void on_log(void *user, gm_log_level level, const char *msg)
{
    (void)user;
    if (level != GM_LOG_WARNING) return;
    strncat(warnings, msg, sizeof warnings - strlen(warnings) - 2);
    strcat(warnings, "\n");
}

static int setup(void **state)
{
    (void)state;
    gm_context_new(&ctx);
    gm_context_set_log(ctx, on_log, NULL);
    h = ctx->geos;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    gm_context_free(ctx);
    return 0;
}

static gm_corner_file *parse_ok(const char *text)
{
    gm_corner_file *f = NULL;
    int rc = gm_corners_parse(ctx, text, "t.txt", &f);
    if (rc != GM_OK) fail_msg("parse failed: %s", gm_context_errmsg(ctx));
    return f;
}

static void parse_fails(const char *text, const char *needle)
{
    gm_corner_file *f = NULL;
    assert_int_equal(gm_corners_parse(ctx, text, "t.txt", &f), GM_ERR_GEOMETRY);
    const char *err = gm_context_errmsg(ctx);
    assert_null(f);
    if (!strstr(err, needle)) fail_msg("error '%s' lacks '%s'", err, needle);
}

static void test_zone_prefix(void **state)
{
    (void)state;
    double e;
    assert_int_equal(gm_gk_zone_prefix(37512345.67, &e), 37);
    assert_true(fabs(e - 512345.67) < 1e-6);
    assert_int_equal(gm_gk_zone_prefix(512345.67, &e), 0);
    assert_true(e == 512345.67);
    assert_int_equal(gm_gk_zone_prefix(19512345.0, &e), 19);
    assert_int_equal(gm_gk_zone_prefix(3145123.45, &e), 0); /* a northing: 7 digits */
}

/* Plain table with a title line, comma separated, closed ring. */
static void test_plain_csv(void **state)
{
    (void)state;
    gm_corner_file *f = parse_ok("\xEF\xBB\xBF点号,X坐标,Y坐标\r\n"
                                 "1,3100000.00,37500000.00\r\n"
                                 "2,3100000.00,37501000.00\r\n"
                                 "3,3101000.00,37501000.00\r\n"
                                 "4,3101000.00,37500000.00\r\n"
                                 "1,3100000.00,37500000.00\r\n");
    assert_int_equal(f->n_blocks, 1);
    assert_int_equal(f->blocks[0].n_rings, 1);
    assert_int_equal(f->blocks[0].rings[0].n, 4);
    assert_true(f->blocks[0].rings[0].closed);
    assert_int_equal(f->blocks[0].rings[0].line[0], 2);
    assert_true(f->blocks[0].rings[0].x[2] == 3101000.0);
    assert_true(f->blocks[0].rings[0].y[2] == 37501000.0);
    gm_corners_free(f);
}

/* Whitespace separated, J-numbered points, two rings (the second a hole) by
 * repeating the first point, then a second block after a "*" line. */
static void test_rings_and_blocks(void **state)
{
    (void)state;
    gm_corner_file *f = parse_ok("J1 3100000 37500000\n"
                                 "J2\t3100000\t37501000\n"
                                 "J3 3101000 37501000\n"
                                 "J4 3101000 37500000\n"
                                 "J1 3100000 37500000\n"
                                 "J5 3100400 37500400\n"
                                 "J6 3100400 37500600\n"
                                 "J7 3100600 37500600\n"
                                 "J5 3100400 37500400\n"
                                 "*,0.96,+500,+200,,1\n"
                                 "1,3102000,37500000\n"
                                 "2,3102000,37500500\n"
                                 "3,3102500,37500500\n"
                                 "*,0.25,+500,+200,,2\n");
    assert_int_equal(f->n_blocks, 2);
    assert_int_equal(f->blocks[0].n_rings, 2);
    assert_int_equal(f->blocks[0].rings[1].n, 3);
    assert_int_equal(f->blocks[1].n_rings, 1);
    assert_false(f->blocks[1].rings[0].closed); /* left open: closed later, with a warning */
    gm_corners_free(f);
}

/* The land-survey exchange form: [属性描述] keys, "@" block headers, 圈号. */
static void test_exchange_format(void **state)
{
    (void)state;
    gm_corner_file *f = parse_ok("[属性描述]\n"
                                 "坐标系=2000国家大地坐标系\n"
                                 "几度分带=3\n"
                                 "带号=38\n"
                                 "[地块坐标]\n"
                                 "9,1.23,1,东矿段,面,,,,@\n"
                                 "J1,1,3100000,500000\n"
                                 "J2,1,3100000,501000\n"
                                 "J3,1,3101000,501000\n"
                                 "J4,1,3101000,500000\n"
                                 "J1,1,3100000,500000\n"
                                 "J5,2,3100400,500400\n"
                                 "J6,2,3100400,500600\n"
                                 "J7,2,3100600,500600\n"
                                 "J5,2,3100400,500400\n"
                                 "4,0.1,2,西矿段,面,,,,@\n"
                                 "J1,1,3102000,500000\n"
                                 "J2,1,3102000,500500\n"
                                 "J3,1,3102500,500500\n"
                                 "J1,1,3102000,500000\n");
    assert_int_equal(f->zone, 38);
    assert_int_equal(f->zone_width, 3);
    assert_string_equal(f->crs_name, "2000国家大地坐标系");
    assert_int_equal(f->n_blocks, 2);
    assert_string_equal(f->blocks[0].name, "东矿段");
    assert_string_equal(f->blocks[1].name, "西矿段");
    assert_int_equal(f->blocks[0].n_rings, 2);
    gm_corners_free(f);
}

static void test_malformed(void **state)
{
    (void)state;
    parse_fails("1,3100000,37500000\n2,3100000\n3,3101000,37501000\n",
                "line 2: missing coordinate");
    parse_fails("1,3100000,37500000\n2,3100000,\n", "line 2: missing coordinate");
    parse_fails("1,3100000,37500000\n2,31OOOOO,37501000\n", "line 2: '31OOOOO' is not a number");
    parse_fails("1 3100000 37500000\n2 3100000 3750x000\n", "line 2: '3750x000' is not a number");
    parse_fails("1,2,3,4,5\n", "line 1: 5 columns");
    parse_fails("点号,X,Y\n", "no corner points");
}

/* ---- whole files through gm_applications_add ----------------------------- */

static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", GM_TEST_TMP, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

/* A 1 km square centred on zone 37's central meridian (111E), ~28N. */
#define SQUARE37                                                                                   \
    "1,3100000.00,37499500.00\n2,3100000.00,37500500.00\n3,3101000.00,37500500.00\n"               \
    "4,3101000.00,37499500.00\n"

static int add(const char *name, const char *text, const char *crs, gm_applications **apps)
{
    gm_application_options o = {.crs = crs};
    gm_applications_new(apps);
    warnings[0] = '\0';
    return gm_applications_add(ctx, *apps, write_file(name, text), &o);
}

static void test_file_prefix_area(void **state)
{
    (void)state;
    gm_applications *apps;
    assert_int_equal(add("sq37.txt", SQUARE37 "1,3100000.00,37499500.00\n", NULL, &apps), GM_OK);
    assert_int_equal(apps->n, 1);
    assert_string_equal(apps->items[0].id, "sq37");
    assert_rel(gm_geodesic_area_ha(h, apps->items[0].geom), 100.0, 1e-6);
    double x0;
    GEOSGeom_getXMin_r(h, apps->items[0].geom, &x0);
    assert_true(fabs(x0 - (111 - 500 / 98300.0)) < 1e-3); /* 500 m west of 111E */
    assert_string_equal(warnings, "");
    gm_applications_free(ctx, apps);
}

static void test_file_unclosed_warns(void **state)
{
    (void)state;
    gm_applications *apps;
    assert_int_equal(add("open.csv", SQUARE37, NULL, &apps), GM_OK);
    assert_non_null(strstr(warnings, "lines 1-4: ring not closed"));
    assert_rel(gm_geodesic_area_ha(h, apps->items[0].geom), 100.0, 1e-6);
    gm_applications_free(ctx, apps);
}

/* No prefix: --crs EPSG:4546 (CGCS2000 3-degree CM 111E, no prefix) or 带号. */
static void test_file_crs(void **state)
{
    (void)state;
    const char *plain = "1,3100000,499500\n2,3100000,500500\n3,3101000,500500\n4,3101000,499500\n";
    gm_applications *apps;
    assert_int_equal(add("plain.txt", plain, NULL, &apps), GM_ERR_CRS);
    assert_non_null(strstr(gm_context_errmsg(ctx), "give --crs"));
    gm_applications_free(ctx, apps);
    assert_int_equal(add("plain.txt", plain, "EPSG:4546", &apps), GM_OK);
    assert_rel(gm_geodesic_area_ha(h, apps->items[0].geom), 100.0, 1e-6);
    gm_applications_free(ctx, apps);
    char with_zone[512];
    snprintf(with_zone, sizeof with_zone, "带号=37\n%s", plain);
    assert_int_equal(add("zoned.txt", with_zone, NULL, &apps), GM_OK);
    assert_rel(gm_geodesic_area_ha(h, apps->items[0].geom), 100.0, 1e-6);
    gm_applications_free(ctx, apps);
}

static void test_file_bad_coordinates(void **state)
{
    (void)state;
    gm_applications *apps;
    /* X and Y swapped */
    assert_int_equal(add("swap.txt", "1,37499500,3100000\n2,37500500,3100000\n3,37500500,3101000\n",
                         NULL, &apps),
                     GM_ERR_GEOMETRY);
    assert_non_null(strstr(gm_context_errmsg(ctx), "line 1"));
    assert_non_null(strstr(gm_context_errmsg(ctx), "swapped"));
    gm_applications_free(ctx, apps);
    /* without prefix, swapped */
    assert_int_equal(add("swap2.txt", "1,499500,3100000\n2,500500,3100000\n3,500500,3101000\n",
                         "EPSG:4545", &apps),
                     GM_ERR_GEOMETRY);
    assert_non_null(strstr(gm_context_errmsg(ctx), "swapped"));
    gm_applications_free(ctx, apps);
    /* an easting 400 km off the central meridian: not in zone 37 */
    assert_int_equal(add("zone.txt", "1,3100000,37900000\n2,3100000,37901000\n3,3101000,37901000\n",
                         NULL, &apps),
                     GM_ERR_GEOMETRY);
    assert_non_null(strstr(gm_context_errmsg(ctx), "line 1"));
    assert_non_null(strstr(gm_context_errmsg(ctx), "outside EPSG:4525"));
    gm_applications_free(ctx, apps);
    /* a zone that is no Gauss-Kruger zone */
    assert_int_equal(add("zone99.txt",
                         "1,3100000,99500000\n2,3100000,99501000\n3,3101000,99501000\n", NULL,
                         &apps),
                     GM_ERR_GEOMETRY);
    assert_non_null(strstr(gm_context_errmsg(ctx), "zone 99"));
    gm_applications_free(ctx, apps);
    /* mixed zones */
    assert_int_equal(add("mixed.txt",
                         "1,3100000,37500000\n2,3100000,38501000\n3,3101000,37501000\n", NULL,
                         &apps),
                     GM_ERR_GEOMETRY);
    assert_non_null(strstr(gm_context_errmsg(ctx), "line 2: zone prefix 38"));
    gm_applications_free(ctx, apps);
    /* fewer than 3 points */
    assert_int_equal(add("two.txt", "1,3100000,37500000\n2,3100000,37501000\n", NULL, &apps),
                     GM_ERR_GEOMETRY);
    assert_non_null(strstr(gm_context_errmsg(ctx), "lines 1-2: a ring of 2 points"));
    gm_applications_free(ctx, apps);
    /* a non-number, through the file path too */
    assert_int_equal(add("nan.txt", "1,3100000,37500000\n2,abc,37501000\n", NULL, &apps),
                     GM_ERR_GEOMETRY);
    assert_non_null(strstr(gm_context_errmsg(ctx), "nan.txt line 2: 'abc' is not a number"));
    gm_applications_free(ctx, apps);
}

/* A bow-tie: reported where it crosses (in X/Y), evaluated after repair as
 * both lobes (MakeValid structure keeps both: 2 x 25 ha). */
static void test_file_self_intersection(void **state)
{
    (void)state;
    gm_applications *apps;
    assert_int_equal(add("bowtie.txt",
                         "1,3100000,37499500\n2,3101000,37500500\n3,3101000,37499500\n"
                         "4,3100000,37500500\n1,3100000,37499500\n",
                         NULL, &apps),
                     GM_OK);
    assert_true(apps->items[0].repaired);
    assert_non_null(
        strstr(apps->items[0].repair_note, "Self-intersection at X 3100500.00, Y 37500000.00"));
    assert_non_null(strstr(warnings, "evaluated after repair"));
    assert_rel(gm_geodesic_area_ha(h, apps->items[0].geom), 50.0, 1e-5);
    gm_applications_free(ctx, apps);
}

/* Two blocks, the first with a hole: one application, a MultiPolygon. */
static void test_file_blocks_hole(void **state)
{
    (void)state;
    gm_applications *apps;
    assert_int_equal(add("two_blocks.txt",
                         "矿区1\n" SQUARE37 "1,3100000.00,37499500.00\n"
                         "5,3100250,37499750\n6,3100250,37500250\n7,3100750,37500250\n"
                         "8,3100750,37499750\n5,3100250,37499750\n"
                         "矿区2\n1,3102000,37499500\n2,3102000,37500500\n3,3103000,37500500\n"
                         "4,3103000,37499500\n1,3102000,37499500\n",
                         NULL, &apps),
                     GM_OK);
    assert_int_equal(GEOSGetNumGeometries_r(h, apps->items[0].geom), 2);
    assert_rel(gm_geodesic_area_ha(h, apps->items[0].geom), 100.0 - 25.0 + 100.0, 1e-6);
    gm_applications_free(ctx, apps);
}

/* ---- issue 13: the forms planners receive -------------------------------- */

/* Angles by hand: 113°16′30″ = 113 + 16/60 + 30/3600 = 113.275. */
static void test_angles(void **state)
{
    (void)state;
    double d;
    const double want = 113.0 + 16.0 / 60 + 30.0 / 3600;
    assert_int_equal(gm_parse_angle(ctx, "113°16′30.000″", 0, &d), GM_OK);
    assert_true(fabs(d - want) < 1e-12);
    assert_int_equal(gm_parse_angle(ctx, "113°16'30\"", 0, &d), GM_OK);
    assert_true(fabs(d - want) < 1e-12);
    assert_int_equal(gm_parse_angle(ctx, "113度16分30秒", 0, &d), GM_OK);
    assert_true(fabs(d - want) < 1e-12);
    assert_int_equal(gm_parse_angle(ctx, "113 16 30.000", 0, &d), GM_OK);
    assert_true(fabs(d - want) < 1e-12);
    assert_int_equal(gm_parse_angle(ctx, "113.1630", GM_ANGLES_PACKED, &d), GM_OK);
    assert_true(fabs(d - want) < 1e-12);
    assert_int_equal(gm_parse_angle(ctx, "113.16305", GM_ANGLES_PACKED, &d), GM_OK);
    assert_true(fabs(d - (want + 0.5 / 3600)) < 1e-12); /* 30.5 seconds */
    assert_int_equal(gm_parse_angle(ctx, "113.1630", GM_ANGLES_DECIMAL, &d), GM_OK);
    assert_true(d == 113.1630);
    assert_int_equal(gm_parse_angle(ctx, "113.7530", GM_ANGLES_PACKED, &d), GM_ERR_GEOMETRY);
    assert_non_null(strstr(gm_context_errmsg(ctx), "75 minutes"));
    assert_int_equal(gm_parse_angle(ctx, "28°61′00″", 0, &d), GM_ERR_GEOMETRY);
    assert_string_equal(gm_context_errmsg(ctx), "'28°61′00″': minutes 61 is not below 60");
    assert_int_equal(gm_parse_angle(ctx, "28.5°10′", 0, &d), GM_ERR_GEOMETRY); /* decimals early */
    assert_string_equal(gm_context_errmsg(ctx),
                        "'28.5°10′': only the last of degrees, minutes, seconds may have decimals");
    assert_int_equal(gm_parse_angle(ctx, "abc", 0, &d), GM_ERR_GEOMETRY);
    assert_string_equal(gm_context_errmsg(ctx), "'abc' is not a number");
    assert_int_equal(gm_parse_angle(ctx, "28°16′′", 0, &d), GM_ERR_GEOMETRY);
    assert_string_equal(gm_context_errmsg(ctx), "'28°16′′': seconds without minutes");
}

/* GBK bytes of "带号=38\n" (B4 F8 BA C5), read without being told. */
static void test_decode(void **state)
{
    (void)state;
    char *out = NULL, used[32];
    const char gbk[] = "\xB4\xF8\xBA\xC5=38\n";
    assert_int_equal(
        gm_corners_decode(ctx, gbk, strlen(gbk), NULL, "t.txt", used, sizeof used, &out), GM_OK);
    assert_string_equal(out, "带号=38\n");
    assert_string_equal(used, "GB18030");
    free(out);
    const char utf8[] = "\xEF\xBB\xBF带号=38\n";
    assert_int_equal(
        gm_corners_decode(ctx, utf8, strlen(utf8), "GBK", "t.txt", used, sizeof used, &out), GM_OK);
    assert_string_equal(used, "UTF-8"); /* the BOM wins over --encoding */
    free(out);
    const char bad[] = "1,2\n\xFF\xFF\xFF\n"; /* no GB18030 either */
    assert_int_equal(
        gm_corners_decode(ctx, bad, strlen(bad), NULL, "t.txt", used, sizeof used, &out),
        GM_ERR_OPEN);
    assert_non_null(strstr(gm_context_errmsg(ctx), "t.txt line 2"));
    const char le[] = "\xFF\xFE"
                      "1\0,\0002\0\n\0"; /* UTF-16LE with BOM */
    assert_int_equal(
        gm_corners_decode(ctx, le, sizeof le - 1, NULL, "t.txt", used, sizeof used, &out), GM_OK);
    assert_string_equal(out, "1,2\n");
    free(out);
}

/* "1、X ,Y", full-width digits, closing by the point number alone. */
static void test_notice_forms(void **state)
{
    (void)state;
    gm_corner_file *f = parse_ok("1、3100000.00 ,37500000.00\n"
                                 "2、3100000.00 ,37501000.00\n"
                                 "3、３１０１０００．００ ,37501000.00\n"
                                 "4、3101000.00 37500000.00\n"
                                 "1\n");
    assert_int_equal(f->n_blocks, 1);
    assert_int_equal(f->blocks[0].rings[0].n, 4);
    assert_true(f->blocks[0].rings[0].closed);
    assert_true(f->blocks[0].rings[0].x[2] == 3101000.0);
    assert_int_equal(f->blocks[0].point_lines, 5);
    gm_corners_free(f);
    parse_fails("1,3100000,37500000\n2,3100000,37501000\n3,3101000,37501000\n"
                "1,3100000.4,37500000\n",
                "line 4: point 1 repeats line 1's point 1 but not its coordinates");
}

/* Two columns: down the left then the right (1-3 | 4-6), or across rows. */
static void test_two_columns(void **state)
{
    (void)state;
    gm_corner_file *f = parse_ok("拐点 X Y | 拐点 X Y\n"
                                 "1 3100000 37500000 | 4 3101000 37501000\n"
                                 "2 3100000 37501000 | 5 3101000 37500000\n"
                                 "3 3100500 37501500\n");
    gm_corner_ring *r = &f->blocks[0].rings[0];
    assert_int_equal(r->n, 5);
    assert_true(r->y[2] == 37501500 && r->x[3] == 3101000 && r->y[3] == 37501000);
    assert_int_equal(r->line[2], 4);
    assert_int_equal(r->line[3], 2);
    gm_corners_free(f);
    f = parse_ok("1,3100000,37500000,2,3100000,37501000\n"
                 "3,3101000,37501000,4,3101000,37500000\n");
    r = &f->blocks[0].rings[0];
    assert_true(r->x[1] == 3100000 && r->y[1] == 37501000 && r->x[2] == 3101000);
    gm_corners_free(f);
    parse_fails("1 3100000 37500000 9 3101000 37501000\n2 3100000 37501000 4 3101000 37500000\n",
                "line 1: a two-column table");
}

/* Latitude/longitude: the forms, and the ddd.mmss rule. */
static void test_degrees(void **state)
{
    (void)state;
    gm_corner_file *f = parse_ok("1 28°14′30″ 113°33′00″\n"
                                 "2,28°14'30\",113°34'30\"\n"
                                 "3 28 15 45.5 113 34 30\n");
    assert_true(f->geographic);
    gm_corner_ring *r = &f->blocks[0].rings[0];
    assert_true(fabs(r->x[0] - (28 + 14 / 60.0 + 30 / 3600.0)) < 1e-12);
    assert_true(fabs(r->y[1] - (113 + 34 / 60.0 + 30 / 3600.0)) < 1e-12);
    assert_true(fabs(r->x[2] - (28 + 15 / 60.0 + 45.5 / 3600.0)) < 1e-12);
    gm_corners_free(f);
    /* plain numbers: stated by a key, a column title, or refused */
    f = parse_ok("坐标格式=度分秒\n1,28.1430,113.3300\n2,28.1430,113.3430\n3,28.1545,113.3430\n");
    assert_int_equal(f->angles, GM_ANGLES_PACKED);
    assert_true(fabs(f->blocks[0].rings[0].x[2] - (28 + 15 / 60.0 + 45 / 3600.0)) < 1e-12);
    gm_corners_free(f);
    f = parse_ok("点号,纬度(ddd.mmss),经度(ddd.mmss)\n1,28.1430,113.3300\n2,28.1430,113.3430\n"
                 "3,28.1545,113.3430\n");
    assert_int_equal(f->angles, GM_ANGLES_PACKED);
    gm_corners_free(f);
    parse_fails("1,28.1430,113.3300\n2,28.1430,113.3430\n3,28.1545,113.3430\n",
                "line 1: '28.1430' may be decimal degrees (28.143000) or ddd.mmss");
    /* 28.2417 cannot be ddd.mmss (24 minutes 17 seconds is fine, but 113.5583: 58 minutes 83
     * seconds is not): decimal degrees, said so */
    f = parse_ok("1,28.2417,113.5583\n2,28.2417,113.5750\n3,28.2550,113.5750\n");
    assert_int_equal(f->angles, GM_ANGLES_DECIMAL);
    assert_non_null(strstr(f->angles_why, "line 1: '113.5583' cannot be ddd.mmss"));
    assert_true(f->blocks[0].rings[0].y[0] == 113.5583);
    gm_corners_free(f);
    gm_corners_options o = {.angles = GM_ANGLES_DECIMAL};
    assert_int_equal(
        gm_corners_parse_opts(ctx, "坐标格式=度分秒\n1,28.1430,113.3300\n", "t.txt", &o, &f),
        GM_ERR_USAGE);
    assert_non_null(strstr(gm_context_errmsg(ctx),
                           "line 1: 坐标格式=度分秒 says ddd.mmss, but --decimal-degrees"));
    parse_fails("1,28.1430,3100000\n", "line 1: '28.1430' and '3100000': one in degrees");
}

/* The exchange header's 界址点数 and 地块面积 are kept with their rounding. */
static void test_exchange_header(void **state)
{
    (void)state;
    gm_corner_file *f = parse_ok("[属性描述]\n格式版本号=1.01\n投影类型=高斯克吕格\n带号=第38带\n"
                                 "[地块坐标]\n"
                                 "5,100.00,1,东矿段,面,,,,@\n"
                                 "J1,1,3100000,500000\nJ2,1,3100000,501000\nJ3,1,3101000,501000\n"
                                 "J4,1,3101000,500000\nJ1,1,3100000,500000\n");
    assert_int_equal(f->zone, 38);
    assert_string_equal(gm_corners_key(f, "格式版本号", NULL), "1.01");
    assert_string_equal(gm_corners_key(f, "投影类型", NULL), "高斯克吕格");
    assert_int_equal(f->blocks[0].stated_points, 5);
    assert_true(f->blocks[0].stated_area_ha == 100.0);
    assert_int_equal(f->blocks[0].area_decimals, 2);
    assert_int_equal(f->blocks[0].header_line, 6);
    assert_int_equal(f->blocks[0].point_lines, 5);
    gm_corners_free(f);
}

/* Through the file path: 界址点数 and 地块面积 checked (100 ha by hand: a 1 km
 * square in the plane); the declared Xian 1980 datum used, ballpark said. */
static void test_file_exchange_checks(void **state)
{
    (void)state;
    const char *head = "[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n带号=37\n[地块坐标]\n";
    const char *pts = "J1,1,3100000,499500\nJ2,1,3100000,500500\nJ3,1,3101000,500500\n"
                      "J4,1,3101000,499500\nJ1,1,3100000,499500\n";
    char text[1024];
    gm_applications *apps;
    snprintf(text, sizeof text, "%s5,100.0000,1,甲,面,,,,@\n%s", head, pts);
    assert_int_equal(add("ex_ok.txt", text, NULL, &apps), GM_OK);
    assert_int_equal(apps->items[0].ballpark, 0);
    assert_null(apps->items[0].datum_note);
    gm_applications_free(ctx, apps);
    snprintf(text, sizeof text, "%s6,100.0000,1,甲,面,,,,@\n%s", head, pts);
    assert_int_equal(add("ex_count.txt", text, NULL, &apps), GM_ERR_GEOMETRY);
    assert_non_null(strstr(gm_context_errmsg(ctx), "line 6: block 1 (甲): the header states "
                                                   "界址点数 6, but the block has 5"));
    gm_applications_free(ctx, apps);
    snprintf(text, sizeof text, "%s5,100.0200,1,甲,面,,,,@\n%s", head, pts);
    assert_int_equal(add("ex_area.txt", text, NULL, &apps), GM_ERR_GEOMETRY);
    assert_non_null(strstr(gm_context_errmsg(ctx), "地块面积 100.0200 ha, but its points enclose "
                                                   "100.000000 ha in the Gauss-Kruger plane"));
    gm_applications_free(ctx, apps);
    snprintf(text, sizeof text, "坐标系=1980西安坐标系\n%s", SQUARE37);
    assert_int_equal(add("x80.txt", text, NULL, &apps), GM_OK);
    assert_non_null(strstr(apps->items[0].crs, "EPSG:2361"));
    assert_int_equal(apps->items[0].ballpark, 1);
    assert_non_null(strstr(apps->items[0].operation, "Ballpark"));
    assert_non_null(strstr(warnings, "ballpark"));
    gm_applications_free(ctx, apps);
    assert_int_equal(add("x80c.txt", text, "EPSG:4525", &apps), GM_ERR_USAGE);
    assert_non_null(strstr(gm_context_errmsg(ctx), "conflicts with"));
    assert_non_null(strstr(gm_context_errmsg(ctx), "坐标系=1980西安坐标系"));
    gm_applications_free(ctx, apps);
}

static void test_text_geometry(void **state)
{
    (void)state;
    gm_applications *apps;
    gm_application_options o = {0};
    gm_applications_new(&apps);
    assert_int_equal(
        gm_applications_add(ctx, apps, "POLYGON((112 28,112.01 28,112.01 28.01,112 28.01,112 28))",
                            &o),
        GM_OK);
    assert_int_equal(gm_applications_add(ctx, apps,
                                         "{\"type\":\"Polygon\",\"coordinates\":[[[112,28],[112.01,"
                                         "28],[112.01,28.01],[112,28.01],[112,28]]]}",
                                         &o),
                     GM_OK);
    assert_int_equal(apps->n, 2);
    assert_string_equal(apps->items[1].id, "arg2");
    /* straight edges, not densified: within 1e-6 of the band */
    assert_rel(gm_geodesic_area_ha(h, apps->items[0].geom), band_area_ha(112, 28, 112.01, 28.01),
               1e-6);
    assert_int_equal(
        gm_applications_add(ctx, apps, "POLYGON((28 112,28 112.01,28.01 112.01,28 112))", &o),
        GM_ERR_GEOMETRY);
    assert_non_null(strstr(gm_context_errmsg(ctx), "outside China"));
    assert_int_equal(gm_applications_add(ctx, apps, "POLYGON((112 28, oops))", &o), GM_ERR_USAGE);
    gm_applications_free(ctx, apps);
}

/* Fuzz finding 1 (docs/robustness.md): huge whole numbers where a count
 * belongs were cast to long (undefined behaviour); now a clear refusal. */
static void test_huge_counts_refused(void **state)
{
    (void)state;
    parse_fails("1,3.9e76,3100000.0,37500000.0\n2,3.9e76,3100100.0,37500000.0\n"
                "3,3.9e76,3100100.0,37500100.0\n",
                "ring number");
    parse_fails("3000000000,12.5,J1,a,面,,,,@\n1,3100000.0,37500000.0\n", "界址点数");
    /* a two-column table's point number at LONG_MAX: its successor overflowed
     * (fuzz finding 4); now no reading order, refused */
    parse_fails("拐点 X Y | 拐点 X Y\n"
                "9223372036854775807 3100000 37500000 | 4 3101000 37501000\n"
                "2 3100000 37501000 | 5 3101000 37500000\n",
                "two-column table");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_prefix),
        cmocka_unit_test(test_plain_csv),
        cmocka_unit_test(test_rings_and_blocks),
        cmocka_unit_test(test_exchange_format),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_file_prefix_area),
        cmocka_unit_test(test_file_unclosed_warns),
        cmocka_unit_test(test_file_crs),
        cmocka_unit_test(test_file_bad_coordinates),
        cmocka_unit_test(test_file_self_intersection),
        cmocka_unit_test(test_file_blocks_hole),
        cmocka_unit_test(test_text_geometry),
        cmocka_unit_test(test_angles),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_notice_forms),
        cmocka_unit_test(test_two_columns),
        cmocka_unit_test(test_degrees),
        cmocka_unit_test(test_exchange_header),
        cmocka_unit_test(test_file_exchange_checks),
        cmocka_unit_test(test_huge_counts_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
