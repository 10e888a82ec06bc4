/*
 * gpkg_rtree.c -- a GeoPackage layer's spatial index, bulk-loaded.
 *
 * GDAL fills a layer's rtree with one R*-tree insertion per feature (~10 us
 * each here: 0.15-0.25 s for the dense province's 23,000 conflict features,
 * on the writer's thread while the analysis wants both cores). Here the tree
 * is packed sort-tile-recursive -- the boxes sorted by x into vertical
 * slices, each slice by y, cut into full nodes, level by level up to the
 * root -- and its nodes written straight into SQLite's shadow tables
 * (_node, _rowid, _parent), in the format of SQLite's rtree module
 * (ext/rtree/rtree.c): a node is a 2-byte depth (the root's; 0 elsewhere),
 * a 2-byte cell count, then cells of a big-endian 64-bit id (a feature's
 * fid in a leaf, a child node's number above) and four big-endian float32
 * coordinates, min x, max x, min y, max y, each min rounded down and each
 * max up, as the module rounds them. The root is node 1; every node has the
 * size SQLite gave the empty root. SQLite's rtreecheck() accepts the result
 * (tests/unit/test_gpkg_rtree.c).
 */
#include "out/gpkg_rtree.h"

#include "core/context_impl.h"

#include <sqlite3.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CELL_BYTES 24 /* 8-byte id, 4 float32 */

typedef struct cell {
    int64_t id;
    float box[4]; /* minx, maxx, miny, maxy */
} cell;

/* The float32 at or below d / at or above d (the module's rounding keeps
 * every stored box around the true one). */
static float coord_down(double d)
{
    float f = (float)d;
    return (double)f > d ? nextafterf(f, -INFINITY) : f;
}

static float coord_up(double d)
{
    float f = (float)d;
    return (double)f < d ? nextafterf(f, INFINITY) : f;
}

static void put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static int by_x(const void *a, const void *b)
{
    const cell *x = a, *y = b;
    float cx = x->box[0] + x->box[1], cy = y->box[0] + y->box[1];
    return cx < cy ? -1 : cx > cy ? 1 : (x->id > y->id) - (x->id < y->id);
}

static int by_y(const void *a, const void *b)
{
    const cell *x = a, *y = b;
    float cx = x->box[2] + x->box[3], cy = y->box[2] + y->box[3];
    return cx < cy ? -1 : cx > cy ? 1 : (x->id > y->id) - (x->id < y->id);
}

/* One level of the tree: its cells in node order, node k holding cells
 * [start[k], start[k + 1]). */
typedef struct level {
    cell *cells;
    size_t *start, n_nodes;
} level;

/* Packs n cells (reordered in place) into nodes of at most `fan` cells:
 * ceil(sqrt(nodes)) vertical slices, each cut into nodes as even as can be. */
static int pack(level *l, cell *cells, size_t n, size_t fan)
{
    size_t nodes = (n + fan - 1) / fan;
    size_t slices = (size_t)ceil(sqrt((double)nodes));
    l->cells = cells, l->n_nodes = 0;
    if (!(l->start = malloc((nodes + slices + 1) * sizeof *l->start))) return 0;
    qsort(cells, n, sizeof *cells, by_x);
    for (size_t s = 0, at = 0; s < slices && at < n; s++) {
        size_t size = (n - at) / (slices - s) + ((n - at) % (slices - s) ? 1 : 0);
        qsort(cells + at, size, sizeof *cells, by_y);
        size_t k = (size + fan - 1) / fan; /* nodes in this slice */
        for (size_t i = 0, from = at; i < k; i++) {
            l->start[l->n_nodes++] = from;
            from += (size - (from - at)) / (k - i);
        }
        at += size;
    }
    l->start[l->n_nodes] = n;
    return 1;
}

