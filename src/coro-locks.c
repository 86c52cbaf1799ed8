/* coro-locks.c: asyncio's synchronization primitives
 *
 * Every wait returns a future. A wait that need not wait returns a future that is done
 * already, so awaiting it continues at once, without a loop pass. Otherwise the future is
 * a waiter (coro-waiter.h) in the primitive's FIFO line, allocated from the loop's pool
 * like any future: no lock, no GObject and no malloc per wait. Locks and semaphores hand
 * themselves over to the first waiter on release, so a later acquirer cannot barge in,
 * and a woken waiter whose task is cancelled before it resumes hands them on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-waiter.h"
#include "coro-loop-private.h"

#include <coro.h>

/* Lock */

/**
 * CoroLock:
 *
 * A mutual exclusion lock for tasks (asyncio's `Lock`). It is not thread-safe: all its
 * users run on one loop.
 *
 * ```c
 * // async with lock: ...
 * coro_await (task, coro_lock_acquire (self->lock), locked_step);
 * ...
 * coro_lock_release (self->lock, NULL);
 * ```
 *
 * Waiters are served in FIFO order: [method@Coro.Lock.release] hands the lock to the first
 * waiting task, which finds it acquired when it resumes.
 *
 * Since: 1.0
 */
struct _CoroLock
{
  GObject      parent_instance;
  gboolean     locked;
  gboolean     handed;  /* to a waiter whose task has not resumed yet */
  CoroWaitList waiters;
};

G_DEFINE_FINAL_TYPE (CoroLock, coro_lock, G_TYPE_OBJECT)

static void
coro_lock_class_init (CoroLockClass *klass)
{
}

static void
coro_lock_init (CoroLock *self)
{
}

static void
lock_hand_on (CoroLock *lock)
{
  CoroWaiter *next = coro_wait_list_pop (&lock->waiters);

  lock->handed = next != NULL;
  if (next != NULL)
    coro_waiter_hand (next);  /* still locked: it belongs to @next now */
  else
    lock->locked = FALSE;
}

/* Held by a task that has it: not free, and not handed to a waiter still to resume. */
static gboolean
lock_held (CoroLock *lock)
{
  return lock->locked && !lock->handed;
}

static void
lock_give_back (GObject    *owner,
                CoroWaiter *waiter)
{
  lock_hand_on ((CoroLock *) owner);
}

/* The waiter's task resumed holding the lock. */
static void
lock_seen (GObject    *owner,
           CoroWaiter *waiter)
{
  ((CoroLock *) owner)->handed = FALSE;
}

static const CoroWaiterOps lock_waiter_ops = {
  .name = "Lock",
  .give_back = lock_give_back,
  .seen = lock_seen,
};

/**
 * coro_lock_new:
 *
 * Creates an unlocked lock.
 *
 * Returns: (transfer full): a new #CoroLock
 *
 * Since: 1.0
 */
CoroLock *
coro_lock_new (void)
{
  return g_object_new (CORO_TYPE_LOCK, NULL);
}

/**
 * coro_lock_acquire:
 * @lock: a #CoroLock
 *
 * Acquires @lock (asyncio's `acquire`). If it is free the returned future is already
 * done and the lock is the caller's; otherwise the future completes once the lock has
 * been handed to it, after the waiters that came before. Cancelling the future leaves
 * the line; if it was already handed the lock but its task is cancelled before it
 * resumes, the lock passes on to the next waiter.
 *
 * Returns: (transfer full): a future that completes, with no value, when the caller holds
 *   the lock
 *
 * Since: 1.0
 */
CoroFuture *
coro_lock_acquire (CoroLock *lock)
{
  CoroLoop *loop;

  g_return_val_if_fail (CORO_IS_LOCK (lock), NULL);

  loop = coro_loop_get_current ();
  if (!lock->locked)
    {
      lock->locked = TRUE;
      return coro_future_new_done (loop);
    }
  return &coro_waiter_new (loop, &lock_waiter_ops, lock, &lock->waiters)->parent;
}

