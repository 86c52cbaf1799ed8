/* test-loop.c: the scheduler: ready queue, timers, handles, threads, virtual clock
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

typedef struct
{
  GArray *order;
  int tag;
  guint64 pass;      /* the pass count when the callback ran */
  double time;       /* the loop time when it ran */
} Call;

static void
call_record (gpointer user_data)
{
  Call *call = user_data;
  CoroLoop *loop = coro_loop_get_default ();

  call->pass = coro_loop_get_pass_count (loop);
  call->time = coro_loop_time (loop);
  coro_test_append (call->order, call->tag);
}

static void
test_loop_default_and_context (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  GMainContext *context = g_main_context_new ();
  CoroLoop *other;

  g_assert_true (CORO_IS_LOOP (loop));
  g_assert_true (coro_loop_get_default () == loop);
  g_assert_true (coro_loop_get_for_context (NULL) == loop);
  g_assert_true (coro_loop_get_for_context (g_main_context_default ()) == loop);
  g_assert_true (coro_loop_get_context (loop) == g_main_context_default ());

  other = coro_loop_get_for_context (context);
  g_assert_true (other != loop);
  g_assert_true (coro_loop_get_for_context (context) == other);
  g_assert_true (coro_loop_get_context (other) == context);

  /* A context pushed as thread-default is the one new futures belong to. */
  g_main_context_push_thread_default (context);
  {
    CoroFuture *future = coro_future_new ();

    g_assert_true (coro_future_get_loop (future) == other);
    coro_future_unref (future);
  }
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

static void
test_loop_call_soon_fifo (void)
{
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Call calls[5];
  static const int expected[] = { 0, 1, 2, 3, 4 };

  for (int i = 0; i < 5; i++)
    {
      calls[i] = (Call) { order, i, 0, 0 };
      coro_handle_unref (coro_loop_call_soon (coro_loop_get_default (), call_record, &calls[i],
                                              NULL));
    }
  coro_test_yield ();
  coro_test_assert_order (order, expected, 5);
  /* All in the same pass. */
  for (int i = 1; i < 5; i++)
    g_assert_cmpuint (calls[i].pass, ==, calls[0].pass);
}

typedef struct
{
  Call first;
  Call second;
} Chain;

static void
chain_first (gpointer user_data)
{
  Chain *chain = user_data;

  call_record (&chain->first);
  coro_handle_unref (coro_loop_call_soon (coro_loop_get_default (), call_record, &chain->second,
                                          NULL));
}

static void
test_loop_call_soon_next_pass (void)
{
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Chain chain = { { order, 1, 0, 0 }, { order, 2, 0, 0 } };
  Call other = { order, 3, 0, 0 };
  CoroLoop *loop = coro_loop_get_default ();
  static const int expected[] = { 1, 3, 2 };

  coro_handle_unref (coro_loop_call_soon (loop, chain_first, &chain, NULL));
  coro_handle_unref (coro_loop_call_soon (loop, call_record, &other, NULL));
  coro_test_yield ();
  coro_test_yield ();
  /* A callback scheduled by a callback runs in the next pass, after what was queued. */
  coro_test_assert_order (order, expected, 3);
  g_assert_cmpuint (chain.second.pass, ==, chain.first.pass + 1);
  g_assert_cmpuint (other.pass, ==, chain.first.pass);
}

typedef struct
{
  guint64 before;
  guint64 after;
} Passes;

static void sleep_zero_after (CoroTask *task, gpointer frame);

static void
sleep_zero_before (CoroTask *task,
                   gpointer  frame G_GNUC_UNUSED)
{
  Passes *passes = coro_task_get_frame (task);

  passes->before = coro_loop_get_pass_count (coro_loop_get_default ());
  coro_await (task, coro_sleep (0), sleep_zero_after);
}

static void
sleep_zero_after (CoroTask *task,
                  gpointer  frame)
{
  Passes *passes = frame;

  passes->after = coro_loop_get_pass_count (coro_loop_get_default ());
  coro_task_return_int (task, (gint64) (passes->after - passes->before));
}

static void
test_loop_sleep_zero_one_pass (void)
{
  CoroTask *task = CORO_CREATE_TASK (sleep_zero_before, Passes, 0, 0);

  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 1);
  coro_future_unref (CORO_FUTURE (task));
}