/* The box around node k's cells. */
static void node_box(const level *l, size_t k, float box[4])
{
    box[0] = box[2] = INFINITY, box[1] = box[3] = -INFINITY;
    for (size_t i = l->start[k]; i < l->start[k + 1]; i++) {
        const float *b = l->cells[i].box;
        box[0] = fminf(box[0], b[0]), box[1] = fmaxf(box[1], b[1]);
        box[2] = fminf(box[2], b[2]), box[3] = fmaxf(box[3], b[3]);
    }
}

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* The GeoPackage's triggers (spec 1.2, F.3), as GDAL writes them. */
static int make_triggers(sqlite3 *db, const char *t, const char *c, const char *i)
{
    char *sql = sqlite3_mprintf(
        "CREATE TRIGGER \"rtree_%w_%w_insert\" AFTER INSERT ON \"%w\" WHEN (new.\"%w\" NOT "
        "NULL AND NOT ST_IsEmpty(NEW.\"%w\")) BEGIN INSERT OR REPLACE INTO \"rtree_%w_%w\" "
        "VALUES (NEW.\"%w\",ST_MinX(NEW.\"%w\"), ST_MaxX(NEW.\"%w\"),ST_MinY(NEW.\"%w\"), "
        "ST_MaxY(NEW.\"%w\")); END;"
        "CREATE TRIGGER \"rtree_%w_%w_update1\" AFTER UPDATE OF \"%w\" ON \"%w\" WHEN OLD.\"%w\" "
        "= NEW.\"%w\" AND (NEW.\"%w\" NOTNULL AND NOT ST_IsEmpty(NEW.\"%w\")) BEGIN INSERT OR "
        "REPLACE INTO \"rtree_%w_%w\" VALUES (NEW.\"%w\",ST_MinX(NEW.\"%w\"), "
        "ST_MaxX(NEW.\"%w\"),ST_MinY(NEW.\"%w\"), ST_MaxY(NEW.\"%w\")); END;"
        "CREATE TRIGGER \"rtree_%w_%w_update2\" AFTER UPDATE OF \"%w\" ON \"%w\" WHEN OLD.\"%w\" "
        "= NEW.\"%w\" AND (NEW.\"%w\" ISNULL OR ST_IsEmpty(NEW.\"%w\")) BEGIN DELETE FROM "
        "\"rtree_%w_%w\" WHERE id = OLD.\"%w\"; END;"
        "CREATE TRIGGER \"rtree_%w_%w_update3\" AFTER UPDATE ON \"%w\" WHEN OLD.\"%w\" != "
        "NEW.\"%w\" AND (NEW.\"%w\" NOTNULL AND NOT ST_IsEmpty(NEW.\"%w\")) BEGIN DELETE FROM "
        "\"rtree_%w_%w\" WHERE id = OLD.\"%w\"; INSERT OR REPLACE INTO \"rtree_%w_%w\" VALUES "
        "(NEW.\"%w\",ST_MinX(NEW.\"%w\"), ST_MaxX(NEW.\"%w\"),ST_MinY(NEW.\"%w\"), "
        "ST_MaxY(NEW.\"%w\")); END;"
        "CREATE TRIGGER \"rtree_%w_%w_update4\" AFTER UPDATE ON \"%w\" WHEN OLD.\"%w\" != "
        "NEW.\"%w\" AND (NEW.\"%w\" ISNULL OR ST_IsEmpty(NEW.\"%w\")) BEGIN DELETE FROM "
        "\"rtree_%w_%w\" WHERE id IN (OLD.\"%w\", NEW.\"%w\"); END;"
        "CREATE TRIGGER \"rtree_%w_%w_delete\" AFTER DELETE ON \"%w\" WHEN old.\"%w\" NOT NULL "
        "BEGIN DELETE FROM \"rtree_%w_%w\" WHERE id = OLD.\"%w\"; END;",
        /* insert */ t, c, t, c, c, t, c, i, c, c, c, c,
        /* update1 */ t, c, c, t, i, i, c, c, t, c, i, c, c, c, c,
        /* update2 */ t, c, c, t, i, i, c, c, t, c, i,
        /* update3 */ t, c, t, i, i, c, c, t, c, i, t, c, i, c, c, c, c,
        /* update4 */ t, c, t, i, i, c, c, t, c, i, i,
        /* delete */ t, c, t, c, t, c, i);
    int ok = sql && exec(db, sql);
    sqlite3_free(sql);
    return ok;
}

