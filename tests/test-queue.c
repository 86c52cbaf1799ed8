/* test-queue.c: Queue, PriorityQueue, LifoQueue
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Edge cases follow CPython's Lib/test/test_asyncio/test_queues.py.
 */
#include "coro-test.h"

static gint64
get_int_now (CoroQueue *queue)
{
  GError *error = NULL;
  CoroFuture *future = coro_queue_get_nowait (queue, &error);
  gint64 value;

  g_assert_no_error (error);
  value = coro_future_get_int (future, &error);
  g_assert_no_error (error);
  coro_future_unref (future);
  return value;
}

static void
test_queue_fifo_nowait (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (0);
  GError *error = NULL;

  g_assert_true (coro_queue_empty (queue));
  g_assert_false (coro_queue_full (queue));
  g_assert_cmpuint (coro_queue_get_maxsize (queue), ==, 0);
  for (int i = 1; i <= 3; i++)
    g_assert_true (coro_queue_put_int_nowait (queue, i, NULL));
  g_assert_cmpuint (coro_queue_qsize (queue), ==, 3);
  for (int i = 1; i <= 3; i++)
    g_assert_cmpint (get_int_now (queue), ==, i);
  g_assert_null (coro_queue_get_nowait (queue, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_QUEUE_EMPTY);
  g_clear_error (&error);
  CORO_TEST_END ();
}

static void
test_queue_maxsize (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (2);
  CoroFuture *third, *fourth;
  GError *error = NULL;

  g_assert_true (coro_queue_put_int_nowait (queue, 1, NULL));
  g_assert_true (coro_queue_put_string_nowait (queue, "two", NULL));
  g_assert_true (coro_queue_full (queue));
  g_assert_false (coro_queue_put_int_nowait (queue, 3, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_QUEUE_FULL);
  g_clear_error (&error);
  g_assert_false (coro_queue_put_string_nowait (queue, "x", &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_QUEUE_FULL);
  g_clear_error (&error);

  /* Putters wait, in order, and get in as room is made. */
  third = coro_queue_put_int (queue, 3);
  fourth = coro_queue_put_int (queue, 4);
  g_assert_false (coro_future_done (third));
  g_assert_cmpint (get_int_now (queue), ==, 1);
  g_assert_true (coro_future_done (third));
  g_assert_false (coro_future_done (fourth));
  {
    CoroFuture *two = coro_queue_get_nowait (queue, NULL);

    g_assert_cmpstr (coro_future_get_string (two, NULL), ==, "two");
    coro_future_unref (two);
  }
  g_assert_true (coro_future_done (fourth));
  g_assert_cmpint (get_int_now (queue), ==, 3);
  g_assert_cmpint (get_int_now (queue), ==, 4);
  coro_future_unref (third);
  coro_future_unref (fourth);
  CORO_TEST_END ();
}

/* A consumer task takes N items; the producer puts them one at a time. */
typedef struct
{
  CoroQueue *queue;
  int        remaining;
  gint64     sum;
  guint64    first_pass;
} Consumer;

static void consumer_got (CoroTask *task, gpointer frame);

static void
consumer_start (CoroTask *task,
                gpointer  frame)
{
  Consumer *self = frame;

  if (self->remaining-- == 0)
    {
      coro_task_return_int (task, self->sum);
      return;
    }
  coro_await (task, coro_queue_get (self->queue), consumer_got);
}

static void
consumer_got (CoroTask *task,
              gpointer  frame)
{
  Consumer *self = frame;

  self->sum += coro_future_get_int (coro_task_get_awaited (task), NULL);
  consumer_start (task, frame);
}

typedef struct
{
  CoroQueue *queue;
  int        n;
  int        i;
} Producer;

static void
producer_step (CoroTask *task,
               gpointer  frame)
{
  Producer *self = frame;

  if (self->i == self->n)
    {
      coro_task_return (task);
      return;
    }
  self->i++;
  coro_await (task, coro_queue_put_int (self->queue, self->i), producer_step);
}

static void
test_queue_handoff (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(CoroQueue) queue = coro_queue_new (0);
  CoroFuture *tasks[2];
  CoroFuture *gather;
  CoroFuture **results;
  guint64 passes;
  guint n;

  tasks[0] = CORO_FUTURE (CORO_CREATE_TASK (consumer_start, Consumer, .queue = queue, .remaining = 100));
  tasks[1] = CORO_FUTURE (CORO_CREATE_TASK (producer_step, Producer, .queue = queue, .n = 100));
  gather = coro_gatherv (tasks, 2, CORO_GATHER_NONE);
  passes = coro_loop_get_pass_count (loop);
  coro_test_run (gather);
  results = coro_future_get_futures (gather, &n, NULL);
  g_assert_cmpint (coro_future_get_int (results[0], NULL), ==, 5050);
  /* Each hand-off wakes the waiting getter at the next pass: about one pass per item. */
  g_assert_cmpuint (coro_loop_get_pass_count (loop) - passes, <=, 100 + 3);
  coro_future_unref (gather);
  coro_future_unref (tasks[0]);
  coro_future_unref (tasks[1]);
  CORO_TEST_END ();
}

static void
test_queue_lifo (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroLifoQueue) lifo = coro_lifo_queue_new (0);
  CoroQueue *queue = CORO_QUEUE (lifo);

  for (int i = 1; i <= 4; i++)
    g_assert_true (coro_queue_put_int_nowait (queue, i, NULL));
  for (int i = 4; i >= 1; i--)
    g_assert_cmpint (get_int_now (queue), ==, i);
  CORO_TEST_END ();
}

static void
test_queue_priority (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroPriorityQueue) priority = coro_priority_queue_new (0);
  CoroQueue *queue = CORO_QUEUE (priority);
  static const int values[] = { 5, 1, 4, 1, 3, 9, 2 };
  static const int sorted[] = { 1, 1, 2, 3, 4, 5, 9 };
  CoroFuture *put;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_assert_true (coro_queue_put_int_nowait (queue, values[i], NULL));
  for (guint i = 0; i < G_N_ELEMENTS (sorted); i++)
    g_assert_cmpint (get_int_now (queue), ==, sorted[i]);

  /* Integer priorities first, then arrival order. */
  put = coro_priority_queue_put_with_priority (priority, 2, g_strdup ("second"), g_free);
  coro_future_unref (put);
  put = coro_priority_queue_put_with_priority (priority, 1, g_strdup ("first"), g_free);
  coro_future_unref (put);
  put = coro_priority_queue_put_with_priority (priority, 2, g_strdup ("third"), g_free);
  coro_future_unref (put);
  for (int i = 0; i < 3; i++)
    {
      static const char *expected[] = { "first", "second", "third" };
      CoroFuture *item = coro_queue_get_nowait (queue, NULL);

      g_assert_cmpstr (coro_future_get_pointer (item, NULL), ==, expected[i]);
      coro_future_unref (item);
    }
  CORO_TEST_END ();
}

/* The GValue puts with a priority (the bindings' way): priority first, then arrival;
 * the nowait form fails on a full queue and leaves the caller's value alone. */
static void
test_queue_priority_values (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroPriorityQueue) priority = coro_priority_queue_new (2);
  CoroQueue *queue = CORO_QUEUE (priority);
  GValue value = G_VALUE_INIT;
  GError *error = NULL;
  CoroFuture *put, *waiting, *item;
  static const char *expected[] = { "urgent", "low", "later" };

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, "low");
  put = coro_priority_queue_put_value_with_priority (priority, 5, &value);
  g_assert_true (coro_future_done (put));
  coro_future_unref (put);
  g_value_set_string (&value, "urgent");
  g_assert_true (coro_priority_queue_put_value_with_priority_nowait (priority, -1, &value,
                                                                    &error));
  g_assert_no_error (error);

  /* Full: the nowait put fails, the waiting one waits for room with its copy. */
  g_value_set_string (&value, "refused");
  g_assert_false (coro_priority_queue_put_value_with_priority_nowait (priority, 0, &value,
                                                                     &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_QUEUE_FULL);
  g_clear_error (&error);
  g_value_set_string (&value, "later");
  waiting = coro_priority_queue_put_value_with_priority (priority, 5, &value);
  g_value_unset (&value);
  g_assert_false (coro_future_done (waiting));

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      item = coro_queue_get_nowait (queue, &error);
      g_assert_no_error (error);
      g_assert_true (coro_future_get_value (item, &value, NULL));
      g_assert_cmpstr (g_value_get_string (&value), ==, expected[i]);
      g_value_unset (&value);
      coro_future_unref (item);
    }
  g_assert_true (coro_future_done (waiting));
  coro_future_unref (waiting);
  g_assert_true (coro_queue_empty (queue));
  CORO_TEST_END ();
}

