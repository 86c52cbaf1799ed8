/* say-after-tasks.c: running coroutines concurrently as tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's third program: both say_after coroutines are wrapped in tasks before either
 * is awaited, so they sleep at the same time and the whole takes 2 seconds, not 3.
 */
#include <coro.h>
#include <stdio.h>

#include "example-clock.h"

/* async def say_after(delay, what): */
typedef struct
{
  double delay;
  const char *what;
} SayAfter;

static void say_after_print (CoroTask *task, gpointer frame);

static void
say_after (CoroTask *task,
           gpointer  frame)
{
  SayAfter *self = frame;

  coro_await (task, coro_sleep (self->delay), say_after_print);  /* await asyncio.sleep(delay) */
}

static void
say_after_print (CoroTask *task,
                 gpointer  frame)
{
  SayAfter *self = frame;

  printf ("%s\n", self->what);                                    /* print(what) */
  coro_task_return (task);
}

/* async def main(): */
typedef struct
{
  CoroTask *task1;
  CoroTask *task2;
} Main;

static void main_await_task2 (CoroTask *task, gpointer frame);
static void main_release (gpointer data);
static void main_finished (CoroTask *task, gpointer frame);

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  Main *self = frame;
  g_autofree char *now = NULL;

  coro_task_defer (task, main_release, self);
  /* task1 = asyncio.create_task(say_after(1, 'hello')) */
  self->task1 = CORO_CREATE_TASK (say_after, SayAfter, .delay = 1, .what = "hello");
  /* task2 = asyncio.create_task(say_after(2, 'world')) */
  self->task2 = CORO_CREATE_TASK (say_after, SayAfter, .delay = 2, .what = "world");

  now = example_strftime_x ();
  printf ("started at %s\n", now);        /* print(f"started at {time.strftime('%X')}") */

  /* Wait until both tasks are completed (should take around 2 seconds.) */
  /* await task1 */
  coro_await (task, CORO_FUTURE (g_steal_pointer (&self->task1)), main_await_task2);
}

static void
main_await_task2 (CoroTask *task,
                  gpointer  frame)
{
  Main *self = frame;

  /* await task2 */
  coro_await (task, CORO_FUTURE (g_steal_pointer (&self->task2)), main_finished);
}

static void
main_finished (CoroTask *task,
               gpointer  frame)
{
  g_autofree char *now = example_strftime_x ();

  printf ("finished at %s\n", now);       /* print(f"finished at {time.strftime('%X')}") */
  coro_task_return (task);
}

/* If main fails before awaiting its tasks, drop the references it still holds. */
static void
main_release (gpointer data)
{
  Main *self = data;

  if (self->task1 != NULL)
    coro_future_unref (CORO_FUTURE (self->task1));
  if (self->task2 != NULL)
    coro_future_unref (CORO_FUTURE (self->task2));
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  example_time ();
  /* asyncio.run(main()) */
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_start, Main)), &error))
    {
      g_printerr ("say-after-tasks: %s\n", error->message);
      return 1;
    }
  return 0;
}
