/* test-wait.c: coro_wait and coro_as_completed, asyncio 3.13 semantics
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

typedef struct
{
  double delay;
  gint64 value;
  gboolean fail;
  int n_yields;     /* instead of a delay: sleep (0) this many times */
} Child;

static void child_end (CoroTask *task, gpointer frame);

static void
child_start (CoroTask *task,
             gpointer  frame)
{
  Child *self = frame;

  if (self->n_yields > 0)
    {
      self->n_yields--;
      coro_await (task, coro_sleep (0), self->n_yields > 0 ? child_start : child_end);
      return;
    }
  coro_await (task, coro_sleep (self->delay), child_end);
}

static void
child_end (CoroTask *task,
           gpointer  frame)
{
  Child *self = frame;

  if (self->fail)
    coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "child %" G_GINT64_FORMAT,
                                self->value);
  else
    coro_task_return_int (task, self->value);
}

#define CHILD(...) CORO_FUTURE (CORO_CREATE_TASK (child_start, Child, __VA_ARGS__))

/* A plain future completed by a timer: unlike a task, coro_run() leaves it running. */
typedef struct
{
  CoroFuture *future;
  gint64      value;
  gboolean    fail;
} Later;

static void
later_fire (gpointer data)
{
  Later *self = data;

  if (coro_future_done (self->future))
    return;
  if (self->fail)
    coro_future_set_error (self->future,
                           g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "later %" G_GINT64_FORMAT,
                                        self->value),
                           NULL);
  else
    coro_future_set_int (self->future, self->value, NULL);
}

static void
later_free (gpointer data)
{
  Later *self = data;

  coro_future_unref (self->future);
  g_free (self);
}

static CoroFuture *
later (double   delay,
       gint64   value,
       gboolean fail)
{
  Later *self = g_new0 (Later, 1);

  self->future = coro_future_new ();
  self->value = value;
  self->fail = fail;
  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), delay, later_fire,
                                           self, later_free));
  return coro_future_ref (self->future);
}

static double
now (void)
{
  return coro_loop_time (coro_loop_get_default ());
}

/* Runs @future to its end, cancelled or not, and drops it. */
static void
finish (CoroFuture *future)
{
  GError *error = NULL;

  coro_run (coro_future_ref (future), &error);
  g_clear_error (&error);
  coro_future_get_error (future);
  coro_future_unref (future);
}

/* Runs @wait and asserts that it took @elapsed seconds since @start. */
static void
run_for (CoroFuture *wait,
         double      start,
         double      elapsed)
{
  coro_test_run (wait);
  g_assert_cmpfloat_with_epsilon (now () - start, elapsed, 1e-9);
}

static void
assert_sets (CoroFuture  *wait,
             CoroFuture **done,
             guint        n_done,
             CoroFuture **pending,
             guint        n_pending)
{
  GError *error = NULL;
  CoroFuture **got;
  guint n = 99;

  got = coro_future_get_done_futures (wait, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, n_done);
  for (guint i = 0; i < n; i++)
    g_assert_true (got[i] == done[i]);
  got = coro_future_get_pending_futures (wait, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, n_pending);
  for (guint i = 0; i < n; i++)
    g_assert_true (got[i] == pending[i]);
}

static void
test_wait_first_completed (void)
{
  CORO_TEST_BEGIN ();
  double start = now ();
  CoroFuture *a = later (10, 1, FALSE);
  CoroFuture *b = later (0.1, 2, FALSE);
  CoroFuture *fs[] = { coro_future_ref (a), coro_future_ref (b) };
  CoroFuture *wait = coro_wait (fs, 2, -1, CORO_WAIT_FIRST_COMPLETED);

  run_for (wait, start, 0.1);
  assert_sets (wait, &b, 1, &a, 1);
  g_assert_cmpint (coro_future_get_int (b, NULL), ==, 2);
  /* Nothing was cancelled: a runs to its end. */
  g_assert_false (coro_future_done (a));
  coro_future_unref (wait);
  coro_test_run (a);
  g_assert_cmpfloat_with_epsilon (now () - start, 10, 1e-9);
  g_assert_cmpint (coro_future_get_int (a, NULL), ==, 1);
  coro_test_unref_all (a, b, NULL);
  CORO_TEST_END ();
}

