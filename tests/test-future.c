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
count_destroy (gpointer data G_GNUC_UNUSED)
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
  g_assert_false (coro_future_set_error (future,
                                         g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x"),
                                         &error));
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
test_future_get_result_type (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  CoroFuture *children[2];
  CoroFuture *gather;
  GValue value = G_VALUE_INIT;
  GObject *object;

  g_assert_cmpint (coro_future_get_result_type (future), ==, CORO_RESULT_TYPE_INVALID);
  coro_future_set_none (future, NULL);
  g_assert_cmpint (coro_future_get_result_type (future), ==, CORO_RESULT_TYPE_NONE);
  coro_future_unref (future);

#define CHECK_TYPE(setter, type) \
  future = coro_future_new (); \
  setter; \
  g_assert_cmpint (coro_future_get_result_type (future), ==, (type)); \
  coro_future_unref (future)

  CHECK_TYPE (coro_future_set_int (future, 7, NULL), CORO_RESULT_TYPE_INT);
  CHECK_TYPE (coro_future_set_double (future, 0.5, NULL), CORO_RESULT_TYPE_DOUBLE);
  CHECK_TYPE (coro_future_set_boolean (future, FALSE, NULL), CORO_RESULT_TYPE_BOOLEAN);
  CHECK_TYPE (coro_future_set_string (future, NULL, NULL), CORO_RESULT_TYPE_STRING);
  CHECK_TYPE (coro_future_set_pointer (future, NULL, NULL, NULL), CORO_RESULT_TYPE_POINTER);
  object = g_object_new (G_TYPE_OBJECT, NULL);
  CHECK_TYPE (coro_future_set_object (future, object, NULL), CORO_RESULT_TYPE_OBJECT);
  g_object_unref (object);
  g_value_init (&value, G_TYPE_UINT);
  CHECK_TYPE (coro_future_set_value (future, &value, NULL), CORO_RESULT_TYPE_VALUE);
  g_value_unset (&value);
#undef CHECK_TYPE

  /* Failed or cancelled: nothing to read. */
  future = coro_future_new ();
  coro_future_set_error (future, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "no"),
                         NULL);
  g_assert_cmpint (coro_future_get_result_type (future), ==, CORO_RESULT_TYPE_INVALID);
  g_assert_nonnull (coro_future_get_error (future));
  coro_future_unref (future);
  future = coro_future_new ();
  g_assert_true (coro_future_cancel (future, NULL));
  g_assert_cmpint (coro_future_get_result_type (future), ==, CORO_RESULT_TYPE_INVALID);
  coro_future_unref (future);

  children[0] = coro_future_new ();
  children[1] = coro_future_new ();
  coro_future_set_none (children[0], NULL);
  coro_future_set_int (children[1], 2, NULL);
  gather = coro_gatherv (children, 2, CORO_GATHER_NONE);
  g_assert_cmpint (coro_future_get_result_type (gather), ==, CORO_RESULT_TYPE_INVALID);
  coro_test_run (gather);
  g_assert_cmpint (coro_future_get_result_type (gather), ==, CORO_RESULT_TYPE_FUTURES);
  coro_future_unref (gather);
  coro_future_unref (children[0]);
  coro_future_unref (children[1]);
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

  g_assert_true (coro_future_set_error (future,
                                        g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no %s",
                                                     "file"),
                                        NULL));
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

/* Every result kind, set and read through the matching or a mismatched getter. */
typedef enum
{
  KIND_NONE,
  KIND_INT,
  KIND_DOUBLE,
  KIND_BOOLEAN,
  KIND_STRING,
  KIND_POINTER,
  KIND_OBJECT,
  N_KINDS
} Kind;

static int pointee = 5;

static gboolean
set_kind (CoroFuture  *future,
          Kind         kind,
          GError     **error)
{
  switch (kind)
    {
    case KIND_NONE:
      return coro_future_set_none (future, error);
    case KIND_INT:
      return coro_future_set_int (future, 1, error);
    case KIND_DOUBLE:
      return coro_future_set_double (future, 2.0, error);
    case KIND_BOOLEAN:
      return coro_future_set_boolean (future, TRUE, error);
    case KIND_STRING:
      return coro_future_set_string (future, "s", error);
    case KIND_POINTER:
      return coro_future_set_pointer (future, &pointee, NULL, error);
    case KIND_OBJECT:
      {
        g_autoptr(GObject) object = g_object_new (G_TYPE_OBJECT, NULL);

        return coro_future_set_object (future, object, error);
      }
    case N_KINDS:
    default:
      g_assert_not_reached ();
    }
}

