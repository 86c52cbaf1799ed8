/* test-shield.c: coro_shield
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

static void
cancel_it (gpointer data)
{
  g_assert_true (coro_future_cancel (data, "outer"));
}

static void
set_later (gpointer data)
{
  coro_future_set_int (data, 11, NULL);
}

/* Lets @seconds of virtual time pass. */
static void
sleep_for (double seconds)
{
  CoroFuture *sleep = coro_sleep (seconds);

  coro_test_run (sleep);
  coro_future_unref (sleep);
}

/* Runs @future and asserts that it ends cancelled with @message. */
static void
assert_cancelled_with (CoroFuture *future,
                       const char *message)
{
  coro_test_run_fails (future, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_true (coro_future_cancelled (future));
  g_assert_cmpstr (coro_future_get_error (future)->message, ==, message);
}

static void
test_shield_cancel_spares_inner (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroFuture *inner = coro_future_new ();
  CoroFuture *shield = coro_shield (coro_future_ref (inner));

  coro_handle_unref (coro_loop_call_later (loop, 1, cancel_it, shield, NULL));
  coro_handle_unref (coro_loop_call_later (loop, 2, set_later, inner, NULL));
  coro_test_run_fails (shield, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_true (coro_future_cancelled (shield));
  g_assert_false (coro_future_done (inner));
  /* The inner goes on and completes. */
  sleep_for (3);
  g_assert_cmpint (coro_future_get_int (inner, NULL), ==, 11);
  coro_test_unref_all (inner, shield, NULL);
  CORO_TEST_END ();
}

static void
test_shield_forwards_result (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *inner = coro_future_new ();
  CoroFuture *shield = coro_shield (coro_future_ref (inner));

  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, set_later, inner, NULL));
  coro_test_run (shield);
  g_assert_cmpint (coro_future_get_int (shield, NULL), ==, 11);
  coro_test_unref_all (inner, shield, NULL);

  /* A done inner: the shield is done at once or on the next pass. */
  inner = coro_future_new ();
  coro_future_set_string (inner, "done", NULL);
  shield = coro_shield (coro_future_ref (inner));
  coro_test_run (shield);
  g_assert_cmpstr (coro_future_get_string (shield, NULL), ==, "done");
  coro_test_unref_all (inner, shield, NULL);
  CORO_TEST_END ();
}

static void
test_shield_forwards_error (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *inner = coro_future_new ();
  CoroFuture *shield = coro_shield (coro_future_ref (inner));

  coro_future_set_error (inner, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BUSY, "busy"), NULL);
  coro_test_run_fails (shield, G_IO_ERROR, G_IO_ERROR_BUSY);
  coro_test_unref_all (inner, shield, NULL);
  CORO_TEST_END ();
}

static void
test_shield_inner_cancelled (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *inner = coro_future_new ();
  CoroFuture *shield = coro_shield (coro_future_ref (inner));

  coro_future_cancel (inner, "inside");
  assert_cancelled_with (shield, "inside");
  coro_test_unref_all (inner, shield, NULL);
  CORO_TEST_END ();
}

/* asyncio's classic: a task awaiting a shielded task is cancelled; the work runs on. */
typedef struct
{
  double delay;
} Work;

static void
work_done (CoroTask *task,
           gpointer  frame)
{
  coro_task_return_int (task, 5);
}

static void
work_start (CoroTask *task,
            gpointer  frame)
{
  Work *self = frame;

  coro_await (task, coro_sleep (self->delay), work_done);
}

typedef struct
{
  CoroFuture *work;
} Caller;

static void
caller_never (CoroTask *task,
              gpointer  frame)
{
  g_assert_not_reached ();
}

static void
caller_start (CoroTask *task,
              gpointer  frame)
{
  Caller *self = frame;

  coro_await (task, coro_shield (coro_future_ref (self->work)), caller_never);
}

