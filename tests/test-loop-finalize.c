/* test-loop-finalize.c: a loop that goes away with timers still queued
 *
 * The loops of coro_loop_get_for_context() live as long as the process, so these tests
 * use private loops (coro_loop_new_for_context(), internal): the test is built from the
 * library's objects. Under valgrind and ASan they check that finalizing such a loop
 * releases what its timers held exactly once, runs no callback and reports nothing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-task-private.h"

typedef struct
{
  GMainContext *context;
  CoroLoop     *loop;
  guint         n_exceptions;
  guint         n_handler_destroyed;
} Fixture;

static void
count_exception (CoroLoop     *loop,
                 const char   *message,
                 const GError *error,
                 CoroFuture   *future,
                 gpointer      user_data)
{
  ((Fixture *) user_data)->n_exceptions++;
}

static void
count_handler_destroyed (gpointer user_data)
{
  ((Fixture *) user_data)->n_handler_destroyed++;
}

/* Runs @setup as a callback of a new private loop, so that the futures and tasks it
 * creates belong to that loop, and runs the loop until only timers are left. */
static void
fixture_start (Fixture      *fixture,
               CoroCallback  setup,
               gpointer      data)
{
  fixture->context = g_main_context_new ();
  fixture->loop = coro_loop_new_for_context (fixture->context);
  coro_loop_set_exception_handler (fixture->loop, count_exception, fixture,
                                   count_handler_destroyed);
  coro_handle_unref (coro_loop_call_soon (fixture->loop, setup, data, NULL));
  while (g_main_context_iteration (fixture->context, FALSE))
    ;
}

static void
fixture_drop_loop (Fixture *fixture)
{
  g_object_unref (fixture->loop);
  g_assert_cmpuint (fixture->n_exceptions, ==, 0);
  g_assert_cmpuint (fixture->n_handler_destroyed, ==, 1);
  /* The scheduler source went with the loop: the context has nothing left to run. */
  g_assert_false (g_main_context_iteration (fixture->context, FALSE));
  g_main_context_unref (fixture->context);
}

/* call_later, call_at */

typedef struct
{
  guint       n_called;
  guint       n_destroyed;
  CoroHandle *kept;
  CoroLoop   *loop;
} HandleCounts;

static void
handle_called (gpointer user_data)
{
  ((HandleCounts *) user_data)->n_called++;
}

static void
handle_destroyed (gpointer user_data)
{
  ((HandleCounts *) user_data)->n_destroyed++;
}

static void
setup_handles (gpointer user_data)
{
  HandleCounts *counts = user_data;
  CoroLoop *loop = coro_loop_get_running ();

  coro_handle_unref (coro_loop_call_later (loop, 3600, handle_called, counts,
                                           handle_destroyed));
  coro_handle_unref (coro_loop_call_at (loop, coro_loop_time (loop) + 7200, handle_called,
                                        counts, handle_destroyed));
  counts->kept = coro_loop_call_later (loop, 60, handle_called, counts, handle_destroyed);
}

static gpointer
post_threadsafe (gpointer data)
{
  HandleCounts *counts = data;

  coro_handle_unref (coro_loop_call_soon_threadsafe (counts->loop, handle_called, counts,
                                                     handle_destroyed));
  return NULL;
}

static void
test_loop_finalize_handles (void)
{
  Fixture fixture = { 0 };
  HandleCounts counts = { 0 };

  fixture_start (&fixture, setup_handles, &counts);
  /* Not run yet when the loop goes: one in the ready queue, one in the inbox. */
  coro_handle_unref (coro_loop_call_soon (fixture.loop, handle_called, &counts,
                                          handle_destroyed));
  counts.loop = fixture.loop;
  g_thread_join (g_thread_new ("poster", post_threadsafe, &counts));
  g_assert_cmpuint (counts.n_destroyed, ==, 0);
  fixture_drop_loop (&fixture);

  g_assert_cmpuint (counts.n_called, ==, 0);
  g_assert_cmpuint (counts.n_destroyed, ==, 5);

  /* A handle that outlives its loop is as cancelled: cancelling it again does nothing. */
  g_assert_true (coro_handle_cancelled (counts.kept));
  coro_handle_cancel (counts.kept);
  g_assert_cmpuint (counts.n_destroyed, ==, 5);
  coro_handle_unref (counts.kept);
}

