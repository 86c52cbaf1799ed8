/* wait-for-timeout.c: a timeout around a coroutine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's timeout program: eternity() would sleep for an hour, wait_for gives it one
 * second, cancels it, waits for the cancellation to finish and fails with
 * CORO_ERROR_TIMEOUT (asyncio.TimeoutError). `yay!` is never printed.
 */
#include <coro.h>
#include <stdio.h>

/* async def eternity(): */
typedef struct
{
  int unused;
} Eternity;

static void
eternity_done (CoroTask *task,
               gpointer  frame)
{
  printf ("yay!\n");                                     /* print('yay!') */
  coro_task_return (task);
}

static void
eternity (CoroTask *task,
          gpointer  frame)
{
  coro_await (task, coro_sleep (3600), eternity_done);  /* Sleep for one hour */
}

/* async def main(): */
typedef struct
{
  int unused;
} Main;

static void
main_caught (CoroTask *task,
             gpointer  frame)
{
  const GError *error = coro_future_get_error (coro_task_get_awaited (task));

  if (g_error_matches (error, CORO_ERROR, CORO_ERROR_TIMEOUT))  /* except asyncio.TimeoutError: */
    printf ("timeout!\n");                                       /* print('timeout!') */
  else if (error != NULL)
    {
      coro_task_return_error (task, g_error_copy (error));
      return;
    }
  coro_task_return (task);
}

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  /* Wait for at most 1 second: try: await asyncio.wait_for(eternity(), timeout=1.0) */
  coro_await_catch (task,
                    coro_wait_for (CORO_FUTURE (CORO_CREATE_TASK (eternity, Eternity)), 1.0),
                    main_caught);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  /* asyncio.run(main()) */
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_start, Main)), &error))
    {
      g_printerr ("wait-for-timeout: %s\n", error->message);
      return 1;
    }
  return 0;
}
