/* coro-future.c: the result of an asynchronous operation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "coro-future-private.h"
#include "coro-task-private.h"

/**
 * CoroFuture:
 *
 * The eventual result of an asynchronous operation: asyncio's `Future`.
 *
 * A future starts pending and ends exactly once, either *finished* with a typed
 * result or a [struct@GLib.Error], or *cancelled*. Code waits for it by adding done
 * callbacks or, inside a task, by awaiting it with [func@Coro.await].
 *
 * The rules are asyncio's:
 *
 * - done callbacks run from the loop's ready queue, never synchronously inside the
 *   call that completes the future; they run in registration order, each exactly once,
 *   and a callback added to a done future is scheduled at once;
 * - [method@Coro.Future.cancel] fails on a done future;
 * - reading a pending future is %CORO_ERROR_INVALID_STATE, reading a cancelled one is
 *   %CORO_ERROR_CANCELLED, and completing a done future is %CORO_ERROR_INVALID_STATE.
 *
 * Results are stored without boxing: `coro_future_set_int()`, `_double`, `_boolean`,
 * `_string`, `_pointer`, `_object`, `_value` and `_none`, read back with the matching
 * getter, which fails with %CORO_ERROR_RESULT_TYPE for a result of another type.
 *
 * Futures are reference counted and belong to the loop of the thread that created them;
 * they take no lock, so other threads reach them through
 * [method@Coro.Loop.call_soon_threadsafe]. A [alias@Coro.Task] is a future too.
 *
 * |[<!-- language="C" -->
 * static void
 * on_done (CoroFuture *future, gpointer user_data)
 * {
 *   g_autoptr(GError) error = NULL;
 *   gint64 value = coro_future_get_int (future, &error);
 *
 *   if (error == NULL)
 *     g_print ("result is %" G_GINT64_FORMAT "\n", value);
 * }
 *
 * g_autoptr(CoroFuture) future = coro_future_new ();
 * coro_future_add_done_callback (future, on_done, NULL, NULL);
 * coro_future_set_int (future, 7, NULL);   // on_done runs in the next pass
 * ]|
 *
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (CoroFuture, coro_future, coro_future_ref, coro_future_unref)

static gulong next_callback_id = 1; /* atomic */

const CoroFutureClass coro_future_class = {
  .name = "Future",
};

gpointer
coro_future_alloc (CoroLoop              *loop,
                   const CoroFutureClass *klass,
                   gsize                  size)
{
  gsize block = coro_pool_size_for (size);
  CoroFuture *future = coro_pool_alloc (&loop->pool, block);

  memset (future, 0, size);
  future->klass = klass;
  future->loop = loop;
  future->ref_count = 1;
  future->alloc_size = block;
  loop->n_futures++;
  return future;
}

CoroFuture *
coro_future_new_done (CoroLoop *loop)
{
  CoroFuture *future = coro_future_alloc (loop, &coro_future_class, sizeof (CoroFuture));

  future->state = CORO_FUTURE_FINISHED;
  return future;
}

CoroFuture *
coro_future_new_failed (CoroLoop *loop,
                        GError   *error)
{
  CoroFuture *future = coro_future_alloc (loop, &coro_future_class, sizeof (CoroFuture));

  coro_future_set_error (future, error, NULL);
  return future;
}

/**
 * coro_future_new:
 *
 * Creates a pending future on the calling thread's loop (the loop being dispatched, or
 * else the one of the thread-default main context). Complete it with one of the
 * `coro_future_set_*()` functions or cancel it.
 *
 * Returns: (transfer full): a new pending future
 *
 * Since: 1.0
 */
CoroFuture *
coro_future_new (void)
{
  return coro_future_alloc (coro_loop_get_current (), &coro_future_class, sizeof (CoroFuture));
}

/**
 * coro_future_new_for_loop:
 * @loop: the loop the future belongs to
 *
 * Creates a pending future on @loop.
 *
 * Returns: (transfer full): a new pending future
 *
 * Since: 1.0
 */
CoroFuture *
coro_future_new_for_loop (CoroLoop *loop)
{
  g_return_val_if_fail (CORO_IS_LOOP (loop), NULL);

  return coro_future_alloc (loop, &coro_future_class, sizeof (CoroFuture));
}

/**
 * coro_future_ref: (skip)
 * @future: a #CoroFuture
 *
 * Takes a reference. Futures are not thread-safe: ref and unref on the loop's thread.
 *
 * Returns: (transfer full): @future
 *
 * Since: 1.0
 */
CoroFuture *
coro_future_ref (CoroFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (future->ref_count > 0, NULL);

  future->ref_count++;
  return future;
}