/**
 * coro_lock_release:
 * @lock: a #CoroLock
 * @error: return location for a #GError
 *
 * Releases @lock (asyncio's `release`), handing it to the first waiter if there is one.
 *
 * Returns: %TRUE, or %FALSE with %CORO_ERROR_INVALID_STATE if @lock was not locked, or
 *   was handed to a waiter whose task has not resumed yet (asyncio's lock is free then)
 *
 * Since: 1.0
 */
gboolean
coro_lock_release (CoroLock  *lock,
                   GError   **error)
{
  g_return_val_if_fail (CORO_IS_LOCK (lock), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!lock_held (lock))
    {
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE, "Lock is not acquired");
      return FALSE;
    }
  lock_hand_on (lock);
  return TRUE;
}

/**
 * coro_lock_locked:
 * @lock: a #CoroLock
 *
 * Tells whether @lock is held (asyncio's `locked`). A lock released to a waiting task is
 * not held until that task resumes, as in asyncio, though it is that task's: another
 * acquire waits.
 *
 * Returns: %TRUE if @lock is held
 *
 * Since: 1.0
 */
gboolean
coro_lock_locked (CoroLock *lock)
{
  g_return_val_if_fail (CORO_IS_LOCK (lock), FALSE);

  return lock_held (lock);
}

/* Event */

/**
 * CoroEvent:
 *
 * An event flag tasks can wait for (asyncio's `Event`). Waiting on a set event does not
 * yield.
 *
 * Since: 1.0
 */
struct _CoroEvent
{
  GObject      parent_instance;
  gboolean     value;
  CoroWaitList waiters;
};

G_DEFINE_FINAL_TYPE (CoroEvent, coro_event, G_TYPE_OBJECT)

static void
coro_event_class_init (CoroEventClass *klass)
{
}

static void
coro_event_init (CoroEvent *self)
{
}

static const CoroWaiterOps event_waiter_ops = {
  .name = "Event",
};

/**
 * coro_event_new:
 *
 * Creates an event that is not set.
 *
 * Returns: (transfer full): a new #CoroEvent
 *
 * Since: 1.0
 */
CoroEvent *
coro_event_new (void)
{
  return g_object_new (CORO_TYPE_EVENT, NULL);
}

/**
 * coro_event_wait:
 * @event: a #CoroEvent
 *
 * Waits until @event is set (asyncio's `wait`). If it is set already, the future is
 * done already.
 *
 * Returns: (transfer full): a future that completes with %TRUE once @event is set
 *
 * Since: 1.0
 */
CoroFuture *
coro_event_wait (CoroEvent *event)
{
  CoroLoop *loop;
  CoroFuture *future;

  g_return_val_if_fail (CORO_IS_EVENT (event), NULL);

  loop = coro_loop_get_current ();
  if (event->value)
    {
      future = coro_future_new_done (loop);
      future->kind = CORO_RESULT_BOOLEAN;
      future->result.v_boolean = TRUE;
      return future;
    }
  return &coro_waiter_new (loop, &event_waiter_ops, event, &event->waiters)->parent;
}

/**
 * coro_event_set:
 * @event: a #CoroEvent
 *
 * Sets @event (asyncio's `set`): every task waiting for it is woken, in the order they
 * started waiting, and later waits complete at once until [method@Coro.Event.clear].
 *
 * Since: 1.0
 */
void
coro_event_set (CoroEvent *event)
{
  CoroWaiter *waiter;

  g_return_if_fail (CORO_IS_EVENT (event));

  if (event->value)
    return;
  event->value = TRUE;
  while ((waiter = coro_wait_list_pop (&event->waiters)) != NULL)
    coro_future_set_boolean (&waiter->parent, TRUE, NULL);
}

/**
 * coro_event_clear:
 * @event: a #CoroEvent
 *
 * Clears @event (asyncio's `clear`): later waits wait for the next
 * [method@Coro.Event.set].
 *
 * Since: 1.0
 */
void
coro_event_clear (CoroEvent *event)
{
  g_return_if_fail (CORO_IS_EVENT (event));

  event->value = FALSE;
}

