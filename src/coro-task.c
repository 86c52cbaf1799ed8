/* coro-task.c: coroutines as continuation chains over an arena frame
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "coro-task-private.h"

/**
 * CoroTask:
 *
 * A coroutine scheduled on a loop: asyncio's `Task`. A task is a [struct@Coro.Future]
 * ([func@Coro.FUTURE] views it as one), completed by its own steps.
 *
 * C has no `await`, so a coroutine is written as a chain of [callback@Coro.Step]
 * functions over a *frame*: the struct holding what would be the coroutine's local
 * variables. The frame is copied into the task's arena when the task is created. Each
 * step ends by awaiting a future, naming the step that continues once the future is
 * done, or by returning the task's result:
 *
 * |[<!-- language="C" -->
 * typedef struct { const char *what; double delay; } SayAfter;
 *
 * static void say_after_print (CoroTask *task, gpointer frame);
 *
 * static void
 * say_after (CoroTask *task, gpointer frame)          // async def say_after (delay, what):
 * {
 *   SayAfter *f = frame;
 *   coro_await (task, coro_sleep (f->delay), say_after_print);   //   await asyncio.sleep (delay)
 * }
 *
 * static void
 * say_after_print (CoroTask *task, gpointer frame)
 * {
 *   SayAfter *f = frame;
 *   g_print ("%s\n", f->what);                                   //   print (what)
 *   coro_task_return (task);
 * }
 *
 * CoroTask *t = CORO_CREATE_TASK (say_after, SayAfter, .what = "hello", .delay = 1.0);
 * ]|
 *
 * [func@Coro.await] consumes the future it is given. If that future fails, the task
 * fails with the same error without running the next step, as an exception propagates
 * through `await`; [func@Coro.await_catch] runs the next step in every case, which reads
 * the outcome from [func@Coro.task_get_awaited]. Awaiting a future that is already done
 * continues at once, without a pass through the loop and without growing the C stack.
 *
 * Cancellation follows asyncio: [func@Coro.task_cancel] cancels the future the task is
 * awaiting, so the task sees %CORO_ERROR_CANCELLED at its next step and ends cancelled
 * unless it catches it. Each task also has a [class@Gio.Cancellable], cancelled with it,
 * to hand to GIO calls.
 *
 * Memory: the task, its future, its frame and the start of its arena share one
 * allocation from the loop's pool. [func@Coro.task_alloc] hands out memory that lives
 * until the task ends, and [func@Coro.task_defer] registers clean-ups that run, last
 * first, when it ends in any way. The loop holds a reference to every task until it
 * ends, so a task whose creator drops its reference still runs to completion.
 *
 * Since: 1.0
 */

struct _CoroDefer
{
  CoroDefer     *next;
  GDestroyNotify func;
  gpointer       data;
};

#define TASK_HEADER_SIZE CORO_ALIGN_UP (sizeof (CoroTask))

static CORO_THREAD_LOCAL CoroTask *current_task;

static gboolean task_cancel   (CoroFuture *future,
                               const char *msg);
static void     task_finalize (CoroFuture *future);

static const CoroFutureClass task_class = {
  .name = "Task",
  .cancel = task_cancel,
  .finalize = task_finalize,
};

static void task_resume (CoroTask *task);

/* The timer of a sleep the task adopted (coro_sleep_adopt): queued, it holds a reference
 * on the task, as the sleep's held one on the sleep. */
#define TASK_OF_TIMER(t) ((CoroTask *) ((guint8 *) (t) - G_STRUCT_OFFSET (CoroTask, timer)))

static void
task_timer_fired (CoroTimer *timer)
{
  CoroTask *task = TASK_OF_TIMER (timer);

  task->flags &= ~CORO_TASK_SLEEPING;
  task->flags |= CORO_TASK_SLEPT;
  task_resume (task);
  coro_future_unref (CORO_FUTURE (task));
}

static void
task_timer_unref (CoroTimer *timer)
{
  coro_future_unref (CORO_FUTURE (TASK_OF_TIMER (timer)));
}

/* The loop goes away: the task stays suspended, on no sleep now. */
static void
task_timer_discard (CoroTimer *timer)
{
  CoroTask *task = TASK_OF_TIMER (timer);

  task->flags &= ~CORO_TASK_SLEEPING;
  coro_future_unref (CORO_FUTURE (task));
}

/* Through the ready queue, in deadline order, as the sleep's done callback would have. */
static const CoroTimerClass task_timer_class = {
  .fire = task_timer_fired,
  .unref = task_timer_unref,
  .discard = task_timer_discard,
  .fire_at_once = FALSE,
};

static inline gpointer
task_frame (CoroTask *task)
{
  return (guint8 *) task + TASK_HEADER_SIZE;
}