static int
compare_length (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  (*(int *) user_data)++;
  return (int) strlen (a) - (int) strlen (b);
}

static void
test_queue_priority_compare (void)
{
  CORO_TEST_BEGIN ();
  int calls = 0;
  g_autoptr(CoroPriorityQueue) priority = coro_priority_queue_new_full (0, compare_length, &calls, NULL);
  CoroQueue *queue = CORO_QUEUE (priority);
  static const char *words[] = { "three", "a", "to", "four" };
  static const char *sorted[] = { "a", "to", "four", "three" };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    g_assert_true (coro_queue_put_string_nowait (queue, words[i], NULL));
  for (guint i = 0; i < G_N_ELEMENTS (sorted); i++)
    {
      CoroFuture *item = coro_queue_get_nowait (queue, NULL);

      g_assert_cmpstr (coro_future_get_string (item, NULL), ==, sorted[i]);
      coro_future_unref (item);
    }
  g_assert_cmpint (calls, >, 0);
  CORO_TEST_END ();
}

static void
test_queue_join (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (0);
  CoroFuture *join;
  GError *error = NULL;

  join = coro_queue_join (queue);
  g_assert_true (coro_future_done (join));
  coro_future_unref (join);
  g_assert_false (coro_queue_task_done (queue, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);

  coro_queue_put_int_nowait (queue, 1, NULL);
  coro_queue_put_int_nowait (queue, 2, NULL);
  join = coro_queue_join (queue);
  g_assert_false (coro_future_done (join));
  get_int_now (queue);
  get_int_now (queue);
  /* Taking the items is not enough: each must be marked done. */
  g_assert_false (coro_future_done (join));
  g_assert_true (coro_queue_task_done (queue, NULL));
  g_assert_false (coro_future_done (join));
  g_assert_true (coro_queue_task_done (queue, NULL));
  g_assert_true (coro_future_done (join));
  g_assert_false (coro_queue_task_done (queue, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  coro_future_unref (join);
  CORO_TEST_END ();
}

static void
test_queue_shutdown (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (1);
  CoroFuture *putter, *getter, *put;
  GError *error = NULL;
  g_autoptr(CoroQueue) empty = coro_queue_new (0);

  coro_queue_put_int_nowait (queue, 1, NULL);
  putter = coro_queue_put_int (queue, 2);
  getter = coro_queue_get (empty);
  coro_queue_shutdown (queue, FALSE);
  coro_queue_shutdown (empty, FALSE);
  /* Waiting putters and getters fail; new puts fail; leftovers can still be taken. */
  coro_test_run_fails (putter, CORO_ERROR, CORO_ERROR_QUEUE_SHUT_DOWN);
  coro_test_run_fails (getter, CORO_ERROR, CORO_ERROR_QUEUE_SHUT_DOWN);
  g_assert_false (coro_queue_put_int_nowait (queue, 3, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_QUEUE_SHUT_DOWN);
  g_clear_error (&error);
  put = coro_queue_put_string (queue, "late");
  coro_test_run_fails (put, CORO_ERROR, CORO_ERROR_QUEUE_SHUT_DOWN);
  coro_future_unref (put);
  g_assert_cmpint (get_int_now (queue), ==, 1);
  g_assert_null (coro_queue_get_nowait (queue, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_QUEUE_SHUT_DOWN);
  g_clear_error (&error);
  coro_future_unref (putter);
  coro_future_unref (getter);
  CORO_TEST_END ();
}

static int destroyed;

static void
count_destroy (gpointer data)
{
  destroyed++;
  g_free (data);
}

static void
test_queue_shutdown_immediate (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (0);
  CoroFuture *join;
  GError *error = NULL;

  destroyed = 0;
  g_assert_true (coro_queue_put_nowait (queue, g_strdup ("a"), count_destroy, NULL));
  g_assert_true (coro_queue_put_nowait (queue, g_strdup ("b"), count_destroy, NULL));
  join = coro_queue_join (queue);
  coro_queue_shutdown (queue, TRUE);
  /* The items are released and counted as done: join ends. */
  g_assert_cmpint (destroyed, ==, 2);
  g_assert_true (coro_future_done (join));
  g_assert_cmpuint (coro_queue_qsize (queue), ==, 0);
  g_assert_null (coro_queue_get_nowait (queue, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_QUEUE_SHUT_DOWN);
  g_clear_error (&error);
  coro_future_unref (join);
  CORO_TEST_END ();
}

static void
test_queue_items_released (void)
{
  CORO_TEST_BEGIN ();
  CoroQueue *queue = coro_queue_new (1);
  CoroFuture *waiting, *item;
  GValue value = G_VALUE_INIT;
  char *kept = g_strdup ("kept");

  destroyed = 0;
  g_assert_true (coro_queue_put_nowait (queue, g_strdup ("x"), count_destroy, NULL));
  /* A failed put_nowait leaves the item with the caller. */
  g_assert_false (coro_queue_put_nowait (queue, kept, count_destroy, NULL));
  g_assert_cmpint (destroyed, ==, 0);
  g_free (kept);
  /* A cancelled waiting put releases its item. */
  waiting = coro_queue_put (queue, g_strdup ("y"), count_destroy);
  coro_future_cancel (waiting, NULL);
  g_assert_cmpint (destroyed, ==, 1);
  coro_future_unref (waiting);
  /* An item taken belongs to the future. */
  item = coro_queue_get_nowait (queue, NULL);
  g_assert_cmpstr (coro_future_get_pointer (item, NULL), ==, "x");
  coro_future_unref (item);
  g_assert_cmpint (destroyed, ==, 2);

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_static_string (&value, "value");
  g_assert_true (coro_queue_put_value_nowait (queue, &value, NULL));
  g_value_unset (&value);
  item = coro_queue_get_nowait (queue, NULL);
  g_assert_true (coro_future_get_value (item, &value, NULL));
  g_assert_cmpstr (g_value_get_string (&value), ==, "value");
  g_value_unset (&value);
  coro_future_unref (item);

  /* A queue freed with items releases them. */
  g_assert_true (coro_queue_put_nowait (queue, g_strdup ("z"), count_destroy, NULL));
  g_object_unref (queue);
  g_assert_cmpint (destroyed, ==, 3);
  CORO_TEST_END ();
}

/* put_value copies the GValue: the caller's may go at once, whether the item goes to a
 * waiting getter, waits for room, or is dropped with a cancelled put. */
static void
test_queue_put_value (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (1);
  g_auto(GValue) value = G_VALUE_INIT;
  CoroFuture *getter, *put, *waiting, *cancelled, *item;
  const char * const *strv;

  /* Handed to a waiting getter. */
  getter = coro_queue_get (queue);
  g_value_init (&value, G_TYPE_STRV);
  g_value_take_boxed (&value, g_strsplit ("x y", " ", -1));
  put = coro_queue_put_value (queue, &value);
  g_value_unset (&value);
  coro_test_run (put);
  coro_test_run (getter);
  g_assert_true (coro_future_get_value (getter, &value, NULL));
  strv = g_value_get_boxed (&value);
  g_assert_cmpstr (strv[0], ==, "x");
  g_assert_cmpstr (strv[1], ==, "y");
  g_value_unset (&value);
  coro_future_unref (put);
  coro_future_unref (getter);

  /* Queued; then the queue is full and the next put waits for room. */
  g_value_init (&value, G_TYPE_DOUBLE);
  g_value_set_double (&value, 1.5);
  put = coro_queue_put_value (queue, &value);
  g_assert_true (coro_future_done (put));
  g_value_set_double (&value, 2.5);
  waiting = coro_queue_put_value (queue, &value);
  g_assert_false (coro_future_done (waiting));
  g_value_unset (&value);
  g_value_init (&value, G_TYPE_STRV);
  g_value_take_boxed (&value, g_strsplit ("dropped", " ", -1));
  cancelled = coro_queue_put_value (queue, &value);
  g_value_unset (&value);
  g_assert_true (coro_future_cancel (cancelled, NULL));
  g_assert_cmpuint (coro_queue_qsize (queue), ==, 1);

  item = coro_queue_get_nowait (queue, NULL);
  g_assert_true (coro_future_get_value (item, &value, NULL));
  g_assert_cmpfloat (g_value_get_double (&value), ==, 1.5);
  g_value_unset (&value);
  coro_future_unref (item);
  coro_test_run (waiting);
  item = coro_queue_get_nowait (queue, NULL);
  g_assert_true (coro_future_get_value (item, &value, NULL));
  g_assert_cmpfloat (g_value_get_double (&value), ==, 2.5);
  coro_future_unref (item);
  g_assert_true (coro_queue_empty (queue));

  coro_future_unref (put);
  coro_future_unref (waiting);
  coro_future_unref (cancelled);
  CORO_TEST_END ();
}

static void
test_queue_cancel_getter (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (0);
  CoroFuture *first = coro_queue_get (queue);
  CoroFuture *second = coro_queue_get (queue);

  g_assert_true (coro_future_cancel (first, NULL));
  coro_queue_put_int_nowait (queue, 7, NULL);
  /* The item went to the getter still waiting. */
  g_assert_cmpint (coro_future_get_int (second, NULL), ==, 7);
  g_assert_cmpuint (coro_queue_qsize (queue), ==, 0);
  coro_future_unref (first);
  coro_future_unref (second);
  CORO_TEST_END ();
}

/* asyncio's test_cancelled_getters_not_being_held_in_self_getters / get_cancelled_race:
 * a getter handed an item whose task is cancelled before it resumes gives it back. */
typedef struct
{
  CoroQueue *queue;
} Getter;

static void
getter_got (CoroTask *task,
            gpointer  frame)
{
  coro_task_return_int (task, coro_future_get_int (coro_task_get_awaited (task), NULL));
}

static void
getter_start (CoroTask *task,
              gpointer  frame)
{
  Getter *self = frame;

  coro_await (task, coro_queue_get (self->queue), getter_got);
}

typedef struct
{
  CoroQueue  *queue;
  CoroFuture *task;
} PutCancel;

static void
put_then_cancel (gpointer data)
{
  PutCancel *pc = data;

  coro_queue_put_int_nowait (pc->queue, 42, NULL);
  coro_future_cancel (pc->task, NULL);
}

static void
test_queue_get_cancel_race (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (0);
  CoroFuture *a = CORO_FUTURE (CORO_CREATE_TASK (getter_start, Getter, .queue = queue));
  CoroFuture *b = CORO_FUTURE (CORO_CREATE_TASK (getter_start, Getter, .queue = queue));
  PutCancel pc = { queue, a };
  CoroFuture *tasks[2] = { a, b };
  CoroFuture *gather;

  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, put_then_cancel, &pc, NULL));
  gather = coro_gatherv (tasks, 2, CORO_GATHER_RETURN_EXCEPTIONS);
  coro_test_run (gather);
  g_assert_true (coro_future_cancelled (a));
  g_assert_cmpint (coro_future_get_int (b, NULL), ==, 42);
  coro_future_unref (gather);
  coro_future_unref (a);
  coro_future_unref (b);
  CORO_TEST_END ();
}

/* The same race with the get under wait_for, and a second item queued behind: the item
 * the cancelled task never saw goes back to the head of the queue before its next step
 * runs, so its next get has it, as in asyncio, where it never left the queue. */
static void
order_regot (CoroTask *task,
             gpointer  frame)
{
  coro_task_return_int (task, coro_future_get_int (coro_task_get_awaited (task), NULL));
}

static void
order_cancelled (CoroTask *task,
                 gpointer  frame)
{
  Getter *self = frame;

  g_assert_true (coro_future_cancelled (coro_task_get_awaited (task)));
  g_assert_cmpuint (coro_task_uncancel (task), ==, 0);
  coro_await (task, coro_queue_get (self->queue), order_regot);
}

static void
order_start (CoroTask *task,
             gpointer  frame)
{
  Getter *self = frame;

  coro_await_catch (task, coro_wait_for (coro_queue_get (self->queue), 10), order_cancelled);
}

static void
put_two_then_cancel (gpointer data)
{
  PutCancel *pc = data;

  coro_queue_put_int_nowait (pc->queue, 6, NULL);
  coro_queue_put_int_nowait (pc->queue, 7, NULL);
  coro_future_cancel (pc->task, NULL);
}

static void
test_queue_get_cancel_keeps_order (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (0);
  CoroFuture *getter = CORO_FUTURE (CORO_CREATE_TASK (order_start, Getter, .queue = queue));
  PutCancel pc = { queue, getter };

  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, put_two_then_cancel,
                                           &pc, NULL));
  coro_test_run (getter);
  g_assert_cmpint (coro_future_get_int (getter, NULL), ==, 6);
  g_assert_cmpuint (coro_queue_qsize (queue), ==, 1);
  coro_future_unref (getter);
  CORO_TEST_END ();
}

/* A step that sees a wait_for over a get has taken the item, read or not: it does not
 * come back when the futures go. */
static void
ignore_item (CoroTask *task,
             gpointer  frame)
{
  coro_task_return (task);
}

static void
ignore_start (CoroTask *task,
              gpointer  frame)
{
  Getter *self = frame;

  coro_await (task, coro_wait_for (coro_queue_get (self->queue), 10), ignore_item);
}

static void
put_five (gpointer data)
{
  g_assert_true (coro_queue_put_int_nowait (data, 5, NULL));
}

static void
test_queue_get_seen_through_wait_for (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (0);
  CoroFuture *getter = CORO_FUTURE (CORO_CREATE_TASK (ignore_start, Getter, .queue = queue));
  GError *error = NULL;

  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, put_five, queue, NULL));
  coro_test_run (getter);
  coro_future_unref (getter);
  g_assert_cmpuint (coro_queue_qsize (queue), ==, 0);
  g_assert_null (coro_queue_get_nowait (queue, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_QUEUE_EMPTY);
  g_clear_error (&error);
  CORO_TEST_END ();
}

/* An item handed to a waiting getter keeps its place against maxsize until the getter's
 * task has seen it (asyncio's queue holds it until then): a put waits meanwhile. */
typedef struct
{
  CoroQueue  *queue;
  CoroFuture *put;
} HandedPut;

static void
put_while_handed (gpointer data)
{
  HandedPut *hp = data;
  GError *error = NULL;

  g_assert_true (coro_queue_put_int_nowait (hp->queue, 1, NULL));
  g_assert_cmpuint (coro_queue_qsize (hp->queue), ==, 0);
  g_assert_true (coro_queue_full (hp->queue));
  g_assert_false (coro_queue_put_int_nowait (hp->queue, 2, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_QUEUE_FULL);
  g_clear_error (&error);
  hp->put = coro_queue_put_int (hp->queue, 2);
  g_assert_false (coro_future_done (hp->put));
}

static void
test_queue_handed_counts_against_maxsize (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (1);
  CoroFuture *getter = CORO_FUTURE (CORO_CREATE_TASK (getter_start, Getter, .queue = queue));
  HandedPut hp = { queue, NULL };

  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, put_while_handed, &hp,
                                           NULL));
  coro_test_run (getter);
  /* The getter's task resumed with the item: the put got its place. */
  g_assert_cmpint (coro_future_get_int (getter, NULL), ==, 1);
  g_assert_true (coro_future_done (hp.put));
  g_assert_cmpuint (coro_queue_qsize (queue), ==, 1);
  coro_future_unref (hp.put);
  coro_future_unref (getter);
  CORO_TEST_END ();
}

