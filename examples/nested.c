/* nested.c: awaiting a coroutine, directly and as a task
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's awaitables programs: `print(await nested())` prints 42, and
 * `task = asyncio.create_task(nested()); await task` runs nested() as a task. In C a
 * coroutine runs only as a task, so "calling nested() without awaiting it" has no
 * equivalent: nothing is created until CORO_CREATE_TASK is called.
 */
#include <coro.h>
#include <stdio.h>

/* async def nested(): return 42 */
typedef struct
{
  int unused;
} Nested;

static void
nested (CoroTask *task,
        gpointer  frame)
{
  coro_task_return_int (task, 42);          /* return 42 */
}

/* async def main(): */
typedef struct
{
  int unused;
} Main;

static void main_print (CoroTask *task, gpointer frame);
static void main_done (CoroTask *task, gpointer frame);

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  /* print(await nested())  # will print "42". */
  coro_await (task, CORO_FUTURE (CORO_CREATE_TASK (nested, Nested)), main_print);
}

static void
main_print (CoroTask *task,
            gpointer  frame)
{
  CoroTask *child;

  printf ("%" G_GINT64_FORMAT "\n", coro_future_get_int (coro_task_get_awaited (task), NULL));

  /* task = asyncio.create_task(nested())  # runs soon, concurrently with main() */
  child = CORO_CREATE_TASK (nested, Nested);
  /* "task" can now be used to cancel "nested()", or can simply be awaited: await task */
  coro_await (task, CORO_FUTURE (child), main_done);
}

static void
main_done (CoroTask *task,
           gpointer  frame)
{
  g_assert (coro_future_get_int (coro_task_get_awaited (task), NULL) == 42);
  coro_task_return (task);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  /* asyncio.run(main()) */
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_start, Main)), &error))
    {
      g_printerr ("nested: %s\n", error->message);
      return 1;
    }
  return 0;
}
