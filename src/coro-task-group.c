/* coro-task-group.c: structured concurrency (asyncio.TaskGroup)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-task-private.h"

/**
 * CoroTaskGroup:
 *
 * A set of tasks that end together: asyncio's `TaskGroup`. Tasks are added while the
 * group runs, from its parent task (the task running when the group was created) or
 * from its children; [method@Coro.TaskGroup.wait] (the end of asyncio's `async with`)
 * gives a future that is done once every child is done.
 *
 * The first child to fail cancels the others and, unless it is already waiting for the
 * group, the parent task, so that whatever the parent awaits inside the group's scope
 * stops too; the group withdraws that cancellation when it ends
 * ([func@Coro.task_uncancel]), so the parent sees the group's error, not a
 * cancellation. The group's future then fails with one %CORO_ERROR_TASK_GROUP error
 * whose message counts and lists the children's errors; each is read with
 * [method@Coro.TaskGroup.get_error]. A cancelled child is not an error.
 *
 * |[<!-- language="C" -->
 * // async with asyncio.TaskGroup () as tg:
 * //     tg.create_task (fetch ("a")); tg.create_task (fetch ("b"))
 * static void
 * start (CoroTask *task, gpointer frame)
 * {
 *   Main *self = frame;
 *
 *   self->group = coro_task_group_new ();
 *   CORO_TASK_GROUP_CREATE_TASK (self->group, NULL, fetch, Fetch, .url = "a");
 *   CORO_TASK_GROUP_CREATE_TASK (self->group, NULL, fetch, Fetch, .url = "b");
 *   coro_await_catch (task, coro_task_group_wait (self->group, NULL), done);
 * }
 * ]|
 *
 * If the body of the scope awaits something itself, the step after it passes the error
 * it caught (or %NULL) to [method@Coro.TaskGroup.wait], as `__aexit__` receives the
 * exception: an error aborts the group and is reported after the children's, a
 * cancellation of the parent aborts the group and is propagated once the children are
 * done unless they failed.
 *
 * A group is used once: adding a task to a group that is finished, or shutting down
 * after a failure, is a %CORO_ERROR_INVALID_STATE error (the task is not created), and
 * so is a second wait.
 *
 * Since: 1.0
 */

typedef struct
{
  CoroFuture     parent;
  CoroTaskGroup *group;
} GroupWait;

struct _CoroTaskGroup
{
  GObject     parent_instance;

  CoroLoop   *loop;
  CoroTask   *parent;            /* weak: cleared when it ends */
  GPtrArray  *tasks;             /* every child, one reference each */
  guint       n_pending;
  GPtrArray  *errors;            /* of GError */
  GError     *body_error;        /* given to wait(), reported after the children's */
  GError     *propagate_cancel;  /* the parent's cancellation, to propagate */
  GroupWait  *wait;              /* pending */
  gboolean    exiting;
  gboolean    aborting;
  gboolean    parent_cancel_requested;
  gboolean    finished;
};

G_DEFINE_FINAL_TYPE (CoroTaskGroup, coro_task_group, G_TYPE_OBJECT)

static void
coro_task_group_finalize (GObject *object)
{
  CoroTaskGroup *self = CORO_TASK_GROUP (object);

  g_assert (self->wait == NULL && self->parent == NULL);
  g_ptr_array_unref (self->tasks);
  g_ptr_array_unref (self->errors);
  g_clear_error (&self->body_error);
  g_clear_error (&self->propagate_cancel);

  G_OBJECT_CLASS (coro_task_group_parent_class)->finalize (object);
}

static void group_parent_ended (gpointer data);

/* The parent is the task running when the group is made, however it is made: by
 * coro_task_group_new () or by a binding's constructor (`Coro.TaskGroup ()`). */
static void
coro_task_group_constructed (GObject *object)
{
  CoroTaskGroup *self = CORO_TASK_GROUP (object);
  CoroTask *parent = coro_current_task ();

  G_OBJECT_CLASS (coro_task_group_parent_class)->constructed (object);

  self->loop = coro_loop_get_current ();
  if (parent != NULL && !coro_future_done (CORO_FUTURE (parent)))
    {
      self->parent = parent;
      coro_task_defer (parent, group_parent_ended, g_object_ref (self));
    }
}