static void
cancel_task (gpointer data)
{
  g_assert_true (coro_task_cancel (data, "caller"));
}

static void
record_time (CoroFuture *future,
             gpointer    user_data)
{
  *(double *) user_data = coro_loop_time (coro_loop_get_default ());
}

static void
test_shield_task_cancelled (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  double caller_end = 0, work_end = 0;
  CoroFuture *work = CORO_FUTURE (CORO_CREATE_TASK (work_start, Work, .delay = 3));
  CoroTask *caller = CORO_CREATE_TASK (caller_start, Caller, .work = work);
  CoroFuture *both[] = { CORO_FUTURE (caller), work };
  CoroFuture *gather = coro_gatherv (both, 2, CORO_GATHER_RETURN_EXCEPTIONS);

  coro_future_add_done_callback (CORO_FUTURE (caller), record_time, &caller_end, NULL);
  coro_future_add_done_callback (work, record_time, &work_end, NULL);
  coro_handle_unref (coro_loop_call_later (loop, 1, cancel_task, caller, NULL));
  coro_test_run (gather);
  g_assert_true (coro_future_cancelled (CORO_FUTURE (caller)));
  g_assert_cmpstr (coro_future_get_error (CORO_FUTURE (caller))->message, ==, "caller");
  g_assert_cmpint (coro_future_get_int (work, NULL), ==, 5);
  g_assert_cmpfloat_with_epsilon (caller_end - start, 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (work_end - start, 3, 1e-9);
  coro_test_unref_all (work, CORO_FUTURE (caller), gather, NULL);
  CORO_TEST_END ();
}

/* Cancelled shield, inner fails later: the shield stays cancelled, the inner keeps its
 * error and nothing else happens. */
static void
fail_later (gpointer data)
{
  coro_future_set_error (data, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "late"), NULL);
}

static void
test_shield_cancelled_then_inner_fails (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroFuture *inner = coro_future_new ();
  CoroFuture *shield = coro_shield (coro_future_ref (inner));

  g_assert_true (coro_future_cancel (shield, "outer"));
  g_assert_false (coro_future_cancel (shield, "again"));
  coro_handle_unref (coro_loop_call_later (loop, 1, fail_later, inner, NULL));
  sleep_for (2);
  g_assert_true (coro_future_cancelled (shield));
  g_assert_cmpstr (coro_future_get_error (shield)->message, ==, "outer");
  g_assert_error (coro_future_get_error (inner), G_IO_ERROR, G_IO_ERROR_FAILED);
  coro_test_unref_all (inner, shield, NULL);
  CORO_TEST_END ();
}

/* Done inners: the shield has their outcome, message included. */
static void
test_shield_done_inner (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *inner = coro_future_new ();
  CoroFuture *shield;

  coro_future_set_error (inner, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BUSY, "busy"), NULL);
  shield = coro_shield (coro_future_ref (inner));
  coro_test_run_fails (shield, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_cmpstr (coro_future_get_error (shield)->message, ==, "busy");
  coro_test_unref_all (inner, shield, NULL);

  inner = coro_future_new ();
  coro_future_cancel (inner, "inside");
  shield = coro_shield (coro_future_ref (inner));
  assert_cancelled_with (shield, "inside");
  coro_test_unref_all (inner, shield, NULL);
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/shield/cancel-spares-inner", test_shield_cancel_spares_inner);
  g_test_add_func ("/shield/forwards-result", test_shield_forwards_result);
  g_test_add_func ("/shield/forwards-error", test_shield_forwards_error);
  g_test_add_func ("/shield/inner-cancelled", test_shield_inner_cancelled);

  g_test_add_func ("/shield/task-cancelled", test_shield_task_cancelled);
  g_test_add_func ("/shield/cancelled-then-inner-fails", test_shield_cancelled_then_inner_fails);
  g_test_add_func ("/shield/done-inner", test_shield_done_inner);

  return g_test_run ();
}
