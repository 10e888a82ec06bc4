/*
 * greenmine/greenmine.h -- the whole public API of libgreenmine.
 *
 * The usual flow (see docs/architecture.md): gm_context_new -> gm_run ->
 * gm_run_report_free -> gm_context_free. The layers below gm_run (loading,
 * gm_analyze, the writers) are public too, for programs that need a part.
 */
#ifndef GREENMINE_H
#define GREENMINE_H

#include <greenmine/context.h>
#include <greenmine/area.h>
#include <greenmine/model.h>
#include <greenmine/load.h>
#include <greenmine/analysis.h>
#include <greenmine/output.h>
#include <greenmine/progress.h>
#include <greenmine/check.h>
#include <greenmine/applications.h>
#include <greenmine/registry.h>
#include <greenmine/report.h>
#include <greenmine/run.h>

#endif
