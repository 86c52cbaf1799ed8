/* coro-wait.c: wait and as_completed
 *
 * Both watch their futures through the inline waiter slot, like gather, and take their
 * waiters off the futures still pending as soon as they are over (a timeout, the wait's
 * condition), so a future that never completes does not keep them alive.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "coro-future-private.h"

/* Takes the futures given to a consuming combinator and checks them; on bad input
 * releases them all and says why. Duplicates are dropped (asyncio makes a set). */
static gboolean
take_futures (const char  *func,
              CoroFuture **futures,
              guint        n_futures,
              gboolean     take,
              GPtrArray   *out)
{
  g_autoptr(GHashTable) seen = NULL;

  if (futures == NULL && n_futures > 0)
    {
      g_critical ("%s: futures is NULL", func);
      return FALSE;
    }
  for (guint i = 0; i < n_futures; i++)
    if (futures[i] == NULL || futures[i]->loop != futures[0]->loop)
      {
        g_critical ("%s: %s", func,
                    futures[i] == NULL ? "a future is NULL"
                                       : "the futures belong to different loops");
        if (take)
          for (guint j = 0; j < n_futures; j++)
            if (futures[j] != NULL)
              coro_future_unref (futures[j]);
        return FALSE;
      }

  seen = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < n_futures; i++)
    {
      if (!g_hash_table_add (seen, futures[i]))
        {
          if (take)
            coro_future_unref (futures[i]);
          continue;
        }
      g_ptr_array_add (out, take ? futures[i] : coro_future_ref (futures[i]));
    }
  return TRUE;
}

static gboolean
timeout_is_set (double timeout)
{
  return timeout >= 0 && isfinite (timeout);
}

/* wait */

typedef struct
{
  CoroFuture    parent;
  CoroWatcherLink link;
  CoroWaitMode  mode;
  CoroTimer     timer;
  guint         n_left;     /* children whose completion was not seen yet */
  gboolean      frozen;     /* children[] is split: n_done done ones, then the rest */
  guint         n_done;
  guint         n_children;
  CoroFuture   *children[];
} WaitFuture;

#define WAIT_OF_TIMER(t) ((WaitFuture *) ((guint8 *) (t) - G_STRUCT_OFFSET (WaitFuture, timer)))

static void wait_child_done (CoroFuture *child,
                             gpointer    user_data);

/* The wait is over: nothing watches the children any more. */
static void
wait_detach (WaitFuture *self)
{
  coro_loop_remove_timer (self->parent.loop, &self->timer);
  for (guint i = 0; i < self->n_children; i++)
    {
      guint removed = coro_future_remove_done_callback (self->children[i], wait_child_done, self);

      for (guint j = 0; j < removed; j++)
        coro_future_unref (&self->parent);
    }
}

static gboolean
wait_cancel (CoroFuture *future,
             const char *msg)
{
  WaitFuture *self = (WaitFuture *) future;

  /* asyncio: a cancelled wait() leaves its futures alone. */
  coro_future_ref (future);
  wait_detach (self);
  coro_future_cancel_default (future, msg);
  coro_future_unref (future);
  return TRUE;
}

static void
wait_finalize (CoroFuture *future)
{
  WaitFuture *self = (WaitFuture *) future;

  coro_loop_untrack_watcher (future->loop, &self->link);
  for (guint i = 0; i < self->n_children; i++)
    coro_future_unref (self->children[i]);
}

/* Its loop goes away: wait_detach() and the children in turn. */
static void
wait_loop_detach (CoroFuture *future)
{
  WaitFuture *self = (WaitFuture *) future;

  wait_detach (self);
  for (guint i = 0; i < self->n_children; i++)
    coro_future_detach (self->children[i]);
}

static const CoroFutureClass wait_class = {
  .name = "Wait",
  .cancel = wait_cancel,
  .finalize = wait_finalize,
  .detach = wait_loop_detach,
};

/* Splits the children into done and pending, once: asyncio takes the two sets when
 * wait() resumes, which is the pass in which the wait's done callbacks run. */
