/* test-executor-pool.c: CoroExecutor, coro_to_thread and the loop's default executor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

static GThread *main_thread;

typedef struct
{
  gint   active; /* atomic */
  gint   max_active;
  gint   ran;
  GMutex lock;
  GCond  cond;
  gboolean started;
  gboolean released;
} Counters;

static void
counters_init (Counters *c)
{
  memset (c, 0, sizeof *c);
  g_mutex_init (&c->lock);
  g_cond_init (&c->cond);
}

static void
counters_clear (Counters *c)
{
  g_mutex_clear (&c->lock);
  g_cond_clear (&c->cond);
}

static void
counted_job (CoroFuture   *result,
             GCancellable *cancellable,
             gpointer      user_data)
{
  Counters *c = user_data;
  gint now = g_atomic_int_add (&c->active, 1) + 1;

  g_assert_true (g_thread_self () != main_thread);
  g_mutex_lock (&c->lock);
  c->max_active = MAX (c->max_active, now);
  g_mutex_unlock (&c->lock);
  /* Long enough for the other jobs to start if the limit let them. */
  g_usleep (5000);
  g_atomic_int_add (&c->active, -1);
  g_atomic_int_inc (&c->ran);
  coro_future_set_int (result, 1, NULL);
}

static void
run_all (CoroFuture **jobs,
         guint        n)
{
  CoroFuture *all = coro_gatherv (jobs, n, CORO_GATHER_RETURN_EXCEPTIONS);

  coro_test_run (all);
  coro_future_unref (all);
}

static void
test_worker_limit (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroExecutor) executor = coro_executor_new (2);
  g_autoptr(CoroExecutor) sized = coro_executor_new (0);
  Counters c;
  CoroFuture *jobs[8];

  counters_init (&c);
  g_assert_cmpuint (coro_executor_get_max_workers (executor), ==, 2);
  g_assert_cmpuint (coro_executor_get_max_workers (sized), ==,
                    MIN (32, g_get_num_processors () + 4));
  g_assert_false (coro_executor_is_shutdown (executor));

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    jobs[i] = coro_executor_submit (executor, counted_job, &c, NULL);
  run_all (jobs, G_N_ELEMENTS (jobs));
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_assert_cmpint (coro_future_get_int (jobs[i], NULL), ==, 1);
      coro_future_unref (jobs[i]);
    }
  g_assert_cmpint (c.ran, ==, 8);
  g_assert_cmpint (c.max_active, <=, 2);
  g_assert_cmpint (c.max_active, >=, 1);
  counters_clear (&c);
  CORO_TEST_END ();
}

static void
never_runs (CoroFuture   *result,
            GCancellable *cancellable,
            gpointer      user_data)
{
  g_assert_not_reached ();
}

static int destroyed;

static void
count_destroy (gpointer data)
{
  g_assert_true (g_thread_self () == main_thread);
  destroyed++;
}

static void
test_submit_after_shutdown (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroExecutor) executor = coro_executor_new (1);
  CoroFuture *job;

  coro_executor_shutdown (executor, TRUE, FALSE);
  g_assert_true (coro_executor_is_shutdown (executor));
  coro_executor_shutdown (executor, TRUE, TRUE); /* again: nothing more */
  destroyed = 0;
  job = coro_executor_submit (executor, never_runs, NULL, count_destroy);
  g_assert_true (coro_future_done (job));
  g_assert_cmpint (destroyed, ==, 1);
  coro_test_run_fails (job, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_assert_cmpstr (coro_future_get_error (job)->message, ==,
                   "Cannot run new jobs after the executor was shut down");
  coro_future_unref (job);
  CORO_TEST_END ();
}

/* The first job holds the only worker until released. */
static void
gated_job (CoroFuture   *result,
           GCancellable *cancellable,
           gpointer      user_data)
{
  Counters *c = user_data;

  g_mutex_lock (&c->lock);
  c->started = TRUE;
  g_cond_broadcast (&c->cond);
  while (!c->released)
    g_cond_wait (&c->cond, &c->lock);
  g_mutex_unlock (&c->lock);
  g_atomic_int_inc (&c->ran);
  coro_future_set_int (result, 7, NULL);
}

static void
test_shutdown_cancel_futures (void)
{
  CORO_TEST_BEGIN ();
  CoroExecutor *executor = coro_executor_new (1);
  Counters c;
  CoroFuture *jobs[3];

  counters_init (&c);
  jobs[0] = coro_executor_submit (executor, gated_job, &c, NULL);
  g_mutex_lock (&c.lock);
  while (!c.started)
    g_cond_wait (&c.cond, &c.lock);
  g_mutex_unlock (&c.lock);
  destroyed = 0;
  jobs[1] = coro_executor_submit (executor, never_runs, NULL, count_destroy);
  jobs[2] = coro_executor_submit (executor, never_runs, NULL, count_destroy);

  coro_executor_shutdown (executor, FALSE, TRUE);
  /* The executor may go: its jobs hold it. */
  g_object_unref (executor);
  g_mutex_lock (&c.lock);
  c.released = TRUE;
  g_cond_broadcast (&c.cond);
  g_mutex_unlock (&c.lock);

  run_all (jobs, 3);
  /* The running job finished; the queued ones were skipped and cancelled. */
  g_assert_cmpint (coro_future_get_int (jobs[0], NULL), ==, 7);
  g_assert_true (coro_future_cancelled (jobs[1]));
  g_assert_true (coro_future_cancelled (jobs[2]));
  g_assert_cmpint (destroyed, ==, 2);
  g_assert_cmpint (c.ran, ==, 1);
  for (guint i = 0; i < 3; i++)
    coro_future_unref (jobs[i]);
  counters_clear (&c);
  CORO_TEST_END ();
}

