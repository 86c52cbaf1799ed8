/* bench-w6-memory.c: W6 on Coro: the memory of a task suspended on a sleep
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bench-w6-memory [N] [--smoke]   (N = 100 000; --smoke: 1 000)
 *
 * Starts N tasks that each await coro_sleep (3600), reports the growth of the resident set
 * (/proc/self/statm) divided by N, then cancels them all and waits for them to end.
 */
#include <coro.h>

#include "bench-common.h"

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

int
main (int    argc,
      char **argv)
{
  long n = bench_args (argc, argv, 1, 100000, BENCH_SMOKE_N);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) left = NULL;
  CoroFuture *gather;
  long before;

  /* The loop and its first allocations are not part of a task. */
  coro_loop_get_default ();
  before = bench_rss ();
  for (long i = 0; i < n; i++)
    coro_future_unref (CORO_FUTURE (CORO_CREATE_TASK (pending, Pending, 0)));
  /* Run the first steps: every task is now suspended on its sleep. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  bench_report ("W6", "coro", n, "bytes_per_task", (double) (bench_rss () - before) / n);

  all = coro_all_tasks ();
  if ((long) all->len != n)
    {
      fprintf (stderr, "W6: %u tasks alive, expected %ld\n", all->len, n);
      return 1;
    }
  for (guint i = 0; i < all->len; i++)
    coro_future_cancel (all->pdata[i], NULL);
  gather = coro_gatherv ((CoroFuture **) all->pdata, all->len, CORO_GATHER_RETURN_EXCEPTIONS);
  coro_run (gather, NULL);
  g_clear_pointer (&all, g_ptr_array_unref);
  left = coro_all_tasks ();
  if (left->len != 0)
    {
      fprintf (stderr, "W6: %u tasks left after cancelling\n", left->len);
      return 1;
    }
  return 0;
}