static void
wait_freeze (WaitFuture *self)
{
  g_autofree CoroFuture **pending = NULL;
  guint n_pending = 0;
  guint n_done = 0;

  if (self->frozen)
    return;
  self->frozen = TRUE;
  pending = g_new (CoroFuture *, self->n_children);
  for (guint i = 0; i < self->n_children; i++)
    {
      if (coro_future_is_pending (self->children[i]))
        pending[n_pending++] = self->children[i];
      else
        self->children[n_done++] = self->children[i];
    }
  memcpy (self->children + n_done, pending, n_pending * sizeof (CoroFuture *));
  self->n_done = n_done;
}

static void
wait_own_done (CoroFuture *future,
               gpointer    user_data)
{
  wait_freeze ((WaitFuture *) future);
}

static void
wait_release (WaitFuture *self)
{
  wait_detach (self);
  coro_future_set_none (&self->parent, NULL);
}

static void
wait_child_done (CoroFuture *child,
                 gpointer    user_data)
{
  WaitFuture *self = user_data;

  if (coro_future_is_pending (&self->parent))
    {
      gboolean release;

      self->n_left--;
      /* The same test as asyncio's _on_completion, which reads the exception (marking
       * it retrieved) only in FIRST_EXCEPTION mode and only when it has to. */
      release = self->n_left == 0 || self->mode == CORO_WAIT_FIRST_COMPLETED;
      if (!release && self->mode == CORO_WAIT_FIRST_EXCEPTION
          && child->state != CORO_FUTURE_CANCELLED && child->error != NULL)
        {
          child->flags |= CORO_FUTURE_FLAG_RETRIEVED;
          release = TRUE;
        }
      if (release)
        wait_release (self);
    }
  coro_future_unref (&self->parent);
}

static void
wait_expired (CoroTimer *timer)
{
  WaitFuture *self = WAIT_OF_TIMER (timer);

  if (coro_future_is_pending (&self->parent))
    wait_release (self);
  coro_future_unref (&self->parent);
}

static void
wait_timer_unref (CoroTimer *timer)
{
  coro_future_unref (&WAIT_OF_TIMER (timer)->parent);
}

static void
wait_timer_discard (CoroTimer *timer)
{
  WaitFuture *self = WAIT_OF_TIMER (timer);

  coro_future_detach (&self->parent);
  coro_future_unref (&self->parent);
}

static const CoroTimerClass wait_timer_class = {
  .fire = wait_expired,
  .unref = wait_timer_unref,
  .discard = wait_timer_discard,
};

static CoroFuture *
wait_new (const char   *func,
          CoroFuture  **futures,
          guint         n_futures,
          double        timeout,
          CoroWaitMode  return_when,
          gboolean      take)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new ();
  WaitFuture *self;
  CoroLoop *loop;

  if (return_when > CORO_WAIT_ALL_COMPLETED || isnan (timeout))
    {
      g_critical ("%s: %s", func, isnan (timeout) ? "the timeout is NaN" : "invalid return_when");
      if (take)
        for (guint i = 0; i < n_futures && futures != NULL; i++)
          if (futures[i] != NULL)
            coro_future_unref (futures[i]);
      return NULL;
    }
  if (!take_futures (func, futures, n_futures, take, children))
    return NULL;

  if (children->len == 0)
    return coro_future_new_failed (coro_loop_get_current (),
                                   g_error_new (CORO_ERROR, CORO_ERROR_INVALID_STATE,
                                                "%s: the set of futures is empty", func));

  loop = ((CoroFuture *) children->pdata[0])->loop;
  self = coro_future_alloc (loop, &wait_class,
                            sizeof (WaitFuture) + children->len * sizeof (CoroFuture *));
  self->mode = return_when;
  self->timer.index = CORO_TIMER_NOT_QUEUED;
  self->timer.klass = &wait_timer_class;
  self->n_children = self->n_left = children->len;
  memcpy (self->children, children->pdata, children->len * sizeof (CoroFuture *));

  /* First in line, so the sets are taken before anyone awaiting the wait resumes. */
  coro_future_add_waiter (&self->parent, wait_own_done, NULL);

  if (timeout_is_set (timeout))
    {
      coro_loop_add_timer (loop, &self->timer,
                           coro_loop_now_us (loop) + coro_seconds_to_us (timeout));
      coro_future_ref (&self->parent); /* the heap's */
    }
  coro_loop_track_future (loop, &self->link, &self->parent);
  /* Like asyncio, even done futures report through a callback, in the next pass. */
  for (guint i = 0; i < self->n_children; i++)
    {
      coro_future_ref (&self->parent);
      coro_future_add_waiter (self->children[i], wait_child_done, self);
    }
  return &self->parent;
}

