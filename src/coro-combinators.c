/* coro-combinators.c: sleep, gather, wait_for, shield
 *
 * Each combinator is a future subclass that watches the futures it was given through
 * the inline waiter slot: no GObject, no GSource and no extra allocation per child
 * beyond the combinator itself.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-future-private.h"

/* Sleep */

typedef struct
{
  CoroFuture parent;
  CoroTimer  timer;
} SleepFuture;

#define SLEEP_OF_TIMER(t) ((SleepFuture *) ((guint8 *) (t) - G_STRUCT_OFFSET (SleepFuture, timer)))

static gboolean
sleep_cancel (CoroFuture *future,
              const char *msg)
{
  SleepFuture *self = (SleepFuture *) future;

  future->flags &= ~CORO_FUTURE_FLAG_ORPHANABLE;
  coro_loop_remove_timer (future->loop, &self->timer);
  return coro_future_cancel_default (future, msg);
}

/* Only the timer heap still holds the sleep: nobody can await it any more, so its timer
 * goes now rather than at the deadline (asyncio's sleep never starts unless awaited).
 * Unless a done callback watches it: that one runs at the deadline, as it would on a
 * future that call_later completes. */
static void
sleep_orphaned (CoroFuture *future)
{
  SleepFuture *self = (SleepFuture *) future;

  if (future->cb_func != NULL || future->cb_more != NULL)
    return;
  future->flags &= ~CORO_FUTURE_FLAG_ORPHANABLE;
  coro_loop_remove_timer (future->loop, &self->timer);  /* drops the last reference */
}

static const CoroFutureClass sleep_class = {
  .name = "Sleep",
  .cancel = sleep_cancel,
  .orphaned = sleep_orphaned,
};

static void
sleep_fired (CoroTimer *timer)
{
  SleepFuture *self = SLEEP_OF_TIMER (timer);

  self->parent.flags &= ~CORO_FUTURE_FLAG_ORPHANABLE;  /* the ready queue holds it now */
  if (coro_future_is_pending (&self->parent))
    coro_future_set_none (&self->parent, NULL);
  coro_future_unref (&self->parent);
}

static void
sleep_timer_unref (CoroTimer *timer)
{
  coro_future_unref (&SLEEP_OF_TIMER (timer)->parent);
}

static const CoroTimerClass sleep_timer_class = {
  .fire = sleep_fired,
  .unref = sleep_timer_unref,
  .fire_at_once = TRUE,
};

/* A task awaiting a sleep that nobody else holds or watches takes the sleep's place in
 * the timer heap with the timer embedded in the task, and the sleep goes at once: a task
 * suspended on a sleep costs no second block (bench W6), and its wake-up needs no done
 * callback. Nobody can tell: the sleep was only reachable through the task. */
gboolean
coro_sleep_adopt (CoroFuture *future,
                  CoroTimer  *timer)
{
  SleepFuture *self = (SleepFuture *) future;

  if (future->klass != &sleep_class || future->ref_count != 2 || future->cb_func != NULL
      || future->cb_more != NULL || self->timer.index == CORO_TIMER_NOT_QUEUED)
    return FALSE;

  coro_timer_heap_replace (&future->loop->timers, &self->timer, timer);
  future->flags &= ~CORO_FUTURE_FLAG_ORPHANABLE;
  coro_future_unref (future); /* the heap's; the caller drops its own */
  return TRUE;
}

static CoroFuture *
sleep_new_at (CoroLoop *loop,
              gint64    when_us,
              gboolean  yield)
{
  SleepFuture *self;

  if (yield)
    {
      /* asyncio's sleep (0): done already, but awaiting it yields exactly one pass. */
      CoroFuture *future = coro_future_new_done (loop);

      future->flags |= CORO_FUTURE_FLAG_YIELD;
      return future;
    }

  self = coro_future_alloc (loop, &sleep_class, sizeof (SleepFuture));
  self->timer.index = CORO_TIMER_NOT_QUEUED;
  self->timer.klass = &sleep_timer_class;
  coro_loop_add_timer (loop, &self->timer, when_us);
  coro_future_ref (&self->parent); /* the heap's */
  self->parent.flags |= CORO_FUTURE_FLAG_ORPHANABLE;
  return &self->parent;
}

