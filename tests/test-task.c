/* test-task.c: continuation tasks: steps, awaiting, returning, cancellation, names
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

#include <pthread.h>

/* A task that sleeps, then returns a + b. */
typedef struct
{
  gint64 a;
  gint64 b;
  double delay;
  int steps;
} Add;

static void add_finish (CoroTask *task, gpointer frame);

static void
add_start (CoroTask *task,
           gpointer  frame)
{
  Add *self = frame;

  self->steps++;
  coro_await (task, coro_sleep (self->delay), add_finish);
}

static void
add_finish (CoroTask *task,
            gpointer  frame)
{
  Add *self = frame;

  self->steps++;
  g_assert_true (coro_future_done (coro_task_get_awaited (task)));
  coro_task_return_int (task, self->a + self->b + self->steps * 1000);
}

static void
test_task_steps_and_frame (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroTask *task = CORO_CREATE_TASK (add_start, Add, .a = 1, .b = 6, .delay = 3);

  g_assert_true (coro_future_is_task (CORO_FUTURE (task)));
  g_assert_false (coro_future_done (CORO_FUTURE (task)));
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 2007);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 3, 1e-9);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Awaiting a plain future completed from outside. */
typedef struct
{
  CoroFuture *future;
} AwaitFuture;

static void
await_future_got (CoroTask *task,
                  gpointer  frame)
{
  coro_task_return_string (task, coro_future_get_string (coro_task_get_awaited (task), NULL));
}

static void
await_future_start (CoroTask *task,
                    gpointer  frame)
{
  AwaitFuture *self = frame;

  coro_await (task, coro_future_ref (self->future), await_future_got);
}

static void
set_string_soon (gpointer user_data)
{
  coro_future_set_string (user_data, "external", NULL);
}

static void
test_task_await_pending_future (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  CoroTask *task = CORO_CREATE_TASK (await_future_start, AwaitFuture, .future = future);

  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 2, set_string_soon, future, NULL));
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpstr (coro_future_get_string (CORO_FUTURE (task), NULL), ==, "external");
  coro_future_unref (CORO_FUTURE (task));
  coro_future_unref (future);
  CORO_TEST_END ();
}

/* Awaiting a failed future fails the task; the next step does not run. */
static gboolean next_ran;

static void
mark_next (CoroTask *task,
           gpointer  frame)
{
  next_ran = TRUE;
  coro_task_return (task);
}

static void
await_failed_start (CoroTask *task,
                    gpointer  frame)
{
  CoroFuture *failed = coro_future_new ();

  coro_future_set_error (failed, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "denied"), NULL);
  coro_await (task, failed, mark_next);
}

static void
caught_next (CoroTask *task,
             gpointer  frame)
{
  const GError *error = coro_future_get_error (coro_task_get_awaited (task));

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  coro_task_return_int (task, 99);
}

static void
await_catch_start (CoroTask *task,
                   gpointer  frame)
{
  CoroFuture *failed = coro_future_new ();

  coro_future_set_error (failed, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "denied"), NULL);
  coro_await_catch (task, failed, caught_next);
}

typedef struct
{
  int unused;
} Empty;

static void
test_task_await_failed (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task;

  next_ran = FALSE;
  task = CORO_CREATE_TASK (await_failed_start, Empty, 0);
  coro_test_run_fails (CORO_FUTURE (task), G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_false (next_ran);
  g_assert_false (coro_future_cancelled (CORO_FUTURE (task)));
  coro_future_unref (CORO_FUTURE (task));

  task = CORO_CREATE_TASK (await_catch_start, Empty, 0);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 99);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Awaiting done futures: no pass, no stack. */
typedef struct
{
  guint64 pass;
  int remaining;
  int count;
} Many;

static void
many_step (CoroTask *task,
           gpointer  frame)
{
  Many *self = frame;
  CoroFuture *done;

  if (self->remaining == 0)
    {
      g_assert_cmpuint (coro_loop_get_pass_count (coro_loop_get_default ()), ==, self->pass);
      coro_task_return_int (task, self->count);
      return;
    }
  if (self->pass == 0)
    self->pass = coro_loop_get_pass_count (coro_loop_get_default ());
  self->remaining--;
  self->count++;
  done = coro_future_new ();
  coro_future_set_int (done, 1, NULL);
  coro_await (task, done, many_step);
}

static void
test_task_await_done_trampoline (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (many_step, Many, .remaining = 1000000);

  /* One million done futures in a row: a recursive implementation would overflow the
   * stack (8 MiB / 1 M frames = 8 bytes each). */
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 1000000);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Cancellation */
static int steps_run;

static void
count_step (CoroTask *task,
            gpointer  frame)
{
  steps_run++;
  coro_await (task, coro_sleep (3600), mark_next);
}

static void
test_task_cancel_before_start (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task;
  GError *error = NULL;

  steps_run = 0;
  task = CORO_CREATE_TASK (count_step, Empty, 0);
  g_assert_true (coro_task_cancel (task, "early"));
  g_assert_cmpuint (coro_task_cancelling (task), ==, 1);
  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpint (steps_run, ==, 0);
  g_assert_true (coro_future_cancelled (CORO_FUTURE (task)));
  coro_future_get_int (CORO_FUTURE (task), &error);
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "early"));
  g_clear_error (&error);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* A task that cancels another while it awaits. */
static CoroFuture *victim_sleep;

typedef struct
{
  CoroTask *victim;
} Canceller;

static void
canceller_check (CoroTask *task,
                 gpointer  frame)
{
  CoroFuture *victim = coro_task_get_awaited (task);

  g_assert_true (coro_future_cancelled (victim));
  g_assert_true (coro_future_cancelled (victim_sleep));
  g_assert_true (g_cancellable_is_cancelled (coro_task_get_cancellable ((CoroTask *) victim)));
  g_clear_pointer (&victim_sleep, coro_future_unref);
  coro_task_return (task);
}

static void
canceller_cancel (CoroTask *task,
                  gpointer  frame)
{
  Canceller *self = frame;

  g_assert_nonnull (victim_sleep);
  g_assert_true (coro_task_cancel (self->victim, "stop"));
  g_assert_false (coro_future_done (CORO_FUTURE (self->victim)));  /* asyncio: a request */
  g_assert_true (coro_task_cancel (self->victim, "stop again"));
  g_assert_cmpuint (coro_task_cancelling (self->victim), ==, 2);
  coro_await_catch (task, CORO_FUTURE (g_steal_pointer (&self->victim)), canceller_check);
}

static void
canceller_start (CoroTask *task,
                 gpointer  frame)
{
  coro_await (task, coro_sleep (1), canceller_cancel);
}

static void
victim_step (CoroTask *task,
             gpointer  frame)
{
  CoroFuture *sleep = coro_sleep (3600);

  victim_sleep = coro_future_ref (sleep);
  coro_await (task, sleep, mark_next);
}

