/*
 * run.c -- gm_run(): one whole analyze run, from the four sources to the set
 * of outputs put in place together (greenmine/run.h has the promises).
 *
 * Every output is written into a scratch folder beside the target,
 * ".greenmine-tmp.PID.RUNID", under its final name -- so the QGIS project can
 * refer to its neighbours exactly as they will be named -- and moved into
 * place file by file only once all of them are complete. rename() within one
 * folder is atomic per file; the set is switched in a few consecutive renames
 * (microseconds), rasters first and the GeoPackage last, each file carrying
 * the run's id (docs/cli.md, "One set", says what a reader can see). This is
 * the one output not put in place through a gm_atomic of its own (a set of
 * files whose project names its neighbours by their final names); each move
 * is core/atomic.h's gm_atomic_rename, so its message is the same.
 */
#define _GNU_SOURCE /* sync_file_range */
#include "core/atomic.h"
#include "core/context_impl.h"
#include "out/gpkg_writer.h"
#include "out/styles.h"

#include <greenmine/run.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define SCRATCH_PREFIX ".greenmine-tmp."

/* ---- the output folder ---------------------------------------------------- */

typedef struct run_paths {
    char dir[4096];     /* the output folder ("." when none given) */
    char base[512];     /* the GeoPackage's file name */
    char project[512];  /* the project's file name: base with .qgs */
    char scratch[4700]; /* dir/.greenmine-tmp.PID.RUNID */
} run_paths;

static int split_output(gm_context *ctx, const char *output, run_paths *p)
{
    const char *slash = strrchr(output, '/');
    const char *base = slash ? slash + 1 : output;
    if (!*base)
        return gm_error(ctx, GM_ERR_USAGE,
                        "output '%s': names a folder; give a file name such "
                        "as %sgreenmine.gpkg",
                        output, output);
    if (strlen(output) >= sizeof p->dir || strlen(base) + 5 >= sizeof p->base)
        return gm_error(ctx, GM_ERR_USAGE, "output '%s': the path is too long", output);
    if (slash == output)
        snprintf(p->dir, sizeof p->dir, "/");
    else
        snprintf(p->dir, sizeof p->dir, "%.*s", slash ? (int)(slash - output) : 1,
                 slash ? output : ".");
    snprintf(p->base, sizeof p->base, "%s", base);
    const char *dot = strrchr(base, '.');
    snprintf(p->project, sizeof p->project, "%.*s.qgs",
             dot && dot != base ? (int)(dot - base) : (int)strlen(base), base);
    return GM_OK;
}

/* mkdir -p of dir; says which component is in the way. */
static int make_folder(gm_context *ctx, const char *output, const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *q = buf + 1;; q++) {
        char c = *q;
        if (c != '/' && c != '\0') continue;
        *q = '\0';
        struct stat st;
        if (stat(buf, &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                return gm_error(ctx, GM_ERR_USAGE, "output '%s': %s is not a folder", output, buf);
        } else if (errno != ENOENT || mkdir(buf, 0777) != 0) {
            return gm_error(ctx, GM_ERR_WRITE, "output '%s': cannot create folder %s: %s", output,
                            buf, strerror(errno));
        }
        *q = c;
        if (!c) break;
    }
    return GM_OK;
}

/* The target must be nothing yet, or a regular file gm_run may replace. */
static int check_target(gm_context *ctx, const char *output, const char *path, const char *what)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) return GM_OK;
        return gm_error(ctx, GM_ERR_USAGE, "output '%s': %s %s: %s", output, what, path,
                        strerror(errno));
    }
    const char *kind = S_ISREG(st.st_mode)    ? NULL
                       : S_ISDIR(st.st_mode)  ? "a folder"
                       : S_ISLNK(st.st_mode)  ? "a symbolic link (give the file it points to)"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                                    : "not a regular file";
    if (kind)
        return gm_error(ctx, GM_ERR_USAGE, "output '%s': %s %s is %s; it is never replaced", output,
                        what, path, kind);
    return GM_OK;
}

