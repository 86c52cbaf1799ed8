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
      coro_handle_unref (coro_loop_call_soon (coro_loop_get_default (), call_record, &calls[i], NULL));
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
  coro_handle_unref (coro_loop_call_soon (coro_loop_get_default (), call_record, &chain->second, NULL));
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
                   gpointer  frame)
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
count_destroy (gpointer data)
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
  coro_handle_unref (coro_loop_call_soon_threadsafe (threaded->loop, threadsafe_record, threaded, NULL));
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

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/loop/default-and-context", test_loop_default_and_context);
  g_test_add_func ("/loop/call-soon-fifo", test_loop_call_soon_fifo);
  g_test_add_func ("/loop/call-soon-next-pass", test_loop_call_soon_next_pass);
  g_test_add_func ("/loop/sleep-zero-one-pass", test_loop_sleep_zero_one_pass);
  g_test_add_func ("/loop/timers-in-deadline-order", test_loop_timers_in_deadline_order);
  g_test_add_func ("/loop/call-at", test_loop_call_at);
  g_test_add_func ("/loop/handle-cancel", test_loop_handle_cancel);
  g_test_add_func ("/loop/call-soon-threadsafe", test_loop_call_soon_threadsafe);
  g_test_add_func ("/loop/virtual-clock", test_loop_virtual_clock);
  g_test_add_func ("/loop/time-monotonic", test_loop_time_monotonic);
  g_test_add_func ("/loop/other-context", test_loop_other_context);
  g_test_add_func ("/loop/dropped-sleep", test_loop_dropped_sleep);
  g_test_add_func ("/loop/timer-heap-stress", test_loop_timer_heap_stress);

  return g_test_run ();
}