static void
test_shutdown_wait (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroExecutor) executor = coro_executor_new (2);
  Counters c;
  CoroFuture *jobs[4];

  counters_init (&c);
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    jobs[i] = coro_executor_submit (executor, counted_job, &c, NULL);
  /* Blocks until every job taken has run, queued ones included… */
  coro_executor_shutdown (executor, TRUE, FALSE);
  g_assert_cmpint (g_atomic_int_get (&c.ran), ==, 4);
  /* …whose results reach the loop in its next passes. */
  g_assert_false (coro_future_done (jobs[0]));
  run_all (jobs, G_N_ELEMENTS (jobs));
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_assert_cmpint (coro_future_get_int (jobs[i], NULL), ==, 1);
      coro_future_unref (jobs[i]);
    }
  counters_clear (&c);
  CORO_TEST_END ();
}

static gpointer
double_it (gpointer data)
{
  g_assert_true (g_thread_self () != main_thread);
  return GINT_TO_POINTER (GPOINTER_TO_INT (data) * 2);
}

static void
test_to_thread (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *call = coro_to_thread (double_it, GINT_TO_POINTER (21), NULL);
  char *owned = g_strdup ("data");

  coro_test_run (call);
  g_assert_cmpint (GPOINTER_TO_INT (coro_future_get_pointer (call, NULL)), ==, 42);
  coro_future_unref (call);

  /* The data is released on the loop's thread. */
  destroyed = 0;
  call = coro_to_thread (double_it, NULL, count_destroy);
  coro_test_run (call);
  g_assert_cmpint (destroyed, ==, 1);
  coro_future_unref (call);
  g_free (owned);
  CORO_TEST_END ();
}

static void
test_shutdown_default_executor (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(CoroExecutor) custom = coro_executor_new (1);
  Counters c;
  CoroFuture *job, *shutdown, *late;

  counters_init (&c);
  job = coro_run_in_executor (counted_job, &c, NULL);
  shutdown = coro_loop_shutdown_default_executor (loop);
  g_assert_false (coro_future_done (shutdown));
  coro_test_run (shutdown);
  /* The job's result came in first. */
  g_assert_true (coro_future_done (job));
  g_assert_cmpint (coro_future_get_int (job, NULL), ==, 1);

  destroyed = 0;
  late = coro_run_in_executor (never_runs, NULL, count_destroy);
  g_assert_cmpint (destroyed, ==, 1);
  coro_test_run_fails (late, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  coro_future_unref (late);
  late = coro_to_thread (double_it, NULL, NULL);
  coro_test_run_fails (late, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  coro_future_unref (late);

  /* Nothing to wait for: done at once. */
  coro_future_unref (shutdown);
  shutdown = coro_loop_shutdown_default_executor (loop);
  g_assert_true (coro_future_done (shutdown));
  coro_test_run (shutdown);
  coro_future_unref (shutdown);

  /* A default executor of one's own: used, and usable again. */
  coro_loop_set_default_executor (loop, custom);
  coro_executor_shutdown (custom, TRUE, FALSE);
  late = coro_run_in_executor (never_runs, NULL, NULL);
  coro_test_run_fails (late, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_assert_cmpstr (coro_future_get_error (late)->message, ==,
                   "Cannot run new jobs after the executor was shut down");
  coro_future_unref (late);

  coro_loop_set_default_executor (loop, NULL);
  coro_future_unref (job);
  job = coro_run_in_executor (counted_job, &c, NULL);
  coro_test_run (job);
  g_assert_cmpint (c.ran, ==, 2);
  coro_future_unref (job);
  counters_clear (&c);
  CORO_TEST_END ();
}

int
main (int    argc,
      char **argv)
{
  coro_test_init (&argc, &argv);
  main_thread = g_thread_self ();

  g_test_add_func ("/executor-pool/worker-limit", test_worker_limit);
  g_test_add_func ("/executor-pool/submit-after-shutdown", test_submit_after_shutdown);
  g_test_add_func ("/executor-pool/shutdown-cancel-futures", test_shutdown_cancel_futures);
  g_test_add_func ("/executor-pool/shutdown-wait", test_shutdown_wait);
  g_test_add_func ("/executor-pool/to-thread", test_to_thread);
  g_test_add_func ("/executor-pool/shutdown-default-executor", test_shutdown_default_executor);

  return g_test_run ();
}