static int check_output(gm_context *ctx, const char *output, const run_paths *p)
{
    if (!output || !*output) return gm_error(ctx, GM_ERR_USAGE, "output: the path is empty");
    /* the GeoPackage cannot take a companion's name */
    for (int k = 0; k < GM_RASTER_KINDS; k++) {
        const char *tif = gm_raster_file_name((gm_raster_kind)k);
        char qml[512];
        snprintf(qml, sizeof qml, "%.*s.qml", (int)strlen(tif) - 4, tif);
        if (strcmp(p->base, tif) == 0 || strcmp(p->base, qml) == 0 ||
            strcmp(p->base, p->project) == 0)
            return gm_error(ctx, GM_ERR_USAGE,
                            "output '%s': %s is the name of one of the files written beside the "
                            "GeoPackage; give it another name, such as greenmine.gpkg",
                            output, p->base);
    }
    int rc = make_folder(ctx, output, p->dir);
    if (rc != GM_OK) return rc;
    if (access(p->dir, W_OK | X_OK) != 0)
        return gm_error(ctx, GM_ERR_USAGE, "output '%s': folder %s is %s", output, p->dir,
                        errno == EROFS ? "on a read-only file system" : "read-only for this user");
    char path[5200];
    snprintf(path, sizeof path, "%s/%s", p->dir, p->base);
    if ((rc = check_target(ctx, output, path, "the GeoPackage")) != GM_OK) return rc;
    snprintf(path, sizeof path, "%s/%s", p->dir, p->project);
    if ((rc = check_target(ctx, output, path, "the QGIS project")) != GM_OK) return rc;
    for (int k = 0; k < GM_RASTER_KINDS; k++) {
        const char *name = gm_raster_file_name((gm_raster_kind)k);
        snprintf(path, sizeof path, "%s/%s", p->dir, name);
        if ((rc = check_target(ctx, output, path, "the raster")) != GM_OK) return rc;
        snprintf(path, sizeof path, "%s/%.*s.qml", p->dir, (int)strlen(name) - 4, name);
        if ((rc = check_target(ctx, output, path, "the raster style")) != GM_OK) return rc;
    }
    return GM_OK;
}

/* ---- scratch folders ---------------------------------------------------- */

/* Removes a scratch folder and the files in it (it holds no folders). */
static void remove_scratch(const char *scratch)
{
    DIR *d = opendir(scratch);
    if (d) {
        struct dirent *e;
        char path[5200];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                snprintf(path, sizeof path, "%s/%s", scratch, e->d_name);
                unlink(path);
            }
        closedir(d);
    }
    rmdir(scratch);
}

static void abort_hook(void *user)
{
    remove_scratch(user);
}

/* Removes the scratch folders of runs whose process is gone. */
static void remove_stale_scratch(gm_context *ctx, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)) != 0) continue;
        char *end;
        long pid = strtol(e->d_name + strlen(SCRATCH_PREFIX), &end, 10);
        if (pid <= 0 || *end != '.') continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        char path[5200];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        remove_scratch(path);
        gm_log(ctx, GM_LOG_INFO, "removed %s, left by a run that did not finish (process %ld)",
               path, pid);
    }
    closedir(d);
}

/* 16 hex digits from the kernel's random source (the clock and pid if none). */
static void make_run_id(char id[17])
{
    unsigned long long v = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &v, sizeof v) != (ssize_t)sizeof v) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        v = (unsigned long long)ts.tv_sec * 1000000007ULL ^ (unsigned long long)ts.tv_nsec ^
            ((unsigned long long)getpid() << 40);
    }
    if (fd >= 0) close(fd);
    snprintf(id, 17, "%016llx", v);
}

/* ---- loading -------------------------------------------------------------- */

/* Intersects box b with c in place; 0 when they do not meet. */
static int box_and(double b[4], const double c[4])
{
    b[0] = b[0] > c[0] ? b[0] : c[0], b[1] = b[1] > c[1] ? b[1] : c[1];
    b[2] = b[2] < c[2] ? b[2] : c[2], b[3] = b[3] < c[3] ? b[3] : c[3];
    return b[0] <= b[2] && b[1] <= b[3];
}

/* With a tile or a zone, read only what the partition needs (OGR spatial
 * filters): the mines that may lie in its zone, the red lines near its mines,
 * the parcels meeting its tile and zone; the zones in full. */