/**
 * coro_sleep:
 * @seconds: how long to sleep; zero or less yields to the loop for exactly one pass
 *
 * Returns a future that completes, with no value, after @seconds (asyncio's `sleep`).
 * Cancelling it removes its timer. All sleeps of a loop share its timer heap.
 *
 * |[<!-- language="C" -->
 * coro_await (task, coro_sleep (1.0), next_step);   // await asyncio.sleep (1)
 * ]|
 *
 * Returns: (transfer full): the sleep
 *
 * Since: 1.0
 */
CoroFuture *
coro_sleep (double seconds)
{
  CoroLoop *loop = coro_loop_get_current ();

  g_return_val_if_fail (!isnan (seconds), NULL);

  if (seconds <= 0)
    return sleep_new_at (loop, 0, TRUE);
  return sleep_new_at (loop, coro_loop_now_us (loop) + coro_seconds_to_us (seconds), FALSE);
}

/**
 * coro_sleep_until:
 * @when: the deadline, in seconds on [method@Coro.Loop.time]'s clock
 *
 * Returns a future that completes, with no value, once the loop's time reaches @when.
 * A deadline already past yields for one pass.
 *
 * Returns: (transfer full): the sleep
 *
 * Since: 1.0
 */
CoroFuture *
coro_sleep_until (double when)
{
  CoroLoop *loop = coro_loop_get_current ();
  gint64 when_us;

  g_return_val_if_fail (!isnan (when), NULL);

  when_us = coro_seconds_to_us (when);
  if (when_us <= coro_loop_now_us (loop))
    return sleep_new_at (loop, 0, TRUE);
  return sleep_new_at (loop, when_us, FALSE);
}

/* Gather */

typedef struct
{
  CoroFuture       parent;
  CoroWatcherLink  link;
  CoroGatherFlags  flags;
  gboolean         cancel_requested;
  char            *cancel_msg;
  guint            n_done;
  guint            n_children;
  CoroFuture      *children[];
} GatherFuture;

static gboolean
gather_cancel (CoroFuture *future,
               const char *msg)
{
  GatherFuture *self = (GatherFuture *) future;
  gboolean cancelled = FALSE;

  for (guint i = 0; i < self->n_children; i++)
    if (coro_future_cancel (self->children[i], msg))
      cancelled = TRUE;
  if (cancelled && !self->cancel_requested)
    {
      self->cancel_requested = TRUE;
      self->cancel_msg = g_strdup (msg);
    }
  return cancelled;
}

static void
gather_finalize (CoroFuture *future)
{
  GatherFuture *self = (GatherFuture *) future;

  coro_loop_untrack_watcher (future->loop, &self->link);
  for (guint i = 0; i < self->n_children; i++)
    coro_future_unref (self->children[i]);
  g_free (self->cancel_msg);
}

static void gather_child_done (CoroFuture *child,
                               gpointer    user_data);

static void
gather_detach (CoroFuture *future)
{
  GatherFuture *self = (GatherFuture *) future;

  for (guint i = 0; i < self->n_children; i++)
    {
      coro_future_unwatch (self->children[i], gather_child_done, future);
      coro_future_detach (self->children[i]);
    }
}

static const CoroFutureClass gather_class = {
  .name = "Gather",
  .cancel = gather_cancel,
  .finalize = gather_finalize,
  .detach = gather_detach,
};

