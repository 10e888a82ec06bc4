/*
 * fields.c -- field aliases of the contract. The table below IS the
 * contract's input table: change both together.
 */
#include "io/fields.h"

#include "core/context_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

typedef struct field_def {
    const char *canonical;
    const char *aliases[6]; /* NULL-terminated */
    int required;
} field_def;

static const field_def mine_fields[] = {
    {"mine_id", {"采矿许可证号", "许可证号", "XKZH", "KSBH", NULL}, 1},
    {"name", {"矿山名称", "KSMC", NULL}, 0},
    {"mineral", {"矿种", "开采矿种", "KZ", NULL}, 0},
    {"industry", {"行业", "HY", NULL}, 0},
    {"scale", {"规模", "生产规模", "GM", NULL}, 1},
    {"status", {"状态", "ZT", NULL}, 0},
    {"green", {"绿色矿山", "LSKS", NULL}, 0},
};
static const field_def redline_fields[] = {
    {"redline_id", {"红线编号", "HXBH", NULL}, 1},
    {"name", {"名称", "MC", NULL}, 0},
    {"category", {"类型", "类别", "LX", NULL}, 0},
};
static const field_def parcel_fields[] = {
    {"parcel_id", {"图斑编号", "TBBH", NULL}, 1}, {"kind", {"类型", "LX", NULL}, 1},
    {"status", {"状态", "ZT", NULL}, 1},          {"completed_on", {"完成日期", "WCRQ", NULL}, 1},
    {"legacy", {"历史遗留", "LSYL", NULL}, 1},
};
static const field_def zone_fields[] = {
    {"zone_id", {"编号", "BH", NULL}, 0},
    {"name", {"名称", "MC", NULL}, 1},
    {"restoration_target", {"恢复治理目标", "治理目标", "ZLMB", NULL}, 0},
    {"reclamation_target", {"复垦目标", "土地复垦目标", "FKMB", NULL}, 0},
};

static const field_def *defs(gm_layer_kind kind, size_t *n)
{
    switch (kind) {
    case GM_LAYER_MINES:
        *n = sizeof mine_fields / sizeof *mine_fields;
        return mine_fields;
    case GM_LAYER_REDLINES:
        *n = sizeof redline_fields / sizeof *redline_fields;
        return redline_fields;
    case GM_LAYER_PARCELS:
        *n = sizeof parcel_fields / sizeof *parcel_fields;
        return parcel_fields;
    case GM_LAYER_ZONES:
        *n = sizeof zone_fields / sizeof *zone_fields;
        return zone_fields;
    }
    *n = 0;
    return NULL;
}

size_t gm_fields_count(gm_layer_kind kind)
{
    size_t n;
    defs(kind, &n);
    return n;
}

const char *gm_field_canonical(gm_layer_kind kind, size_t i)
{
    size_t n;
    const field_def *d = defs(kind, &n);
    return i < n ? d[i].canonical : NULL;
}

int gm_field_name_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

static int find_name(const char *const *names, size_t n, const char *want)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && gm_field_name_equal(names[i], want)) return (int)i;
    return -1;
}

static void list_names(const char *const *names, size_t n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
        if (w < 0) break;
        used += (size_t)w;
    }
    if (n == 0) snprintf(buf, len, "none");
}

int gm_fields_resolve(gm_context *ctx, gm_layer_kind kind, const char *const *names, size_t n_names,
                      const char *const *overrides, size_t n_overrides, int *out_idx)
{
    return gm_fields_resolve_ex(ctx, kind, names, n_names, overrides, n_overrides, 0, out_idx);
}

int gm_fields_resolve_ex(gm_context *ctx, gm_layer_kind kind, const char *const *names,
                         size_t n_names, const char *const *overrides, size_t n_overrides,
                         int lenient, int *out_idx)
{
    size_t n;
    const field_def *d = defs(kind, &n);
    const char *layer = gm_layer_kind_name(kind);
    size_t layer_len = strlen(layer);
    char have[512];
    list_names(names, n_names, have, sizeof have);

    for (size_t i = 0; i < n; i++) {
        out_idx[i] = find_name(names, n_names, d[i].canonical);
        for (size_t a = 0; out_idx[i] < 0 && d[i].aliases[a]; a++)
            out_idx[i] = find_name(names, n_names, d[i].aliases[a]);
    }

    for (size_t o = 0; o < n_overrides; o++) {
        const char *spec = overrides[o];
        const char *dot = strchr(spec, '.');
        const char *eq = strchr(spec, '=');
        if (!dot || !eq || eq < dot || eq[1] == '\0') {
            return gm_error(ctx, GM_ERR_USAGE,
                            "--field %s: expected LAYER.FIELD=SOURCE, e.g. mines.mine_id=XKZH",
                            spec);
        }
        if ((size_t)(dot - spec) != layer_len || strncmp(spec, layer, layer_len) != 0) continue;
        char canonical[64];
        snprintf(canonical, sizeof canonical, "%.*s", (int)(eq - dot - 1), dot + 1);
        size_t i;
        for (i = 0; i < n; i++)
            if (strcmp(d[i].canonical, canonical) == 0) break;
        if (i == n) {
            return gm_error(ctx, GM_ERR_USAGE, "--field %s: %s has no field '%s' in the contract",
                            spec, layer, canonical);
        }
        int at = find_name(names, n_names, eq + 1);
        if (at < 0) {
            return gm_error(ctx, GM_ERR_FIELD,
                            "--field %s: the layer has no field '%s' (it has: %s)", spec, eq + 1,
                            have);
        }
        out_idx[i] = at;
    }

    for (size_t i = 0; i < n; i++) {
        if (out_idx[i] >= 0 || !d[i].required || lenient) continue;
        char aliases[128] = "";
        size_t used = 0;
        for (size_t a = 0; d[i].aliases[a] && used + 1 < sizeof aliases; a++) {
            int w = snprintf(aliases + used, sizeof aliases - used, "%s%s", a ? ", " : "",
                             d[i].aliases[a]);
            if (w > 0) used += (size_t)w;
        }
        return gm_error(ctx, GM_ERR_FIELD,
                        "required field '%s' not found (looked for %s, %s; the layer has: %s); "
                        "map it with --field %s.%s=SOURCE",
                        d[i].canonical, d[i].canonical, aliases, have, layer, d[i].canonical);
    }
    return GM_OK;
}