/**
 * coro_event_is_set:
 * @event: a #CoroEvent
 *
 * Tells whether @event is set (asyncio's `is_set`).
 *
 * Returns: %TRUE if @event is set
 *
 * Since: 1.0
 */
gboolean
coro_event_is_set (CoroEvent *event)
{
  g_return_val_if_fail (CORO_IS_EVENT (event), FALSE);

  return event->value;
}

/* Condition */

/**
 * CoroCondition:
 *
 * A condition variable (asyncio's `Condition`): tasks wait, with its lock released, until
 * another task notifies them, and hold the lock again when the wait ends, whether it
 * ended by a notification or by a cancellation.
 *
 * Since: 1.0
 */
struct _CoroCondition
{
  GObject      parent_instance;
  CoroLock    *lock;
  CoroWaitList waiters;
};

G_DEFINE_FINAL_TYPE (CoroCondition, coro_condition, G_TYPE_OBJECT)

static void
coro_condition_finalize (GObject *object)
{
  CoroCondition *self = CORO_CONDITION (object);

  g_clear_object (&self->lock);
  G_OBJECT_CLASS (coro_condition_parent_class)->finalize (object);
}

static void
coro_condition_class_init (CoroConditionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = coro_condition_finalize;
}

static void
coro_condition_init (CoroCondition *self)
{
}

static const CoroWaiterOps condition_waiter_ops = {
  .name = "Condition",
};

/**
 * coro_condition_new:
 * @lock: (nullable): the lock to use, or %NULL for a new one
 *
 * Creates a condition variable over @lock.
 *
 * Returns: (transfer full): a new #CoroCondition
 *
 * Since: 1.0
 */
CoroCondition *
coro_condition_new (CoroLock *lock)
{
  CoroCondition *self;

  g_return_val_if_fail (lock == NULL || CORO_IS_LOCK (lock), NULL);

  self = g_object_new (CORO_TYPE_CONDITION, NULL);
  self->lock = lock != NULL ? g_object_ref (lock) : coro_lock_new ();
  return self;
}

/**
 * coro_condition_get_lock:
 * @condition: a #CoroCondition
 *
 * Gets the lock of @condition.
 *
 * Returns: (transfer none): the lock
 *
 * Since: 1.0
 */
CoroLock *
coro_condition_get_lock (CoroCondition *condition)
{
  g_return_val_if_fail (CORO_IS_CONDITION (condition), NULL);

  return condition->lock;
}

/**
 * coro_condition_acquire:
 * @condition: a #CoroCondition
 *
 * Acquires the lock of @condition; see [method@Coro.Lock.acquire].
 *
 * Returns: (transfer full): a future that completes when the caller holds the lock
 *
 * Since: 1.0
 */
CoroFuture *
coro_condition_acquire (CoroCondition *condition)
{
  g_return_val_if_fail (CORO_IS_CONDITION (condition), NULL);

  return coro_lock_acquire (condition->lock);
}

/**
 * coro_condition_release:
 * @condition: a #CoroCondition
 * @error: return location for a #GError
 *
 * Releases the lock of @condition; see [method@Coro.Lock.release].
 *
 * Returns: %TRUE, or %FALSE with %CORO_ERROR_INVALID_STATE if the lock was not held
 *
 * Since: 1.0
 */
gboolean
coro_condition_release (CoroCondition  *condition,
                        GError        **error)
{
  g_return_val_if_fail (CORO_IS_CONDITION (condition), FALSE);

  return coro_lock_release (condition->lock, error);
}

/**
 * coro_condition_locked:
 * @condition: a #CoroCondition
 *
 * Tells whether the lock of @condition is held.
 *
 * Returns: %TRUE if the lock is held
 *
 * Since: 1.0
 */
gboolean
coro_condition_locked (CoroCondition *condition)
{
  g_return_val_if_fail (CORO_IS_CONDITION (condition), FALSE);

  return lock_held (condition->lock);
}