static CoroTaskExtra *
task_extra (CoroTask *task)
{
  if G_UNLIKELY (task->extra == NULL)
    {
      CoroPool *pool = &task->parent.loop->pool;

      task->extra = coro_pool_alloc (pool, coro_pool_size_for (sizeof (CoroTaskExtra)));
      memset (task->extra, 0, sizeof (CoroTaskExtra));
    }
  return task->extra;
}

static inline const char *
task_cancel_msg (CoroTask *task)
{
  return task->extra != NULL ? task->extra->cancel_msg : NULL;
}

static inline void
task_clear_cancel_msg (CoroTask *task)
{
  if (task->extra != NULL)
    g_clear_pointer (&task->extra->cancel_msg, g_free);
}

static inline gboolean
is_task (CoroFuture *future)
{
  return future != NULL && (future->flags & CORO_FUTURE_FLAG_TASK) != 0;
}

/**
 * coro_future_is_task:
 * @future: a #CoroFuture
 *
 * Tells whether @future is a task.
 *
 * Returns: %TRUE if @future is a [alias@Coro.Task]
 *
 * Since: 1.0
 */
gboolean
coro_future_is_task (CoroFuture *future)
{
  g_return_val_if_fail (future != NULL, FALSE);

  return is_task (future);
}

/**
 * coro_task_new: (skip)
 * @step: the first step
 * @frame: (nullable): the initial frame, copied into the task's arena
 * @frame_size: the size of @frame in bytes
 *
 * Creates a task on the calling thread's loop without scheduling it; start it with
 * [func@Coro.task_start]. The frame is copied, 16-byte aligned, and lives as long as the
 * task. With a %NULL @frame, @frame_size zeroed bytes are reserved.
 *
 * Returns: (transfer full): the new task
 *
 * Since: 1.0
 */
CoroTask *
coro_task_new (CoroStep      step,
               gconstpointer frame,
               gsize         frame_size)
{
  CoroLoop *loop;
  CoroTask *task;
  gsize size;

  g_return_val_if_fail (step != NULL, NULL);
  g_return_val_if_fail (frame_size < G_MAXUINT / 2, NULL);

  loop = coro_loop_get_current ();
  size = TASK_HEADER_SIZE + CORO_ALIGN_UP (frame_size);
  task = coro_future_alloc (loop, &task_class, size);
  task->parent.flags |= CORO_FUTURE_FLAG_TASK;
  task->step = step;
  task->id = ++loop->next_task_id;
  task->timer.klass = &task_timer_class;
  task->timer.index = CORO_TIMER_NOT_QUEUED;

  if (frame != NULL && frame_size > 0)
    memcpy (task_frame (task), frame, frame_size);
  return task;
}

static void
task_run (gpointer a,
          gpointer b);
static void
task_resume (CoroTask *task);

/* The loop holds a reference on a started task until it ends. */
static void
task_register (CoroTask *task)
{
  task->flags |= CORO_TASK_SCHEDULED;
  coro_future_ref (CORO_FUTURE (task));
  coro_loop_register_task (task->parent.loop, task);
}

/**
 * coro_task_start:
 * @task: a task made by [func@Coro.task_new] and not started yet
 *
 * Schedules the task's first step for the loop's next pass. From now on the loop holds a
 * reference to the task until it ends.
 *
 * Since: 1.0
 */
void
coro_task_start (CoroTask *task)
{
  g_return_if_fail (is_task (CORO_FUTURE (task)));

  if (task->flags & (CORO_TASK_SCHEDULED | CORO_TASK_STARTED))
    {
      g_critical ("coro_task_start: task ‘%s’ was already started", coro_task_get_name (task));
      return;
    }

  task_register (task);
  coro_loop_push (task->parent.loop, task_run, task, NULL);
}

/**
 * coro_create_task: (skip)
 * @step: the first step
 * @frame: (nullable): the initial frame, copied into the task's arena
 * @frame_size: the size of @frame in bytes
 *
 * Creates a task and schedules its first step for the loop's next pass (asyncio's
 * `create_task`). See also CORO_CREATE_TASK().
 *
 * Returns: (transfer full): the new task
 *
 * Since: 1.0
 */
CoroTask *
coro_create_task (CoroStep      step,
                  gconstpointer frame,
                  gsize         frame_size)
{
  CoroTask *task = coro_task_new (step, frame, frame_size);

  if (task != NULL)
    coro_task_start (task);
  return task;
}

/**
 * coro_task_start_eager: (skip)
 * @task: a task made by [func@Coro.task_new] and not started yet
 *
 * Starts the task eagerly (asyncio 3.12's eager task factory): when called on the
 * loop's thread while the loop runs (from a step or a callback), the task's first
 * step runs now, inside this call, as the current task, and its steps go on for as
 * long as the futures they await are done. A task that does not finish that way is an
 * ordinary scheduled task from then on. Outside a running loop this is
 * [func@Coro.task_start], as asyncio falls back to scheduling. Either way the task is
 * a future like any other, registered and cancellable.
 *
 * Since: 1.0
 */
