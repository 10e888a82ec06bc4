/*
 * test_pool.c -- the worker pool runs every item of a loop exactly once,
 * whatever the thread count, and reports a failing task's message.
 */
#include "testutil.h"

#include "core/pool.h"

#include <stdatomic.h>

static int count_task(gm_worker *w, size_t i, void *user)
{
    (void)w;
    atomic_fetch_add(&((atomic_int *)user)[i], 1);
    return GM_OK;
}

static void test_every_item_exactly_once(void **state)
{
    (void)state;
    gm_context *ctx;
    assert_int_equal(gm_context_new(&ctx), GM_OK);
    const size_t n = 500000;
    for (int t = 1; t <= 8; t *= 2) {
        gm_context_set_threads(ctx, t);
        gm_pool *pool;
        assert_int_equal(gm_pool_new(ctx, &pool), GM_OK);
        atomic_int *hit = calloc(n, sizeof *hit);
        assert_int_equal(gm_pool_run(pool, "count", n, count_task, hit), GM_OK);
        size_t wrong = 0;
        for (size_t i = 0; i < n; i++)
            wrong += hit[i] != 1;
        if (wrong) fail_msg("%d threads: %zu items not run exactly once", t, wrong);
        free(hit);
        gm_pool_free(pool);
    }
    gm_context_free(ctx);
}

static int failing_task(gm_worker *w, size_t i, void *user)
{
    (void)user;
    return i == 77 ? gm_worker_error(w, GM_ERR_GEOMETRY, "item %zu is bad", i) : GM_OK;
}

static void test_failure_is_reported(void **state)
{
    (void)state;
    gm_context *ctx;
    assert_int_equal(gm_context_new(&ctx), GM_OK);
    gm_context_set_threads(ctx, 3);
    gm_pool *pool;
    assert_int_equal(gm_pool_new(ctx, &pool), GM_OK);
    assert_int_equal(gm_pool_run(pool, "fail", 1000, failing_task, NULL), GM_ERR_GEOMETRY);
    assert_string_equal(gm_context_errmsg(ctx), "item 77 is bad");
    gm_pool_free(pool);
    gm_context_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_item_exactly_once),
        cmocka_unit_test(test_failure_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
