/* test-wait-for.c: coro_wait_for, asyncio 3.12 semantics
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

typedef struct
{
  double delay;
  double ignore_for;   /* > 0: catch the cancellation, sleep this long, return 7 */
  double cleanup;      /* > 0: catch the cancellation, sleep this long, end cancelled */
  gboolean fail_late;  /* with ignore_for: fail instead of returning 7 */
  gboolean *saw_cancel;
} Inner;

static void inner_end (CoroTask *task, gpointer frame);
static void inner_late (CoroTask *task, gpointer frame);
static void inner_cleaned_up (CoroTask *task, gpointer frame);

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
      if (self->cleanup > 0)
        {
          coro_await (task, coro_sleep (self->cleanup), inner_cleaned_up);
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
  Inner *self = frame;

  if (self->fail_late)
    coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "late failure");
  else
    coro_task_return_int (task, 7);
}

/* The clean-up is over: let the cancellation go on (asyncio's `raise` in an except). */
static void
inner_cleaned_up (CoroTask *task,
                  gpointer  frame)
{
  coro_task_return_new_error (task, CORO_ERROR, CORO_ERROR_CANCELLED, "cleaned up");
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
  g_assert_true (coro_future_cancelled (wait));
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

/* The inner takes 2 s to clean up after the cancellation: wait_for waits for it and
 * reports the timeout then, not at the deadline. */
static void
probe_pending (gpointer data)
{
  g_assert_false (coro_future_done (data));
}

static void
test_wait_for_waits_for_cleanup (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  gboolean saw_cancel = FALSE;
  CoroFuture *inner = INNER (.delay = 3600, .cleanup = 2, .saw_cancel = &saw_cancel);
  CoroFuture *wait = coro_wait_for (coro_future_ref (inner), 1);

  coro_handle_unref (coro_loop_call_later (loop, 2.5, probe_pending, wait, NULL));
  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_TIMEOUT);
  g_assert_true (saw_cancel);
  g_assert_true (coro_future_cancelled (inner));
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 3, 1e-9);
  coro_future_unref (inner);
  coro_future_unref (wait);
  CORO_TEST_END ();
}

/* An inner that swallows the cancellation and then fails: its error, not a timeout. */
static void
test_wait_for_inner_fails_after_cancel (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroFuture *wait = coro_wait_for (INNER (.delay = 3600, .ignore_for = 1, .fail_late = TRUE), 2);

  coro_test_run_fails (wait, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 3, 1e-9);
  coro_future_unref (wait);
  CORO_TEST_END ();
}

/* Timeout <= 0 on done futures: their outcome, whatever it is. */
static void
test_wait_for_zero_timeout_done_outcomes (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *failed = coro_future_new ();
  CoroFuture *cancelled = coro_future_new ();
  CoroFuture *wait;

  coro_future_set_error (failed, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "closed"),
                         NULL);
  wait = coro_wait_for (coro_future_ref (failed), 0);
  coro_test_run_fails (wait, G_IO_ERROR, G_IO_ERROR_CLOSED);
  coro_future_unref (wait);

  coro_future_cancel (cancelled, "gone");
  wait = coro_wait_for (coro_future_ref (cancelled), -5);
  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_true (coro_future_cancelled (wait));
  coro_future_unref (wait);

  coro_future_unref (failed);
  coro_future_unref (cancelled);
  CORO_TEST_END ();
}

/* Timeout 0 on a task that has not run yet: it never runs (asyncio cancels it before its
 * first step), so the wait times out at once. */
static void
test_wait_for_zero_timeout_unstarted (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  gboolean saw_cancel = FALSE;
  CoroFuture *inner = INNER (.delay = 3600, .ignore_for = 4, .saw_cancel = &saw_cancel);
  CoroFuture *wait = coro_wait_for (coro_future_ref (inner), 0);

  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_TIMEOUT);
  g_assert_false (saw_cancel);
  g_assert_true (coro_future_cancelled (inner));
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 0, 1e-9);
  coro_future_unref (inner);
  coro_future_unref (wait);
  CORO_TEST_END ();
}

/* Timeout 0 on a running task that swallows the cancellation: its value (3.12). */
typedef struct
{
  CoroFuture *inner;
} Driver;

static void
driver_got (CoroTask *task,
            gpointer  frame)
{
  coro_task_return_int (task, coro_future_get_int (coro_task_get_awaited (task), NULL));
}

