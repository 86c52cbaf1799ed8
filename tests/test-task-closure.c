/* test-task-closure.c: tasks driven by one function, as the bindings write them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

/* A scripted closure: each call records what it saw, then does what the script says. */
typedef enum
{
  DO_SLEEP,        /* await coro_sleep (arg) */
  DO_DONE,         /* await a future that is already done, with the int arg */
  DO_FAIL,         /* await a future that failed */
  DO_RETURN_SUM,   /* return the sum of the ints read so far */
  DO_RETURN_ERROR, /* return an error */
  DO_RETURN_AWAITED_ERROR, /* return the awaited future's error, copied */
  DO_NOTHING,      /* return NULL without ending the task */
  DO_CHILD,        /* await a child closure task that sleeps arg seconds, returns 7 */
  DO_FOREVER,      /* await a future that never completes */
} Action;

typedef struct
{
  const Action *script;
  const double *args;
  guint         calls;
  guint         destroyed;
  gint64        sum;
  GPtrArray    *seen;   /* of CoroFuture *, the awaited future at each call (refs) */
  GPtrArray    *pending; /* futures to cancel or complete from outside */
} Script;

static void
script_destroy (gpointer data)
{
  Script *self = data;

  self->destroyed++;
}

static CoroFuture *child_func (CoroTask *task, gpointer user_data);

static CoroFuture *
script_func (CoroTask *task,
             gpointer  user_data)
{
  Script *self = user_data;
  CoroFuture *awaited = coro_task_get_awaited (task);
  guint i = self->calls++;
  CoroFuture *f;

  g_assert_true (coro_current_task () == task);
  g_ptr_array_add (self->seen, awaited != NULL ? coro_future_ref (awaited) : NULL);
  if (awaited != NULL && coro_future_get_error (awaited) == NULL)
    {
      GValue value = G_VALUE_INIT;

      g_assert_true (coro_future_get_value (awaited, &value, NULL));
      if (G_VALUE_HOLDS_INT64 (&value))
        self->sum += g_value_get_int64 (&value);
      g_value_unset (&value);
    }

  switch (self->script[i])
    {
    case DO_SLEEP:
      return coro_sleep (self->args[i]);
    case DO_DONE:
      f = coro_future_new ();
      coro_future_set_int (f, (gint64) self->args[i], NULL);
      return f;
    case DO_FAIL:
      f = coro_future_new ();
      coro_future_set_error (f, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone"), NULL);
      return f;
    case DO_RETURN_SUM:
      coro_task_return_int (task, self->sum);
      return NULL;
    case DO_RETURN_ERROR:
      coro_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "nope"));
      return NULL;
    case DO_RETURN_AWAITED_ERROR:
      coro_task_return_error (task, g_error_copy (coro_future_get_error (awaited)));
      return NULL;
    case DO_NOTHING:
      return NULL;
    case DO_CHILD:
      {
        double *delay = g_new (double, 1);

        *delay = self->args[i];
        return CORO_FUTURE (coro_create_task_closure (child_func, delay, g_free));
      }
    case DO_FOREVER:
      f = coro_future_new ();
      g_ptr_array_add (self->pending, coro_future_ref (f));
      return f;
    default:
      g_assert_not_reached ();
    }
}

static CoroFuture *
child_func (CoroTask *task,
            gpointer  user_data)
{
  double *delay = user_data;

  if (coro_task_get_awaited (task) == NULL)
    return coro_sleep (*delay);
  coro_task_return_int (task, 7);
  return NULL;
}

static void
unref_nullable (gpointer future)
{
  if (future != NULL)
    coro_future_unref (future);
}

static void
script_init (Script       *self,
             const Action *script,
             const double *args)
{
  *self = (Script) { .script = script, .args = args };
  self->seen = g_ptr_array_new_with_free_func (unref_nullable);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) coro_future_unref);
}

static void
script_clear (Script *self)
{
  g_ptr_array_unref (self->seen);
  g_ptr_array_unref (self->pending);
}

/* Starts a closure task that runs @script with @args, recorded in @self. */
static CoroTask *
script_start (Script       *self,
              const Action *script,
              const double *args)
{
  script_init (self, script, args);
  return coro_create_task_closure (script_func, self, script_destroy);
}

/* Asserts that the task released its closure data once, and drops the task and the record. */
static void
script_end (Script   *self,
            CoroTask *task)
{
  g_assert_cmpuint (self->destroyed, ==, 1);
  script_clear (self);
  coro_future_unref (CORO_FUTURE (task));
}

