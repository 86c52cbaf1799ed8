/* test-gather.c: coro_gather and coro_gatherv
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

typedef struct
{
  double delay;
  gint64 value;
  gboolean fail;
  gboolean *cancelled;   /* set when the task sees its cancellation */
} Child;

static void child_end (CoroTask *task, gpointer frame);

static void
child_start (CoroTask *task,
             gpointer  frame)
{
  Child *self = frame;

  coro_await_catch (task, coro_sleep (self->delay), child_end);
}

static void
child_end (CoroTask *task,
           gpointer  frame)
{
  Child *self = frame;
  CoroFuture *sleep = coro_task_get_awaited (task);

  if (coro_future_cancelled (sleep))
    {
      if (self->cancelled != NULL)
        *self->cancelled = TRUE;
      coro_task_return_error (task, g_error_copy (coro_future_get_error (sleep)));
    }
  else if (self->fail)
    coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "child %" G_GINT64_FORMAT, self->value);
  else
    coro_task_return_int (task, self->value);
}

#define CHILD(...) CORO_FUTURE (CORO_CREATE_TASK (child_start, Child, __VA_ARGS__))

/* Runs @gather to success and returns its result futures, which must be @n_expected. */
static CoroFuture **
run_gather (CoroFuture *gather,
            guint       n_expected)
{
  CoroFuture **results;
  guint n = 0;

  coro_test_run (gather);
  results = coro_future_get_futures (gather, &n, NULL);
  g_assert_cmpuint (n, ==, n_expected);
  return results;
}

static void
test_gather_argument_order (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroFuture *a = CHILD (.delay = 3, .value = 1);
  CoroFuture *b = CHILD (.delay = 1, .value = 2);
  CoroFuture *c = CHILD (.delay = 2, .value = 3);
  CoroFuture *gather = coro_gather (a, b, c, NULL);
  CoroFuture **results;

  results = run_gather (gather, 3);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 3, 1e-9);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (coro_future_get_int (results[i], NULL), ==, i + 1);
  coro_future_unref (gather);
  CORO_TEST_END ();
}

typedef struct
{
  CoroFuture *gather;
  CoroFuture *slow;
  gboolean *slow_cancelled;
} Parent;

static void parent_slow_done (CoroTask *task, gpointer frame);

static void
parent_gather_failed (CoroTask *task,
                      gpointer  frame)
{
  Parent *self = frame;
  const GError *error = coro_future_get_error (coro_task_get_awaited (task));

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "child 2");
  /* asyncio: the other children keep running. */
  g_assert_false (coro_future_done (self->slow));
  coro_await (task, coro_future_ref (self->slow), parent_slow_done);
}

static void
parent_slow_done (CoroTask *task,
                  gpointer  frame)
{
  Parent *self = frame;

  g_assert_false (*self->slow_cancelled);
  coro_task_return_int (task, coro_future_get_int (coro_task_get_awaited (task), NULL));
}

static void
parent_start (CoroTask *task,
              gpointer  frame)
{
  Parent *self = frame;

  coro_await_catch (task, coro_future_ref (self->gather), parent_gather_failed);
}

static void
test_gather_error_first (void)
{
  CORO_TEST_BEGIN ();
  gboolean slow_cancelled = FALSE;
  CoroFuture *slow = CHILD (.delay = 5, .value = 1, .cancelled = &slow_cancelled);
  CoroFuture *bad = CHILD (.delay = 1, .value = 2, .fail = TRUE);
  CoroFuture *worse = CHILD (.delay = 2, .value = 3, .fail = TRUE);
  CoroFuture *children[] = { slow, bad, worse };
  CoroFuture *gather = coro_gatherv (children, 3, CORO_GATHER_NONE);
  CoroTask *parent = CORO_CREATE_TASK (parent_start, Parent, .gather = gather, .slow = slow,
                                       .slow_cancelled = &slow_cancelled);

  coro_test_run (CORO_FUTURE (parent));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (parent), NULL), ==, 1);
  g_assert_true (coro_future_done (worse));
  coro_test_unref_all (children[0], children[1], children[2], gather, CORO_FUTURE (parent), NULL);
  CORO_TEST_END ();
}