static void
test_loop_timers_in_deadline_order (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Call calls[5];
  double start = coro_loop_time (loop);
  static const double delays[] = { 3, 1, 2, 1, 0.5 };
  static const int expected[] = { 4, 1, 3, 2, 0 };
  CoroFuture *sleep;

  for (int i = 0; i < 5; i++)
    {
      calls[i] = (Call) { order, i, 0, 0 };
      coro_handle_unref (coro_loop_call_later (loop, delays[i], call_record, &calls[i], NULL));
    }
  sleep = coro_sleep (10);
  coro_test_run (sleep);
  coro_future_unref (sleep);
  /* Deadline order; equal deadlines in the order they were scheduled. */
  coro_test_assert_order (order, expected, 5);
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat_with_epsilon (calls[i].time - start, delays[i], 1e-9);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 10, 1e-9);
}

static void
test_loop_call_at (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Call call = { order, 1, 0, 0 };
  double when = coro_loop_time (loop) + 7;
  CoroHandle *handle = coro_loop_call_at (loop, when, call_record, &call, NULL);
  CoroFuture *sleep;

  g_assert_cmpfloat_with_epsilon (coro_handle_when (handle), when, 1e-6);
  sleep = coro_sleep_until (when + 1);
  coro_test_run (sleep);
  coro_future_unref (sleep);
  g_assert_cmpuint (order->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (call.time, when, 1e-9);
  coro_handle_unref (handle);
}

static int destroyed;

static void
count_destroy (gpointer data G_GNUC_UNUSED)
{
  destroyed++;
}

static void
test_loop_handle_cancel (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Call soon = { order, 1, 0, 0 }, later = { order, 2, 0, 0 }, kept = { order, 3, 0, 0 };
  CoroHandle *h1, *h2, *h3;
  CoroFuture *sleep;
  static const int expected[] = { 3 };

  destroyed = 0;
  h1 = coro_loop_call_soon (loop, call_record, &soon, count_destroy);
  h2 = coro_loop_call_later (loop, 1, call_record, &later, count_destroy);
  h3 = coro_loop_call_soon (loop, call_record, &kept, count_destroy);
  g_assert_false (coro_handle_cancelled (h1));
  coro_handle_cancel (h1);
  coro_handle_cancel (h2);
  coro_handle_cancel (h2);  /* twice is harmless */
  g_assert_true (coro_handle_cancelled (h1));
  g_assert_true (coro_handle_cancelled (h2));
  sleep = coro_sleep (2);
  coro_test_run (sleep);
  coro_future_unref (sleep);
  coro_test_assert_order (order, expected, 1);
  /* Each destroy notify exactly once, whether the call ran or was cancelled. */
  g_assert_cmpint (destroyed, ==, 3);
  /* Cancelling after the call ran changes nothing. */
  coro_handle_cancel (h3);
  g_assert_cmpint (destroyed, ==, 3);
  coro_handle_unref (h1);
  coro_handle_unref (h2);
  g_assert_true (coro_handle_ref (h3) == h3);
  coro_handle_unref (h3);
  coro_handle_unref (h3);
}

typedef struct
{
  CoroLoop *loop;
  Call *call;
  GThread *caller;
} Threaded;

static void
threadsafe_record (gpointer user_data)
{
  Threaded *threaded = user_data;

  g_assert_true (threaded->caller != g_thread_self ());
  call_record (threaded->call);
}

static gpointer
threadsafe_thread (gpointer user_data)
{
  Threaded *threaded = user_data;

  threaded->caller = g_thread_self ();
  coro_handle_unref (coro_loop_call_soon_threadsafe (threaded->loop, threadsafe_record, threaded,
                                                     NULL));
  return NULL;
}

static void
test_loop_call_soon_threadsafe (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Call call = { order, 1, 0, 0 };
  Threaded threaded = { loop, &call, NULL };
  GThread *thread;

  /* Real time here: the loop must wake up from poll for the inbox. */
  coro_loop_set_virtual_clock (loop, FALSE);
  thread = g_thread_new ("caller", threadsafe_thread, &threaded);
  while (order->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  g_assert_cmpint (g_array_index (order, int, 0), ==, 1);
  coro_loop_set_virtual_clock (loop, TRUE);
}

static void
test_loop_virtual_clock (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  gint64 real_start = g_get_monotonic_time ();
  CoroFuture *sleep;

  g_assert_true (coro_loop_get_virtual_clock (loop));
  sleep = coro_sleep (3600);
  coro_test_run (sleep);
  coro_future_unref (sleep);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 3600, 1e-6);
  g_assert_cmpint (g_get_monotonic_time () - real_start, <, G_USEC_PER_SEC);

  /* Real clock: a short sleep takes real time. */
  coro_loop_set_virtual_clock (loop, FALSE);
  g_assert_false (coro_loop_get_virtual_clock (loop));
  real_start = g_get_monotonic_time ();
  sleep = coro_sleep (0.05);
  coro_test_run (sleep);
  coro_future_unref (sleep);
  g_assert_cmpint (g_get_monotonic_time () - real_start, >=, 45000);
  coro_loop_set_virtual_clock (loop, TRUE);
}

static void
test_loop_time_monotonic (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  double a = coro_loop_time (loop);
  CoroFuture *sleep = coro_sleep (0.5);
  double b;

  coro_test_run (sleep);
  coro_future_unref (sleep);
  b = coro_loop_time (loop);
  g_assert_cmpfloat (b, >=, a + 0.5);
}

static void
test_loop_other_context (void)
{
  GMainContext *context = g_main_context_new ();
  CoroLoop *loop;
  CoroFuture *sleep;
  GError *error = NULL;

  g_main_context_push_thread_default (context);
  loop = coro_loop_get_for_context (context);
  coro_loop_set_virtual_clock (loop, TRUE);
  sleep = coro_sleep (5);
  g_assert_true (coro_future_get_loop (sleep) == loop);
  g_assert_true (coro_run (coro_future_ref (sleep), &error));
  g_assert_no_error (error);
  g_assert_true (coro_future_done (sleep));
  coro_future_unref (sleep);
  g_assert_cmpuint (coro_loop_get_n_futures (loop), ==, 0);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

static void
test_loop_dropped_sleep (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  CoroFuture *kept = coro_sleep (2);
  CoroFuture *yield;

  /* A sleep nobody holds any more goes at once, with its timer: the loop has nothing to
   * wait for, so the virtual clock does not move to its deadline. */
  coro_future_unref (coro_sleep (3600));
  g_assert_cmpuint (coro_loop_get_n_futures (loop), ==, coro_test_baseline_ + 1);
  yield = coro_sleep (0);
  coro_test_run (yield);
  coro_future_unref (yield);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 0, 1e-6);

  /* One still held completes at its deadline. */
  coro_test_run (kept);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 2, 1e-6);
  coro_future_unref (kept);
  CORO_TEST_END ();
}