void
coro_task_start_eager (CoroTask *task)
{
  g_return_if_fail (is_task (CORO_FUTURE (task)));

  if (coro_loop_get_running () != task->parent.loop
      || (task->flags & (CORO_TASK_SCHEDULED | CORO_TASK_STARTED)))
    {
      coro_task_start (task);
      return;
    }

  task_register (task);
  task_resume (task);
}

/**
 * coro_create_task_eager: (skip)
 * @step: the first step
 * @frame: (nullable): the initial frame, copied into the task's arena
 * @frame_size: the size of @frame in bytes
 *
 * Creates a task and runs its first step at once; see [func@Coro.task_start_eager]
 * and CORO_CREATE_TASK_EAGER(). A task whose steps need not wait is done when this
 * returns.
 *
 * Returns: (transfer full): the new task
 *
 * Since: 1.0
 */
CoroTask *
coro_create_task_eager (CoroStep      step,
                        gconstpointer frame,
                        gsize         frame_size)
{
  CoroTask *task = coro_task_new (step, frame, frame_size);

  if (task != NULL)
    coro_task_start_eager (task);
  return task;
}

/* Ending */

static void
run_defers (CoroTask *task)
{
  while (task->extra != NULL && task->extra->defers != NULL)
    {
      CoroDefer *defer = task->extra->defers;

      task->extra->defers = defer->next;
      defer->func (defer->data);
    }
}

/* The result or error is already stored in the future's fields: run the clean-ups
 * first, as `finally` blocks run before a task's result is visible, then complete. */
static void
task_end (CoroTask *task)
{
  CoroFuture *future = CORO_FUTURE (task);
  CoroLoop *loop = future->loop;

  task->flags |= CORO_TASK_STARTED;
  run_defers (task);
  if (task->extra != NULL)
    coro_arena_release (&task->extra->arena, &loop->pool);
  g_clear_pointer (&task->awaiting, coro_future_unref);
  g_clear_pointer (&task->next_await, coro_future_unref);

  /* A cancellation requested while the last step ran still wins, as in asyncio. */
  if (task->flags & CORO_TASK_MUST_CANCEL)
    {
      coro_future_clear_result (future);
      g_clear_error (&future->error);
      future->error = coro_future_new_cancelled_error (task_cancel_msg (task));
      task->flags &= ~CORO_TASK_MUST_CANCEL;
    }
  task_clear_cancel_msg (task);

  if (coro_error_is_cancellation (future->error))
    future->state = CORO_FUTURE_CANCELLED;
  else
    future->state = CORO_FUTURE_FINISHED;
  coro_future_mark_done (future);

  if (task->flags & CORO_TASK_SCHEDULED)
    {
      task->flags &= ~CORO_TASK_SCHEDULED;
      coro_loop_unregister_task (loop, task);
      coro_future_unref (future);
    }
}

static void
task_end_error (CoroTask *task,
                GError   *error)
{
  coro_future_clear_result (CORO_FUTURE (task));
  g_clear_error (&task->parent.error);
  task->parent.error = error;
  task_end (task);
}

/* Driving */

static void
task_wakeup (CoroFuture *future,
             gpointer    user_data);

/* Runs the task's steps for as long as the futures they await are already done: a
 * trampoline, so a million done futures in a row cost no stack and no pass. */
