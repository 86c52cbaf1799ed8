/* bench-w3-sleepers.c: W3 on Coro: N sleepers with random delays in [0, 1) s
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bench-w3-sleepers [N] [--smoke]   (N = 100 000; --smoke: 1 000)
 *
 * Reports the CPU seconds the process used (getrusage), the mean and largest lateness
 * (wake-up on CLOCK_MONOTONIC minus the deadline the sleep was given) and the number of
 * GSources attached to the default context once every sleeper is waiting.
 */
#include <coro.h>

#include "bench-common.h"

typedef struct
{
  double  delay;
  double  deadline;
  double *late_sum;
  double *late_max;
} Sleeper;

static void
sleeper_woke (CoroTask *task,
              gpointer  frame)
{
  Sleeper *self = frame;
  double late = bench_now () - self->deadline;

  *self->late_sum += late;
  if (late > *self->late_max)
    *self->late_max = late;
  coro_task_return (task);
}

static void
sleeper (CoroTask *task,
         gpointer  frame)
{
  Sleeper *self = frame;

  /* Lateness is measured from when the sleep starts, as in every implementation. */
  self->deadline = bench_now () + self->delay;
  bench_sleep_started (self->deadline - self->delay);
  coro_await (task, coro_sleep (self->delay), sleeper_woke);
}

static gboolean
never (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* The GSources attached to the default context, probed by id. */
static long
count_sources (void)
{
  guint last = g_idle_add (never, NULL);
  long count = 0;

  g_source_remove (last);
  for (guint id = 1; id < last; id++)
    if (g_main_context_find_source_by_id (NULL, id) != NULL)
      count++;
  return count;
}

typedef struct
{
  long    n;
  double *late_sum;
  double *late_max;
} Sleepers;

static void
sleepers_done (CoroTask *task,
               gpointer  frame)
{
  coro_task_return (task);
}

static void
sleepers (CoroTask *task,
          gpointer  frame)
{
  Sleepers *self = frame;
  unsigned long long state = BENCH_SEED;
  CoroFuture **children = g_new (CoroFuture *, self->n);
  CoroFuture *gather;

  for (long i = 0; i < self->n; i++)
    children[i] = CORO_FUTURE (CORO_CREATE_TASK (sleeper, Sleeper,
                                                 .delay = bench_random (&state),
                                                 .late_sum = self->late_sum,
                                                 .late_max = self->late_max));
  gather = coro_gatherv (children, self->n, CORO_GATHER_NONE);
  for (long i = 0; i < self->n; i++)
    coro_future_unref (children[i]);
  g_free (children);
  coro_await (task, gather, sleepers_done);
}

/* Started after the spawner: its sleep (0) resumes after every sleeper's first step, when
 * all the timers are armed. */
typedef struct
{
  long *n_sources;
} Counter;

static void
counter_count (CoroTask *task,
               gpointer  frame)
{
  *((Counter *) frame)->n_sources = count_sources ();
  coro_task_return (task);
}

static void
counter (CoroTask *task,
         gpointer  frame)
{
  coro_await (task, coro_sleep (0), counter_count);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  long n = bench_args (argc, argv, 1, 100000, BENCH_SMOKE_N);
  double late_sum = 0, late_max = 0, cpu = bench_cpu ();
  long n_sources = 0;

  if (!coro_run (coro_gather (CORO_FUTURE (CORO_CREATE_TASK (sleepers, Sleepers, .n = n,
                                                             .late_sum = &late_sum,
                                                             .late_max = &late_max)),
                              CORO_FUTURE (CORO_CREATE_TASK (counter, Counter,
                                                             .n_sources = &n_sources)),
                              NULL), &error))
    {
      fprintf (stderr, "W3: %s\n", error->message);
      return 1;
    }
  bench_report_sleepers ("coro", n, bench_cpu () - cpu, late_sum / n * 1e3, late_max * 1e3,
                         bench_start_span_ms (), n_sources);
  return 0;
}