static void
test_closure_result (void)
{
  CORO_TEST_BEGIN ();
  static const Action script[] = { DO_SLEEP, DO_DONE, DO_SLEEP, DO_RETURN_SUM };
  static const double args[] = { 1, 5, 2, 0 };
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  Script s;
  CoroTask *task;

  task = script_start (&s, script, args);
  g_assert_true (coro_future_is_task (CORO_FUTURE (task)));
  g_assert_cmpuint (s.calls, ==, 0);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpuint (s.calls, ==, 4);
  g_assert_cmpuint (s.destroyed, ==, 1);
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 5);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 3, 1e-9);
  /* The first call sees no awaited future; then each sees the one returned before. */
  g_assert_null (s.seen->pdata[0]);
  for (guint i = 1; i < 4; i++)
    g_assert_true (coro_future_done (s.seen->pdata[i]));
  script_clear (&s);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Errors: a failed awaited future is seen by the function, which decides. */
static void
test_closure_errors (void)
{
  CORO_TEST_BEGIN ();
  static const Action caught[] = { DO_FAIL, DO_DONE, DO_RETURN_SUM };
  static const Action propagated[] = { DO_FAIL, DO_RETURN_AWAITED_ERROR };
  static const Action raised[] = { DO_SLEEP, DO_RETURN_ERROR };
  static const double args[] = { 0, 3, 0 };
  Script s;
  CoroTask *task;

  task = script_start (&s, caught, args);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 3);
  g_assert_error (coro_future_get_error (s.seen->pdata[1]), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  script_end (&s, task);

  task = script_start (&s, propagated, args);
  coro_test_run_fails (CORO_FUTURE (task), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  script_end (&s, task);

  task = script_start (&s, raised, args);
  coro_test_run_fails (CORO_FUTURE (task), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpuint (s.calls, ==, 2);
  script_end (&s, task);
  CORO_TEST_END ();
}

/* Returning NULL without ending the task fails it with INVALID_STATE. */
static void
test_closure_returns_null (void)
{
  CORO_TEST_BEGIN ();
  static const Action script[] = { DO_SLEEP, DO_NOTHING };
  static const double args[] = { 1, 0 };
  Script s;
  CoroTask *task;

  task = script_start (&s, script, args);
  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_assert_cmpuint (s.calls, ==, 2);
  script_end (&s, task);
  CORO_TEST_END ();
}

/* Cancelling the task while it awaits: the function sees the cancellation and may let it
 * end the task, or catch it and go on. */
static void
cancel_task (gpointer task)
{
  g_assert_true (coro_task_cancel (task, "stop"));
}

static void
test_closure_cancel_while_awaiting (void)
{
  CORO_TEST_BEGIN ();
  static const Action propagate[] = { DO_FOREVER, DO_RETURN_AWAITED_ERROR };
  static const Action catch[] = { DO_FOREVER, DO_DONE, DO_RETURN_SUM };
  static const double args[] = { 0, 9, 0 };
  CoroLoop *loop = coro_loop_get_default ();
  Script s;
  CoroTask *task;

  task = script_start (&s, propagate, args);
  coro_handle_unref (coro_loop_call_later (loop, 1, cancel_task, task, NULL));
  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpuint (s.calls, ==, 2);
  g_assert_true (coro_future_cancelled (CORO_FUTURE (task)));
  g_assert_true (coro_future_cancelled (s.pending->pdata[0]));
  g_assert_true (coro_future_cancelled (s.seen->pdata[1]));
  g_assert_cmpstr (coro_future_get_error (s.seen->pdata[1])->message, ==, "stop");
  script_end (&s, task);

  task = script_start (&s, catch, args);
  coro_handle_unref (coro_loop_call_later (loop, 1, cancel_task, task, NULL));
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 9);
  g_assert_cmpuint (coro_task_cancelling (task), ==, 1);
  script_end (&s, task);
  CORO_TEST_END ();
}

/* destroy runs exactly once in the paths where the function never runs. */
static void
test_closure_destroy_without_running (void)
{
  CORO_TEST_BEGIN ();
  static const Action script[] = { DO_RETURN_SUM };
  static const double args[] = { 0 };
  Script s;
  CoroTask *task;

  /* Created, never started, dropped. */
  script_init (&s, script, args);
  task = coro_task_new_closure (script_func, &s, script_destroy);
  g_assert_cmpuint (s.destroyed, ==, 0);
  coro_future_unref (CORO_FUTURE (task));
  g_assert_cmpuint (s.destroyed, ==, 1);
  g_assert_cmpuint (s.calls, ==, 0);
  script_clear (&s);

  /* Scheduled, cancelled before its first call. */
  task = script_start (&s, script, args);
  g_assert_true (coro_task_cancel (task, NULL));
  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpuint (s.calls, ==, 0);
  g_assert_cmpuint (s.destroyed, ==, 1);
  coro_future_unref (CORO_FUTURE (task));
  g_assert_cmpuint (s.destroyed, ==, 1);
  script_clear (&s);

  /* Scheduled, its creator's reference dropped: it still runs, then releases. */
  coro_future_unref (CORO_FUTURE (script_start (&s, script, args)));
  g_assert_cmpuint (s.destroyed, ==, 0);
  coro_test_yield ();
  g_assert_cmpuint (s.calls, ==, 1);
  g_assert_cmpuint (s.destroyed, ==, 1);
  script_clear (&s);

  /* task_new_closure + task_start, and a NULL destroy. */
  script_init (&s, script, args);
  task = coro_task_new_closure (script_func, &s, NULL);
  coro_task_start (task);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpuint (s.calls, ==, 1);
  g_assert_cmpuint (s.destroyed, ==, 0);
  script_clear (&s);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* A closure task awaiting closure tasks. */
static void
test_closure_nested (void)
{
  CORO_TEST_BEGIN ();
  static const Action script[] = { DO_CHILD, DO_CHILD, DO_RETURN_SUM };
  static const double args[] = { 1, 2, 0 };
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  Script s;
  CoroTask *task;

  task = script_start (&s, script, args);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 14);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 3, 1e-9);
  g_assert_true (coro_future_is_task (s.seen->pdata[1]));
  script_end (&s, task);
  CORO_TEST_END ();
}

