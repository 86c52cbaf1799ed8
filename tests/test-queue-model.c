/* test-queue-model.c: queues under random producers, consumers, timeouts and cancellations
 *
 * Producers put numbered items into a queue (FIFO, LIFO or priority; bounded or not),
 * consumers take them and mark them done, and a random share of the puts and gets run
 * under wait_for with a short timeout, so that waiting putters and getters are cancelled
 * at every point: while waiting, right after being handed a slot or an item, and in the
 * same pass as a put or get that would have served them. A producer whose put timed out
 * puts the same item again. A canceller task cancels random consumers as well, which
 * catch it and go on: one handed an item it had not yet seen gives it back. The invariants checked, whatever the interleaving:
 *
 * - every item put is got exactly once, none is lost to a cancellation or made up;
 * - a put that succeeded put its item; one that timed out did not;
 * - the queue never holds more than its maxsize;
 * - a FIFO queue with one consumer gets one producer's items in the order they were put
 *   (with several, the order the consumers' tasks resume in is not the order the items
 *   were handed to them);
 * - join () completes once every item got has been marked done.
 *
 * Timeouts use the virtual clock; the cases draw from g_test_rand (--seed replays one).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <coro.h>

#include "coro-test.h"

#define ITEM(producer, seq) ((gint64) (producer) * 1000000 + (seq))

/* Over a whole test, puts and gets must have timed out, or it tested less than it says. */
static guint n_put_timeouts, n_get_timeouts, n_consumer_cancels;

typedef enum
{
  KIND_FIFO,
  KIND_LIFO,
  KIND_PRIORITY,
} Kind;

typedef struct
{
  CoroQueue *queue;
  Kind       kind;
  guint      maxsize;
  GArray    *got;          /* gint64: every item got, in order */
  guint      n_put;        /* puts that succeeded */
  GPtrArray *consumers;    /* their tasks, borrowed */
  gboolean   produced;     /* every producer is done */
  gboolean   stopping;     /* main cancels the consumers: they end */
} Shared;

/* A short timeout on the virtual clock, 0 to 3 ms: some end before anything happens,
 * some in the same instant as the put or get that would serve them. */
static double
short_timeout (void)
{
  return g_test_rand_int_range (0, 4) / 1000.0;
}

static void
check_size (Shared *shared)
{
  if (shared->maxsize > 0)
    g_assert_cmpuint (coro_queue_qsize (shared->queue), <=, shared->maxsize);
}

/* Producer */

typedef struct
{
  Shared *shared;
  guint   id;
  guint   n_items;
  guint   seq;
} Producer;

static void produce (CoroTask *task,
                     gpointer  frame);

static void
produced (CoroTask *task,
          gpointer  frame)
{
  Producer *self = frame;
  CoroFuture *put = coro_task_get_awaited (task);
  g_autoptr(GError) error = NULL;

  check_size (self->shared);
  if (coro_future_propagate (put, &error))
    {
      self->shared->n_put++;
      self->seq++;
    }
  else
    {
      g_assert_error (error, CORO_ERROR, CORO_ERROR_TIMEOUT);  /* then put it again */
      n_put_timeouts++;
    }
  produce (task, frame);
}

static void
produce (CoroTask *task,
         gpointer  frame)
{
  Producer *self = frame;
  CoroFuture *put;

  if (self->seq == self->n_items)
    {
      coro_task_return (task);
      return;
    }
  if (coro_test_chance (4))
    {
      coro_await (task, coro_sleep (g_test_rand_int_range (0, 3) / 1000.0), produce);
      return;
    }
  if (coro_test_chance (3))
    {
      /* put_nowait when there is room, as a program that checks full () would. */
      if (!coro_queue_full (self->shared->queue))
        {
          g_assert_true (coro_queue_put_int_nowait (self->shared->queue,
                                                    ITEM (self->id, self->seq), NULL));
          self->shared->n_put++;
          self->seq++;
          check_size (self->shared);
        }
      coro_await (task, coro_sleep (0), produce);
      return;
    }
  put = coro_queue_put_int (self->shared->queue, ITEM (self->id, self->seq));
  if (coro_test_chance (3))
    put = coro_wait_for (put, short_timeout ());
  coro_await_catch (task, put, produced);
}

/* Consumer */

typedef struct
{
  Shared *shared;
} Consumer;

static void consume (CoroTask *task,
                     gpointer  frame);

/* A cancellation the consumer's last await ended with: main's at the end of the case
 * ends the task (TRUE); the canceller's is caught and the consumer goes on. */