/**
 * coro_wait: (skip)
 * @futures: (array length=n_futures): the futures to wait for; their references are
 *   consumed, the array itself is not
 * @n_futures: the number of futures
 * @timeout: the most seconds to wait, or a negative or infinite value to wait without a
 *   time limit
 * @return_when: when the wait ends
 *
 * Waits for @futures (asyncio's `wait`) until @return_when says, or until @timeout
 * passes. Nothing is cancelled, not even on timeout: the wait ends with no value, and
 * [method@Coro.Future.get_done_futures] and [method@Coro.Future.get_pending_futures]
 * read the two sets. A future given twice counts once.
 *
 * |[<!-- language="C" -->
 * CoroFuture *fs[] = { CORO_FUTURE (t1), CORO_FUTURE (t2) };
 *
 * coro_await (task, coro_wait (fs, 2, 5.0, CORO_WAIT_FIRST_COMPLETED), next_step);
 * ...
 * // in next_step:
 * guint n_done;
 * CoroFuture **done = coro_future_get_done_futures (coro_task_get_awaited (task),
 *                                                   &n_done, NULL);
 * ]|
 *
 * The wait does not read its futures' errors (as in asyncio, except that
 * %CORO_WAIT_FIRST_EXCEPTION looks at the failures it ends on): read them from the done
 * set. Cancelling the wait does not cancel the futures.
 *
 * An empty set is an error, as in asyncio: the result is a future failed with
 * %CORO_ERROR_INVALID_STATE.
 *
 * Returns: (transfer full): the wait
 *
 * Since: 1.0
 */
CoroFuture *
coro_wait (CoroFuture   **futures,
           guint          n_futures,
           double         timeout,
           CoroWaitMode   return_when)
{
  return wait_new ("coro_wait", futures, n_futures, timeout, return_when, TRUE);
}

/**
 * coro_waitv: (rename-to coro_wait)
 * @futures: (array length=n_futures) (transfer none): the futures to wait for
 * @n_futures: the number of futures
 * @timeout: the most seconds to wait, or a negative or infinite value to wait without a
 *   time limit
 * @return_when: when the wait ends
 *
 * Like [func@Coro.wait] but takes its own references to @futures instead of consuming
 * them, like [func@Coro.gatherv]: the form bindings call.
 *
 * Returns: (transfer full): the wait
 *
 * Since: 1.0
 */
CoroFuture *
coro_waitv (CoroFuture   **futures,
            guint          n_futures,
            double         timeout,
            CoroWaitMode   return_when)
{
  return wait_new ("coro_waitv", futures, n_futures, timeout, return_when, FALSE);
}

/* Finds the wait behind @future (a task may return one with coro_task_return_future). */
static WaitFuture *
resolve_wait (CoroFuture  *future,
              GError     **error)
{
  if (!coro_future_propagate (future, error))
    return NULL;
  while (future->kind == CORO_RESULT_FORWARD)
    future = future->result.v_forward;
  if (future->klass != &wait_class)
    {
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE,
                           "The future is not the result of coro_wait()");
      return NULL;
    }
  wait_freeze ((WaitFuture *) future);
  return (WaitFuture *) future;
}

