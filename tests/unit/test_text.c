/*
 * test_text.c -- the text writers (core/text.h): UTF-8 validation, JSON, CSV
 * (with the OWASP formula rule) and terminal escaping. Every expected string
 * is written out by hand from RFC 3629 / RFC 8259 / RFC 4180 and OWASP.
 */
#include "testutil.h"

#include "core/text.h"

/* What fn(f, s) wrote, as a malloc'd string. */
static char *captured(void (*fn)(FILE *, const char *), const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fn(f, s);
    fclose(f);
    return buf;
}

#define WRITES(fn, in, expected)                                                                   \
    do {                                                                                           \
        char *got_ = captured(fn, in);                                                             \
        assert_string_equal(got_, expected);                                                       \
        free(got_);                                                                                \
    } while (0)

static void test_utf8(void **state)
{
    (void)state;
    size_t at = 99;
    assert_true(gm_utf8_valid("", 0, NULL));
    assert_true(gm_utf8_valid("浏阳市 mine", strlen("浏阳市 mine"), NULL));
    assert_true(gm_utf8_valid("\xf0\x9f\x98\x80", 4, NULL)); /* U+1F600 */
    assert_false(gm_utf8_valid("ab\xff", 3, &at));
    assert_int_equal(at, 2);
    assert_false(gm_utf8_valid("\xc0\xaf", 2, &at)); /* overlong '/' */
    assert_int_equal(at, 0);
    assert_false(gm_utf8_valid("x\xed\xa0\x80", 4, &at)); /* surrogate D800 */
    assert_int_equal(at, 1);
    assert_false(gm_utf8_valid("\xf4\x90\x80\x80", 4, &at)); /* above U+10FFFF */
    assert_false(gm_utf8_valid("\xe6\xb5", 2, &at));         /* truncated 浏 */
    assert_int_equal(at, 0);
    /* GBK bytes of 浏阳 are not UTF-8 */
    assert_false(gm_utf8_valid("\xe4\xaf\xd1\xf4", 4, &at));
    assert_true(gm_text_has_controls("a\x1b[31m"));
    assert_true(gm_text_has_controls("a\xc2\x9b")); /* C1 CSI */
    assert_false(gm_text_has_controls("郴州市"));
}

static void test_json(void **state)
{
    (void)state;
    WRITES(gm_json_fputs, NULL, "null");
    WRITES(gm_json_fputs, "", "\"\"");
    WRITES(gm_json_fputs, "浏阳市", "\"浏阳市\"");
    WRITES(gm_json_fputs, "a\"b\\c", "\"a\\\"b\\\\c\"");
    WRITES(gm_json_fputs, "l1\nl2\t\x1b]0;x\x07", "\"l1\\u000al2\\u0009\\u001b]0;x\\u0007\"");
    WRITES(gm_json_fputs, "\x7f\xc2\x85", "\"\\u007f\\u0085\"");
    WRITES(gm_json_fputs, "</script><b>&", "\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\"");
    WRITES(gm_json_fputs, "\xe2\x80\xa8", "\"\\u2028\"");
    WRITES(gm_json_fputs, "x\xffy", "\"x\\ufffdy\"");
    char *q = gm_json_quote(NULL);
    assert_string_equal(q, "null");
    free(q);
    q = gm_json_quote("a\"");
    assert_string_equal(q, "\"a\\\"\"");
    free(q);
}

static void test_csv(void **state)
{
    (void)state;
    WRITES(gm_csv_fputs, NULL, "");
    WRITES(gm_csv_fputs, "", "\"\"");
    WRITES(gm_csv_fputs, "衡南县", "\"衡南县\"");
    WRITES(gm_csv_fputs, "say \"hi\", ok", "\"say \"\"hi\"\", ok\"");
    /* OWASP: a leading = + - @ tab CR makes a formula; an apostrophe defuses it */
    WRITES(gm_csv_fputs, "=HYPERLINK(\"http://x\",\"click\")",
           "\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\"");
    WRITES(gm_csv_fputs, "+1", "\"'+1\"");
    WRITES(gm_csv_fputs, "-2+3", "\"'-2+3\"");
    WRITES(gm_csv_fputs, "@SUM(A1)", "\"'@SUM(A1)\"");
    WRITES(gm_csv_fputs, "\t=1", "\"'\t=1\"");
    WRITES(gm_csv_fputs, "\r=1", "\"'\r=1\"");
    WRITES(gm_csv_fputs, "a=b", "\"a=b\""); /* only at the start */
    /* newlines stay (quoted), ESC and broken bytes become visible */
    WRITES(gm_csv_fputs, "a\nb", "\"a\nb\"");
    WRITES(gm_csv_fputs, "\x1b[31mred", "\"\\x1B[31mred\"");
    WRITES(gm_csv_fputs, "x\xff", "\"x\\xFF\"");
}

static void test_terminal(void **state)
{
    (void)state;
    WRITES(gm_term_fputs, NULL, "");
    WRITES(gm_term_fputs, "郴州市 zone", "郴州市 zone");
    WRITES(gm_term_fputs, "\x1b[31mred\x1b]0;pwned\x07", "\\x1B[31mred\\x1B]0;pwned\\x07");
    WRITES(gm_term_fputs, "a\tb\nc\rd", "a\\x09b\\x0Ac\\x0Dd");
    WRITES(gm_term_fputs,
           "\xc2\x9b"
           "2J",
           "\\u009B2J"); /* C1 CSI */
    WRITES(gm_term_fputs,
           "abc\xe2\x80\xae"
           "fdp.exe",
           "abc\\u202Efdp.exe"); /* RLO */
    WRITES(gm_term_fputs, "\xe4\xaf", "\\xE4\\xAF");
    char *e = gm_term_escape("\x1b");
    assert_string_equal(e, "\\x1B");
    free(e);
    assert_int_equal(gm_term_width("浏阳市"), 6);
    assert_int_equal(gm_term_width("ab"), 2);
    assert_int_equal(gm_term_width("\x1b[1m"), 7); /* \x1B[1m */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