static void partition_filter(gm_context *ctx, const gm_inputs *in, const gm_run_options *o,
                             const gm_zone_partition *zp, gm_layer_kind k, gm_load_options *lo)
{
    double zb[4], b[4];
    int has_zb = o->zone && gm_zone_box(ctx, in, zp, zb);
    lo->has_bbox = 0;
    if (k == GM_LAYER_MINES && has_zb) { /* a mine's largest part is inside its zone */
        lo->has_bbox = 1;
        memcpy(lo->bbox, zb, sizeof zb);
    } else if (k == GM_LAYER_PARCELS && (o->tile || has_zb)) {
        lo->has_bbox = 1;
        if (o->tile) gm_tile_box(o->tile, lo->bbox);
        /* both: their overlap (apart, the zone's box; the clips then leave nothing) */
        if (has_zb && (!o->tile || !box_and(lo->bbox, zb))) memcpy(lo->bbox, zb, sizeof zb);
    } else if (k == GM_LAYER_REDLINES) {
        /* the box of the mines (with none: the tile's or the zone's, else all) */
        lo->has_bbox = 1;
        if (gm_inputs_mines_box(ctx, in, b))
            memcpy(lo->bbox, b, sizeof b);
        else if (o->tile)
            gm_tile_box(o->tile, lo->bbox);
        else if (has_zb)
            memcpy(lo->bbox, zb, sizeof zb);
        else
            lo->has_bbox = 0;
    }
}

/* After loading layer k: keep what the partition owns. */
static int partition_keep(gm_context *ctx, gm_inputs *in, const gm_run_options *o,
                          gm_zone_partition *zp, gm_layer_kind k)
{
    int rc = GM_OK;
    if (k == GM_LAYER_ZONES && o->zone) rc = gm_zone_find(ctx, in, o->zone, zp);
    if (k == GM_LAYER_MINES && o->tile) rc = gm_inputs_keep_tile_mines(ctx, in, o->tile);
    if (rc == GM_OK && k == GM_LAYER_MINES && o->zone) rc = gm_inputs_keep_zone_mines(ctx, in, zp);
    if (k == GM_LAYER_PARCELS && o->tile) rc = gm_inputs_clip_parcels_to_tile(ctx, in, o->tile);
    if (rc == GM_OK && k == GM_LAYER_PARCELS && o->zone)
        rc = gm_inputs_clip_parcels_to_zone(ctx, in, zp);
    return rc;
}

/* Parcels that can count toward neither kind need no geometry. */
static int can_count(const gm_parcel *p, void *user)
{
    const gm_analysis_options *o = user;
    return gm_parcel_qualifies(p, GM_RESTORATION, o) || gm_parcel_qualifies(p, GM_RECLAMATION, o);
}

static int load(gm_context *ctx, const gm_run_options *o, gm_inputs *in, gm_zone_partition *zp)
{
    gm_load_options lo = o->load;
    lo.has_bbox = 0;
    lo.lenient = 0;
    lo.keep_parcel_geometry = can_count;
    lo.keep_user = (void *)&o->analysis;
    lo.redlines_near_mines = 1; /* densified where the mines are: read them first */
    if (!o->tile && !o->zone) { /* the whole province: all layers at once, largest first */
        static const gm_layer_kind largest_first[] = {GM_LAYER_PARCELS, GM_LAYER_REDLINES,
                                                      GM_LAYER_MINES, GM_LAYER_ZONES};
        const char *src[GM_LAYER_KINDS];
        for (int i = 0; i < GM_LAYER_KINDS; i++)
            src[i] = o->source[largest_first[i]];
        return gm_load_layers(ctx, in, GM_LAYER_KINDS, largest_first, src, &lo);
    }
    /* a zone partition reads the zones first: they decide which mines and
     * parcels it owns */
    static const gm_layer_kind tile_order[] = {GM_LAYER_MINES, GM_LAYER_REDLINES, GM_LAYER_PARCELS,
                                               GM_LAYER_ZONES};
    static const gm_layer_kind zone_order[] = {GM_LAYER_ZONES, GM_LAYER_MINES, GM_LAYER_REDLINES,
                                               GM_LAYER_PARCELS};
    const gm_layer_kind *order = o->zone ? zone_order : tile_order;
    int rc = GM_OK;
    for (int i = 0; i < GM_LAYER_KINDS && rc == GM_OK; i++) {
        gm_layer_kind k = order[i];
        partition_filter(ctx, in, o, zp, k, &lo);
        rc = gm_load_layer(ctx, in, k, o->source[k], &lo);
        if (rc == GM_OK) rc = partition_keep(ctx, in, o, zp, k);
    }
    if (rc == GM_OK && o->zone) rc = gm_inputs_keep_zone(ctx, in, zp);
    return rc;
}

/* ---- the rasters' cost, before the analysis ------------------------------ */