/**
 * coro_future_get_done_futures:
 * @future: a done future from [func@Coro.wait]
 * @n_futures: (out): return location for the number of futures
 * @error: return location for an error
 *
 * Reads the futures that were done when the wait ended (asyncio's `done` set), in the
 * order they were given. The sets are taken when the wait's done callbacks run, as
 * asyncio takes them when `wait()` resumes, or on the first read if that comes first.
 *
 * Returns: (transfer none) (array length=n_futures) (nullable): the done futures,
 *   owned by @future, or %NULL with @error set if @future is pending, was cancelled or
 *   is not a wait
 *
 * Since: 1.0
 */
CoroFuture **
coro_future_get_done_futures (CoroFuture  *future,
                              guint       *n_futures,
                              GError     **error)
{
  WaitFuture *self;

  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (n_futures != NULL, NULL);

  *n_futures = 0;
  self = resolve_wait (future, error);
  if (self == NULL)
    return NULL;
  *n_futures = self->n_done;
  return self->children;
}

/**
 * coro_future_get_pending_futures:
 * @future: a done future from [func@Coro.wait]
 * @n_futures: (out): return location for the number of futures
 * @error: return location for an error
 *
 * Reads the futures that were still pending when the wait ended (asyncio's `pending`
 * set), in the order they were given; see [method@Coro.Future.get_done_futures].
 *
 * Returns: (transfer none) (array length=n_futures) (nullable): the pending futures,
 *   owned by @future, or %NULL with @error set
 *
 * Since: 1.0
 */
CoroFuture **
coro_future_get_pending_futures (CoroFuture  *future,
                                 guint       *n_futures,
                                 GError     **error)
{
  WaitFuture *self;

  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (n_futures != NULL, NULL);

  *n_futures = 0;
  self = resolve_wait (future, error);
  if (self == NULL)
    return NULL;
  *n_futures = self->n_children - self->n_done;
  return self->children + self->n_done;
}

/* as_completed */

/**
 * CoroAsCompletedIter:
 *
 * The iterator [func@Coro.as_completed] returns: each [method@Coro.AsCompletedIter.next]
 * gives a future that completes with the next of the given futures to be done, in the
 * order they complete (asyncio 3.13's `async for f in as_completed (fs)`, which yields
 * the original futures).
 *
 * |[<!-- language="C" -->
 * // async for f in as_completed (fs, timeout=10):
 * static void
 * loop_step (CoroTask *task, gpointer frame)
 * {
 *   Main *self = frame;
 *
 *   if (!coro_as_completed_iter_has_next (self->iter))
 *     {
 *       coro_task_return (task);
 *       return;
 *     }
 *   coro_await (task, coro_as_completed_iter_next (self->iter), got_one);
 * }
 *
 * static void
 * got_one (CoroTask *task, gpointer frame)
 * {
 *   CoroFuture *f = coro_future_get_future (coro_task_get_awaited (task), NULL);
 *   ...  // f is one of the given futures, done
 *   loop_step (task, frame);
 * }
 * ]|
 *
 * Once the timeout passes, the iterator stops watching the futures not done yet, and
 * the futures `next` gives for them fail with %CORO_ERROR_TIMEOUT. Cancelling a future
 * from `next` withdraws it from the line without giving back its turn, as in asyncio.
 *
 * Since: 1.0
 */

typedef struct _NextFuture NextFuture;

struct _CoroAsCompletedIter
{
  GObject      parent_instance;

  CoroLoop    *loop;
  GPtrArray   *todo;        /* the futures still watched, one reference each */
  GQueue       finished;    /* completed futures (one reference each); NULL: a timeout */
  GQueue       waiters;     /* NextFutures waiting, one reference each */
  guint        n_left;      /* next() calls that still give a future */
  CoroHandle  *timeout;
  CoroWatcherLink link;     /* in its loop's list while it watches futures */
};

struct _NextFuture
{
  CoroFuture           parent;
  CoroAsCompletedIter *iter;  /* while waiting */
  CoroFuture          *item;
};

