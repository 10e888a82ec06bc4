/*
 * cmd_users.c -- `greenmine users add|remove|passwd|list`: the desk's users in
 * a registry (greenmine/users.h). A password never comes from argv (where
 * ps and the shell's history would show it): it is read from the terminal
 * with echo off (twice), from --password-file, or from the first line of
 * standard input.
 *
 * The password readers write into a buffer of the caller's, who wipes it
 * (memset) before freeing it; they keep no copy, and wipe their own. The
 * helpers return GM_OK or GM_ERR_USAGE with no message (there is no context
 * here): get_password words it, as the command's usage error.
 */
#include "cli/cli.h"

#include "core/text.h"

#include <greenmine/users.h>

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

static const char users_help[] =
    "Usage: greenmine users add NAME --role ROLE [--county C | --agency A | --inspector ID]\n"
    "                           --db DB [--password-file FILE]\n"
    "       greenmine users passwd NAME --db DB [--password-file FILE]\n"
    "       greenmine users remove NAME --db DB\n"
    "       greenmine users list --db DB [--json]\n"
    "\n"
    "The users who may write through the desk (greenmine serve --db DB), kept in the\n"
    "registry. Roles: province (everything), county (its county's mines:\n"
    "self-assessments; --county as in the licences, e.g. 浏阳市), agency (third-party\n"
    "verifications; --agency its name), inspector (results of the spot checks it was\n"
    "drawn for; --inspector its roster id). Reading the public list, the draws and\n"
    "the reports needs no user.\n"
    "\n"
    "The password (at least 10 characters) is asked on the terminal, twice, without\n"
    "echo; or read from --password-file FILE (its first line; '-' = standard input)\n"
    "or from standard input when it is not a terminal. Never give it as an argument.\n"
    "It is stored as an argon2id hash (libsodium). passwd and remove end the user's\n"
    "sessions at once; a removed user stays listed (events name who entered them)\n"
    "and its name cannot be taken again.\n"
    "\n"
    "  --db DB              the registry (SpatiaLite file or PG:CONNINFO); add creates\n"
    "                       a missing SpatiaLite file\n"
    "  --role ROLE          province, county, agency or inspector\n"
    "  --county C           a county user's county\n"
    "  --agency A           an agency user's agency\n"
    "  --inspector ID       an inspector user's id in the roster\n"
    "  --password-file F    read the password from F's first line ('-' = stdin)\n"
    "  --json               list as JSON\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -h, --help           this help\n"
    "\n"
    "Exit status: 0 done, 2 bad input (unknown user, weak password, ...), 1 failure.\n";

enum { OPT_DB = 256, OPT_ROLE, OPT_COUNTY, OPT_AGENCY, OPT_INSPECTOR, OPT_PWFILE, OPT_JSON };
static const struct option options[] = {{"db", required_argument, NULL, OPT_DB},
                                        {"role", required_argument, NULL, OPT_ROLE},
                                        {"county", required_argument, NULL, OPT_COUNTY},
                                        {"agency", required_argument, NULL, OPT_AGENCY},
                                        {"inspector", required_argument, NULL, OPT_INSPECTOR},
                                        {"password-file", required_argument, NULL, OPT_PWFILE},
                                        {"json", no_argument, NULL, OPT_JSON},
                                        {"quiet", no_argument, NULL, 'q'},
                                        {"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};

/* The first line of f (without its end of line) into buf; GM_ERR_USAGE when
 * there is none or it is longer than cap - 2 bytes. */
static int read_line(FILE *f, char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, f)) return GM_ERR_USAGE;
    size_t n = strlen(buf);
    if (n == cap - 1 && buf[n - 1] != '\n') return GM_ERR_USAGE;
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return GM_OK;
}

/* Asks on the terminal with echo off; GM_ERR_USAGE when it is no terminal or
 * gives no line. */
