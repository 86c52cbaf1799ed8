/* test-exception-handler.c: the loop's exception handler and unretrieved errors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

typedef struct
{
  int code;
} Fail;

static void
fail_step (CoroTask *task,
           gpointer  frame)
{
  Fail *f = frame;

  coro_task_return_new_error (task, G_IO_ERROR, f->code, "boom %d", f->code);
}

static CoroTask *
failed_task (const char *name,
             int         code)
{
  CoroTask *task = CORO_CREATE_TASK (fail_step, Fail, .code = code);

  if (name != NULL)
    coro_task_set_name (task, name);
  coro_test_yield ();
  g_assert_true (coro_future_done (CORO_FUTURE (task)));
  return task;
}

static void
test_task_dropped (void)
{
  CORO_TEST_BEGIN ();
  CoroTestReports r;
  CoroTask *task;

  coro_test_reports_install (&r);
  task = failed_task ("dropper", G_IO_ERROR_NOT_FOUND);
  /* Nothing until the last reference goes. */
  g_assert_cmpuint (r.calls, ==, 0);
  coro_future_unref (CORO_FUTURE (task));
  /* A custom handler runs in the next pass, with the task alive until then. */
  g_assert_cmpuint (r.calls, ==, 0);
  coro_test_yield ();
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_cmpstr (r.message, ==, "Task exception was never retrieved");
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (r.error->message, ==, "boom 1");
  g_assert_cmpstr (r.task_name, ==, "dropper");
  g_assert_true (r.had_future);
  coro_test_yield ();
  g_assert_cmpuint (r.calls, ==, 1);
  coro_test_reports_uninstall (&r);
  CORO_TEST_END ();
}