static void
test_gather_return_exceptions (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *cancelled = coro_future_new ();
  CoroFuture *children[] = { CHILD (.delay = 1, .value = 1), CHILD (.delay = 2, .value = 2, .fail = TRUE), cancelled };
  CoroFuture *gather = coro_gatherv (children, 3, CORO_GATHER_RETURN_EXCEPTIONS);
  CoroFuture **results;

  coro_future_cancel (cancelled, NULL);
  results = run_gather (gather, 3);
  g_assert_cmpint (coro_future_get_int (results[0], NULL), ==, 1);
  g_assert_error (coro_future_get_error (results[1]), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_true (coro_future_cancelled (results[2]));
  coro_test_unref_all (children[0], children[1], children[2], gather, NULL);
  CORO_TEST_END ();
}

static void
test_gather_cancel_on_error (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  gboolean cancelled = FALSE;
  CoroFuture *slow = CHILD (.delay = 100, .cancelled = &cancelled);
  CoroFuture *bad = CHILD (.delay = 1, .fail = TRUE);
  CoroFuture *children[] = { slow, bad };
  CoroFuture *gather = coro_gatherv (children, 2, CORO_GATHER_CANCEL_ON_ERROR);

  coro_test_run_fails (gather, G_IO_ERROR, G_IO_ERROR_FAILED);
  coro_test_yield ();
  /* Beyond asyncio: the first error cancels the siblings. */
  g_assert_true (cancelled);
  g_assert_true (coro_future_cancelled (slow));
  g_assert_cmpfloat (coro_loop_time (loop) - start, <, 2);
  coro_test_unref_all (bad, slow, gather, NULL);
  CORO_TEST_END ();
}

static void
cancel_gather (gpointer data)
{
  g_assert_true (coro_future_cancel (data, "enough"));
}

static void
cancel_gather_child (gpointer data)
{
  g_assert_true (coro_future_cancel (data, "child"));
}

static void
test_gather_cancel_cancels_children (void)
{
  CORO_TEST_BEGIN ();
  gboolean a_cancelled = FALSE, b_cancelled = FALSE;
  CoroFuture *a = CHILD (.delay = 10, .cancelled = &a_cancelled);
  CoroFuture *b = CHILD (.delay = 20, .cancelled = &b_cancelled);
  CoroFuture *children[] = { a, b };
  CoroFuture *gather = coro_gatherv (children, 2, CORO_GATHER_NONE);

  /* Cancel while the children run. */
  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, cancel_gather, gather, NULL));
  coro_test_run_fails (gather, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_true (a_cancelled && b_cancelled);
  g_assert_true (coro_future_cancelled (a) && coro_future_cancelled (b));
  g_assert_true (coro_future_cancelled (gather));
  coro_test_unref_all (a, b, gather, NULL);
  CORO_TEST_END ();
}

static void
test_gather_empty_and_done (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *gather = coro_gatherv (NULL, 0, CORO_GATHER_NONE);
  CoroFuture *done = coro_future_new ();
  guint n = 99;

  /* No children: done at once, with an empty result. */
  g_assert_true (coro_future_done (gather));
  coro_future_get_futures (gather, &n, NULL);
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (coro_future_propagate (gather, NULL));
  coro_future_unref (gather);

  gather = coro_gather ((CoroFuture *) NULL, NULL);
  g_assert_true (coro_future_done (gather));
  coro_future_unref (gather);

  coro_future_set_string (done, "ready", NULL);
  gather = coro_gather (coro_future_ref (done), coro_future_ref (done), NULL);
  coro_test_run (gather);
  {
    CoroFuture **results = coro_future_get_futures (gather, &n, NULL);

    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpstr (coro_future_get_string (results[1], NULL), ==, "ready");
  }
  coro_test_unref_all (gather, done, NULL);
  CORO_TEST_END ();
}

