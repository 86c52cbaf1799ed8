/* test-run.c: coro_run, asyncio.run's semantics
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

typedef struct
{
  double delay;
  gint64 value;
} Value;

static void
value_end (CoroTask *task,
           gpointer  frame)
{
  Value *self = frame;

  coro_task_return_int (task, self->value);
}

static void
value_start (CoroTask *task,
             gpointer  frame)
{
  Value *self = frame;

  coro_await (task, coro_sleep (self->delay), value_end);
}

static void
test_run_result (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (value_start, Value, .delay = 2, .value = 5);
  GError *error = NULL;

  g_assert_true (coro_run (coro_future_ref (CORO_FUTURE (task)), &error));
  g_assert_no_error (error);
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 5);
  coro_future_unref (CORO_FUTURE (task));

  /* coro_run owns what it is given: nothing to release here. */
  g_assert_true (coro_run (CORO_FUTURE (CORO_CREATE_TASK (value_start, Value, .delay = 1)), NULL));
  CORO_TEST_END ();
}

static void
fail_start (CoroTask *task,
            gpointer  frame)
{
  coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad data");
}

static void
test_run_error (void)
{
  CORO_TEST_BEGIN ();
  GError *error = NULL;

  g_assert_false (coro_run (CORO_FUTURE (CORO_CREATE_TASK (fail_start, Value, 0)), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "bad data");
  g_clear_error (&error);
  /* A NULL error location is fine. */
  g_assert_false (coro_run (CORO_FUTURE (CORO_CREATE_TASK (fail_start, Value, 0)), NULL));
  CORO_TEST_END ();
}

static void
count_callback (CoroFuture *future,
                gpointer    user_data)
{
  (*(int *) user_data)++;
}

static void
test_run_callbacks_have_run (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (value_start, Value, .delay = 1, .value = 1);
  int count = 0;

  coro_future_add_done_callback (CORO_FUTURE (task), count_callback, &count, NULL);
  coro_future_add_done_callback (CORO_FUTURE (task), count_callback, &count, NULL);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (count, ==, 2);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Leftover tasks are cancelled and drained. */
typedef struct
{
  gboolean *cancelled;
} Leftover;

static void
leftover_end (CoroTask *task,
              gpointer  frame)
{
  Leftover *self = frame;
  CoroFuture *sleep = coro_task_get_awaited (task);

  *self->cancelled = coro_future_cancelled (sleep);
  coro_task_return_error (task, g_error_copy (coro_future_get_error (sleep)));
}

static void
leftover_start (CoroTask *task,
                gpointer  frame)
{
  coro_await_catch (task, coro_sleep (3600), leftover_end);
}

typedef struct
{
  CoroTask **leftover;
  gboolean *cancelled;
} Spawner;

static void
spawner_start (CoroTask *task,
               gpointer  frame)
{
  Spawner *self = frame;

  *self->leftover = CORO_CREATE_TASK (leftover_start, Leftover, .cancelled = self->cancelled);
  coro_await (task, coro_sleep (1), value_end);
}

static void
test_run_cancels_leftovers (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *leftover = NULL;
  gboolean cancelled = FALSE;
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  g_autoptr(GPtrArray) all = NULL;

  g_assert_true (coro_run (CORO_FUTURE (CORO_CREATE_TASK (spawner_start, Spawner, .leftover = &leftover,
                                                          .cancelled = &cancelled)), NULL));
  g_assert_nonnull (leftover);
  /* The leftover saw its cancellation, ran to its end, and is done. */
  g_assert_true (cancelled);
  g_assert_true (coro_future_done (CORO_FUTURE (leftover)));
  g_assert_true (coro_future_cancelled (CORO_FUTURE (leftover)));
  g_assert_cmpfloat (coro_loop_time (loop) - start, <, 2);
  all = coro_all_tasks ();
  g_assert_cmpuint (all->len, ==, 0);
  coro_future_unref (CORO_FUTURE (leftover));

  /* A second run afterwards works. */
  g_assert_true (coro_run (CORO_FUTURE (CORO_CREATE_TASK (value_start, Value, .delay = 1)), NULL));
  CORO_TEST_END ();
}

static void
nested_run_start (CoroTask *task,
                  gpointer  frame)
{
  GError *error = NULL;
  CoroFuture *future = coro_future_new ();

  /* asyncio.run() cannot be called from a running event loop; the future is released. */
  g_assert_false (coro_run (future, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  coro_task_return (task);
}

static void
test_run_nested_refused (void)
{
  CORO_TEST_BEGIN ();
  g_assert_true (coro_run (CORO_FUTURE (CORO_CREATE_TASK (nested_run_start, Value, 0)), NULL));
  CORO_TEST_END ();
}

static void
test_run_done_future (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *done = coro_future_new ();
  guint64 passes = coro_loop_get_pass_count (coro_loop_get_default ());

  coro_future_set_int (done, 3, NULL);
  coro_test_run (done);
  g_assert_cmpint (coro_future_get_int (done, NULL), ==, 3);
  g_assert_cmpuint (coro_loop_get_pass_count (coro_loop_get_default ()) - passes, <=, 1);
  coro_future_unref (done);

  /* A cancelled future fails with the cancellation. */
  done = coro_future_new ();
  coro_future_cancel (done, NULL);
  coro_test_run_fails (done, CORO_ERROR, CORO_ERROR_CANCELLED);
  coro_future_unref (done);
  CORO_TEST_END ();
}

static void
test_run_other_loop_future (void)
{
  CORO_TEST_BEGIN ();
  GMainContext *context = g_main_context_new ();
  CoroFuture *foreign = coro_future_new_for_loop (coro_loop_get_for_context (context));
  GError *error = NULL;

  /* The future belongs to another context's loop than the thread-default one. */
  g_assert_false (coro_run (coro_future_ref (foreign), &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  coro_future_unref (foreign);
  g_main_context_unref (context);
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/run/result", test_run_result);
  g_test_add_func ("/run/error", test_run_error);
  g_test_add_func ("/run/callbacks-have-run", test_run_callbacks_have_run);
  g_test_add_func ("/run/cancels-leftovers", test_run_cancels_leftovers);
  g_test_add_func ("/run/nested-refused", test_run_nested_refused);
  g_test_add_func ("/run/done-future", test_run_done_future);
  g_test_add_func ("/run/other-loop-future", test_run_other_loop_future);

  return g_test_run ();
}