/* Done futures are handed back at once: a thousand of them in one loop pass. */
static void
test_closure_done_future_no_pass (void)
{
  CORO_TEST_BEGIN ();
  enum { N = 1000 };
  Action *script = g_new (Action, N + 1);
  double *args = g_new0 (double, N + 1);
  CoroLoop *loop = coro_loop_get_default ();
  guint64 passes, baseline;
  Script s;
  CoroTask *task;

  for (guint i = 0; i < N; i++)
    {
      script[i] = DO_DONE;
      args[i] = 1;
    }
  script[N] = DO_RETURN_SUM;

  /* What running a task that returns at once costs. */
  task = script_start (&s, script + N, args);
  passes = coro_loop_get_pass_count (loop);
  coro_test_run (CORO_FUTURE (task));
  baseline = coro_loop_get_pass_count (loop) - passes;
  script_clear (&s);
  coro_future_unref (CORO_FUTURE (task));

  script_init (&s, script, args);
  task = coro_task_new_closure (script_func, &s, script_destroy);
  coro_task_start (task);
  passes = coro_loop_get_pass_count (loop);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpuint (coro_loop_get_pass_count (loop) - passes, ==, baseline);
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, N);
  g_assert_cmpuint (s.calls, ==, N + 1);
  script_end (&s, task);
  g_free (script);
  g_free (args);
  CORO_TEST_END ();
}

/* Bad input: a NULL function is a critical, and destroy still runs. */
static void
test_closure_null_func (void)
{
  CORO_TEST_BEGIN ();
  Script s = { 0 };

  coro_test_expect_critical ("*function is NULL*");
  g_assert_null (coro_create_task_closure (NULL, &s, script_destroy));
  coro_test_assert_expected ();
  g_assert_cmpuint (s.destroyed, ==, 1);
  coro_test_expect_critical ("*function is NULL*");
  g_assert_null (coro_task_new_closure (NULL, NULL, NULL));
  coro_test_assert_expected ();
  CORO_TEST_END ();
}

int
main (int    argc,
      char **argv)
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/task-closure/result", test_closure_result);
  g_test_add_func ("/task-closure/errors", test_closure_errors);
  g_test_add_func ("/task-closure/returns-null", test_closure_returns_null);
  g_test_add_func ("/task-closure/cancel-while-awaiting", test_closure_cancel_while_awaiting);
  g_test_add_func ("/task-closure/destroy-without-running", test_closure_destroy_without_running);
  g_test_add_func ("/task-closure/nested", test_closure_nested);
  g_test_add_func ("/task-closure/done-future-no-pass", test_closure_done_future_no_pass);
  g_test_add_func ("/task-closure/null-func", test_closure_null_func);

  return g_test_run ();
}