static void
coro_task_group_class_init (CoroTaskGroupClass *klass)
{
  G_OBJECT_CLASS (klass)->constructed = coro_task_group_constructed;
  G_OBJECT_CLASS (klass)->finalize = coro_task_group_finalize;
}

static void
coro_task_group_init (CoroTaskGroup *self)
{
  self->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) coro_future_unref);
  self->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
}

static void
group_parent_ended (gpointer data)
{
  CoroTaskGroup *self = data;

  self->parent = NULL;
  g_object_unref (self);
}

/**
 * coro_task_group_new:
 *
 * Creates a task group whose parent is the running task, if any: asyncio's
 * `async with TaskGroup ()`. Outside a task (from a binding, or a done callback) the
 * group has no parent, and a failure only cancels the other children.
 *
 * Returns: (transfer full): the group, running
 *
 * Since: 1.0
 */
CoroTaskGroup *
coro_task_group_new (void)
{
  return g_object_new (CORO_TYPE_TASK_GROUP, NULL);
}

/**
 * coro_task_group_get_parent:
 * @group: a #CoroTaskGroup
 *
 * Gets the task that created the group, while it runs.
 *
 * Returns: (transfer none) (nullable): the parent task, or %NULL if the group was
 *   created outside a task or the parent has ended
 *
 * Since: 1.0
 */
CoroTask *
coro_task_group_get_parent (CoroTaskGroup *group)
{
  g_return_val_if_fail (CORO_IS_TASK_GROUP (group), NULL);

  return group->parent;
}

static void
group_abort (CoroTaskGroup *self)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();

  self->aborting = TRUE;
  /* A copy: a cancelled child may add a sibling... which the group refuses now, but a
   * cancel may still run code that touches the array. */
  for (guint i = 0; i < self->tasks->len; i++)
    if (!coro_future_done (self->tasks->pdata[i]))
      g_ptr_array_add (pending, self->tasks->pdata[i]);
  for (guint i = 0; i < pending->len; i++)
    coro_future_cancel (pending->pdata[i], NULL);
}

static char *
group_message (CoroTaskGroup *self)
{
  GString *message = g_string_new (NULL);

  g_string_printf (message, "unhandled errors in a task group (%u sub-error%s)",
                   self->errors->len, self->errors->len == 1 ? "" : "s");
  for (guint i = 0; i < self->errors->len; i++)
    g_string_append_printf (message, "%s%s", i == 0 ? ": " : "; ",
                            ((GError *) self->errors->pdata[i])->message);
  return g_string_free (message, FALSE);
}

/* Every child is done: the end of asyncio's TaskGroup._aexit. */
static void
group_finish (CoroTaskGroup *self)
{
  GroupWait *wait = g_steal_pointer (&self->wait);
  CoroFuture *future = &wait->parent;
  CoroTask *parent = self->parent;

  self->finished = TRUE;

  if (self->parent_cancel_requested && parent != NULL && coro_task_uncancel (parent) == 0)
    g_clear_error (&self->propagate_cancel);

  if (self->propagate_cancel != NULL && self->errors->len == 0)
    coro_future_set_cancelled (future, g_steal_pointer (&self->propagate_cancel));
  else
    {
      if (self->body_error != NULL)
        g_ptr_array_add (self->errors, g_steal_pointer (&self->body_error));

      if (self->errors->len > 0)
        {
          g_autofree char *message = group_message (self);

          coro_future_set_error (future,
                                 g_error_new_literal (CORO_ERROR, CORO_ERROR_TASK_GROUP, message),
                                 NULL);
          /* The parent was cancelled from outside as well: asyncio keeps the request
           * standing and delivers it again. Here the parent resumes cancelled; the
           * children's errors stay readable from the group. */
          if (parent != NULL && !coro_future_done (CORO_FUTURE (parent))
              && coro_task_cancelling (parent) > 0)
            {
              if (parent->awaiting == future)
                future->flags |= CORO_FUTURE_FLAG_RETRIEVED;
              coro_task_uncancel (parent);
              coro_task_cancel (parent, NULL);
            }
        }
      else
        coro_future_set_none (future, NULL);
    }
  coro_future_unref (future);
}

