/* test-threadsafe.c: call_soon_threadsafe from many threads at once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

#define N_THREADS 8
#define N_CALLS   10000

typedef struct
{
  CoroLoop   *loop;
  GThread    *main_thread;
  guint       next[N_THREADS];   /* the sequence number each thread's next call must have */
  guint       total;
  guint       out_of_order;
  guint       wrong_thread;
  guint       destroyed;         /* atomic: destroy notifies run on the loop's thread */
  CoroFuture *all_done;
} Stress;

typedef struct
{
  Stress *stress;
  guint   thread;
  guint   seq;
} Call;

static void
stress_call (gpointer user_data)
{
  Call *call = user_data;
  Stress *s = call->stress;

  if (g_thread_self () != s->main_thread)
    s->wrong_thread++;
  if (call->seq != s->next[call->thread])
    s->out_of_order++;
  s->next[call->thread] = call->seq + 1;
  if (++s->total == N_THREADS * N_CALLS)
    coro_future_set_none (s->all_done, NULL);
}

static void
call_free (gpointer data)
{
  Call *call = data;

  g_atomic_int_inc (&call->stress->destroyed);
  g_free (call);
}

typedef struct
{
  Stress *stress;
  guint   thread;
} Producer;

static gpointer
producer (gpointer data)
{
  Producer *p = data;

  for (guint i = 0; i < N_CALLS; i++)
    {
      Call *call = g_new (Call, 1);

      call->stress = p->stress;
      call->thread = p->thread;
      call->seq = i;
      /* Dropping the handle here races with the loop running it: both are fine. */
      coro_handle_unref (coro_loop_call_soon_threadsafe (p->stress->loop, stress_call, call,
                                                         call_free));
      if (i % 1000 == 0)
        g_thread_yield ();
    }
  return NULL;
}

static void
test_many_threads (void)
{
  CORO_TEST_BEGIN ();
  Stress s = { 0 };
  Producer producers[N_THREADS];
  GThread *threads[N_THREADS];

  s.loop = coro_loop_get_default ();
  s.main_thread = g_thread_self ();
  s.all_done = coro_future_new ();

  for (guint t = 0; t < N_THREADS; t++)
    {
      producers[t] = (Producer) { &s, t };
      threads[t] = g_thread_new ("producer", producer, &producers[t]);
    }
  /* The loop runs while the producers post. */
  coro_test_run (s.all_done);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  coro_test_yield ();

  g_assert_cmpuint (s.total, ==, N_THREADS * N_CALLS);
  g_assert_cmpuint (s.out_of_order, ==, 0);
  g_assert_cmpuint (s.wrong_thread, ==, 0);
  g_assert_cmpuint (g_atomic_int_get (&s.destroyed), ==, N_THREADS * N_CALLS);
  for (guint t = 0; t < N_THREADS; t++)
    g_assert_cmpuint (s.next[t], ==, N_CALLS);
  coro_future_unref (s.all_done);
  CORO_TEST_END ();
}

/* A thread posting while the loop is idle in poll() wakes it. */
static gpointer
post_one (gpointer data)
{
  Stress *s = data;
  Call *call = g_new (Call, 1);

  g_usleep (20000); /* let the loop block in poll() first */
  *call = (Call) { s, 0, 0 };
  coro_handle_unref (coro_loop_call_soon_threadsafe (s->loop, stress_call, call, call_free));
  return NULL;
}

static void
finish_early (gpointer user_data)
{
  Stress *s = user_data;

  /* One call is all this test posts. */
  if (s->total == 1 && !coro_future_done (s->all_done))
    coro_future_set_none (s->all_done, NULL);
}

static void
test_wakes_idle_loop (void)
{
  CORO_TEST_BEGIN ();
  Stress s = { 0 };
  GThread *thread;
  CoroHandle *poll_handle;

  s.loop = coro_loop_get_default ();
  s.main_thread = g_thread_self ();
  s.all_done = coro_future_new ();
  thread = g_thread_new ("poster", post_one, &s);
  while (s.total == 0)
    g_main_context_iteration (NULL, TRUE);
  poll_handle = coro_loop_call_soon (s.loop, finish_early, &s, NULL);
  coro_test_run (s.all_done);
  g_thread_join (thread);
  g_assert_cmpuint (s.total, ==, 1);
  g_assert_cmpuint (g_atomic_int_get (&s.destroyed), ==, 1);
  coro_handle_unref (poll_handle);
  coro_future_unref (s.all_done);
  CORO_TEST_END ();
}

int
main (int    argc,
      char **argv)
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/threadsafe/many-threads", test_many_threads);
  g_test_add_func ("/threadsafe/wakes-idle-loop", test_wakes_idle_loop);

  return g_test_run ();
}