static int check_raster_cost(gm_context *ctx, const gm_run_options *o, const run_paths *p,
                             const gm_inputs *in, gm_raster_memory *mem)
{
    gm_raster_estimate_info e;
    gm_raster_options ro = o->raster;
    ro.memory = mem; /* the projected masks, kept for the rasters */
    int rc = gm_raster_estimate(ctx, in, &ro, &e);
    if (rc != GM_OK) return rc;
    double cells = 0;
    for (int k = 0; k < GM_RASTER_KINDS; k++)
        cells += (double)e.kind[k].width * (double)e.kind[k].height;
    double cap = o->max_raster_cells > 0 ? o->max_raster_cells : GM_RUN_MAX_RASTER_CELLS;
    if (cells > cap)
        return gm_error(ctx, GM_ERR_USAGE,
                        "the rasters' grids at %g m would hold %.3g cells, more than the cap of "
                        "%.3g: choose a larger --cell, raise --max-raster-cells, or --no-rasters",
                        o->raster.cell_m, cells, cap);
    struct statvfs fs;
    double free_bytes = -1;
    if (statvfs(p->dir, &fs) == 0) free_bytes = (double)fs.f_bavail * (double)fs.f_frsize;
    /* e.bytes bounds the files with every tile that may hold data stored raw;
     * DEFLATE takes fractions far below that (the demo's two rasters: 1/145,
     * the scale-1 provinces' ~1/83). Refuse only a folder that cannot hold
     * even 1/160 of it -- a write that fails later still leaves the previous
     * set as it was. */
    double need = (double)e.bytes / 160;
    if (free_bytes >= 0 && free_bytes < need)
        return gm_error(ctx, GM_ERR_WRITE,
                        "folder %s has %.1f MB free; the rasters at %g m need about %.1f MB "
                        "(up to %.0f MB): free some space, choose a larger --cell or --no-rasters",
                        p->dir, free_bytes / 1e6, o->raster.cell_m, need / 1e6,
                        (double)e.bytes / 1e6);
    return GM_OK;
}

/* ---- putting the set in place --------------------------------------------- */

static int move(gm_context *ctx, const run_paths *p, const char *name)
{
    char from[8192], to[8192];
    snprintf(from, sizeof from, "%s/%s", p->scratch, name);
    snprintf(to, sizeof to, "%s/%s", p->dir, name);
    if (access(from, F_OK) != 0) { /* not in the new set: neither may an old one be */
        if (unlink(to) != 0 && errno != ENOENT)
            return gm_error(ctx, GM_ERR_WRITE, "%s: cannot remove the previous run's file: %s", to,
                            strerror(errno));
        return GM_OK;
    }
    return gm_atomic_rename(ctx, from, to);
}

/* Starts writing a finished output to the disk without waiting for it, so
 * that the commit's fsync, which must wait, finds it mostly written (the
 * rasters are done a second or more before the commit). */
static void start_writeback(const char *path)
{
#ifdef __linux__
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE), close(fd);
#else
    (void)path;
#endif
}

/* Data reach the disk before the names that point at them. */
static void sync_folder_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[5200];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) fsync(fd), close(fd);
    }
    closedir(d);
}

static int commit(gm_context *ctx, const run_paths *p)
{
    sync_folder_files(p->scratch);
    if (gm_context_abort_lock(ctx))
        return gm_error(ctx, GM_ERR_INTERNAL, "the run was stopped before its outputs were placed");
    int rc = GM_OK;
    /* rasters and their styles first, the project, the GeoPackage last */
    for (int k = 0; k < GM_RASTER_KINDS && rc == GM_OK; k++) {
        const char *tif = gm_raster_file_name((gm_raster_kind)k);
        char qml[512];
        snprintf(qml, sizeof qml, "%.*s.qml", (int)strlen(tif) - 4, tif);
        rc = move(ctx, p, tif);
        if (rc == GM_OK) rc = move(ctx, p, qml);
    }
    if (rc == GM_OK) rc = move(ctx, p, p->project);
    if (rc == GM_OK) rc = move(ctx, p, p->base);
    gm_context_abort_unlock(ctx);
    int fd = open(p->dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) fsync(fd), close(fd);
    return rc;
}

/* ---- the run ---------------------------------------------------------------- */