static void
group_child_done (CoroFuture *child,
                  gpointer    user_data)
{
  CoroTaskGroup *self = user_data;

  self->n_pending--;
  if (!coro_future_cancelled (child) && child->error != NULL)
    {
      child->flags |= CORO_FUTURE_FLAG_RETRIEVED;
      g_ptr_array_add (self->errors, g_error_copy (child->error));
      if (!self->aborting && !self->parent_cancel_requested)
        {
          group_abort (self);
          /* A parent that waits for the group already stops at the group. */
          if (!self->exiting && self->parent != NULL
              && !coro_future_done (CORO_FUTURE (self->parent)))
            {
              self->parent_cancel_requested = TRUE;
              coro_task_cancel (self->parent, NULL);
            }
        }
    }
  if (self->n_pending == 0 && self->wait != NULL)
    group_finish (self);
  g_object_unref (self);
}

static gboolean
group_check_open (CoroTaskGroup  *self,
                  GError        **error)
{
  if (self->finished || (self->exiting && self->n_pending == 0))
    {
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                           "The task group is finished");
      return FALSE;
    }
  if (self->aborting)
    {
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                           "The task group is shutting down");
      return FALSE;
    }
  return TRUE;
}

static void
group_add_child (CoroTaskGroup *self,
                 CoroFuture    *child)
{
  g_ptr_array_add (self->tasks, child);
  self->n_pending++;
  coro_future_add_waiter (child, group_child_done, g_object_ref (self));
}

/**
 * coro_task_group_create_task: (skip)
 * @group: a running #CoroTaskGroup
 * @step: the first step
 * @frame: (nullable): the initial frame, copied into the task's arena
 * @frame_size: the size of @frame in bytes
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Creates and schedules a task in @group (asyncio's `TaskGroup.create_task`); see
 * also CORO_TASK_GROUP_CREATE_TASK().
 *
 * Returns: (transfer none) (nullable): the task, owned by @group; %NULL with @error set,
 *   and no task created, if the group is finished or shutting down
 *
 * Since: 1.0
 */
CoroTask *
coro_task_group_create_task (CoroTaskGroup  *group,
                             CoroStep        step,
                             gconstpointer   frame,
                             gsize           frame_size,
                             GError        **error)
{
  CoroTask *task;

  g_return_val_if_fail (CORO_IS_TASK_GROUP (group), NULL);
  g_return_val_if_fail (step != NULL, NULL);

  if (!group_check_open (group, error))
    return NULL;
  task = coro_task_new (step, frame, frame_size);
  if (task == NULL)
    return NULL;
  coro_task_start (task);
  group_add_child (group, CORO_FUTURE (task));
  return task;
}

/**
 * coro_task_group_add:
 * @group: a running #CoroTaskGroup
 * @future: (transfer none): a task or any future, of the group's loop
 * @error: return location for a %CORO_ERROR_INVALID_STATE error
 *
 * Makes @future a child of @group: the group waits for it, cancels it on a failure and
 * reports its error. The group takes its own reference.
 *
 * Returns: %TRUE, or %FALSE with @error set if the group is finished or shutting down
 *
 * Since: 1.0
 */
gboolean
coro_task_group_add (CoroTaskGroup  *group,
                     CoroFuture     *future,
                     GError        **error)
{
  g_return_val_if_fail (CORO_IS_TASK_GROUP (group), FALSE);
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (future->loop == group->loop, FALSE);

  if (!group_check_open (group, error))
    return FALSE;
  group_add_child (group, coro_future_ref (future));
  return TRUE;
}

static gboolean
group_wait_cancel (CoroFuture *future,
                   const char *msg)
{
  CoroTaskGroup *self = ((GroupWait *) future)->group;

  /* asyncio's _aexit keeps waiting: a cancellation while the children run aborts them
   * and is propagated at the end. */
  if (!self->aborting)
    {
      if (self->propagate_cancel == NULL)
        self->propagate_cancel = coro_future_new_cancelled_error (msg);
      group_abort (self);
    }
  return TRUE;
}

static void
group_wait_finalize (CoroFuture *future)
{
  g_object_unref (((GroupWait *) future)->group);
}