static void
task_resume (CoroTask *task)
{
  CoroTask *previous = current_task;

  if G_UNLIKELY (task->parent.loop->debug)
    coro_loop_debug_note_task (task->parent.loop, task);

  for (;;)
    {
      CoroFuture *awaited;

      if (task->flags & CORO_TASK_MUST_CANCEL)
        {
          GError *cancel = coro_future_new_cancelled_error (task_cancel_msg (task));

          task->flags &= ~CORO_TASK_MUST_CANCEL;
          task_clear_cancel_msg (task);
          if (!(task->flags & CORO_TASK_STARTED))
            {
              /* asyncio throws into a coroutine that never ran: no step runs. */
              task_end_error (task, cancel);
              break;
            }
          /* The await the task is resuming from raises the cancellation, whatever the
           * awaited future's own outcome; asyncio has read its error by then. Only an
           * error: a lock or item handed to the future was not seen, and goes back. */
          if (task->awaiting != NULL && task->awaiting->error != NULL)
            task->awaiting->flags |= CORO_FUTURE_FLAG_RETRIEVED;
          g_clear_pointer (&task->awaiting, coro_future_unref);
          task->awaiting = coro_future_alloc (task->parent.loop, &coro_future_class,
                                              sizeof (CoroFuture));
          task->awaiting->state = CORO_FUTURE_CANCELLED;
          task->awaiting->error = cancel;
        }

      awaited = task->awaiting;
      if (awaited != NULL && !(task->flags & CORO_TASK_CATCH) && awaited->error != NULL)
        {
          awaited->flags |= CORO_FUTURE_FLAG_RETRIEVED;
          task_end_error (task, g_error_copy (awaited->error));
          break;
        }

      /* The step sees the awaited future: whatever it, or the future it forwards (a
       * wait_for's get), was handed (a lock, a queue item) is now the task's, and is
       * not given back when the future goes. */
      if (awaited != NULL)
        coro_future_mark_seen (awaited);

      task->flags |= CORO_TASK_STARTED | CORO_TASK_IN_STEP;
      task->flags &= ~(CORO_TASK_AWAITED | CORO_TASK_CATCH | CORO_TASK_RETURNED);
      current_task = task;
      task->step (task, task_frame (task));
      current_task = previous;
      task->flags &= ~(CORO_TASK_IN_STEP | CORO_TASK_SLEPT);

      if (task->flags & CORO_TASK_RETURNED)
        {
          task_end (task);
          break;
        }
      if (!(task->flags & CORO_TASK_AWAITED))
        {
          task_end_error (task,
                          g_error_new (CORO_ERROR, CORO_ERROR_INVALID_STATE,
                                       "A step of task ‘%s’ returned without awaiting a "
                                       "future or setting the task's result",
                                       coro_task_get_name (task)));
          break;
        }

      g_clear_pointer (&task->awaiting, coro_future_unref);
      task->awaiting = g_steal_pointer (&task->next_await);
      awaited = task->awaiting;

      if (awaited->state == CORO_FUTURE_PENDING)
        {
          if (!(task->flags & CORO_TASK_MUST_CANCEL) && coro_sleep_adopt (awaited, &task->timer))
            {
              coro_future_ref (CORO_FUTURE (task)); /* the heap's */
              g_clear_pointer (&task->awaiting, coro_future_unref);
              task->flags |= CORO_TASK_SLEEPING;
              break;
            }
          coro_future_add_waiter (awaited, task_wakeup, task);
          /* A cancel requested while the step ran reaches the future it now awaits. */
          if ((task->flags & CORO_TASK_MUST_CANCEL) && coro_future_cancel (awaited, task_cancel_msg (task)))
            {
              task->flags &= ~CORO_TASK_MUST_CANCEL;
              task_clear_cancel_msg (task);
            }
          break;
        }
      if (awaited->flags & CORO_FUTURE_FLAG_YIELD)
        {
          coro_loop_push (task->parent.loop, task_run, task, NULL);
          break;
        }
    }
}

static void
task_run (gpointer a,
          gpointer b)
{
  task_resume (a);
}

static void
task_wakeup (CoroFuture *future,
             gpointer    user_data)
{
  task_resume (user_data);
}

/* Awaiting */

static gboolean
check_in_step (CoroTask   *task,
               const char *func)
{
  if G_UNLIKELY (!is_task (CORO_FUTURE (task)))
    {
      g_critical ("%s: %p is not a task", func, (void *) task);
      return FALSE;
    }
  if G_UNLIKELY (current_task != task || !(task->flags & CORO_TASK_IN_STEP))
    {
      g_critical ("%s: task ‘%s’ is not running a step; this must be called from one of "
                  "its steps", func, coro_task_get_name (task));
      return FALSE;
    }
  if G_UNLIKELY (task->flags & (CORO_TASK_AWAITED | CORO_TASK_RETURNED))
    {
      g_critical ("%s: task ‘%s’ already %s in this step; a step awaits or returns once",
                  func, coro_task_get_name (task),
                  (task->flags & CORO_TASK_AWAITED) ? "awaited" : "returned");
      return FALSE;
    }
  return TRUE;
}

static void
await_common (CoroTask   *task,
              CoroFuture *future,
              CoroStep    next,
              gboolean    catch,
              const char *func)
{
  if G_UNLIKELY (future == NULL)
    {
      g_critical ("%s: the future is NULL", func);
      return;
    }
  if (!check_in_step (task, func))
    {
      coro_future_unref (future);
      return;
    }
  if G_UNLIKELY (future == CORO_FUTURE (task))
    {
      g_critical ("%s: task ‘%s’ cannot await itself", func, coro_task_get_name (task));
      coro_future_unref (future);
      return;
    }
  if G_UNLIKELY (future->loop != task->parent.loop)
    {
      g_critical ("%s: task ‘%s’ awaits a future of another loop", func,
                  coro_task_get_name (task));
      coro_future_unref (future);
      return;
    }

  task->flags |= CORO_TASK_AWAITED;
  if (catch)
    task->flags |= CORO_TASK_CATCH;
  task->next_await = future;
  if (next != NULL)
    task->step = next;
}