static void
test_task_cancel_while_awaiting (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task;

  next_ran = FALSE;
  task = CORO_CREATE_TASK (canceller_start, Canceller, .victim = CORO_CREATE_TASK (victim_step, Empty, 0));
  coro_test_run (CORO_FUTURE (task));
  g_assert_false (next_ran);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

static void
test_task_cancel_after_done (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (add_start, Add, .a = 1, .b = 2, .delay = 0);

  coro_test_run (CORO_FUTURE (task));
  g_assert_false (coro_task_cancel (task, NULL));
  g_assert_false (coro_future_cancelled (CORO_FUTURE (task)));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 2003);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Catching the cancellation and carrying on. */
static void
stubborn_resumed (CoroTask *task,
                  gpointer  frame)
{
  coro_task_return_string (task, "survived");
}

static void
stubborn_caught (CoroTask *task,
                 gpointer  frame)
{
  g_assert_true (coro_future_cancelled (coro_task_get_awaited (task)));
  g_assert_cmpuint (coro_task_cancelling (task), ==, 1);
  g_assert_cmpuint (coro_task_uncancel (task), ==, 0);
  /* Carry on: further awaits work normally. */
  coro_await (task, coro_sleep (2), stubborn_resumed);
}

static void
stubborn_start (CoroTask *task,
                gpointer  frame)
{
  coro_await_catch (task, coro_sleep (3600), stubborn_caught);
}

static void
cancel_soon (gpointer user_data)
{
  coro_task_cancel (user_data, NULL);
}

static void
test_task_catch_cancellation (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroTask *task = CORO_CREATE_TASK (stubborn_start, Empty, 0);

  coro_handle_unref (coro_loop_call_later (loop, 1, cancel_soon, task, NULL));
  coro_test_run (CORO_FUTURE (task));
  g_assert_false (coro_future_cancelled (CORO_FUTURE (task)));
  g_assert_cmpstr (coro_future_get_string (CORO_FUTURE (task), NULL), ==, "survived");
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 3, 1e-9);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Names, current task, all tasks */
typedef struct
{
  CoroTask **seen;
} Current;

static void
current_step (CoroTask *task,
              gpointer  frame)
{
  Current *self = frame;
  g_autoptr(GPtrArray) all = coro_all_tasks ();

  *self->seen = coro_current_task ();
  g_assert_true (g_ptr_array_find (all, task, NULL));
  coro_task_return (task);
}

static void
test_task_current_and_all (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *seen = NULL;
  CoroTask *task = CORO_CREATE_TASK (current_step, Current, .seen = &seen);
  g_autoptr(GPtrArray) all = NULL;

  g_assert_null (coro_current_task ());
  coro_test_run (CORO_FUTURE (task));
  g_assert_true (seen == task);
  g_assert_null (coro_current_task ());
  all = coro_all_tasks ();
  g_assert_false (g_ptr_array_find (all, task, NULL));  /* done tasks are not listed */
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

static void
test_task_names (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *a = CORO_CREATE_TASK (add_start, Add, .delay = 0);
  CoroTask *b = CORO_CREATE_TASK (add_start, Add, .delay = 0);
  const char *name_a = coro_task_get_name (a);

  g_assert_true (g_str_has_prefix (name_a, "Task-"));
  g_assert_cmpstr (name_a, !=, coro_task_get_name (b));
  coro_task_set_name (b, "worker");
  g_assert_cmpstr (coro_task_get_name (b), ==, "worker");
  coro_test_run (CORO_FUTURE (a));
  coro_test_run (CORO_FUTURE (b));
  coro_future_unref (CORO_FUTURE (a));
  coro_future_unref (CORO_FUTURE (b));
  CORO_TEST_END ();
}

/* A task is a future: callbacks, awaiting, return_future. */
static void
count_callback (CoroFuture *future,
                gpointer    user_data)
{
  int *count = user_data;

  g_assert_cmpint (coro_future_get_int (future, NULL), ==, 2003);
  (*count)++;
}

static void
chain_step (CoroTask *task,
            gpointer  frame)
{
  /* return await add(...) without a step of our own */
  coro_task_return_future (task, CORO_FUTURE (CORO_CREATE_TASK (add_start, Add, .a = 1, .b = 2, .delay = 1)));
}

static void
test_task_is_a_future (void)
{
  CORO_TEST_BEGIN ();
  int count = 0;
  CoroTask *task = CORO_CREATE_TASK (chain_step, Empty, 0);

  coro_future_add_done_callback (CORO_FUTURE (task), count_callback, &count, NULL);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (count, ==, 1);
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 2003);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

static void
fail_step (CoroTask *task,
           gpointer  frame)
{
  coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "took %d s", 3);
}

static void
test_task_return_error (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (fail_step, Empty, 0);
  GError *error = NULL;

  coro_test_run_fails (CORO_FUTURE (task), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  coro_future_propagate (CORO_FUTURE (task), &error);
  g_assert_cmpstr (error->message, ==, "took 3 s");
  g_clear_error (&error);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* The loop keeps a running task alive. */
static int finally_ran;

static void
finally_count (gpointer data)
{
  finally_ran++;
}

static void
detached_step (CoroTask *task,
               gpointer  frame)
{
  coro_task_defer (task, finally_count, NULL);
  coro_await (task, coro_sleep (1), mark_next);
}

static void
test_task_kept_alive (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *sleep;

  finally_ran = 0;
  next_ran = FALSE;
  coro_future_unref (CORO_FUTURE (CORO_CREATE_TASK (detached_step, Empty, 0)));
  sleep = coro_sleep (2);
  coro_test_run (sleep);
  coro_future_unref (sleep);
  g_assert_true (next_ran);
  g_assert_cmpint (finally_ran, ==, 1);
  CORO_TEST_END ();
}

/* A step that neither awaits nor returns is a programming error reported as a failure. */
static void
lost_step (CoroTask *task,
           gpointer  frame)
{
}

static void
test_task_step_without_outcome (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (lost_step, Empty, 0);

  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_INVALID_STATE);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

static void
test_task_new_and_start (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_TASK_NEW (add_start, Add, .a = 2, .b = 2, .delay = 0);
  CoroFuture *sleep = coro_sleep (5);

  /* Not scheduled until started. */
  coro_test_run (sleep);
  coro_future_unref (sleep);
  g_assert_false (coro_future_done (CORO_FUTURE (task)));
  coro_task_start (task);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 2004);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Three tasks deep: the innermost error reaches the outermost unchanged. */
typedef struct
{
  int depth;
} Deep;

static void
deep_after (CoroTask *task,
            gpointer  frame)
{
  g_assert_not_reached ();
}

static void
deep_step (CoroTask *task,
           gpointer  frame)
{
  Deep *self = frame;

  if (self->depth == 3)
    {
      coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "depth %d", self->depth);
      return;
    }
  coro_await (task, CORO_FUTURE (CORO_CREATE_TASK (deep_step, Deep, .depth = self->depth + 1)), deep_after);
}

static void
test_task_nested_error (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (deep_step, Deep, .depth = 1);
  GError *error = NULL;

  g_assert_false (coro_run (coro_future_ref (CORO_FUTURE (task)), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_assert_cmpstr (error->message, ==, "depth 3");
  g_clear_error (&error);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Programming errors: a critical naming the problem, the future released, no crash. */
static void
await_twice_step (CoroTask *task,
                  gpointer  frame)
{
  coro_await (task, coro_sleep (1), mark_next);
  coro_test_expect_critical ("*already awaited in this step*");
  coro_await (task, coro_sleep (2), mark_next);
  coro_test_assert_expected ();
}

static void
test_task_bad_awaits (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroTask *task = CORO_TASK_NEW (add_start, Add, .delay = 0);

  /* Awaiting from outside a step. */
  coro_test_expect_critical ("*is not running a step*");
  coro_await (task, coro_sleep (1), add_finish);
  coro_test_assert_expected ();
  coro_test_expect_critical ("*the future is NULL*");
  coro_await (task, NULL, add_finish);
  coro_test_assert_expected ();
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();

  /* Awaiting twice in one step: the first await stands. */
  next_ran = FALSE;
  task = CORO_CREATE_TASK (await_twice_step, Empty, 0);
  coro_test_run (CORO_FUTURE (task));
  g_assert_true (next_ran);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 1, 1e-6);
  coro_future_unref (CORO_FUTURE (task));
}

/* g_return_if_fail() guards log through g_log(), where g_test_expect_message() works. */
static void
test_task_null_arguments (void)
{
  CORO_TEST_BEGIN ();

  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_false (coro_task_cancel (NULL, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_null (coro_task_new (NULL, NULL, 0));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_false (coro_future_set_int (NULL, 1, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_false (coro_future_done (NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_false (coro_run (NULL, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_null (coro_loop_call_soon (coro_loop_get_default (), NULL, NULL, NULL));
  g_test_assert_expected_messages ();
  CORO_TEST_END ();
}

/* Steps run in order, each seeing what the previous ones wrote into the frame; a NULL
 * next re-enters the same step. */
typedef struct
{
  GArray *order;
  int rounds;
  gint64 sum;
} Ordered;

static void
ordered_third (CoroTask *task,
               gpointer  frame)
{
  Ordered *self = frame;

  coro_test_append (self->order, 3);
  self->sum += 100;
  if (++self->rounds < 3)
    {
      coro_await (task, coro_sleep (1), NULL);
      return;
    }
  coro_task_return_int (task, self->sum);
}

static void
ordered_second (CoroTask *task,
                gpointer  frame)
{
  Ordered *self = frame;

  g_assert_cmpint (self->sum, ==, 1);
  coro_test_append (self->order, 2);
  self->sum += 10;
  coro_await (task, coro_sleep (0), ordered_third);
}

static void
ordered_first (CoroTask *task,
               gpointer  frame)
{
  Ordered *self = frame;

  g_assert_true (coro_task_get_frame (task) == frame);
  coro_test_append (self->order, 1);
  self->sum += 1;
  coro_await (task, coro_sleep (2), ordered_second);
}

static void
test_task_step_order (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroTask *task = CORO_CREATE_TASK (ordered_first, Ordered, .order = order);
  const int expected[] = { 1, 2, 3, 3, 3 };

  coro_test_run (CORO_FUTURE (task));
  coro_test_assert_order (order, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 311);
  g_assert_cmpint (((Ordered *) coro_task_get_frame (task))->rounds, ==, 3);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 4, 1e-9);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* A done future continues in the same pass; coro_sleep (0) costs exactly one. */
typedef struct
{
  guint64 pass;
} Passes;

static void
passes_after_yield (CoroTask *task,
                    gpointer  frame)
{
  Passes *self = frame;

  g_assert_cmpuint (coro_loop_get_pass_count (coro_loop_get_default ()), ==, self->pass + 1);
  coro_task_return (task);
}

static void
passes_after_done (CoroTask *task,
                   gpointer  frame)
{
  Passes *self = frame;

  g_assert_cmpuint (coro_loop_get_pass_count (coro_loop_get_default ()), ==, self->pass);
  g_assert_cmpstr (coro_future_get_string (coro_task_get_awaited (task), NULL), ==, "ready");
  coro_await (task, coro_sleep (0), passes_after_yield);
}

static void
passes_start (CoroTask *task,
              gpointer  frame)
{
  Passes *self = frame;
  CoroFuture *done = coro_future_new ();

  coro_future_set_string (done, "ready", NULL);
  self->pass = coro_loop_get_pass_count (coro_loop_get_default ());
  coro_await (task, done, passes_after_done);
}

static void
test_task_await_done_same_pass (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (passes_start, Passes, 0);

  coro_test_run (CORO_FUTURE (task));
  g_assert_true (coro_future_propagate (CORO_FUTURE (task), NULL));
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* The million done futures again, on a thread whose whole stack is 256 KiB: only an
 * iterative resume fits. */
static gpointer
small_stack_main (gpointer data)
{
  GMainContext *context = g_main_context_new ();
  CoroTask *task;
  gint64 count = -1;

  g_main_context_push_thread_default (context);
  coro_loop_set_virtual_clock (coro_loop_get_default (), TRUE);
  task = CORO_CREATE_TASK (many_step, Many, .remaining = 1000000);
  if (coro_run (coro_future_ref (CORO_FUTURE (task)), NULL))
    count = coro_future_get_int (CORO_FUTURE (task), NULL);
  coro_future_unref (CORO_FUTURE (task));
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  *(gint64 *) data = count;
  return NULL;
}

static void
test_task_await_done_small_stack (void)
{
  pthread_attr_t attr;
  pthread_t thread;
  gint64 count = 0;

  g_assert_cmpint (pthread_attr_init (&attr), ==, 0);
  g_assert_cmpint (pthread_attr_setstacksize (&attr, 256 * 1024), ==, 0);
  g_assert_cmpint (pthread_create (&thread, &attr, small_stack_main, &count), ==, 0);
  g_assert_cmpint (pthread_join (thread, NULL), ==, 0);
  pthread_attr_destroy (&attr);
  g_assert_cmpint (count, ==, 1000000);
}

/* Cancelled while awaiting, from outside: the awaited future is cancelled with the
 * message, the task ends cancelled with it, and its GCancellable fires. */
typedef struct
{
  CoroFuture **sleep;
} Sleeper;

static void
sleeper_start (CoroTask *task,
               gpointer  frame)
{
  Sleeper *self = frame;

  *self->sleep = coro_sleep (3600);
  coro_await (task, coro_future_ref (*self->sleep), mark_next);
}

static void
cancel_with_reason (gpointer user_data)
{
  g_assert_true (coro_task_cancel (user_data, "reason"));
}

static void
count_cancelled_signal (GCancellable *cancellable,
                        gpointer      user_data)
{
  (*(int *) user_data)++;
}

static void
test_task_cancel_message (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroFuture *sleep = NULL;
  CoroTask *task = CORO_CREATE_TASK (sleeper_start, Sleeper, .sleep = &sleep);
  GCancellable *cancellable = coro_task_get_cancellable (task);
  int signalled = 0;
  GError *error = NULL;

  next_ran = FALSE;
  g_signal_connect (cancellable, "cancelled", G_CALLBACK (count_cancelled_signal), &signalled);
  coro_handle_unref (coro_loop_call_later (loop, 5, cancel_with_reason, task, NULL));
  g_assert_false (coro_run (coro_future_ref (CORO_FUTURE (task)), &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "reason");
  g_clear_error (&error);
  g_assert_false (next_ran);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 5, 1e-9);
  g_assert_true (coro_future_cancelled (sleep));
  g_assert_true (coro_future_cancelled (CORO_FUTURE (task)));
  g_assert_cmpstr (coro_future_get_error (CORO_FUTURE (task))->message, ==, "reason");
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  g_assert_cmpint (signalled, ==, 1);
  g_assert_cmpuint (coro_task_cancelling (task), ==, 1);
  coro_future_unref (sleep);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

static void
test_task_cancellable_before_start (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task;

  /* Asked for after the cancel: born cancelled. */
  steps_run = 0;
  task = CORO_CREATE_TASK (count_step, Empty, 0);
  g_assert_true (coro_task_cancel (task, NULL));
  g_assert_true (g_cancellable_is_cancelled (coro_task_get_cancellable (task)));
  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpint (steps_run, ==, 0);
  g_assert_false (coro_task_cancel (task, NULL));
  coro_future_unref (CORO_FUTURE (task));

  /* A task made with coro_task_new and cancelled before coro_task_start. */
  task = CORO_TASK_NEW (count_step, Empty, 0);
  g_assert_false (g_cancellable_is_cancelled (coro_task_get_cancellable (task)));
  g_assert_true (coro_task_cancel (task, "never started"));
  g_assert_true (g_cancellable_is_cancelled (coro_task_get_cancellable (task)));
  coro_task_start (task);
  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpint (steps_run, ==, 0);
  g_assert_cmpstr (coro_future_get_error (CORO_FUTURE (task))->message, ==, "never started");
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* asyncio's test_cancel_at_end: a cancellation requested in the last step wins over the
 * value it returns. */
static void
cancel_self_then_return (CoroTask *task,
                         gpointer  frame)
{
  g_assert_true (coro_task_cancel (task, "self"));
  g_assert_false (coro_future_done (CORO_FUTURE (task)));
  coro_task_return_int (task, 12);
}

static void
test_task_cancel_at_end (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (cancel_self_then_return, Empty, 0);
  GError *error = NULL;

  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_true (coro_future_cancelled (CORO_FUTURE (task)));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), &error), ==, 0);
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "self");
  g_clear_error (&error);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* A cancellation requested in a step reaches the future the step then awaits; one
 * withdrawn with uncancel before it was delivered is dropped. */
typedef struct
{
  gboolean withdraw;
} SelfCancel;

static void
self_cancel_after (CoroTask *task,
                   gpointer  frame)
{
  coro_task_return_string (task, "finished");
}

static void
self_cancel_start (CoroTask *task,
                   gpointer  frame)
{
  SelfCancel *self = frame;

  g_assert_true (coro_task_cancel (task, NULL));
  g_assert_cmpuint (coro_task_cancelling (task), ==, 1);
  if (self->withdraw)
    g_assert_cmpuint (coro_task_uncancel (task), ==, 0);
  coro_await (task, coro_sleep (10), self_cancel_after);
}

static void
test_task_cancel_self_and_uncancel (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroTask *task = CORO_CREATE_TASK (self_cancel_start, SelfCancel, .withdraw = FALSE);

  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 0, 1e-9);
  coro_future_unref (CORO_FUTURE (task));

  task = CORO_CREATE_TASK (self_cancel_start, SelfCancel, .withdraw = TRUE);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpstr (coro_future_get_string (CORO_FUTURE (task), NULL), ==, "finished");
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 10, 1e-9);
  g_assert_cmpuint (coro_task_cancelling (task), ==, 0);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Cancelling a task that awaits another task cancels the inner one too. */
typedef struct
{
  CoroFuture *inner;
} Outer;

static void
outer_start (CoroTask *task,
             gpointer  frame)
{
  Outer *self = frame;

  coro_await (task, coro_future_ref (self->inner), mark_next);
}

static void
test_task_cancel_propagates_to_awaited_task (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroFuture *sleep = NULL;
  CoroFuture *inner = CORO_FUTURE (CORO_CREATE_TASK (sleeper_start, Sleeper, .sleep = &sleep));
  CoroTask *outer = CORO_CREATE_TASK (outer_start, Outer, .inner = inner);
  GError *error = NULL;

  next_ran = FALSE;
  coro_handle_unref (coro_loop_call_later (loop, 1, cancel_with_reason, outer, NULL));
  g_assert_false (coro_run (coro_future_ref (CORO_FUTURE (outer)), &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "reason");
  g_clear_error (&error);
  g_assert_true (coro_future_cancelled (inner));
  g_assert_true (coro_future_cancelled (sleep));
  g_assert_true (g_cancellable_is_cancelled (coro_task_get_cancellable ((CoroTask *) inner)));
  g_assert_false (next_ran);
  coro_future_unref (sleep);
  coro_future_unref (inner);
  coro_future_unref (CORO_FUTURE (outer));
  CORO_TEST_END ();
}

/* Failing with a cancellation error, GIO's included, ends the task cancelled. */
static void
fail_cancelled_step (CoroTask *task,
                     gpointer  frame)
{
  coro_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "gio"));
}

static void
fail_plain_step (CoroTask *task,
                 gpointer  frame)
{
  coro_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "exists"));
}

static void
test_task_return_error_kinds (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (fail_plain_step, Empty, 0);

  coro_test_run_fails (CORO_FUTURE (task), G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_false (coro_future_cancelled (CORO_FUTURE (task)));
  g_assert_cmpstr (coro_future_get_error (CORO_FUTURE (task))->message, ==, "exists");
  coro_future_unref (CORO_FUTURE (task));

  task = CORO_CREATE_TASK (fail_cancelled_step, Empty, 0);
  g_assert_false (coro_run (coro_future_ref (CORO_FUTURE (task)), NULL));
  g_assert_true (coro_future_done (CORO_FUTURE (task)));
  g_assert_true (coro_future_cancelled (CORO_FUTURE (task)));
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* return_future with a future that fails: the task fails with its error. */
static void
chain_failed_step (CoroTask *task,
                   gpointer  frame)
{
  coro_task_return_future (task, CORO_FUTURE (CORO_CREATE_TASK (fail_step, Empty, 0)));
}

static void
test_task_return_future_error (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (chain_failed_step, Empty, 0);
  GError *error = NULL;

  g_assert_false (coro_run (coro_future_ref (CORO_FUTURE (task)), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpstr (error->message, ==, "took 3 s");
  g_clear_error (&error);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Tasks created and not yet run are listed; ended ones are not. */
static void
test_task_all_tasks_pending (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *a = CORO_CREATE_TASK (add_start, Add, .delay = 1);
  CoroTask *b = CORO_CREATE_TASK (add_start, Add, .delay = 2);
  CoroTask *unstarted = CORO_TASK_NEW (add_start, Add, .delay = 1);
  CoroFuture *gather;
  GPtrArray *all = coro_all_tasks ();

  g_assert_true (g_ptr_array_find (all, a, NULL));
  g_assert_true (g_ptr_array_find (all, b, NULL));
  g_assert_false (g_ptr_array_find (all, unstarted, NULL));
  g_ptr_array_unref (all);

  gather = coro_gather (CORO_FUTURE (a), CORO_FUTURE (b), NULL);
  coro_test_run (gather);
  all = coro_all_tasks ();
  g_assert_cmpuint (all->len, ==, 0);
  g_ptr_array_unref (all);
  coro_future_unref (gather);
  coro_future_unref (CORO_FUTURE (unstarted));
  CORO_TEST_END ();
}

/* A task awaited by another task, with a done callback of its own. */
typedef struct
{
  CoroTask *inner;
} Awaiter;

static void
awaiter_got (CoroTask *task,
             gpointer  frame)
{
  CoroFuture *inner = coro_task_get_awaited (task);

  g_assert_true (coro_future_is_task (inner));
  coro_task_return_int (task, coro_future_get_int (inner, NULL) * 2);
}

static void
awaiter_start (CoroTask *task,
               gpointer  frame)
{
  Awaiter *self = frame;

  coro_await (task, CORO_FUTURE (self->inner), awaiter_got);
}

static void
record_name (CoroFuture *future,
             gpointer    user_data)
{
  *(char **) user_data = g_strdup (coro_task_get_name ((CoroTask *) future));
}

static void
test_task_await_task (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroTask *inner = CORO_CREATE_TASK (add_start, Add, .a = 20, .b = 1, .delay = 2);
  CoroTask *outer;
  char *name = NULL;

  coro_task_set_name (inner, "inner");
  coro_future_add_done_callback (CORO_FUTURE (inner), record_name, &name, NULL);
  outer = CORO_CREATE_TASK (awaiter_start, Awaiter, .inner = inner);
  coro_test_run (CORO_FUTURE (outer));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (outer), NULL), ==, 2 * 2021);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 2, 1e-9);
  g_assert_cmpstr (name, ==, "inner");
  g_free (name);
  coro_future_unref (CORO_FUTURE (outer));
  CORO_TEST_END ();
}

/* Default names are Task-N with N counting up; set_name (NULL) goes back to it. */
static void
test_task_default_names (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *a = CORO_TASK_NEW (add_start, Add, .delay = 0);
  CoroTask *b = CORO_TASK_NEW (add_start, Add, .delay = 0);
  guint64 na = 0, nb = 0;

  g_assert_true (g_str_has_prefix (coro_task_get_name (a), "Task-"));
  g_assert_true (g_ascii_string_to_unsigned (coro_task_get_name (a) + 5, 10, 1, G_MAXUINT,
                                             &na, NULL));
  g_assert_true (g_ascii_string_to_unsigned (coro_task_get_name (b) + 5, 10, 1, G_MAXUINT,
                                             &nb, NULL));
  g_assert_cmpuint (nb, ==, na + 1);
  coro_task_set_name (a, "renamed");
  g_assert_cmpstr (coro_task_get_name (a), ==, "renamed");
  coro_task_set_name (a, NULL);
  g_assert_cmpuint (g_ascii_strtoull (coro_task_get_name (a) + 5, NULL, 10), ==, na);
  coro_future_unref (CORO_FUTURE (a));
  coro_future_unref (CORO_FUTURE (b));
  CORO_TEST_END ();
}

/* Clean-ups run last-registered first, on a cancelled task too. */
typedef struct
{
  GArray *order;
} Deferring;

static void
defer_one (gpointer data)
{
  coro_test_append (data, 1);
}

static void
defer_two (gpointer data)
{
  coro_test_append (data, 2);
}

static void
deferring_start (CoroTask *task,
                 gpointer  frame)
{
  Deferring *self = frame;

  coro_task_defer (task, defer_one, self->order);
  coro_task_defer (task, defer_two, self->order);
  coro_await (task, coro_sleep (100), mark_next);
}

static void
test_task_defer_on_cancel (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroTask *task = CORO_CREATE_TASK (deferring_start, Deferring, .order = order);
  const int expected[] = { 2, 1 };

  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, cancel_with_reason, task,
                                           NULL));
  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_CANCELLED);
  coro_test_assert_order (order, expected, G_N_ELEMENTS (expected));
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* A task awaiting a sleep nobody else holds adopts it: the sleep's block goes at once,
 * the task wakes at the deadline, and a catching step still sees a done sleep. */
typedef struct
{
  double      delay;
  double      woke_at;
  guint       futures_while_sleeping;
  CoroFuture *shared; /* when set, awaited instead of a fresh sleep (kept by the test) */
  GArray     *order;
  int         tag;
} AdoptSleeper;

static void
adopt_sleeper_woke (CoroTask *task,
              gpointer  frame)
{
  AdoptSleeper *self = frame;
  CoroFuture *awaited = coro_task_get_awaited (task);

  g_assert_nonnull (awaited);
  g_assert_true (coro_future_done (awaited));
  if (coro_future_cancelled (awaited))
    {
      coro_task_return_error (task, g_error_copy (coro_future_get_error (awaited)));
      return;
    }
  g_assert_null (coro_future_get_error (awaited));
  g_assert_true (coro_task_get_awaited (task) == awaited);
  self->woke_at = coro_loop_time (coro_loop_get_default ());
  if (self->order != NULL)
    coro_test_append (self->order, self->tag);
  coro_task_return_int (task, self->tag);
}

static void
adopt_sleeper_start (CoroTask *task,
               gpointer  frame)
{
  AdoptSleeper *self = frame;

  coro_await_catch (task,
                    self->shared != NULL ? coro_future_ref (self->shared)
                                         : coro_sleep (self->delay),
                    adopt_sleeper_woke);
}

static void
test_task_sleep_adopted (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroTask *task = CORO_CREATE_TASK (adopt_sleeper_start, AdoptSleeper, .delay = 2.5, .tag = 7);
  AdoptSleeper *frame = coro_task_get_frame (task);
  guint before = coro_loop_get_n_futures (loop);

  g_main_context_iteration (NULL, FALSE); /* the ready steps, no jump of the clock */
  /* The first step ran: only the task is alive, not a sleep beside it. */
  g_assert_cmpuint (coro_loop_get_n_futures (loop), ==, before);
  g_assert_false (coro_future_done (CORO_FUTURE (task)));
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpfloat_with_epsilon (frame->woke_at - start, 2.5, 1e-9);
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 7);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* A sleep that someone else holds is awaited as a future, and both see it complete. */
static void
test_task_sleep_shared_not_adopted (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroFuture *sleep = coro_sleep (1);
  CoroTask *task = CORO_CREATE_TASK (adopt_sleeper_start, AdoptSleeper, .shared = sleep, .tag = 1);
  guint before = coro_loop_get_n_futures (loop);

  g_main_context_iteration (NULL, FALSE); /* the ready steps, no jump of the clock */
  g_assert_cmpuint (coro_loop_get_n_futures (loop), ==, before);
  coro_test_run (CORO_FUTURE (task));
  g_assert_true (coro_future_done (sleep));
  coro_future_unref (sleep);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Adopted and ordinary sleeps and timer handles with one deadline keep their order. */
static void
order_handle (gpointer user_data)
{
  coro_test_append (user_data, 0);
}

static void
test_task_sleep_adopted_order (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  double when = coro_loop_time (loop) + 1;
  CoroFuture *shared = coro_sleep_until (when);
  CoroTask *a = CORO_CREATE_TASK (adopt_sleeper_start, AdoptSleeper, .delay = 1, .order = order, .tag = 1);
  CoroTask *b = CORO_CREATE_TASK (adopt_sleeper_start, AdoptSleeper, .shared = shared, .order = order,
                                  .tag = 2);
  CoroTask *c = CORO_CREATE_TASK (adopt_sleeper_start, AdoptSleeper, .delay = 1, .order = order, .tag = 3);
  CoroHandle *handle;
  static const int expected[] = { 2, 1, 3, 0 }; /* scheduling order of the timers */

  g_main_context_iteration (NULL, FALSE); /* the ready steps, no jump of the clock */
  handle = coro_loop_call_at (loop, when, order_handle, order, NULL);
  coro_test_run (CORO_FUTURE (c));
  g_main_context_iteration (NULL, FALSE); /* the ready steps, no jump of the clock */
  coro_test_assert_order (order, expected, G_N_ELEMENTS (expected));
  coro_handle_unref (handle);
  coro_future_unref (shared);
  coro_future_unref (CORO_FUTURE (a));
  coro_future_unref (CORO_FUTURE (b));
  coro_future_unref (CORO_FUTURE (c));
  CORO_TEST_END ();
}

/* Cancelling a task on an adopted sleep: its timer goes, it wakes at the next pass. */
static void
test_task_sleep_adopted_cancel (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroTask *task = CORO_CREATE_TASK (adopt_sleeper_start, AdoptSleeper, .delay = 3600, .tag = 1);
  GError *error = NULL;
  guint64 pass;

  g_main_context_iteration (NULL, FALSE); /* the ready steps, no jump of the clock */
  pass = coro_loop_get_pass_count (loop);
  g_assert_true (coro_task_cancel (task, "enough"));
  g_assert_false (coro_future_done (CORO_FUTURE (task)));
  g_main_context_iteration (NULL, FALSE); /* the ready steps, no jump of the clock */
  g_assert_cmpuint (coro_loop_get_pass_count (loop), ==, pass + 1);
  g_assert_true (coro_future_cancelled (CORO_FUTURE (task)));
  g_assert_false (coro_future_propagate (CORO_FUTURE (task), &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "enough");
  g_clear_error (&error);
  /* No timer left: time did not move to the hour-long deadline. */
  g_assert_cmpfloat (coro_loop_time (loop) - start, <, 1);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* Cancelled after its timer fired but before it resumed (in the same pass): the task
 * sees the cancellation, as asyncio's does when its sleep is done but it has not run. */
typedef struct
{
  CoroTask *victim;
} AdoptCanceller;

static void
adopt_canceller_woke (CoroTask *task,
                gpointer  frame)
{
  AdoptCanceller *self = frame;

  g_assert_true (coro_task_cancel (self->victim, NULL));
  coro_task_return (task);
}

static void
adopt_canceller_start (CoroTask *task,
                 gpointer  frame)
{
  coro_await (task, coro_sleep (1), adopt_canceller_woke);
}

static void
test_task_sleep_adopted_cancel_after_fire (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *canceller = CORO_CREATE_TASK (adopt_canceller_start, AdoptCanceller, NULL);
  CoroTask *victim = CORO_CREATE_TASK (adopt_sleeper_start, AdoptSleeper, .delay = 1, .tag = 1);

  ((AdoptCanceller *) coro_task_get_frame (canceller))->victim = victim;
  coro_test_run (CORO_FUTURE (canceller));
  coro_test_run_fails (CORO_FUTURE (victim), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_true (coro_future_cancelled (CORO_FUTURE (victim)));
  coro_future_unref (CORO_FUTURE (canceller));
  coro_future_unref (CORO_FUTURE (victim));
  CORO_TEST_END ();
}

/* The result kinds a step can end its task with besides the ones above: an object (the
 * task takes a reference), a copy of a GValue, and a pointer the task releases when it
 * is finalized. */
typedef struct
{
  GObject *object;
  int *released;
} ReturnKinds;

static void
return_object_step (CoroTask *task,
                    gpointer  frame)
{
  ReturnKinds *self = frame;

  coro_task_return_object (task, self->object);
}

static void
return_value_step (CoroTask *task,
                   gpointer  frame)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRV);
  g_value_take_boxed (&value, g_strsplit ("a b c", " ", -1));
  coro_task_return_value (task, &value);
}

static void
count_release (gpointer data)
{
  (*(int *) data)++;
}

static void
return_pointer_step (CoroTask *task,
                     gpointer  frame)
{
  ReturnKinds *self = frame;

  coro_task_return_pointer (task, self->released, count_release);
}

static void
test_task_return_kinds (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GObject) object = g_object_new (G_TYPE_OBJECT, NULL);
  g_auto(GValue) value = G_VALUE_INIT;
  GError *error = NULL;
  int released = 0;
  CoroTask *task;
  const char * const *strv;

  /* An object: the task holds its own reference until it goes. */
  g_object_add_weak_pointer (object, (gpointer *) &object);
  task = CORO_CREATE_TASK (return_object_step, ReturnKinds, .object = object);
  coro_test_run (CORO_FUTURE (task));
  g_assert_true (coro_future_get_object (CORO_FUTURE (task), &error) == object);
  g_assert_no_error (error);
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), &error), ==, 0);
  g_assert_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE);
  g_clear_error (&error);
  g_object_unref (object);
  g_assert_nonnull (object);
  coro_future_unref (CORO_FUTURE (task));
  g_assert_null (object);

  /* A GValue: copied, so the step's own value is gone once the step returns. */
  task = CORO_CREATE_TASK (return_value_step, Empty, 0);
  coro_test_run (CORO_FUTURE (task));
  g_assert_true (coro_future_get_value (CORO_FUTURE (task), &value, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS (&value, G_TYPE_STRV));
  strv = g_value_get_boxed (&value);
  g_assert_cmpuint (g_strv_length ((char **) strv), ==, 3);
  g_assert_cmpstr (strv[2], ==, "c");
  coro_future_unref (CORO_FUTURE (task));

  /* A pointer: owned by the task, released once, when the task is finalized. */
  task = CORO_CREATE_TASK (return_pointer_step, ReturnKinds, .released = &released);
  coro_test_run (CORO_FUTURE (task));
  g_assert_true (coro_future_get_pointer (CORO_FUTURE (task), &error) == &released);
  g_assert_no_error (error);
  g_assert_cmpint (released, ==, 0);
  coro_future_unref (CORO_FUTURE (task));
  g_assert_cmpint (released, ==, 1);
  CORO_TEST_END ();
}

/* Returning outside a step is a programming error: a critical, and what the call was
 * given goes back to the caller (an object keeps no extra reference) or is released
 * (a pointer's destroy runs at once). */
static void
test_task_return_kinds_outside_step (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GObject) object = g_object_new (G_TYPE_OBJECT, NULL);
  g_auto(GValue) value = G_VALUE_INIT;
  CoroTask *task = CORO_TASK_NEW (return_object_step, ReturnKinds, .object = object);
  int released = 0;

  coro_test_expect_critical ("coro_task_return_object: task * is not running a step*");
  coro_task_return_object (task, object);
  coro_test_assert_expected ();
  g_assert_cmpuint (object->ref_count, ==, 1);

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 3);
  coro_test_expect_critical ("coro_task_return_value: task * is not running a step*");
  coro_task_return_value (task, &value);
  coro_test_assert_expected ();

  coro_test_expect_critical ("coro_task_return_pointer: task * is not running a step*");
  coro_task_return_pointer (task, &released, count_release);
  coro_test_assert_expected ();
  g_assert_cmpint (released, ==, 1);

  /* The task itself is untouched, and still ends with its own step's result. */
  g_assert_false (coro_future_done (CORO_FUTURE (task)));
  coro_task_start (task);
  coro_test_run (CORO_FUTURE (task));
  g_assert_true (coro_future_get_object (CORO_FUTURE (task), NULL) == object);
  coro_future_unref (CORO_FUTURE (task));
  g_assert_cmpuint (object->ref_count, ==, 1);
  CORO_TEST_END ();
}

/* Eager tasks: the first step runs inside the call that starts the task, when that call
 * is made while the loop runs. */
typedef struct
{
  CoroFuture *awaits;   /* the future the child's first step awaits */
  int *ran;             /* steps run so far */
  CoroTask **self;      /* where the child's first step stores the current task */
} EagerChild;

static void
eager_child_done (CoroTask *task,
                  gpointer  frame)
{
  EagerChild *self = frame;

  (*self->ran)++;
  coro_task_return_int (task, coro_future_get_int (coro_task_get_awaited (task), NULL) + 1);
}

static void
eager_child_start (CoroTask *task,
                   gpointer  frame)
{
  EagerChild *self = frame;

  (*self->ran)++;
  *self->self = coro_current_task ();
  if (self->awaits == NULL)
    {
      coro_task_return_int (task, 7);
      return;
    }
  coro_await (task, coro_future_ref (self->awaits), eager_child_done);
}

typedef struct
{
  int ran;
  CoroTask *seen;
  CoroTask *child;
  CoroFuture *pending;
} Eager;

typedef struct
{
  Eager *eager;
} EagerParent;

static void
eager_parent_end (CoroTask *task,
                  gpointer  frame)
{
  Eager *self = ((EagerParent *) frame)->eager;

  g_assert_true (coro_task_get_awaited (task) == CORO_FUTURE (self->child));
  coro_task_return_future (task, coro_future_ref (CORO_FUTURE (self->child)));
}

/* No await: the child is done when the call returns, and the parent is current again. */
static void
eager_parent_quick (CoroTask *task,
                    gpointer  frame)
{
  Eager *self = ((EagerParent *) frame)->eager;

  self->child = CORO_CREATE_TASK_EAGER (eager_child_start, EagerChild,
                                        .ran = &self->ran, .self = &self->seen);
  g_assert_cmpint (self->ran, ==, 1);
  g_assert_true (self->seen == self->child);
  g_assert_true (coro_current_task () == task);
  g_assert_true (coro_future_done (CORO_FUTURE (self->child)));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (self->child), NULL), ==, 7);
  coro_await (task, coro_future_ref (CORO_FUTURE (self->child)), eager_parent_end);
}

/* The child awaits a done future: its steps go on within the same call. */
static void
eager_parent_done_future (CoroTask *task,
                          gpointer  frame)
{
  Eager *self = ((EagerParent *) frame)->eager;
  EagerChild child = { .ran = &self->ran, .self = &self->seen };
  CoroFuture *done = coro_future_new ();

  g_assert_true (coro_future_set_int (done, 41, NULL));
  child.awaits = done;
  self->child = coro_create_task_eager (eager_child_start, &child, sizeof child);
  coro_future_unref (done);
  g_assert_cmpint (self->ran, ==, 2);
  g_assert_true (coro_current_task () == task);
  g_assert_true (coro_future_done (CORO_FUTURE (self->child)));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (self->child), NULL), ==, 42);
  coro_await (task, coro_future_ref (CORO_FUTURE (self->child)), eager_parent_end);
}

