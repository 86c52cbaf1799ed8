/* run-in-executor.c: blocking work in a thread pool while the loop keeps running
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed links loop.run_in_executor():
 *
 *     def blocking_io():
 *         time.sleep(1)  # something that blocks the thread
 *         return sum(range(1_000_001))
 *
 *     async def ticker():
 *         for i in range(3):
 *             await asyncio.sleep(0.25)
 *             print(f"tick {i + 1}")
 *
 *     async def main():
 *         loop = asyncio.get_running_loop()
 *         result, _ = await asyncio.gather(loop.run_in_executor(None, blocking_io), ticker())
 *         print(f"blocking_io returned {result}")
 *
 * The three ticks come at 0.25, 0.5 and 0.75 s while the pool thread sleeps; the result
 * at 1 s, delivered on the loop's thread.
 */
#include <coro.h>
#include <stdio.h>

/* def blocking_io(): runs in a pool thread */
static void
blocking_io (CoroFuture   *result,
             GCancellable *cancellable,
             gpointer      user_data)
{
  gint64 sum = 0;

  g_usleep (G_USEC_PER_SEC);                        /* time.sleep(1) */
  for (gint64 i = 0; i <= 1000000; i++)             /* return sum(range(1_000_001)) */
    sum += i;
  coro_future_set_int (result, sum, NULL);
}

/* async def ticker(): */
typedef struct
{
  int i;
} Ticker;

static void ticker_tick (CoroTask *task, gpointer frame);

static void
ticker (CoroTask *task,
        gpointer  frame)
{
  Ticker *self = frame;

  if (self->i == 3)                                 /* for i in range(3): */
    {
      coro_task_return (task);
      return;
    }
  coro_await (task, coro_sleep (0.25), ticker_tick);  /* await asyncio.sleep(0.25) */
}

static void
ticker_tick (CoroTask *task,
             gpointer  frame)
{
  Ticker *self = frame;

  printf ("tick %d\n", ++self->i);                  /* print(f"tick {i + 1}") */
  ticker (task, frame);
}

/* async def main(): */
typedef struct
{
  int unused;
} Main;

static void
main_print (CoroTask *task,
            gpointer  frame)
{
  CoroFuture **results;
  guint n_results;

  results = coro_future_get_futures (coro_task_get_awaited (task), &n_results, NULL);
  /* print(f"blocking_io returned {result}") */
  printf ("blocking_io returned %" G_GINT64_FORMAT "\n", coro_future_get_int (results[0], NULL));
  coro_task_return (task);
}

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  /* await asyncio.gather(loop.run_in_executor(None, blocking_io), ticker()) */
  coro_await (task,
              coro_gather (coro_run_in_executor (blocking_io, NULL, NULL),
                           CORO_FUTURE (CORO_CREATE_TASK (ticker, Ticker)),
                           NULL),
              main_print);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  /* asyncio.run(main()) */
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_start, Main)), &error))
    {
      g_printerr ("run-in-executor: %s\n", error->message);
      return 1;
    }
  return 0;
}