/**
 * coro_await: (skip)
 * @task: the running task
 * @future: (transfer full): the future to wait for
 * @next: (nullable): the step to run once @future is done, or %NULL to run the
 *   current step again
 *
 * Ends the current step by awaiting @future (asyncio's `await`). When @future succeeds,
 * @next runs and can read it with [func@Coro.task_get_awaited]; when it fails or is
 * cancelled, the task ends with the same error (cancelled, for a cancellation) and @next
 * does not run. If @future is already done, @next runs at once.
 *
 * Call it once per step, from a step of @task; anything else is a programming error
 * reported with a critical (and @future is released).
 *
 * Since: 1.0
 */
void
coro_await (CoroTask   *task,
            CoroFuture *future,
            CoroStep    next)
{
  await_common (task, future, next, FALSE, "coro_await");
}

/**
 * coro_await_catch: (skip)
 * @task: the running task
 * @future: (transfer full): the future to wait for
 * @next: (nullable): the step to run once @future is done, or %NULL to run the
 *   current step again
 *
 * Like [func@Coro.await], but @next runs however @future ended: this is `try: await
 * future except …`. @next reads the outcome from [func@Coro.task_get_awaited], and if
 * the task itself was cancelled meanwhile, it sees a cancelled future there. A step that
 * carries on after a cancellation has caught it; see [func@Coro.task_uncancel].
 *
 * Since: 1.0
 */
void
coro_await_catch (CoroTask   *task,
                  CoroFuture *future,
                  CoroStep    next)
{
  await_common (task, future, next, TRUE, "coro_await_catch");
}

/**
 * coro_task_get_awaited:
 * @task: the running task
 *
 * Returns the future the previous step awaited, now done: read its result with the
 * `coro_future_get_*()` functions. It stays valid until the current step ends.
 *
 * Returns: (transfer none) (nullable): the awaited future, or %NULL in a first step
 *
 * Since: 1.0
 */
CoroFuture *
coro_task_get_awaited (CoroTask *task)
{
  g_return_val_if_fail (is_task (CORO_FUTURE (task)), NULL);

  /* The sleep it adopted is gone; what the step sees is a sleep's outcome. */
  if G_UNLIKELY (task->awaiting == NULL && (task->flags & CORO_TASK_SLEPT))
    {
      task->awaiting = coro_future_new_done (task->parent.loop);
      task->awaiting->flags |= CORO_FUTURE_FLAG_RETRIEVED;
    }
  return task->awaiting;
}

/* Returning */

static gboolean
begin_return (CoroTask   *task,
              const char *func)
{
  if (!check_in_step (task, func))
    return FALSE;
  task->flags |= CORO_TASK_RETURNED;
  coro_future_clear_result (CORO_FUTURE (task));
  g_clear_error (&task->parent.error);
  return TRUE;
}

/**
 * coro_task_return:
 * @task: the running task
 *
 * Ends the task with no value (a coroutine that returns `None`). Like every
 * `coro_task_return_*()` function it ends the current step, instead of an await.
 *
 * Since: 1.0
 */
void
coro_task_return (CoroTask *task)
{
  begin_return (task, "coro_task_return");
}

/**
 * coro_task_return_int:
 * @task: the running task
 * @value: the result
 *
 * Ends the task with an integer result.
 *
 * Since: 1.0
 */
void
coro_task_return_int (CoroTask *task,
                      gint64    value)
{
  if (!begin_return (task, "coro_task_return_int"))
    return;
  task->parent.kind = CORO_RESULT_INT;
  task->parent.result.v_int = value;
}

/**
 * coro_task_return_double:
 * @task: the running task
 * @value: the result
 *
 * Ends the task with a floating-point result.
 *
 * Since: 1.0
 */
void
coro_task_return_double (CoroTask *task,
                         double    value)
{
  if (!begin_return (task, "coro_task_return_double"))
    return;
  task->parent.kind = CORO_RESULT_DOUBLE;
  task->parent.result.v_double = value;
}

/**
 * coro_task_return_boolean:
 * @task: the running task
 * @value: the result
 *
 * Ends the task with a boolean result.
 *
 * Since: 1.0
 */
void
coro_task_return_boolean (CoroTask *task,
                          gboolean  value)
{
  if (!begin_return (task, "coro_task_return_boolean"))
    return;
  task->parent.kind = CORO_RESULT_BOOLEAN;
  task->parent.result.v_boolean = !!value;
}

/**
 * coro_task_return_string:
 * @task: the running task
 * @value: (nullable): the result, copied
 *
 * Ends the task with a copy of a string.
 *
 * Since: 1.0
 */
