/* coro-task-group.h: structured concurrency (asyncio.TaskGroup)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(CORO_INSIDE) && !defined(CORO_COMPILATION)
# error "Only <coro.h> can be included directly."
#endif

#include <glib-object.h>

#include "coro-task.h"
#include "coro-types.h"
#include "coro-version.h"

G_BEGIN_DECLS

#define CORO_TYPE_TASK_GROUP (coro_task_group_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroTaskGroup, coro_task_group, CORO, TASK_GROUP, GObject)

CORO_AVAILABLE_IN_ALL
CoroTaskGroup *coro_task_group_new          (void);
CORO_AVAILABLE_IN_ALL
CoroTask      *coro_task_group_get_parent   (CoroTaskGroup  *group);
CORO_AVAILABLE_IN_ALL
CoroTask      *coro_task_group_create_task  (CoroTaskGroup  *group,
                                             CoroStep        step,
                                             gconstpointer   frame,
                                             gsize           frame_size,
                                             GError        **error);
CORO_AVAILABLE_IN_ALL
gboolean       coro_task_group_add          (CoroTaskGroup  *group,
                                             CoroFuture     *future,
                                             GError        **error);
CORO_AVAILABLE_IN_ALL
CoroFuture    *coro_task_group_wait         (CoroTaskGroup  *group,
                                             const GError   *body_error) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture    *coro_task_group_join         (CoroTaskGroup  *group) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
guint          coro_task_group_get_n_tasks  (CoroTaskGroup  *group);
CORO_AVAILABLE_IN_ALL
guint          coro_task_group_get_n_errors (CoroTaskGroup  *group);
CORO_AVAILABLE_IN_ALL
const GError  *coro_task_group_get_error    (CoroTaskGroup  *group,
                                             guint           index);

/**
 * CORO_TASK_GROUP_CREATE_TASK:
 * @group: a #CoroTaskGroup
 * @error: return location for an error, or %NULL
 * @step: the first #CoroStep
 * @Type: the frame's type
 * @...: designated initializers for the frame's fields
 *
 * Creates a task in @group, like CORO_CREATE_TASK() does outside a group:
 *
 * |[<!-- language="C" -->
 * CORO_TASK_GROUP_CREATE_TASK (self->group, NULL, fetch, Fetch, .url = url);
 * ]|
 *
 * Returns: (transfer none) (nullable): the task, owned by @group
 *
 * Since: 1.0
 */
#define CORO_TASK_GROUP_CREATE_TASK(group, error, step, Type, ...) \
  coro_task_group_create_task ((group), (step), &(Type){ __VA_ARGS__ }, sizeof (Type), (error))

G_END_DECLS