/* Reads @future as @kind (KIND_NONE: propagate); TRUE if the value is the one set_kind()
 * stores. */
static gboolean
get_kind (CoroFuture  *future,
          Kind         kind,
          GError     **error)
{
  GError *local = NULL;
  gboolean matches;

  switch (kind)
    {
    case KIND_NONE:
      matches = coro_future_propagate (future, &local);
      break;
    case KIND_INT:
      matches = coro_future_get_int (future, &local) == 1;
      break;
    case KIND_DOUBLE:
      matches = coro_future_get_double (future, &local) == 2.0;
      break;
    case KIND_BOOLEAN:
      matches = coro_future_get_boolean (future, &local);
      break;
    case KIND_STRING:
      matches = g_strcmp0 (coro_future_get_string (future, &local), "s") == 0;
      break;
    case KIND_POINTER:
      matches = coro_future_get_pointer (future, &local) == &pointee;
      break;
    case KIND_OBJECT:
      matches = G_IS_OBJECT (coro_future_get_object (future, &local));
      break;
    case N_KINDS:
    default:
      g_assert_not_reached ();
    }
  /* A getter that fails returns the zero value. */
  if (local != NULL)
    {
      g_assert_false (matches);
      g_propagate_error (error, local);
    }
  return matches;
}

static void
test_future_result_type_matrix (void)
{
  CORO_TEST_BEGIN ();

  for (Kind set = KIND_NONE; set < N_KINDS; set++)
    {
      CoroFuture *future = coro_future_new ();
      GError *error = NULL;
      GValue value = G_VALUE_INIT;

      g_assert_true (set_kind (future, set, &error));
      g_assert_no_error (error);
      for (Kind get = KIND_NONE; get < N_KINDS; get++)
        {
          if (get == set || get == KIND_NONE)
            {
              /* The matching getter, and propagate (), succeed. */
              g_assert_true (get_kind (future, get, &error));
              g_assert_no_error (error);
            }
          else
            {
              g_assert_false (get_kind (future, get, &error));
              g_assert_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE);
              g_clear_error (&error);
            }
        }
      /* Every kind reads as a GValue; none leaves it unset. */
      g_assert_true (coro_future_get_value (future, &value, &error));
      g_assert_no_error (error);
      g_assert_true (G_IS_VALUE (&value) == (set != KIND_NONE));
      if (G_IS_VALUE (&value))
        g_value_unset (&value);
      coro_future_unref (future);
    }
  CORO_TEST_END ();
}

