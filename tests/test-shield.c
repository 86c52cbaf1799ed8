/* test-shield.c: coro_shield
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

static void
cancel_it (gpointer data)
{
  g_assert_true (coro_future_cancel (data, "outer"));
}

static void
set_later (gpointer data)
{
  coro_future_set_int (data, 11, NULL);
}

static void
test_shield_cancel_spares_inner (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroFuture *inner = coro_future_new ();
  CoroFuture *shield = coro_shield (coro_future_ref (inner));
  CoroFuture *sleep;

  coro_handle_unref (coro_loop_call_later (loop, 1, cancel_it, shield, NULL));
  coro_handle_unref (coro_loop_call_later (loop, 2, set_later, inner, NULL));
  coro_test_run_fails (shield, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_true (coro_future_cancelled (shield));
  g_assert_false (coro_future_done (inner));
  /* The inner goes on and completes. */
  sleep = coro_sleep (3);
  coro_test_run (sleep);
  coro_future_unref (sleep);
  g_assert_cmpint (coro_future_get_int (inner, NULL), ==, 11);
  coro_future_unref (inner);
  coro_future_unref (shield);
  CORO_TEST_END ();
}

static void
test_shield_forwards_result (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *inner = coro_future_new ();
  CoroFuture *shield = coro_shield (coro_future_ref (inner));

  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, set_later, inner, NULL));
  coro_test_run (shield);
  g_assert_cmpint (coro_future_get_int (shield, NULL), ==, 11);
  coro_future_unref (inner);
  coro_future_unref (shield);

  /* A done inner: the shield is done at once or on the next pass. */
  inner = coro_future_new ();
  coro_future_set_string (inner, "done", NULL);
  shield = coro_shield (coro_future_ref (inner));
  coro_test_run (shield);
  g_assert_cmpstr (coro_future_get_string (shield, NULL), ==, "done");
  coro_future_unref (inner);
  coro_future_unref (shield);
  CORO_TEST_END ();
}

static void
test_shield_forwards_error (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *inner = coro_future_new ();
  CoroFuture *shield = coro_shield (coro_future_ref (inner));

  coro_future_set_error (inner, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BUSY, "busy"), NULL);
  coro_test_run_fails (shield, G_IO_ERROR, G_IO_ERROR_BUSY);
  coro_future_unref (inner);
  coro_future_unref (shield);
  CORO_TEST_END ();
}

static void
test_shield_inner_cancelled (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *inner = coro_future_new ();
  CoroFuture *shield = coro_shield (coro_future_ref (inner));

  coro_future_cancel (inner, "inside");
  coro_test_run_fails (shield, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_true (coro_future_cancelled (shield));
  coro_future_unref (inner);
  coro_future_unref (shield);
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/shield/cancel-spares-inner", test_shield_cancel_spares_inner);
  g_test_add_func ("/shield/forwards-result", test_shield_forwards_result);
  g_test_add_func ("/shield/forwards-error", test_shield_forwards_error);
  g_test_add_func ("/shield/inner-cancelled", test_shield_inner_cancelled);

  return g_test_run ();
}