static int prompt(FILE *tty, const char *question, char *buf, size_t cap)
{
    struct termios old, quiet;
    int fd = fileno(tty);
    if (tcgetattr(fd, &old) != 0) return GM_ERR_USAGE;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(fd, TCSANOW, &quiet); /* before the question: nothing typed after it echoes */
    fputs(question, stderr);
    fflush(stderr);
    int rc = read_line(tty, buf, cap);
    tcsetattr(fd, TCSANOW, &old);
    fputc('\n', stderr);
    return rc;
}

/* The password, from the file, the terminal or stdin, into buf (cap bytes);
 * -1, or the exit code of the usage error it printed (a command-line
 * check, as gm_cli_check_registry). */
static int get_password(const char *file, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (file) {
        FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
        if (!f) return gm_cli_usage_error("users", "--password-file %s: %s", file, strerror(errno));
        int rc = read_line(f, buf, cap);
        if (f != stdin) fclose(f);
        if (rc != GM_OK)
            return gm_cli_usage_error(
                "users",
                "--password-file %s: no password on its first line (or longer than %d bytes)", file,
                GM_PASSWORD_MAX);
        return -1;
    }
    if (!isatty(STDIN_FILENO)) {
        if (read_line(stdin, buf, cap) != GM_OK)
            return gm_cli_usage_error("users", "no password on standard input");
        return -1;
    }
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty) tty = stdin;
    char again[GM_PASSWORD_MAX + 2];
    int rc = prompt(tty, "Password: ", buf, cap);
    if (rc == GM_OK) rc = prompt(tty, "Password again: ", again, sizeof again);
    if (tty != stdin) fclose(tty);
    int same = rc == GM_OK && strcmp(buf, again) == 0;
    memset(again, 0, sizeof again);
    if (rc != GM_OK) return gm_cli_usage_error("users", "no password given");
    if (!same) return gm_cli_usage_error("users", "the two passwords differ");
    return -1;
}

static void print_list(const gm_user *u, size_t n, int json)
{
    if (json) {
        printf("{\"users\": [");
        for (size_t i = 0; i < n; i++) {
            printf("%s\n  {\"name\": ", i ? "," : "");
            gm_json_fputs(stdout, u[i].name);
            printf(", \"role\": \"%s\", \"scope\": ", gm_role_name(u[i].role));
            if (u[i].scope)
                gm_json_fputs(stdout, u[i].scope);
            else
                fputs("null", stdout);
            printf(", \"created\": \"%s\", \"removed\": ", u[i].created);
            if (u[i].disabled[0])
                printf("\"%s\"", u[i].disabled);
            else
                fputs("null", stdout);
            printf(", \"sessions\": %lld}", u[i].sessions);
        }
        printf("\n]}\n");
        return;
    }
    printf("%-20s %-10s %-24s %-21s %-21s %s\n", "name", "role", "county/agency/inspector",
           "created", "removed", "sessions");
    for (size_t i = 0; i < n; i++) {
        gm_cli_print_padded(stdout, u[i].name, 20);
        printf(" %-10s ", gm_role_name(u[i].role));
        gm_cli_print_padded(stdout, u[i].scope ? u[i].scope : "-", 24);
        printf(" %-21s %-21s %lld\n", u[i].created, u[i].disabled[0] ? u[i].disabled : "-",
               u[i].sessions);
    }
}

