/* test-future.c: CoroFuture, asyncio's Future rules
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

static void
record (CoroFuture *future,
        gpointer    user_data)
{
  GArray *order = user_data;
  int value = g_array_index (order, int, 0);  /* slot 0: the tag to record next */

  g_assert_true (coro_future_done (future));
  coro_test_append (order, value);
}

typedef struct
{
  GArray *order;
  int tag;
} Tagged;

static void
record_tag (CoroFuture *future,
            gpointer    user_data)
{
  Tagged *tagged = user_data;

  g_assert_true (coro_future_done (future));
  coro_test_append (tagged->order, tagged->tag);
}

static void
test_future_callbacks_deferred_in_order (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Tagged tags[3] = { { order, 1 }, { order, 2 }, { order, 3 } };
  static const int expected[] = { 1, 2, 3 };

  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    g_assert_cmpuint (coro_future_add_done_callback (future, record_tag, &tags[i], NULL), >, 0);

  g_assert_true (coro_future_set_int (future, 5, NULL));
  /* Never run synchronously inside the setter. */
  g_assert_cmpuint (order->len, ==, 0);
  coro_test_run (future);
  coro_test_assert_order (order, expected, 3);

  /* Exactly once: more passes run nothing again. */
  coro_test_yield ();
  coro_test_yield ();
  coro_test_assert_order (order, expected, 3);
  coro_future_unref (future);
  CORO_TEST_END ();
}

static void
test_future_callback_added_when_done (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Tagged tag = { order, 9 };
  guint64 pass;

  coro_future_set_none (future, NULL);
  coro_future_add_done_callback (future, record_tag, &tag, NULL);
  g_assert_cmpuint (order->len, ==, 0);
  pass = coro_loop_get_pass_count (coro_loop_get_default ());
  coro_test_yield ();
  g_assert_cmpuint (order->len, ==, 1);
  g_assert_cmpuint (coro_loop_get_pass_count (coro_loop_get_default ()), >, pass);
  coro_future_unref (future);
  CORO_TEST_END ();
}

static int destroyed;

static void
count_destroy (gpointer data)
{
  destroyed++;
}

static void
test_future_remove_done_callback (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Tagged a = { order, 1 }, b = { order, 2 };
  gulong id;
  static const int expected[] = { 2 };

  destroyed = 0;
  coro_future_add_done_callback (future, record_tag, &a, count_destroy);
  coro_future_add_done_callback (future, record_tag, &b, count_destroy);
  coro_future_add_done_callback (future, record_tag, &a, count_destroy);
  id = coro_future_add_done_callback (future, record_tag, &b, count_destroy);

  g_assert_cmpuint (coro_future_remove_done_callback (future, record_tag, &a), ==, 2);
  g_assert_cmpuint (coro_future_remove_done_callback (future, record_tag, &a), ==, 0);
  g_assert_cmpint (destroyed, ==, 2);
  g_assert_cmpuint (coro_future_remove_done_callback_by_id (future, id), ==, 1);
  g_assert_cmpuint (coro_future_remove_done_callback_by_id (future, id), ==, 0);
  g_assert_cmpint (destroyed, ==, 3);

  coro_future_set_none (future, NULL);
  coro_test_run (future);
  coro_test_assert_order (order, expected, 1);
  g_assert_cmpint (destroyed, ==, 4);
  coro_future_unref (future);
  CORO_TEST_END ();
}

static void
test_future_destroy_on_finalize (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));

  destroyed = 0;
  g_array_append_val (order, destroyed);
  coro_future_add_done_callback (future, record, order, count_destroy);
  coro_future_unref (future);
  /* A pending future dropped with a callback: released, never called. */
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_cmpuint (order->len, ==, 1);
  CORO_TEST_END ();
}