/* Tasks asleep */

typedef struct
{
  guint n_resumed;
  guint n_cleaned;
} TaskCounts;

typedef struct
{
  TaskCounts *counts;
  CoroFuture *also_held; /* a second reference keeps the sleep from being adopted */
} SleeperFrame;

static void
sleeper_resumed (CoroTask *task,
                 gpointer  frame)
{
  SleeperFrame *f = frame;

  f->counts->n_resumed++;
  coro_task_return (task);
}

static void
sleeper_cleanup (gpointer data)
{
  ((TaskCounts *) data)->n_cleaned++;
}

static void
sleeper_adopting (CoroTask *task,
                  gpointer  frame)
{
  SleeperFrame *f = frame;

  coro_task_defer (task, sleeper_cleanup, f->counts);
  coro_await (task, coro_sleep (3600), sleeper_resumed);
}

static void
sleeper_shared (CoroTask *task,
                gpointer  frame)
{
  SleeperFrame *f = frame;
  CoroFuture *sleep = coro_sleep (1800);

  f->also_held = coro_future_ref (sleep);
  coro_task_defer (task, (GDestroyNotify) coro_future_unref, f->also_held);
  coro_task_defer (task, sleeper_cleanup, f->counts);
  coro_await (task, sleep, sleeper_resumed);
}

static void
setup_sleepers (gpointer user_data)
{
  TaskCounts *counts = user_data;
  CoroTask *adopting = CORO_CREATE_TASK (sleeper_adopting, SleeperFrame, .counts = counts);
  CoroTask *shared = CORO_CREATE_TASK (sleeper_shared, SleeperFrame, .counts = counts);

  coro_future_unref (CORO_FUTURE (adopting));
  coro_future_unref (CORO_FUTURE (shared));
}

static void
test_loop_finalize_sleeping_tasks (void)
{
  Fixture fixture = { 0 };
  TaskCounts counts = { 0 };
  CoroTask *adopting, *shared;

  fixture_start (&fixture, setup_sleepers, &counts);

  /* Both tasks are suspended: the first on the timer it adopted from its sleep, the
   * second on a sleep of its own, queued in the heap. */
  g_assert_cmpuint (fixture.loop->n_tasks, ==, 2);
  shared = fixture.loop->tasks;
  adopting = shared->loop_next;
  g_assert_true (adopting->flags & CORO_TASK_SLEEPING);
  g_assert_false (shared->flags & CORO_TASK_SLEEPING);
  g_assert_cmpuint (fixture.loop->timers.len, ==, 2);
  g_assert_cmpuint (fixture.loop->n_futures, ==, 3);

  fixture_drop_loop (&fixture);
  g_assert_cmpuint (counts.n_resumed, ==, 0);
  g_assert_cmpuint (counts.n_cleaned, ==, 2);
}

/* A sleep with a done callback, which a task awaits */

typedef struct
{
  guint n_called;
  guint n_destroyed;
} SleepCounts;

static void
sleep_done (CoroFuture *future,
            gpointer    user_data)
{
  ((SleepCounts *) user_data)->n_called++;
}

static void
sleep_callback_destroyed (gpointer user_data)
{
  ((SleepCounts *) user_data)->n_destroyed++;
}

static void
watched_sleeper (CoroTask *task,
                 gpointer  frame)
{
  SleepCounts *counts = *(SleepCounts **) frame;
  CoroFuture *sleep = coro_sleep (3600);

  coro_future_add_done_callback (sleep, sleep_done, counts, sleep_callback_destroyed);
  coro_await (task, sleep, NULL);
}

static void
setup_watched_sleep (gpointer user_data)
{
  coro_future_unref (CORO_FUTURE (CORO_CREATE_TASK (watched_sleeper, SleepCounts *,
                                                    user_data)));
}

static void
test_loop_finalize_sleep (void)
{
  Fixture fixture = { 0 };
  SleepCounts counts = { 0 };

  fixture_start (&fixture, setup_watched_sleep, &counts);
  g_assert_cmpuint (fixture.loop->timers.len, ==, 1);
  g_assert_cmpuint (fixture.loop->n_futures, ==, 2);

  fixture_drop_loop (&fixture);
  g_assert_cmpuint (counts.n_called, ==, 0);
  g_assert_cmpuint (counts.n_destroyed, ==, 1);
}

