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

/* The destroy notify runs once, on the loop's thread, after the function. */
typedef struct
{
  int ran;          /* atomic */
  int destroyed;    /* atomic */
  gboolean ran_before_destroy;
  gboolean destroyed_on_main;
} Tracked;

static void
tracked_func (CoroFuture   *result,
              GCancellable *cancellable,
              gpointer      user_data)
{
  Tracked *t = user_data;

  g_atomic_int_inc (&t->ran);
  coro_future_set_string (result, "tracked", NULL);
}

static void
tracked_destroy (gpointer user_data)
{
  Tracked *t = user_data;

  t->ran_before_destroy = g_atomic_int_get (&t->ran) == 1;
  t->destroyed_on_main = g_thread_self () == main_thread;
  g_atomic_int_inc (&t->destroyed);
}

static void
test_executor_destroy_once (void)
{
  CORO_TEST_BEGIN ();
  Tracked t = { 0 };
  CoroFuture *job = coro_run_in_executor (tracked_func, &t, tracked_destroy);

  coro_test_run (job);
  g_assert_cmpstr (coro_future_get_string (job, NULL), ==, "tracked");
  coro_future_unref (job);
  g_assert_cmpint (g_atomic_int_get (&t.ran), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&t.destroyed), ==, 1);
  g_assert_true (t.ran_before_destroy);
  g_assert_true (t.destroyed_on_main);
  CORO_TEST_END ();
}

/* A cancelled job releases its data exactly once too, when the worker is done with it. */
static void
destroy_blocking (gpointer data)
{
  g_assert_true (g_thread_self () == main_thread);
  g_atomic_int_inc (&destroyed);
}

static void
test_executor_cancel_destroy_once (void)
{
  CORO_TEST_BEGIN ();
  Blocking b = { 0 };
  CoroFuture *job;

  destroyed = 0;
  g_mutex_init (&b.lock);
  g_cond_init (&b.cond);
  job = coro_run_in_executor (wait_for_cancel, &b, destroy_blocking);
  g_mutex_lock (&b.lock);
  while (!b.started)
    g_cond_wait (&b.cond, &b.lock);
  g_mutex_unlock (&b.lock);

  g_assert_true (coro_future_cancel (job, NULL));
  g_assert_false (coro_future_cancel (job, NULL));
  coro_test_run_fails (job, CORO_ERROR, CORO_ERROR_CANCELLED);
  coro_future_unref (job);
  while (coro_loop_get_n_futures (coro_loop_get_default ()) != coro_test_baseline_)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (b.saw_cancel);
  g_assert_cmpint (g_atomic_int_get (&destroyed), ==, 1);
  g_mutex_clear (&b.lock);
  g_cond_clear (&b.cond);
  CORO_TEST_END ();
}

/* A function that sets nothing: the job completes with no value. */
static void
do_nothing (CoroFuture   *result,
            GCancellable *cancellable,
            gpointer      user_data)
{
}

static void
test_executor_no_result (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *job = coro_run_in_executor (do_nothing, NULL, NULL);

  coro_test_run (job);
  g_assert_true (coro_future_propagate (job, NULL));
  coro_future_unref (job);
  CORO_TEST_END ();
}

/* Awaited from a task: the next step runs on the loop's thread with the result. */
typedef struct
{
  gint64 n;
} Squarer;

static void
squarer_got (CoroTask *task,
             gpointer  frame)
{
  g_assert_true (g_thread_self () == main_thread);
  coro_task_return_int (task, coro_future_get_int (coro_task_get_awaited (task), NULL) + 1);
}

static void
squarer_start (CoroTask *task,
               gpointer  frame)
{
  Squarer *self = frame;

  coro_await (task, coro_run_in_executor (square, GINT_TO_POINTER (self->n), NULL), squarer_got);
}

static void
test_executor_in_task (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (squarer_start, Squarer, .n = 12);

  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 145);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* The virtual clock does not jump while a job runs: a job that takes real time ends
 * before a 10 s virtual sleep started with it. */
static void
slow_job (CoroFuture   *result,
          GCancellable *cancellable,
          gpointer      user_data)
{
  g_usleep (50 * 1000);
  coro_future_set_boolean (result, TRUE, NULL);
}

static void
record_time (CoroFuture *future,
             gpointer    user_data)
{
  *(double *) user_data = coro_loop_time (coro_loop_get_default ());
}

static void
test_executor_virtual_clock_waits (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  double job_end = -1;
  CoroFuture *job = coro_run_in_executor (slow_job, NULL, NULL);
  CoroFuture *gather;

  coro_future_add_done_callback (job, record_time, &job_end, NULL);
  gather = coro_gather (job, coro_sleep (10), NULL);
  coro_test_run (gather);
  g_assert_cmpfloat_with_epsilon (job_end - start, 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 10, 1e-9);
  coro_future_unref (gather);
  CORO_TEST_END ();
}

/* Many jobs really run side by side on several workers. */
static int running_now;
static int running_max;

static void
overlapping (CoroFuture   *result,
             GCancellable *cancellable,
             gpointer      user_data)
{
  int now = g_atomic_int_add (&running_now, 1) + 1;
  int max = g_atomic_int_get (&running_max);

  while (now > max && !g_atomic_int_compare_and_exchange (&running_max, max, now))
    max = g_atomic_int_get (&running_max);
  g_usleep (5 * 1000);
  g_atomic_int_add (&running_now, -1);
  coro_future_set_pointer (result, g_thread_self (), NULL, NULL);
}

static void
test_executor_concurrent (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *jobs[100];
  CoroFuture *gather;
  CoroFuture **results;
  g_autoptr(GHashTable) threads = g_hash_table_new (NULL, NULL);
  guint n;

  running_now = running_max = 0;
  for (int i = 0; i < 100; i++)
    jobs[i] = coro_run_in_executor (overlapping, NULL, NULL);
  gather = coro_gatherv (jobs, 100, CORO_GATHER_NONE);
  coro_test_run (gather);
  results = coro_future_get_futures (gather, &n, NULL);
  g_assert_cmpuint (n, ==, 100);
  for (int i = 0; i < 100; i++)
    {
      gpointer thread = coro_future_get_pointer (results[i], NULL);

      g_assert_true (thread != NULL && thread != (gpointer) main_thread);
      g_hash_table_add (threads, thread);
      coro_future_unref (jobs[i]);
    }
  g_assert_cmpint (g_atomic_int_get (&running_max), >, 1);
  g_assert_cmpuint (g_hash_table_size (threads), >, 1);
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

  g_test_add_func ("/executor/destroy-once", test_executor_destroy_once);
  g_test_add_func ("/executor/cancel-destroy-once", test_executor_cancel_destroy_once);
  g_test_add_func ("/executor/no-result", test_executor_no_result);
  g_test_add_func ("/executor/in-task", test_executor_in_task);
  g_test_add_func ("/executor/virtual-clock-waits", test_executor_virtual_clock_waits);
  g_test_add_func ("/executor/concurrent", test_executor_concurrent);

  return g_test_run ();
}