void
coro_future_clear_result (CoroFuture *future)
{
  switch ((CoroResultKind) future->kind)
    {
    case CORO_RESULT_STRING:
      g_free (future->result.v_string);
      break;
    case CORO_RESULT_POINTER:
      if (future->result.v_pointer.destroy != NULL)
        future->result.v_pointer.destroy (future->result.v_pointer.data);
      break;
    case CORO_RESULT_OBJECT:
      g_object_unref (future->result.v_object);
      break;
    case CORO_RESULT_VALUE:
      g_value_unset (future->result.v_value);
      g_free (future->result.v_value);
      break;
    case CORO_RESULT_FORWARD:
      coro_future_unref (future->result.v_forward);
      break;
    case CORO_RESULT_NONE:
    case CORO_RESULT_INT:
    case CORO_RESULT_DOUBLE:
    case CORO_RESULT_BOOLEAN:
    case CORO_RESULT_FUTURES:
    default:
      break;
    }
  future->kind = CORO_RESULT_NONE;
  memset (&future->result, 0, sizeof future->result);
}

static void
callback_list_free (CoroCallbackList *list,
                    guint             from)
{
  if (list == NULL)
    return;
  for (guint i = from; i < list->len; i++)
    if (list->items[i].destroy != NULL)
      list->items[i].destroy (list->items[i].data);
  g_free (list);
}

static const char *
unretrieved_message (CoroFuture *future)
{
  return (future->flags & CORO_FUTURE_FLAG_TASK) ? "Task exception was never retrieved"
                                                 : "Future exception was never retrieved";
}

static void
report_later (gpointer a,
              gpointer b)
{
  CoroFuture *future = a;

  coro_loop_call_exception_handler (future->loop, unretrieved_message (future),
                                    future->error, future);
  coro_future_unref (future);
}

/* asyncio's "exception was never retrieved", at the last unref, once (the report counts
 * as retrieving). The default handler only logs and runs at once. A handler set by the
 * program runs in the loop's next pass, with the future kept alive until then: the last
 * unref can come from anywhere, such as a binding's garbage collector, which may not let
 * the handler's language run. Returns TRUE if the future lives on. */
static gboolean
report_unretrieved (CoroFuture *future)
{
  future->flags |= CORO_FUTURE_FLAG_RETRIEVED;
  future->ref_count = 1;
  if (future->loop->exception_handler != NULL)
    {
      coro_loop_push (future->loop, report_later, future, NULL);
      return TRUE;
    }
  coro_loop_default_exception_handler (future->loop, unretrieved_message (future),
                                       future->error, future);
  return --future->ref_count > 0;
}

/**
 * coro_future_unref: (skip)
 * @future: (transfer full): a #CoroFuture
 *
 * Drops a reference; the last one releases the result.
 *
 * Since: 1.0
 */
void
coro_future_unref (CoroFuture *future)
{
  CoroLoop *loop;

  g_return_if_fail (future != NULL);
  g_return_if_fail (future->ref_count > 0);

  if G_LIKELY (--future->ref_count > 0)
    {
      if G_UNLIKELY (future->ref_count == 1 && (future->flags & CORO_FUTURE_FLAG_ORPHANABLE))
        future->klass->orphaned (future);
      return;
    }

  if G_UNLIKELY (future->error != NULL && !(future->flags & CORO_FUTURE_FLAG_RETRIEVED) &&
                 future->state == CORO_FUTURE_FINISHED &&
                 !coro_error_is_cancellation (future->error))
    {
      if (report_unretrieved (future))
        return;
    }

  if (future->klass->finalize != NULL)
    future->klass->finalize (future);

  coro_future_clear_result (future);
  g_clear_error (&future->error);
  callback_list_free (future->cb_more, 0);

  loop = future->loop;
  loop->n_futures--;
  coro_pool_free (&loop->pool, future, future->alloc_size);
}

/**
 * coro_future_get_loop:
 * @future: a #CoroFuture
 *
 * Gets the loop that runs @future's callbacks.
 *
 * Returns: (transfer none): the loop @future belongs to
 *
 * Since: 1.0
 */
CoroLoop *
coro_future_get_loop (CoroFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);

  return future->loop;
}

/**
 * coro_future_done:
 * @future: a #CoroFuture
 *
 * Tells whether @future is done (asyncio's `done`).
 *
 * Returns: %TRUE if @future finished or was cancelled
 *
 * Since: 1.0
 */
gboolean
coro_future_done (CoroFuture *future)
{
  g_return_val_if_fail (future != NULL, FALSE);

  return future->state != CORO_FUTURE_PENDING;
}

/**
 * coro_future_cancelled:
 * @future: a #CoroFuture
 *
 * Tells whether @future was cancelled (asyncio's `cancelled`).
 *
 * Returns: %TRUE if @future was cancelled
 *
 * Since: 1.0
 */
gboolean
coro_future_cancelled (CoroFuture *future)
{
  g_return_val_if_fail (future != NULL, FALSE);

  return future->state == CORO_FUTURE_CANCELLED;
}

/* Done callbacks */