static void
test_future_cancel (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  GError *error = NULL;

  g_assert_false (coro_future_cancelled (future));
  g_assert_true (coro_future_cancel (future, "stop it"));
  g_assert_true (coro_future_cancelled (future));
  g_assert_true (coro_future_done (future));
  g_assert_false (coro_future_cancel (future, "again"));

  g_assert_cmpint (coro_future_get_int (future, &error), ==, 0);
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "stop it"));
  g_clear_error (&error);
  g_assert_error (coro_future_get_error (future), CORO_ERROR, CORO_ERROR_CANCELLED);

  g_assert_false (coro_future_set_int (future, 1, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  coro_future_unref (future);

  /* cancel after a result: refused */
  future = coro_future_new ();
  coro_future_set_int (future, 1, NULL);
  g_assert_false (coro_future_cancel (future, NULL));
  g_assert_false (coro_future_cancelled (future));
  coro_future_unref (future);
  CORO_TEST_END ();
}

static void
test_future_invalid_state (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  GError *error = NULL;

  g_assert_false (coro_future_done (future));
  g_assert_null (coro_future_get_string (future, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (coro_future_propagate (future, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_null (coro_future_get_error (future));

  g_assert_true (coro_future_set_double (future, 1.5, &error));
  g_assert_no_error (error);
  g_assert_false (coro_future_set_double (future, 2.5, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (coro_future_set_error (future, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x"), &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  /* The first result stays. */
  g_assert_cmpfloat (coro_future_get_double (future, NULL), ==, 1.5);
  coro_future_unref (future);
  CORO_TEST_END ();
}

static void
test_future_result_type (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  GError *error = NULL;

  coro_future_set_string (future, "text", NULL);
  g_assert_cmpint (coro_future_get_int (future, &error), ==, 0);
  g_assert_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE);
  g_clear_error (&error);
  g_assert_false (coro_future_get_boolean (future, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE);
  g_clear_error (&error);
  g_assert_null (coro_future_get_object (future, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE);
  g_clear_error (&error);
  g_assert_cmpstr (coro_future_get_string (future, &error), ==, "text");
  g_assert_no_error (error);
  coro_future_unref (future);
  CORO_TEST_END ();
}

static void
test_future_typed_results (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future;
  char buffer[] = "copied";
  GError *error = NULL;

  future = coro_future_new ();
  g_assert_true (coro_future_set_int (future, G_MININT64, NULL));
  g_assert_cmpint (coro_future_get_int (future, &error), ==, G_MININT64);
  g_assert_no_error (error);
  g_assert_false (coro_future_cancelled (future));
  g_assert_true (coro_future_propagate (future, NULL));
  coro_future_unref (future);

  future = coro_future_new ();
  coro_future_set_double (future, -0.25, NULL);
  g_assert_cmpfloat (coro_future_get_double (future, NULL), ==, -0.25);
  coro_future_unref (future);

  future = coro_future_new ();
  coro_future_set_boolean (future, TRUE, NULL);
  g_assert_true (coro_future_get_boolean (future, NULL));
  coro_future_unref (future);

  future = coro_future_new ();
  coro_future_set_string (future, buffer, NULL);
  buffer[0] = 'X';
  g_assert_cmpstr (coro_future_get_string (future, NULL), ==, "copied");
  coro_future_unref (future);

  future = coro_future_new ();
  coro_future_set_none (future, NULL);
  g_assert_true (coro_future_propagate (future, &error));
  g_assert_no_error (error);
  coro_future_unref (future);
  CORO_TEST_END ();
}

static void
test_future_pointer_destroy (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  int value = 3;
  CoroFuture *done;

  destroyed = 0;
  g_assert_true (coro_future_set_pointer (future, &value, count_destroy, NULL));
  g_assert_true (coro_future_get_pointer (future, NULL) == &value);
  g_assert_cmpint (destroyed, ==, 0);
  coro_future_unref (future);
  g_assert_cmpint (destroyed, ==, 1);

  /* Setting a pointer on a done future fails and releases it at once. */
  done = coro_future_new ();
  coro_future_set_none (done, NULL);
  g_assert_false (coro_future_set_pointer (done, &value, count_destroy, NULL));
  g_assert_cmpint (destroyed, ==, 2);
  coro_future_unref (done);
  CORO_TEST_END ();
}

static void
test_future_object (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  GCancellable *object = g_cancellable_new ();
  GObject *got;

  g_object_add_weak_pointer (G_OBJECT (object), (gpointer *) &object);
  g_assert_true (coro_future_set_object (future, object, NULL));
  got = coro_future_get_object (future, NULL);
  g_assert_true (got == G_OBJECT (object));
  g_object_unref (object);
  g_assert_nonnull (object);  /* the future holds a reference */
  coro_future_unref (future);
  g_assert_null (object);
  CORO_TEST_END ();
}

static void
test_future_value (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  GValue in = G_VALUE_INIT, out = G_VALUE_INIT;

  g_value_init (&in, G_TYPE_STRV);
  g_value_take_boxed (&in, g_strsplit ("a,b", ",", -1));
  g_assert_true (coro_future_set_value (future, &in, NULL));
  g_value_unset (&in);
  g_assert_true (coro_future_get_value (future, &out, NULL));
  g_assert_true (G_VALUE_HOLDS (&out, G_TYPE_STRV));
  g_assert_cmpstr (((char **) g_value_get_boxed (&out))[1], ==, "b");
  g_value_unset (&out);
  coro_future_unref (future);

  /* Other results read as a GValue too. */
  future = coro_future_new ();
  coro_future_set_int (future, 12, NULL);
  g_assert_true (coro_future_get_value (future, &out, NULL));
  g_assert_cmpint (g_value_get_int64 (&out), ==, 12);
  g_value_unset (&out);
  coro_future_unref (future);
  CORO_TEST_END ();
}

static void
test_future_error (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  GError *error = NULL;

  g_assert_true (coro_future_set_error (future, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no %s", "file"), NULL));
  g_assert_true (coro_future_done (future));
  g_assert_false (coro_future_cancelled (future));
  g_assert_error (coro_future_get_error (future), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpint (coro_future_get_int (future, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "no file");
  g_clear_error (&error);
  g_assert_false (coro_future_propagate (future, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  coro_test_run_fails (future, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  coro_future_unref (future);
  CORO_TEST_END ();
}

static void
test_future_new_for_loop (void)
{
  CORO_TEST_BEGIN ();
  GMainContext *context = g_main_context_new ();
  CoroLoop *other = coro_loop_get_for_context (context);
  CoroFuture *future = coro_future_new_for_loop (other);
  CoroFuture *here = coro_future_new ();

  g_assert_true (coro_future_get_loop (future) == other);
  g_assert_true (coro_future_get_loop (here) == coro_loop_get_default ());
  g_assert_true (other != coro_loop_get_default ());
  g_assert_cmpuint (coro_loop_get_n_futures (other), ==, 1);
  coro_future_unref (future);
  coro_future_unref (here);
  g_assert_cmpuint (coro_loop_get_n_futures (other), ==, 0);
  g_main_context_unref (context);
  CORO_TEST_END ();
}

static void
test_future_ref_counting (void)
{
  CORO_TEST_BEGIN ();
  guint base = coro_loop_get_n_futures (coro_loop_get_default ());
  CoroFuture *future = coro_future_new ();

  g_assert_cmpuint (coro_loop_get_n_futures (coro_loop_get_default ()), ==, base + 1);
  g_assert_true (coro_future_ref (future) == future);
  coro_future_unref (future);
  g_assert_cmpuint (coro_loop_get_n_futures (coro_loop_get_default ()), ==, base + 1);
  g_assert_true (G_TYPE_IS_BOXED (CORO_TYPE_FUTURE));
  coro_future_unref (future);
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/future/callbacks-deferred-in-order", test_future_callbacks_deferred_in_order);
  g_test_add_func ("/future/callback-added-when-done", test_future_callback_added_when_done);
  g_test_add_func ("/future/remove-done-callback", test_future_remove_done_callback);
  g_test_add_func ("/future/destroy-on-finalize", test_future_destroy_on_finalize);
  g_test_add_func ("/future/cancel", test_future_cancel);
  g_test_add_func ("/future/invalid-state", test_future_invalid_state);
  g_test_add_func ("/future/result-type", test_future_result_type);
  g_test_add_func ("/future/typed-results", test_future_typed_results);
  g_test_add_func ("/future/pointer-destroy", test_future_pointer_destroy);
  g_test_add_func ("/future/object", test_future_object);
  g_test_add_func ("/future/value", test_future_value);
  g_test_add_func ("/future/error", test_future_error);
  g_test_add_func ("/future/new-for-loop", test_future_new_for_loop);
  g_test_add_func ("/future/ref-counting", test_future_ref_counting);

  return g_test_run ();
}