void
coro_task_return_string (CoroTask   *task,
                         const char *value)
{
  if (!begin_return (task, "coro_task_return_string"))
    return;
  task->parent.kind = CORO_RESULT_STRING;
  task->parent.result.v_string = g_strdup (value);
}

/**
 * coro_task_return_pointer: (skip)
 * @task: the running task
 * @value: (nullable): the result, owned by the task from now on
 * @destroy: (nullable): releases @value when the task is finalized
 *
 * Ends the task with a pointer. On misuse (not in a step), @value is released at once.
 *
 * Since: 1.0
 */
void
coro_task_return_pointer (CoroTask       *task,
                          gpointer        value,
                          GDestroyNotify  destroy)
{
  if (!begin_return (task, "coro_task_return_pointer"))
    {
      if (destroy != NULL)
        destroy (value);
      return;
    }
  task->parent.kind = CORO_RESULT_POINTER;
  task->parent.result.v_pointer.data = value;
  task->parent.result.v_pointer.destroy = destroy;
}

/**
 * coro_task_return_object:
 * @task: the running task
 * @object: (type GObject.Object): the result; the task takes a reference
 *
 * Ends the task with a #GObject.
 *
 * Since: 1.0
 */
void
coro_task_return_object (CoroTask *task,
                         gpointer  object)
{
  g_return_if_fail (G_IS_OBJECT (object));

  if (!begin_return (task, "coro_task_return_object"))
    return;
  task->parent.kind = CORO_RESULT_OBJECT;
  task->parent.result.v_object = g_object_ref (object);
}

/**
 * coro_task_return_value:
 * @task: the running task
 * @value: the result, copied
 *
 * Ends the task with a copy of a #GValue.
 *
 * Since: 1.0
 */
void
coro_task_return_value (CoroTask     *task,
                        const GValue *value)
{
  g_return_if_fail (G_IS_VALUE (value));

  if (!begin_return (task, "coro_task_return_value"))
    return;
  task->parent.kind = CORO_RESULT_VALUE;
  task->parent.result.v_value = g_new0 (GValue, 1);
  g_value_init (task->parent.result.v_value, G_VALUE_TYPE (value));
  g_value_copy (value, task->parent.result.v_value);
}

/**
 * coro_task_return_error:
 * @task: the running task
 * @error: (transfer full): the error the task fails with
 *
 * Ends the task with an error (a coroutine raising an exception). A cancellation
 * error (%CORO_ERROR_CANCELLED or %G_IO_ERROR_CANCELLED) ends it cancelled, as
 * re-raising `CancelledError` does.
 *
 * Since: 1.0
 */
void
coro_task_return_error (CoroTask *task,
                        GError   *error)
{
  g_return_if_fail (error != NULL);

  if (!begin_return (task, "coro_task_return_error"))
    {
      g_error_free (error);
      return;
    }
  task->parent.error = error;
}

/**
 * coro_task_return_new_error: (skip)
 * @task: the running task
 * @domain: the error domain
 * @code: the error code
 * @format: printf()-style format of the message
 * @...: arguments for @format
 *
 * Ends the task with a new error; see [func@Coro.task_return_error].
 *
 * Since: 1.0
 */
void
coro_task_return_new_error (CoroTask   *task,
                            GQuark      domain,
                            int         code,
                            const char *format,
                            ...)
{
  va_list args;
  GError *error;

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  coro_task_return_error (task, error);
}

static void
return_forwarded (CoroTask *task,
                  gpointer  frame)
{
  CoroFuture *awaited = task->awaiting;

  if (!begin_return (task, "coro_task_return_future"))
    return;
  if (awaited->error != NULL)
    {
      awaited->flags |= CORO_FUTURE_FLAG_RETRIEVED;
      task->parent.error = g_error_copy (awaited->error);
      return;
    }
  while (awaited->kind == CORO_RESULT_FORWARD)
    awaited = awaited->result.v_forward;
  task->parent.kind = CORO_RESULT_FORWARD;
  task->parent.result.v_forward = coro_future_ref (awaited);
}

/**
 * coro_task_return_future:
 * @task: the running task
 * @future: (transfer full): the future whose outcome becomes the task's
 *
 * Ends the task with whatever @future ends with, once it is done: `return await
 * future`. This ends the current step like an await does.
 *
 * Since: 1.0
 */
void
coro_task_return_future (CoroTask   *task,
                         CoroFuture *future)
{
  await_common (task, future, return_forwarded, TRUE, "coro_task_return_future");
}

/* Memory */

/**
 * coro_task_defer: (skip)
 * @task: a task that has not ended
 * @func: the clean-up function
 * @data: (nullable): its argument
 *
 * Registers a clean-up that runs when @task ends, whichever way: success, error or
 * cancellation. Clean-ups run last registered first, before the task's result becomes
 * visible, like `finally` blocks.
 *
 * Since: 1.0
 */
