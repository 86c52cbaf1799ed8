/* coro-task-closure.c: tasks driven by one function, for language bindings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A binding cannot write a chain of C steps, but it can drive a coroutine of its own
 * language (a Python generator, a JavaScript async function) one await at a time. A
 * closure task is a task with a single step that calls the binding's function, awaits
 * (with coro_await_catch()) whatever future it returns and runs the same step again. It is
 * built on the public task API only.
 */
#include "config.h"

#include "coro.h"

typedef struct
{
  CoroTaskFunc   func;
  gpointer       user_data;
} ClosureFrame;

static void
closure_step (CoroTask *task,
              gpointer  frame)
{
  ClosureFrame *self = frame;
  CoroFuture *next;

  next = self->func (task, self->user_data);
  /* A %NULL without a coro_task_return_*() call ends the task with
   * %CORO_ERROR_INVALID_STATE (coro-task.c checks every step for that); a future
   * returned by a function that also returned is a critical, and is released. */
  if (next != NULL)
    coro_await_catch (task, next, NULL);
}

/**
 * coro_task_new_closure: (rename-to coro_task_new)
 * @func: (scope notified) (closure user_data) (destroy destroy): the function that
 *   runs the task
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): releases @user_data
 *
 * Creates a task driven by @func, without scheduling it; start it with
 * [func@Coro.task_start]. This is how language bindings write coroutines: @func runs
 * when the task starts, and again each time the future it returned is done, until it
 * ends the task with a `coro_task_return_*()` function and returns %NULL. At each
 * re-entry [func@Coro.task_get_awaited] gives the future @func returned last, whatever
 * its outcome (succeeded, failed or cancelled, as with [func@Coro.await_catch]): @func
 * decides whether a failure ends the task, by returning it with
 * [func@Coro.task_return_error], or is caught. A cancellation of the task shows as a
 * cancelled awaited future. A future already done when @func returns it is handed back
 * at once, without a pass through the loop.
 *
 * If @func returns %NULL without ending the task, the task fails with
 * %CORO_ERROR_INVALID_STATE.
 *
 * @destroy is called with @user_data exactly once, when the task ends (however it ends,
 * before its outcome becomes visible, like [func@Coro.task_defer] clean-ups) or when the
 * task is finalized without having run.
 *
 * Returns: (transfer full): the new task
 *
 * Since: 1.0
 */
CoroTask *
coro_task_new_closure (CoroTaskFunc   func,
                       gpointer       user_data,
                       GDestroyNotify destroy)
{
  ClosureFrame frame = { func, user_data };
  CoroTask *task;

  /* Not g_return_val_if_fail(): @user_data is released first, as the caller expects. */
  if G_UNLIKELY (func == NULL)
    {
      g_critical ("coro_task_new_closure: the function is NULL");
      if (destroy != NULL)
        destroy (user_data);
      return NULL;
    }

  task = coro_task_new (closure_step, &frame, sizeof frame);
  if (destroy != NULL)
    coro_task_defer (task, destroy, user_data);
  return task;
}

/**
 * coro_create_task_closure: (rename-to coro_create_task)
 * @func: (scope notified) (closure user_data) (destroy destroy): the function that
 *   runs the task
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): releases @user_data
 *
 * Creates a task driven by @func and schedules it for the loop's next pass, like
 * asyncio's `create_task`; see [func@Coro.task_new_closure].
 *
 * Returns: (transfer full): the new task
 *
 * Since: 1.0
 */
CoroTask *
coro_create_task_closure (CoroTaskFunc   func,
                          gpointer       user_data,
                          GDestroyNotify destroy)
{
  CoroTask *task = coro_task_new_closure (func, user_data, destroy);

  if (task != NULL)
    coro_task_start (task);
  return task;
}
