/* bench-coro.c: the benchmark workloads on Coro
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bench-coro W1|W2|W2b|W3|W4|W6 [N]
 */
#include <coro.h>

#include "bench-common.h"

/* W1: spawn N tasks that each return, gather them */

typedef struct
{
  gint64 value;
} Leaf;

static void
leaf (CoroTask *task,
      gpointer  frame)
{
  coro_task_return_int (task, ((Leaf *) frame)->value);
}

typedef struct
{
  long n;
} Spawner;

static void
spawner_done (CoroTask *task,
              gpointer  frame)
{
  coro_task_return (task);
}

static void
spawner (CoroTask *task,
         gpointer  frame)
{
  Spawner *self = frame;
  CoroFuture **children = g_new (CoroFuture *, self->n);
  CoroFuture *gather;

  for (long i = 0; i < self->n; i++)
    children[i] = CORO_FUTURE (CORO_CREATE_TASK (leaf, Leaf, .value = i));
  gather = coro_gatherv (children, self->n, CORO_GATHER_NONE);
  for (long i = 0; i < self->n; i++)
    coro_future_unref (children[i]);
  g_free (children);
  coro_await (task, gather, spawner_done);
}

static void
w1 (long n)
{
  double start = bench_now ();

  coro_run (CORO_FUTURE (CORO_CREATE_TASK (spawner, Spawner, .n = n)), NULL);
  bench_report ("W1", "coro", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
}

/* W2: sleep (0) in a loop; W2b: await a done future in a loop */

typedef struct
{
  long        remaining;
  CoroFuture *done;
} Looper;

static void
yielder (CoroTask *task,
         gpointer  frame)
{
  Looper *self = frame;

  if (self->remaining-- == 0)
    {
      coro_task_return (task);
      return;
    }
  coro_await (task, coro_sleep (0), yielder);
}

static void
awaiter (CoroTask *task,
         gpointer  frame)
{
  Looper *self = frame;

  if (self->remaining-- == 0)
    {
      coro_task_return (task);
      return;
    }
  coro_await (task, coro_future_ref (self->done), awaiter);
}

static void
w2 (long     n,
    gboolean done_future)
{
  CoroFuture *done = coro_future_new ();
  CoroLoop *loop = coro_loop_get_default ();
  guint64 passes;
  double start;

  coro_future_set_int (done, 1, NULL);
  passes = coro_loop_get_pass_count (loop);
  start = bench_now ();
  coro_run (CORO_FUTURE (CORO_CREATE_TASK (done_future ? awaiter : yielder, Looper,
                                           .remaining = n, .done = done)), NULL);
  if (done_future)
    {
      /* A done future must not cost a loop pass: the task's first step and its end. */
      if (coro_loop_get_pass_count (loop) - passes > 4)
        g_error ("W2b took %" G_GUINT64_FORMAT " passes", coro_loop_get_pass_count (loop) - passes);
      bench_report ("W2b", "coro", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
    }
  else
    bench_report ("W2", "coro", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
  coro_future_unref (done);
}

/* W3: N sleepers with random delays in [0, 1) s */

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
  coro_await (task, coro_sleep (self->delay), sleeper_woke);
}

/* The number of GSources attached to the default context, probed by id. */
static gboolean
never (gpointer data)
{
  return G_SOURCE_REMOVE;
}

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
  long   *n_sources;
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
  *self->n_sources = count_sources ();
  coro_await (task, gather, sleepers_done);
}

static void
w3 (long n)
{
  double late_sum = 0, late_max = 0, cpu = bench_cpu ();
  long n_sources = 0;

  coro_run (CORO_FUTURE (CORO_CREATE_TASK (sleepers, Sleepers, .n = n, .late_sum = &late_sum,
                                           .late_max = &late_max, .n_sources = &n_sources)), NULL);
  bench_report_sleepers ("coro", n, bench_cpu () - cpu, late_sum / n * 1e3, late_max * 1e3, n_sources);
}

/* W4: queue ping-pong between two tasks */

typedef struct
{
  CoroQueue *in;
  CoroQueue *out;
  long       remaining;
  gboolean   serve;
} Player;

static void player_got (CoroTask *task, gpointer frame);

static void
player (CoroTask *task,
        gpointer  frame)
{
  Player *self = frame;

  if (self->remaining-- == 0)
    {
      coro_task_return (task);
      return;
    }
  if (self->serve)
    coro_queue_put_int_nowait (self->out, self->remaining, NULL);
  coro_await (task, coro_queue_get (self->in), player_got);
}

static void
player_got (CoroTask *task,
            gpointer  frame)
{
  Player *self = frame;

  if (!self->serve)
    coro_queue_put_int_nowait (self->out, coro_future_get_int (coro_task_get_awaited (task), NULL), NULL);
  player (task, frame);
}

static void
w4 (long n)
{
  CoroQueue *ping = coro_queue_new (0), *pong = coro_queue_new (0);
  double start = bench_now ();

  coro_run (coro_gather (CORO_FUTURE (CORO_CREATE_TASK (player, Player, .in = pong, .out = ping,
                                                        .remaining = n, .serve = TRUE)),
                         CORO_FUTURE (CORO_CREATE_TASK (player, Player, .in = ping, .out = pong,
                                                        .remaining = n, .serve = FALSE)),
                         NULL), NULL);
  bench_report ("W4", "coro", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
  g_object_unref (ping);
  g_object_unref (pong);
}

/* W6: RSS per task suspended on a sleep */

typedef struct
{
  int unused;
} Pending;

static void
pending_woke (CoroTask *task,
              gpointer  frame)
{
  coro_task_return (task);
}

static void
pending (CoroTask *task,
         gpointer  frame)
{
  coro_await (task, coro_sleep (3600), pending_woke);
}

static void
w6 (long n)
{
  CoroFuture *gather;
  long before = bench_rss ();

  for (long i = 0; i < n; i++)
    coro_future_unref (CORO_FUTURE (CORO_CREATE_TASK (pending, Pending, 0)));
  /* Run the first steps: every task is now suspended on its sleep. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  bench_report ("W6", "coro", n, "bytes_per_task", (double) (bench_rss () - before) / n);
  {
    g_autoptr(GPtrArray) all = coro_all_tasks ();

    for (guint i = 0; i < all->len; i++)
      coro_future_cancel (all->pdata[i], NULL);
  }
  gather = coro_sleep (0);
  coro_run (gather, NULL);
}

int
main (int    argc,
      char **argv)
{
  const char *workload = argc > 1 ? argv[1] : "";

  if (strcmp (workload, "W1") == 0)
    w1 (bench_arg_n (argc, argv, 1000000));
  else if (strcmp (workload, "W2") == 0)
    w2 (bench_arg_n (argc, argv, 1000000), FALSE);
  else if (strcmp (workload, "W2b") == 0)
    w2 (bench_arg_n (argc, argv, 10000000), TRUE);
  else if (strcmp (workload, "W3") == 0)
    w3 (bench_arg_n (argc, argv, 100000));
  else if (strcmp (workload, "W4") == 0)
    w4 (bench_arg_n (argc, argv, 1000000));
  else if (strcmp (workload, "W6") == 0)
    w6 (bench_arg_n (argc, argv, 100000));
  else
    {
      fprintf (stderr, "usage: %s W1|W2|W2b|W3|W4|W6 [N]\n", argv[0]);
      return 2;
    }
  return 0;
}