G_DEFINE_FINAL_TYPE (CoroAsCompletedIter, coro_as_completed_iter, G_TYPE_OBJECT)

static void iter_child_done (CoroFuture *child,
                             gpointer    user_data);
static void iter_maybe_done (CoroAsCompletedIter *self);

static void
coro_as_completed_iter_finalize (GObject *object)
{
  CoroAsCompletedIter *self = CORO_AS_COMPLETED_ITER (object);
  CoroFuture *item;

  g_assert (self->waiters.length == 0);
  if (self->loop != NULL)
    coro_loop_untrack_watcher (self->loop, &self->link);
  if (self->timeout != NULL)
    {
      coro_handle_cancel (self->timeout);
      coro_handle_unref (self->timeout);
    }
  g_ptr_array_unref (self->todo);
  while (self->finished.length > 0)
    if ((item = g_queue_pop_head (&self->finished)) != NULL)
      coro_future_unref (item);

  G_OBJECT_CLASS (coro_as_completed_iter_parent_class)->finalize (object);
}

static void
coro_as_completed_iter_class_init (CoroAsCompletedIterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = coro_as_completed_iter_finalize;
}

static void
coro_as_completed_iter_init (CoroAsCompletedIter *self)
{
  self->todo = g_ptr_array_new_with_free_func ((GDestroyNotify) coro_future_unref);
  g_queue_init (&self->finished);
  g_queue_init (&self->waiters);
}

static gboolean
next_cancel (CoroFuture *future,
             const char *msg)
{
  NextFuture *self = (NextFuture *) future;

  coro_future_ref (future);
  if (self->iter != NULL)
    {
      CoroAsCompletedIter *iter = g_steal_pointer (&self->iter);

      g_queue_remove (&iter->waiters, self);
      coro_future_unref (future); /* the line's */
      iter_maybe_done (iter);
      g_object_unref (iter);
    }
  coro_future_cancel_default (future, msg);
  coro_future_unref (future);
  return TRUE;
}

static void
next_finalize (CoroFuture *future)
{
  NextFuture *self = (NextFuture *) future;

  g_assert (self->iter == NULL);
  g_clear_pointer (&self->item, coro_future_unref);
}

static const CoroFutureClass next_class = {
  .name = "AsCompletedNext",
  .cancel = next_cancel,
  .finalize = next_finalize,
};

/* Completes @next with @item (transfer full), or with a timeout for NULL. */
static void
next_complete (NextFuture *next,
               CoroFuture *item)
{
  if (item == NULL)
    {
      coro_future_set_error (&next->parent,
                             g_error_new_literal (CORO_ERROR, CORO_ERROR_TIMEOUT,
                                                  "as_completed: the timeout passed"),
                             NULL);
      return;
    }
  next->item = item;
  coro_future_set_futures (&next->parent, &next->item, 1);
}

static void
iter_deliver (CoroAsCompletedIter *self)
{
  while (self->waiters.length > 0 && self->finished.length > 0)
    {
      NextFuture *next = g_queue_pop_head (&self->waiters);

      next_complete (next, g_queue_pop_head (&self->finished));
      g_clear_object (&next->iter);
      coro_future_unref (&next->parent);
    }
  iter_maybe_done (self);
}

/* Stops watching the futures not done yet; the caller holds a reference to @self. */
static void
iter_detach (CoroAsCompletedIter *self,
             gboolean             timed_out)
{
  if (self->timeout != NULL)
    {
      coro_handle_cancel (self->timeout);
      g_clear_pointer (&self->timeout, coro_handle_unref);
    }
  for (guint i = 0; i < self->todo->len; i++)
    {
      guint removed = coro_future_remove_done_callback (self->todo->pdata[i], iter_child_done, self);

      for (guint j = 0; j < removed; j++)
        g_object_unref (self);
      if (timed_out)
        g_queue_push_tail (&self->finished, NULL);
    }
  g_ptr_array_set_size (self->todo, 0);
}

