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
            gpointer  frame G_GNUC_UNUSED)
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
count_callback (CoroFuture *future G_GNUC_UNUSED,
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
                gpointer  frame G_GNUC_UNUSED)
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

  g_assert_true (coro_run (CORO_FUTURE (CORO_CREATE_TASK (spawner_start, Spawner,
                                                          .leftover = &leftover,
                                                          .cancelled = &cancelled)),
                           NULL));
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
                  gpointer  frame G_GNUC_UNUSED)
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

/* A cancelled main task: FALSE with the cancellation and its message. */
static void
cancel_task (gpointer data)
{
  coro_task_cancel (data, "main cancelled");
}

static void
test_run_cancelled (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroTask *task = CORO_CREATE_TASK (value_start, Value, .delay = 3600, .value = 1);
  double start = coro_loop_time (loop);
  GError *error = NULL;

  coro_handle_unref (coro_loop_call_later (loop, 2, cancel_task, task, NULL));
  g_assert_false (coro_run (coro_future_ref (CORO_FUTURE (task)), &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "main cancelled");
  g_clear_error (&error);
  g_assert_true (coro_future_cancelled (CORO_FUTURE (task)));
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 2, 1e-6);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* A plain future completed by a timer callback. */
static void
complete_later (gpointer data)
{
  coro_future_set_double (data, 2.5, NULL);
}

static void
test_run_plain_future (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroFuture *future = coro_future_new ();
  double start = coro_loop_time (loop);

  coro_handle_unref (coro_loop_call_later (loop, 2, complete_later, future, NULL));
  coro_test_run (future);
  g_assert_cmpfloat (coro_future_get_double (future, NULL), ==, 2.5);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 2, 1e-6);
  coro_future_unref (future);
  CORO_TEST_END ();
}

/* Leftovers that do not stop at once: one catches the cancellation and finishes a
 * clean-up sleep, another starts a new task while being cancelled. coro_run returns once
 * all of them, the new one included, are done, and their clean-ups have run. */
typedef struct
{
  int       *cleanups;
  int       *caught;
  CoroTask **spawned;
  gboolean  *spawned_cancelled;
} Stubborn;

static void
count_cleanup (gpointer data)
{
  (*(int *) data)++;
}

static void
stubborn_done (CoroTask *task,
               gpointer  frame G_GNUC_UNUSED)
{
  coro_task_return_int (task, 99);
}

static void
stubborn_caught (CoroTask *task,
                 gpointer  frame)
{
  Stubborn *self = frame;

  g_assert_true (coro_future_cancelled (coro_task_get_awaited (task)));
  (*self->caught)++;
  if (self->spawned != NULL)
    {
      /* Started during the shutdown: it is cancelled too. */
      *self->spawned = CORO_CREATE_TASK (leftover_start, Leftover,
                                         .cancelled = self->spawned_cancelled);
      coro_task_return (task);
      return;
    }
  coro_task_uncancel (task);
  coro_await (task, coro_sleep (5), stubborn_done);
}

static void
stubborn_start (CoroTask *task,
                gpointer  frame)
{
  Stubborn *self = frame;

  coro_task_defer (task, count_cleanup, self->cleanups);
  coro_await_catch (task, coro_sleep (3600), stubborn_caught);
}

typedef struct
{
  Stubborn   stubborn;
  CoroTask **first;
  CoroTask **second;
} StubbornMain;

static void
stubborn_main (CoroTask *task,
               gpointer  frame)
{
  StubbornMain *self = frame;
  Stubborn plain = self->stubborn;

  plain.spawned = NULL;
  *self->first = coro_create_task (stubborn_start, &plain, sizeof plain);
  *self->second = coro_create_task (stubborn_start, &self->stubborn, sizeof self->stubborn);
  coro_await (task, coro_sleep (1), stubborn_done);
}

