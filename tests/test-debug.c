/* test-debug.c: debug mode's slow-callback watchdog
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

/* Real time, on purpose: the watchdog measures how long the CPU was held. */
static void
busy_wait (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    ;
}

static void
slow_callback (gpointer user_data)
{
  busy_wait (0.1);
}

static void
fast_callback (gpointer user_data)
{
  (*(guint *) user_data)++;
}

typedef struct
{
  double busy;
} Slow;

static void
slow_second_step (CoroTask *task,
                  gpointer  frame)
{
  Slow *f = frame;

  busy_wait (f->busy);
  coro_task_return (task);
}

static void
slow_first_step (CoroTask *task,
                 gpointer  frame)
{
  coro_await (task, coro_sleep (0), slow_second_step);
}

static void
test_defaults (void)
{
  CoroLoop *loop = coro_loop_get_default ();

  g_assert_false (coro_loop_get_debug (loop));
  g_assert_cmpfloat (coro_loop_get_slow_callback_duration (loop), ==, 0.1);
  coro_loop_set_debug (loop, 5);
  g_assert_true (coro_loop_get_debug (loop));
  coro_loop_set_debug (loop, FALSE);
  g_assert_false (coro_loop_get_debug (loop));
  coro_loop_set_slow_callback_duration (loop, 0.25);
  g_assert_cmpfloat (coro_loop_get_slow_callback_duration (loop), ==, 0.25);
  coro_loop_set_slow_callback_duration (loop, 0.1);
}

static void
test_slow_task_step (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroTestReports r;
  CoroTask *task;

  coro_test_reports_install (&r);
  coro_loop_set_debug (loop, TRUE);
  coro_loop_set_slow_callback_duration (loop, 0.05);

  task = CORO_CREATE_TASK (slow_first_step, Slow, .busy = 0.1);
  coro_task_set_name (task, "sluggish");
  coro_test_run (CORO_FUTURE (task));
  /* Only the slow step is reported, once, with the task. */
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_true (g_str_has_prefix (r.message, "Executing a step of task ‘sluggish’ took 0."));
  g_assert_true (g_str_has_suffix (r.message, " seconds"));
  g_assert_cmpstr (r.task_name, ==, "sluggish");
  g_assert_null (r.error);
  coro_future_unref (CORO_FUTURE (task));

  /* A fast one is not. */
  task = CORO_CREATE_TASK (slow_first_step, Slow, .busy = 0);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpuint (r.calls, ==, 1);
  coro_future_unref (CORO_FUTURE (task));

  coro_loop_set_debug (loop, FALSE);
  coro_loop_set_slow_callback_duration (loop, 0.1);
  coro_test_reports_uninstall (&r);
  CORO_TEST_END ();
}

static void
test_slow_callback (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroTestReports r;
  g_autofree char *expected = NULL;
  guint fast = 0;
  CoroHandle *handles[3];

  coro_test_reports_install (&r);
  coro_loop_set_slow_callback_duration (loop, 0.05);

  /* Debug mode off: nothing is timed. */
  handles[0] = coro_loop_call_soon (loop, slow_callback, NULL, NULL);
  coro_test_yield ();
  g_assert_cmpuint (r.calls, ==, 0);

  coro_loop_set_debug (loop, TRUE);
  handles[1] = coro_loop_call_soon (loop, fast_callback, &fast, NULL);
  handles[2] = coro_loop_call_soon (loop, slow_callback, NULL, NULL);
  coro_test_yield ();
  g_assert_cmpuint (fast, ==, 1);
  g_assert_cmpuint (r.calls, ==, 1);
  expected = g_strdup_printf ("Executing callback %p took 0.", (void *) slow_callback);
  g_assert_true (g_str_has_prefix (r.message, expected));
  g_assert_null (r.task_name);

  for (guint i = 0; i < G_N_ELEMENTS (handles); i++)
    coro_handle_unref (handles[i]);
  coro_loop_set_debug (loop, FALSE);
  coro_loop_set_slow_callback_duration (loop, 0.1);
  coro_test_reports_uninstall (&r);
  CORO_TEST_END ();
}

int
main (int    argc,
      char **argv)
{
  g_unsetenv ("CORO_DEBUG");
  coro_test_init (&argc, &argv);

  g_test_add_func ("/debug/defaults", test_defaults);
  g_test_add_func ("/debug/slow-task-step", test_slow_task_step);
  g_test_add_func ("/debug/slow-callback", test_slow_callback);

  return g_test_run ();
}