static void
test_task_retrieved (void)
{
  CORO_TEST_BEGIN ();
  CoroTestReports r;
  CoroTask *task;
  GError *error = NULL;

  coro_test_reports_install (&r);
  task = failed_task (NULL, G_IO_ERROR_FAILED);
  g_assert_false (coro_future_propagate (CORO_FUTURE (task), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  coro_future_unref (CORO_FUTURE (task));

  /* coro_future_get_error() is asyncio's exception(): it retrieves too. */
  task = failed_task (NULL, G_IO_ERROR_FAILED);
  g_assert_nonnull (coro_future_get_error (CORO_FUTURE (task)));
  coro_future_unref (CORO_FUTURE (task));

  /* So does coro_run(). */
  task = CORO_CREATE_TASK (fail_step, Fail, .code = G_IO_ERROR_EXISTS);
  coro_test_run_fails (CORO_FUTURE (task), G_IO_ERROR, G_IO_ERROR_EXISTS);
  coro_future_unref (CORO_FUTURE (task));

  g_assert_cmpuint (r.calls, ==, 0);
  coro_test_reports_uninstall (&r);
  CORO_TEST_END ();
}

static void
await_step (CoroTask *task,
            gpointer  frame)
{
  coro_await (task, coro_sleep (3600), NULL);
}

static void
test_cancelled_never (void)
{
  CORO_TEST_BEGIN ();
  CoroTestReports r;
  CoroTask *task;
  CoroFuture *future;

  coro_test_reports_install (&r);
  task = CORO_CREATE_TASK (await_step, Fail, .code = 0);
  g_assert_true (coro_task_cancel (task, "stop"));
  coro_test_yield ();
  g_assert_true (coro_future_cancelled (CORO_FUTURE (task)));
  coro_future_unref (CORO_FUTURE (task));

  /* Cancelled while awaiting, by coro_run()'s clean-up of leftover tasks. */
  task = CORO_CREATE_TASK (await_step, Fail, .code = 0);
  coro_test_yield ();
  g_assert_true (coro_future_cancelled (CORO_FUTURE (task)));
  coro_future_unref (CORO_FUTURE (task));

  future = coro_future_new ();
  g_assert_true (coro_future_cancel (future, NULL));
  coro_future_unref (future);

  /* GIO's cancellation counts as cancellation, even as a plain failure. */
  future = coro_future_new ();
  coro_future_set_error (future, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x"),
                         NULL);
  coro_future_unref (future);

  g_assert_cmpuint (r.calls, ==, 0);
  coro_test_reports_uninstall (&r);
  CORO_TEST_END ();
}

static void
test_future_dropped (void)
{
  CORO_TEST_BEGIN ();
  CoroTestReports r;
  CoroFuture *future = coro_future_new ();
  CoroFuture *ok = coro_future_new ();

  coro_test_reports_install (&r);
  coro_future_set_error (future, g_error_new_literal (CORO_ERROR, CORO_ERROR_FAILED, "bad"),
                         NULL);
  coro_future_set_int (ok, 1, NULL);
  coro_future_unref (ok);
  g_assert_cmpuint (r.calls, ==, 0);
  coro_future_unref (future);
  coro_test_yield ();
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_cmpstr (r.message, ==, "Future exception was never retrieved");
  g_assert_error (r.error, CORO_ERROR, CORO_ERROR_FAILED);
  g_assert_null (r.task_name);
  g_assert_true (r.had_future);
  coro_test_reports_uninstall (&r);
  CORO_TEST_END ();
}

/* A handler may keep the future: it lives on, and is not reported a second time. */
static void
test_handler_keeps_future (void)
{
  CORO_TEST_BEGIN ();
  CoroTestReports r;
  CoroTask *task;
  GError *error = NULL;

  coro_test_reports_install (&r);
  r.keep_it = TRUE;
  task = failed_task ("kept", G_IO_ERROR_BUSY);
  coro_future_unref (CORO_FUTURE (task));
  coro_test_yield ();
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_true (r.keep == CORO_FUTURE (task));
  g_assert_false (coro_future_propagate (r.keep, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpstr (coro_task_get_name ((CoroTask *) r.keep), ==, "kept");
  coro_future_unref (r.keep);
  coro_test_yield ();
  g_assert_cmpuint (r.calls, ==, 1);
  coro_test_reports_uninstall (&r);
  CORO_TEST_END ();
}

/* The default handler: one g_warning. */
static gboolean capturing;
static guint warnings;
static char *last_warning;

static GLogWriterOutput
catch_warnings (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  if (capturing && (level & G_LOG_LEVEL_WARNING))
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
          {
            g_free (last_warning);
            last_warning = g_strdup (fields[i].value);
          }
      warnings++;
      return G_LOG_WRITER_HANDLED;
    }
  return coro_test_log_writer (level, fields, n_fields, user_data);
}

static void
test_default_handler (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task;
  CoroFuture *future;

  warnings = 0;
  capturing = TRUE;
  task = failed_task ("loud", G_IO_ERROR_NOT_FOUND);
  coro_future_unref (CORO_FUTURE (task));
  g_assert_cmpuint (warnings, ==, 1);
  g_assert_cmpstr (last_warning, ==,
                   "Task exception was never retrieved: task ‘loud’: boom 1 (g-io-error-quark, 1)");

  future = coro_future_new ();
  coro_future_set_error (future, g_error_new_literal (CORO_ERROR, CORO_ERROR_TIMEOUT, "late"),
                         NULL);
  coro_future_unref (future);
  g_assert_cmpuint (warnings, ==, 2);
  g_assert_true (g_str_has_prefix (last_warning, "Future exception was never retrieved: Future 0x"));
  g_assert_true (g_str_has_suffix (last_warning, ": late (coro-error-quark, 2)"));

  coro_loop_default_exception_handler (coro_loop_get_default (), "plain", NULL, NULL);
  g_assert_cmpuint (warnings, ==, 3);
  g_assert_cmpstr (last_warning, ==, "plain");

  capturing = FALSE;
  g_clear_pointer (&last_warning, g_free);
  CORO_TEST_END ();
}

static void
test_handler_replaced (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroTestReports a, b;
  GError *error = g_error_new_literal (CORO_ERROR, CORO_ERROR_FAILED, "direct");

  memset (&a, 0, sizeof a);
  memset (&b, 0, sizeof b);
  coro_test_destroyed = 0;
  coro_loop_set_exception_handler (loop, coro_test_record, &a, coro_test_count_destroy);
  coro_loop_call_exception_handler (loop, "one", error, NULL);
  g_assert_cmpuint (a.calls, ==, 1);
  g_assert_cmpstr (a.message, ==, "one");
  g_assert_false (a.had_future);
  g_assert_error (a.error, CORO_ERROR, CORO_ERROR_FAILED);

  coro_loop_set_exception_handler (loop, coro_test_record, &b, coro_test_count_destroy);
  g_assert_cmpint (coro_test_destroyed, ==, 1);
  coro_loop_call_exception_handler (loop, "two", NULL, NULL);
  g_assert_cmpuint (a.calls, ==, 1);
  g_assert_cmpuint (b.calls, ==, 1);
  g_assert_null (b.error);

  /* NULL restores the default handler. */
  coro_loop_set_exception_handler (loop, NULL, NULL, NULL);
  g_assert_cmpint (coro_test_destroyed, ==, 2);
  warnings = 0;
  capturing = TRUE;
  coro_loop_call_exception_handler (loop, "three", error, NULL);
  capturing = FALSE;
  g_assert_cmpuint (warnings, ==, 1);
  g_assert_cmpstr (last_warning, ==, "three: direct (coro-error-quark, 0)");
  g_assert_cmpuint (b.calls, ==, 1);

  g_clear_pointer (&last_warning, g_free);
  g_error_free (error);
  coro_test_reports_clear (&a);
  coro_test_reports_clear (&b);
  CORO_TEST_END ();
}

/* A handler that replaces itself: its data lives until it returns. */
typedef struct
{
  guint    calls;
  gboolean freed;
} SelfReplacing;

static void
self_replacing_free (gpointer data)
{
  ((SelfReplacing *) data)->freed = TRUE;
}

static void
self_replacing (CoroLoop     *loop,
                const char   *message,
                const GError *error,
                CoroFuture   *future,
                gpointer      user_data)
{
  SelfReplacing *s = user_data;

  s->calls++;
  coro_loop_set_exception_handler (loop, NULL, NULL, NULL);
  g_assert_false (s->freed);
  s->calls++;
}

static void
test_handler_replaced_while_running (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  SelfReplacing s = { 0, FALSE };

  coro_loop_set_exception_handler (loop, self_replacing, &s, self_replacing_free);
  coro_loop_call_exception_handler (loop, "x", NULL, NULL);
  g_assert_cmpuint (s.calls, ==, 2);
  g_assert_true (s.freed);
}

/* asyncio.run() reports the leftover tasks that fail while being cancelled. */
static void
catch_and_fail (CoroTask *task,
                gpointer  frame)
{
  coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "cleanup failed");
}

static void
stubborn_step (CoroTask *task,
               gpointer  frame)
{
  coro_await_catch (task, coro_sleep (3600), catch_and_fail);
}

static void
test_run_shutdown (void)
{
  CORO_TEST_BEGIN ();
  CoroTestReports r;
  CoroTask *leftover;
  CoroFuture *main_future = coro_sleep (1);

  coro_test_reports_install (&r);
  leftover = CORO_CREATE_TASK (stubborn_step, Fail, .code = 0);
  coro_task_set_name (leftover, "stubborn");
  coro_test_run (main_future);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_cmpstr (r.message, ==, "Unhandled error during coro_run() shutdown");
  g_assert_cmpstr (r.task_name, ==, "stubborn");
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  /* Reported once: not again when it goes. */
  coro_future_unref (CORO_FUTURE (leftover));
  coro_future_unref (main_future);
  g_assert_cmpuint (r.calls, ==, 1);
  coro_test_reports_uninstall (&r);
  CORO_TEST_END ();
}

static void
failing_job (CoroFuture   *result,
             GCancellable *cancellable,
             gpointer      user_data)
{
  coro_future_set_error (result, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "late"),
                         NULL);
}

/* The late error of a cancelled executor job is dropped, as in asyncio. */
static void
test_executor_cancelled (void)
{
  CORO_TEST_BEGIN ();
  CoroTestReports r;
  CoroFuture *job;

  coro_test_reports_install (&r);
  job = coro_run_in_executor (failing_job, NULL, NULL);
  g_assert_true (coro_future_cancel (job, NULL));
  /* Until the worker has posted back, its private result future is alive too. */
  while (coro_loop_get_n_futures (coro_loop_get_default ()) > coro_test_baseline_ + 1)
    g_main_context_iteration (NULL, TRUE);
  coro_future_unref (job);
  g_assert_cmpuint (r.calls, ==, 0);
  coro_test_reports_uninstall (&r);
  CORO_TEST_END ();
}

/* Combinators retrieve the errors they observe. */
static void
test_combinators_retrieve (void)
{
  CORO_TEST_BEGIN ();
  CoroTestReports r;
  CoroFuture *a, *b, *gather;

  coro_test_reports_install (&r);
  a = coro_future_new ();
  b = coro_future_new ();
  gather = coro_gather (a, b, NULL);
  coro_future_set_error (a, g_error_new_literal (CORO_ERROR, CORO_ERROR_FAILED, "a"), NULL);
  coro_test_run_fails (gather, CORO_ERROR, CORO_ERROR_FAILED);
  /* Late failure after the gather failed: asyncio marks it retrieved. */
  coro_future_set_error (b, g_error_new_literal (CORO_ERROR, CORO_ERROR_FAILED, "b"), NULL);
  coro_test_yield ();
  coro_future_unref (gather);
  g_assert_cmpuint (r.calls, ==, 0);

  /* A shield's inner error is the shield's; if the shield was cancelled, it is dropped. */
  a = coro_future_new ();
  b = coro_shield (coro_future_ref (a));
  g_assert_true (coro_future_cancel (b, NULL));
  coro_future_set_error (a, g_error_new_literal (CORO_ERROR, CORO_ERROR_FAILED, "a"), NULL);
  coro_test_yield ();
  coro_future_unref (b);
  coro_future_unref (a);
  g_assert_cmpuint (r.calls, ==, 0);
  coro_test_reports_uninstall (&r);
  CORO_TEST_END ();
}

/* A task cancelled just as the future it awaits fails: the cancellation wins and the
 * future's error counts as seen, as in asyncio. */
typedef struct
{
  CoroFuture *inner;
} Awaiting;

static gboolean awaiting_started;

static void
await_inner (CoroTask *task,
             gpointer  frame)
{
  Awaiting *f = frame;

  awaiting_started = TRUE;
  coro_await (task, f->inner, NULL);
}

static void
test_cancel_over_failure (void)
{
  CORO_TEST_BEGIN ();
  CoroTestReports r;
  CoroFuture *inner = coro_future_new ();
  CoroTask *task;

  coro_test_reports_install (&r);
  awaiting_started = FALSE;
  task = CORO_CREATE_TASK (await_inner, Awaiting, .inner = coro_future_ref (inner));
  while (!awaiting_started)
    g_main_context_iteration (NULL, TRUE);
  /* The inner future fails, and before the task wakes up, it is cancelled. */
  coro_future_set_error (inner, g_error_new_literal (CORO_ERROR, CORO_ERROR_FAILED, "lost"),
                         NULL);
  g_assert_true (coro_task_cancel (task, NULL));
  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_CANCELLED);
  coro_future_unref (CORO_FUTURE (task));
  coro_future_unref (inner);
  coro_test_yield ();
  g_assert_cmpuint (r.calls, ==, 0);
  coro_test_reports_uninstall (&r);
  CORO_TEST_END ();
}