/* The child awaits a pending future: the call returns after the first step, and the
 * child goes on as an ordinary task once the future is done. */
static void
eager_parent_pending (CoroTask *task,
                      gpointer  frame)
{
  Eager *self = ((EagerParent *) frame)->eager;
  CoroTask *child = CORO_TASK_NEW (eager_child_start, EagerChild, .awaits = self->pending,
                                   .ran = &self->ran, .self = &self->seen);

  self->child = child;
  g_assert_cmpint (self->ran, ==, 0);
  coro_task_start_eager (child);
  g_assert_cmpint (self->ran, ==, 1);
  g_assert_true (self->seen == child);
  g_assert_true (coro_current_task () == task);
  g_assert_false (coro_future_done (CORO_FUTURE (child)));
  coro_await (task, coro_future_ref (CORO_FUTURE (child)), eager_parent_end);
}

static void
set_pending (gpointer user_data)
{
  g_assert_true (coro_future_set_int (user_data, 99, NULL));
}

static void
test_task_eager (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  Eager eager = { 0 };
  CoroTask *task;
  double start;

  task = CORO_CREATE_TASK (eager_parent_quick, EagerParent, .eager = &eager);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 7);
  coro_future_unref (CORO_FUTURE (task));
  coro_future_unref (CORO_FUTURE (eager.child));

  memset (&eager, 0, sizeof eager);
  task = CORO_CREATE_TASK (eager_parent_done_future, EagerParent, .eager = &eager);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 42);
  coro_future_unref (CORO_FUTURE (task));
  coro_future_unref (CORO_FUTURE (eager.child));

  memset (&eager, 0, sizeof eager);
  eager.pending = coro_future_new ();
  coro_handle_unref (coro_loop_call_later (loop, 2, set_pending, eager.pending, NULL));
  start = coro_loop_time (loop);
  task = CORO_CREATE_TASK (eager_parent_pending, EagerParent, .eager = &eager);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (eager.ran, ==, 2);
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 100);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 2, 1e-9);
  coro_future_unref (CORO_FUTURE (task));
  coro_future_unref (CORO_FUTURE (eager.child));
  coro_future_unref (eager.pending);
  CORO_TEST_END ();
}