static void
test_queue_get_wait_for (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (0);
  CoroFuture *wait = coro_wait_for (coro_queue_get (queue), 1);

  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_TIMEOUT);
  coro_future_unref (wait);
  /* The timed-out getter left: a put stays in the queue. */
  coro_queue_put_int_nowait (queue, 1, NULL);
  g_assert_cmpuint (coro_queue_qsize (queue), ==, 1);
  CORO_TEST_END ();
}

/* The asyncio docs' example, on the virtual clock: three workers, join. */
typedef struct
{
  CoroQueue *queue;
  double     slept;
} Worker;

static void worker_got (CoroTask *task, gpointer frame);
static void worker_done (CoroTask *task, gpointer frame);

static void
worker_start (CoroTask *task,
              gpointer  frame)
{
  Worker *self = frame;

  coro_await (task, coro_queue_get (self->queue), worker_got);
}

static void
worker_got (CoroTask *task,
            gpointer  frame)
{
  Worker *self = frame;
  double delay = coro_future_get_int (coro_task_get_awaited (task), NULL) / 10.0;

  self->slept += delay;
  coro_await (task, coro_sleep (delay), worker_done);
}

static void
worker_done (CoroTask *task,
             gpointer  frame)
{
  Worker *self = frame;

  coro_queue_task_done (self->queue, NULL);
  worker_start (task, frame);
}

