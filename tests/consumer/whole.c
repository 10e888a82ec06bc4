/* The installed library, whole: a context, and gm_run refusing an empty output. */
#include <greenmine/greenmine.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    gm_context *ctx = NULL;
    if (gm_context_new(&ctx) != GM_OK) return 1;
    gm_run_options o = {.source = {"a", "b", "c", "d"}, .output = ""};
    gm_run_report *r = NULL;
    int rc = gm_run(ctx, &o, &r);
    printf("greenmine %s: gm_run -> %d (%s)\n", gm_version(), rc, gm_context_errmsg(ctx));
    int ok = rc == GM_ERR_USAGE && r == NULL && strstr(gm_context_errmsg(ctx), "empty");
    gm_context_free(ctx);
    return ok ? 0 : 1;
}
