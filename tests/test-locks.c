/* test-locks.c: Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Edge cases follow CPython's Lib/test/test_asyncio/test_locks.py.
 */
#include "coro-test.h"

/* A task that waits on what @wait returns, records @tag (negated on failure), holds the
 * result for @hold seconds, then calls @done (a release) if given. */
typedef CoroFuture *(*WaitFunc) (gpointer object);
typedef void (*DoneFunc) (gpointer object);

typedef struct
{
  WaitFunc  wait;
  DoneFunc  done;
  gpointer  object;
  GArray   *order;
  int       tag;
  double    hold;
} Waiter;

static void waiter_got (CoroTask *task, gpointer frame);
static void waiter_release (CoroTask *task, gpointer frame);

static void
waiter_start (CoroTask *task,
              gpointer  frame)
{
  Waiter *self = frame;

  coro_await_catch (task, self->wait (self->object), waiter_got);
}

static void
waiter_got (CoroTask *task,
            gpointer  frame)
{
  Waiter *self = frame;
  CoroFuture *awaited = coro_task_get_awaited (task);

  if (coro_future_get_error (awaited) != NULL)
    {
      coro_test_append (self->order, -self->tag);
      coro_task_return_error (task, g_error_copy (coro_future_get_error (awaited)));
      return;
    }
  coro_test_append (self->order, self->tag);
  if (self->hold > 0)
    {
      coro_await (task, coro_sleep (self->hold), waiter_release);
      return;
    }
  waiter_release (task, frame);
}

static void
waiter_release (CoroTask *task,
                gpointer  frame)
{
  Waiter *self = frame;

  if (self->done != NULL)
    self->done (self->object);
  coro_task_return (task);
}

#define WAITER(...) CORO_FUTURE (CORO_CREATE_TASK (waiter_start, Waiter, __VA_ARGS__))

static CoroFuture *
lock_acquire (gpointer object)
{
  return coro_lock_acquire (object);
}

static void
lock_release (gpointer object)
{
  g_assert_true (coro_lock_release (object, NULL));
}

static void
run_all (CoroFuture **futures,
         guint        n)
{
  CoroFuture *gather = coro_gatherv (futures, n, CORO_GATHER_RETURN_EXCEPTIONS);

  coro_test_run (gather);
  coro_future_unref (gather);
  for (guint i = 0; i < n; i++)
    coro_future_unref (futures[i]);
}

/* Lock */

static void
test_lock_basic (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroLock) lock = coro_lock_new ();
  CoroFuture *acquire;
  GError *error = NULL;

  g_assert_false (coro_lock_locked (lock));
  acquire = coro_lock_acquire (lock);
  /* A free lock is taken at once: awaiting it does not yield. */
  g_assert_true (coro_future_done (acquire));
  g_assert_true (coro_lock_locked (lock));
  coro_future_unref (acquire);
  g_assert_true (coro_lock_release (lock, &error));
  g_assert_no_error (error);
  g_assert_false (coro_lock_locked (lock));
  g_assert_false (coro_lock_release (lock, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  CORO_TEST_END ();
}

static void
test_lock_fifo (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroLock) lock = coro_lock_new ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroFuture *tasks[4];
  static const int expected[] = { 1, 2, 3, 4 };

  for (int i = 0; i < 4; i++)
    tasks[i] = WAITER (.wait = lock_acquire, .done = lock_release, .object = lock,
                       .order = order, .tag = i + 1, .hold = 1);
  run_all (tasks, 4);
  coro_test_assert_order (order, expected, 4);
  g_assert_false (coro_lock_locked (lock));
  CORO_TEST_END ();
}