void
coro_task_defer (CoroTask       *task,
                 GDestroyNotify  func,
                 gpointer        data)
{
  CoroTaskExtra *extra;
  CoroDefer *defer;

  g_return_if_fail (is_task (CORO_FUTURE (task)));
  g_return_if_fail (func != NULL);
  g_return_if_fail (coro_future_is_pending (CORO_FUTURE (task)));

  extra = task_extra (task);
  defer = coro_arena_alloc (&extra->arena, &task->parent.loop->pool, sizeof (CoroDefer));
  defer->func = func;
  defer->data = data;
  defer->next = extra->defers;
  extra->defers = defer;
}

/**
 * coro_task_alloc: (skip)
 * @task: a task that has not ended
 * @size: bytes to allocate
 *
 * Allocates from the task's arena: 16-byte aligned memory that lives until the task
 * ends, then is reused. There is no free; nothing allocated here needs releasing.
 *
 * Returns: (transfer none): the memory, uninitialized
 *
 * Since: 1.0
 */
gpointer
coro_task_alloc (CoroTask *task,
                 gsize     size)
{
  g_return_val_if_fail (is_task (CORO_FUTURE (task)), NULL);
  g_return_val_if_fail (coro_future_is_pending (CORO_FUTURE (task)), NULL);

  return coro_arena_alloc (&task_extra (task)->arena, &task->parent.loop->pool, size);
}

/**
 * coro_task_alloc0: (skip)
 * @task: a task that has not ended
 * @size: bytes to allocate
 *
 * Like [func@Coro.task_alloc], with the memory zeroed.
 *
 * Returns: (transfer none): the memory, zeroed
 *
 * Since: 1.0
 */
gpointer
coro_task_alloc0 (CoroTask *task,
                  gsize     size)
{
  gpointer mem = coro_task_alloc (task, size);

  if (mem != NULL)
    memset (mem, 0, size);
  return mem;
}

/**
 * coro_task_get_frame: (skip)
 * @task: a #CoroTask
 *
 * Gets the task's frame.
 *
 * Returns: (transfer none): the task's frame, as passed to each step
 *
 * Since: 1.0
 */
gpointer
coro_task_get_frame (CoroTask *task)
{
  g_return_val_if_fail (is_task (CORO_FUTURE (task)), NULL);

  return task_frame (task);
}

/* Cancellation */

static gboolean
task_cancel (CoroFuture *future,
             const char *msg)
{
  CoroTask *task = (CoroTask *) future;

  task->num_cancels_requested++;
  if (task->extra != NULL && task->extra->cancellable != NULL)
    g_cancellable_cancel (task->extra->cancellable);

  if (coro_future_done (future))
    return TRUE; /* a GCancellable handler ended it */

  if (!(task->flags & CORO_TASK_IN_STEP) && task->awaiting != NULL
      && coro_future_is_pending (task->awaiting)
      && coro_future_cancel (task->awaiting, msg))
    return TRUE;

  /* An adopted sleep still queued is cancelled as the sleep would be: its timer goes and
   * the task wakes at the next pass, to see the cancellation. */
  if ((task->flags & CORO_TASK_SLEEPING) && task->timer.index != CORO_TIMER_NOT_QUEUED)
    {
      coro_loop_remove_timer (future->loop, &task->timer); /* the loop holds the task too */
      task->flags &= ~CORO_TASK_SLEEPING;
      coro_loop_push (future->loop, task_run, task, NULL);
    }

  task->flags |= CORO_TASK_MUST_CANCEL;
  g_free (task_extra (task)->cancel_msg);
  task->extra->cancel_msg = g_strdup (msg);
  return TRUE;
}

/**
 * coro_task_cancel:
 * @task: a #CoroTask
 * @msg: (nullable): a message for the %CORO_ERROR_CANCELLED error
 *
 * Asks @task to stop (asyncio's `Task.cancel`): the future it awaits is cancelled, or, if
 * it is about to run, its next step sees a cancellation instead of the awaited result. A
 * task cancelled before its first step never runs. Its [class@Gio.Cancellable] is
 * cancelled as well. The same as [method@Coro.Future.cancel] on the task.
 *
 * Returns: %FALSE if @task was already done, else %TRUE
 *
 * Since: 1.0
 */
gboolean
coro_task_cancel (CoroTask   *task,
                  const char *msg)
{
  g_return_val_if_fail (is_task (CORO_FUTURE (task)), FALSE);

  return coro_future_cancel (CORO_FUTURE (task), msg);
}

/**
 * coro_task_cancelling:
 * @task: a #CoroTask
 *
 * Counts the cancellation requests still standing against @task.
 *
 * Returns: how many cancellation requests @task has had, less those withdrawn by
 *   [func@Coro.task_uncancel] (asyncio's `cancelling`)
 *
 * Since: 1.0
 */
