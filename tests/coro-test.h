/* coro-test.h: helpers shared by the test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <coro.h>

/* Expected criticals. The library logs with structured logging, which
 * g_test_expect_message() does not see in GLib 2.74, so the tests install a log writer
 * that swallows the one critical they expect and passes everything else on. */
static char *coro_test_expected;
static gboolean coro_test_seen;

static inline GLogWriterOutput
coro_test_log_writer (GLogLevelFlags   level,
                      const GLogField *fields,
                      gsize            n_fields,
                      gpointer         user_data)
{
  if (coro_test_expected != NULL && (level & G_LOG_LEVEL_CRITICAL))
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 &&
            g_pattern_match_simple (coro_test_expected, fields[i].value))
          {
            coro_test_seen = TRUE;
            return G_LOG_WRITER_HANDLED;
          }
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* The next critical must match @pattern (a g_pattern_match_simple() glob). */
static inline void
coro_test_expect_critical (const char *pattern)
{
  g_free (coro_test_expected);
  coro_test_expected = g_strdup (pattern);
  coro_test_seen = FALSE;
}

/* Asserts that the critical expected last was logged. */
static inline void
coro_test_assert_expected (void)
{
  g_assert_true (coro_test_seen);
  g_clear_pointer (&coro_test_expected, g_free);
  coro_test_seen = FALSE;
}

/* Starts a test program on the virtual clock: sleeps take no real time and loop times are
 * exact. */
static inline void
coro_test_init (int    *argc,
                char ***argv)
{
  g_test_init (argc, argv, NULL);
  g_log_set_writer_func (coro_test_log_writer, NULL, NULL);
  coro_loop_set_virtual_clock (coro_loop_get_default (), TRUE);
}

/* Runs @future (borrowed) to completion and asserts it succeeded. */
static inline void
coro_test_run (CoroFuture *future)
{
  GError *error = NULL;

  g_assert_true (coro_run (coro_future_ref (future), &error));
  g_assert_no_error (error);
}

/* Runs @future (borrowed) to completion and asserts it failed with @domain/@code. */
static inline void
coro_test_run_fails (CoroFuture *future,
                     GQuark      domain,
                     int         code)
{
  GError *error = NULL;

  g_assert_false (coro_run (coro_future_ref (future), &error));
  g_assert_error (error, domain, code);
  g_clear_error (&error);
}

/* Drops each future of the NULL-terminated list. */
static inline void G_GNUC_NULL_TERMINATED
coro_test_unref_all (CoroFuture *future,
                     ...)
{
  va_list args;

  va_start (args, future);
  for (; future != NULL; future = va_arg (args, CoroFuture *))
    coro_future_unref (future);
  va_end (args);
}

/* Lets the loop run the passes that are ready now. */
static inline void
coro_test_yield (void)
{
  CoroFuture *sleep = coro_sleep (0);

  coro_test_run (sleep);
  coro_future_unref (sleep);
}

/* A callback that must not run. */
static inline void
coro_test_never_called (gpointer user_data)
{
  g_assert_not_reached ();
}

/* How many times coro_test_count_destroy() ran: a test that counts resets it first. */
static guint coro_test_destroyed;

static inline void
coro_test_count_destroy (gpointer data)
{
  coro_test_destroyed++;
}

/* An exception handler that records the last report it was given. */
typedef struct
{
  guint       calls;
  char       *message;
  GError     *error;
  char       *task_name; /* of the future, when it is a task */
  gboolean    had_future;
  CoroFuture *keep;      /* set: the handler takes a reference on the future */
  gboolean    keep_it;
} CoroTestReports;

static inline void
coro_test_record (CoroLoop     *loop,
                  const char   *message,
                  const GError *error,
                  CoroFuture   *future,
                  gpointer      user_data)
{
  CoroTestReports *r = user_data;

  g_assert_true (loop == coro_loop_get_default ());
  r->calls++;
  g_free (r->message);
  r->message = g_strdup (message);
  g_clear_error (&r->error);
  r->error = error != NULL ? g_error_copy (error) : NULL;
  r->had_future = future != NULL;
  g_clear_pointer (&r->task_name, g_free);
  if (future != NULL && coro_future_is_task (future))
    r->task_name = g_strdup (coro_task_get_name ((CoroTask *) future));
  if (r->keep_it && future != NULL)
    r->keep = coro_future_ref (future);
}

static inline void
coro_test_reports_clear (CoroTestReports *r)
{
  g_free (r->message);
  g_clear_error (&r->error);
  g_free (r->task_name);
  memset (r, 0, sizeof *r);
}

/* Makes coro_test_record() the default loop's exception handler, recording into @r. */
static inline void
coro_test_reports_install (CoroTestReports *r)
{
  memset (r, 0, sizeof *r);
  coro_loop_set_exception_handler (coro_loop_get_default (), coro_test_record, r, NULL);
}

/* Gives the default loop its default exception handler back and clears @r. */
static inline void
coro_test_reports_uninstall (CoroTestReports *r)
{
  coro_loop_set_exception_handler (coro_loop_get_default (), NULL, NULL, NULL);
  coro_test_reports_clear (r);
}

/* Asserts that no future outlives a test: wrap a test body between these. */
#define CORO_TEST_BEGIN() \
  guint coro_test_baseline_ = coro_loop_get_n_futures (coro_loop_get_default ())
#define CORO_TEST_END() \
  g_assert_cmpuint (coro_loop_get_n_futures (coro_loop_get_default ()), ==, coro_test_baseline_)

/* TRUE once in @one_in draws of g_test_rand, for the model tests. */
static inline gboolean
coro_test_chance (int one_in)
{
  return g_test_rand_int_range (0, one_in) == 0;
}

/* Takes back every cancellation requested of @task (a model test's canceller may have
 * asked more than once before the task resumed), so that it carries on. */
static inline void
coro_test_uncancel_all (CoroTask *task)
{
  while (coro_task_uncancel (task) > 0)
    ;
}

/* Appends @value to a GArray of int (callback order checks). */
static inline void
coro_test_append (GArray *order,
                  int     value)
{
  g_array_append_val (order, value);
}

static inline void
coro_test_assert_order (GArray    *order,
                        const int *expected,
                        guint      n_expected)
{
  g_assert_cmpmem (order->data, order->len * sizeof (int), expected, n_expected * sizeof (int));
}