static void
record_done_time (CoroFuture *future,
                  gpointer    user_data)
{
  *(double *) user_data = coro_loop_time (coro_future_get_loop (future));
}

/* A done callback watches a sleep as a holder does: dropping the last reference to the
 * sleep does not take its timer away, and the callback runs at the deadline. */
static void
test_loop_dropped_sleep_with_callback (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  double done_at = -1;
  CoroFuture *watched = coro_sleep (2);
  CoroFuture *later;

  coro_future_add_done_callback (watched, record_done_time, &done_at, NULL);
  coro_future_unref (watched);
  later = coro_sleep (3);
  coro_test_run (later);
  coro_future_unref (later);
  g_assert_cmpfloat_with_epsilon (done_at - start, 2, 1e-6);
  CORO_TEST_END ();
}

/* Many timers in random order, a third of them cancelled: the rest fire in deadline order,
 * equal deadlines in scheduling order (exercises the heap's moves and removals). */
typedef struct
{
  double  when;
  guint   seq;
  GArray *fired;
} Stress;

static void
stress_fired (gpointer data)
{
  Stress *stress = data;

  g_array_append_val (stress->fired, stress);
}

static void
test_loop_timer_heap_stress (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(GArray) fired = g_array_new (FALSE, FALSE, sizeof (Stress *));
  guint n = 3000;
  Stress *stress = g_new (Stress, n);
  CoroHandle **handles = g_new (CoroHandle *, n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  double start = coro_loop_time (loop);
  CoroFuture *sleep;
  guint expected = 0;

  for (guint i = 0; i < n; i++)
    {
      stress[i] = (Stress) { start + g_rand_int_range (rand, 1, 200) / 10.0, i, fired };
      handles[i] = coro_loop_call_at (loop, stress[i].when, stress_fired, &stress[i], NULL);
    }
  for (guint i = 0; i < n; i++)
    {
      if (i % 3 == 0)
        coro_handle_cancel (handles[i]);
      else
        expected++;
      coro_handle_unref (handles[i]);
    }
  sleep = coro_sleep (25);
  coro_test_run (sleep);
  coro_future_unref (sleep);

  g_assert_cmpuint (fired->len, ==, expected);
  for (guint i = 1; i < fired->len; i++)
    {
      Stress *a = g_array_index (fired, Stress *, i - 1);
      Stress *b = g_array_index (fired, Stress *, i);

      g_assert_true (a->when < b->when || (a->when == b->when && a->seq < b->seq));
      g_assert_cmpuint (b->seq % 3, !=, 0);
    }
  g_free (handles);
  g_free (stress);
}

/* Another thread sees the global default context's loop until it pushes a context of its
 * own, which then gets a loop of its own. */
typedef struct
{
  CoroLoop *fallback;
  CoroLoop *own;
  CoroLoop *own_again;
  CoroLoop *after_pop;
} ThreadLoops;

static gpointer
thread_loops (gpointer data)
{
  ThreadLoops *loops = data;
  GMainContext *context = g_main_context_new ();

  loops->fallback = coro_loop_get_default ();
  g_main_context_push_thread_default (context);
  loops->own = coro_loop_get_default ();
  loops->own_again = coro_loop_get_for_context (context);
  g_main_context_pop_thread_default (context);
  loops->after_pop = coro_loop_get_default ();
  g_main_context_unref (context);
  return NULL;
}

static void
test_loop_default_follows_thread_default (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  GMainContext *context = g_main_context_new ();
  ThreadLoops loops = { NULL, NULL, NULL, NULL };
  CoroLoop *pushed;

  g_main_context_push_thread_default (context);
  pushed = coro_loop_get_default ();
  g_assert_true (pushed != loop);
  g_assert_true (coro_loop_get_default () == pushed);
  g_assert_true (coro_loop_get_for_context (context) == pushed);
  g_assert_true (coro_loop_get_context (pushed) == context);
  g_main_context_pop_thread_default (context);
  g_assert_true (coro_loop_get_default () == loop);

  g_thread_join (g_thread_new ("loops", thread_loops, &loops));
  g_assert_true (loops.fallback == loop);
  g_assert_true (loops.own != loop);
  g_assert_true (loops.own != pushed);
  g_assert_true (loops.own_again == loops.own);
  g_assert_true (loops.after_pop == loop);
  g_main_context_unref (context);
}

/* Callbacks that run from one pass to the next: each pass runs the next link. */
typedef struct
{
  GArray     *passes;
  int         left;
  CoroFuture *done;
} Ticker;

static void
ticker_tick (gpointer data)
{
  Ticker *ticker = data;
  guint64 pass = coro_loop_get_pass_count (coro_loop_get_default ());

  g_array_append_val (ticker->passes, pass);
  if (--ticker->left > 0)
    coro_handle_unref (coro_loop_call_soon (coro_loop_get_default (), ticker_tick, ticker, NULL));
  else
    coro_future_set_none (ticker->done, NULL);
}

typedef struct
{
  int      n;
  gboolean started;
  guint64  start;
} Yields;

static void
yields_step (CoroTask *task,
             gpointer  frame)
{
  Yields *self = frame;
  CoroLoop *loop = coro_loop_get_default ();

  if (!self->started)
    {
      self->started = TRUE;
      self->start = coro_loop_get_pass_count (loop);
    }
  if (self->n-- > 0)
    {
      coro_await (task, coro_sleep (0), NULL);
      return;
    }
  coro_task_return_int (task, (gint64) (coro_loop_get_pass_count (loop) - self->start));
}

static void
test_loop_pass_count (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GArray) passes = g_array_new (FALSE, FALSE, sizeof (guint64));
  Ticker ticker = { passes, 10, coro_future_new () };
  CoroTask *task;

  coro_handle_unref (coro_loop_call_soon (coro_loop_get_default (), ticker_tick, &ticker, NULL));
  coro_test_run (ticker.done);
  g_assert_cmpuint (passes->len, ==, 10);
  for (guint i = 1; i < passes->len; i++)
    g_assert_cmpuint (g_array_index (passes, guint64, i), ==,
                      g_array_index (passes, guint64, 0) + i);
  coro_future_unref (ticker.done);

  /* Seven sleep (0) in a row: seven passes. */
  task = CORO_CREATE_TASK (yields_step, Yields, .n = 7);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 7);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* call_at, call_later and sleeps due at the same instant run in scheduling order. */
