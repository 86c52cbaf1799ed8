/* hello-world.c: the seed's first coroutine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Prints hello, sleeps one second, prints world.
 */
#include <coro.h>
#include <stdio.h>

typedef struct { int unused; } Main;

static void main_world (CoroTask *task, gpointer frame);

/* async def main(): */
static void
main_hello (CoroTask *task,
            gpointer  frame)
{
  printf ("hello\n");                             /* print('hello') */
  coro_await (task, coro_sleep (1), main_world);  /* await asyncio.sleep(1) */
}

static void
main_world (CoroTask *task,
            gpointer  frame)
{
  printf ("world\n");                             /* print('world') */
  coro_task_return (task);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  /* asyncio.run(main()) */
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_hello, Main)), &error))
    {
      g_printerr ("hello-world: %s\n", error->message);
      return 1;
    }
  return 0;
}
