/* coro-task.h: coroutines as continuation chains over an arena frame
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(CORO_INSIDE) && !defined(CORO_COMPILATION)
# error "Only <coro.h> can be included directly."
#endif

#include <gio/gio.h>

#include "coro-future.h"
#include "coro-types.h"
#include "coro-version.h"

G_BEGIN_DECLS

/**
 * CORO_FUTURE:
 * @task: a #CoroTask
 *
 * Views a task as the future it is. No reference is taken.
 *
 * Since: 1.0
 */
#define CORO_FUTURE(task) ((CoroFuture *) (task))

/**
 * CoroStep:
 * @task: the running task
 * @frame: the task's frame, in the task's arena
 *
 * One step of a coroutine. A step ends by calling exactly one of
 * [func@Coro.await], [func@Coro.await_catch] or a `coro_task_return_*()` function,
 * then returning.
 *
 * Since: 1.0
 */
typedef void (*CoroStep) (CoroTask *task,
                          gpointer  frame);

CORO_AVAILABLE_IN_ALL
CoroTask     *coro_task_new              (CoroStep        step,
                                          gconstpointer   frame,
                                          gsize           frame_size) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroTask     *coro_create_task           (CoroStep        step,
                                          gconstpointer   frame,
                                          gsize           frame_size) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
void          coro_task_start            (CoroTask       *task);
CORO_AVAILABLE_IN_ALL
CoroTask     *coro_create_task_eager     (CoroStep        step,
                                          gconstpointer   frame,
                                          gsize           frame_size) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
void          coro_task_start_eager      (CoroTask       *task);

/**
 * CORO_CREATE_TASK:
 * @step: the first #CoroStep
 * @Type: the frame's type
 * @...: designated initializers for the frame's fields
 *
 * Creates and schedules a task whose frame is a `Type` initialized from the
 * remaining arguments, like asyncio's `create_task (coro (args))`:
 *
 * |[<!-- language="C" -->
 * CoroTask *t = CORO_CREATE_TASK (say_after, SayAfter, .what = "hello", .delay = 1.0);
 * ]|
 *
 * Returns: (transfer full): the new task
 *
 * Since: 1.0
 */
#define CORO_CREATE_TASK(step, Type, ...) \
  coro_create_task ((step), &(Type){ __VA_ARGS__ }, sizeof (Type))

/**
 * CORO_CREATE_TASK_EAGER:
 * @step: the first #CoroStep
 * @Type: the frame's type
 * @...: designated initializers for the frame's fields
 *
 * Like CORO_CREATE_TASK() but runs the first step at once; see
 * coro_create_task_eager().
 *
 * Returns: (transfer full): the new task
 *
 * Since: 1.0
 */
#define CORO_CREATE_TASK_EAGER(step, Type, ...) \
  coro_create_task_eager ((step), &(Type){ __VA_ARGS__ }, sizeof (Type))

/**
 * CORO_TASK_NEW:
 * @step: the first #CoroStep
 * @Type: the frame's type
 * @...: designated initializers for the frame's fields
 *
 * Like CORO_CREATE_TASK() but does not schedule the task; see coro_task_new().
 *
 * Returns: (transfer full): the new task
 *
 * Since: 1.0
 */
#define CORO_TASK_NEW(step, Type, ...) \
  coro_task_new ((step), &(Type){ __VA_ARGS__ }, sizeof (Type))

CORO_AVAILABLE_IN_ALL
void          coro_await                 (CoroTask       *task,
                                          CoroFuture     *future,
                                          CoroStep        next);
CORO_AVAILABLE_IN_ALL
void          coro_await_catch           (CoroTask       *task,
                                          CoroFuture     *future,
                                          CoroStep        next);
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_task_get_awaited      (CoroTask       *task);

CORO_AVAILABLE_IN_ALL
void          coro_task_return           (CoroTask       *task);
CORO_AVAILABLE_IN_ALL
void          coro_task_return_int       (CoroTask       *task,
                                          gint64          value);