typedef struct
{
  GArray *order;
  int     tag;
} Tag;

static void
tag_record (gpointer data)
{
  Tag *tag = data;

  coro_test_append (tag->order, tag->tag);
}

static void
tag_record_future (CoroFuture *future G_GNUC_UNUSED,
                   gpointer    data)
{
  tag_record (data);
}

static void
test_loop_timer_ties (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Tag tags[6];
  double when = coro_loop_time (loop) + 2;
  CoroFuture *sleep;
  CoroFuture *end;
  static const int expected[] = { 0, 1, 2, 3, 4, 5 };

  for (int i = 0; i < 6; i++)
    tags[i] = (Tag) { order, i };
  coro_handle_unref (coro_loop_call_at (loop, when, tag_record, &tags[0], NULL));
  coro_handle_unref (coro_loop_call_later (loop, 2, tag_record, &tags[1], NULL));
  sleep = coro_sleep_until (when);
  coro_future_add_done_callback (sleep, tag_record_future, &tags[2], NULL);
  coro_handle_unref (coro_loop_call_at (loop, when, tag_record, &tags[3], NULL));
  coro_handle_unref (coro_loop_call_later (loop, 2, tag_record, &tags[4], NULL));
  coro_handle_unref (coro_loop_call_at (loop, when, tag_record, &tags[5], NULL));

  end = coro_sleep (3);
  coro_test_run (end);
  coro_test_assert_order (order, expected, 6);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop), when + 1, 1e-6);
  coro_future_unref (end);
  coro_future_unref (sleep);
  CORO_TEST_END ();
}

