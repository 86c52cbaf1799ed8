/* bench-w1-spawn.c: W1 on Coro: spawn N tasks that each return an int at once, gather them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bench-w1-spawn [N] [--smoke]   (N = 1 000 000; --smoke: 1 000)
 */
#include <coro.h>

#include "bench-common.h"

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

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  long n = bench_args (argc, argv, 1, 1000000, BENCH_SMOKE_N);
  double start = bench_now ();

  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (spawner, Spawner, .n = n)), &error))
    {
      fprintf (stderr, "W1: %s\n", error->message);
      return 1;
    }
  bench_report ("W1", "coro", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
  return 0;
}