static void
condition_notify (CoroCondition *condition,
                  guint          n)
{
  CoroWaiter *waiter;

  while (n-- > 0 && (waiter = coro_wait_list_pop (&condition->waiters)) != NULL)
    coro_future_set_none (&waiter->parent, NULL);
}

/* wait(): a task, like asyncio's coroutine: release, wait, re-acquire even if cancelled. */
typedef struct
{
  CoroCondition *condition;
  GError        *error;     /* how the wait ended, if not by a notification */
} ConditionWait;

static void condition_wait_notified (CoroTask *task, gpointer frame);
static void condition_wait_reacquire (CoroTask *task, gpointer frame);
static void condition_wait_reacquired (CoroTask *task, gpointer frame);

static void
condition_wait_release (gpointer data)
{
  ConditionWait *self = data;

  g_clear_error (&self->error);
  g_clear_object (&self->condition);
}

static void
condition_wait_start (CoroTask *task,
                      gpointer  frame)
{
  ConditionWait *self = frame;
  CoroCondition *condition = self->condition;
  CoroWaiter *waiter;

  coro_task_defer (task, condition_wait_release, self);
  if (!lock_held (condition->lock))
    {
      coro_task_return_new_error (task, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                                  "cannot wait on un-acquired lock");
      return;
    }
  waiter = coro_waiter_new (coro_future_get_loop (CORO_FUTURE (task)), &condition_waiter_ops, condition,
                            &condition->waiters);
  lock_hand_on (condition->lock);
  coro_await_catch (task, &waiter->parent, condition_wait_notified);
}

static void
condition_wait_notified (CoroTask *task,
                         gpointer  frame)
{
  ConditionWait *self = frame;
  const GError *error = coro_future_get_error (coro_task_get_awaited (task));

  if (error != NULL)
    self->error = g_error_copy (error);
  condition_wait_reacquire (task, frame);
}

static void
condition_wait_reacquire (CoroTask *task,
                          gpointer  frame)
{
  ConditionWait *self = frame;

  /* Must re-acquire the lock even if the wait was cancelled. */
  coro_await_catch (task, coro_lock_acquire (self->condition->lock), condition_wait_reacquired);
}

static void
condition_wait_reacquired (CoroTask *task,
                           gpointer  frame)
{
  ConditionWait *self = frame;
  const GError *error = coro_future_get_error (coro_task_get_awaited (task));

  if (error != NULL)
    {
      /* Cancelled while re-acquiring: remember it and try again. */
      g_clear_error (&self->error);
      self->error = g_error_copy (error);
      condition_wait_reacquire (task, frame);
      return;
    }
  if (self->error != NULL)
    {
      /* This task may have been notified just before it was cancelled: notify another
       * one instead (a spurious wake-up, which the protocol allows). */
      condition_notify (self->condition, 1);
      coro_task_return_error (task, g_steal_pointer (&self->error));
      return;
    }
  coro_task_return_boolean (task, TRUE);
}

/**
 * coro_condition_wait:
 * @condition: a #CoroCondition
 *
 * Waits until notified (asyncio's `wait`). The caller must hold the lock: the wait
 * releases it, waits for [method@Coro.Condition.notify], then acquires it again before
 * the returned future completes, even when the wait is cancelled, in which case the
 * future fails with the cancellation once the lock is held again.
 *
 * The wait is a task: it starts at the loop's next pass.
 *
 * Returns: (transfer full): a future that completes with %TRUE once notified and holding
 *   the lock, or fails with %CORO_ERROR_INVALID_STATE if the lock was not held
 *
 * Since: 1.0
 */
CoroFuture *
coro_condition_wait (CoroCondition *condition)
{
  CoroTask *task;

  g_return_val_if_fail (CORO_IS_CONDITION (condition), NULL);

  task = CORO_CREATE_TASK (condition_wait_start, ConditionWait,
                           .condition = g_object_ref (condition));
  coro_task_set_name (task, "Condition.wait");
  return CORO_FUTURE (task);
}