static void
gather_child_done (CoroFuture *child,
                   gpointer    user_data)
{
  GatherFuture *self = user_data;
  CoroFuture *outer = &self->parent;
  gboolean return_exceptions = (self->flags & CORO_GATHER_RETURN_EXCEPTIONS) != 0;

  self->n_done++;

  if (!coro_future_is_pending (outer))
    {
      /* asyncio marks a late child's error as retrieved: the gather already failed. */
      if (child->error != NULL)
        child->flags |= CORO_FUTURE_FLAG_RETRIEVED;
    }
  else if (!return_exceptions && child->error != NULL)
    {
      child->flags |= CORO_FUTURE_FLAG_RETRIEVED;
      if (child->state == CORO_FUTURE_CANCELLED)
        coro_future_set_cancelled (outer, g_error_copy (child->error));
      else
        coro_future_set_error (outer, g_error_copy (child->error), NULL);

      if (self->flags & CORO_GATHER_CANCEL_ON_ERROR)
        for (guint i = 0; i < self->n_children; i++)
          coro_future_cancel (self->children[i], NULL);
    }
  else if (self->n_done == self->n_children)
    {
      if (return_exceptions)
        for (guint i = 0; i < self->n_children; i++)
          if (self->children[i]->error != NULL)
            self->children[i]->flags |= CORO_FUTURE_FLAG_RETRIEVED;

      /* A cancelled gather ends cancelled whatever its children did. */
      if (self->cancel_requested)
        coro_future_set_cancelled (outer, coro_future_new_cancelled_error (self->cancel_msg));
      else
        coro_future_set_futures (outer, self->children, self->n_children);
    }

  coro_future_unref (outer);
}

static CoroFuture *
gather_new (CoroFuture      **children,
            guint             n_children,
            CoroGatherFlags   flags,
            gboolean          take)
{
  CoroLoop *loop = n_children > 0 ? children[0]->loop : coro_loop_get_current ();
  GatherFuture *self;

  self = coro_future_alloc (loop, &gather_class,
                            sizeof (GatherFuture) + n_children * sizeof (CoroFuture *));
  self->flags = flags;
  self->n_children = n_children;
  for (guint i = 0; i < n_children; i++)
    self->children[i] = take ? children[i] : coro_future_ref (children[i]);

  if (n_children == 0)
    {
      coro_future_set_futures (&self->parent, self->children, 0);
      return &self->parent;
    }

  coro_loop_track_future (loop, &self->link, &self->parent);
  for (guint i = 0; i < n_children; i++)
    {
      coro_future_ref (&self->parent);
      coro_future_add_waiter (self->children[i], gather_child_done, self);
    }
  return &self->parent;
}

/**
 * coro_gatherv: (rename-to coro_gather)
 * @futures: (array length=n_futures) (transfer none): the futures to wait for
 * @n_futures: the number of futures
 * @flags: how errors are treated
 *
 * Returns a future that completes when all @futures are done (asyncio's `gather`). Its
 * result is the children themselves, in argument order: read them with
 * [method@Coro.Future.get_futures] and each one's value with the getters.
 *
 * Without %CORO_GATHER_RETURN_EXCEPTIONS the first child to fail fails the gather with
 * its error, while the others keep running (or are cancelled, with
 * %CORO_GATHER_CANCEL_ON_ERROR); a cancelled child cancels the gather. With it, errors
 * are read from the children like results. Cancelling the gather cancels every child,
 * and it ends cancelled once they are all done.
 *
 * Unlike the other combinators this one does not consume its arguments: it takes its
 * own references, so the array can come from a binding. [func@Coro.gather] consumes.
 *
 * Returns: (transfer full): the gather
 *
 * Since: 1.0
 */
CoroFuture *
coro_gatherv (CoroFuture      **futures,
              guint             n_futures,
              CoroGatherFlags   flags)
{
  g_return_val_if_fail (futures != NULL || n_futures == 0, NULL);

  for (guint i = 0; i < n_futures; i++)
    {
      g_return_val_if_fail (futures[i] != NULL, NULL);
      g_return_val_if_fail (futures[i]->loop == futures[0]->loop, NULL);
    }

  return gather_new (futures, n_futures, flags, FALSE);
}

/**
 * coro_gather: (skip)
 * @first: (transfer full) (nullable): the first future
 * @...: (transfer full): more futures, then %NULL
 *
 * Waits for all the given futures, consuming them, with asyncio's default error
 * handling; see [func@Coro.gatherv].
 *
 * |[<!-- language="C" -->
 * coro_await (task,
 *             coro_gather (CORO_FUTURE (CORO_CREATE_TASK (factorial, Factorial, .name = "A", .n = 2)),
 *                          CORO_FUTURE (CORO_CREATE_TASK (factorial, Factorial, .name = "B", .n = 3)),
 *                          NULL),
 *             done_step);
 * ]|
 *
 * Returns: (transfer full): the gather
 *
 * Since: 1.0
 */