static void
test_wait_all_completed (void)
{
  CORO_TEST_BEGIN ();
  double start = now ();
  CoroFuture *a = later (1, 1, FALSE);
  CoroFuture *b = later (3, 2, TRUE);
  CoroFuture *c = later (2, 3, FALSE);
  CoroFuture *fs[] = { a, b, c };
  CoroFuture *wait = coro_waitv (fs, 3, -1, CORO_WAIT_ALL_COMPLETED);

  run_for (wait, start, 3);
  assert_sets (wait, fs, 3, NULL, 0);
  /* The wait does not read errors: they are the caller's to read. */
  g_assert_error (coro_future_get_error (b), G_IO_ERROR, G_IO_ERROR_FAILED);
  coro_test_unref_all (wait, a, b, c, NULL);
  CORO_TEST_END ();
}

static void
test_wait_first_exception (void)
{
  CORO_TEST_BEGIN ();
  double start = now ();
  CoroFuture *a = later (10, 1, FALSE);
  CoroFuture *b = later (1, 2, TRUE);
  CoroFuture *c = later (0.5, 3, FALSE);
  CoroFuture *fs[] = { a, b, c };
  CoroFuture *done[] = { b, c };
  CoroFuture *wait = coro_waitv (fs, 3, -1, CORO_WAIT_FIRST_EXCEPTION);

  run_for (wait, start, 1);
  assert_sets (wait, done, 2, &a, 1);
  coro_future_unref (wait);
  finish (a);
  coro_future_get_error (b);
  coro_test_unref_all (b, c, NULL);
  CORO_TEST_END ();
}

/* Without a failure FIRST_EXCEPTION waits for all; a cancelled future is no failure. */
static void
test_wait_first_exception_none (void)
{
  CORO_TEST_BEGIN ();
  double start = now ();
  CoroFuture *a = later (2, 1, FALSE);
  CoroFuture *b = coro_future_new ();
  CoroFuture *fs[] = { a, b };
  CoroFuture *wait = coro_waitv (fs, 2, -1, CORO_WAIT_FIRST_EXCEPTION);

  g_assert_true (coro_future_cancel (b, NULL));
  run_for (wait, start, 2);
  assert_sets (wait, fs, 2, NULL, 0);
  coro_test_unref_all (wait, a, b, NULL);
  CORO_TEST_END ();
}

/* asyncio: the timeout ends the wait and cancels nothing. */
static void
test_wait_timeout (void)
{
  CORO_TEST_BEGIN ();
  double start = now ();
  CoroFuture *a = later (10, 1, FALSE);
  CoroFuture *b = later (1, 2, FALSE);
  CoroFuture *c = coro_future_new ();
  CoroFuture *fs[] = { a, b, c };
  CoroFuture *pending[] = { a, c };
  CoroFuture *wait = coro_waitv (fs, 3, 5, CORO_WAIT_ALL_COMPLETED);

  run_for (wait, start, 5);
  assert_sets (wait, &b, 1, pending, 2);
  g_assert_false (coro_future_done (a));
  g_assert_false (coro_future_done (c));
  coro_future_unref (wait);
  finish (a);
  coro_future_unref (b);
  /* The wait no longer watches c: dropping it frees it. */
  coro_future_unref (c);
  CORO_TEST_END ();
}

static void
test_wait_timeout_zero (void)
{
  CORO_TEST_BEGIN ();
  double start = now ();
  CoroFuture *fs[] = { coro_sleep (1), coro_sleep (2) };
  CoroFuture *wait = coro_waitv (fs, 2, 0, CORO_WAIT_FIRST_COMPLETED);

  run_for (wait, start, 0);
  assert_sets (wait, NULL, 0, fs, 2);
  coro_test_unref_all (wait, fs[0], fs[1], NULL);
  CORO_TEST_END ();
}

/* CPython's test_wait_really_done: the sets are taken when the waiting code resumes, so
 * a future done in the meantime is in the done set. */