CORO_AVAILABLE_IN_ALL
void          coro_task_return_double    (CoroTask       *task,
                                          double          value);
CORO_AVAILABLE_IN_ALL
void          coro_task_return_boolean   (CoroTask       *task,
                                          gboolean        value);
CORO_AVAILABLE_IN_ALL
void          coro_task_return_string    (CoroTask       *task,
                                          const char     *value);
CORO_AVAILABLE_IN_ALL
void          coro_task_return_pointer   (CoroTask       *task,
                                          gpointer        value,
                                          GDestroyNotify  destroy);
CORO_AVAILABLE_IN_ALL
void          coro_task_return_object    (CoroTask       *task,
                                          gpointer        object);
CORO_AVAILABLE_IN_ALL
void          coro_task_return_value     (CoroTask       *task,
                                          const GValue   *value);
CORO_AVAILABLE_IN_ALL
void          coro_task_return_error     (CoroTask       *task,
                                          GError         *error);
CORO_AVAILABLE_IN_ALL
void          coro_task_return_new_error (CoroTask       *task,
                                          GQuark          domain,
                                          int             code,
                                          const char     *format,
                                          ...) G_GNUC_PRINTF (4, 5);
CORO_AVAILABLE_IN_ALL
void          coro_task_return_future    (CoroTask       *task,
                                          CoroFuture     *future);

CORO_AVAILABLE_IN_ALL
void          coro_task_defer            (CoroTask       *task,
                                          GDestroyNotify  func,
                                          gpointer        data);
CORO_AVAILABLE_IN_ALL
gpointer      coro_task_alloc            (CoroTask       *task,
                                          gsize           size);
CORO_AVAILABLE_IN_ALL
gpointer      coro_task_alloc0           (CoroTask       *task,
                                          gsize           size);
CORO_AVAILABLE_IN_ALL
gpointer      coro_task_get_frame        (CoroTask       *task);

CORO_AVAILABLE_IN_ALL
gboolean      coro_task_cancel           (CoroTask       *task,
                                          const char     *msg);
CORO_AVAILABLE_IN_ALL
guint         coro_task_cancelling       (CoroTask       *task);
CORO_AVAILABLE_IN_ALL
guint         coro_task_uncancel         (CoroTask       *task);
CORO_AVAILABLE_IN_ALL
GCancellable *coro_task_get_cancellable  (CoroTask       *task);

CORO_AVAILABLE_IN_ALL
const char   *coro_task_get_name         (CoroTask       *task);
CORO_AVAILABLE_IN_ALL
void          coro_task_set_name         (CoroTask       *task,
                                          const char     *name);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_is_task        (CoroFuture     *future);
CORO_AVAILABLE_IN_ALL
CoroTask     *coro_current_task          (void);
CORO_AVAILABLE_IN_ALL
GPtrArray    *coro_all_tasks             (void);

/* Closure tasks: coroutines for language bindings (coro-task-closure.c) */

/**
 * CoroTaskFunc:
 * @task: the running task
 * @user_data: (closure): the data given to [func@Coro.task_new_closure]
 *
 * One step of a closure task. It runs when the task starts and again each time the
 * future it returned last is done; that future is then readable with
 * [func@Coro.task_get_awaited], succeeded, failed or cancelled, as after
 * [func@Coro.await_catch].
 *
 * Returns: (transfer full) (nullable): the next future to await, or %NULL once the
 *   function has ended the task with a `coro_task_return_*()` function
 *
 * Since: 1.0
 */
typedef CoroFuture *(*CoroTaskFunc) (CoroTask *task,
                                     gpointer  user_data);

CORO_AVAILABLE_IN_ALL
CoroTask     *coro_task_new_closure      (CoroTaskFunc    func,
                                          gpointer        user_data,
                                          GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroTask     *coro_create_task_closure   (CoroTaskFunc    func,
                                          gpointer        user_data,
                                          GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