static void
test_lock_cancel_waiter (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroLock) lock = coro_lock_new ();
  CoroFuture *first = coro_lock_acquire (lock);
  CoroFuture *second = coro_lock_acquire (lock);
  CoroFuture *third = coro_lock_acquire (lock);
  CoroFuture *fourth;
  GError *error = NULL;

  g_assert_true (coro_future_done (first));
  g_assert_false (coro_future_done (second));
  g_assert_true (coro_future_cancel (second, NULL));
  g_assert_true (coro_lock_release (lock, NULL));
  /* The cancelled waiter left the line: the lock went to the third. Until its holder
   * looks, the lock reads as free (asyncio's is free until the waiter's task resumes),
   * yet it is the third's: another acquire waits, and a release is refused. */
  g_assert_true (coro_future_done (third));
  g_assert_false (coro_lock_locked (lock));
  fourth = coro_lock_acquire (lock);
  g_assert_false (coro_future_done (fourth));
  g_assert_false (coro_lock_release (lock, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_true (coro_future_propagate (third, NULL));
  g_assert_true (coro_lock_locked (lock));
  g_assert_true (coro_lock_release (lock, NULL));
  g_assert_true (coro_future_propagate (fourth, NULL));
  g_assert_true (coro_lock_release (lock, NULL));
  g_assert_false (coro_lock_locked (lock));
  coro_future_unref (first);
  coro_future_unref (second);
  coro_future_unref (third);
  coro_future_unref (fourth);
  CORO_TEST_END ();
}

static void
test_lock_no_barging (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroLock) lock = coro_lock_new ();
  CoroFuture *first = coro_lock_acquire (lock);
  CoroFuture *waiting = coro_lock_acquire (lock);
  CoroFuture *late;

  coro_lock_release (lock, NULL);
  /* The lock went to the waiter; a newcomer must queue even before the waiter runs. */
  late = coro_lock_acquire (lock);
  g_assert_false (coro_future_done (late));
  g_assert_true (coro_future_done (waiting));
  g_assert_true (coro_future_propagate (waiting, NULL));
  coro_lock_release (lock, NULL);
  g_assert_true (coro_future_done (late));
  coro_future_propagate (late, NULL);
  coro_lock_release (lock, NULL);
  coro_future_unref (first);
  coro_future_unref (waiting);
  coro_future_unref (late);
  CORO_TEST_END ();
}

/* asyncio's test_cancel_race: a waiter woken by release is cancelled before it resumes;
 * the lock must pass to the next waiter instead of staying locked forever. */
static void
cancel_task (gpointer data)
{
  coro_future_cancel (data, NULL);
}

static void
release_then_cancel (gpointer data)
{
  CoroFuture **pair = data;

  coro_lock_release ((CoroLock *) pair[0], NULL);
  coro_future_cancel (pair[1], NULL);
}

static void
test_lock_cancel_race (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroLock) lock = coro_lock_new ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroFuture *holder = coro_lock_acquire (lock);
  CoroFuture *tasks[2];
  gpointer pair[2];
  static const int expected[] = { -1, 2 };

  tasks[0] = WAITER (.wait = lock_acquire, .done = lock_release, .object = lock, .order = order, .tag = 1);
  tasks[1] = WAITER (.wait = lock_acquire, .done = lock_release, .object = lock, .order = order, .tag = 2);
  pair[0] = lock;
  pair[1] = tasks[0];
  /* At 1 s: release (the first waiter is handed the lock) and cancel that waiter's task
   * in the same callback, before it can resume. */
  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, release_then_cancel, pair, NULL));
  run_all (tasks, 2);
  coro_test_assert_order (order, expected, 2);
  g_assert_false (coro_lock_locked (lock));
  coro_future_unref (holder);
  CORO_TEST_END ();
}

static void
test_lock_dropped_waiter (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroLock) lock = coro_lock_new ();
  CoroFuture *holder = coro_lock_acquire (lock);
  CoroFuture *handed;

  /* Dropped while waiting: it leaves the line. */
  coro_future_unref (coro_lock_acquire (lock));
  handed = coro_lock_acquire (lock);
  coro_lock_release (lock, NULL);
  g_assert_true (coro_future_done (handed));
  /* Handed the lock but dropped unseen: the lock is released. */
  coro_future_unref (handed);
  g_assert_false (coro_lock_locked (lock));
  coro_future_unref (holder);
  CORO_TEST_END ();
}