static gboolean
consumer_cancelled (CoroTask *task,
                    Consumer *self)
{
  if (!coro_future_cancelled (coro_task_get_awaited (task)))
    return FALSE;
  if (self->shared->stopping)
    {
      coro_task_return (task);
      return TRUE;
    }
  coro_test_uncancel_all (task);
  n_consumer_cancels++;
  consume (task, self);
  return TRUE;
}

static void
consumer_slept (CoroTask *task,
                gpointer  frame)
{
  if (!consumer_cancelled (task, frame))
    consume (task, frame);
}

static void
consumed (CoroTask *task,
          gpointer  frame)
{
  Consumer *self = frame;
  CoroFuture *get = coro_task_get_awaited (task);
  g_autoptr(GError) error = NULL;
  gint64 item;

  check_size (self->shared);
  if (consumer_cancelled (task, self))
    return;
  item = coro_future_get_int (get, &error);
  if (error == NULL)
    {
      g_array_append_val (self->shared->got, item);
      g_assert_true (coro_queue_task_done (self->shared->queue, NULL));
    }
  else
    {
      g_assert_error (error, CORO_ERROR, CORO_ERROR_TIMEOUT);
      n_get_timeouts++;
    }
  consume (task, frame);
}

static void
consume (CoroTask *task,
         gpointer  frame)
{
  Consumer *self = frame;
  CoroFuture *get;

  if (coro_test_chance (4))
    {
      coro_await_catch (task, coro_sleep (g_test_rand_int_range (0, 3) / 1000.0),
                        consumer_slept);
      return;
    }
  if (coro_test_chance (4))
    {
      g_autoptr(GError) error = NULL;

      get = coro_queue_get_nowait (self->shared->queue, &error);
      if (get == NULL)
        {
          g_assert_error (error, CORO_ERROR, CORO_ERROR_QUEUE_EMPTY);
          coro_await_catch (task, coro_sleep (0), consumer_slept);
          return;
        }
      coro_await_catch (task, get, consumed);
      return;
    }
  get = coro_queue_get (self->shared->queue);
  if (coro_test_chance (3))
    get = coro_wait_for (get, short_timeout ());
  coro_await_catch (task, get, consumed);
}

/* Canceller */

typedef struct
{
  Shared *shared;
} Canceller;

static void
cancel_some (CoroTask *task,
             gpointer  frame)
{
  Canceller *self = frame;
  GPtrArray *consumers = self->shared->consumers;

  if (self->shared->produced)
    {
      coro_task_return (task);
      return;
    }
  if (coro_test_chance (2))
    coro_task_cancel (consumers->pdata[g_test_rand_int_range (0, consumers->len)], NULL);
  coro_await (task, coro_sleep (g_test_rand_int_range (0, 3) / 1000.0), cancel_some);
}

/* One case */

typedef struct
{
  Shared      *shared;
  guint        n_producers;
  guint        n_items;
  guint        n_consumers;
  CoroFuture  *consumers;
} Main;

static void
main_end (CoroTask *task,
          gpointer  frame)
{
  Main *self = frame;

  g_assert_true (coro_future_cancelled (self->consumers));
  g_clear_pointer (&self->consumers, coro_future_unref);
  coro_task_return (task);
}

static void
main_joined (CoroTask *task,
             gpointer  frame)
{
  Main *self = frame;

  /* Every item got was marked done: the consumers wait for more that never comes. */
  g_assert_cmpuint (self->shared->got->len, ==, self->n_producers * self->n_items);
  g_assert_true (coro_queue_empty (self->shared->queue));
  self->shared->stopping = TRUE;
  g_assert_true (coro_future_cancel (self->consumers, NULL));
  coro_await_catch (task, coro_future_ref (self->consumers), main_end);
}

