/*
 * test_atomic.c -- a file put in place through gm_atomic: a commit leaves the
 * target alone in its folder with the new content, a failure leaves no
 * temporary file and says GM_ERR_WRITE naming the target, an abandon removes
 * the temporary file.
 */
#include "testutil.h"

#include "core/atomic.h"
#include "core/context_impl.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static gm_context *ctx;
static char dir[512];

static int setup(void **state)
{
    (void)state;
    static int n;
    snprintf(dir, sizeof dir, "%s/atomic.%ld.%d", GM_TEST_TMP, (long)getpid(), ++n);
    mkdir(GM_TEST_TMP, 0777);
    if (mkdir(dir, 0777) != 0) return -1;
    return gm_context_new(&ctx);
}

/* Removes the folder's files (one level of subfolders) and the folder. */
static int teardown(void **state)
{
    (void)state;
    chmod(dir, 0777);
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[1024];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..") != 0)) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            if (unlink(p) != 0) rmdir(p);
        }
    if (d) closedir(d);
    rmdir(dir);
    gm_context_free(ctx);
    return 0;
}

/* The names in the folder, sorted, joined by spaces. */
static const char *listing(void)
{
    static char out[2048];
    char names[16][256];
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n < 16)
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    if (d) closedir(d);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char t[256];
                memcpy(t, names[i], sizeof t), memcpy(names[i], names[j], sizeof t),
                    memcpy(names[j], t, sizeof t);
            }
    out[0] = 0;
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "", names[i]);
    return out;
}

