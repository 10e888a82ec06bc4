/*
 * common.c -- what the commands share: logging and the progress bar on
 * stderr, error lines and exit codes, option checks, column padding.
 * The bar is drawn only on a terminal and never with --quiet, so scripts and
 * CI logs see plain lines.
 */
#include "cli/cli.h"

#include "core/text.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The process's CPU seconds so far, user and system, on all threads. */
static double cpu_now(void)
{
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u) != 0) return 0.0;
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* GREENMINE_TIMINGS=1: one line per stage with its wall time and the CPU it
 * took on all threads (CPU over wall: how many cores it kept busy), for
 * docs/performance.md. */
static void time_stage(gm_cli *cli, const char *stage)
{
    if (!cli->timings || strcmp(stage, cli->timed_stage) == 0) return;
    double t = now(), cpu = cpu_now();
    if (cli->timed_stage[0]) {
        long rss_kb = 0, hwm_kb = 0; /* resident memory now and at its peak (Linux) */
        char line[256];
        FILE *f = fopen("/proc/self/status", "r");
        while (f && fgets(line, sizeof line, f)) {
            sscanf(line, "VmRSS: %ld", &rss_kb);
            sscanf(line, "VmHWM: %ld", &hwm_kb);
        }
        if (f) fclose(f);
        fprintf(stderr,
                "greenmine: timing: %-24s %8.3f s  cpu %7.3f s  rss %6ld MB  peak %6ld MB\n",
                cli->timed_stage, t - cli->timed_since, cpu - cli->timed_cpu, rss_kb / 1024,
                hwm_kb / 1024);
    }
    snprintf(cli->timed_stage, sizeof cli->timed_stage, "%s", stage);
    cli->timed_since = t, cli->timed_cpu = cpu;
}

static void end_line(gm_cli *cli)
{
    if (cli->progress && cli->open_stage[0]) {
        fputc('\n', stderr);
        cli->open_stage[0] = '\0';
    }
}

void gm_cli_progress_done(gm_cli *cli)
{
    end_line(cli);
    time_stage(cli, "");
}

static void on_log(void *user, gm_log_level level, const char *message)
{
    gm_cli *cli = user;
    if (cli->quiet || level == GM_LOG_DEBUG) return;
    end_line(cli);
    /* messages quote input text: escaped, so one message stays one line */
    fprintf(stderr, "greenmine: %s", level == GM_LOG_WARNING ? "warning: " : "");
    gm_term_fputs(stderr, message);
    fputc('\n', stderr);
}

static void on_progress(void *user, const char *stage, size_t done, size_t total)
{
    gm_cli *cli = user;
#ifdef GM_TEST_HOOKS
    /* test hook (GREENMINE_TEST_KILL_AFTER): die like a crash mid-ingest */
    int importing = strncmp(stage, "import ", 7) == 0; /* events, licences */
    if (cli->kill_after > 0 && done >= cli->kill_after &&
        (strcmp(stage, "ingest parcels") == 0 || importing))
        raise(SIGKILL);
    if (cli->slow_ms > 0 && importing) { /* holds the write lock longer: the concurrency tests */
        struct timespec pause = {cli->slow_ms / 1000, (long)(cli->slow_ms % 1000) * 1000000L};
        nanosleep(&pause, NULL);
    }
#endif
    time_stage(cli, stage);
    if (!cli->progress) return;
    if (strcmp(stage, cli->open_stage) != 0) {
        end_line(cli);
        snprintf(cli->open_stage, sizeof cli->open_stage, "%s", stage);
    }
    const int width = 30;
    if (total > 0) {
        int fill = (int)((double)done / (double)total * width);
        char bar[64];
        memset(bar, '#', (size_t)fill);
        memset(bar + fill, '.', (size_t)(width - fill));
        bar[width] = '\0';
        fprintf(stderr, "\r%-24s [%s] %zu/%zu", stage, bar, done, total);
    } else {
        fprintf(stderr, "\r%-24s %zu", stage, done);
    }
    fflush(stderr);
}

void gm_cli_attach(gm_cli *cli, gm_context *ctx)
{
    cli->progress = !cli->quiet && isatty(STDERR_FILENO);
    const char *t = getenv("GREENMINE_TIMINGS");
    cli->timings = t && *t && strcmp(t, "0") != 0;
    gm_context_set_log(ctx, on_log, cli);
    gm_context_set_progress(ctx, on_progress, cli);
}

int gm_cli_fail(gm_cli *cli, gm_context *ctx, int status)
{
    gm_cli_progress_done(cli);
    fputs("greenmine: error: ", stderr);
    gm_term_fputs(stderr, gm_context_errmsg(ctx));
    fputc('\n', stderr);
    return GM_IS_INPUT_ERROR(status) ? GM_EXIT_BAD_INPUT : GM_EXIT_FAILURE;
}

int gm_cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("greenmine: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'greenmine %s --help')\n", command);
    return GM_EXIT_BAD_INPUT;
}

int gm_cli_check_registry(const char *command, const char *db)
{
    if (!db) return gm_cli_usage_error(command, "--db is required");
    if (strncasecmp(db, "PG:", 3) != 0 && access(db, R_OK) != 0)
        return gm_cli_usage_error(command, "--db %s: no such registry", db);
    return -1;
}

void gm_cli_print_padded(FILE *out, const char *s, int width)
{
    gm_term_fputs(out, s); /* names come from the data: no control sequence reaches the terminal */
    for (int cols = gm_term_width(s); cols < width; cols++)
        fputc(' ', out);
}

/* ---- signals ---------------------------------------------------------------- */

static pthread_t signal_thread;
static int signal_thread_running;

static void *wait_for_signal(void *arg)
{
    gm_context *ctx = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT), sigaddset(&set, SIGTERM), sigaddset(&set, SIGHUP);
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return NULL;
    gm_context_abort(ctx);
    fprintf(stderr, "\ngreenmine: stopped by signal %d; nothing was replaced\n", sig);
    _exit(128 + sig);
}

void gm_cli_stop_on_signals(gm_context *ctx)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT), sigaddset(&set, SIGTERM), sigaddset(&set, SIGHUP);
    if (ctx) {
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        signal_thread_running = pthread_create(&signal_thread, NULL, wait_for_signal, ctx) == 0;
        return;
    }
    if (signal_thread_running) {
        pthread_cancel(signal_thread);
        pthread_join(signal_thread, NULL);
        signal_thread_running = 0;
    }
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int gm_cli_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}