/* A message about a file in the scratch folder names it where it was going. */
static void name_final_path(gm_context *ctx, int rc, const run_paths *p)
{
    const char *msg = gm_context_errmsg(ctx), *at = strstr(msg, p->scratch);
    if (!at) return;
    char *buf = malloc(strlen(msg) + strlen(p->dir) + 1);
    if (!buf) return;
    sprintf(buf, "%.*s%s%s", (int)(at - msg), msg, p->dir, at + strlen(p->scratch));
    gm_error(ctx, rc, "%s", buf);
    free(buf);
}

static char *placed(const run_paths *p, const char *name)
{
    char path[5200];
    snprintf(path, sizeof path, "%s/%s", p->dir, name);
    return access(path, F_OK) == 0 ? gm_strdup(path) : NULL;
}

void gm_run_report_free(gm_context *ctx, gm_run_report *r)
{
    if (!r) return;
    gm_results_free(ctx, r->res);
    gm_inputs_free(ctx, r->in);
    free(r->gpkg), free(r->coverage_tif), free(r->conflict_tif), free(r->project);
    free(r);
}

int gm_run(gm_context *ctx, const gm_run_options *opts, gm_run_report **out)
{
    assert(opts && out);
    *out = NULL;
    for (int k = 0; k < GM_LAYER_KINDS; k++)
        if (!opts->source[k] || !*opts->source[k])
            return gm_error(ctx, GM_ERR_USAGE, "no %s source given",
                            gm_layer_kind_name((gm_layer_kind)k));
    if (!opts->output || !*opts->output)
        return gm_error(ctx, GM_ERR_USAGE, "output: the path is empty");
    if (!opts->no_rasters && !(opts->raster.cell_m >= 1.0 && opts->raster.cell_m <= 10000.0))
        return gm_error(ctx, GM_ERR_USAGE, "raster cell size %g m: expected 1..10000",
                        opts->raster.cell_m);
    run_paths p;
    int rc = split_output(ctx, opts->output, &p);
    if (rc == GM_OK) rc = check_output(ctx, opts->output, &p);
    if (rc != GM_OK) return rc;

    gm_run_report *r = calloc(1, sizeof *r);
    if (!r) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    make_run_id(r->run_id);
    remove_stale_scratch(ctx, p.dir);
    snprintf(p.scratch, sizeof p.scratch, "%s/" SCRATCH_PREFIX "%ld.%s", p.dir, (long)getpid(),
             r->run_id);
    /* The hook is in place before the folder exists, and the folder is made
     * under the abort lock: a signal at any moment finds either no folder or
     * the hook that removes it. */
    gm_context_set_abort_hook(ctx, abort_hook, p.scratch);
    if (gm_context_abort_lock(ctx)) {
        free(r);
        return gm_error(ctx, GM_ERR_INTERNAL, "the run was stopped before it began");
    }
    int made = mkdir(p.scratch, 0777) == 0, err = errno;
    gm_context_abort_unlock(ctx);
    if (!made) {
        gm_context_set_abort_hook(ctx, NULL, NULL);
        rc = gm_error(ctx, GM_ERR_WRITE, "%s: cannot create a temporary folder there: %s", p.dir,
                      strerror(err));
        free(r);
        return rc;
    }

    gm_zone_partition zp = {.zone = GM_ZONE_OUTSIDE};
    rc = gm_inputs_new(&r->in);
    if (rc == GM_OK) rc = load(ctx, opts, r->in, &zp);
    /* what the raster calls leave for each other: the estimate's projected
     * masks, the first raster's tile buffers */
    gm_raster_memory *rmem = opts->raster.memory;
    if (rc == GM_OK && !opts->no_rasters && !rmem && !(rmem = gm_raster_memory_new()))
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    if (rc == GM_OK && !opts->no_rasters) rc = check_raster_cost(ctx, opts, &p, r->in, rmem);

    /* with threads to spare, the GeoPackage's mine layers are written while
     * the unions run (one thread keeps to one) */
    char gpkg_now[8192];
    snprintf(gpkg_now, sizeof gpkg_now, "%s/%s", p.scratch, p.base);
    gm_gpkg_writer *gw = NULL;
    gm_analysis_options ao = opts->analysis;
    ao.mines_done = NULL, ao.mines_done_user = NULL;
    ao.keep_conflict_unions = !opts->no_rasters;
    if (rc == GM_OK &&
        (rc = gm_gpkg_writer_new(ctx, opts->output, gpkg_now, r->run_id, &ao, &gw)) == GM_OK &&
        gm_context_threads(ctx) > 1)
        ao.mines_done = gm_gpkg_writer_mines_done, ao.mines_done_user = gw;
    if (rc == GM_OK) rc = gm_analyze(ctx, r->in, &ao, &r->res);
    if (rc == GM_OK && opts->zone) rc = gm_results_zone_share(ctx, r->res, &zp);
    gm_gpkg_writer_release(gw, rc == GM_OK ? r->res : NULL);
    gm_inputs_drop_overlay_geometries(ctx, r->in); /* meanwhile: the outputs do not need them */
#ifdef __GLIBC__
    /* the dropped inputs' pages back before the rasters, whose tile-sized
     * blocks are mmapped and would not reuse them (a run without rasters does
     * not pay the trim's thousands of madvise calls); here, while the writer
     * thread finishes the GeoPackage, not after it on its own (linked with
     * jemalloc, the release build, glibc's heap is all but empty: no cost) */
    if (rc == GM_OK && !opts->no_rasters) malloc_trim(0);
#endif
    /* with threads to spare, the writer thread finishes the GeoPackage while
     * the rasters are computed: it fills the pool's idle moments (the waits
     * between tile rows, the files' writing) */
    int late = rc == GM_OK && !opts->no_rasters && gm_context_threads(ctx) > 1;
    int wrc = late ? GM_OK : gm_gpkg_writer_finish(gw, r->in, rc == GM_OK ? r->res : NULL);
    if (rc == GM_OK) rc = wrc;

    if (rc == GM_OK && !opts->no_rasters) {
        gm_raster_options ro = opts->raster;
        ro.as_of = opts->analysis.as_of;
        ro.run_id = r->run_id;
        ro.memory = rmem;
        for (int k = 0; k < GM_RASTER_KINDS && rc == GM_OK; k++) {
            const char *tif = gm_raster_file_name((gm_raster_kind)k);
            char tif_now[8192], qml_now[8192];
            snprintf(tif_now, sizeof tif_now, "%s/%s", p.scratch, tif);
            snprintf(qml_now, sizeof qml_now, "%s/%.*s.qml", p.scratch, (int)strlen(tif) - 4, tif);
            rc = gm_write_raster(ctx, (gm_raster_kind)k, tif_now, qml_now, r->in, r->res, &ro);
            if (rc == GM_OK) start_writeback(tif_now);
        }
    }
    if (late) {
        wrc = gm_gpkg_writer_finish(gw, r->in, r->res);
        if (rc == GM_OK) rc = wrc;
    }
    if (rmem != opts->raster.memory) gm_raster_memory_free(rmem);
    if (rc == GM_OK && !opts->no_rasters) start_writeback(gpkg_now);
    if (rc == GM_OK) {
        char project_now[8192];
        snprintf(project_now, sizeof project_now, "%s/%s", p.scratch, p.project);
        char tif_now[GM_RASTER_KINDS][8192];
        const char *tif_name[GM_RASTER_KINDS];
        for (int k = 0; k < GM_RASTER_KINDS; k++) {
            tif_name[k] = gm_raster_file_name((gm_raster_kind)k);
            snprintf(tif_now[k], sizeof tif_now[k], "%s/%s", p.scratch, tif_name[k]);
            if (access(tif_now[k], F_OK) != 0) tif_name[k] = NULL; /* nothing to cover */
        }
        gm_project_files pf = {.gpkg = {p.base, gpkg_now},
                               .coverage_tif = {tif_name[0], tif_now[0]},
                               .conflict_tif = {tif_name[1], tif_now[1]},
                               .run_id = r->run_id};
        rc = gm_write_qgis_project(ctx, project_now, &pf, r->in, r->res);
    }
    if (rc == GM_OK) rc = commit(ctx, &p);
    gm_context_set_abort_hook(ctx, NULL, NULL);
    remove_scratch(p.scratch);
    gm_zone_partition_clear(ctx, &zp);
    if (rc != GM_OK) {
        name_final_path(ctx, rc, &p);
        gm_run_report_free(ctx, r);
        return rc;
    }
    r->gpkg = placed(&p, p.base);
    r->project = placed(&p, p.project);
    r->coverage_tif = placed(&p, gm_raster_file_name(GM_RASTER_COVERAGE));
    r->conflict_tif = placed(&p, gm_raster_file_name(GM_RASTER_CONFLICT));
    *out = r;
    return GM_OK;
}