/* A pending future: every getter fails with INVALID_STATE, and nothing is an error yet. */
static void
test_future_get_pending (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  GValue value = G_VALUE_INIT;
  GError *error = NULL;
  guint n = 99;

  for (Kind get = KIND_NONE; get < N_KINDS; get++)
    {
      g_assert_false (get_kind (future, get, &error));
      g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
      g_clear_error (&error);
    }
  g_assert_false (coro_future_get_value (future, &value, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (G_IS_VALUE (&value));
  g_assert_null (coro_future_get_futures (future, &n, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_null (coro_future_get_error (future));
  g_assert_false (coro_future_done (future));
  g_assert_false (coro_future_cancelled (future));
  coro_future_unref (future);
  CORO_TEST_END ();
}

/* A failed future: every getter gives a copy of its error; get_error the error itself. */
static void
test_future_error_all_getters (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  GValue value = G_VALUE_INIT;
  GError *error = NULL;
  const GError *stored;
  guint n = 99;

  g_assert_true (coro_future_set_error (future,
                                        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BUSY,
                                                             "busy"),
                                        NULL));
  stored = coro_future_get_error (future);
  g_assert_error (stored, G_IO_ERROR, G_IO_ERROR_BUSY);
  for (Kind get = KIND_NONE; get < N_KINDS; get++)
    {
      g_assert_false (get_kind (future, get, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
      g_assert_cmpstr (error->message, ==, "busy");
      g_assert_true (error != stored);
      g_clear_error (&error);
    }
  g_assert_false (coro_future_get_value (future, &value, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_null (coro_future_get_futures (future, &n, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_true (coro_future_get_error (future) == stored);
  g_assert_cmpstr (coro_future_get_error (future)->message, ==, "busy");
  coro_future_unref (future);
  CORO_TEST_END ();
}

/* A cancelled future reads as CORO_ERROR_CANCELLED everywhere, with the message given to
 * cancel or a default one. */
static void
test_future_cancelled_reads (void)
{
  CORO_TEST_BEGIN ();
  GError *error = NULL;

  for (int with_msg = 0; with_msg < 2; with_msg++)
    {
      CoroFuture *future = coro_future_new ();

      g_assert_true (coro_future_cancel (future, with_msg ? "shutting down" : NULL));
      for (Kind get = KIND_NONE; get < N_KINDS; get++)
        {
          g_assert_false (get_kind (future, get, &error));
          g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
          if (with_msg)
            g_assert_cmpstr (error->message, ==, "shutting down");
          else
            g_assert_cmpstr (error->message, !=, "");
          g_clear_error (&error);
        }
      g_assert_error (coro_future_get_error (future), CORO_ERROR, CORO_ERROR_CANCELLED);
      g_assert_false (coro_future_cancel (future, "again"));
      if (with_msg)
        g_assert_cmpstr (coro_future_get_error (future)->message, ==, "shutting down");
      coro_test_run_fails (future, CORO_ERROR, CORO_ERROR_CANCELLED);
      coro_future_unref (future);
    }
  CORO_TEST_END ();
}

/* Every setter on a done future (finished or cancelled) refuses and keeps the outcome;
 * what it was given is released (a pointer's destroy, the error) or left to the caller
 * (an object's reference, a string). */
static void
test_future_set_on_done (void)
{
  CORO_TEST_BEGIN ();

  for (int cancelled = 0; cancelled < 2; cancelled++)
    {
      CoroFuture *future = coro_future_new ();
      GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
      GValue value = G_VALUE_INIT;
      GError *error = NULL;
      int count = 0;

      destroyed = 0;
      if (cancelled)
        coro_future_cancel (future, NULL);
      else
        coro_future_set_int (future, 17, NULL);

      for (Kind set = KIND_NONE; set < N_KINDS; set++)
        {
          g_assert_false (set_kind (future, set, &error));
          g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
          g_clear_error (&error);
        }
      g_assert_false (coro_future_set_pointer (future, &count, count_destroy, &error));
      g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
      g_clear_error (&error);
      g_assert_cmpint (destroyed, ==, 1);
      g_assert_false (coro_future_set_object (future, object, &error));
      g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
      g_clear_error (&error);
      g_assert_cmpuint (object->ref_count, ==, 1);
      g_value_init (&value, G_TYPE_STRING);
      g_value_set_static_string (&value, "v");
      g_assert_false (coro_future_set_value (future, &value, &error));
      g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
      g_clear_error (&error);
      g_value_unset (&value);
      g_assert_false (coro_future_set_error (future, g_error_new_literal (G_IO_ERROR, 0, "e"),
                                             &error));
      g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
      g_clear_error (&error);
      /* NULL error locations are fine too. */
      g_assert_false (coro_future_set_none (future, NULL));

      g_assert_cmpint (coro_future_cancelled (future), ==, cancelled);
      if (!cancelled)
        g_assert_cmpint (coro_future_get_int (future, NULL), ==, 17);
      g_object_unref (object);
      coro_future_unref (future);
    }
  CORO_TEST_END ();
}

/* A string result is a copy; NULL is a valid string result. */
static void
test_future_string (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  char *text = g_strdup ("original");
  const char *got;
  GError *error = NULL;

  g_assert_true (coro_future_set_string (future, text, NULL));
  got = coro_future_get_string (future, NULL);
  g_assert_true (got != text);
  g_free (text);
  g_assert_cmpstr (coro_future_get_string (future, NULL), ==, "original");
  /* The same copy on every read. */
  g_assert_true (coro_future_get_string (future, NULL) == got);
  coro_future_unref (future);

  future = coro_future_new ();
  g_assert_true (coro_future_set_string (future, NULL, NULL));
  g_assert_null (coro_future_get_string (future, &error));
  g_assert_no_error (error);
  coro_future_unref (future);
  CORO_TEST_END ();
}

/* A pointer result is released exactly once, when the last reference goes, however many
 * there were; a NULL destroy leaves it to the caller. */
static void
test_future_pointer_refs (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  int value = 0;

  destroyed = 0;
  coro_future_set_pointer (future, &value, count_destroy, NULL);
  coro_future_ref (future);
  coro_future_ref (future);
  coro_future_unref (future);
  coro_future_unref (future);
  g_assert_cmpint (destroyed, ==, 0);
  g_assert_true (coro_future_get_pointer (future, NULL) == &value);
  coro_future_unref (future);
  g_assert_cmpint (destroyed, ==, 1);

  future = coro_future_new ();
  coro_future_set_pointer (future, NULL, NULL, NULL);
  g_assert_null (coro_future_get_pointer (future, NULL));
  coro_future_unref (future);
  g_assert_cmpint (destroyed, ==, 1);
  CORO_TEST_END ();
}

/* A GValue result is a copy: the future's value outlives the one given, and each read
 * gives a new copy. */
static void
test_future_value_copies (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  GValue in = G_VALUE_INIT, out = G_VALUE_INIT, again = G_VALUE_INIT;

  g_object_add_weak_pointer (object, (gpointer *) &object);
  g_value_init (&in, G_TYPE_OBJECT);
  g_value_set_object (&in, object);
  g_assert_true (coro_future_set_value (future, &in, NULL));
  g_value_unset (&in);
  g_object_unref (object);
  g_assert_nonnull (object);  /* held by the future's copy */

  g_assert_true (coro_future_get_value (future, &out, NULL));
  g_assert_true (coro_future_get_value (future, &again, NULL));
  g_assert_true (g_value_get_object (&out) == object);
  g_assert_true (g_value_get_object (&again) == object);
  g_value_unset (&out);
  coro_future_unref (future);
  g_assert_nonnull (object);  /* the second copy still holds it */
  g_value_unset (&again);
  g_assert_null (object);

  /* Typed results read as GValues of their type. */
  future = coro_future_new ();
  coro_future_set_double (future, 0.5, NULL);
  g_assert_true (coro_future_get_value (future, &out, NULL));
  g_assert_true (G_VALUE_HOLDS_DOUBLE (&out));
  g_assert_cmpfloat (g_value_get_double (&out), ==, 0.5);
  g_value_unset (&out);
  coro_future_unref (future);

  future = coro_future_new ();
  coro_future_set_string (future, "str", NULL);
  g_assert_true (coro_future_get_value (future, &out, NULL));
  g_assert_cmpstr (g_value_get_string (&out), ==, "str");
  g_value_unset (&out);
  coro_future_unref (future);

  future = coro_future_new ();
  coro_future_set_boolean (future, TRUE, NULL);
  g_assert_true (coro_future_get_value (future, &out, NULL));
  g_assert_true (g_value_get_boolean (&out));
  g_value_unset (&out);
  coro_future_unref (future);
  CORO_TEST_END ();
}

/* An error that says "cancelled" fails a plain future; it does not cancel it. */
static void
test_future_set_error_cancelled_code (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  GError *error = NULL;

  g_assert_true (coro_future_set_error (future,
                                        g_error_new_literal (CORO_ERROR, CORO_ERROR_CANCELLED,
                                                             "said so"),
                                        NULL));
  g_assert_true (coro_future_done (future));
  g_assert_false (coro_future_cancelled (future));
  g_assert_false (coro_future_propagate (future, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "said so");
  g_clear_error (&error);
  g_assert_false (coro_future_cancel (future, NULL));
  coro_future_unref (future);
  CORO_TEST_END ();
}

/* Callbacks after completion: removal finds nothing, each registration runs once, a
 * callback added from a callback runs in the following pass. */
typedef struct
{
  GArray *order;
  guint64 pass_a;
  guint64 pass_b;
  int     b_runs;
} Nested;

static void
nested_b (CoroFuture *future,
          gpointer    data)
{
  Nested *nested = data;

  g_assert_true (coro_future_cancelled (future));
  nested->pass_b = coro_loop_get_pass_count (coro_future_get_loop (future));
  nested->b_runs++;
}

static void
nested_a (CoroFuture *future,
          gpointer    data)
{
  Nested *nested = data;

  nested->pass_a = coro_loop_get_pass_count (coro_future_get_loop (future));
  g_assert_cmpuint (coro_future_add_done_callback (future, nested_b, nested, NULL), >, 0);
  /* Done and scheduled: nothing to remove. */
  g_assert_cmpuint (coro_future_remove_done_callback (future, nested_b, nested), ==, 0);
}

static void
test_future_callbacks_after_done (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Nested nested = { order, 0, 0, 0 };
  Tagged tag = { order, 4 };
  gulong id;

  destroyed = 0;
  coro_future_add_done_callback (future, nested_a, &nested, NULL);
  id = coro_future_add_done_callback (future, record_tag, &tag, count_destroy);

  /* Cancelling runs nothing synchronously either. */
  g_assert_true (coro_future_cancel (future, "bye"));
  g_assert_cmpuint (nested.pass_a, ==, 0);
  g_assert_cmpuint (order->len, ==, 0);
  g_assert_cmpuint (coro_future_remove_done_callback (future, record_tag, &tag), ==, 0);
  g_assert_cmpuint (coro_future_remove_done_callback_by_id (future, id), ==, 0);
  g_assert_cmpint (destroyed, ==, 0);

  coro_test_run_fails (future, CORO_ERROR, CORO_ERROR_CANCELLED);
  coro_test_yield ();
  g_assert_cmpuint (nested.pass_a, >, 0);
  g_assert_cmpuint (nested.pass_b, ==, nested.pass_a + 1);
  g_assert_cmpint (nested.b_runs, ==, 1);
  g_assert_cmpuint (order->len, ==, 1);
  g_assert_cmpint (destroyed, ==, 1);
  coro_future_unref (future);
  CORO_TEST_END ();
}

/* Many callbacks, some removed: the rest run in registration order, each destroy once. */
static void
test_future_many_callbacks (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *future = coro_future_new ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Tagged tags[100];
  gulong ids[100];
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (int));

  destroyed = 0;
  for (int i = 0; i < 100; i++)
    {
      tags[i] = (Tagged) { order, i };
      ids[i] = coro_future_add_done_callback (future, record_tag, &tags[i], count_destroy);
      g_assert_cmpuint (ids[i], >, 0);
      if (i > 0)
        g_assert_cmpuint (ids[i], !=, ids[i - 1]);
    }
  for (int i = 0; i < 100; i++)
    {
      if (i % 3 == 0)
        g_assert_cmpuint (coro_future_remove_done_callback_by_id (future, ids[i]), ==, 1);
      else if (i % 7 == 0)
        g_assert_cmpuint (coro_future_remove_done_callback (future, record_tag, &tags[i]), ==, 1);
      else
        g_array_append_val (expected, i);
    }
  g_assert_cmpint (destroyed, ==, 100 - (int) expected->len);
  coro_future_set_boolean (future, FALSE, NULL);
  coro_test_run (future);
  coro_test_assert_order (order, (const int *) expected->data, expected->len);
  g_assert_cmpint (destroyed, ==, 100);
  coro_future_unref (future);
  CORO_TEST_END ();
}

/* The leak check the suites rely on: n_futures counts live futures of a loop. */
static void
test_future_n_futures (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  guint base = coro_loop_get_n_futures (loop);
  CoroFuture *futures[10];

  for (int i = 0; i < 10; i++)
    {
      futures[i] = coro_future_new ();
      g_assert_cmpuint (coro_loop_get_n_futures (loop), ==, base + i + 1);
    }
  coro_future_set_none (futures[0], NULL);
  coro_future_cancel (futures[1], NULL);
  /* Done futures count until their last reference goes. */
  g_assert_cmpuint (coro_loop_get_n_futures (loop), ==, base + 10);
  for (int i = 0; i < 10; i++)
    coro_future_unref (futures[i]);
  g_assert_cmpuint (coro_loop_get_n_futures (loop), ==, base);
}

/* A task's result is set by its steps only. */
static void
task_returns (CoroTask *task,
              gpointer  frame G_GNUC_UNUSED)
{
  coro_task_return_int (task, 3);
}

static void
test_future_task_not_settable (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (task_returns, int, 0);
  GError *error = NULL;

  g_assert_true (coro_future_is_task (CORO_FUTURE (task)));
  g_assert_false (coro_future_set_int (CORO_FUTURE (task), 4, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 3);
  coro_future_unref (CORO_FUTURE (task));
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
  g_test_add_func ("/future/result-type-matrix", test_future_result_type_matrix);
  g_test_add_func ("/future/get-pending", test_future_get_pending);
  g_test_add_func ("/future/error-all-getters", test_future_error_all_getters);
  g_test_add_func ("/future/cancelled-reads", test_future_cancelled_reads);
  g_test_add_func ("/future/set-on-done", test_future_set_on_done);
  g_test_add_func ("/future/string", test_future_string);
  g_test_add_func ("/future/pointer-refs", test_future_pointer_refs);
  g_test_add_func ("/future/value-copies", test_future_value_copies);
  g_test_add_func ("/future/set-error-cancelled-code", test_future_set_error_cancelled_code);
  g_test_add_func ("/future/callbacks-after-done", test_future_callbacks_after_done);
  g_test_add_func ("/future/many-callbacks", test_future_many_callbacks);
  g_test_add_func ("/future/n-futures", test_future_n_futures);
  g_test_add_func ("/future/task-not-settable", test_future_task_not_settable);
  g_test_add_func ("/future/get-result-type", test_future_get_result_type);

  return g_test_run ();
}
