/*
 * greenmine/indicators.h -- the management system's indicators and the
 * figures of a yearly report, computed from the licences, their event log and
 * the three-rate thresholds (greenmine/management.h). Pure C: no database, no
 * file; the registry loads the records, the CLI and the desk print the result.
 *
 * Every figure is a count of licences (or of events) under a stated rule;
 * docs/management.md ("Indicators") defines each one. In short, as of date D:
 *   - a licence counts from its licensed_on (unknown: always);
 *   - listed: its standing on D is `listed` (a blacklisted mine is not, until
 *     it is listed again); the plan's target counts existing mines only
 *     (100 = 35 large, 50 medium, 15 small);
 *   - new: is_new, or (is_new unknown) licensed on or after GM_PLAN_DATE; built
 *     to standard: standing `verified` or `listed` on D;
 *   - three rates: large and medium mines; their latest figures (by year) on
 *     or before D against the thresholds in force; compliant / reported;
 *   - spot checks: the counting spot-check events of D's calendar year up to D
 *     (and all up to D), failed = result fail;
 *   - blacklisted: standing `blacklisted` on D.
 *
 * Ownership: gm_indicators and gm_yearly belong to the caller (free with
 * gm_indicators_free / gm_yearly_free); the licence and event pointers inside
 * a gm_yearly point into the caller's lists, which must outlive it.
 */
#ifndef GREENMINE_INDICATORS_H
#define GREENMINE_INDICATORS_H

#include <greenmine/context.h>
#include <greenmine/management.h>
#include <greenmine/model.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Three-rate compliance of large and medium mines by 2020 (the plan), and
 * the 2015 baseline of the province. */
#define GM_TARGET_THREE_RATES 0.85
#define GM_BASELINE_THREE_RATES_2015 0.5803
/* Slots of a per-industry array: gm_industry values 0 (unknown) .. stone. */
#define GM_INDUSTRY_SLOTS (GM_INDUSTRY_STONE + 1)
/* Slots of a per-scale array: gm_scale values 0 (unknown) .. small. */
#define GM_SCALE_SLOTS (GM_SCALE_SMALL + 1)

/* The plan's 2015 baseline of three-rate compliance of an industry (a share,
 * 0.5661 for coal), or -1 where the plan gives none (sand & gravel, cement,
 * stone, unknown). */
double gm_three_rates_baseline(gm_industry i);

typedef enum gm_area_level {
    GM_AREA_PROVINCE = 0,
    GM_AREA_ZONE,   /* a demonstration zone: the mines whose boundary lies mostly in it */
    GM_AREA_CITY,   /* the licences' city */
    GM_AREA_COUNTY, /* the licences' county */
} gm_area_level;
/* "province", "zone", "city", "county"; static. */
const char *gm_area_level_name(gm_area_level l);

/* Three-rate compliance of a set of large and medium mines. */
typedef struct gm_rates_count {
    long mines;     /* large and medium licences counted on the date */
    long reported;  /* with three-rate figures on or before the date */
    long judged;    /* reported and a threshold applies (the denominator) */
    long compliant; /* judged and every minimum met */
} gm_rates_count;

typedef struct gm_indicator_area {
    gm_area_level level;
    char *name;                        /* NULL for the province */
    long licences;                     /* licences counted on the date */
    long standing[GM_STANDINGS_END];   /* licences by standing */
    long listed;                       /* = standing[GM_STANDING_LISTED] */
    long listed_scale[GM_SCALE_SLOTS]; /* listed, by scale */
    long listed_existing;              /* listed existing mines: the 100 of the target */
    long listed_existing_scale[GM_SCALE_SLOTS];
    long new_mines, new_built; /* new mines counted; of them built to standard */
    gm_rates_count rates;      /* large + medium */
    gm_rates_count rates_industry[GM_INDUSTRY_SLOTS];
    long spot_checks, spot_checks_failed;         /* the calendar year of the date, up to it */
    long spot_checks_all, spot_checks_failed_all; /* every one up to the date */
    long blacklisted;                             /* = standing[GM_STANDING_BLACKLISTED] */
} gm_indicator_area;

typedef struct gm_indicators {
    int as_of; /* YYYYMMDD */
    /* the province first, then every zone (in the caller's order, also those
     * without mines), every city, every county (each sorted by name) */
    gm_indicator_area *areas;
    size_t n;
    long long threshold_set; /* the thresholds' set id (0 = none loaded) */
    char *threshold_label;   /* e.g. "示例 example"; NULL when none */
} gm_indicators;

typedef struct gm_indicator_input {
    const gm_licence_list *licences;
    const gm_event_list *events;         /* sorted, corrections included */
    const gm_threshold_list *thresholds; /* in force on the date; NULL = none */
    /* per licence (licences->items[i]) its zone's name, NULL = outside every
     * zone; the array itself NULL when no zone is known (no snapshot) */
    const char *const *licence_zone;
    const char *const *zones; /* every zone's name, in order */
    size_t n_zones;
} gm_indicator_input;

/* The indicators of every area on `as_of` (YYYYMMDD). Free with
 * gm_indicators_free. GM_ERR_NOMEM on allocation failure. */
int gm_indicators_compute(gm_context *ctx, const gm_indicator_input *in, int as_of,
                          gm_indicators **out);
void gm_indicators_free(gm_indicators *ind);
/* The area of that level and name (NULL for the province), or NULL. */
const gm_indicator_area *gm_indicators_find(const gm_indicators *ind, gm_area_level level,
                                            const char *name);
/* compliant / judged as a share, or -1 when nothing is judged. */
double gm_rates_share(const gm_rates_count *c);

/* ---- the yearly report ----------------------------------------------------- */

/* One event of the year with its licence. */
typedef struct gm_yearly_event {
    const gm_licence *licence;
    const gm_event *event;
} gm_yearly_event;

typedef struct gm_yearly {
    int year;
    gm_area_level level;     /* province, city or county */
    char *name;              /* NULL for the province */
    gm_indicator_area end;   /* the indicators on 31 December of the year (spot checks: the
                                year's), over this area's licences */
    gm_indicator_area start; /* the same on 31 December of the year before */
    long by_industry[GM_INDUSTRY_SLOTS][GM_STANDINGS_END]; /* licences on 31 Dec */
    long by_scale[GM_SCALE_SLOTS][GM_STANDINGS_END];
    /* the counting events of the year, by date (then entry): */
    gm_yearly_event *listings, *spot_checks, *blacklist; /* blacklist: blacklistings and
                                                            liftings */
    size_t n_listings, n_spot_checks, n_blacklist;
    const gm_licence **blacklisted; /* on the blacklist on 31 December, by licence number */
    size_t n_blacklisted;
} gm_yearly;

/* The yearly figures of `year` for the province (level GM_AREA_PROVINCE, name
 * NULL), a city or a county (by the licences' city / county). An area no
 * licence names is GM_ERR_USAGE. `in->licence_zone` is not used. */
int gm_yearly_compute(gm_context *ctx, const gm_indicator_input *in, int year, gm_area_level level,
                      const char *name, gm_yearly **out);
void gm_yearly_free(gm_yearly *y);

#ifdef __cplusplus
}
#endif
#endif