typedef struct
{
  CoroCondition  *condition;
  CoroPredicate   predicate;
  gpointer        user_data;
  GDestroyNotify  destroy;
} ConditionWaitFor;

static void condition_wait_for_woken (CoroTask *task, gpointer frame);

static void
condition_wait_for_release (gpointer data)
{
  ConditionWaitFor *self = data;

  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_clear_object (&self->condition);
}

static void
condition_wait_for_check (CoroTask *task,
                          gpointer  frame)
{
  ConditionWaitFor *self = frame;

  if (self->predicate (self->user_data))
    {
      coro_task_return_boolean (task, TRUE);
      return;
    }
  coro_await (task, coro_condition_wait (self->condition), condition_wait_for_woken);
}

static void
condition_wait_for_woken (CoroTask *task,
                          gpointer  frame)
{
  condition_wait_for_check (task, frame);
}

static void
condition_wait_for_start (CoroTask *task,
                          gpointer  frame)
{
  coro_task_defer (task, condition_wait_for_release, frame);
  condition_wait_for_check (task, frame);
}

/**
 * coro_condition_wait_for:
 * @condition: a #CoroCondition
 * @predicate: (scope notified) (closure user_data) (destroy destroy): the condition to
 *   wait for
 * @user_data: data for @predicate
 * @destroy: (nullable): releases @user_data when the wait ends
 *
 * Waits until @predicate is true (asyncio's `wait_for`): checks it, and while it is
 * false waits with [method@Coro.Condition.wait] and checks again. The caller must hold the
 * lock, and holds it again when the future completes.
 *
 * Returns: (transfer full): a future that completes with %TRUE once @predicate is true
 *
 * Since: 1.0
 */
CoroFuture *
coro_condition_wait_for (CoroCondition  *condition,
                         CoroPredicate   predicate,
                         gpointer        user_data,
                         GDestroyNotify  destroy)
{
  CoroTask *task;

  g_return_val_if_fail (CORO_IS_CONDITION (condition), NULL);
  g_return_val_if_fail (predicate != NULL, NULL);

  task = CORO_CREATE_TASK (condition_wait_for_start, ConditionWaitFor,
                           .condition = g_object_ref (condition), .predicate = predicate,
                           .user_data = user_data, .destroy = destroy);
  coro_task_set_name (task, "Condition.wait_for");
  return CORO_FUTURE (task);
}

/**
 * coro_condition_notify:
 * @condition: a #CoroCondition
 * @n: how many waiting tasks to wake
 * @error: return location for a #GError
 *
 * Wakes up to @n tasks waiting on @condition, the longest-waiting first (asyncio's
 * `notify`). The caller must hold the lock; the woken tasks acquire it once it is
 * released.
 *
 * Returns: %TRUE, or %FALSE with %CORO_ERROR_INVALID_STATE if the lock is not held
 *
 * Since: 1.0
 */
gboolean
coro_condition_notify (CoroCondition  *condition,
                       guint           n,
                       GError        **error)
{
  g_return_val_if_fail (CORO_IS_CONDITION (condition), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!lock_held (condition->lock))
    {
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                           "cannot notify on un-acquired lock");
      return FALSE;
    }
  condition_notify (condition, n);
  return TRUE;
}

/**
 * coro_condition_notify_all:
 * @condition: a #CoroCondition
 * @error: return location for a #GError
 *
 * Wakes every task waiting on @condition (asyncio's `notify_all`).
 *
 * Returns: %TRUE, or %FALSE with %CORO_ERROR_INVALID_STATE if the lock is not held
 *
 * Since: 1.0
 */
gboolean
coro_condition_notify_all (CoroCondition  *condition,
                           GError        **error)
{
  return coro_condition_notify (condition, G_MAXUINT, error);
}

/* Semaphore */

/**
 * CoroSemaphore:
 *
 * A counter of available units (asyncio's `Semaphore`): acquiring takes a unit or waits
 * for one, releasing gives one back, handing it to the first waiter if there is one.
 *
 * Since: 1.0
 */
