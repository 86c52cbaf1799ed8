/* test-executor.c: coro_run_in_executor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

static GThread *main_thread;

static void
square (CoroFuture   *result,
        GCancellable *cancellable,
        gpointer      user_data)
{
  gint64 n = GPOINTER_TO_INT (user_data);

  g_assert_true (g_thread_self () != main_thread);
  coro_future_set_int (result, n * n, NULL);
}

static void
on_main_thread (CoroFuture *future,
                gpointer    user_data)
{
  gboolean *ran = user_data;

  g_assert_true (g_thread_self () == main_thread);
  *ran = TRUE;
}

static void
test_executor_result (void)
{
  CORO_TEST_BEGIN ();
  gboolean ran = FALSE;
  CoroFuture *job = coro_run_in_executor (square, GINT_TO_POINTER (9), NULL);

  coro_future_add_done_callback (job, on_main_thread, &ran, NULL);
  coro_test_run (job);
  g_assert_true (ran);
  g_assert_cmpint (coro_future_get_int (job, NULL), ==, 81);
  coro_future_unref (job);
  CORO_TEST_END ();
}

static void
failing (CoroFuture   *result,
         GCancellable *cancellable,
         gpointer      user_data)
{
  coro_future_set_error (result, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NO_SPACE, "full"), NULL);
}

static int destroyed;

static void
count_destroy (gpointer data)
{
  g_atomic_int_inc (&destroyed);
}

static void
test_executor_error_and_destroy (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *job;

  destroyed = 0;
  job = coro_run_in_executor (failing, NULL, count_destroy);
  coro_test_run_fails (job, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  coro_future_unref (job);
  g_assert_cmpint (g_atomic_int_get (&destroyed), ==, 1);
  CORO_TEST_END ();
}

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean started;
  gboolean saw_cancel;
  gboolean finished;
} Blocking;

static void
wait_for_cancel (CoroFuture   *result,
                 GCancellable *cancellable,
                 gpointer      user_data)
{
  Blocking *b = user_data;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_mutex_lock (&b->lock);
  b->started = TRUE;
  g_cond_broadcast (&b->cond);
  g_mutex_unlock (&b->lock);
  while (!g_cancellable_is_cancelled (cancellable) && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_mutex_lock (&b->lock);
  b->saw_cancel = g_cancellable_is_cancelled (cancellable);
  b->finished = TRUE;
  g_cond_broadcast (&b->cond);
  g_mutex_unlock (&b->lock);
  /* Too late: the future is already cancelled; the result is dropped. */
  coro_future_set_int (result, 1, NULL);
}

static void
test_executor_cancel (void)
{
  CORO_TEST_BEGIN ();
  Blocking b = { 0 };
  CoroFuture *job;

  g_mutex_init (&b.lock);
  g_cond_init (&b.cond);
  job = coro_run_in_executor (wait_for_cancel, &b, NULL);
  g_mutex_lock (&b.lock);
  while (!b.started)
    g_cond_wait (&b.cond, &b.lock);
  g_mutex_unlock (&b.lock);

  /* Cancelled at once, and the function's cancellable is cancelled. */
  g_assert_true (coro_future_cancel (job, "stop"));
  g_assert_true (coro_future_cancelled (job));
  g_mutex_lock (&b.lock);
  while (!b.finished)
    g_cond_wait (&b.cond, &b.lock);
  g_mutex_unlock (&b.lock);
  g_assert_true (b.saw_cancel);
  coro_future_unref (job);
  /* Let the pool's completion reach the loop and release the job. */
  while (coro_loop_get_n_futures (coro_loop_get_default ()) != coro_test_baseline_)
    g_main_context_iteration (NULL, TRUE);
  g_mutex_clear (&b.lock);
  g_cond_clear (&b.cond);
  CORO_TEST_END ();
}

static void
test_executor_many (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *jobs[100];
  CoroFuture *gather;
  CoroFuture **results;
  guint n;

  for (int i = 0; i < 100; i++)
    jobs[i] = coro_run_in_executor (square, GINT_TO_POINTER (i), NULL);
  gather = coro_gatherv (jobs, 100, CORO_GATHER_NONE);
  coro_test_run (gather);
  results = coro_future_get_futures (gather, &n, NULL);
  g_assert_cmpuint (n, ==, 100);
  for (int i = 0; i < 100; i++)
    {
      g_assert_cmpint (coro_future_get_int (results[i], NULL), ==, i * i);
      coro_future_unref (jobs[i]);
    }
  coro_future_unref (gather);
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);
  main_thread = g_thread_self ();

  g_test_add_func ("/executor/result", test_executor_result);
  g_test_add_func ("/executor/error-and-destroy", test_executor_error_and_destroy);
  g_test_add_func ("/executor/cancel", test_executor_cancel);
  g_test_add_func ("/executor/many", test_executor_many);

  return g_test_run ();
}