static void
test_lock_wait_for_timeout (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroLock) lock = coro_lock_new ();
  CoroFuture *holder = coro_lock_acquire (lock);
  CoroFuture *wait = coro_wait_for (coro_lock_acquire (lock), 1);
  CoroFuture *next;

  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_TIMEOUT);
  /* The timed-out waiter left the line: a release frees the lock. */
  coro_lock_release (lock, NULL);
  g_assert_false (coro_lock_locked (lock));
  next = coro_lock_acquire (lock);
  g_assert_true (coro_future_done (next));
  coro_lock_release (lock, NULL);
  coro_future_unref (next);
  coro_future_unref (wait);
  coro_future_unref (holder);
  CORO_TEST_END ();
}

/* Event */

static CoroFuture *
event_wait (gpointer object)
{
  return coro_event_wait (object);
}

static void
set_event (gpointer data)
{
  coro_event_set (data);
}

static void
test_event (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroEvent) event = coro_event_new ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroFuture *tasks[3];
  CoroFuture *now;
  static const int expected[] = { 1, 2, 3 };

  g_assert_false (coro_event_is_set (event));
  for (int i = 0; i < 3; i++)
    tasks[i] = WAITER (.wait = event_wait, .object = event, .order = order, .tag = i + 1);
  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, set_event, event, NULL));
  run_all (tasks, 3);
  coro_test_assert_order (order, expected, 3);
  g_assert_true (coro_event_is_set (event));

  /* Waiting on a set event does not wait. */
  now = coro_event_wait (event);
  g_assert_true (coro_future_done (now));
  g_assert_true (coro_future_get_boolean (now, NULL));
  coro_future_unref (now);

  coro_event_clear (event);
  g_assert_false (coro_event_is_set (event));
  now = coro_event_wait (event);
  g_assert_false (coro_future_done (now));
  coro_future_cancel (now, NULL);
  coro_event_set (event);
  g_assert_true (coro_future_cancelled (now));
  coro_future_unref (now);
  CORO_TEST_END ();
}

/* Condition */

typedef struct
{
  CoroCondition *condition;
  GArray        *order;
  int            tag;
  gboolean       held_after;
} CondUser;

static void cond_user_waited (CoroTask *task, gpointer frame);
static void cond_user_wait (CoroTask *task, gpointer frame);

static void
cond_user_start (CoroTask *task,
                 gpointer  frame)
{
  CondUser *self = frame;

  coro_await (task, coro_condition_acquire (self->condition), cond_user_wait);
}

static void
cond_user_wait (CoroTask *task,
                gpointer  frame)
{
  CondUser *self = frame;

  coro_await_catch (task, coro_condition_wait (self->condition), cond_user_waited);
}

static void
cond_user_waited (CoroTask *task,
                  gpointer  frame)
{
  CondUser *self = frame;
  const GError *error = coro_future_get_error (coro_task_get_awaited (task));

  /* Holding the lock again, however the wait ended. */
  self->held_after = coro_condition_locked (self->condition);
  g_assert_true (self->held_after);
  coro_test_append (self->order, error != NULL ? -self->tag : self->tag);
  coro_condition_release (self->condition, NULL);
  if (error != NULL)
    coro_task_return_error (task, g_error_copy (error));
  else
    coro_task_return (task);
}

typedef struct
{
  CoroCondition *condition;
  guint          n;
} Notifier;

static void notifier_notify (CoroTask *task, gpointer frame);

static void
notifier_start (CoroTask *task,
                gpointer  frame)
{
  Notifier *self = frame;

  coro_await (task, coro_condition_acquire (self->condition), notifier_notify);
}

static void
notifier_notify (CoroTask *task,
                 gpointer  frame)
{
  Notifier *self = frame;

  g_assert_true (coro_condition_notify (self->condition, self->n, NULL));
  coro_condition_release (self->condition, NULL);
  coro_task_return (task);
}

static void
notify_later (double    delay,
              CoroCondition *condition,
              guint      n);

