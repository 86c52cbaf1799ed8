/* future-gather.c: a future completed by a GLib callback, awaited and gathered
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's Futures section:
 *
 *     async def main():
 *         await function_that_returns_a_future_object()
 *         # this is also valid:
 *         await asyncio.gather(
 *             function_that_returns_a_future_object(),
 *             some_python_coroutine()
 *         )
 *
 * Here the future is a plain CoroFuture that a GLib timeout source completes, the way GIO
 * or any callback-based API would, and the coroutine is a task.
 */
#include <coro.h>
#include <stdio.h>

static gboolean
complete_future (gpointer user_data)
{
  CoroFuture *future = user_data;

  /* A cancelled future (main cancelled meanwhile) refuses the result; nothing to do then. */
  coro_future_set_string (future, "set by a GLib timeout", NULL);
  return G_SOURCE_REMOVE;
}

/* def function_that_returns_a_future_object(): a future that GLib completes in 0.5 s */
static CoroFuture *
function_that_returns_a_future_object (void)
{
  CoroFuture *future = coro_future_new ();

  g_timeout_add_full (G_PRIORITY_DEFAULT, 500, complete_future,
                      coro_future_ref (future), (GDestroyNotify) coro_future_unref);
  return future;
}

/* async def some_python_coroutine(): await asyncio.sleep(1); return 42 */
typedef struct
{
  int unused;
} SomeCoroutine;

static void
some_coroutine_return (CoroTask *task,
                       gpointer  frame)
{
  coro_task_return_int (task, 42);
}

static void
some_coroutine (CoroTask *task,
                gpointer  frame)
{
  coro_await (task, coro_sleep (1), some_coroutine_return);
}

/* async def main(): */
typedef struct
{
  int unused;
} Main;

static void main_gather (CoroTask *task, gpointer frame);
static void main_print (CoroTask *task, gpointer frame);

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  /* await function_that_returns_a_future_object() */
  coro_await (task, function_that_returns_a_future_object (), main_gather);
}

static void
main_gather (CoroTask *task,
             gpointer  frame)
{
  printf ("future: %s\n", coro_future_get_string (coro_task_get_awaited (task), NULL));

  /* await asyncio.gather(function_that_returns_a_future_object(), some_python_coroutine()) */
  coro_await (task,
              coro_gather (function_that_returns_a_future_object (),
                           CORO_FUTURE (CORO_CREATE_TASK (some_coroutine, SomeCoroutine)),
                           NULL),
              main_print);
}

static void
main_print (CoroTask *task,
            gpointer  frame)
{
  CoroFuture **results;
  guint n_results;

  /* The results come in argument order, whatever order the children finished in. */
  results = coro_future_get_futures (coro_task_get_awaited (task), &n_results, NULL);
  g_assert (n_results == 2);
  printf ("gather: %s, %" G_GINT64_FORMAT "\n",
          coro_future_get_string (results[0], NULL), coro_future_get_int (results[1], NULL));
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
      g_printerr ("future-gather: %s\n", error->message);
      return 1;
    }
  return 0;
}