static void
run_callback_list (CoroFuture       *future,
                   CoroCallbackList *list)
{
  for (guint i = 0; i < list->len; i++)
    {
      CoroDoneCallback *cb = &list->items[i];

      cb->func (future, cb->data);
      if (cb->destroy != NULL)
        cb->destroy (cb->data);
    }
  g_free (list);
}

static void
run_callbacks (gpointer a,
               gpointer b)
{
  CoroFuture *future = a;
  CoroFutureCallback func = future->cb_func;
  gpointer data = future->cb_data;

  future->cb_func = NULL;
  future->cb_data = NULL;
  if (b == NULL && func != NULL && future->ref_count > 1)
    {
      /* Only a waiter, whose owner holds the future (see coro_future_add_waiter): let
       * go first, so that a future the owner drops now goes now. A task cancelled before
       * it saw what an awaited get or acquire was handed drops the wrapper it awaited
       * (wait_for…) in this call, and the item must go back before the task's next step
       * runs, or that step's next get would find the item behind it first. */
      coro_future_unref (future);
      func (future, data);
      return;
    }
  if (func != NULL)
    func (future, data);
  if (b != NULL)
    run_callback_list (future, b);
  coro_future_unref (future);
}

/* A callback added to a done future. */
static void
run_late_callback (gpointer a,
                   gpointer b)
{
  CoroFuture *future = a;

  run_callback_list (future, b);
  coro_future_unref (future);
}

/* Completion: state already set. Schedules the callbacks, in registration order, as one
 * ready entry: nothing can run between them, exactly as if each had been scheduled. */
void
coro_future_mark_done (CoroFuture *future)
{
  CoroCallbackList *more = future->cb_more;

  g_assert (future->state != CORO_FUTURE_PENDING);

  if (future->cb_func == NULL && more == NULL)
    return;

  future->cb_more = NULL;
  future->ref_count++;
  coro_loop_push (future->loop, run_callbacks, future, more);
}

void
coro_future_add_waiter (CoroFuture         *future,
                        CoroFutureCallback  func,
                        gpointer            data)
{
  if (future->state != CORO_FUTURE_PENDING)
    {
      CoroCallbackList *list = g_malloc (sizeof (CoroCallbackList) + sizeof (CoroDoneCallback));

      list->len = list->alloc = 1;
      list->items[0] = (CoroDoneCallback) { func, data, NULL, 0 };
      future->ref_count++;
      coro_loop_push (future->loop, run_late_callback, future, list);
      return;
    }

  if (future->cb_func == NULL && future->cb_more == NULL)
    {
      future->cb_func = func;
      future->cb_data = data;
      return;
    }

  if (future->cb_more == NULL || future->cb_more->len == future->cb_more->alloc)
    {
      guint alloc = future->cb_more != NULL ? future->cb_more->alloc * 2 : 2;
      guint len = future->cb_more != NULL ? future->cb_more->len : 0;

      future->cb_more = g_realloc (future->cb_more,
                                   sizeof (CoroCallbackList) + alloc * sizeof (CoroDoneCallback));
      future->cb_more->len = len;
      future->cb_more->alloc = alloc;
    }
  future->cb_more->items[future->cb_more->len++] = (CoroDoneCallback) { func, data, NULL, 0 };
}

/**
 * coro_future_add_done_callback:
 * @future: a #CoroFuture
 * @callback: (scope notified) (closure user_data) (destroy destroy): called once
 *   @future is done
 * @user_data: data for @callback
 * @destroy: (nullable): releases @user_data after @callback ran or was removed
 *
 * Adds a done callback (asyncio's `add_done_callback`). It runs from the loop's ready
 * queue after @future is done, after the callbacks added before it; on a future that is
 * already done it is scheduled for the next pass.
 *
 * Returns: an identifier for [method@Coro.Future.remove_done_callback], never 0
 *
 * Since: 1.0
 */
gulong
coro_future_add_done_callback (CoroFuture         *future,
                               CoroFutureCallback  callback,
                               gpointer            user_data,
                               GDestroyNotify      destroy)
{
  CoroCallbackList *list;
  gulong id;

  g_return_val_if_fail (future != NULL, 0);
  g_return_val_if_fail (callback != NULL, 0);

  id = (gulong) g_atomic_pointer_add (&next_callback_id, 1);

  if (future->state != CORO_FUTURE_PENDING)
    {
      list = g_malloc (sizeof (CoroCallbackList) + sizeof (CoroDoneCallback));
      list->len = list->alloc = 1;
      list->items[0] = (CoroDoneCallback) { callback, user_data, destroy, id };
      future->ref_count++;
      coro_loop_push (future->loop, run_late_callback, future, list);
      return id;
    }

  /* Registrations that can be removed by id or need a destroy notify live in the list;
   * the inline slot only ever holds the oldest registration. */
  list = future->cb_more;
  if (list == NULL || list->len == list->alloc)
    {
      guint alloc = list != NULL ? list->alloc * 2 : 2;
      guint len = list != NULL ? list->len : 0;

      list = g_realloc (list, sizeof (CoroCallbackList) + alloc * sizeof (CoroDoneCallback));
      list->len = len;
      list->alloc = alloc;
      future->cb_more = list;
    }
  list->items[list->len++] = (CoroDoneCallback) { callback, user_data, destroy, id };
  return id;
}