typedef struct
{
  guint        value;
  guint        initial;
  gboolean     bounded;
  CoroWaitList waiters;
} CoroSemaphorePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (CoroSemaphore, coro_semaphore, G_TYPE_OBJECT)

static void
coro_semaphore_class_init (CoroSemaphoreClass *klass)
{
}

static void
coro_semaphore_init (CoroSemaphore *self)
{
}

static void
semaphore_hand_on (CoroSemaphorePrivate *priv)
{
  CoroWaiter *next = coro_wait_list_pop (&priv->waiters);

  if (next != NULL)
    coro_waiter_hand (next);
  else
    priv->value++;
}

static void
semaphore_give_back (GObject    *owner,
                     CoroWaiter *waiter)
{
  semaphore_hand_on (coro_semaphore_get_instance_private (CORO_SEMAPHORE (owner)));
}

static const CoroWaiterOps semaphore_waiter_ops = {
  .name = "Semaphore",
  .give_back = semaphore_give_back,
};

/**
 * coro_semaphore_new:
 * @value: the number of units available at first
 *
 * Creates a semaphore.
 *
 * Returns: (transfer full): a new #CoroSemaphore
 *
 * Since: 1.0
 */
CoroSemaphore *
coro_semaphore_new (guint value)
{
  CoroSemaphore *self = g_object_new (CORO_TYPE_SEMAPHORE, NULL);
  CoroSemaphorePrivate *priv = coro_semaphore_get_instance_private (self);

  priv->value = priv->initial = value;
  return self;
}

/**
 * coro_semaphore_acquire:
 * @semaphore: a #CoroSemaphore
 *
 * Takes a unit (asyncio's `acquire`): at once if one is free and nobody waits, otherwise
 * once one is handed over, in FIFO order.
 *
 * Returns: (transfer full): a future that completes, with no value, when the caller holds
 *   a unit
 *
 * Since: 1.0
 */
CoroFuture *
coro_semaphore_acquire (CoroSemaphore *semaphore)
{
  CoroSemaphorePrivate *priv;
  CoroLoop *loop;

  g_return_val_if_fail (CORO_IS_SEMAPHORE (semaphore), NULL);

  priv = coro_semaphore_get_instance_private (semaphore);
  loop = coro_loop_get_current ();
  if (priv->value > 0 && priv->waiters.length == 0)
    {
      priv->value--;
      return coro_future_new_done (loop);
    }
  return &coro_waiter_new (loop, &semaphore_waiter_ops, semaphore, &priv->waiters)->parent;
}

/**
 * coro_semaphore_release:
 * @semaphore: a #CoroSemaphore
 * @error: return location for a #GError
 *
 * Gives a unit back (asyncio's `release`), to the first waiter if there is one.
 *
 * Returns: %TRUE, or %FALSE with %CORO_ERROR_INVALID_STATE if @semaphore is a
 *   [class@Coro.BoundedSemaphore] released more often than acquired
 *
 * Since: 1.0
 */
gboolean
coro_semaphore_release (CoroSemaphore  *semaphore,
                        GError        **error)
{
  CoroSemaphorePrivate *priv;

  g_return_val_if_fail (CORO_IS_SEMAPHORE (semaphore), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = coro_semaphore_get_instance_private (semaphore);
  if (priv->bounded && priv->value >= priv->initial)
    {
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                           "BoundedSemaphore released too many times");
      return FALSE;
    }
  semaphore_hand_on (priv);
  return TRUE;
}

/**
 * coro_semaphore_locked:
 * @semaphore: a #CoroSemaphore
 *
 * Tells whether an acquire would wait (asyncio's `locked`).
 *
 * Returns: %TRUE if no unit is free or tasks are waiting
 *
 * Since: 1.0
 */
gboolean
coro_semaphore_locked (CoroSemaphore *semaphore)
{
  CoroSemaphorePrivate *priv;

  g_return_val_if_fail (CORO_IS_SEMAPHORE (semaphore), FALSE);

  priv = coro_semaphore_get_instance_private (semaphore);
  return priv->value == 0 || priv->waiters.length > 0;
}

