/* bench-common.h: timing and reporting shared by the C benchmarks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each benchmark program runs one workload named on its command line and prints one JSON
 * object on one line; bench/run.py collects them.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static inline double
bench_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline double
bench_cpu (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* Resident set size in bytes, from /proc/self/statm. */
static inline long
bench_rss (void)
{
  long pages = 0, resident = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f == NULL)
    return 0;
  if (fscanf (f, "%ld %ld", &pages, &resident) != 2)
    resident = 0;
  fclose (f);
  return resident * sysconf (_SC_PAGESIZE);
}

/* A fixed-seed xorshift generator: the same delays in every implementation. */
static inline double
bench_random (unsigned long long *state)
{
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return (*state >> 11) * (1.0 / 9007199254740992.0);
}

#define BENCH_SEED 0x9E3779B97F4A7C15ULL

/* The workload size: the first argument from @first on that is not an option, else
 * @smoke_n if --smoke is given, else @fallback. */
static inline long
bench_args (int    argc,
            char **argv,
            int    first,
            long   fallback,
            long   smoke_n)
{
  long n = 0;
  int smoke = 0;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--smoke") == 0)
      smoke = 1;
    else if (i >= first && n == 0 && argv[i][0] != '-')
      n = atol (argv[i]);
  if (n > 0)
    return n;
  return smoke ? smoke_n : fallback;
}

#define BENCH_SMOKE_N 1000

static inline void
bench_report (const char *workload,
              const char *impl,
              long        n,
              const char *metric,
              double      value)
{
  printf ("{\"workload\": \"%s\", \"impl\": \"%s\", \"n\": %ld, \"%s\": %.6g}\n",
          workload, impl, n, metric, value);
  fflush (stdout);
}

/* W3: the span of time over which the sleeps started. Every implementation runs every
 * sleeper's first step in one pass, and a short sleep started early in that pass cannot
 * wake before the pass ends: the largest lateness is about this span. */
static double bench_first_start = -1, bench_last_start;

static inline void
bench_sleep_started (double now)
{
  if (bench_first_start < 0)
    bench_first_start = now;
  bench_last_start = now;
}

static inline double
bench_start_span_ms (void)
{
  return bench_first_start < 0 ? 0 : (bench_last_start - bench_first_start) * 1e3;
}

static inline void
bench_report_sleepers (const char *impl,
                       long        n,
                       double      cpu_s,
                       double      mean_late_ms,
                       double      max_late_ms,
                       double      start_span_ms,
                       long        n_sources)
{
  printf ("{\"workload\": \"W3\", \"impl\": \"%s\", \"n\": %ld, \"cpu_s\": %.6g, "
          "\"mean_late_ms\": %.6g, \"max_late_ms\": %.6g, \"start_span_ms\": %.6g, "
          "\"n_gsources\": %ld}\n",
          impl, n, cpu_s, mean_late_ms, max_late_ms, start_span_ms, n_sources);
  fflush (stdout);
}
