/* test-locks-model.c: locks and semaphores under random timeouts and cancellations
 *
 * Workers take a lock or a semaphore a number of times each, hold it for a while and
 * release it. A random share of the acquires run under wait_for with a short timeout,
 * and a canceller task cancels random workers at any point: while they wait, right after
 * the lock was handed to them, or while they hold it. A worker catches the cancellation
 * and goes on, releasing what it holds, as `async with lock:` would. The invariants
 * checked, whatever the interleaving:
 *
 * - never more holders than the semaphore's value (one for a lock);
 * - a lock is locked while someone holds it;
 * - an acquire that timed out or was cancelled took nothing: the lock handed to a task
 *   that never saw it goes on to the next waiter;
 * - every worker finishes its rounds (no lost wake-up), and the lock ends free with the
 *   semaphore back at its value.
 *
 * Timeouts use the virtual clock; the cases draw from g_test_rand (--seed replays one).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <coro.h>

#include "coro-test.h"

typedef enum
{
  KIND_LOCK,
  KIND_SEMAPHORE,
  KIND_BOUNDED_SEMAPHORE,
} Kind;

typedef struct
{
  Kind       kind;
  gpointer   lock;         /* a CoroLock or a CoroSemaphore */
  guint      capacity;
  guint      holders;
  GPtrArray *workers;      /* their tasks, borrowed */
  guint      n_finished;
} Shared;

static guint n_timeouts, n_cancels, n_cancels_holding;

static CoroFuture *
acquire (Shared *shared)
{
  if (shared->kind == KIND_LOCK)
    return coro_lock_acquire (shared->lock);
  return coro_semaphore_acquire (shared->lock);
}

static void
release (Shared *shared)
{
  GError *error = NULL;

  if (shared->kind == KIND_LOCK)
    g_assert_true (coro_lock_release (shared->lock, &error));
  else
    g_assert_true (coro_semaphore_release (shared->lock, &error));
  g_assert_no_error (error);
}

static void
check_held (Shared *shared)
{
  g_assert_cmpuint (shared->holders, <=, shared->capacity);
  if (shared->kind == KIND_LOCK)
    g_assert_true (coro_lock_locked (shared->lock));
  else
    /* Units handed to waiters that have not resumed yet are not in the value. */
    g_assert_cmpuint (coro_semaphore_get_value (shared->lock), <=,
                      shared->capacity - shared->holders);
}

/* Worker */

typedef struct
{
  Shared *shared;
  guint   rounds;
  guint   done;
} Worker;

static void work (CoroTask *task,
                  gpointer  frame);

/* The canceller's cancellation, caught: it may have asked more than once. */
static gboolean
caught_cancel (CoroTask *task)
{
  if (!coro_future_cancelled (coro_task_get_awaited (task)))
    return FALSE;
  coro_test_uncancel_all (task);
  n_cancels++;
  return TRUE;
}

static void
left (CoroTask *task,
      gpointer  frame)
{
  Worker *self = frame;

  if (caught_cancel (task))
    n_cancels_holding++;
  check_held (self->shared);
  self->shared->holders--;
  release (self->shared);
  self->done++;
  work (task, frame);
}

static void
acquired (CoroTask *task,
          gpointer  frame)
{
  Worker *self = frame;
  CoroFuture *acquire = coro_task_get_awaited (task);
  const GError *error;

  if (caught_cancel (task))
    {
      work (task, frame);
      return;
    }
  error = coro_future_get_error (acquire);
  if (error != NULL)
    {
      g_assert_error ((GError *) error, CORO_ERROR, CORO_ERROR_TIMEOUT);
      n_timeouts++;
      work (task, frame);
      return;
    }
  self->shared->holders++;
  check_held (self->shared);
  coro_await_catch (task, coro_sleep (g_test_rand_int_range (0, 3) / 1000.0), left);
}

static void
idled (CoroTask *task,
       gpointer  frame)
{
  caught_cancel (task);
  work (task, frame);
}