static void
test_gather_plain_futures_and_tasks (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *plain = coro_future_new ();
  CoroFuture *gather = coro_gather (coro_future_ref (plain), CHILD (.delay = 1, .value = 5), coro_sleep (2), NULL);
  CoroFuture **results;

  coro_future_set_double (plain, 0.5, NULL);
  results = run_gather (gather, 3);
  g_assert_cmpfloat (coro_future_get_double (results[0], NULL), ==, 0.5);
  g_assert_cmpint (coro_future_get_int (results[1], NULL), ==, 5);
  g_assert_true (coro_future_propagate (results[2], NULL));
  coro_test_unref_all (plain, gather, NULL);
  CORO_TEST_END ();
}

/* coro_gather consumes its arguments: the results are those very futures, and once the
 * gather goes, so do they (CORO_TEST_END counts them). */
static void
test_gather_varargs_consumes (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *a = coro_future_new ();
  CoroFuture *b = CHILD (.delay = 1, .value = 2);
  CoroFuture *gather = coro_gather (a, b, NULL);
  CoroFuture **results;

  /* Only the gather's references keep a and b now. */
  coro_future_set_int (a, 1, NULL);
  results = run_gather (gather, 2);
  g_assert_true (results[0] == a);
  g_assert_true (results[1] == b);
  g_assert_cmpint (coro_future_get_int (results[0], NULL), ==, 1);
  g_assert_cmpint (coro_future_get_int (results[1], NULL), ==, 2);
  coro_future_unref (gather);
  CORO_TEST_END ();
}