int
main (int    argc,
      char **argv)
{
  /* coro_test_init(), with a log writer that can also catch the default handler's
   * warnings. */
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (catch_warnings, NULL, NULL);
  coro_loop_set_virtual_clock (coro_loop_get_default (), TRUE);

  g_test_add_func ("/exception-handler/task-dropped", test_task_dropped);
  g_test_add_func ("/exception-handler/task-retrieved", test_task_retrieved);
  g_test_add_func ("/exception-handler/cancelled-never", test_cancelled_never);
  g_test_add_func ("/exception-handler/future-dropped", test_future_dropped);
  g_test_add_func ("/exception-handler/handler-keeps-future", test_handler_keeps_future);
  g_test_add_func ("/exception-handler/default", test_default_handler);
  g_test_add_func ("/exception-handler/replaced", test_handler_replaced);
  g_test_add_func ("/exception-handler/replaced-while-running", test_handler_replaced_while_running);
  g_test_add_func ("/exception-handler/run-shutdown", test_run_shutdown);
  g_test_add_func ("/exception-handler/executor-cancelled", test_executor_cancelled);
  g_test_add_func ("/exception-handler/combinators-retrieve", test_combinators_retrieve);
  g_test_add_func ("/exception-handler/cancel-over-failure", test_cancel_over_failure);

  return g_test_run ();
}