static void
test_loop_handle_when (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  double now = coro_loop_time (loop);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Tag tag = { order, 1 };
  CoroHandle *soon = coro_loop_call_soon (loop, tag_record, &tag, NULL);
  CoroHandle *later = coro_loop_call_later (loop, 2.5, tag_record, &tag, NULL);
  CoroHandle *at = coro_loop_call_at (loop, now + 4, tag_record, &tag, NULL);
  CoroFuture *sleep;

  g_assert_cmpfloat (coro_handle_when (soon), ==, -1);
  g_assert_cmpfloat_with_epsilon (coro_handle_when (later), now + 2.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (coro_handle_when (at), now + 4, 1e-6);

  sleep = coro_sleep (5);
  coro_test_run (sleep);
  coro_future_unref (sleep);
  g_assert_cmpuint (order->len, ==, 3);
  /* The deadline stays readable after the call ran. */
  g_assert_cmpfloat_with_epsilon (coro_handle_when (later), now + 2.5, 1e-6);
  coro_handle_unref (soon);
  coro_handle_unref (later);
  coro_handle_unref (at);
}

/* Each destroy notify runs exactly once, after its callback, for every way of scheduling;
 * a cancelled call's runs at the cancel. */
typedef struct
{
  GArray *events;
  int     tag;
} Notified;

static void
notified_call (gpointer data)
{
  Notified *notified = data;

  coro_test_append (notified->events, notified->tag);
}

static void
notified_destroy (gpointer data)
{
  Notified *notified = data;

  coro_test_append (notified->events, -notified->tag);
}

static guint
count_events (GArray *events,
              int     value,
              guint  *index)
{
  guint n = 0;

  *index = G_MAXUINT;
  for (guint i = 0; i < events->len; i++)
    if (g_array_index (events, int, i) == value)
      {
        n++;
        *index = i;
      }
  return n;
}

static void
test_loop_destroy_notify_once (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (int));
  Notified notified[7];
  CoroHandle *handles[7];
  double now = coro_loop_time (loop);
  CoroFuture *sleep;
  guint ran, destroyed_at;

  for (int i = 0; i < 7; i++)
    notified[i] = (Notified) { events, i + 1 };
  handles[0] = coro_loop_call_soon (loop, notified_call, &notified[0], notified_destroy);
  handles[1] = coro_loop_call_later (loop, 1, notified_call, &notified[1], notified_destroy);
  handles[2] = coro_loop_call_at (loop, now + 2, notified_call, &notified[2], notified_destroy);
  handles[3] = coro_loop_call_soon_threadsafe (loop, notified_call, &notified[3],
                                                notified_destroy);
  handles[4] = coro_loop_call_soon (loop, notified_call, &notified[4], notified_destroy);
  handles[5] = coro_loop_call_later (loop, 1, notified_call, &notified[5], notified_destroy);
  handles[6] = coro_loop_call_soon_threadsafe (loop, notified_call, &notified[6],
                                                notified_destroy);

  /* Dropping a handle does not cancel its call. */
  coro_handle_unref (handles[0]);
  handles[0] = NULL;

  coro_handle_cancel (handles[4]);
  coro_handle_cancel (handles[5]);
  coro_handle_cancel (handles[6]);
  g_assert_cmpuint (events->len, ==, 3);
  g_assert_cmpuint (count_events (events, -5, &destroyed_at), ==, 1);
  g_assert_cmpuint (count_events (events, -6, &destroyed_at), ==, 1);
  g_assert_cmpuint (count_events (events, -7, &destroyed_at), ==, 1);

  sleep = coro_sleep (3);
  coro_test_run (sleep);
  coro_future_unref (sleep);

  for (int tag = 1; tag <= 4; tag++)
    {
      g_assert_cmpuint (count_events (events, tag, &ran), ==, 1);
      g_assert_cmpuint (count_events (events, -tag, &destroyed_at), ==, 1);
      g_assert_cmpuint (ran, <, destroyed_at);
    }
  for (int tag = 5; tag <= 7; tag++)
    g_assert_cmpuint (count_events (events, tag, &ran), ==, 0);
  g_assert_cmpuint (events->len, ==, 11);

  /* Cancelling or dropping the handles afterwards releases nothing more. */
  for (int i = 1; i < 7; i++)
    {
      coro_handle_cancel (handles[i]);
      coro_handle_unref (handles[i]);
    }
  g_assert_cmpuint (events->len, ==, 11);
}

