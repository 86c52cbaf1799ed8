/* cancel-me.c: cancelling a running task
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's cancel_me program: main cancels a task that sleeps for an hour; the task
 * catches the cancellation, re-raises it, and its `finally` block runs; main sees the task
 * cancelled. The last three lines come at 1 s.
 */
#include <coro.h>
#include <stdio.h>

/* async def cancel_me(): */
typedef struct
{
  int unused;
} CancelMe;

static void cancel_me_caught (CoroTask *task, gpointer frame);

/* finally: print('cancel_me(): after sleep') */
static void
cancel_me_finally (gpointer data)
{
  printf ("cancel_me(): after sleep\n");
}

static void
cancel_me (CoroTask *task,
           gpointer  frame)
{
  printf ("cancel_me(): before sleep\n");            /* print('cancel_me(): before sleep') */
  coro_task_defer (task, cancel_me_finally, NULL);   /* try: ... finally: */
  /* Wait for 1 hour: await asyncio.sleep(3600) */
  coro_await_catch (task, coro_sleep (3600), cancel_me_caught);
}

static void
cancel_me_caught (CoroTask *task,
                  gpointer  frame)
{
  CoroFuture *sleep = coro_task_get_awaited (task);

  if (coro_future_cancelled (sleep))                 /* except asyncio.CancelledError: */
    printf ("cancel_me(): cancel sleep\n");          /* print('cancel_me(): cancel sleep') */
  if (coro_future_get_error (sleep) != NULL)
    {
      coro_task_return_error (task, g_error_copy (coro_future_get_error (sleep)));  /* raise */
      return;
    }
  coro_task_return (task);
}

/* async def main(): */
typedef struct
{
  CoroTask *child;
} Main;

static void main_cancel (CoroTask *task, gpointer frame);
static void main_caught (CoroTask *task, gpointer frame);

/* If main fails before awaiting its task, drop the reference it still holds. */
static void
main_release (gpointer data)
{
  Main *self = data;

  if (self->child != NULL)
    coro_future_unref (CORO_FUTURE (self->child));
}

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  Main *self = frame;

  coro_task_defer (task, main_release, self);
  /* Create a "cancel_me" Task: task = asyncio.create_task(cancel_me()) */
  self->child = CORO_CREATE_TASK (cancel_me, CancelMe);
  coro_await (task, coro_sleep (1), main_cancel);    /* await asyncio.sleep(1) */
}

static void
main_cancel (CoroTask *task,
             gpointer  frame)
{
  Main *self = frame;

  coro_task_cancel (self->child, NULL);              /* task.cancel() */
  /* try: await task */
  coro_await_catch (task, CORO_FUTURE (g_steal_pointer (&self->child)), main_caught);
}

static void
main_caught (CoroTask *task,
             gpointer  frame)
{
  CoroFuture *child = coro_task_get_awaited (task);

  if (coro_future_cancelled (child))                 /* except asyncio.CancelledError: */
    printf ("main(): cancel_me is cancelled now\n"); /* print("main(): cancel_me is ...") */
  else if (coro_future_get_error (child) != NULL)
    {
      coro_task_return_error (task, g_error_copy (coro_future_get_error (child)));
      return;
    }
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
      g_printerr ("cancel-me: %s\n", error->message);
      return 1;
    }
  return 0;
}
