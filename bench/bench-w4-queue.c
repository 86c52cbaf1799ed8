/* bench-w4-queue.c: W4 on Coro: two tasks passing a value back and forth through queues
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bench-w4-queue [N] [--smoke]   (N = 1 000 000 round trips; --smoke: 1 000)
 */
#include <coro.h>

#include "bench-common.h"

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

  /* The other side sends back what it got. */
  if (!self->serve)
    coro_queue_put_int_nowait (self->out, coro_future_get_int (coro_task_get_awaited (task), NULL), NULL);
  player (task, frame);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  long n = bench_args (argc, argv, 1, 1000000, BENCH_SMOKE_N);
  CoroQueue *ping = coro_queue_new (0), *pong = coro_queue_new (0);
  double start = bench_now ();

  if (!coro_run (coro_gather (CORO_FUTURE (CORO_CREATE_TASK (player, Player, .in = pong, .out = ping,
                                                             .remaining = n, .serve = TRUE)),
                              CORO_FUTURE (CORO_CREATE_TASK (player, Player, .in = ping, .out = pong,
                                                             .remaining = n, .serve = FALSE)),
                              NULL), &error))
    {
      fprintf (stderr, "W4: %s\n", error->message);
      return 1;
    }
  bench_report ("W4", "coro", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
  g_object_unref (ping);
  g_object_unref (pong);
  return 0;
}