/* A callback cancels another one that is due in the same pass: it does not run. */
typedef struct
{
  Tag         tag;
  CoroHandle *victim;
} Killer;

static void
killer_run (gpointer data)
{
  Killer *killer = data;

  tag_record (&killer->tag);
  coro_handle_cancel (killer->victim);
}

static void
test_loop_cancel_in_same_pass (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Notified victims[2] = { { order, 10 }, { order, 20 } };
  Killer soon = { { order, 1 }, NULL }, timer = { { order, 2 }, NULL };
  CoroHandle *h1, *h2, *h3, *h4;
  CoroFuture *sleep;
  static const int expected[] = { 1, -10, 2, -20 };

  h1 = coro_loop_call_soon (loop, killer_run, &soon, NULL);
  h2 = coro_loop_call_soon (loop, notified_call, &victims[0], notified_destroy);
  soon.victim = h2;
  h3 = coro_loop_call_later (loop, 1, killer_run, &timer, NULL);
  h4 = coro_loop_call_later (loop, 1, notified_call, &victims[1], notified_destroy);
  timer.victim = h4;

  sleep = coro_sleep (2);
  coro_test_run (sleep);
  coro_future_unref (sleep);
  coro_test_assert_order (order, expected, 4);
  g_assert_true (coro_handle_cancelled (h2));
  g_assert_true (coro_handle_cancelled (h4));
  coro_handle_unref (h1);
  coro_handle_unref (h2);
  coro_handle_unref (h3);
  coro_handle_unref (h4);
}

/* A worker thread's call wakes a loop blocked in poll () (virtual clock on, nothing else
 * to do); the callback and its destroy notify run on the loop's thread. */
typedef struct
{
  CoroLoop   *loop;
  CoroFuture *future;
  GThread    *ran_on;
  GThread    *destroyed_on;
} Wake;

static void
wake_complete (gpointer data)
{
  Wake *wake = data;

  wake->ran_on = g_thread_self ();
  g_assert_true (coro_future_set_int (wake->future, 42, NULL));
}

static void
wake_destroy (gpointer data)
{
  Wake *wake = data;

  wake->destroyed_on = g_thread_self ();
}

static gpointer
wake_thread (gpointer data)
{
  Wake *wake = data;

  /* Long enough for the loop to be waiting in poll () */
  g_usleep (20000);
  coro_handle_unref (coro_loop_call_soon_threadsafe (wake->loop, wake_complete, wake,
                                                     wake_destroy));
  return NULL;
}

static void
test_loop_threadsafe_wakes_loop (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  Wake wake = { loop, coro_future_new (), NULL, NULL };
  GThread *thread;

  g_assert_true (coro_loop_get_virtual_clock (loop));
  thread = g_thread_new ("waker", wake_thread, &wake);
  coro_test_run (wake.future);
  g_assert_cmpint (coro_future_get_int (wake.future, NULL), ==, 42);
  g_assert_true (wake.ran_on == g_thread_self ());
  g_assert_true (wake.destroyed_on == g_thread_self ());
  g_thread_join (thread);
  coro_future_unref (wake.future);
  CORO_TEST_END ();
}