guint
coro_task_cancelling (CoroTask *task)
{
  g_return_val_if_fail (is_task (CORO_FUTURE (task)), 0);

  return task->num_cancels_requested;
}

/**
 * coro_task_uncancel:
 * @task: a #CoroTask
 *
 * Withdraws one cancellation request (asyncio's `uncancel`), for code that caught a
 * cancellation it caused itself, such as a timeout. When the count reaches zero a
 * cancellation not yet delivered is dropped. The task's [class@Gio.Cancellable] stays
 * cancelled.
 *
 * Returns: the remaining number of requests
 *
 * Since: 1.0
 */
guint
coro_task_uncancel (CoroTask *task)
{
  g_return_val_if_fail (is_task (CORO_FUTURE (task)), 0);

  if (task->num_cancels_requested > 0)
    task->num_cancels_requested--;
  if (task->num_cancels_requested == 0)
    {
      task->flags &= ~CORO_TASK_MUST_CANCEL;
      task_clear_cancel_msg (task);
    }
  return task->num_cancels_requested;
}

/**
 * coro_task_get_cancellable:
 * @task: a #CoroTask
 *
 * Returns the task's #GCancellable, created on first use, to pass to GIO calls made
 * on the task's behalf: it is cancelled when the task is.
 *
 * Returns: (transfer none): the task's cancellable
 *
 * Since: 1.0
 */
GCancellable *
coro_task_get_cancellable (CoroTask *task)
{
  g_return_val_if_fail (is_task (CORO_FUTURE (task)), NULL);

  if (task_extra (task)->cancellable == NULL)
    {
      task->extra->cancellable = g_cancellable_new ();
      if (task->num_cancels_requested > 0 || coro_future_cancelled (CORO_FUTURE (task)))
        g_cancellable_cancel (task->extra->cancellable);
    }
  return task->extra->cancellable;
}

/* Introspection */

/**
 * coro_task_get_name:
 * @task: a #CoroTask
 *
 * Gets the task's name (asyncio's `get_name`).
 *
 * Returns: (transfer none): the task's name; `Task-N` unless one was set, N counting the tasks
 *   created on its loop
 *
 * Since: 1.0
 */
const char *
coro_task_get_name (CoroTask *task)
{
  g_return_val_if_fail (is_task (CORO_FUTURE (task)), NULL);

  if (task_extra (task)->name == NULL)
    task->extra->name = g_strdup_printf ("Task-%u", task->id);
  return task->extra->name;
}

/**
 * coro_task_set_name:
 * @task: a #CoroTask
 * @name: (nullable): the new name, or %NULL for the default `Task-N`
 *
 * Names the task, for debugging and error messages.
 *
 * Since: 1.0
 */
void
coro_task_set_name (CoroTask   *task,
                    const char *name)
{
  g_return_if_fail (is_task (CORO_FUTURE (task)));

  g_free (task_extra (task)->name);
  task->extra->name = g_strdup (name);
}

/**
 * coro_current_task:
 *
 * Gets the task running now (asyncio's `current_task`).
 *
 * Returns: (transfer none) (nullable): the task whose step is running on this thread,
 *   or %NULL outside a step
 *
 * Since: 1.0
 */
CoroTask *
coro_current_task (void)
{
  return current_task;
}

/**
 * coro_all_tasks:
 *
 * Lists the tasks of the calling thread's loop that have started and not ended.
 *
 * Returns: (transfer full) (element-type CoroTask): the tasks
 *
 * Since: 1.0
 */
GPtrArray *
coro_all_tasks (void)
{
  CoroLoop *loop = coro_loop_get_current ();
  GPtrArray *tasks = g_ptr_array_new_full (loop->n_tasks, (GDestroyNotify) coro_future_unref);

  for (CoroTask *task = loop->tasks; task != NULL; task = task->loop_next)
    g_ptr_array_add (tasks, coro_future_ref (CORO_FUTURE (task)));
  return tasks;
}

static void
task_finalize (CoroFuture *future)
{
  CoroTask *task = (CoroTask *) future;

  /* Only a task that never started can get here with clean-ups left. */
  run_defers (task);
  g_clear_pointer (&task->awaiting, coro_future_unref);
  g_clear_pointer (&task->next_await, coro_future_unref);
  if (task->extra != NULL)
    {
      CoroTaskExtra *extra = task->extra;

      coro_arena_release (&extra->arena, &future->loop->pool);
      g_clear_object (&extra->cancellable);
      g_clear_pointer (&extra->name, g_free);
      g_clear_pointer (&extra->cancel_msg, g_free);
      coro_pool_free (&future->loop->pool, extra, coro_pool_size_for (sizeof (CoroTaskExtra)));
      task->extra = NULL;
    }
}