static guint
remove_matching (CoroFuture         *future,
                 CoroFutureCallback  callback,
                 gpointer            user_data,
                 gulong              id)
{
  CoroCallbackList *list = future->cb_more;
  guint removed = 0;
  guint kept = 0;

  if (future->state != CORO_FUTURE_PENDING)
    return 0;

  if (id == 0 && future->cb_func == callback && future->cb_data == user_data)
    {
      future->cb_func = NULL;
      future->cb_data = NULL;
      removed++;
    }

  if (list == NULL)
    return removed;

  for (guint i = 0; i < list->len; i++)
    {
      CoroDoneCallback cb = list->items[i];
      gboolean match = id != 0 ? cb.id == id
                               : (cb.func == callback && cb.data == user_data);

      if (match)
        {
          removed++;
          if (cb.destroy != NULL)
            cb.destroy (cb.data);
        }
      else
        list->items[kept++] = cb;
    }
  list->len = kept;
  if (kept == 0)
    g_clear_pointer (&future->cb_more, g_free);
  return removed;
}

/* See coro_future_mark_seen(). */
void
coro_future_mark_seen_slow (CoroFuture *future)
{
  for (;;)
    {
      future->flags |= CORO_FUTURE_FLAG_RETRIEVED;
      if (future->klass->seen != NULL)
        future->klass->seen (future);
      if (future->kind != CORO_RESULT_FORWARD)
        return;
      future = future->result.v_forward;
    }
}

/* See CoroFutureClass.detach. */
void
coro_future_detach (CoroFuture *future)
{
  if (future->klass->detach == NULL)
    return;
  coro_future_ref (future);
  future->klass->detach (future);
  coro_future_unref (future);
}

/* Takes the waiters @func for @watcher off @child, and the reference each held on
 * @watcher, which the caller keeps alive. */
void
coro_future_unwatch (CoroFuture         *child,
                     CoroFutureCallback  func,
                     CoroFuture         *watcher)
{
  guint removed = remove_matching (child, func, watcher, 0);

  while (removed-- > 0)
    coro_future_unref (watcher);
}

/**
 * coro_future_remove_done_callback: (skip)
 * @future: a #CoroFuture
 * @callback: the callback to remove
 * @user_data: the data it was added with
 *
 * Removes every registration of @callback with @user_data, releasing their data
 * (asyncio's `remove_done_callback`). Once @future is done its callbacks are already
 * scheduled and nothing is removed.
 *
 * Returns: how many registrations were removed
 *
 * Since: 1.0
 */
guint
coro_future_remove_done_callback (CoroFuture         *future,
                                  CoroFutureCallback  callback,
                                  gpointer            user_data)
{
  g_return_val_if_fail (future != NULL, 0);
  g_return_val_if_fail (callback != NULL, 0);

  return remove_matching (future, callback, user_data, 0);
}

/**
 * coro_future_remove_done_callback_by_id: (rename-to coro_future_remove_done_callback)
 * @future: a #CoroFuture
 * @callback_id: an identifier returned by [method@Coro.Future.add_done_callback]
 *
 * Removes the registration @callback_id, releasing its data. This is how bindings,
 * which cannot compare closures, remove a done callback.
 *
 * Returns: 1 if it was removed, 0 if it was not registered or @future is done
 *
 * Since: 1.0
 */
guint
coro_future_remove_done_callback_by_id (CoroFuture *future,
                                        gulong      callback_id)
{
  g_return_val_if_fail (future != NULL, 0);
  g_return_val_if_fail (callback_id != 0, 0);

  return remove_matching (future, NULL, NULL, callback_id);
}

/* Completion */

GError *
coro_future_new_cancelled_error (const char *msg)
{
  if (msg != NULL)
    return g_error_new_literal (CORO_ERROR, CORO_ERROR_CANCELLED, msg);
  return g_error_new_literal (CORO_ERROR, CORO_ERROR_CANCELLED, "Cancelled");
}

