/*
 * testreg.h -- a fresh SpatiaLite registry per test program (the registry's
 * unit tests): setup() opens ctx and reg on a new file named after the
 * program (TESTREG_NAME) in GM_TEST_TMP, teardown() closes both and removes it.
 */
#ifndef GM_TESTREG_H
#define GM_TESTREG_H

#include "registry/registry_impl.h"

#include <stdio.h>
#include <unistd.h>

static gm_context *ctx;
static gm_registry *reg;
static char path[512];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "%s/test_" TESTREG_NAME "_%d.sqlite", GM_TEST_TMP, (int)getpid());
    unlink(path);
    if (gm_context_new(&ctx) != GM_OK) return -1;
    return gm_registry_open(ctx, path, 0, &reg) == GM_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    gm_registry_close(reg);
    gm_context_free(ctx);
    unlink(path);
    return 0;
}

#endif