/* DIR/name (one at a time: a static buffer). */
static const char *in_dir(const char *name)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static const char *content(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = 0;
    return buf;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_commit_leaves_only_the_target(void **state)
{
    (void)state;
    const char *target = in_dir("out.txt");
    put(target, "old");
    gm_atomic a;
    assert_int_equal(gm_atomic_begin(ctx, target, GM_ATOMIC_OPEN | GM_ATOMIC_SYNC, "", &a), GM_OK);
    /* beside the target, hidden, and the target untouched until the commit */
    assert_int_equal(strncmp(a.tmp, dir, strlen(dir)), 0);
    assert_non_null(strstr(a.tmp, "/.out.txt."));
    assert_string_equal(content(target), "old");
    fputs("new", a.f);
    assert_int_equal(gm_atomic_commit(ctx, &a), GM_OK);
    assert_null(a.tmp);
    assert_null(a.f);
    assert_string_equal(listing(), "out.txt");
    assert_string_equal(content(target), "new");
}

static void test_two_writers_get_two_names(void **state)
{
    (void)state;
    const char *target = in_dir("out.gpkg");
    gm_atomic a, b, c;
    assert_int_equal(gm_atomic_begin(ctx, target, GM_ATOMIC_OPEN, ".gpkg", &a), GM_OK);
    assert_int_equal(gm_atomic_begin(ctx, target, GM_ATOMIC_OPEN, ".gpkg", &b), GM_OK);
    assert_string_not_equal(a.tmp, b.tmp);
    /* a name only (for a driver that creates the file): none that exists */
    assert_int_equal(gm_atomic_begin(ctx, target, 0, ".gpkg", &c), GM_OK);
    assert_null(c.f);
    assert_string_not_equal(c.tmp, a.tmp);
    assert_string_not_equal(c.tmp, b.tmp);
    assert_int_not_equal(access(c.tmp, F_OK), 0);
    const char *end = c.tmp + strlen(c.tmp) - strlen(".tmp.gpkg");
    assert_string_equal(end, ".tmp.gpkg");
    put(c.tmp, "c");
    gm_atomic_abandon(&a);
    gm_atomic_abandon(&b);
    assert_int_equal(gm_atomic_commit(ctx, &c), GM_OK);
    assert_string_equal(listing(), "out.gpkg");
    assert_string_equal(content(target), "c");
}

static void test_abandon_removes_the_temporary_file(void **state)
{
    (void)state;
    const char *target = in_dir("out.txt");
    put(target, "old");
    gm_atomic a;
    assert_int_equal(gm_atomic_begin(ctx, target, GM_ATOMIC_OPEN, "", &a), GM_OK);
    fputs("new", a.f);
    assert_int_equal(access(a.tmp, F_OK), 0);
    gm_atomic_abandon(&a);
    assert_null(a.tmp);
    gm_atomic_abandon(&a); /* twice is harmless */
    assert_string_equal(listing(), "out.txt");
    assert_string_equal(content(target), "old");
}

static void test_target_a_folder_fails_and_leaves_nothing(void **state)
{
    (void)state;
    const char *target = in_dir("out");
    char want[800];
    assert_int_equal(mkdir(target, 0777), 0);
    gm_atomic a;
    assert_int_equal(gm_atomic_begin(ctx, target, GM_ATOMIC_OPEN, "", &a), GM_OK);
    fputs("new", a.f);
    assert_int_equal(gm_atomic_commit(ctx, &a), GM_ERR_WRITE);
    assert_int_equal(gm_context_errcode(ctx), GM_ERR_WRITE);
    snprintf(want, sizeof want, "%s: cannot move the finished file into place: %s", target,
             strerror(EISDIR));
    assert_string_equal(gm_context_errmsg(ctx), want);
    assert_null(a.tmp);
    assert_string_equal(listing(), "out");
}

static void test_missing_folder_fails_at_begin(void **state)
{
    (void)state;
    const char *target = in_dir("no/out.txt");
    char want[800];
    gm_atomic a;
    assert_int_equal(gm_atomic_begin(ctx, target, GM_ATOMIC_OPEN, "", &a), GM_ERR_WRITE);
    snprintf(want, sizeof want, "%s: cannot write: %s", target, strerror(ENOENT));
    assert_string_equal(gm_context_errmsg(ctx), want);
    assert_null(a.tmp);
    assert_null(a.f);
    gm_atomic_abandon(&a);
    assert_string_equal(listing(), "");
}

static void test_folder_not_writable(void **state)
{
    (void)state;
    if (geteuid() == 0) skip(); /* root writes anyway */
    const char *target = in_dir("out.txt");
    char want[800];
    put(target, "old");
    assert_int_equal(chmod(dir, 0555), 0);
    gm_atomic a;
    assert_int_equal(gm_atomic_begin(ctx, target, GM_ATOMIC_OPEN, "", &a), GM_ERR_WRITE);
    snprintf(want, sizeof want, "%s: cannot write: %s", target, strerror(EACCES));
    assert_string_equal(gm_context_errmsg(ctx), want);
    chmod(dir, 0777);
    assert_string_equal(listing(), "out.txt");
    assert_string_equal(content(target), "old");
}

static void test_commit_all_stops_at_the_first_failure(void **state)
{
    (void)state;
    char t[3][600];
    gm_atomic a[3];
    for (int i = 0; i < 3; i++) {
        snprintf(t[i], sizeof t[i], "%s/f%d", dir, i);
        assert_int_equal(gm_atomic_begin(ctx, t[i], GM_ATOMIC_OPEN, "", &a[i]), GM_OK);
        fprintf(a[i].f, "%d", i);
    }
    assert_int_equal(mkdir(t[1], 0777), 0); /* the second cannot be replaced */
    assert_int_equal(gm_atomic_commit_all(ctx, a, 3), GM_ERR_WRITE);
    assert_non_null(strstr(gm_context_errmsg(ctx), "/f1: cannot move the finished file"));
    /* in order: the first is in place, the others' temporary files are gone */
    assert_string_equal(listing(), "f0 f1");
    assert_string_equal(content(t[0]), "0");
    for (int i = 0; i < 3; i++)
        assert_null(a[i].tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit_leaves_only_the_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_writers_get_two_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abandon_removes_the_temporary_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_a_folder_fails_and_leaves_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_missing_folder_fails_at_begin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_not_writable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_all_stops_at_the_first_failure, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