gboolean
coro_error_is_cancellation (const GError *error)
{
  return error != NULL
         && (g_error_matches (error, CORO_ERROR, CORO_ERROR_CANCELLED)
             || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
}

void
coro_future_set_cancelled (CoroFuture *future,
                           GError     *error)
{
  g_assert (future->state == CORO_FUTURE_PENDING);

  coro_future_clear_result (future);
  future->error = error;
  future->state = CORO_FUTURE_CANCELLED;
  coro_future_mark_done (future);
}

gboolean
coro_future_cancel_default (CoroFuture *future,
                            const char *msg)
{
  if (future->state != CORO_FUTURE_PENDING)
    return FALSE;
  coro_future_set_cancelled (future, coro_future_new_cancelled_error (msg));
  return TRUE;
}

/**
 * coro_future_cancel:
 * @future: a #CoroFuture
 * @msg: (nullable): a message for whoever reads the cancellation
 *
 * Cancels @future (asyncio's `cancel`). A plain future becomes cancelled at once and
 * schedules its callbacks. A task is asked to stop: the future it awaits is cancelled
 * and the task ends cancelled unless it catches the cancellation; a gather cancels its
 * children. The message becomes the %CORO_ERROR_CANCELLED error's message.
 *
 * Returns: %FALSE if @future was already done, else %TRUE
 *
 * Since: 1.0
 */
gboolean
coro_future_cancel (CoroFuture *future,
                    const char *msg)
{
  g_return_val_if_fail (future != NULL, FALSE);

  if (future->state != CORO_FUTURE_PENDING)
    return FALSE;
  if (future->klass->cancel != NULL)
    return future->klass->cancel (future, msg);
  return coro_future_cancel_default (future, msg);
}

static gboolean
check_settable (CoroFuture  *future,
                GError     **error)
{
  if G_LIKELY (future->state == CORO_FUTURE_PENDING && !(future->flags & CORO_FUTURE_FLAG_TASK))
    return TRUE;

  if (future->flags & CORO_FUTURE_FLAG_TASK)
    g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                         "A task's result is set by its steps (coro_task_return_*), not by "
                         "coro_future_set_*");
  else
    g_set_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                 "Future is already %s: its result cannot be set again",
                 future->state == CORO_FUTURE_CANCELLED ? "cancelled" : "done");
  return FALSE;
}

static inline void
finish (CoroFuture *future)
{
  future->state = CORO_FUTURE_FINISHED;
  coro_future_mark_done (future);
}

/**
 * coro_future_set_none:
 * @future: a pending #CoroFuture
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Completes @future with no value (asyncio's `set_result (None)`).
 *
 * Returns: %TRUE, or %FALSE if @future was already done
 *
 * Since: 1.0
 */
gboolean
coro_future_set_none (CoroFuture  *future,
                      GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);

  if (!check_settable (future, error))
    return FALSE;
  future->kind = CORO_RESULT_NONE;
  finish (future);
  return TRUE;
}

/**
 * coro_future_set_int:
 * @future: a pending #CoroFuture
 * @value: the result
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Completes @future with an integer.
 *
 * Returns: %TRUE, or %FALSE if @future was already done
 *
 * Since: 1.0
 */
gboolean
coro_future_set_int (CoroFuture  *future,
                     gint64       value,
                     GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);

  if (!check_settable (future, error))
    return FALSE;
  future->kind = CORO_RESULT_INT;
  future->result.v_int = value;
  finish (future);
  return TRUE;
}

/**
 * coro_future_set_double:
 * @future: a pending #CoroFuture
 * @value: the result
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Completes @future with a floating-point number.
 *
 * Returns: %TRUE, or %FALSE if @future was already done
 *
 * Since: 1.0
 */
gboolean
coro_future_set_double (CoroFuture  *future,
                        double       value,
                        GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);

  if (!check_settable (future, error))
    return FALSE;
  future->kind = CORO_RESULT_DOUBLE;
  future->result.v_double = value;
  finish (future);
  return TRUE;
}

/**
 * coro_future_set_boolean:
 * @future: a pending #CoroFuture
 * @value: the result
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Completes @future with a boolean.
 *
 * Returns: %TRUE, or %FALSE if @future was already done
 *
 * Since: 1.0
 */
gboolean
coro_future_set_boolean (CoroFuture  *future,
                         gboolean     value,
                         GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);

  if (!check_settable (future, error))
    return FALSE;
  future->kind = CORO_RESULT_BOOLEAN;
  future->result.v_boolean = !!value;
  finish (future);
  return TRUE;
}

/**
 * coro_future_set_string:
 * @future: a pending #CoroFuture
 * @value: (nullable): the result, copied
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Completes @future with a copy of a string.
 *
 * Returns: %TRUE, or %FALSE if @future was already done
 *
 * Since: 1.0
 */
gboolean
coro_future_set_string (CoroFuture  *future,
                        const char  *value,
                        GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);

  if (!check_settable (future, error))
    return FALSE;
  future->kind = CORO_RESULT_STRING;
  future->result.v_string = g_strdup (value);
  finish (future);
  return TRUE;
}

/**
 * coro_future_set_pointer: (skip)
 * @future: a pending #CoroFuture
 * @value: (nullable): the result
 * @destroy: (nullable): releases @value when the future is finalized
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Completes @future with a pointer the future owns. If @future was already done, @value
 * is released with @destroy at once.
 *
 * Returns: %TRUE, or %FALSE if @future was already done
 *
 * Since: 1.0
 */
