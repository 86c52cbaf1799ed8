/* coro-timeout.c: timeout scopes (asyncio.timeout, timeout_at)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-future-private.h"

/**
 * CoroTimeout:
 *
 * A deadline for a stretch of a task: asyncio's `timeout (delay)` and
 * `timeout_at (when)` context managers. When the deadline passes while the scope is
 * open, the task is cancelled; when the scope closes, the cancellation it caused
 * becomes %CORO_ERROR_TIMEOUT. A cancellation that came from elsewhere stays a
 * cancellation, and nested scopes each convert only their own, as in Python 3.11+,
 * because the scope counts the task's cancellation requests
 * ([func@Coro.task_cancelling]) and withdraws its own with [func@Coro.task_uncancel].
 *
 * A continuation chain has no `async with`: the step that opens the scope calls
 * [method@Coro.Timeout.enter], the body awaits with [func@Coro.await_catch] (a body of
 * several steps runs as a child task awaited this way), and the step that runs next
 * closes the scope with [method@Coro.Timeout.exit], handing it the error it caught:
 *
 * |[<!-- language="C" -->
 * // async with asyncio.timeout (10): await long_running ()
 * static void
 * start (CoroTask *task, gpointer frame)
 * {
 *   Main *self = frame;
 *
 *   self->timeout = coro_timeout_new (10);
 *   coro_timeout_enter (self->timeout, task, NULL);
 *   coro_await_catch (task, long_running (), after);
 * }
 *
 * static void
 * after (CoroTask *task, gpointer frame)
 * {
 *   Main *self = frame;
 *   g_autoptr(GError) error = NULL;
 *   const GError *caught = coro_future_get_error (coro_task_get_awaited (task));
 *
 *   if (!coro_timeout_exit (self->timeout, caught, &error))
 *     {
 *       if (g_error_matches (error, CORO_ERROR, CORO_ERROR_TIMEOUT))
 *         g_print ("too slow\n");                          // except TimeoutError:
 *       else
 *         {
 *           coro_task_return_error (task, g_steal_pointer (&error));   // raise
 *           return;
 *         }
 *     }
 *   g_clear_object (&self->timeout);
 *   coro_task_return (task);
 * }
 * ]|
 *
 * Every [method@Coro.Timeout.enter] must be matched by an exit on every path. An
 * infinite deadline means none (asyncio's `None`). The armed timer keeps the scope
 * alive, as in asyncio.
 *
 * Since: 1.0
 */

typedef enum
{
  STATE_CREATED,
  STATE_ENTERED,
  STATE_EXPIRING,
  STATE_EXPIRED,
  STATE_EXITED,
} TimeoutState;

static const char *state_names[] = { "created", "active", "expiring", "expired", "finished" };

struct _CoroTimeout
{
  GObject       parent_instance;

  TimeoutState  state;
  double        when;
  CoroTask     *task;        /* while open */
  guint         cancelling;  /* the task's cancellation requests when entered */
  CoroHandle   *handle;
};

G_DEFINE_FINAL_TYPE (CoroTimeout, coro_timeout, G_TYPE_OBJECT)

static void
timeout_disarm (CoroTimeout *self)
{
  if (self->handle != NULL)
    {
      CoroHandle *handle = g_steal_pointer (&self->handle);

      coro_handle_cancel (handle);
      coro_handle_unref (handle);
    }
}

static void
timeout_release_task (CoroTimeout *self)
{
  CoroTask *task = g_steal_pointer (&self->task);

  if (task != NULL)
    coro_future_unref (CORO_FUTURE (task));
}

static void
coro_timeout_finalize (GObject *object)
{
  CoroTimeout *self = CORO_TIMEOUT (object);

  g_assert (self->handle == NULL); /* an armed timer holds a reference */
  timeout_release_task (self);

  G_OBJECT_CLASS (coro_timeout_parent_class)->finalize (object);
}

static void
coro_timeout_class_init (CoroTimeoutClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = coro_timeout_finalize;
}

