/* bench-w2-suspend.c: W2 on Coro: one task suspending on sleep (0) N times
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bench-w2-suspend [N] [--smoke]   (N = 1 000 000; --smoke: 1 000)
 */
#include <coro.h>

#include "bench-common.h"

typedef struct
{
  long remaining;
} Yielder;

static void
yielder (CoroTask *task,
         gpointer  frame)
{
  Yielder *self = frame;

  if (self->remaining-- == 0)
    {
      coro_task_return (task);
      return;
    }
  coro_await (task, coro_sleep (0), yielder);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  long n = bench_args (argc, argv, 1, 1000000, BENCH_SMOKE_N);
  double start = bench_now ();

  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (yielder, Yielder, .remaining = n)), &error))
    {
      fprintf (stderr, "W2: %s\n", error->message);
      return 1;
    }
  bench_report ("W2", "coro", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
  return 0;
}