gboolean
coro_future_set_pointer (CoroFuture      *future,
                         gpointer         value,
                         GDestroyNotify   destroy,
                         GError         **error)
{
  g_return_val_if_fail (future != NULL, FALSE);

  if (!check_settable (future, error))
    {
      if (destroy != NULL)
        destroy (value);
      return FALSE;
    }
  future->kind = CORO_RESULT_POINTER;
  future->result.v_pointer.data = value;
  future->result.v_pointer.destroy = destroy;
  finish (future);
  return TRUE;
}

/**
 * coro_future_set_object:
 * @future: a pending #CoroFuture
 * @object: (type GObject.Object): the result; the future takes a reference
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Completes @future with a #GObject.
 *
 * Returns: %TRUE, or %FALSE if @future was already done
 *
 * Since: 1.0
 */
gboolean
coro_future_set_object (CoroFuture  *future,
                        gpointer     object,
                        GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);

  if (!check_settable (future, error))
    return FALSE;
  future->kind = CORO_RESULT_OBJECT;
  future->result.v_object = g_object_ref (object);
  finish (future);
  return TRUE;
}

/**
 * coro_future_set_value:
 * @future: a pending #CoroFuture
 * @value: the result, copied
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Completes @future with a copy of a #GValue; this is how bindings return values of
 * any type.
 *
 * Returns: %TRUE, or %FALSE if @future was already done
 *
 * Since: 1.0
 */
gboolean
coro_future_set_value (CoroFuture    *future,
                       const GValue  *value,
                       GError       **error)
{
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);

  if (!check_settable (future, error))
    return FALSE;
  future->kind = CORO_RESULT_VALUE;
  future->result.v_value = g_new0 (GValue, 1);
  g_value_init (future->result.v_value, G_VALUE_TYPE (value));
  g_value_copy (value, future->result.v_value);
  finish (future);
  return TRUE;
}

/**
 * coro_future_set_error:
 * @future: a pending #CoroFuture
 * @result_error: (transfer full): the error @future fails with
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Completes @future with an error (asyncio's `set_exception`). The future takes
 * @result_error in every case. An error that says cancelled (%CORO_ERROR_CANCELLED or
 * %G_IO_ERROR_CANCELLED) fails the future, it does not cancel it.
 *
 * Returns: %TRUE, or %FALSE if @future was already done
 *
 * Since: 1.0
 */
gboolean
coro_future_set_error (CoroFuture  *future,
                       GError      *result_error,
                       GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (result_error != NULL, FALSE);

  if (!check_settable (future, error))
    {
      g_error_free (result_error);
      return FALSE;
    }
  future->error = result_error;
  finish (future);
  return TRUE;
}

void
coro_future_set_futures (CoroFuture  *future,
                         CoroFuture **items,
                         guint        n)
{
  g_assert (future->state == CORO_FUTURE_PENDING);

  future->kind = CORO_RESULT_FUTURES;
  future->result.v_futures.items = items;
  future->result.v_futures.n = n;
  finish (future);
}

/* Completes @future with whatever @source ended with; @source must be done. Results
 * are shared rather than copied, so pointers and objects keep a single owner. */
void
coro_future_forward (CoroFuture *future,
                     CoroFuture *source)
{
  g_assert (future->state == CORO_FUTURE_PENDING);
  g_assert (source->state != CORO_FUTURE_PENDING);

  if (source->state == CORO_FUTURE_CANCELLED)
    {
      coro_future_set_cancelled (future, g_error_copy (source->error));
      return;
    }
  if (source->error != NULL)
    {
      source->flags |= CORO_FUTURE_FLAG_RETRIEVED;
      future->error = g_error_copy (source->error);
      finish (future);
      return;
    }
  while (source->kind == CORO_RESULT_FORWARD)
    source = source->result.v_forward;
  future->kind = CORO_RESULT_FORWARD;
  future->result.v_forward = coro_future_ref (source);
  finish (future);
}

/* Getters */

static const char *
kind_name (CoroResultKind kind)
{
  static const char *names[] = {
    "no value", "an int", "a double", "a boolean", "a string", "a pointer", "an object",
    "a GValue", "futures", "a forwarded result",
  };

  return names[kind];
}

/* Resolves @future to the future holding its result, or fails as asyncio's result()
 * would. */
static CoroFuture *
resolve (CoroFuture      *future,
         CoroResultKind   want,
         GError         **error)
{
  if G_UNLIKELY (future->state == CORO_FUTURE_PENDING)
    {
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                           "Result is not set: the future is still pending");
      return NULL;
    }
  if G_UNLIKELY (future->error != NULL)
    {
      future->flags |= CORO_FUTURE_FLAG_RETRIEVED;
      g_propagate_error (error, g_error_copy (future->error));
      return NULL;
    }
  coro_future_mark_seen (future);
  while (future->kind == CORO_RESULT_FORWARD)
    future = future->result.v_forward;
  if G_UNLIKELY (want != CORO_RESULT_NONE && future->kind != want)
    {
      g_set_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE,
                   "The future holds %s, not %s", kind_name (future->kind), kind_name (want));
      return NULL;
    }
  return future;
}