static void
coro_timeout_init (CoroTimeout *self)
{
  self->when = INFINITY;
}

/**
 * coro_timeout_new:
 * @delay: seconds from now, on the loop's clock, or an infinite value for no deadline
 *
 * Creates a timeout scope whose deadline is @delay seconds from now (asyncio's
 * `timeout (delay)`): the clock starts at creation, not at [method@Coro.Timeout.enter].
 * A deadline already past when the scope is entered fires at the next loop pass.
 *
 * Returns: (transfer full): the scope, not entered yet
 *
 * Since: 1.0
 */
CoroTimeout *
coro_timeout_new (double delay)
{
  g_return_val_if_fail (!isnan (delay), NULL);

  if (!isfinite (delay))
    return coro_timeout_new_at (INFINITY);
  return coro_timeout_new_at (coro_loop_time (coro_loop_get_current ()) + delay);
}

/**
 * coro_timeout_new_at:
 * @when: the deadline on [method@Coro.Loop.time]'s clock, or an infinite value for
 *   none
 *
 * Creates a timeout scope with an absolute deadline (asyncio's `timeout_at (when)`).
 *
 * Returns: (transfer full): the scope, not entered yet
 *
 * Since: 1.0
 */
CoroTimeout *
coro_timeout_new_at (double when)
{
  CoroTimeout *self;

  g_return_val_if_fail (!isnan (when), NULL);

  self = g_object_new (CORO_TYPE_TIMEOUT, NULL);
  self->when = isfinite (when) ? when : INFINITY;
  return self;
}

static void
timeout_fired (gpointer user_data)
{
  CoroTimeout *self = user_data;

  g_assert (self->state == STATE_ENTERED);
  g_clear_pointer (&self->handle, coro_handle_unref);
  self->state = STATE_EXPIRING;
  coro_task_cancel (self->task, NULL);
}

static void
timeout_arm (CoroTimeout *self)
{
  CoroLoop *loop = coro_future_get_loop (CORO_FUTURE (self->task));

  timeout_disarm (self);
  if (!isfinite (self->when))
    return;
  if (self->when <= coro_loop_time (loop))
    self->handle = coro_loop_call_soon (loop, timeout_fired, g_object_ref (self), g_object_unref);
  else
    self->handle = coro_loop_call_at (loop, self->when, timeout_fired, g_object_ref (self),
                                      g_object_unref);
}

/**
 * coro_timeout_enter:
 * @timeout: a #CoroTimeout not entered yet
 * @task: (nullable): the task the scope belongs to, or %NULL for the running one
 *   ([func@Coro.current_task])
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Opens the scope (asyncio's `async with`): from now until [method@Coro.Timeout.exit],
 * @task is cancelled when the deadline passes. A scope is entered once.
 *
 * Returns: %TRUE, or %FALSE if the scope was entered before, there is no running task or
 *   @task is done
 *
 * Since: 1.0
 */
gboolean
coro_timeout_enter (CoroTimeout  *timeout,
                    CoroTask     *task,
                    GError      **error)
{
  g_return_val_if_fail (CORO_IS_TIMEOUT (timeout), FALSE);
  g_return_val_if_fail (task == NULL || coro_future_is_task (CORO_FUTURE (task)), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (timeout->state != STATE_CREATED)
    {
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                           "Timeout has already been entered");
      return FALSE;
    }
  if (task == NULL)
    task = coro_current_task ();
  if (task == NULL || coro_future_done (CORO_FUTURE (task)))
    {
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                           task == NULL ? "Timeout should be used inside a task"
                                        : "Timeout entered for a task that is done");
      return FALSE;
    }

  timeout->state = STATE_ENTERED;
  timeout->task = (CoroTask *) coro_future_ref (CORO_FUTURE (task));
  timeout->cancelling = coro_task_cancelling (task);
  timeout_arm (timeout);
  return TRUE;
}