/* coro_gatherv takes references of its own: the caller may drop its array at once. */
static void
test_gatherv_takes_refs (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture **children = g_new (CoroFuture *, 3);
  CoroFuture *gather;
  CoroFuture **results;

  for (guint i = 0; i < 3; i++)
    children[i] = CHILD (.delay = 3 - i, .value = 10 * (i + 1));
  gather = coro_gatherv (children, 3, CORO_GATHER_NONE);
  for (guint i = 0; i < 3; i++)
    coro_future_unref (children[i]);
  g_free (children);

  results = run_gather (gather, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (coro_future_get_int (results[i], NULL), ==, 10 * (i + 1));
  coro_future_unref (gather);
  CORO_TEST_END ();
}

/* A child that ends cancelled cancels the gather (asyncio's default). */
static void
test_gather_child_cancelled (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  gboolean cancelled = FALSE;
  CoroFuture *slow = CHILD (.delay = 10, .value = 1, .cancelled = &cancelled);
  CoroFuture *other = CHILD (.delay = 2, .value = 2);
  CoroFuture *children[] = { slow, other };
  CoroFuture *gather = coro_gatherv (children, 2, CORO_GATHER_NONE);
  GError *error = NULL;

  coro_handle_unref (coro_loop_call_later (loop, 1, cancel_gather_child, slow, NULL));
  g_assert_false (coro_run (coro_future_ref (gather), &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "child");
  g_clear_error (&error);
  g_assert_true (coro_future_cancelled (gather));
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 1, 1e-9);
  g_assert_true (cancelled);
  coro_test_unref_all (slow, other, gather, NULL);
  CORO_TEST_END ();
}

/* A cancelled gather ends cancelled even if a child swallows the cancellation and
 * returns a value (asyncio 3.12); the child keeps its value. */
static void
stubborn_caught (CoroTask *task,
                 gpointer  frame)
{
  g_assert_true (coro_future_cancelled (coro_task_get_awaited (task)));
  coro_task_uncancel (task);
  coro_task_return_int (task, 77);
}

static void
stubborn_start (CoroTask *task,
                gpointer  frame)
{
  coro_await_catch (task, coro_sleep (100), stubborn_caught);
}

typedef struct
{
  int unused;
} Empty;

static void
test_gather_cancel_swallowed (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroFuture *stubborn = CORO_FUTURE (CORO_CREATE_TASK (stubborn_start, Empty, 0));
  CoroFuture *plain = CHILD (.delay = 100, .value = 3);
  CoroFuture *children[] = { stubborn, plain };
  CoroFuture *gather = coro_gatherv (children, 2, CORO_GATHER_RETURN_EXCEPTIONS);

  coro_handle_unref (coro_loop_call_later (loop, 4, cancel_gather, gather, NULL));
  coro_test_run_fails (gather, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 4, 1e-9);
  g_assert_false (coro_future_cancelled (stubborn));
  g_assert_cmpint (coro_future_get_int (stubborn, NULL), ==, 77);
  g_assert_true (coro_future_cancelled (plain));
  g_assert_cmpstr (coro_future_get_error (gather)->message, ==, "enough");
  coro_test_unref_all (stubborn, plain, gather, NULL);
  CORO_TEST_END ();
}

/* Cancelling a gather whose children are all done already does nothing. */
static void
test_gather_cancel_when_done (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *a = coro_future_new ();
  CoroFuture *gather = coro_gather (coro_future_ref (a), NULL);

  coro_future_set_int (a, 5, NULL);
  coro_test_run (gather);
  g_assert_false (coro_future_cancel (gather, NULL));
  g_assert_false (coro_future_cancelled (gather));
  g_assert_false (coro_future_cancelled (a));
  coro_test_unref_all (a, gather, NULL);
  CORO_TEST_END ();
}

/* A task awaiting a gather: cancelling the task cancels the gather and its children. */
typedef struct
{
  CoroFuture *gather;
} GatherParent;

static void
never_step (CoroTask *task,
            gpointer  frame)
{
  g_assert_not_reached ();
}

static void
gather_parent_start (CoroTask *task,
                     gpointer  frame)
{
  GatherParent *self = frame;

  coro_await (task, coro_future_ref (self->gather), never_step);
}

static void
cancel_task (gpointer data)
{
  g_assert_true (coro_task_cancel (data, NULL));
}

static void
test_gather_task_cancelled (void)
{
  CORO_TEST_BEGIN ();
  gboolean a_cancelled = FALSE, b_cancelled = FALSE;
  CoroFuture *a = CHILD (.delay = 10, .cancelled = &a_cancelled);
  CoroFuture *b = CHILD (.delay = 20, .cancelled = &b_cancelled);
  CoroFuture *children[] = { a, b };
  CoroFuture *gather = coro_gatherv (children, 2, CORO_GATHER_NONE);
  CoroTask *parent = CORO_CREATE_TASK (gather_parent_start, GatherParent, .gather = gather);

  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, cancel_task, parent, NULL));
  coro_test_run_fails (CORO_FUTURE (parent), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_true (coro_future_cancelled (gather));
  g_assert_true (a_cancelled && b_cancelled);
  coro_test_unref_all (a, b, gather, CORO_FUTURE (parent), NULL);
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/gather/argument-order", test_gather_argument_order);
  g_test_add_func ("/gather/error-first", test_gather_error_first);
  g_test_add_func ("/gather/return-exceptions", test_gather_return_exceptions);
  g_test_add_func ("/gather/cancel-on-error", test_gather_cancel_on_error);
  g_test_add_func ("/gather/cancel-cancels-children", test_gather_cancel_cancels_children);
  g_test_add_func ("/gather/empty-and-done", test_gather_empty_and_done);
  g_test_add_func ("/gather/plain-futures-and-tasks", test_gather_plain_futures_and_tasks);

  g_test_add_func ("/gather/varargs-consumes", test_gather_varargs_consumes);
  g_test_add_func ("/gather/gatherv-takes-refs", test_gatherv_takes_refs);
  g_test_add_func ("/gather/child-cancelled", test_gather_child_cancelled);
  g_test_add_func ("/gather/cancel-swallowed", test_gather_cancel_swallowed);
  g_test_add_func ("/gather/cancel-when-done", test_gather_cancel_when_done);
  g_test_add_func ("/gather/task-cancelled", test_gather_task_cancelled);

  return g_test_run ();
}