/**
 * coro_future_propagate:
 * @future: a done #CoroFuture
 * @error: return location for the future's error
 *
 * Checks how @future ended without reading a value (asyncio's `result ()` for a
 * result of no interest).
 *
 * Returns: %TRUE if @future succeeded; %FALSE with its error if it failed, with
 *   %CORO_ERROR_CANCELLED if it was cancelled, or %CORO_ERROR_INVALID_STATE if it is
 *   still pending
 *
 * Since: 1.0
 */
gboolean
coro_future_propagate (CoroFuture  *future,
                       GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);

  return resolve (future, CORO_RESULT_NONE, error) != NULL;
}

/**
 * coro_future_get_int:
 * @future: a done #CoroFuture
 * @error: return location for the future's error
 *
 * Reads an integer result.
 *
 * Returns: the result, or 0 with @error set if @future is pending, failed, was
 *   cancelled or holds another type
 *
 * Since: 1.0
 */
gint64
coro_future_get_int (CoroFuture  *future,
                     GError     **error)
{
  g_return_val_if_fail (future != NULL, 0);

  future = resolve (future, CORO_RESULT_INT, error);
  return future != NULL ? future->result.v_int : 0;
}

/**
 * coro_future_get_double:
 * @future: a done #CoroFuture
 * @error: return location for the future's error
 *
 * Reads a floating-point result.
 *
 * Returns: the result, or 0 with @error set
 *
 * Since: 1.0
 */
double
coro_future_get_double (CoroFuture  *future,
                        GError     **error)
{
  g_return_val_if_fail (future != NULL, 0.0);

  future = resolve (future, CORO_RESULT_DOUBLE, error);
  return future != NULL ? future->result.v_double : 0.0;
}

/**
 * coro_future_get_boolean:
 * @future: a done #CoroFuture
 * @error: return location for the future's error
 *
 * Reads a boolean result.
 *
 * Returns: the result, or %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
coro_future_get_boolean (CoroFuture  *future,
                         GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);

  future = resolve (future, CORO_RESULT_BOOLEAN, error);
  return future != NULL ? future->result.v_boolean : FALSE;
}

/**
 * coro_future_get_string:
 * @future: a done #CoroFuture
 * @error: return location for the future's error
 *
 * Reads a string result, owned by the future.
 *
 * Returns: (transfer none) (nullable): the result, or %NULL with @error set
 *
 * Since: 1.0
 */
const char *
coro_future_get_string (CoroFuture  *future,
                        GError     **error)
{
  g_return_val_if_fail (future != NULL, NULL);

  future = resolve (future, CORO_RESULT_STRING, error);
  return future != NULL ? future->result.v_string : NULL;
}

/**
 * coro_future_get_pointer: (skip)
 * @future: a done #CoroFuture
 * @error: return location for the future's error
 *
 * Reads a pointer result, owned by the future.
 *
 * Returns: (transfer none) (nullable): the result, or %NULL with @error set
 *
 * Since: 1.0
 */
gpointer
coro_future_get_pointer (CoroFuture  *future,
                         GError     **error)
{
  g_return_val_if_fail (future != NULL, NULL);

  future = resolve (future, CORO_RESULT_POINTER, error);
  return future != NULL ? future->result.v_pointer.data : NULL;
}

/**
 * coro_future_get_object:
 * @future: a done #CoroFuture
 * @error: return location for the future's error
 *
 * Reads a #GObject result, owned by the future.
 *
 * Returns: (transfer none) (nullable): the result, or %NULL with @error set
 *
 * Since: 1.0
 */
GObject *
coro_future_get_object (CoroFuture  *future,
                        GError     **error)
{
  g_return_val_if_fail (future != NULL, NULL);

  future = resolve (future, CORO_RESULT_OBJECT, error);
  return future != NULL ? future->result.v_object : NULL;
}