static const CoroFutureClass group_wait_class = {
  .name = "TaskGroupWait",
  .cancel = group_wait_cancel,
  .finalize = group_wait_finalize,
};

/**
 * coro_task_group_wait:
 * @group: a #CoroTaskGroup
 * @body_error: (nullable): the error the body of the group's scope ended with, or
 *   %NULL
 *
 * Ends the group's scope (asyncio's `TaskGroup.__aexit__`): returns a future that is
 * done once every child is done. It succeeds if no child failed; it fails with
 * %CORO_ERROR_TASK_GROUP if some did (read them with
 * [method@Coro.TaskGroup.get_error]); it ends cancelled if the parent was cancelled
 * (a cancellation in @body_error, or the future itself cancelled, which aborts the
 * group) and no child failed. Tasks can still be added while it waits.
 *
 * Returns: (transfer full): the future; for a second call, a future failed with
 *   %CORO_ERROR_INVALID_STATE
 *
 * Since: 1.0
 */
CoroFuture *
coro_task_group_wait (CoroTaskGroup *group,
                      const GError  *body_error)
{
  GroupWait *wait;

  g_return_val_if_fail (CORO_IS_TASK_GROUP (group), NULL);

  if (group->exiting)
    return coro_future_new_failed (group->loop,
                                   g_error_new_literal (CORO_ERROR, CORO_ERROR_INVALID_STATE,
                                                        group->finished
                                                        ? "The task group is finished"
                                                        : "The task group is already waited for"));
  group->exiting = TRUE;

  if (body_error != NULL)
    {
      if (coro_error_is_cancellation (body_error))
        group->propagate_cancel = g_error_copy (body_error);
      else
        group->body_error = g_error_copy (body_error);
      if (!group->aborting)
        group_abort (group);
    }

  wait = coro_future_alloc (group->loop, &group_wait_class, sizeof (GroupWait));
  wait->group = g_object_ref (group);
  group->wait = (GroupWait *) coro_future_ref (&wait->parent);
  if (group->n_pending == 0)
    group_finish (group);
  return &wait->parent;
}

/**
 * coro_task_group_join:
 * @group: a #CoroTaskGroup
 *
 * The same as [method@Coro.TaskGroup.wait] with no body error: for a scope whose body
 * did not fail, and for bindings, which cannot pass a %NULL error.
 *
 * Returns: (transfer full): the future
 *
 * Since: 1.0
 */
CoroFuture *
coro_task_group_join (CoroTaskGroup *group)
{
  return coro_task_group_wait (group, NULL);
}

/**
 * coro_task_group_get_n_tasks:
 * @group: a #CoroTaskGroup
 *
 * Counts the children not done yet.
 *
 * Returns: the number of pending children
 *
 * Since: 1.0
 */
guint
coro_task_group_get_n_tasks (CoroTaskGroup *group)
{
  g_return_val_if_fail (CORO_IS_TASK_GROUP (group), 0);

  return group->n_pending;
}

/**
 * coro_task_group_get_n_errors:
 * @group: a #CoroTaskGroup
 *
 * Counts the errors gathered so far: those of the failed children, in the order they
 * failed, then the body's error given to [method@Coro.TaskGroup.wait], once the group
 * is finished.
 *
 * Returns: the number of errors
 *
 * Since: 1.0
 */
guint
coro_task_group_get_n_errors (CoroTaskGroup *group)
{
  g_return_val_if_fail (CORO_IS_TASK_GROUP (group), 0);

  return group->errors->len;
}

/**
 * coro_task_group_get_error:
 * @group: a #CoroTaskGroup
 * @index: which error, below [method@Coro.TaskGroup.get_n_errors]
 *
 * Reads one of the errors the group gathered (one of the exceptions of asyncio's
 * `ExceptionGroup`).
 *
 * Returns: (transfer none): the error, owned by @group
 *
 * Since: 1.0
 */
const GError *
coro_task_group_get_error (CoroTaskGroup *group,
                           guint          index)
{
  g_return_val_if_fail (CORO_IS_TASK_GROUP (group), NULL);
  g_return_val_if_fail (index < group->errors->len, NULL);

  return group->errors->pdata[index];
}
