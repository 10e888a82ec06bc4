/*
 * greenmine/greenmine.h -- the whole public API of libgreenmine.
 *
 * The usual flow (see docs/architecture.md):
 *   gm_context_new -> gm_inputs_new -> gm_load_layer x4 -> gm_analyze
 *   -> gm_write_gpkg -> gm_results_free, gm_inputs_free, gm_context_free
 */
#ifndef GREENMINE_H
#define GREENMINE_H

#include <greenmine/context.h>
#include <greenmine/area.h>
#include <greenmine/model.h>
#include <greenmine/load.h>
#include <greenmine/analysis.h>
#include <greenmine/output.h>
#include <greenmine/check.h>
#include <greenmine/registry.h>
#include <greenmine/report.h>

#endif
