/* test-wait-for.c: coro_wait_for, asyncio 3.12 semantics
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

typedef struct
{
  double delay;
  double ignore_for;   /* > 0: catch the cancellation, sleep this long, return 7 */
  gboolean *saw_cancel;
} Inner;

static void inner_end (CoroTask *task, gpointer frame);
static void inner_late (CoroTask *task, gpointer frame);

static void
inner_start (CoroTask *task,
             gpointer  frame)
{
  Inner *self = frame;

  coro_await_catch (task, coro_sleep (self->delay), inner_end);
}

static void
inner_end (CoroTask *task,
           gpointer  frame)
{
  Inner *self = frame;
  CoroFuture *sleep = coro_task_get_awaited (task);

  if (coro_future_cancelled (sleep))
    {
      if (self->saw_cancel != NULL)
        *self->saw_cancel = TRUE;
      if (self->ignore_for > 0)
        {
          coro_task_uncancel (task);
          coro_await (task, coro_sleep (self->ignore_for), inner_late);
          return;
        }
      coro_task_return_error (task, g_error_copy (coro_future_get_error (sleep)));
      return;
    }
  coro_task_return_int (task, 42);
}

static void
inner_late (CoroTask *task,
            gpointer  frame)
{
  coro_task_return_int (task, 7);
}

#define INNER(...) CORO_FUTURE (CORO_CREATE_TASK (inner_start, Inner, __VA_ARGS__))

static void
test_wait_for_in_time (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroFuture *wait = coro_wait_for (INNER (.delay = 1), 2);

  coro_test_run (wait);
  g_assert_cmpint (coro_future_get_int (wait, NULL), ==, 42);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 1, 1e-9);
  coro_future_unref (wait);
  CORO_TEST_END ();
}

static void
test_wait_for_timeout (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  gboolean saw_cancel = FALSE;
  CoroFuture *inner = INNER (.delay = 3600, .saw_cancel = &saw_cancel);
  CoroFuture *wait = coro_wait_for (coro_future_ref (inner), 1.5);

  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_TIMEOUT);
  /* The inner was cancelled and waited for before the timeout was reported. */
  g_assert_true (saw_cancel);
  g_assert_true (coro_future_cancelled (inner));
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 1.5, 1e-9);
  coro_future_unref (inner);
  coro_future_unref (wait);
  CORO_TEST_END ();
}

static void
test_wait_for_done_future_zero_timeout (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *done = coro_future_new ();
  CoroFuture *wait;

  coro_future_set_string (done, "now", NULL);
  wait = coro_wait_for (coro_future_ref (done), 0);
  coro_test_run (wait);
  g_assert_cmpstr (coro_future_get_string (wait, NULL), ==, "now");
  coro_future_unref (wait);

  /* A pending future with timeout <= 0 times out at once. */
  {
    CoroLoop *loop = coro_loop_get_default ();
    double start = coro_loop_time (loop);
    CoroFuture *pending = coro_future_new ();

    wait = coro_wait_for (coro_future_ref (pending), -1);
    coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_TIMEOUT);
    g_assert_true (coro_future_cancelled (pending));
    g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 0, 1e-6);
    coro_future_unref (pending);
    coro_future_unref (wait);
  }
  coro_future_unref (done);
  CORO_TEST_END ();
}

static void
test_wait_for_inner_ignores_cancel (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  gboolean saw_cancel = FALSE;
  CoroFuture *wait = coro_wait_for (INNER (.delay = 3600, .ignore_for = 2, .saw_cancel = &saw_cancel), 1);

  /* 3.12: wait_for waits for the inner; if the inner swallows the cancellation and
   * returns, its result is the result (no TimeoutError: nothing was lost). */
  coro_test_run (wait);
  g_assert_true (saw_cancel);
  g_assert_cmpint (coro_future_get_int (wait, NULL), ==, 7);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 3, 1e-9);
  coro_future_unref (wait);
  CORO_TEST_END ();
}

static void
cancel_it (gpointer data)
{
  g_assert_true (coro_future_cancel (data, "outer"));
}

static void
test_wait_for_cancel_outer (void)
{
  CORO_TEST_BEGIN ();
  gboolean saw_cancel = FALSE;
  CoroFuture *inner = INNER (.delay = 3600, .saw_cancel = &saw_cancel);
  CoroFuture *wait = coro_wait_for (coro_future_ref (inner), 100);

  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, cancel_it, wait, NULL));
  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_true (saw_cancel);
  g_assert_true (coro_future_cancelled (inner));
  coro_future_unref (inner);
  coro_future_unref (wait);
  CORO_TEST_END ();
}

static void
test_wait_for_inner_fails (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *failed = coro_future_new ();
  CoroFuture *wait = coro_wait_for (coro_future_ref (failed), 5);

  coro_future_set_error (failed, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "closed"), NULL);
  coro_test_run_fails (wait, G_IO_ERROR, G_IO_ERROR_CLOSED);
  coro_future_unref (failed);
  coro_future_unref (wait);
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/wait-for/in-time", test_wait_for_in_time);
  g_test_add_func ("/wait-for/timeout", test_wait_for_timeout);
  g_test_add_func ("/wait-for/done-future-zero-timeout", test_wait_for_done_future_zero_timeout);
  g_test_add_func ("/wait-for/inner-ignores-cancel", test_wait_for_inner_ignores_cancel);
  g_test_add_func ("/wait-for/cancel-outer", test_wait_for_cancel_outer);
  g_test_add_func ("/wait-for/inner-fails", test_wait_for_inner_fails);

  return g_test_run ();
}