int gm_cmd_users(int argc, char **argv)
{
    const char *db = NULL, *role_s = NULL, *scope = NULL, *pwfile = NULL, *scope_opt = NULL;
    int json = 0, quiet = 0, c, n_scopes = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", options, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            db = optarg;
            break;
        case OPT_ROLE:
            role_s = optarg;
            break;
        case OPT_COUNTY:
        case OPT_AGENCY:
        case OPT_INSPECTOR:
            scope = optarg;
            scope_opt = c == OPT_COUNTY ? "county" : c == OPT_AGENCY ? "agency" : "inspector";
            n_scopes++;
            break;
        case OPT_PWFILE:
            pwfile = optarg;
            break;
        case OPT_JSON:
            json = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            fputs(users_help, stdout);
            return GM_EXIT_OK;
        default:
            return gm_cli_usage_error("users", "unknown option");
        }
    }
    if (optind >= argc) return gm_cli_usage_error("users", "add, passwd, remove or list?");
    const char *action = argv[optind++];
    int is_add = strcmp(action, "add") == 0, is_list = strcmp(action, "list") == 0;
    if (!is_add && !is_list && strcmp(action, "passwd") != 0 && strcmp(action, "remove") != 0)
        return gm_cli_usage_error("users", "'%s': expected add, passwd, remove or list", action);
    const char *name = NULL;
    if (!is_list) {
        if (optind >= argc)
            return gm_cli_usage_error("users", "%s: the user's NAME is missing", action);
        name = argv[optind++];
    }
    if (optind < argc) return gm_cli_usage_error("users", "unexpected argument '%s'", argv[optind]);
    if (!db) return gm_cli_usage_error("users", "--db is required");
    int ex;
    if (!is_add && (ex = gm_cli_check_registry("users", db)) >= 0) return ex;
    if (n_scopes > 1)
        return gm_cli_usage_error("users", "give one of --county, --agency, --inspector");
    gm_context *ctx = NULL;
    if (gm_context_new(&ctx) != GM_OK) return GM_EXIT_FAILURE;
    gm_cli cli = {.quiet = quiet};
    gm_cli_attach(&cli, ctx);
    gm_role role = GM_ROLE_PROVINCE;
    int rc = GM_OK;
    ex = -1;
    if (is_add) {
        if (!role_s)
            ex = gm_cli_usage_error(
                "users", "add: --role is required (province, county, agency or inspector)");
        else if ((rc = gm_role_parse(ctx, role_s, &role)) == GM_OK && role != GM_ROLE_PROVINCE &&
                 scope && strcmp(scope_opt, gm_role_name(role)) != 0)
            ex = gm_cli_usage_error("users", "a %s user takes --%s, not --%s", gm_role_name(role),
                                    gm_role_name(role), scope_opt);
    } else if (role_s || scope) {
        ex = gm_cli_usage_error("users", "%s takes no --role, --county, --agency or --inspector",
                                action);
    }
    char *pw = calloc(GM_PASSWORD_MAX + 2, 1);
    if (!pw) rc = GM_ERR_NOMEM;
    if (ex < 0 && rc == GM_OK && (is_add || strcmp(action, "passwd") == 0))
        ex = get_password(pwfile, pw, GM_PASSWORD_MAX + 2);
    gm_registry *reg = NULL;
    if (ex < 0 && rc == GM_OK) rc = gm_registry_open(ctx, db, 0, &reg);
    if (ex < 0 && rc == GM_OK) {
        if (is_add) {
            rc = gm_users_add(reg, name, role, scope, pw);
            if (rc == GM_OK && !quiet)
                fprintf(stderr, "greenmine users: added %s (%s%s%s)\n", name, gm_role_name(role),
                        scope ? ", " : "", scope ? scope : "");
        } else if (strcmp(action, "passwd") == 0) {
            rc = gm_users_passwd(reg, name, pw);
            if (rc == GM_OK && !quiet)
                fprintf(stderr, "greenmine users: new password for %s; its sessions ended\n", name);
        } else if (strcmp(action, "remove") == 0) {
            rc = gm_users_remove(reg, name);
            if (rc == GM_OK && !quiet)
                fprintf(stderr, "greenmine users: removed %s; its sessions ended\n", name);
        } else {
            gm_user *u = NULL;
            size_t n = 0;
            if ((rc = gm_users_list(reg, &u, &n)) == GM_OK) print_list(u, n, json);
            gm_users_free(u, n);
        }
    }
    if (pw) memset(pw, 0, GM_PASSWORD_MAX + 2);
    free(pw);
    gm_registry_close(reg);
    if (ex < 0) ex = rc == GM_OK ? GM_EXIT_OK : gm_cli_fail(&cli, ctx, rc);
    gm_context_free(ctx);
    return ex;
}
