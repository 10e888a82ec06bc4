/*
 * gpkg_writer.h -- the analysis GeoPackage written while the analysis runs
 * (gm_run's, not public): its mines' layers on a thread of their own as soon
 * as the red-line conflicts are known, the rest at the end.
 *
 *   gm_gpkg_writer *w;
 *   gm_gpkg_writer_new(ctx, path, write_path, run_id, &opts, &w);
 *   opts.mines_done = gm_gpkg_writer_mines_done, opts.mines_done_user = w;
 *   rc = gm_analyze(ctx, in, &opts, &res);
 *   rc = gm_gpkg_writer_finish(w, in, rc == GM_OK ? res : NULL);
 *
 * The file is written at `write_path` and left there (the caller puts it in
 * place); `path` is the name messages use. gm_gpkg_writer_release() lets the
 * writer's thread go on to the rest at once, while the caller does other work.
 * gm_gpkg_writer_finish() releases it if that was not done and waits for it --
 * or, if the analysis never called gm_gpkg_writer_mines_done, writes the
 * whole file itself --, then frees the writer; with res NULL it only removes
 * what was written and frees the writer. Its errors are set on ctx by
 * gm_gpkg_writer_finish().
 *
 * What the writer's thread reads, and must not change under it: before the
 * release, the mines, their results and overlaps, the red lines' ids, names
 * and categories, and the zones' names; after it, also the zones and all of
 * res. (So the caller may finish res's zone figures before the release, and
 * drop the red lines' and parcels' geometries after it:
 * gm_inputs_drop_overlay_geometries.)
 */
#ifndef GM_OUT_GPKG_WRITER_H
#define GM_OUT_GPKG_WRITER_H

#include <greenmine/output.h>

typedef struct gm_gpkg_writer gm_gpkg_writer;
int gm_gpkg_writer_new(gm_context *ctx, const char *path, const char *write_path,
                       const char *run_id, const gm_analysis_options *opts, gm_gpkg_writer **out);
void gm_gpkg_writer_mines_done(void *gw, const gm_inputs *in, const gm_results *res);
void gm_gpkg_writer_release(gm_gpkg_writer *w, const gm_results *res);
int gm_gpkg_writer_finish(gm_gpkg_writer *w, const gm_inputs *in, const gm_results *res);

#endif