static void
notify_cb (gpointer data)
{
  Notifier *notifier = data;

  coro_future_unref (CORO_FUTURE (CORO_CREATE_TASK (notifier_start, Notifier,
                                                    .condition = notifier->condition,
                                                    .n = notifier->n)));
}

static void
notify_later (double         delay,
              CoroCondition *condition,
              guint          n)
{
  Notifier *notifier = g_new (Notifier, 1);

  notifier->condition = condition;
  notifier->n = n;
  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), delay, notify_cb, notifier, g_free));
}

static void
test_condition_notify (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroCondition) condition = coro_condition_new (NULL);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroFuture *tasks[3];
  static const int expected[] = { 1, 2, 3 };

  for (int i = 0; i < 3; i++)
    tasks[i] = CORO_FUTURE (CORO_CREATE_TASK (cond_user_start, CondUser, .condition = condition,
                                              .order = order, .tag = i + 1));
  notify_later (1, condition, 1);
  notify_later (2, condition, 2);
  run_all (tasks, 3);
  coro_test_assert_order (order, expected, 3);
  g_assert_false (coro_condition_locked (condition));
  CORO_TEST_END ();
}

static void
test_condition_notify_all (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroLock) lock = coro_lock_new ();
  g_autoptr(CoroCondition) condition = coro_condition_new (lock);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroFuture *tasks[3];
  static const int expected[] = { 1, 2, 3 };

  g_assert_true (coro_condition_get_lock (condition) == lock);
  for (int i = 0; i < 3; i++)
    tasks[i] = CORO_FUTURE (CORO_CREATE_TASK (cond_user_start, CondUser, .condition = condition,
                                              .order = order, .tag = i + 1));
  notify_later (1, condition, G_MAXUINT);
  run_all (tasks, 3);
  coro_test_assert_order (order, expected, 3);
  CORO_TEST_END ();
}

