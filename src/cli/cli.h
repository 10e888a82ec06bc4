/*
 * cli.h -- the command-line front end: shared helpers of the commands.
 * The CLI only parses options, calls libgreenmine and prints; it never
 * computes anything itself.
 */
#ifndef GM_CLI_H
#define GM_CLI_H

#include <greenmine/greenmine.h>
#include <stdio.h>

/* Exit codes */
#define GM_EXIT_OK 0
#define GM_EXIT_FAILURE 1 /* our fault or the machine's */
#define GM_EXIT_BAD_INPUT 2

typedef struct gm_cli {
    int quiet;
    int progress;         /* draw a progress bar (stderr is a TTY and not quiet) */
    char open_stage[64];  /* the stage whose bar line is open */
    size_t kill_after;    /* test builds only (GM_TEST_HOOKS): SIGKILL after this many
                             parcels are ingested, or events / licences imported */
    int slow_ms;          /* test builds only: sleep this long per imported record */
    int timings;          /* GREENMINE_TIMINGS=1: each stage's wall and CPU time on stderr */
    char timed_stage[64]; /* the stage being timed, since when (CLOCK_MONOTONIC) and the CPU then */
    double timed_since, timed_cpu;
} gm_cli;

/* Installs log and progress callbacks on ctx according to cli. */
void gm_cli_attach(gm_cli *cli, gm_context *ctx);
/* Ends a progress line if one is open (and the stage being timed). */
void gm_cli_progress_done(gm_cli *cli);

/* SIGINT, SIGTERM and SIGHUP stop the work on ctx (gm_context_abort: the
 * run's temporary files are removed, nothing is put in place) and end the
 * process with 128 + the signal's number. Call before the work starts any
 * thread; NULL restores the signals' defaults. */
void gm_cli_stop_on_signals(gm_context *ctx);
/* The processors online: the default of --threads. */
int gm_cli_cores(void);

/* Prints "greenmine: error: MSG" and returns the exit code for status. */
int gm_cli_fail(gm_cli *cli, gm_context *ctx, int status);
/* For option errors: prints the message and a hint, returns GM_EXIT_BAD_INPUT. */
int gm_cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* For commands that read a registry: -1 when `db` names one that exists (or a
 * PG: connection), else the usage error's exit code. */
int gm_cli_check_registry(const char *command, const char *db);

/* Prints s padded with spaces to `width` terminal columns (CJK counts two). */
void gm_cli_print_padded(FILE *out, const char *s, int width);

int gm_cmd_analyze(int argc, char **argv);
int gm_cmd_demo(int argc, char **argv);
int gm_cmd_check(int argc, char **argv);
int gm_cmd_ingest(int argc, char **argv);
int gm_cmd_progress(int argc, char **argv);
int gm_cmd_report(int argc, char **argv);
int gm_cmd_yearly(int argc, char **argv);
int gm_cmd_list(int argc, char **argv);
int gm_cmd_serve(int argc, char **argv);
/* cmd_events.c: the management records (docs/management.md) */
int gm_cmd_events(int argc, char **argv);
int gm_cmd_licences(int argc, char **argv);
int gm_cmd_status(int argc, char **argv);
int gm_cmd_thresholds(int argc, char **argv);
int gm_cmd_draw(int argc, char **argv);
int gm_cmd_draws(int argc, char **argv);
int gm_cmd_users(int argc, char **argv);

#endif