/**
 * coro_semaphore_get_value:
 * @semaphore: a #CoroSemaphore
 *
 * Gets the number of free units.
 *
 * Returns: the number of units an acquire could take at once
 *
 * Since: 1.0
 */
guint
coro_semaphore_get_value (CoroSemaphore *semaphore)
{
  g_return_val_if_fail (CORO_IS_SEMAPHORE (semaphore), 0);

  return ((CoroSemaphorePrivate *) coro_semaphore_get_instance_private (semaphore))->value;
}

/**
 * CoroBoundedSemaphore:
 *
 * A semaphore that refuses to be released more often than it was acquired (asyncio's
 * `BoundedSemaphore`).
 *
 * Since: 1.0
 */
struct _CoroBoundedSemaphore
{
  CoroSemaphore parent_instance;
};

G_DEFINE_FINAL_TYPE (CoroBoundedSemaphore, coro_bounded_semaphore, CORO_TYPE_SEMAPHORE)

static void
coro_bounded_semaphore_class_init (CoroBoundedSemaphoreClass *klass)
{
}

static void
coro_bounded_semaphore_init (CoroBoundedSemaphore *self)
{
  CoroSemaphorePrivate *priv = coro_semaphore_get_instance_private (CORO_SEMAPHORE (self));

  priv->bounded = TRUE;
}

/**
 * coro_bounded_semaphore_new:
 * @value: the number of units, which is also the most it can hold
 *
 * Creates a bounded semaphore: a release that would raise its value above @value fails
 * with %CORO_ERROR_INVALID_STATE.
 *
 * Returns: (transfer full): a new #CoroBoundedSemaphore
 *
 * Since: 1.0
 */
CoroBoundedSemaphore *
coro_bounded_semaphore_new (guint value)
{
  CoroBoundedSemaphore *self = g_object_new (CORO_TYPE_BOUNDED_SEMAPHORE, NULL);
  CoroSemaphorePrivate *priv = coro_semaphore_get_instance_private (CORO_SEMAPHORE (self));

  priv->value = priv->initial = value;
  return self;
}

/* Barrier */

/**
 * CoroBarrier:
 *
 * A barrier (asyncio's `Barrier`): tasks wait until @parties of them are waiting, then
 * all go on together, each with its arrival index.
 *
 * Since: 1.0
 */
struct _CoroBarrier
{
  GObject      parent_instance;
  guint        parties;
  guint        count;
  gboolean     broken;
  CoroWaitList waiters;
};

G_DEFINE_FINAL_TYPE (CoroBarrier, coro_barrier, G_TYPE_OBJECT)

static void
coro_barrier_class_init (CoroBarrierClass *klass)
{
}

static void
coro_barrier_init (CoroBarrier *self)
{
}

static void
barrier_left (GObject    *owner,
              CoroWaiter *waiter)
{
  CORO_BARRIER (owner)->count--;
}

static const CoroWaiterOps barrier_waiter_ops = {
  .name = "Barrier",
  .left = barrier_left,
};

/**
 * coro_barrier_new:
 * @parties: how many tasks must wait before all go on; at least 1
 *
 * Creates a barrier.
 *
 * Returns: (transfer full): a new #CoroBarrier
 *
 * Since: 1.0
 */
CoroBarrier *
coro_barrier_new (guint parties)
{
  CoroBarrier *self;

  g_return_val_if_fail (parties > 0, NULL);

  self = g_object_new (CORO_TYPE_BARRIER, NULL);
  self->parties = parties;
  return self;
}

/**
 * coro_barrier_wait:
 * @barrier: a #CoroBarrier
 *
 * Waits until all parties are waiting (asyncio's `wait`). The last one to arrive releases
 * them all and its future is done at once. A waiting task that is cancelled leaves the
 * barrier, which then needs one more party.
 *
 * Returns: (transfer full): a future that completes with the caller's arrival index (an
 *   int from 0 to parties - 1), or fails with %CORO_ERROR_BROKEN_BARRIER if the barrier is
 *   or becomes broken or is reset while waiting
 *
 * Since: 1.0
 */