/* From a loop callback, too: the loop runs, no task is current. */
static void
eager_from_callback (gpointer user_data)
{
  Eager *self = user_data;

  g_assert_null (coro_current_task ());
  self->child = CORO_CREATE_TASK_EAGER (eager_child_start, EagerChild,
                                        .ran = &self->ran, .self = &self->seen);
  g_assert_cmpint (self->ran, ==, 1);
  g_assert_true (coro_future_done (CORO_FUTURE (self->child)));
  g_assert_null (coro_current_task ());
}

static void
test_task_eager_from_callback (void)
{
  CORO_TEST_BEGIN ();
  Eager eager = { 0 };

  coro_handle_unref (coro_loop_call_soon (coro_loop_get_default (), eager_from_callback, &eager,
                                          NULL));
  coro_test_yield ();
  g_assert_nonnull (eager.child);
  g_assert_true (eager.seen == eager.child);
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (eager.child), NULL), ==, 7);
  coro_future_unref (CORO_FUTURE (eager.child));
  CORO_TEST_END ();
}

/* Outside a running loop an eager start is an ordinary one: scheduled, not run. */
static void
test_task_eager_outside_loop (void)
{
  CORO_TEST_BEGIN ();
  Eager eager = { 0 };
  CoroTask *created = CORO_CREATE_TASK_EAGER (eager_child_start, EagerChild,
                                              .ran = &eager.ran, .self = &eager.seen);
  CoroTask *started = CORO_TASK_NEW (eager_child_start, EagerChild,
                                     .ran = &eager.ran, .self = &eager.seen);

  coro_task_start_eager (started);
  g_assert_cmpint (eager.ran, ==, 0);
  g_assert_false (coro_future_done (CORO_FUTURE (created)));
  g_assert_false (coro_future_done (CORO_FUTURE (started)));
  coro_test_run (CORO_FUTURE (started));
  g_assert_cmpint (eager.ran, ==, 2);
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (created), NULL), ==, 7);
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (started), NULL), ==, 7);
  coro_future_unref (CORO_FUTURE (created));
  coro_future_unref (CORO_FUTURE (started));
  CORO_TEST_END ();
}