/* Nobody can ask for another future: the rest need not be watched. */
static void
iter_maybe_done (CoroAsCompletedIter *self)
{
  if (self->n_left == 0 && self->waiters.length == 0 && self->todo->len > 0)
    {
      g_object_ref (self);
      iter_detach (self, FALSE);
      g_object_unref (self);
    }
}

static void
iter_timed_out (gpointer user_data)
{
  CoroAsCompletedIter *self = user_data;

  g_object_ref (self);
  g_clear_pointer (&self->timeout, coro_handle_unref);
  iter_detach (self, TRUE);
  iter_deliver (self);
  g_object_unref (self);
}

static void
iter_child_done (CoroFuture *child,
                 gpointer    user_data)
{
  CoroAsCompletedIter *self = user_data;
  guint index;

  if (g_ptr_array_find (self->todo, child, &index))
    {
      g_queue_push_tail (&self->finished, g_ptr_array_steal_index (self->todo, index));
      if (self->todo->len == 0)
        iter_detach (self, FALSE);
      iter_deliver (self);
    }
  g_object_unref (self);
}

/* Its loop goes away (see CoroWatcherLink): the futures it watches and the next() futures
 * waiting on it stop holding it, and it them. */
static void
iter_loop_detach (gpointer owner)
{
  CoroAsCompletedIter *self = g_object_ref (owner);
  NextFuture *next;

  for (guint i = 0; i < self->todo->len; i++)
    coro_future_detach (self->todo->pdata[i]);
  iter_detach (self, FALSE);
  while ((next = g_queue_pop_head (&self->waiters)) != NULL)
    {
      g_clear_object (&next->iter);
      coro_future_unref (&next->parent);
    }
  g_object_unref (self);
}

static CoroAsCompletedIter *
as_completed_new (const char   *func,
                  CoroFuture  **futures,
                  guint         n_futures,
                  double        timeout,
                  gboolean      take)
{
  CoroAsCompletedIter *self;

  if (isnan (timeout))
    {
      g_critical ("%s: the timeout is NaN", func);
      if (take)
        for (guint i = 0; i < n_futures && futures != NULL; i++)
          if (futures[i] != NULL)
            coro_future_unref (futures[i]);
      return NULL;
    }

  self = g_object_new (CORO_TYPE_AS_COMPLETED_ITER, NULL);
  if (!take_futures (func, futures, n_futures, take, self->todo))
    {
      g_object_unref (self);
      return NULL;
    }
  self->loop = self->todo->len > 0 ? ((CoroFuture *) self->todo->pdata[0])->loop
                                   : coro_loop_get_current ();
  self->n_left = self->todo->len;
  if (self->todo->len > 0)
    coro_loop_track_watcher (self->loop, &self->link, iter_loop_detach, self);
  for (guint i = 0; i < self->todo->len; i++)
    coro_future_add_waiter (self->todo->pdata[i], iter_child_done, g_object_ref (self));
  if (self->todo->len > 0 && timeout_is_set (timeout))
    self->timeout = coro_loop_call_later (self->loop, timeout, iter_timed_out,
                                          g_object_ref (self), g_object_unref);
  return self;
}

/**
 * coro_as_completed: (skip)
 * @futures: (array length=n_futures): the futures to watch; their references are
 *   consumed, the array itself is not
 * @n_futures: the number of futures
 * @timeout: seconds after which the futures not done yet are given up, or a negative
 *   or infinite value for no time limit
 *
 * Returns an iterator over @futures in the order they complete (asyncio 3.13's
 * `as_completed`); see [class@Coro.AsCompletedIter]. A future given twice counts once;
 * no future is given at all gives an iterator that is over at once.
 *
 * Returns: (transfer full): the iterator
 *
 * Since: 1.0
 */
CoroAsCompletedIter *
coro_as_completed (CoroFuture **futures,
                   guint        n_futures,
                   double       timeout)
{
  return as_completed_new ("coro_as_completed", futures, n_futures, timeout, TRUE);
}

