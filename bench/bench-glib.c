/* bench-glib.c: the workloads on plain GLib sources
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What a GLib program does without Coro: one idle source per task or per resume, one
 * g_timeout_add() per sleeper. Usage: bench-glib W1|W2|W3|W4|W6 [N] [--smoke]
 */
#include <glib.h>

#include "bench-common.h"

static GMainLoop *loop;

/* W1: N idle sources that each run once */
static long remaining;

static gboolean
task_run (gpointer data)
{
  if (--remaining == 0)
    g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
w1 (long n)
{
  double start = bench_now ();

  remaining = n;
  for (long i = 0; i < n; i++)
    g_idle_add (task_run, NULL);
  g_main_loop_run (loop);
  bench_report ("W1", "glib", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
}

/* W2: one idle source per iteration (a suspend/resume through the main loop) */
static gboolean
yielder (gpointer data)
{
  if (--remaining > 0)
    g_idle_add (yielder, NULL);
  else
    g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
w2 (long n)
{
  double start = bench_now ();

  remaining = n;
  g_idle_add (yielder, NULL);
  g_main_loop_run (loop);
  bench_report ("W2", "glib", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
}

/* W3: one g_timeout_add per sleeper */
typedef struct
{
  double delay;
  double deadline;
} Sleeper;

static double late_sum, late_max;

static gboolean
sleeper_woke (gpointer data)
{
  Sleeper *s = data;
  double late = bench_now () - s->deadline;

  late_sum += late;
  if (late > late_max)
    late_max = late;
  if (--remaining == 0)
    g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static long n_sources;

static gboolean
sleepers_start (gpointer data)
{
  Sleeper *sleepers = data;

  for (long i = 0; i < remaining; i++)
    {
      sleepers[i].deadline = bench_now () + sleepers[i].delay;
      bench_sleep_started (sleepers[i].deadline - sleepers[i].delay);
      g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) (sleepers[i].delay * 1000), sleeper_woke,
                          &sleepers[i], NULL);
    }
  n_sources = remaining;
  return G_SOURCE_REMOVE;
}

static void
w3 (long n)
{
  unsigned long long state = BENCH_SEED;
  Sleeper *sleepers = g_new (Sleeper, n);
  double cpu = bench_cpu ();

  for (long i = 0; i < n; i++)
    sleepers[i].delay = bench_random (&state);
  remaining = n;
  g_idle_add (sleepers_start, sleepers);
  g_main_loop_run (loop);
  bench_report_sleepers ("glib", n, bench_cpu () - cpu, late_sum / n * 1e3, late_max * 1e3,
                         bench_start_span_ms (), n_sources);
  g_free (sleepers);
}

/* W4: two idle hops per round trip */
static gboolean pong (gpointer data);

static gboolean
ping (gpointer data)
{
  if (remaining-- == 0)
    g_main_loop_quit (loop);
  else
    g_idle_add (pong, data);
  return G_SOURCE_REMOVE;
}

static gboolean
pong (gpointer data)
{
  g_idle_add (ping, data);
  return G_SOURCE_REMOVE;
}

static void
w4 (long n)
{
  double start = bench_now ();

  remaining = n;
  g_idle_add (ping, NULL);
  g_main_loop_run (loop);
  bench_report ("W4", "glib", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
}

/* W6: a pending timeout source per task */
static gboolean
never (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void
w6 (long n)
{
  long before = bench_rss ();
  guint *ids = g_new (guint, n);

  for (long i = 0; i < n; i++)
    ids[i] = g_timeout_add_seconds (3600, never, NULL);
  bench_report ("W6", "glib", n, "bytes_per_task", (double) (bench_rss () - before) / n);
  for (long i = 0; i < n; i++)
    g_source_remove (ids[i]);
  g_free (ids);
}

int
main (int    argc,
      char **argv)
{
  const char *workload = argc > 1 ? argv[1] : "";

  loop = g_main_loop_new (NULL, FALSE);
  if (strcmp (workload, "W1") == 0)
    w1 (bench_args (argc, argv, 2, 1000000, BENCH_SMOKE_N));
  else if (strcmp (workload, "W2") == 0)
    w2 (bench_args (argc, argv, 2, 1000000, BENCH_SMOKE_N));
  else if (strcmp (workload, "W3") == 0)
    w3 (bench_args (argc, argv, 2, 100000, BENCH_SMOKE_N));
  else if (strcmp (workload, "W4") == 0)
    w4 (bench_args (argc, argv, 2, 1000000, BENCH_SMOKE_N));
  else if (strcmp (workload, "W6") == 0)
    w6 (bench_args (argc, argv, 2, 100000, BENCH_SMOKE_N));
  else
    {
      fprintf (stderr, "usage: %s W1|W2|W3|W4|W6 [N] [--smoke]\n", argv[0]);
      return 2;
    }
  g_main_loop_unref (loop);
  return 0;
}