/* A sleep that only a done callback watches: the heap holds the last reference. */

static void
setup_callback_only (gpointer user_data)
{
  CoroFuture *sleep = coro_sleep (3600);

  coro_future_add_done_callback (sleep, sleep_done, user_data, sleep_callback_destroyed);
  coro_future_unref (sleep);
}

static void
test_loop_finalize_sleep_callback_only (void)
{
  Fixture fixture = { 0 };
  SleepCounts counts = { 0 };

  fixture_start (&fixture, setup_callback_only, &counts);
  g_assert_cmpuint (fixture.loop->timers.len, ==, 1);
  g_assert_cmpuint (fixture.loop->n_futures, ==, 1);

  fixture_drop_loop (&fixture);
  g_assert_cmpuint (counts.n_called, ==, 0);
  g_assert_cmpuint (counts.n_destroyed, ==, 1);
}

/* Combinators: gather, wait_for, wait and shield watch their children with waiters that
 * hold references on them, and hold their children: cycles the loop breaks. */

static void
awaiting_combinators (CoroTask *task,
                      gpointer  frame)
{
  CoroFuture *sleeps[] = { coro_sleep (3600), coro_sleep (7200) };
  CoroFuture *wait = coro_wait (sleeps, 2, 1800, CORO_WAIT_ALL_COMPLETED);

  coro_task_defer (task, sleeper_cleanup, *(TaskCounts **) frame);
  coro_await (task,
              coro_gather (coro_wait_for (coro_sleep (3600), 1800),
                           coro_shield (coro_sleep (600)),
                           wait,
                           NULL),
              NULL);
}

static void
setup_combinators (gpointer user_data)
{
  CoroFuture *sleeps[] = { coro_sleep (3600) };
  CoroFuture *more_sleeps[] = { coro_sleep (3600), coro_sleep (60) };
  CoroFuture *iter_sleeps[] = { coro_sleep (3600) };
  CoroFuture *iter_more_sleeps[] = { coro_sleep (3600), coro_sleep (60) };
  CoroAsCompletedIter *iter;
  CoroFuture *next;

  coro_future_unref (CORO_FUTURE (CORO_CREATE_TASK (awaiting_combinators, TaskCounts *,
                                                    user_data)));
  /* Dropped by their creator: their timers and their children's waiters hold them. */
  coro_future_unref (coro_wait_for (coro_sleep (3600), 1800));
  coro_future_unref (coro_wait (sleeps, 1, 1800, CORO_WAIT_FIRST_COMPLETED));
  coro_future_unref (coro_gather (coro_sleep (3600), coro_shield (coro_sleep (60)), NULL));
  coro_future_unref (coro_wait (more_sleeps, 2, -1, CORO_WAIT_ALL_COMPLETED));
  /* An iterator dropped with its futures pending, and one whose next() is pending. */
  g_object_unref (coro_as_completed (iter_sleeps, 1, -1));
  iter = coro_as_completed (iter_more_sleeps, 2, 900);
  next = coro_as_completed_iter_next (iter);
  g_object_unref (iter);
  coro_future_unref (next);
}

static void
test_loop_finalize_combinators (void)
{
  Fixture fixture = { 0 };
  TaskCounts counts = { 0 };

  fixture_start (&fixture, setup_combinators, &counts);
  /* The timers of the sleeps, wait_fors, waits and the iterator's timeout (one handle), with
   * the futures nobody awaits: a gather, a wait, two iterators and a next () of one. */
  g_assert_cmpuint (fixture.loop->timers.len, ==, 18);
  g_assert_cmpuint (fixture.loop->n_futures, ==, 24);

  fixture_drop_loop (&fixture);
  g_assert_cmpuint (counts.n_resumed, ==, 0);
  g_assert_cmpuint (counts.n_cleaned, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/loop-finalize/handles", test_loop_finalize_handles);
  g_test_add_func ("/loop-finalize/sleeping-tasks", test_loop_finalize_sleeping_tasks);
  g_test_add_func ("/loop-finalize/sleep", test_loop_finalize_sleep);
  g_test_add_func ("/loop-finalize/combinators", test_loop_finalize_combinators);
  g_test_add_func ("/loop-finalize/sleep-callback-only", test_loop_finalize_sleep_callback_only);

  return g_test_run ();
}
