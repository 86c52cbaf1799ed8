/* say-after-sequential.c: awaiting coroutines one after the other
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's second program: `await say_after(1, 'hello')` then `await say_after(2,
 * 'world')` take 3 seconds in all.
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
  int unused;
} Main;

static void main_world (CoroTask *task, gpointer frame);
static void main_finished (CoroTask *task, gpointer frame);

static void
main_started (CoroTask *task,
              gpointer  frame)
{
  g_autofree char *now = example_strftime_x ();

  printf ("started at %s\n", now);          /* print(f"started at {time.strftime('%X')}") */
  coro_await (task,                         /* await say_after(1, 'hello') */
              CORO_FUTURE (CORO_CREATE_TASK (say_after, SayAfter, .delay = 1, .what = "hello")),
              main_world);
}

static void
main_world (CoroTask *task,
            gpointer  frame)
{
  coro_await (task,                         /* await say_after(2, 'world') */
              CORO_FUTURE (CORO_CREATE_TASK (say_after, SayAfter, .delay = 2, .what = "world")),
              main_finished);
}

static void
main_finished (CoroTask *task,
               gpointer  frame)
{
  g_autofree char *now = example_strftime_x ();

  printf ("finished at %s\n", now);         /* print(f"finished at {time.strftime('%X')}") */
  coro_task_return (task);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  example_time ();
  /* asyncio.run(main()) */
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_started, Main)), &error))
    {
      g_printerr ("say-after-sequential: %s\n", error->message);
      return 1;
    }
  return 0;
}