static int register_extension(sqlite3 *db, const char *t, const char *c)
{
    char *sql = sqlite3_mprintf(
        "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT,column_name TEXT,"
        "extension_name TEXT NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,"
        "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));"
        "INSERT INTO gpkg_extensions (table_name,column_name,extension_name,definition,scope) "
        "VALUES ('%q', '%q', 'gpkg_rtree_index', "
        "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');",
        t, c);
    int ok = sql && exec(db, sql);
    sqlite3_free(sql);
    return ok;
}

/* Runs the prepared two-parameter statement st once, with a and b. */
static int put_pair(sqlite3_stmt *st, int64_t a, int64_t b)
{
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    return ok;
}

/* Writes the packed levels (levels[0] the leaves, levels[n - 1] the root)
 * into the shadow tables of rtree `name`, nodes of node_size bytes. */
static int write_tree(sqlite3 *db, const char *name, const level *lv, int n_levels,
                      size_t node_size)
{
    /* node numbers: the root 1, then each level below, top down */
    size_t base[64];
    base[n_levels - 1] = 1;
    for (int k = n_levels - 2; k >= 0; k--)
        base[k] = base[k + 1] + lv[k + 1].n_nodes;
    char *q_node = sqlite3_mprintf("INSERT OR REPLACE INTO \"%w_node\" VALUES (?, ?)", name);
    char *q_rowid = sqlite3_mprintf("INSERT INTO \"%w_rowid\" (rowid, nodeno) VALUES (?, ?)", name);
    char *q_parent =
        sqlite3_mprintf("INSERT INTO \"%w_parent\" (nodeno, parentnode) VALUES (?, ?)", name);
    sqlite3_stmt *node = NULL, *rowid = NULL, *parent = NULL;
    unsigned char *blob = calloc(1, node_size);
    int ok = q_node && q_rowid && q_parent && blob &&
             sqlite3_prepare_v2(db, q_node, -1, &node, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(db, q_rowid, -1, &rowid, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(db, q_parent, -1, &parent, NULL) == SQLITE_OK;
    for (int k = 0; ok && k < n_levels; k++) {
        const level *l = &lv[k];
        for (size_t j = 0; ok && j < l->n_nodes; j++) {
            int64_t no = (int64_t)(base[k] + j);
            memset(blob, 0, node_size);
            if (k == n_levels - 1) put_be(blob, (uint64_t)(n_levels - 1), 2); /* the depth */
            put_be(blob + 2, l->start[j + 1] - l->start[j], 2);
            unsigned char *p = blob + 4;
            for (size_t i = l->start[j]; ok && i < l->start[j + 1]; i++, p += CELL_BYTES) {
                const cell *c = &l->cells[i];
                /* a child's number: its index in the level below, numbered */
                int64_t id = k == 0 ? c->id : (int64_t)base[k - 1] + c->id;
                put_be(p, (uint64_t)id, 8);
                for (int d = 0; d < 4; d++) {
                    uint32_t bits;
                    memcpy(&bits, &c->box[d], 4);
                    put_be(p + 8 + 4 * d, bits, 4);
                }
                ok = k == 0 ? put_pair(rowid, c->id, no) : put_pair(parent, id, no);
            }
            sqlite3_bind_int64(node, 1, no);
            sqlite3_bind_blob(node, 2, blob, (int)node_size, SQLITE_STATIC);
            ok = ok && sqlite3_step(node) == SQLITE_DONE;
            sqlite3_reset(node);
        }
    }
    sqlite3_finalize(node);
    sqlite3_finalize(rowid);
    sqlite3_finalize(parent);
    sqlite3_free(q_node), sqlite3_free(q_rowid), sqlite3_free(q_parent);
    free(blob);
    return ok;
}

/* The size SQLite gave the empty root: every node has it. 0 when unknown. */
static size_t node_size(sqlite3 *db, const char *name)
{
    char *q = sqlite3_mprintf("SELECT length(data) FROM \"%w_node\" WHERE nodeno = 1", name);
    sqlite3_stmt *st = NULL;
    size_t size = 0;
    if (q && sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        size = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_free(q);
    return size;
}

static int build(sqlite3 *db, const char *table, const char *column, const char *fid_column,
                 gm_rtree_entry *e, size_t n)
{
    char *name = sqlite3_mprintf("rtree_%s_%s", table, column);
    char *create = name ? sqlite3_mprintf("CREATE VIRTUAL TABLE \"%w\" USING rtree(id, minx, "
                                          "maxx, miny, maxy)",
                                          name)
                        : NULL;
    int ok = create && exec(db, create);
    sqlite3_free(create);
    size_t size = ok ? node_size(db, name) : 0, fan = size > 4 ? (size - 4) / CELL_BYTES : 0;
    ok = ok && fan >= 2;
    level lv[64] = {{0}};
    int n_levels = 0;
    cell *leaves = ok && n ? malloc(n * sizeof *leaves) : NULL;
    if (ok && n) {
        ok = leaves != NULL;
        for (size_t i = 0; ok && i < n; i++)
            leaves[i] = (cell){e[i].fid,
                               {coord_down(e[i].minx), coord_up(e[i].maxx), coord_down(e[i].miny),
                                coord_up(e[i].maxy)}};
        /* level by level up: each node a cell of the level above */
        cell *cells = leaves;
        size_t count = n;
        while (ok) {
            level *l = &lv[n_levels++];
            if (!(ok = pack(l, cells, count, fan)) || l->n_nodes == 1) break;
            count = l->n_nodes;
            if (n_levels == 64 || !(cells = malloc(count * sizeof *cells))) {
                ok = 0;
                break;
            }
            for (size_t k = 0; k < count; k++) {
                cells[k].id = (int64_t)k; /* numbered in write_tree */
                node_box(l, k, cells[k].box);
            }
        }
        ok = ok && write_tree(db, name, lv, n_levels, size);
    }
    for (int k = 0; k < 64; k++) {
        if (lv[k].cells && lv[k].cells != leaves) free(lv[k].cells);
        free(lv[k].start);
    }
    free(leaves);
    ok =
        ok && make_triggers(db, table, column, fid_column) && register_extension(db, table, column);
    sqlite3_free(name);
    return ok;
}

int gm_gpkg_rtree_build(gm_context *ctx, GDALDatasetH ds, const char *path, const char *table,
                        const char *column, const char *fid_column, gm_rtree_entry *e, size_t n)
{
    sqlite3 *db = GDALGetInternalHandle(ds, "SQLITE_HANDLE");
    if (!db)
        return gm_error(ctx, GM_ERR_WRITE, "%s: cannot index layer %s: no SQLite handle", path,
                        table);
    if (!exec(db, "SAVEPOINT gm_rtree"))
        return gm_error(ctx, GM_ERR_WRITE, "%s: cannot index layer %s: %s", path, table,
                        sqlite3_errmsg(db));
    if (build(db, table, column, fid_column, e, n) && exec(db, "RELEASE gm_rtree")) return GM_OK;
    int rc = gm_error(ctx, GM_ERR_WRITE, "%s: cannot index layer %s: %s", path, table,
                      sqlite3_errmsg(db));
    exec(db, "ROLLBACK TO gm_rtree");
    exec(db, "RELEASE gm_rtree");
    return rc;
}