CoroFuture *
coro_barrier_wait (CoroBarrier *barrier)
{
  CoroLoop *loop;
  CoroWaiter *waiter;
  CoroFuture *future;
  guint index;

  g_return_val_if_fail (CORO_IS_BARRIER (barrier), NULL);

  loop = coro_loop_get_current ();
  if (barrier->broken)
    return coro_future_new_failed (loop, g_error_new_literal (CORO_ERROR, CORO_ERROR_BROKEN_BARRIER,
                                                              "Barrier aborted"));
  index = barrier->count;
  if (index + 1 < barrier->parties)
    {
      waiter = coro_waiter_new (loop, &barrier_waiter_ops, barrier, &barrier->waiters);
      waiter->value = index;
      barrier->count++;
      return &waiter->parent;
    }

  /* The last party: everyone goes on. */
  barrier->count = 0;
  while ((waiter = coro_wait_list_pop (&barrier->waiters)) != NULL)
    coro_future_set_int (&waiter->parent, waiter->value, NULL);
  future = coro_future_new_done (loop);
  future->kind = CORO_RESULT_INT;
  future->result.v_int = index;
  return future;
}

/**
 * coro_barrier_reset:
 * @barrier: a #CoroBarrier
 *
 * Returns @barrier to its empty state (asyncio's `reset`): tasks waiting on it fail with
 * %CORO_ERROR_BROKEN_BARRIER, and a broken barrier works again.
 *
 * Since: 1.0
 */
void
coro_barrier_reset (CoroBarrier *barrier)
{
  g_return_if_fail (CORO_IS_BARRIER (barrier));

  barrier->count = 0;
  barrier->broken = FALSE;
  coro_wait_list_fail_all (&barrier->waiters, CORO_ERROR, CORO_ERROR_BROKEN_BARRIER,
                           "Barrier reset");
}

/**
 * coro_barrier_abort:
 * @barrier: a #CoroBarrier
 *
 * Breaks @barrier (asyncio's `abort`): waiting tasks and later waits fail with
 * %CORO_ERROR_BROKEN_BARRIER until [method@Coro.Barrier.reset].
 *
 * Since: 1.0
 */
void
coro_barrier_abort (CoroBarrier *barrier)
{
  g_return_if_fail (CORO_IS_BARRIER (barrier));

  barrier->count = 0;
  barrier->broken = TRUE;
  coro_wait_list_fail_all (&barrier->waiters, CORO_ERROR, CORO_ERROR_BROKEN_BARRIER,
                           "Barrier aborted");
}

/**
 * coro_barrier_get_parties:
 * @barrier: a #CoroBarrier
 *
 * Gets the number of parties the barrier waits for.
 *
 * Returns: the number of parties
 *
 * Since: 1.0
 */
guint
coro_barrier_get_parties (CoroBarrier *barrier)
{
  g_return_val_if_fail (CORO_IS_BARRIER (barrier), 0);

  return barrier->parties;
}

/**
 * coro_barrier_get_n_waiting:
 * @barrier: a #CoroBarrier
 *
 * Gets the number of tasks waiting (asyncio's `n_waiting`).
 *
 * Returns: the number of waiting tasks
 *
 * Since: 1.0
 */
guint
coro_barrier_get_n_waiting (CoroBarrier *barrier)
{
  g_return_val_if_fail (CORO_IS_BARRIER (barrier), 0);

  return barrier->count;
}

/**
 * coro_barrier_get_broken:
 * @barrier: a #CoroBarrier
 *
 * Tells whether @barrier is broken (asyncio's `broken`).
 *
 * Returns: %TRUE after [method@Coro.Barrier.abort] and until [method@Coro.Barrier.reset]
 *
 * Since: 1.0
 */
gboolean
coro_barrier_get_broken (CoroBarrier *barrier)
{
  g_return_val_if_fail (CORO_IS_BARRIER (barrier), FALSE);

  return barrier->broken;
}