/**
 * coro_future_get_value:
 * @future: a done #CoroFuture
 * @value: (out caller-allocates): an uninitialized #GValue to receive the result
 * @error: return location for the future's error
 *
 * Reads any result as a #GValue: a value set with [method@Coro.Future.set_value], or an
 * int (`gint64`), double, boolean, string or object result converted to one. A result
 * of no value gives an uninitialized @value and %TRUE.
 *
 * Returns: (skip): %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
coro_future_get_value (CoroFuture  *future,
                       GValue      *value,
                       GError     **error)
{
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (value != NULL && !G_IS_VALUE (value), FALSE);

  future = resolve (future, CORO_RESULT_NONE, error);
  if (future == NULL)
    return FALSE;

  switch ((CoroResultKind) future->kind)
    {
    case CORO_RESULT_NONE:
      return TRUE;
    case CORO_RESULT_INT:
      g_value_init (value, G_TYPE_INT64);
      g_value_set_int64 (value, future->result.v_int);
      return TRUE;
    case CORO_RESULT_DOUBLE:
      g_value_init (value, G_TYPE_DOUBLE);
      g_value_set_double (value, future->result.v_double);
      return TRUE;
    case CORO_RESULT_BOOLEAN:
      g_value_init (value, G_TYPE_BOOLEAN);
      g_value_set_boolean (value, future->result.v_boolean);
      return TRUE;
    case CORO_RESULT_STRING:
      g_value_init (value, G_TYPE_STRING);
      g_value_set_string (value, future->result.v_string);
      return TRUE;
    case CORO_RESULT_OBJECT:
      g_value_init (value, G_OBJECT_TYPE (future->result.v_object));
      g_value_set_object (value, future->result.v_object);
      return TRUE;
    case CORO_RESULT_VALUE:
      g_value_init (value, G_VALUE_TYPE (future->result.v_value));
      g_value_copy (future->result.v_value, value);
      return TRUE;
    case CORO_RESULT_POINTER:
      g_value_init (value, G_TYPE_POINTER);
      g_value_set_pointer (value, future->result.v_pointer.data);
      return TRUE;
    case CORO_RESULT_FUTURES:
    case CORO_RESULT_FORWARD:
    default:
      g_set_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE,
                   "The future holds %s, which has no GValue form; use "
                   "coro_future_get_futures()", kind_name (future->kind));
      return FALSE;
    }
}

/**
 * coro_future_get_futures:
 * @future: a done gather future (see [func@Coro.gatherv])
 * @n_futures: (out): return location for the number of futures
 * @error: return location for the future's error
 *
 * Reads the result of a gather: its children, in argument order, each done. Read
 * each child's value or error with the getters.
 *
 * Returns: (transfer none) (array length=n_futures) (nullable): the children, owned by
 *   @future, or %NULL with @error set
 *
 * Since: 1.0
 */
CoroFuture **
coro_future_get_futures (CoroFuture  *future,
                         guint       *n_futures,
                         GError     **error)
{
  g_return_val_if_fail (future != NULL, NULL);
  g_return_val_if_fail (n_futures != NULL, NULL);

  *n_futures = 0;
  future = resolve (future, CORO_RESULT_FUTURES, error);
  if (future == NULL)
    return NULL;
  *n_futures = future->result.v_futures.n;
  return future->result.v_futures.items;
}

/**
 * coro_future_get_result_type:
 * @future: a #CoroFuture
 *
 * Tells what a done future holds, and so which getter reads its result; a binding
 * uses it to tell a result of no value from a value. Asking does not count as
 * retrieving the outcome.
 *
 * |[<!-- language="C" -->
 * if (coro_future_get_result_type (future) == CORO_RESULT_TYPE_FUTURES)
 *   children = coro_future_get_futures (future, &n_children, &error);
 * ]|
 *
 * Returns: the type of the result, or %CORO_RESULT_TYPE_INVALID if @future is pending,
 *   failed or was cancelled
 *
 * Since: 1.0
 */
CoroResultType
coro_future_get_result_type (CoroFuture *future)
{
  static const CoroResultType types[] = {
    [CORO_RESULT_NONE] = CORO_RESULT_TYPE_NONE,
    [CORO_RESULT_INT] = CORO_RESULT_TYPE_INT,
    [CORO_RESULT_DOUBLE] = CORO_RESULT_TYPE_DOUBLE,
    [CORO_RESULT_BOOLEAN] = CORO_RESULT_TYPE_BOOLEAN,
    [CORO_RESULT_STRING] = CORO_RESULT_TYPE_STRING,
    [CORO_RESULT_POINTER] = CORO_RESULT_TYPE_POINTER,
    [CORO_RESULT_OBJECT] = CORO_RESULT_TYPE_OBJECT,
    [CORO_RESULT_VALUE] = CORO_RESULT_TYPE_VALUE,
    [CORO_RESULT_FUTURES] = CORO_RESULT_TYPE_FUTURES,
  };

  g_return_val_if_fail (future != NULL, CORO_RESULT_TYPE_INVALID);

  if (future->state == CORO_FUTURE_PENDING || future->error != NULL)
    return CORO_RESULT_TYPE_INVALID;
  while (future->kind == CORO_RESULT_FORWARD)
    future = future->result.v_forward;
  return types[future->kind];
}

/**
 * coro_future_get_error:
 * @future: a #CoroFuture
 *
 * Returns the error @future ended with (asyncio's `exception ()`), marking it as
 * retrieved: the error it failed with, or the %CORO_ERROR_CANCELLED error of a cancelled
 * future.
 *
 * Returns: (transfer none) (nullable): the error, or %NULL if @future succeeded or is
 *   still pending
 *
 * Since: 1.0
 */
const GError *
coro_future_get_error (CoroFuture *future)
{
  g_return_val_if_fail (future != NULL, NULL);

  if (future->error != NULL)
    future->flags |= CORO_FUTURE_FLAG_RETRIEVED;
  return future->error;
}