static void
test_run_stubborn_leftovers (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  int cleanups = 0, caught = 0;
  gboolean spawned_cancelled = FALSE;
  CoroTask *first = NULL, *second = NULL, *spawned = NULL;
  GPtrArray *all;

  g_assert_true (coro_run (CORO_FUTURE (CORO_CREATE_TASK (stubborn_main, StubbornMain,
                                                          .stubborn = { &cleanups, &caught,
                                                                        &spawned,
                                                                        &spawned_cancelled },
                                                          .first = &first,
                                                          .second = &second)),
                           NULL));
  /* Main ends at 1 s; the first leftover's clean-up sleep ends 5 s later. */
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 6, 1e-6);
  g_assert_cmpint (cleanups, ==, 2);
  g_assert_cmpint (caught, ==, 2);
  g_assert_true (coro_future_done (CORO_FUTURE (first)));
  g_assert_false (coro_future_cancelled (CORO_FUTURE (first)));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (first), NULL), ==, 99);
  /* The second caught its cancellation and returned normally: it succeeded. */
  g_assert_true (coro_future_done (CORO_FUTURE (second)));
  g_assert_false (coro_future_cancelled (CORO_FUTURE (second)));
  g_assert_true (coro_future_propagate (CORO_FUTURE (second), NULL));
  g_assert_nonnull (spawned);
  g_assert_true (spawned_cancelled);
  g_assert_true (coro_future_cancelled (CORO_FUTURE (spawned)));
  all = coro_all_tasks ();
  g_assert_cmpuint (all->len, ==, 0);
  g_ptr_array_unref (all);
  coro_future_unref (CORO_FUTURE (first));
  coro_future_unref (CORO_FUTURE (second));
  coro_future_unref (CORO_FUTURE (spawned));
  CORO_TEST_END ();
}

/* coro_run from a plain callback of the running loop is refused too. */
static void
run_from_callback (gpointer data)
{
  GError **error = data;

  g_assert_false (coro_run (coro_future_new (), error));
}

static void
test_run_nested_from_callback (void)
{
  CORO_TEST_BEGIN ();
  GError *error = NULL;

  coro_handle_unref (coro_loop_call_soon (coro_loop_get_default (), run_from_callback, &error,
                                          NULL));
  coro_test_yield ();
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  CORO_TEST_END ();
}

/* Done callbacks registered during the run, by a step, before the future is done. */
typedef struct
{
  int *count;
} SelfWatch;

static void
self_watch_start (CoroTask *task,
                  gpointer  frame)
{
  SelfWatch *self = frame;

  coro_future_add_done_callback (CORO_FUTURE (task), count_callback, self->count, NULL);
  coro_future_add_done_callback (CORO_FUTURE (task), count_callback, self->count, NULL);
  coro_task_return_boolean (task, TRUE);
}

static void
test_run_callbacks_added_by_step (void)
{
  CORO_TEST_BEGIN ();
  int count = 0;
  CoroTask *task = CORO_CREATE_TASK (self_watch_start, SelfWatch, .count = &count);

  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (count, ==, 2);
  g_assert_true (coro_future_get_boolean (CORO_FUTURE (task), NULL));
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* A done callback that registers another one on the same, done, future: the second is
 * registered before coro_run returns, so it has run when it returns, even when the first
 * runs in the last pass one dispatch of the loop allows (the future is completed at every
 * offset from the start of the run, to meet that pass). */
typedef struct
{
  CoroFuture *future;
  int         left;
  int         second_ran;
} Chained;

static void
chained_second (CoroFuture *future G_GNUC_UNUSED,
                gpointer    data)
{
  ((Chained *) data)->second_ran++;
}

static void
chained_first (CoroFuture *future,
               gpointer    data)
{
  coro_future_add_done_callback (future, chained_second, data, NULL);
}

static void
chained_tick (gpointer data)
{
  Chained *chained = data;

  if (--chained->left > 0)
    coro_handle_unref (coro_loop_call_soon (coro_loop_get_default (), chained_tick, chained,
                                            NULL));
  else
    coro_future_set_none (chained->future, NULL);
}

static void
test_run_callbacks_added_by_callbacks (void)
{
  CORO_TEST_BEGIN ();

  for (int offset = 1; offset <= 140; offset++)
    {
      Chained chained = { coro_future_new (), offset, 0 };

      coro_future_add_done_callback (chained.future, chained_first, &chained, NULL);
      coro_handle_unref (coro_loop_call_soon (coro_loop_get_default (), chained_tick, &chained,
                                              NULL));
      coro_test_run (chained.future);
      g_assert_cmpint (chained.second_ran, ==, 1);
      coro_future_unref (chained.future);
    }
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
  g_test_add_func ("/run/cancelled", test_run_cancelled);
  g_test_add_func ("/run/plain-future", test_run_plain_future);
  g_test_add_func ("/run/stubborn-leftovers", test_run_stubborn_leftovers);
  g_test_add_func ("/run/nested-from-callback", test_run_nested_from_callback);
  g_test_add_func ("/run/callbacks-added-by-step", test_run_callbacks_added_by_step);
  g_test_add_func ("/run/callbacks-added-by-callbacks", test_run_callbacks_added_by_callbacks);

  return g_test_run ();
}