CoroFuture *
coro_gather (CoroFuture *first,
             ...)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new ();
  CoroFuture *future;
  va_list args;

  va_start (args, first);
  for (future = first; future != NULL; future = va_arg (args, CoroFuture *))
    g_ptr_array_add (children, future);
  va_end (args);

  for (guint i = 1; i < children->len; i++)
    if (((CoroFuture *) children->pdata[i])->loop != first->loop)
      {
        g_critical ("coro_gather: the futures belong to different loops");
        for (guint j = 0; j < children->len; j++)
          coro_future_unref (children->pdata[j]);
        return NULL;
      }

  return gather_new ((CoroFuture **) children->pdata, children->len, CORO_GATHER_NONE, TRUE);
}

/* wait_for */

typedef struct
{
  CoroFuture  parent;
  CoroWatcherLink link;
  CoroFuture *inner;
  CoroTimer   timer;
  gboolean    timed_out;
} WaitForFuture;

static gboolean
wait_for_cancel (CoroFuture *future,
                 const char *msg)
{
  WaitForFuture *self = (WaitForFuture *) future;

  /* Like a task awaiting the inner future: cancel it and end as it ends. */
  coro_loop_remove_timer (future->loop, &self->timer);
  return coro_future_cancel (self->inner, msg);
}

static void
wait_for_finalize (CoroFuture *future)
{
  coro_loop_untrack_watcher (future->loop, &((WaitForFuture *) future)->link);
  coro_future_unref (((WaitForFuture *) future)->inner);
}

static void wait_for_inner_done (CoroFuture *inner,
                                 gpointer    user_data);

/* Its timer, if queued, is discarded with the heap's. */
static void
wait_for_detach (CoroFuture *future)
{
  WaitForFuture *self = (WaitForFuture *) future;

  coro_future_unwatch (self->inner, wait_for_inner_done, future);
  coro_future_detach (self->inner);
}

static const CoroFutureClass wait_for_class = {
  .name = "WaitFor",
  .cancel = wait_for_cancel,
  .finalize = wait_for_finalize,
  .detach = wait_for_detach,
};

static void
wait_for_settle (WaitForFuture *self)
{
  CoroFuture *inner = self->inner;

  if (self->timed_out && inner->state == CORO_FUTURE_CANCELLED)
    {
      coro_future_set_error (&self->parent,
                             g_error_new_literal (CORO_ERROR, CORO_ERROR_TIMEOUT,
                                                  "Timed out"),
                             NULL);
      return;
    }
  /* In time, or the inner future finished despite the cancellation: its outcome. */
  coro_future_forward (&self->parent, inner);
}

static void
wait_for_inner_done (CoroFuture *inner,
                     gpointer    user_data)
{
  WaitForFuture *self = user_data;

  coro_loop_remove_timer (self->parent.loop, &self->timer);
  if (coro_future_is_pending (&self->parent))
    wait_for_settle (self);
  coro_future_unref (&self->parent);
}

#define WAIT_FOR_OF_TIMER(t) ((WaitForFuture *) ((guint8 *) (t) - G_STRUCT_OFFSET (WaitForFuture, timer)))

static void
wait_for_expired (CoroTimer *timer)
{
  WaitForFuture *self = WAIT_FOR_OF_TIMER (timer);

  if (coro_future_is_pending (&self->parent) && coro_future_is_pending (self->inner))
    {
      self->timed_out = TRUE;
      coro_future_cancel (self->inner, NULL);
    }
  coro_future_unref (&self->parent);
}

static void
wait_for_timer_unref (CoroTimer *timer)
{
  coro_future_unref (&WAIT_FOR_OF_TIMER (timer)->parent);
}

static void
wait_for_timer_discard (CoroTimer *timer)
{
  WaitForFuture *self = WAIT_FOR_OF_TIMER (timer);

  coro_future_detach (&self->parent);
  coro_future_unref (&self->parent);
}

static const CoroTimerClass wait_for_timer_class = {
  .fire = wait_for_expired,
  .unref = wait_for_timer_unref,
  .discard = wait_for_timer_discard,
};

