/*
 * test_pool.c -- the worker pool runs every item of a loop exactly once,
 * whatever the thread count, in contiguous shares per worker, and reports a
 * failing task's message.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include "testutil.h"

#include "core/pool.h"

#include <stdatomic.h>
#include <time.h>

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

/* Which worker ran each item. Worker 0's first item waits until worker 1 has
 * run an item of worker 0's share -- which it can only have taken by
 * stealing -- and worker 1 waits until worker 0 has begun (else, on a loaded
 * machine, worker 1 could run both shares before worker 0 is scheduled), so
 * the test does not depend on how the threads are scheduled (a "slow" item
 * that merely sleeps would). */
typedef struct owners {
    int *by;
    size_t first_half;
    atomic_int stolen, begun;
} owners;

static void wait_for(atomic_int *flag)
{
    while (!atomic_load(flag))
        nanosleep(&(struct timespec){0, 50000}, NULL);
}

static int owner_task(gm_worker *w, size_t i, void *user)
{
    owners *o = user;
    if (w->id == 0)
        atomic_store(&o->begun, 1);
    else
        wait_for(&o->begun);
    o->by[i] = w->id;
    if (w->id == 1 && i < o->first_half) atomic_store(&o->stolen, 1);
    if (i == 0) wait_for(&o->stolen); /* worker 0 holds here; only a steal lets it go on */
    return GM_OK;
}

/* gm_pool_run gives each worker a contiguous share (callers pass items in
 * spatial order, so a worker's prepared red lines and zone windows serve its
 * next items), and a worker done early takes from the far end of the other's:
 * with two workers the run is at most four runs of one owner, and the fast
 * worker helps the slow one. Handing items out one by one from a shared
 * counter would switch owners hundreds of times. */
static void test_contiguous_shares_and_stealing(void **state)
{
    (void)state;
    gm_context *ctx;
    assert_int_equal(gm_context_new(&ctx), GM_OK);
    gm_context_set_threads(ctx, 2);
    gm_pool *pool;
    assert_int_equal(gm_pool_new(ctx, &pool), GM_OK);
    const size_t n = 1001;
    owners o = {calloc(n, sizeof *o.by), n / 2, 0, 0};
    assert_int_equal(gm_pool_run(pool, "owners", n, owner_task, &o), GM_OK);
    size_t switches = 0, helped = 0;
    for (size_t i = 0; i < n; i++) {
        switches += i > 0 && o.by[i] != o.by[i - 1];
        helped += i < n / 2 && o.by[i] == 1;
    }
    if (switches > 3) fail_msg("%zu changes of worker along the items", switches);
    if (!helped) fail_msg("the fast worker took none of the slow share");
    assert_int_equal(o.by[0], 0);
    assert_int_equal(o.by[n - 1], 1); /* worker 1's share is the second half, and it is fast */
    free(o.by);
    gm_pool_free(pool);
    gm_context_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_item_exactly_once),
        cmocka_unit_test(test_failure_is_reported),
        cmocka_unit_test(test_contiguous_shares_and_stealing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