/* Several threads post at once: every call runs once, each thread's in its order. */
#define N_POSTERS 4
#define N_POSTS   250

typedef struct _Posts Posts;

typedef struct
{
  Posts *posts;
  int    thread;
  int    seq;
} Post;

struct _Posts
{
  CoroLoop   *loop;
  CoroFuture *done;
  int         next[N_POSTERS]; /* the seq each thread's next call must have */
  int         n_run;
  Post        items[N_POSTERS][N_POSTS];
};

static void
post_run (gpointer data)
{
  Post *post = data;
  Posts *posts = post->posts;

  g_assert_cmpint (post->seq, ==, posts->next[post->thread]);
  posts->next[post->thread]++;
  if (++posts->n_run == N_POSTERS * N_POSTS)
    coro_future_set_none (posts->done, NULL);
}

static gpointer
post_thread (gpointer data)
{
  Post *posts = data;

  for (int i = 0; i < N_POSTS; i++)
    coro_handle_unref (coro_loop_call_soon_threadsafe (posts[i].posts->loop, post_run,
                                                       &posts[i], NULL));
  return NULL;
}

static void
test_loop_threadsafe_many_threads (void)
{
  CORO_TEST_BEGIN ();
  Posts *posts = g_new0 (Posts, 1);
  GThread *threads[N_POSTERS];

  posts->loop = coro_loop_get_default ();
  posts->done = coro_future_new ();
  for (int t = 0; t < N_POSTERS; t++)
    for (int i = 0; i < N_POSTS; i++)
      posts->items[t][i] = (Post) { posts, t, i };
  for (int t = 0; t < N_POSTERS; t++)
    threads[t] = g_thread_new ("poster", post_thread, posts->items[t]);
  coro_test_run (posts->done);
  for (int t = 0; t < N_POSTERS; t++)
    {
      g_thread_join (threads[t]);
      g_assert_cmpint (posts->next[t], ==, N_POSTS);
    }
  g_assert_cmpint (posts->n_run, ==, N_POSTERS * N_POSTS);
  coro_future_unref (posts->done);
  g_free (posts);
  CORO_TEST_END ();
}

/* On the virtual clock a task's sleeps end at exact times, and an hour takes no real
 * time. */
typedef struct
{
  double start;
  double times[3];
  int    n;
} Sleeper;

static void
sleeper_step (CoroTask *task,
              gpointer  frame)
{
  static const double delays[] = { 1, 2.5, 3600 };
  Sleeper *self = frame;
  CoroLoop *loop = coro_loop_get_default ();

  if (self->n > 0)
    self->times[self->n - 1] = coro_loop_time (loop) - self->start;
  if (self->n == 3)
    {
      coro_task_return (task);
      return;
    }
  coro_await (task, coro_sleep (delays[self->n++]), NULL);
}