/**
 * coro_as_completedv: (rename-to coro_as_completed)
 * @futures: (array length=n_futures) (transfer none): the futures to watch
 * @n_futures: the number of futures
 * @timeout: seconds after which the futures not done yet are given up, or a negative
 *   or infinite value for no time limit
 *
 * Like [func@Coro.as_completed] but takes its own references to @futures instead of
 * consuming them: the form bindings call.
 *
 * Returns: (transfer full): the iterator
 *
 * Since: 1.0
 */
CoroAsCompletedIter *
coro_as_completedv (CoroFuture **futures,
                    guint        n_futures,
                    double       timeout)
{
  return as_completed_new ("coro_as_completedv", futures, n_futures, timeout, FALSE);
}

/**
 * coro_as_completed_iter_has_next:
 * @iter: a #CoroAsCompletedIter
 *
 * Tells whether [method@Coro.AsCompletedIter.next] has another future to give (the
 * opposite of asyncio's `StopAsyncIteration`).
 *
 * Returns: %TRUE while `next` gives futures
 *
 * Since: 1.0
 */
gboolean
coro_as_completed_iter_has_next (CoroAsCompletedIter *iter)
{
  g_return_val_if_fail (CORO_IS_AS_COMPLETED_ITER (iter), FALSE);

  return iter->n_left > 0;
}

/**
 * coro_as_completed_iter_get_n_left:
 * @iter: a #CoroAsCompletedIter
 *
 * Counts the futures [method@Coro.AsCompletedIter.next] will still give.
 *
 * Returns: the number of `next` calls left
 *
 * Since: 1.0
 */
guint
coro_as_completed_iter_get_n_left (CoroAsCompletedIter *iter)
{
  g_return_val_if_fail (CORO_IS_AS_COMPLETED_ITER (iter), 0);

  return iter->n_left;
}

/**
 * coro_as_completed_iter_next:
 * @iter: a #CoroAsCompletedIter
 *
 * Returns a future that completes with the next of the watched futures to be done:
 * read it with [method@Coro.Future.get_future]. It is done at once if one is done
 * already. It fails with %CORO_ERROR_TIMEOUT if the timeout passes first; it never
 * fails with the watched future's own error (read that from the future itself).
 *
 * Returns: (transfer full) (nullable): the future, or %NULL once every watched future
 *   has been given (see [method@Coro.AsCompletedIter.has_next])
 *
 * Since: 1.0
 */
CoroFuture *
coro_as_completed_iter_next (CoroAsCompletedIter *iter)
{
  NextFuture *next;

  g_return_val_if_fail (CORO_IS_AS_COMPLETED_ITER (iter), NULL);

  if (iter->n_left == 0)
    return NULL;
  iter->n_left--;

  next = coro_future_alloc (iter->loop, &next_class, sizeof (NextFuture));
  if (iter->finished.length > 0)
    {
      next_complete (next, g_queue_pop_head (&iter->finished));
      iter_maybe_done (iter);
      return &next->parent;
    }
  next->iter = g_object_ref (iter);
  g_queue_push_tail (&iter->waiters, coro_future_ref (&next->parent));
  return &next->parent;
}

/**
 * coro_future_get_future:
 * @future: a done future from [method@Coro.AsCompletedIter.next]
 * @error: return location for an error
 *
 * Reads the result of a future whose result is one future: the watched future that
 * [method@Coro.AsCompletedIter.next] delivered, done.
 *
 * Returns: (transfer none) (nullable): the future, owned by @future, or %NULL with
 *   @error set if @future is pending, failed (%CORO_ERROR_TIMEOUT), was cancelled or
 *   holds another result
 *
 * Since: 1.0
 */
CoroFuture *
coro_future_get_future (CoroFuture  *future,
                        GError     **error)
{
  CoroFuture **items;
  guint n = 0;

  g_return_val_if_fail (future != NULL, NULL);

  items = coro_future_get_futures (future, &n, error);
  if (items == NULL)
    return NULL;
  if (n != 1)
    {
      g_set_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE,
                   "The future holds %u futures, not one", n);
      return NULL;
    }
  return items[0];
}
