/* coro-test.h: helpers shared by the test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <coro.h>

/* Starts a test program on the virtual clock: sleeps take no real time and loop times are
 * exact. */
static inline void
coro_test_init (int    *argc,
                char ***argv)
{
  g_test_init (argc, argv, NULL);
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

/* Lets the loop run the passes that are ready now. */
static inline void
coro_test_yield (void)
{
  CoroFuture *sleep = coro_sleep (0);

  coro_test_run (sleep);
  coro_future_unref (sleep);
}

/* Asserts that no future outlives a test: wrap a test body between these. */
#define CORO_TEST_BEGIN() \
  guint coro_test_baseline_ = coro_loop_get_n_futures (coro_loop_get_default ())
#define CORO_TEST_END() \
  g_assert_cmpuint (coro_loop_get_n_futures (coro_loop_get_default ()), ==, coro_test_baseline_)

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