static void
test_wait_really_done (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *a = CHILD (.n_yields = 1, .value = 1);
  CoroFuture *b = CHILD (.n_yields = 2, .value = 2);
  CoroFuture *fs[] = { b, a };
  CoroFuture *wait = coro_waitv (fs, 2, -1, CORO_WAIT_FIRST_COMPLETED);

  coro_test_run (wait);
  assert_sets (wait, fs, 2, NULL, 0);
  coro_test_unref_all (wait, a, b, NULL);
  CORO_TEST_END ();
}

static void
test_wait_empty (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *wait = coro_wait (NULL, 0, -1, CORO_WAIT_ALL_COMPLETED);

  g_assert_nonnull (wait);
  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (coro_future_get_error (wait)->message, "empty"));
  coro_future_unref (wait);
  CORO_TEST_END ();
}

static void
test_wait_duplicates (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *a = coro_sleep (1);
  CoroFuture *fs[] = { coro_future_ref (a), coro_future_ref (a), coro_future_ref (a) };
  CoroFuture *wait = coro_wait (fs, 3, -1, CORO_WAIT_ALL_COMPLETED);

  coro_test_run (wait);
  assert_sets (wait, &a, 1, NULL, 0);
  coro_test_unref_all (wait, a, NULL);
  CORO_TEST_END ();
}

/* Done futures report through callbacks, as in asyncio: the wait ends a pass later. */
static void
test_wait_already_done (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroFuture *a = coro_future_new ();
  CoroFuture *b = coro_future_new ();
  CoroFuture *fs[] = { a, b };
  CoroFuture *wait;

  coro_future_set_int (a, 1, NULL);
  coro_future_set_error (b, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "b"), NULL);
  wait = coro_waitv (fs, 2, -1, CORO_WAIT_FIRST_EXCEPTION);
  g_assert_false (coro_future_done (wait));
  coro_test_run (wait);
  g_assert_true (coro_loop_get_pass_count (loop) > 0);
  assert_sets (wait, fs, 2, NULL, 0);
  /* b's report came last, when the count said "all done": asyncio does not read its
   * error then, so the caller does. */
  g_assert_error (coro_future_get_error (b), G_IO_ERROR, G_IO_ERROR_FAILED);
  coro_test_unref_all (wait, a, b, NULL);
  CORO_TEST_END ();
}