typedef struct
{
  CoroQueue *queue;
  CoroFuture *workers[3];
} Boss;

static void boss_joined (CoroTask *task, gpointer frame);

static void
boss_start (CoroTask *task,
            gpointer  frame)
{
  Boss *self = frame;

  for (int i = 1; i <= 20; i++)
    coro_queue_put_int_nowait (self->queue, i, NULL);
  for (int i = 0; i < 3; i++)
    self->workers[i] = CORO_FUTURE (CORO_CREATE_TASK (worker_start, Worker, .queue = self->queue));
  coro_await (task, coro_queue_join (self->queue), boss_joined);
}

static void
boss_joined (CoroTask *task,
             gpointer  frame)
{
  Boss *self = frame;
  double total = 0;

  for (int i = 0; i < 3; i++)
    {
      total += ((Worker *) coro_task_get_frame ((CoroTask *) self->workers[i]))->slept;
      coro_future_cancel (self->workers[i], NULL);
      coro_future_unref (self->workers[i]);
    }
  coro_task_return_double (task, total);
}

static void
test_queue_workers_join (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroQueue) queue = coro_queue_new (0);
  CoroTask *boss = CORO_CREATE_TASK (boss_start, Boss, .queue = queue);

  coro_test_run (CORO_FUTURE (boss));
  g_assert_cmpfloat_with_epsilon (coro_future_get_double (CORO_FUTURE (boss), NULL), 21.0, 1e-9);
  g_assert_true (coro_queue_empty (queue));
  coro_future_unref (CORO_FUTURE (boss));
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/queue/fifo-nowait", test_queue_fifo_nowait);
  g_test_add_func ("/queue/maxsize", test_queue_maxsize);
  g_test_add_func ("/queue/handoff", test_queue_handoff);
  g_test_add_func ("/queue/lifo", test_queue_lifo);
  g_test_add_func ("/queue/priority", test_queue_priority);
  g_test_add_func ("/queue/priority-compare", test_queue_priority_compare);
  g_test_add_func ("/queue/priority-values", test_queue_priority_values);
  g_test_add_func ("/queue/join", test_queue_join);
  g_test_add_func ("/queue/shutdown", test_queue_shutdown);
  g_test_add_func ("/queue/shutdown-immediate", test_queue_shutdown_immediate);
  g_test_add_func ("/queue/items-released", test_queue_items_released);
  g_test_add_func ("/queue/put-value", test_queue_put_value);
  g_test_add_func ("/queue/cancel-getter", test_queue_cancel_getter);
  g_test_add_func ("/queue/get-cancel-race", test_queue_get_cancel_race);
  g_test_add_func ("/queue/get-wait-for", test_queue_get_wait_for);
  g_test_add_func ("/queue/get-cancel-keeps-order", test_queue_get_cancel_keeps_order);
  g_test_add_func ("/queue/get-seen-through-wait-for", test_queue_get_seen_through_wait_for);
  g_test_add_func ("/queue/handed-counts-against-maxsize",
                   test_queue_handed_counts_against_maxsize);
  g_test_add_func ("/queue/workers-join", test_queue_workers_join);

  return g_test_run ();
}