/**
 * coro_wait_for:
 * @future: (transfer full): the future to wait for
 * @timeout: seconds to wait; zero or less checks without waiting
 *
 * Waits for @future with a time limit (asyncio's `wait_for`, as of Python 3.12). If
 * @future is done in time, the result is its outcome. Otherwise @future is cancelled,
 * the wait continues until it is really done, and then fails with %CORO_ERROR_TIMEOUT;
 * if @future finished anyway, ignoring the cancellation, its outcome is the result.
 * Cancelling the returned future cancels @future.
 *
 * |[<!-- language="C" -->
 * coro_await_catch (task, coro_wait_for (coro_sleep (3600), 1.0), after_timeout);
 * ]|
 *
 * Returns: (transfer full): the wait
 *
 * Since: 1.0
 */
CoroFuture *
coro_wait_for (CoroFuture *future,
               double      timeout)
{
  WaitForFuture *self;
  CoroLoop *loop;

  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (!isnan (timeout), NULL);

  loop = future->loop;
  self = coro_future_alloc (loop, &wait_for_class, sizeof (WaitForFuture));
  self->inner = future;
  self->timer.index = CORO_TIMER_NOT_QUEUED;
  self->timer.klass = &wait_for_timer_class;

  if (!coro_future_is_pending (future))
    {
      wait_for_settle (self);
      return &self->parent;
    }

  coro_loop_track_future (loop, &self->link, &self->parent);
  coro_future_ref (&self->parent);
  coro_future_add_waiter (future, wait_for_inner_done, self);

  if (timeout <= 0)
    {
      self->timed_out = TRUE;
      coro_future_cancel (future, NULL);
    }
  else
    {
      coro_loop_add_timer (loop, &self->timer, coro_loop_now_us (loop) + coro_seconds_to_us (timeout));
      coro_future_ref (&self->parent); /* the heap's */
    }

  return &self->parent;
}

/* shield */

typedef struct
{
  CoroFuture  parent;
  CoroWatcherLink link;
  CoroFuture *inner;
} ShieldFuture;

static void
shield_finalize (CoroFuture *future)
{
  coro_loop_untrack_watcher (future->loop, &((ShieldFuture *) future)->link);
  coro_future_unref (((ShieldFuture *) future)->inner);
}

static void shield_inner_done (CoroFuture *inner,
                               gpointer    user_data);

static void
shield_detach (CoroFuture *future)
{
  ShieldFuture *self = (ShieldFuture *) future;

  coro_future_unwatch (self->inner, shield_inner_done, future);
  coro_future_detach (self->inner);
}

static const CoroFutureClass shield_class = {
  .name = "Shield",
  .finalize = shield_finalize,
  .detach = shield_detach,
};

static void
shield_inner_done (CoroFuture *inner,
                   gpointer    user_data)
{
  ShieldFuture *self = user_data;

  if (coro_future_is_pending (&self->parent))
    coro_future_forward (&self->parent, inner);
  else if (inner->error != NULL)
    inner->flags |= CORO_FUTURE_FLAG_RETRIEVED;
  coro_future_unref (&self->parent);
}

/**
 * coro_shield:
 * @future: (transfer full): the future to protect
 *
 * Returns a future with @future's outcome that can be cancelled without cancelling
 * @future (asyncio's `shield`): a task awaiting the shield can be cancelled while the
 * work it started runs on. Cancelling @future itself cancels the shield.
 *
 * Returns: (transfer full): the shield
 *
 * Since: 1.0
 */
CoroFuture *
coro_shield (CoroFuture *future)
{
  ShieldFuture *self;

  g_return_val_if_fail (future != NULL, NULL);

  self = coro_future_alloc (future->loop, &shield_class, sizeof (ShieldFuture));
  self->inner = future;
  if (!coro_future_is_pending (future))
    {
      coro_future_forward (&self->parent, future);
      return &self->parent;
    }
  coro_loop_track_future (future->loop, &self->link, &self->parent);
  coro_future_ref (&self->parent);
  coro_future_add_waiter (future, shield_inner_done, self);
  return &self->parent;
}