static void
driver_wait (CoroTask *task,
             gpointer  frame)
{
  Driver *self = frame;

  coro_await (task, coro_wait_for (coro_future_ref (self->inner), 0), driver_got);
}

static void
driver_start (CoroTask *task,
              gpointer  frame)
{
  /* One pass: the inner runs its first step and is now awaiting its sleep. */
  coro_await (task, coro_sleep (0), driver_wait);
}

static void
test_wait_for_zero_timeout_ignored (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  gboolean saw_cancel = FALSE;
  CoroFuture *inner = INNER (.delay = 3600, .ignore_for = 4, .saw_cancel = &saw_cancel);
  CoroTask *driver = CORO_CREATE_TASK (driver_start, Driver, .inner = inner);

  coro_test_run (CORO_FUTURE (driver));
  g_assert_true (saw_cancel);
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (driver), NULL), ==, 7);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 4, 1e-9);
  coro_future_unref (inner);
  coro_future_unref (CORO_FUTURE (driver));
  CORO_TEST_END ();
}

/* A task that catches the timeout is not itself cancelled and carries on. */
typedef struct
{
  double timed_out_at;
} Caller;

static void
caller_done (CoroTask *task,
             gpointer  frame)
{
  coro_task_return_string (task, "carried on");
}

static void
caller_timed_out (CoroTask *task,
                  gpointer  frame)
{
  Caller *self = frame;

  g_assert_error (coro_future_get_error (coro_task_get_awaited (task)),
                  CORO_ERROR, CORO_ERROR_TIMEOUT);
  g_assert_cmpuint (coro_task_cancelling (task), ==, 0);
  self->timed_out_at = coro_loop_time (coro_loop_get_default ());
  coro_await (task, coro_sleep (1), caller_done);
}

static void
caller_start (CoroTask *task,
              gpointer  frame)
{
  coro_await_catch (task, coro_wait_for (coro_sleep (3600), 2), caller_timed_out);
}

static void
test_wait_for_caught_in_task (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroTask *task = CORO_CREATE_TASK (caller_start, Caller, 0);

  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpstr (coro_future_get_string (CORO_FUTURE (task), NULL), ==, "carried on");
  g_assert_cmpfloat_with_epsilon (((Caller *) coro_task_get_frame (task))->timed_out_at - start,
                                  2, 1e-9);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 3, 1e-9);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Cancelling a task awaiting a wait_for cancels the inner and ends the task cancelled,
 * not timed out. */
typedef struct
{
  CoroFuture *inner;
} Waiter;

static void
waiter_never (CoroTask *task,
              gpointer  frame)
{
  g_assert_not_reached ();
}

static void
waiter_start (CoroTask *task,
              gpointer  frame)
{
  Waiter *self = frame;

  coro_await (task, coro_wait_for (coro_future_ref (self->inner), 10), waiter_never);
}

static void
cancel_task (gpointer data)
{
  g_assert_true (coro_task_cancel (data, "task"));
}

static void
test_wait_for_task_cancelled (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  gboolean saw_cancel = FALSE;
  CoroFuture *inner = INNER (.delay = 3600, .saw_cancel = &saw_cancel);
  CoroTask *task = CORO_CREATE_TASK (waiter_start, Waiter, .inner = inner);
  GError *error = NULL;

  coro_handle_unref (coro_loop_call_later (loop, 1, cancel_task, task, NULL));
  g_assert_false (coro_run (coro_future_ref (CORO_FUTURE (task)), &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "task");
  g_clear_error (&error);
  g_assert_true (saw_cancel);
  g_assert_true (coro_future_cancelled (inner));
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 1, 1e-9);
  coro_future_unref (inner);
  coro_future_unref (CORO_FUTURE (task));
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

  g_test_add_func ("/wait-for/waits-for-cleanup", test_wait_for_waits_for_cleanup);
  g_test_add_func ("/wait-for/inner-fails-after-cancel", test_wait_for_inner_fails_after_cancel);
  g_test_add_func ("/wait-for/zero-timeout-done-outcomes",
                   test_wait_for_zero_timeout_done_outcomes);
  g_test_add_func ("/wait-for/zero-timeout-unstarted", test_wait_for_zero_timeout_unstarted);
  g_test_add_func ("/wait-for/zero-timeout-ignored", test_wait_for_zero_timeout_ignored);
  g_test_add_func ("/wait-for/caught-in-task", test_wait_for_caught_in_task);
  g_test_add_func ("/wait-for/task-cancelled", test_wait_for_task_cancelled);

  return g_test_run ();
}