static void
test_condition_unlocked (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroCondition) condition = coro_condition_new (NULL);
  CoroFuture *wait;
  GError *error = NULL;

  g_assert_false (coro_condition_notify (condition, 1, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (coro_condition_notify_all (condition, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  wait = coro_condition_wait (condition);
  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  coro_future_unref (wait);
  g_assert_false (coro_condition_release (condition, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  CORO_TEST_END ();
}

/* A wait cancelled while another task holds the lock ends only once the lock is back. */
typedef struct
{
  CoroCondition *condition;
} Holder;

static void holder_release (CoroTask *task, gpointer frame);

static void
holder_start (CoroTask *task,
              gpointer  frame)
{
  Holder *self = frame;

  coro_await (task, coro_condition_acquire (self->condition), holder_release);
}

static void
holder_hold (CoroTask *task,
             gpointer  frame)
{
  Holder *self = frame;

  coro_condition_release (self->condition, NULL);
  coro_task_return (task);
}

static void
holder_release (CoroTask *task,
                gpointer  frame)
{
  coro_await (task, coro_sleep (3), holder_hold);
}

static void
start_holder (gpointer data)
{
  coro_future_unref (CORO_FUTURE (CORO_CREATE_TASK (holder_start, Holder, .condition = data)));
}

static void
test_condition_cancel_reacquires (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  g_autoptr(CoroCondition) condition = coro_condition_new (NULL);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroFuture *user;
  static const int expected[] = { -1 };

  user = CORO_FUTURE (CORO_CREATE_TASK (cond_user_start, CondUser, .condition = condition,
                                        .order = order, .tag = 1));
  /* At 1 s another task takes the lock for 3 s; at 2 s the waiter is cancelled: it
   * reports the cancellation only at 4 s, holding the lock again. */
  coro_handle_unref (coro_loop_call_later (loop, 1, start_holder, condition, NULL));
  coro_handle_unref (coro_loop_call_later (loop, 2, cancel_task, user, NULL));
  coro_test_run_fails (user, CORO_ERROR, CORO_ERROR_CANCELLED);
  coro_test_assert_order (order, expected, 1);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 4, 1e-6);
  g_assert_false (coro_condition_locked (condition));
  coro_future_unref (user);
  CORO_TEST_END ();
}

static gboolean
counter_reached (gpointer data)
{
  return *(int *) data >= 3;
}

typedef struct
{
  CoroCondition *condition;
  int           *counter;
} Bumper;

static void bumper_locked (CoroTask *task, gpointer frame);

static void
bumper_start (CoroTask *task,
              gpointer  frame)
{
  coro_await (task, coro_sleep (1), bumper_locked);
}

static void bumper_bump (CoroTask *task, gpointer frame);

static void
bumper_locked (CoroTask *task,
               gpointer  frame)
{
  Bumper *self = frame;

  coro_await (task, coro_condition_acquire (self->condition), bumper_bump);
}

static void
bumper_bump (CoroTask *task,
             gpointer  frame)
{
  Bumper *self = frame;

  (*self->counter)++;
  coro_condition_notify_all (self->condition, NULL);
  coro_condition_release (self->condition, NULL);
  if (*self->counter < 5)
    {
      coro_await (task, coro_sleep (1), bumper_locked);
      return;
    }
  coro_task_return (task);
}

typedef struct
{
  CoroCondition *condition;
  int           *counter;
  int            seen;
} Checker;

static void checker_wait (CoroTask *task, gpointer frame);
static void checker_done (CoroTask *task, gpointer frame);

static void
checker_start (CoroTask *task,
               gpointer  frame)
{
  Checker *self = frame;

  coro_await (task, coro_condition_acquire (self->condition), checker_wait);
}

static void
checker_wait (CoroTask *task,
              gpointer  frame)
{
  Checker *self = frame;

  coro_await (task, coro_condition_wait_for (self->condition, counter_reached, self->counter, NULL),
              checker_done);
}

static void
checker_done (CoroTask *task,
              gpointer  frame)
{
  Checker *self = frame;

  g_assert_true (coro_condition_locked (self->condition));
  self->seen = *self->counter;
  coro_condition_release (self->condition, NULL);
  coro_task_return_int (task, self->seen);
}

static void
test_condition_wait_for (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  g_autoptr(CoroCondition) condition = coro_condition_new (NULL);
  int counter = 0;
  CoroFuture *tasks[2];
  CoroFuture *checker;

  tasks[0] = checker = CORO_FUTURE (CORO_CREATE_TASK (checker_start, Checker, .condition = condition,
                                                      .counter = &counter));
  tasks[1] = CORO_FUTURE (CORO_CREATE_TASK (bumper_start, Bumper, .condition = condition,
                                            .counter = &counter));
  coro_future_ref (checker);
  run_all (tasks, 2);
  /* The predicate became true at the third bump, at 3 s. */
  g_assert_cmpint (coro_future_get_int (checker, NULL), ==, 3);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 5, 1e-6);
  coro_future_unref (checker);
  CORO_TEST_END ();
}

/* Semaphore */

static CoroFuture *
semaphore_acquire (gpointer object)
{
  return coro_semaphore_acquire (object);
}

static void
semaphore_release (gpointer object)
{
  g_assert_true (coro_semaphore_release (object, NULL));
}

static void
test_semaphore (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  double start = coro_loop_time (loop);
  g_autoptr(CoroSemaphore) semaphore = coro_semaphore_new (2);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroFuture *tasks[5];
  static const int expected[] = { 1, 2, 3, 4, 5 };

  g_assert_cmpuint (coro_semaphore_get_value (semaphore), ==, 2);
  g_assert_false (coro_semaphore_locked (semaphore));
  for (int i = 0; i < 5; i++)
    tasks[i] = WAITER (.wait = semaphore_acquire, .done = semaphore_release, .object = semaphore,
                       .order = order, .tag = i + 1, .hold = 1);
  run_all (tasks, 5);
  coro_test_assert_order (order, expected, 5);
  /* Two at a time: five holders of one second take three seconds. */
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 3, 1e-6);
  g_assert_cmpuint (coro_semaphore_get_value (semaphore), ==, 2);
  CORO_TEST_END ();
}

static void
test_semaphore_locked_and_handoff (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroSemaphore) semaphore = coro_semaphore_new (1);
  CoroFuture *a = coro_semaphore_acquire (semaphore);
  CoroFuture *b = coro_semaphore_acquire (semaphore);
  CoroFuture *c = coro_semaphore_acquire (semaphore);

  g_assert_true (coro_future_done (a));
  g_assert_true (coro_semaphore_locked (semaphore));
  g_assert_cmpuint (coro_semaphore_get_value (semaphore), ==, 0);
  coro_semaphore_release (semaphore, NULL);
  /* Handed to b; c still waits; the value stays 0. */
  g_assert_true (coro_future_done (b));
  g_assert_false (coro_future_done (c));
  g_assert_cmpuint (coro_semaphore_get_value (semaphore), ==, 0);
  /* b's unit is dropped unseen: it passes to c. */
  coro_future_unref (b);
  g_assert_true (coro_future_done (c));
  coro_future_propagate (c, NULL);
  coro_semaphore_release (semaphore, NULL);
  g_assert_cmpuint (coro_semaphore_get_value (semaphore), ==, 1);
  g_assert_false (coro_semaphore_locked (semaphore));
  coro_future_unref (a);
  coro_future_unref (c);
  CORO_TEST_END ();
}

static void
test_bounded_semaphore (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroBoundedSemaphore) bounded = coro_bounded_semaphore_new (1);
  CoroSemaphore *semaphore = CORO_SEMAPHORE (bounded);
  g_autoptr(CoroSemaphore) plain = coro_semaphore_new (0);
  CoroFuture *a;
  GError *error = NULL;

  g_assert_false (coro_semaphore_release (semaphore, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  a = coro_semaphore_acquire (semaphore);
  g_assert_true (coro_semaphore_release (semaphore, &error));
  g_assert_false (coro_semaphore_release (semaphore, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  coro_future_unref (a);
  /* A plain semaphore can grow. */
  g_assert_true (coro_semaphore_release (plain, NULL));
  g_assert_true (coro_semaphore_release (plain, NULL));
  g_assert_cmpuint (coro_semaphore_get_value (plain), ==, 2);
  CORO_TEST_END ();
}

/* Barrier */

static CoroFuture *
barrier_wait (gpointer object)
{
  return coro_barrier_wait (object);
}

typedef struct
{
  CoroBarrier *barrier;
  double       delay;
  GArray      *indexes;
} Party;

static void party_wait (CoroTask *task, gpointer frame);
static void party_done (CoroTask *task, gpointer frame);

static void
party_start (CoroTask *task,
             gpointer  frame)
{
  Party *self = frame;

  coro_await (task, coro_sleep (self->delay), party_wait);
}

static void
party_wait (CoroTask *task,
            gpointer  frame)
{
  Party *self = frame;

  coro_await (task, coro_barrier_wait (self->barrier), party_done);
}

static void
party_done (CoroTask *task,
            gpointer  frame)
{
  Party *self = frame;
  int index = (int) coro_future_get_int (coro_task_get_awaited (task), NULL);

  coro_test_append (self->indexes, index);
  coro_task_return_int (task, index);
}

static void
test_barrier (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(CoroBarrier) barrier = coro_barrier_new (3);
  g_autoptr(GArray) indexes = g_array_new (FALSE, FALSE, sizeof (int));

  g_assert_cmpuint (coro_barrier_get_parties (barrier), ==, 3);
  for (int round = 0; round < 2; round++)
    {
      double start = coro_loop_time (loop);
      CoroFuture *tasks[3];
      static const int expected[] = { 2, 0, 1 };

      g_array_set_size (indexes, 0);
      for (int i = 0; i < 3; i++)
        tasks[i] = CORO_FUTURE (CORO_CREATE_TASK (party_start, Party, .barrier = barrier,
                                                  .delay = i + 1, .indexes = indexes));
      run_all (tasks, 3);
      /* All go on when the third arrives; it goes first, with index 2. */
      coro_test_assert_order (indexes, expected, 3);
      g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 3, 1e-6);
      g_assert_cmpuint (coro_barrier_get_n_waiting (barrier), ==, 0);
    }
  CORO_TEST_END ();
}

static void
test_barrier_abort_and_reset (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroBarrier) barrier = coro_barrier_new (3);
  CoroFuture *a = coro_barrier_wait (barrier);
  CoroFuture *b = coro_barrier_wait (barrier);
  CoroFuture *late, *dropped;
  GError *error = NULL;

  g_assert_cmpuint (coro_barrier_get_n_waiting (barrier), ==, 2);
  /* A waiter that leaves makes room. */
  g_assert_true (coro_future_cancel (b, NULL));
  g_assert_cmpuint (coro_barrier_get_n_waiting (barrier), ==, 1);

  coro_barrier_abort (barrier);
  g_assert_true (coro_barrier_get_broken (barrier));
  coro_future_propagate (a, &error);
  g_assert_error (error, CORO_ERROR, CORO_ERROR_BROKEN_BARRIER);
  g_clear_error (&error);
  late = coro_barrier_wait (barrier);
  coro_test_run_fails (late, CORO_ERROR, CORO_ERROR_BROKEN_BARRIER);
  coro_future_unref (late);

  coro_barrier_reset (barrier);
  g_assert_false (coro_barrier_get_broken (barrier));
  dropped = coro_barrier_wait (barrier);
  late = coro_barrier_wait (barrier);
  coro_barrier_reset (barrier);
  coro_test_run_fails (late, CORO_ERROR, CORO_ERROR_BROKEN_BARRIER);
  g_assert_cmpuint (coro_barrier_get_n_waiting (barrier), ==, 0);
  coro_future_unref (late);
  /* Its error must be read, or its last unref reports it as never retrieved. */
  g_assert_false (coro_future_propagate (dropped, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_BROKEN_BARRIER);
  g_clear_error (&error);
  coro_future_unref (dropped);
  coro_future_unref (a);
  coro_future_unref (b);
  CORO_TEST_END ();
}

static void
test_barrier_single_party (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroBarrier) barrier = coro_barrier_new (1);
  CoroFuture *wait = barrier_wait (barrier);

  g_assert_true (coro_future_done (wait));
  g_assert_cmpint (coro_future_get_int (wait, NULL), ==, 0);
  coro_future_unref (wait);
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/lock/basic", test_lock_basic);
  g_test_add_func ("/lock/fifo", test_lock_fifo);
  g_test_add_func ("/lock/cancel-waiter", test_lock_cancel_waiter);
  g_test_add_func ("/lock/no-barging", test_lock_no_barging);
  g_test_add_func ("/lock/cancel-race", test_lock_cancel_race);
  g_test_add_func ("/lock/dropped-waiter", test_lock_dropped_waiter);
  g_test_add_func ("/lock/wait-for-timeout", test_lock_wait_for_timeout);
  g_test_add_func ("/event/basic", test_event);
  g_test_add_func ("/condition/notify", test_condition_notify);
  g_test_add_func ("/condition/notify-all", test_condition_notify_all);
  g_test_add_func ("/condition/unlocked", test_condition_unlocked);
  g_test_add_func ("/condition/cancel-reacquires", test_condition_cancel_reacquires);
  g_test_add_func ("/condition/wait-for", test_condition_wait_for);
  g_test_add_func ("/semaphore/basic", test_semaphore);
  g_test_add_func ("/semaphore/locked-and-handoff", test_semaphore_locked_and_handoff);
  g_test_add_func ("/semaphore/bounded", test_bounded_semaphore);
  g_test_add_func ("/barrier/basic", test_barrier);
  g_test_add_func ("/barrier/abort-and-reset", test_barrier_abort_and_reset);
  g_test_add_func ("/barrier/single-party", test_barrier_single_party);

  return g_test_run ();
}