/* A task cancelled before its eager start ends cancelled at once, with no step run; a
 * task started twice is a programming error. */
typedef struct
{
  Eager *eager;
  CoroTask *cancelled;
  CoroTask *twice;
} EagerMisuse;

static void
eager_misuse_step (CoroTask *task,
                   gpointer  frame)
{
  EagerMisuse *self = frame;

  coro_task_start_eager (self->cancelled);
  g_assert_true (coro_future_done (CORO_FUTURE (self->cancelled)));
  g_assert_true (coro_future_cancelled (CORO_FUTURE (self->cancelled)));
  g_assert_cmpint (self->eager->ran, ==, 0);

  coro_task_start_eager (self->twice);
  g_assert_cmpint (self->eager->ran, ==, 1);
  coro_test_expect_critical ("coro_task_start: task * was already started");
  coro_task_start_eager (self->twice);
  coro_test_assert_expected ();
  g_assert_cmpint (self->eager->ran, ==, 1);
  coro_task_return (task);
}

static void
test_task_eager_misuse (void)
{
  CORO_TEST_BEGIN ();
  Eager eager = { 0 };
  CoroTask *cancelled = CORO_TASK_NEW (eager_child_start, EagerChild,
                                       .ran = &eager.ran, .self = &eager.seen);
  CoroTask *twice = CORO_TASK_NEW (eager_child_start, EagerChild,
                                   .ran = &eager.ran, .self = &eager.seen);
  CoroTask *task;

  g_assert_true (coro_future_cancel (CORO_FUTURE (cancelled), "early"));
  task = CORO_CREATE_TASK (eager_misuse_step, EagerMisuse, .eager = &eager,
                           .cancelled = cancelled, .twice = twice);
  coro_test_run (CORO_FUTURE (task));
  coro_test_run_fails (CORO_FUTURE (cancelled), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (coro_future_get_error (CORO_FUTURE (cancelled))->message, ==, "early");
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (twice), NULL), ==, 7);
  coro_future_unref (CORO_FUTURE (task));
  coro_future_unref (CORO_FUTURE (cancelled));
  coro_future_unref (CORO_FUTURE (twice));
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/task/steps-and-frame", test_task_steps_and_frame);
  g_test_add_func ("/task/await-pending-future", test_task_await_pending_future);
  g_test_add_func ("/task/await-failed", test_task_await_failed);
  g_test_add_func ("/task/await-done-trampoline", test_task_await_done_trampoline);
  g_test_add_func ("/task/cancel-before-start", test_task_cancel_before_start);
  g_test_add_func ("/task/cancel-while-awaiting", test_task_cancel_while_awaiting);
  g_test_add_func ("/task/cancel-after-done", test_task_cancel_after_done);
  g_test_add_func ("/task/catch-cancellation", test_task_catch_cancellation);
  g_test_add_func ("/task/current-and-all", test_task_current_and_all);
  g_test_add_func ("/task/names", test_task_names);
  g_test_add_func ("/task/is-a-future", test_task_is_a_future);
  g_test_add_func ("/task/return-error", test_task_return_error);
  g_test_add_func ("/task/kept-alive", test_task_kept_alive);
  g_test_add_func ("/task/step-without-outcome", test_task_step_without_outcome);
  g_test_add_func ("/task/new-and-start", test_task_new_and_start);
  g_test_add_func ("/task/nested-error", test_task_nested_error);
  g_test_add_func ("/task/bad-awaits", test_task_bad_awaits);
  g_test_add_func ("/task/null-arguments", test_task_null_arguments);

  g_test_add_func ("/task/step-order", test_task_step_order);
  g_test_add_func ("/task/await-done-same-pass", test_task_await_done_same_pass);
  g_test_add_func ("/task/await-done-small-stack", test_task_await_done_small_stack);
  g_test_add_func ("/task/cancel-message", test_task_cancel_message);
  g_test_add_func ("/task/cancellable-before-start", test_task_cancellable_before_start);
  g_test_add_func ("/task/cancel-at-end", test_task_cancel_at_end);
  g_test_add_func ("/task/cancel-self-and-uncancel", test_task_cancel_self_and_uncancel);
  g_test_add_func ("/task/cancel-propagates-to-awaited-task",
                   test_task_cancel_propagates_to_awaited_task);
  g_test_add_func ("/task/return-error-kinds", test_task_return_error_kinds);
  g_test_add_func ("/task/return-future-error", test_task_return_future_error);
  g_test_add_func ("/task/all-tasks-pending", test_task_all_tasks_pending);
  g_test_add_func ("/task/await-task", test_task_await_task);
  g_test_add_func ("/task/default-names", test_task_default_names);
  g_test_add_func ("/task/defer-on-cancel", test_task_defer_on_cancel);
  g_test_add_func ("/task/sleep-adopted", test_task_sleep_adopted);
  g_test_add_func ("/task/sleep-shared-not-adopted", test_task_sleep_shared_not_adopted);
  g_test_add_func ("/task/sleep-adopted-order", test_task_sleep_adopted_order);
  g_test_add_func ("/task/sleep-adopted-cancel", test_task_sleep_adopted_cancel);
  g_test_add_func ("/task/sleep-adopted-cancel-after-fire",
                   test_task_sleep_adopted_cancel_after_fire);
  g_test_add_func ("/task/return-kinds", test_task_return_kinds);
  g_test_add_func ("/task/return-kinds-outside-step", test_task_return_kinds_outside_step);
  g_test_add_func ("/task/eager", test_task_eager);
  g_test_add_func ("/task/eager-from-callback", test_task_eager_from_callback);
  g_test_add_func ("/task/eager-outside-loop", test_task_eager_outside_loop);
  g_test_add_func ("/task/eager-misuse", test_task_eager_misuse);

  return g_test_run ();
}