static void
work (CoroTask *task,
      gpointer  frame)
{
  Worker *self = frame;
  CoroFuture *call;

  if (self->done == self->rounds)
    {
      self->shared->n_finished++;
      coro_task_return (task);
      return;
    }
  if (coro_test_chance (4))
    {
      coro_await_catch (task, coro_sleep (g_test_rand_int_range (0, 3) / 1000.0), idled);
      return;
    }
  call = acquire (self->shared);
  if (coro_test_chance (3))
    call = coro_wait_for (call, g_test_rand_int_range (0, 4) / 1000.0);
  coro_await_catch (task, call, acquired);
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
  GPtrArray *workers = self->shared->workers;

  if (self->shared->n_finished == workers->len)
    {
      coro_task_return (task);
      return;
    }
  if (coro_test_chance (2))
    {
      CoroFuture *worker = workers->pdata[g_test_rand_int_range (0, workers->len)];

      if (!coro_future_done (worker))
        coro_future_cancel (worker, NULL);
    }
  coro_await (task, coro_sleep (g_test_rand_int_range (0, 3) / 1000.0), cancel_some);
}

/* One case */

static void
run_case (Kind kind)
{
  Shared shared = { .kind = kind };
  GPtrArray *tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) coro_future_unref);
  guint n_workers = g_test_rand_int_range (1, 6);
  CoroFuture *all;

  switch (kind)
    {
    case KIND_LOCK:
      shared.capacity = 1;
      shared.lock = coro_lock_new ();
      break;
    case KIND_SEMAPHORE:
      shared.capacity = g_test_rand_int_range (1, 4);
      shared.lock = coro_semaphore_new (shared.capacity);
      break;
    case KIND_BOUNDED_SEMAPHORE:
      shared.capacity = g_test_rand_int_range (1, 4);
      shared.lock = coro_bounded_semaphore_new (shared.capacity);
      break;
    }
  shared.workers = g_ptr_array_new ();
  for (guint i = 0; i < n_workers; i++)
    g_ptr_array_add (tasks, CORO_CREATE_TASK (work, Worker, .shared = &shared,
                                              .rounds = g_test_rand_int_range (0, 20)));
  g_ptr_array_extend (shared.workers, tasks, NULL, NULL);
  g_ptr_array_add (tasks, CORO_CREATE_TASK (cancel_some, Canceller, .shared = &shared));

  /* Every worker ends its rounds: none is left waiting for a lock nobody will release. */
  all = coro_gatherv ((CoroFuture **) tasks->pdata, tasks->len, CORO_GATHER_NONE);
  coro_test_run (all);
  coro_future_unref (all);

  g_assert_cmpuint (shared.n_finished, ==, n_workers);
  g_assert_cmpuint (shared.holders, ==, 0);
  if (kind == KIND_LOCK)
    g_assert_false (coro_lock_locked (shared.lock));
  else
    g_assert_cmpuint (coro_semaphore_get_value (shared.lock), ==, shared.capacity);

  g_ptr_array_unref (shared.workers);
  g_ptr_array_unref (tasks);
  g_object_unref (shared.lock);
}

static void
test_locks_model (gconstpointer data)
{
  CORO_TEST_BEGIN ();

  n_timeouts = n_cancels = n_cancels_holding = 0;
  for (int i = 0; i < 600; i++)
    run_case (GPOINTER_TO_INT (data));
  g_assert_cmpuint (n_timeouts, >, 0);
  g_assert_cmpuint (n_cancels, >, 0);
  g_assert_cmpuint (n_cancels_holding, >, 0);
  g_test_message ("%u acquires timed out, %u workers cancelled (%u holding)", n_timeouts,
                  n_cancels, n_cancels_holding);
  CORO_TEST_END ();
}

int
main (int    argc,
      char **argv)
{
  coro_test_init (&argc, &argv);

  g_test_add_data_func ("/locks-model/lock", GINT_TO_POINTER (KIND_LOCK), test_locks_model);
  g_test_add_data_func ("/locks-model/semaphore", GINT_TO_POINTER (KIND_SEMAPHORE),
                        test_locks_model);
  g_test_add_data_func ("/locks-model/bounded-semaphore",
                        GINT_TO_POINTER (KIND_BOUNDED_SEMAPHORE), test_locks_model);

  return g_test_run ();
}
