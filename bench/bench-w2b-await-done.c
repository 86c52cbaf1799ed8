/* bench-w2b-await-done.c: W2b on Coro: one task awaiting N futures that are already done
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bench-w2b-await-done [N] [--smoke]   (N = 10 000 000; --smoke: 1 000)
 *
 * Also checks that awaiting a done future costs no loop pass.
 */
#include <coro.h>

#include "bench-common.h"

typedef struct
{
  long        remaining;
  CoroFuture *done;
} Awaiter;

static void
awaiter (CoroTask *task,
         gpointer  frame)
{
  Awaiter *self = frame;

  if (self->remaining-- == 0)
    {
      coro_task_return (task);
      return;
    }
  coro_await (task, coro_future_ref (self->done), awaiter);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  long n = bench_args (argc, argv, 1, 10000000, BENCH_SMOKE_N);
  CoroFuture *done = coro_future_new ();
  CoroLoop *loop = coro_loop_get_default ();
  guint64 passes;
  double start;

  coro_future_set_int (done, 1, NULL);
  passes = coro_loop_get_pass_count (loop);
  start = bench_now ();
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (awaiter, Awaiter, .remaining = n, .done = done)),
                 &error))
    {
      fprintf (stderr, "W2b: %s\n", error->message);
      return 1;
    }
  bench_report ("W2b", "coro", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
  passes = coro_loop_get_pass_count (loop) - passes;
  coro_future_unref (done);
  /* The task's first step and its end; a pass per await would be N. */
  if (passes > 4)
    {
      fprintf (stderr, "W2b: %" G_GUINT64_FORMAT " loop passes for %ld awaits\n", passes, n);
      return 1;
    }
  return 0;
}