static void
main_produced (CoroTask *task,
               gpointer  frame)
{
  Main *self = frame;

  g_assert_cmpuint (self->shared->n_put, ==, self->n_producers * self->n_items);
  self->shared->produced = TRUE;
  coro_await (task, coro_queue_join (self->shared->queue), main_joined);
}

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  Main *self = frame;
  GPtrArray *producers = g_ptr_array_new_with_free_func ((GDestroyNotify) coro_future_unref);
  GPtrArray *consumers = g_ptr_array_new_with_free_func ((GDestroyNotify) coro_future_unref);

  for (guint i = 0; i < self->n_producers; i++)
    g_ptr_array_add (producers, CORO_CREATE_TASK (produce, Producer, .shared = self->shared,
                                                  .id = i, .n_items = self->n_items));
  for (guint i = 0; i < self->n_consumers; i++)
    g_ptr_array_add (consumers, CORO_CREATE_TASK (consume, Consumer, .shared = self->shared));
  g_ptr_array_extend (self->shared->consumers, consumers, NULL, NULL);
  g_ptr_array_add (consumers, CORO_CREATE_TASK (cancel_some, Canceller, .shared = self->shared));
  self->consumers = coro_gatherv ((CoroFuture **) consumers->pdata, consumers->len,
                                  CORO_GATHER_RETURN_EXCEPTIONS);
  coro_await (task,
              coro_gatherv ((CoroFuture **) producers->pdata, producers->len, CORO_GATHER_NONE),
              main_produced);
  g_ptr_array_unref (producers);
  g_ptr_array_unref (consumers);
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
run_case (Kind kind)
{
  Shared shared = { 0 };
  Main main_frame = { 0 };
  CoroFuture *main_task;

  shared.kind = kind;
  shared.maxsize = g_test_rand_int_range (0, 4);
  switch (kind)
    {
    case KIND_FIFO:
      shared.queue = coro_queue_new (shared.maxsize);
      break;
    case KIND_LIFO:
      shared.queue = CORO_QUEUE (coro_lifo_queue_new (shared.maxsize));
      break;
    case KIND_PRIORITY:
      shared.queue = CORO_QUEUE (coro_priority_queue_new (shared.maxsize));
      break;
    }
  shared.got = g_array_new (FALSE, FALSE, sizeof (gint64));
  shared.consumers = g_ptr_array_new ();
  main_frame.shared = &shared;
  main_frame.n_producers = g_test_rand_int_range (1, 5);
  main_frame.n_items = g_test_rand_int_range (0, 40);
  main_frame.n_consumers = coro_test_chance (2) ? 1 : g_test_rand_int_range (2, 5);

  /* The task runs on a copy of main_frame. */
  main_task = CORO_FUTURE (coro_create_task (main_start, &main_frame, sizeof (Main)));
  coro_test_run (main_task);
  coro_future_unref (main_task);

  /* Each item exactly once. */
  if (kind == KIND_FIFO && main_frame.n_consumers == 1)
    {
      /* One producer's items in the order it put them. */
      g_autofree guint *next = g_new0 (guint, main_frame.n_producers);

      for (guint i = 0; i < shared.got->len; i++)
        {
          gint64 item = g_array_index (shared.got, gint64, i);
          guint producer = item / 1000000;

          g_assert_cmpuint (producer, <, main_frame.n_producers);
          g_assert_cmpint (item % 1000000, ==, next[producer]);
          next[producer]++;
        }
    }
  g_array_sort (shared.got, compare_items);
  for (guint p = 0, i = 0; p < main_frame.n_producers; p++)
    for (guint seq = 0; seq < main_frame.n_items; seq++, i++)
      g_assert_cmpint (g_array_index (shared.got, gint64, i), ==, ITEM (p, seq));
  g_assert_cmpuint (shared.got->len, ==, main_frame.n_producers * main_frame.n_items);

  g_array_unref (shared.got);
  g_ptr_array_unref (shared.consumers);
  g_object_unref (shared.queue);
}

static void
test_queue_model (gconstpointer data)
{
  CORO_TEST_BEGIN ();

  n_put_timeouts = n_get_timeouts = n_consumer_cancels = 0;
  for (int i = 0; i < 600; i++)
    run_case (GPOINTER_TO_INT (data));
  g_assert_cmpuint (n_put_timeouts, >, 0);
  g_assert_cmpuint (n_get_timeouts, >, 0);
  g_assert_cmpuint (n_consumer_cancels, >, 0);
  g_test_message ("%u puts and %u gets timed out, %u consumers cancelled", n_put_timeouts,
                  n_get_timeouts, n_consumer_cancels);
  CORO_TEST_END ();
}

int
main (int    argc,
      char **argv)
{
  coro_test_init (&argc, &argv);

  g_test_add_data_func ("/queue-model/fifo", GINT_TO_POINTER (KIND_FIFO), test_queue_model);
  g_test_add_data_func ("/queue-model/lifo", GINT_TO_POINTER (KIND_LIFO), test_queue_model);
  g_test_add_data_func ("/queue-model/priority", GINT_TO_POINTER (KIND_PRIORITY),
                        test_queue_model);

  return g_test_run ();
}