/* Cancelling the wait leaves its futures alone. */
static void
test_wait_cancel (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *a = later (1, 1, FALSE);
  CoroFuture *b = coro_future_new ();
  CoroFuture *fs[] = { a, b };
  CoroFuture *wait = coro_waitv (fs, 2, 10, CORO_WAIT_ALL_COMPLETED);
  GError *error = NULL;
  guint n = 0;

  g_assert_true (coro_future_cancel (wait, "stop"));
  g_assert_true (coro_future_cancelled (wait));
  g_assert_false (coro_future_cancel (wait, NULL));
  g_assert_null (coro_future_get_done_futures (wait, &n, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "stop");
  g_clear_error (&error);
  coro_future_unref (wait);
  coro_test_run (a);
  g_assert_false (coro_future_done (b));
  coro_test_unref_all (a, b, NULL);
  CORO_TEST_END ();
}

static void
test_wait_getters_errors (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *plain = coro_future_new ();
  CoroFuture *fs[] = { coro_sleep (1) };
  CoroFuture *wait = coro_wait (fs, 1, -1, CORO_WAIT_ALL_COMPLETED);
  GError *error = NULL;
  guint n = 7;

  g_assert_null (coro_future_get_pending_futures (wait, &n, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);
  coro_future_set_int (plain, 1, NULL);
  g_assert_null (coro_future_get_done_futures (plain, &n, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE);
  g_clear_error (&error);
  coro_test_run (wait);
  coro_test_unref_all (wait, plain, NULL);
  CORO_TEST_END ();
}

static void
test_wait_bad_input (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *fs[] = { coro_sleep (1), NULL };

  coro_test_expect_critical ("coro_wait: a future is NULL");
  g_assert_null (coro_wait (fs, 2, -1, CORO_WAIT_ALL_COMPLETED));
  coro_test_assert_expected ();
  fs[0] = coro_sleep (1);
  coro_test_expect_critical ("coro_wait: invalid return_when");
  g_assert_null (coro_wait (fs, 1, -1, (CoroWaitMode) 7));
  coro_test_assert_expected ();
  CORO_TEST_END ();
}

/* A task that returns the wait: the sets are read through the task. */
typedef struct
{
  CoroFuture *a;
  CoroFuture *b;
  GArray     *order;
} WaitMain;

static void
wait_main_done (CoroTask *task,
                gpointer  frame)
{
  WaitMain *self = frame;
  CoroFuture *wait = coro_task_get_awaited (task);
  CoroFuture **done;
  guint n = 0;

  coro_test_append (self->order, 2);
  done = coro_future_get_done_futures (wait, &n, NULL);
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (done[0] == self->b);
  coro_task_return_future (task, coro_future_ref (wait));
}

static void
wait_main (CoroTask *task,
           gpointer  frame)
{
  WaitMain *self = frame;
  CoroFuture *fs[] = { coro_future_ref (self->a), coro_future_ref (self->b) };

  coro_test_append (self->order, 1);
  coro_await (task, coro_wait (fs, 2, -1, CORO_WAIT_FIRST_COMPLETED), wait_main_done);
}

static void
test_wait_in_task (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroFuture *a = coro_sleep (2);
  CoroFuture *b = coro_sleep (1);
  CoroFuture *main = CORO_FUTURE (CORO_CREATE_TASK (wait_main, WaitMain, .a = a, .b = b,
                                                    .order = order));
  static const int expected[] = { 1, 2 };
  CoroFuture **pending;
  guint n = 0;

  coro_test_run (main);
  coro_test_assert_order (order, expected, G_N_ELEMENTS (expected));
  pending = coro_future_get_pending_futures (main, &n, NULL);
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (pending[0] == a);
  coro_test_unref_all (main, a, b, NULL);
  CORO_TEST_END ();
}

/* as_completed */

static CoroFuture *
next_now (CoroAsCompletedIter *iter,
          GError             **error)
{
  CoroFuture *next = coro_as_completed_iter_next (iter);
  CoroFuture *item;

  g_assert_nonnull (next);
  coro_run (coro_future_ref (next), NULL);
  item = coro_future_get_future (next, error);
  if (item != NULL)
    coro_future_ref (item);
  coro_future_unref (next);
  return item;
}

static void
test_as_completed_order (void)
{
  CORO_TEST_BEGIN ();
  double start = now ();
  CoroFuture *fs[] = { later (3, 3, FALSE), later (1, 1, FALSE),
                       later (2, 2, FALSE) };
  CoroAsCompletedIter *iter = coro_as_completed (fs, 3, -1);

  g_assert_cmpuint (coro_as_completed_iter_get_n_left (iter), ==, 3);
  for (gint64 i = 1; i <= 3; i++)
    {
      CoroFuture *item;

      g_assert_true (coro_as_completed_iter_has_next (iter));
      item = next_now (iter, NULL);
      g_assert_cmpfloat_with_epsilon (now () - start, i, 1e-9);
      g_assert_cmpint (coro_future_get_int (item, NULL), ==, i);
      coro_future_unref (item);
    }
  g_assert_false (coro_as_completed_iter_has_next (iter));
  g_assert_null (coro_as_completed_iter_next (iter));
  g_object_unref (iter);
  CORO_TEST_END ();
}

/* 3.13 yields the original futures: the same pointers, failures included. */
static void
test_as_completed_originals (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *bad = later (1, 9, TRUE);
  CoroFuture *good = coro_sleep (2);
  CoroFuture *fs[] = { bad, good };
  CoroAsCompletedIter *iter = coro_as_completedv (fs, 2, -1);
  CoroFuture *item;

  item = next_now (iter, NULL);
  g_assert_true (item == bad);
  g_assert_error (coro_future_get_error (item), G_IO_ERROR, G_IO_ERROR_FAILED);
  coro_future_unref (item);
  item = next_now (iter, NULL);
  g_assert_true (item == good);
  coro_future_unref (item);
  g_object_unref (iter);
  coro_test_unref_all (bad, good, NULL);
  CORO_TEST_END ();
}

static void
test_as_completed_timeout (void)
{
  CORO_TEST_BEGIN ();
  double start = now ();
  CoroFuture *slow = coro_future_new ();
  CoroFuture *fs[] = { coro_sleep (10), coro_sleep (1), coro_future_ref (slow) };
  CoroAsCompletedIter *iter = coro_as_completed (fs, 3, 5);
  GError *error = NULL;
  CoroFuture *item;

  item = next_now (iter, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (now () - start, 1, 1e-9);
  coro_future_unref (item);
  for (int i = 0; i < 2; i++)
    {
      g_assert_null (next_now (iter, &error));
      g_assert_error (error, CORO_ERROR, CORO_ERROR_TIMEOUT);
      g_clear_error (&error);
      g_assert_cmpfloat_with_epsilon (now () - start, 5, 1e-9);
    }
  g_assert_false (coro_as_completed_iter_has_next (iter));
  g_object_unref (iter);
  /* Given up, not cancelled. */
  g_assert_false (coro_future_done (slow));
  coro_future_unref (slow);
  CORO_TEST_END ();
}

/* Several next() futures wait in line, served first come, first served. */
static void
test_as_completed_ahead (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *fs[] = { later (2, 2, FALSE), later (1, 1, FALSE) };
  CoroAsCompletedIter *iter = coro_as_completed (fs, 2, -1);
  CoroFuture *n1 = coro_as_completed_iter_next (iter);
  CoroFuture *n2 = coro_as_completed_iter_next (iter);

  g_assert_false (coro_as_completed_iter_has_next (iter));
  g_object_unref (iter);  /* the pending next() futures keep it */
  coro_test_run (n2);
  g_assert_true (coro_future_done (n1));
  g_assert_cmpint (coro_future_get_int (coro_future_get_future (n1, NULL), NULL), ==, 1);
  g_assert_cmpint (coro_future_get_int (coro_future_get_future (n2, NULL), NULL), ==, 2);
  coro_test_unref_all (n1, n2, NULL);
  CORO_TEST_END ();
}

/* A next() future that is cancelled keeps its turn used up, as in asyncio. */
static void
test_as_completed_cancel_next (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *fs[] = { coro_sleep (1), coro_sleep (2) };
  CoroAsCompletedIter *iter = coro_as_completed (fs, 2, -1);
  CoroFuture *n1 = coro_as_completed_iter_next (iter);
  CoroFuture *item;

  g_assert_true (coro_future_cancel (n1, NULL));
  g_assert_true (coro_future_cancelled (n1));
  coro_future_unref (n1);
  g_assert_cmpuint (coro_as_completed_iter_get_n_left (iter), ==, 1);
  item = next_now (iter, NULL);
  g_assert_true (coro_future_done (item));
  coro_future_unref (item);
  g_assert_false (coro_as_completed_iter_has_next (iter));
  g_object_unref (iter);
  coro_test_yield ();
  CORO_TEST_END ();
}

static void
test_as_completed_empty_and_errors (void)
{
  CORO_TEST_BEGIN ();
  CoroAsCompletedIter *iter = coro_as_completed (NULL, 0, 1);
  CoroFuture *fs[1];
  CoroFuture *plain = coro_future_new ();
  GError *error = NULL;

  g_assert_false (coro_as_completed_iter_has_next (iter));
  g_assert_null (coro_as_completed_iter_next (iter));
  g_object_unref (iter);

  /* Duplicates count once. */
  fs[0] = coro_future_new ();
  {
    CoroFuture *dup[] = { fs[0], fs[0] };

    iter = coro_as_completedv (dup, 2, -1);
  }
  g_assert_cmpuint (coro_as_completed_iter_get_n_left (iter), ==, 1);
  coro_future_set_int (fs[0], 5, NULL);
  {
    CoroFuture *item = next_now (iter, NULL);

    g_assert_true (item == fs[0]);
    coro_future_unref (item);
  }
  g_object_unref (iter);
  coro_future_unref (fs[0]);

  coro_future_set_int (plain, 1, NULL);
  g_assert_null (coro_future_get_future (plain, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE);
  g_clear_error (&error);
  coro_future_unref (plain);
  CORO_TEST_END ();
}

/* Dropping the iterator before the futures are done: they finish, it goes. */
static void
test_as_completed_dropped (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *child = later (1, 1, FALSE);
  CoroFuture *fs[] = { coro_future_ref (child) };
  CoroAsCompletedIter *iter = coro_as_completed (fs, 1, 3);

  g_object_add_weak_pointer (G_OBJECT (iter), (gpointer *) &iter);
  g_object_unref (iter);
  g_assert_nonnull (iter);
  coro_test_run (child);
  coro_test_yield ();
  g_assert_null (iter);
  coro_future_unref (child);
  CORO_TEST_END ();
}

/* async for f in as_completed (fs): inside a task. */
typedef struct
{
  CoroAsCompletedIter *iter;
  GArray              *order;
} AsCompletedMain;

static void as_completed_main (CoroTask *task, gpointer frame);

static void
as_completed_main_got (CoroTask *task,
                       gpointer  frame)
{
  AsCompletedMain *self = frame;
  CoroFuture *f = coro_future_get_future (coro_task_get_awaited (task), NULL);

  coro_test_append (self->order, (int) coro_future_get_int (f, NULL));
  as_completed_main (task, frame);
}

static void
as_completed_main (CoroTask *task,
                   gpointer  frame)
{
  AsCompletedMain *self = frame;

  if (!coro_as_completed_iter_has_next (self->iter))
    {
      coro_task_return (task);
      return;
    }
  coro_await (task, coro_as_completed_iter_next (self->iter), as_completed_main_got);
}

static void
test_as_completed_in_task (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroFuture *fs[] = { CHILD (.delay = 0.3, .value = 3), CHILD (.delay = 0.1, .value = 1),
                       CHILD (.delay = 0.2, .value = 2) };
  CoroAsCompletedIter *iter = coro_as_completed (fs, 3, -1);
  CoroFuture *main = CORO_FUTURE (CORO_CREATE_TASK (as_completed_main, AsCompletedMain,
                                                    .iter = iter, .order = order));
  static const int expected[] = { 1, 2, 3 };

  coro_test_run (main);
  coro_test_assert_order (order, expected, G_N_ELEMENTS (expected));
  coro_future_unref (main);
  g_object_unref (iter);
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/wait/first-completed", test_wait_first_completed);
  g_test_add_func ("/wait/all-completed", test_wait_all_completed);
  g_test_add_func ("/wait/first-exception", test_wait_first_exception);
  g_test_add_func ("/wait/first-exception-none", test_wait_first_exception_none);
  g_test_add_func ("/wait/timeout", test_wait_timeout);
  g_test_add_func ("/wait/timeout-zero", test_wait_timeout_zero);
  g_test_add_func ("/wait/really-done", test_wait_really_done);
  g_test_add_func ("/wait/empty", test_wait_empty);
  g_test_add_func ("/wait/duplicates", test_wait_duplicates);
  g_test_add_func ("/wait/already-done", test_wait_already_done);
  g_test_add_func ("/wait/cancel", test_wait_cancel);
  g_test_add_func ("/wait/getters-errors", test_wait_getters_errors);
  g_test_add_func ("/wait/bad-input", test_wait_bad_input);
  g_test_add_func ("/wait/in-task", test_wait_in_task);
  g_test_add_func ("/as-completed/order", test_as_completed_order);
  g_test_add_func ("/as-completed/originals", test_as_completed_originals);
  g_test_add_func ("/as-completed/timeout", test_as_completed_timeout);
  g_test_add_func ("/as-completed/ahead", test_as_completed_ahead);
  g_test_add_func ("/as-completed/cancel-next", test_as_completed_cancel_next);
  g_test_add_func ("/as-completed/empty-and-errors", test_as_completed_empty_and_errors);
  g_test_add_func ("/as-completed/dropped", test_as_completed_dropped);
  g_test_add_func ("/as-completed/in-task", test_as_completed_in_task);

  return g_test_run ();
}
