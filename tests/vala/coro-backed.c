/* coro-backed.c: a C library's async pair implemented by a Coro coroutine, for
 * test-gio.vala
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <coro.h>

void slow_square_async (gint64 n, GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data);
gint64 slow_square_finish (GAsyncResult *result, GError **error);

typedef struct
{
  gint64 n;
} SlowSquare;

static void
slow_square_return (CoroTask *task,
                    gpointer  frame)
{
  SlowSquare *f = frame;

  if (f->n < 0)
    coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "negative");
  else
    coro_task_return_int (task, f->n * f->n);
}

static void
slow_square (CoroTask *task,
             gpointer  frame)
{
  SlowSquare *f = frame;

  /* 3 and up take an hour: long enough to be cancelled. */
  coro_await (task, coro_sleep (f->n >= 3 ? 3600 : 0.01), slow_square_return);
}

void
slow_square_async (gint64               n,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  CoroTask *task = CORO_CREATE_TASK (slow_square, SlowSquare, .n = n);

  coro_future_to_gtask (CORO_FUTURE (task), NULL, cancellable, callback, user_data);
}

gint64
slow_square_finish (GAsyncResult  *result,
                    GError       **error)
{
  return coro_gtask_propagate_int (result, error);
}