/**
 * coro_timeout_exit:
 * @timeout: an entered #CoroTimeout
 * @caught: (nullable): the error the scope's body ended with, or %NULL if it succeeded
 * @error: return location for the error to go on with
 *
 * Closes the scope (the end of asyncio's `async with`). If the deadline passed and
 * the scope's own cancellation is the only one standing, a cancellation in @caught
 * becomes %CORO_ERROR_TIMEOUT; any other error is handed back as it is. Either way the
 * scope's cancellation request is withdrawn, as asyncio's `uncancel` does.
 *
 * Returns: %TRUE if @caught is %NULL; else %FALSE with @error set to the error to
 *   propagate (a copy of @caught, or the timeout). Also %FALSE with
 *   %CORO_ERROR_INVALID_STATE if the scope is not open.
 *
 * Since: 1.0
 */
gboolean
coro_timeout_exit (CoroTimeout   *timeout,
                   const GError  *caught,
                   GError       **error)
{
  g_return_val_if_fail (CORO_IS_TIMEOUT (timeout), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (timeout->state != STATE_ENTERED && timeout->state != STATE_EXPIRING)
    {
      if (timeout->state == STATE_CREATED)
        g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                             "Timeout has not been entered");
      else
        g_set_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                     "Timeout is already %s", state_names[timeout->state]);
      return FALSE;
    }

  timeout_disarm (timeout);
  if (timeout->state == STATE_EXPIRING)
    {
      timeout->state = STATE_EXPIRED;
      if (coro_task_uncancel (timeout->task) <= timeout->cancelling
          && coro_error_is_cancellation (caught))
        {
          timeout_release_task (timeout);
          g_set_error_literal (error, CORO_ERROR, CORO_ERROR_TIMEOUT, "Timed out");
          return FALSE;
        }
    }
  else
    timeout->state = STATE_EXITED;
  timeout_release_task (timeout);

  if (caught == NULL)
    return TRUE;
  g_propagate_error (error, g_error_copy (caught));
  return FALSE;
}

/**
 * coro_timeout_reschedule:
 * @timeout: an entered #CoroTimeout
 * @when: the new deadline on [method@Coro.Loop.time]'s clock, or an infinite value for
 *   none
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Moves the deadline of an open scope (asyncio's `Timeout.reschedule`). A deadline
 * already past fires at the next loop pass.
 *
 * Returns: %TRUE, or %FALSE if the scope is not open or has already expired
 *
 * Since: 1.0
 */
gboolean
coro_timeout_reschedule (CoroTimeout  *timeout,
                         double        when,
                         GError      **error)
{
  g_return_val_if_fail (CORO_IS_TIMEOUT (timeout), FALSE);
  g_return_val_if_fail (!isnan (when), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (timeout->state != STATE_ENTERED)
    {
      if (timeout->state == STATE_CREATED)
        g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                             "Timeout has not been entered");
      else
        g_set_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                     "Cannot change state of %s Timeout", state_names[timeout->state]);
      return FALSE;
    }
  timeout->when = isfinite (when) ? when : INFINITY;
  timeout_arm (timeout);
  return TRUE;
}

/**
 * coro_timeout_when:
 * @timeout: a #CoroTimeout
 *
 * Gets the deadline (asyncio's `Timeout.when`).
 *
 * Returns: the deadline on [method@Coro.Loop.time]'s clock, or infinity for none
 *
 * Since: 1.0
 */
double
coro_timeout_when (CoroTimeout *timeout)
{
  g_return_val_if_fail (CORO_IS_TIMEOUT (timeout), INFINITY);

  return timeout->when;
}

/**
 * coro_timeout_expired:
 * @timeout: a #CoroTimeout
 *
 * Tells whether the deadline passed while the scope was open (asyncio's
 * `Timeout.expired`).
 *
 * Returns: %TRUE once the scope has cancelled its task
 *
 * Since: 1.0
 */
gboolean
coro_timeout_expired (CoroTimeout *timeout)
{
  g_return_val_if_fail (CORO_IS_TIMEOUT (timeout), FALSE);

  return timeout->state == STATE_EXPIRING || timeout->state == STATE_EXPIRED;
}
