/* done-callback.c: done callbacks on tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's calculate_task program: two tasks sleep 5 s and 3 s; a done callback prints
 * each result as its task finishes (the 3 s one first), and the whole takes 5 s.
 */
#include <coro.h>
#include <stdio.h>

#include "example-clock.h"

/* async def calculate_task(a, b, t): */
typedef struct
{
  gint64 a;
  gint64 b;
  double t;
} CalculateTask;

static void calculate_task_finished (CoroTask *task, gpointer frame);

static void
calculate_task (CoroTask *task,
                gpointer  frame)
{
  CalculateTask *self = frame;

  /* print("start calculate at {}".format(time.time())) */
  printf ("start calculate at %f\n", example_time ());
  coro_await (task, coro_sleep (self->t), calculate_task_finished);  /* await asyncio.sleep(t) */
}

static void
calculate_task_finished (CoroTask *task,
                         gpointer  frame)
{
  CalculateTask *self = frame;

  printf ("finished\n");                                      /* print("finished") */
  coro_task_return_int (task, self->a + self->b);             /* return a + b */
}

/* def done_callback(*args): */
static void
done_callback (CoroFuture *future,
               gpointer    user_data)
{
  printf ("finished callback\n");                             /* print("finished callback") */
  /* r = args[0].result() */
  printf ("result is %" G_GINT64_FORMAT "\n", coro_future_get_int (future, NULL));
  /* print("now is {}".format(time.time())) */
  printf ("now is %f\n", example_time ());
}

/* async def main(): */
typedef struct
{
  CoroTask *task1;
  CoroTask *task2;
} Main;

static void main_await_task2 (CoroTask *task, gpointer frame);
static void main_done (CoroTask *task, gpointer frame);

static void
main_release (gpointer data)
{
  Main *self = data;

  if (self->task1 != NULL)
    coro_future_unref (CORO_FUTURE (self->task1));
  if (self->task2 != NULL)
    coro_future_unref (CORO_FUTURE (self->task2));
}

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  Main *self = frame;

  coro_task_defer (task, main_release, self);
  /* task1 = asyncio.create_task(calculate_task(1, 3, 5)) */
  self->task1 = CORO_CREATE_TASK (calculate_task, CalculateTask, .a = 1, .b = 3, .t = 5);
  /* task2 = asyncio.create_task(calculate_task(1, 6, 3)) */
  self->task2 = CORO_CREATE_TASK (calculate_task, CalculateTask, .a = 1, .b = 6, .t = 3);
  /* task1.add_done_callback(done_callback) */
  coro_future_add_done_callback (CORO_FUTURE (self->task1), done_callback, NULL, NULL);
  /* task2.add_done_callback(done_callback) */
  coro_future_add_done_callback (CORO_FUTURE (self->task2), done_callback, NULL, NULL);
  /* await task1 */
  coro_await (task, CORO_FUTURE (g_steal_pointer (&self->task1)), main_await_task2);
}

static void
main_await_task2 (CoroTask *task,
                  gpointer  frame)
{
  Main *self = frame;

  /* await task2 */
  coro_await (task, CORO_FUTURE (g_steal_pointer (&self->task2)), main_done);
}

static void
main_done (CoroTask *task,
           gpointer  frame)
{
  coro_task_return (task);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  double t;

  setvbuf (stdout, NULL, _IOLBF, 0);
  t = example_time ();                                        /* t = time.time() */
  /* asyncio.run(main()) */
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_start, Main)), &error))
    {
      g_printerr ("done-callback: %s\n", error->message);
      return 1;
    }
  /* print("total time is {}".format(time.time() - t)) */
  printf ("total time is %f\n", example_time () - t);
  return 0;
}