static void
test_loop_virtual_clock_exact (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  gint64 real_start = g_get_monotonic_time ();
  CoroTask *task = CORO_CREATE_TASK (sleeper_step, Sleeper, .start = coro_loop_time (loop));
  Sleeper *self = coro_task_get_frame (task);

  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpfloat_with_epsilon (self->times[0], 1, 1e-6);
  g_assert_cmpfloat_with_epsilon (self->times[1], 3.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (self->times[2], 3603.5, 1e-6);
  g_assert_cmpint (g_get_monotonic_time () - real_start, <, G_USEC_PER_SEC);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* The version macros: the headers' version is the project's, and CORO_CHECK_VERSION
 * compares with it, usable in the preprocessor as well. */
#if !CORO_CHECK_VERSION (1, 0, 0)
# error "CORO_CHECK_VERSION (1, 0, 0) is false in the preprocessor"
#endif
#if CORO_CHECK_VERSION (CORO_MAJOR_VERSION + 1, 0, 0)
# error "CORO_CHECK_VERSION of the next major version is true in the preprocessor"
#endif

static void
test_loop_version (void)
{
  g_autofree char *version = g_strdup_printf ("%d.%d.%d", CORO_MAJOR_VERSION,
                                              CORO_MINOR_VERSION, CORO_MICRO_VERSION);
  const int major = CORO_MAJOR_VERSION, minor = CORO_MINOR_VERSION, micro = CORO_MICRO_VERSION;

  g_assert_cmpstr (version, ==, CORO_TEST_PROJECT_VERSION);
  g_assert_true (CORO_CHECK_VERSION (major, minor, micro));
  g_assert_true (CORO_CHECK_VERSION (0, 99, 99));
  g_assert_true (CORO_CHECK_VERSION (major, 0, 0));
  g_assert_false (CORO_CHECK_VERSION (major, minor, micro + 1));
  g_assert_false (CORO_CHECK_VERSION (major, minor + 1, 0));
  g_assert_false (CORO_CHECK_VERSION (major + 1, 0, 0));
  if (micro > 0)
    g_assert_true (CORO_CHECK_VERSION (major, minor, micro - 1));
  if (minor > 0)
    g_assert_true (CORO_CHECK_VERSION (major, minor - 1, 99));
}

/* A task that never waits (a sleep (0) after another) shares the context: the scheduler
 * source gives way after a bounded number of passes, and a source of the same priority
 * runs in between. */
typedef struct
{
  gboolean *other_ran;
  guint     passes;
} Spinner;

static void
spin (CoroTask *task,
      gpointer  frame)
{
  Spinner *self = frame;

  if (*self->other_ran)
    {
      coro_task_return_int (task, self->passes);
      return;
    }
  self->passes++;
  coro_await (task, coro_sleep (0), spin);
}

static gboolean
note_ran (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_loop_budget_lets_others_run (void)
{
  CORO_TEST_BEGIN ();
  gboolean other_ran = FALSE;
  CoroFuture *spinner;

  spinner = CORO_FUTURE (CORO_CREATE_TASK (spin, Spinner, .other_ran = &other_ran));
  g_idle_add_full (G_PRIORITY_DEFAULT, note_ran, &other_ran, NULL);
  coro_test_run (spinner);
  g_assert_true (other_ran);
  /* One dispatch runs at most 64 passes; the idle ran after the first or the second. */
  g_assert_cmpint (coro_future_get_int (spinner, NULL), <=, 128);
  coro_future_unref (spinner);
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/loop/default-and-context", test_loop_default_and_context);
  g_test_add_func ("/loop/call-soon-fifo", test_loop_call_soon_fifo);
  g_test_add_func ("/loop/call-soon-next-pass", test_loop_call_soon_next_pass);
  g_test_add_func ("/loop/sleep-zero-one-pass", test_loop_sleep_zero_one_pass);
  g_test_add_func ("/loop/budget-lets-others-run", test_loop_budget_lets_others_run);
  g_test_add_func ("/loop/timers-in-deadline-order", test_loop_timers_in_deadline_order);
  g_test_add_func ("/loop/call-at", test_loop_call_at);
  g_test_add_func ("/loop/handle-cancel", test_loop_handle_cancel);
  g_test_add_func ("/loop/call-soon-threadsafe", test_loop_call_soon_threadsafe);
  g_test_add_func ("/loop/virtual-clock", test_loop_virtual_clock);
  g_test_add_func ("/loop/time-monotonic", test_loop_time_monotonic);
  g_test_add_func ("/loop/other-context", test_loop_other_context);
  g_test_add_func ("/loop/dropped-sleep", test_loop_dropped_sleep);
  g_test_add_func ("/loop/dropped-sleep-with-callback", test_loop_dropped_sleep_with_callback);
  g_test_add_func ("/loop/timer-heap-stress", test_loop_timer_heap_stress);
  g_test_add_func ("/loop/default-follows-thread-default",
                   test_loop_default_follows_thread_default);
  g_test_add_func ("/loop/pass-count", test_loop_pass_count);
  g_test_add_func ("/loop/timer-ties", test_loop_timer_ties);
  g_test_add_func ("/loop/handle-when", test_loop_handle_when);
  g_test_add_func ("/loop/destroy-notify-once", test_loop_destroy_notify_once);
  g_test_add_func ("/loop/cancel-in-same-pass", test_loop_cancel_in_same_pass);
  g_test_add_func ("/loop/threadsafe-wakes-loop", test_loop_threadsafe_wakes_loop);
  g_test_add_func ("/loop/threadsafe-many-threads", test_loop_threadsafe_many_threads);
  g_test_add_func ("/loop/virtual-clock-exact", test_loop_virtual_clock_exact);
  g_test_add_func ("/loop/version", test_loop_version);

  return g_test_run ();
}
