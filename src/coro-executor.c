/* coro-executor.c: blocking work in thread pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-future-private.h"

/**
 * CoroExecutor:
 *
 * A pool of worker threads for blocking work: asyncio's executors
 * (`concurrent.futures.ThreadPoolExecutor`), on a [struct@GLib.ThreadPool].
 *
 * [method@Coro.Executor.submit] runs a [callback@Coro.ExecutorFunc] in a worker and
 * returns a future of the calling thread's loop, completed on the loop's thread (through
 * the loop's thread-safe inbox) with the outcome the function gave its private result
 * future. At most `max_workers` jobs run at once; the others wait in FIFO order.
 *
 * Each loop has a default executor, created on first use with asyncio's size
 * (min (32, CPUs + 4) workers): [func@Coro.run_in_executor] and [func@Coro.to_thread]
 * use it, [method@Coro.Loop.set_default_executor] replaces it and
 * [method@Coro.Loop.shutdown_default_executor] shuts it down.
 *
 * |[<!-- language="C" -->
 * static void
 * checksum (CoroFuture *result, GCancellable *cancellable, gpointer user_data)
 * {
 *   coro_future_set_string (result, compute_checksum (user_data), NULL);  // blocking
 * }
 *
 * g_autoptr(CoroExecutor) executor = coro_executor_new (2);
 * coro_await (task, coro_executor_submit (executor, checksum, path, NULL), print_sum);
 * ]|
 *
 * Since: 1.0
 */

struct _CoroExecutor
{
  GObject      parent_instance;

  guint        max_workers;
  GMutex       lock;           /* the pool against shutdown */
  GThreadPool *pool;           /* NULL once shut down */
  gint         cancel_pending; /* atomic: shutdown (cancel_futures): skip queued jobs */
};

G_DEFINE_FINAL_TYPE (CoroExecutor, coro_executor, G_TYPE_OBJECT)

typedef struct
{
  CoroFuture        parent;
  GCancellable     *cancellable;
} ExecutorFuture;

typedef struct
{
  CoroExecutorFunc  func;
  gpointer          user_data;
  GDestroyNotify    destroy;
  CoroLoop         *loop;
  CoroExecutor     *executor;
  ExecutorFuture   *future; /* touched on the loop's thread only */
  CoroFuture       *result; /* private to the worker until it posts back */
  GCancellable     *cancellable;
  gboolean          dropped; /* skipped by a shutdown that cancels pending jobs */
} Job;

static gboolean
executor_cancel (CoroFuture *future,
                 const char *msg)
{
  ExecutorFuture *self = (ExecutorFuture *) future;

  /* Like asyncio's wrapped concurrent future: the waiter is released at once; the
   * worker is asked to stop and its late result is dropped. */
  g_cancellable_cancel (self->cancellable);
  return coro_future_cancel_default (future, msg);
}

static void
executor_finalize (CoroFuture *future)
{
  g_clear_object (&((ExecutorFuture *) future)->cancellable);
}

static const CoroFutureClass executor_class = {
  .name = "Executor",
  .cancel = executor_cancel,
  .finalize = executor_finalize,
};

static void
job_free (Job *job)
{
  if (job->destroy != NULL)
    job->destroy (job->user_data);
  coro_future_unref (job->result);
  coro_future_unref (&job->future->parent);
  g_object_unref (job->cancellable);
  g_object_unref (job->executor);
  g_free (job);
}

/* On the loop's thread. */
static void
job_complete (gpointer a,
              gpointer b)
{
  Job *job = a;
  CoroFuture *future = &job->future->parent;

  g_atomic_int_add (&job->loop->in_flight, -1);

  if (coro_future_is_pending (future))
    {
      if (job->dropped)
        coro_future_cancel (future, "The executor was shut down");
      else if (coro_future_is_pending (job->result))
        coro_future_set_none (future, NULL);
      else
        coro_future_forward (future, job->result);
    }
  else if (job->result->error != NULL)
    {
      /* Cancelled meanwhile: like asyncio, the worker's late error is dropped. */
      job->result->flags |= CORO_FUTURE_FLAG_RETRIEVED;
    }
  job_free (job);
}

static void
worker (gpointer data,
        gpointer pool_data)
{
  Job *job = data;
  CoroExecutor *executor = pool_data;

  if (g_atomic_int_get (&executor->cancel_pending))
    job->dropped = TRUE;
  else if (!g_cancellable_is_cancelled (job->cancellable))
    job->func (job->result, job->cancellable, job->user_data);
  coro_loop_post (job->loop, job_complete, job, NULL);
}

static void
coro_executor_finalize (GObject *object)
{
  CoroExecutor *self = CORO_EXECUTOR (object);

  /* Every job holds a reference: none is left, so this does not block. */
  coro_executor_shutdown (self, TRUE, FALSE);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (coro_executor_parent_class)->finalize (object);
}

static void
coro_executor_class_init (CoroExecutorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = coro_executor_finalize;
}

static void
coro_executor_init (CoroExecutor *self)
{
  g_mutex_init (&self->lock);
}

/**
 * coro_executor_new:
 * @max_workers: the most jobs that run at once, or 0 for asyncio's default,
 *   min (32, CPUs + 4)
 *
 * Creates an executor whose workers come from GLib's shared threads, at most
 * @max_workers at a time (asyncio's `ThreadPoolExecutor (max_workers)`).
 *
 * Returns: (transfer full): a new executor
 *
 * Since: 1.0
 */
CoroExecutor *
coro_executor_new (guint max_workers)
{
  CoroExecutor *self = g_object_new (CORO_TYPE_EXECUTOR, NULL);

  if (max_workers == 0)
    max_workers = MIN (32, g_get_num_processors () + 4);
  self->max_workers = max_workers;
  /* Not exclusive: threads are shared with the rest of the process and reused. */
  self->pool = g_thread_pool_new (worker, self, (int) max_workers, FALSE, NULL);
  return self;
}

/**
 * coro_executor_get_max_workers:
 * @executor: a #CoroExecutor
 *
 * Gets how many jobs of @executor may run at once.
 *
 * Returns: the worker limit
 *
 * Since: 1.0
 */
guint
coro_executor_get_max_workers (CoroExecutor *executor)
{
  g_return_val_if_fail (CORO_IS_EXECUTOR (executor), 0);

  return executor->max_workers;
}

/**
 * coro_executor_is_shutdown:
 * @executor: a #CoroExecutor
 *
 * Tells whether [method@Coro.Executor.shutdown] was called.
 *
 * Returns: %TRUE once @executor takes no more jobs
 *
 * Since: 1.0
 */
gboolean
coro_executor_is_shutdown (CoroExecutor *executor)
{
  gboolean shut;

  g_return_val_if_fail (CORO_IS_EXECUTOR (executor), FALSE);

  g_mutex_lock (&executor->lock);
  shut = executor->pool == NULL;
  g_mutex_unlock (&executor->lock);
  return shut;
}

/**
 * coro_executor_submit:
 * @executor: a #CoroExecutor
 * @func: (scope notified) (closure user_data) (destroy destroy): the blocking function
 * @user_data: data for @func
 * @destroy: (nullable): releases @user_data on the loop's thread once the job is over
 *
 * Runs @func in a worker of @executor (asyncio's `run_in_executor (executor, …)`) and
 * returns a future of the calling thread's loop, completed on the loop's thread with the
 * outcome @func gave its private result future; leaving that unset gives a result of
 * none. The loop keeps running meanwhile.
 *
 * Cancelling the returned future cancels it at once and cancels the #GCancellable
 * handed to @func; a job that has not started yet is skipped, and a result that comes
 * in afterwards is dropped. After [method@Coro.Executor.shutdown] the future fails with
 * %CORO_ERROR_INVALID_STATE and @func never runs.
 *
 * Returns: (transfer full): the job's future
 *
 * Since: 1.0
 */
CoroFuture *
coro_executor_submit (CoroExecutor     *executor,
                      CoroExecutorFunc  func,
                      gpointer          user_data,
                      GDestroyNotify    destroy)
{
  CoroLoop *loop;
  ExecutorFuture *future;
  Job *job;
  GError *error = NULL;

  g_return_val_if_fail (CORO_IS_EXECUTOR (executor), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  loop = coro_loop_get_current ();
  future = coro_future_alloc (loop, &executor_class, sizeof (ExecutorFuture));
  future->cancellable = g_cancellable_new ();

  job = g_new0 (Job, 1);
  job->func = func;
  job->user_data = user_data;
  job->destroy = destroy;
  job->loop = loop;
  job->executor = g_object_ref (executor);
  job->future = (ExecutorFuture *) coro_future_ref (&future->parent);
  job->cancellable = g_object_ref (future->cancellable);
  /* Not on any loop's queue: nothing is scheduled when the worker completes it. */
  job->result = coro_future_new_for_loop (loop);

  coro_loop_hold (loop);
  g_mutex_lock (&executor->lock);
  if (executor->pool == NULL)
    g_set_error_literal (&error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                         "Cannot run new jobs after the executor was shut down");
  else
    g_thread_pool_push (executor->pool, job, &error);
  g_mutex_unlock (&executor->lock);

  if (error != NULL)
    {
      g_atomic_int_add (&loop->in_flight, -1);
      coro_future_set_error (&future->parent, error, NULL);
      job_free (job);
    }
  return &future->parent;
}

/**
 * coro_executor_shutdown:
 * @executor: a #CoroExecutor
 * @wait: whether to block until every job taken has run
 * @cancel_futures: whether to skip the jobs that have not started, cancelling their
 *   futures
 *
 * Stops @executor from taking jobs (`concurrent.futures.Executor.shutdown`): later
 * submissions fail with %CORO_ERROR_INVALID_STATE. Jobs already taken still run unless
 * @cancel_futures skips those that have not started; their futures are cancelled. With
 * @wait the call blocks until the workers are done with every job (their results reach
 * the loop in a later pass); do not wait on a loop's thread for jobs that need that loop
 * to run. Calling it again does nothing more.
 *
 * [method@Coro.Loop.shutdown_default_executor] is the way to wait without blocking.
 *
 * Since: 1.0
 */
void
coro_executor_shutdown (CoroExecutor *executor,
                        gboolean      wait,
                        gboolean      cancel_futures)
{
  GThreadPool *pool;

  g_return_if_fail (CORO_IS_EXECUTOR (executor));

  if (cancel_futures)
    g_atomic_int_set (&executor->cancel_pending, TRUE);
  g_mutex_lock (&executor->lock);
  pool = g_steal_pointer (&executor->pool);
  g_mutex_unlock (&executor->lock);
  /* Not immediate: queued jobs are still handed to a worker, which skips them if
   * cancel_futures asked to, so that each job posts back and is released. */
  if (pool != NULL)
    g_thread_pool_free (pool, FALSE, wait);
}

static CoroExecutor *
get_default_executor (CoroLoop  *loop,
                      GError   **error)
{
  if (loop->default_executor_shutdown)
    {
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                           "The loop's default executor was shut down");
      return NULL;
    }
  if (loop->default_executor == NULL)
    loop->default_executor = coro_executor_new (0);
  return loop->default_executor;
}

/**
 * coro_run_in_executor:
 * @func: (scope notified) (closure user_data) (destroy destroy): the blocking function
 * @user_data: data for @func
 * @destroy: (nullable): releases @user_data on the loop's thread once the job is over
 *
 * Runs @func in a worker of the calling thread's loop's default executor (asyncio's
 * `run_in_executor (None, …)`); see [method@Coro.Executor.submit]. After
 * [method@Coro.Loop.shutdown_default_executor] the future fails with
 * %CORO_ERROR_INVALID_STATE.
 *
 * |[<!-- language="C" -->
 * static void
 * blocking_io (CoroFuture *result, GCancellable *cancellable, gpointer user_data)
 * {
 *   g_usleep (G_USEC_PER_SEC);
 *   coro_future_set_string (result, "done", NULL);
 * }
 *
 * coro_await (task, coro_run_in_executor (blocking_io, NULL, NULL), print_result);
 * ]|
 *
 * Returns: (transfer full): the job's future
 *
 * Since: 1.0
 */
CoroFuture *
coro_run_in_executor (CoroExecutorFunc func,
                      gpointer         user_data,
                      GDestroyNotify   destroy)
{
  CoroLoop *loop;
  CoroExecutor *executor;
  GError *error = NULL;

  g_return_val_if_fail (func != NULL, NULL);

  loop = coro_loop_get_current ();
  executor = get_default_executor (loop, &error);
  if (executor == NULL)
    {
      if (destroy != NULL)
        destroy (user_data);
      return coro_future_new_failed (loop, error);
    }
  return coro_executor_submit (executor, func, user_data, destroy);
}

typedef struct
{
  GThreadFunc    func;
  gpointer       data;
  GDestroyNotify destroy;
} ToThread;

static void
to_thread_run (CoroFuture   *result,
               GCancellable *cancellable,
               gpointer      user_data)
{
  ToThread *call = user_data;

  coro_future_set_pointer (result, call->func (call->data), NULL, NULL);
}

static void
to_thread_free (gpointer user_data)
{
  ToThread *call = user_data;

  if (call->destroy != NULL)
    call->destroy (call->data);
  g_free (call);
}

/**
 * coro_to_thread: (skip)
 * @func: a blocking function, as given to [ctor@GLib.Thread.new]
 * @data: data for @func
 * @destroy: (nullable): releases @data on the loop's thread once the call is over
 *
 * Calls `func (data)` in a worker of the default executor and returns a future whose
 * result is the pointer it returned (asyncio's `to_thread`): read it with
 * [method@Coro.Future.get_pointer]. The future does not own that pointer; a result
 * that needs freeing calls for [func@Coro.run_in_executor] and a destroy notify.
 *
 * Returns: (transfer full): the call's future
 *
 * Since: 1.0
 */
CoroFuture *
coro_to_thread (GThreadFunc    func,
                gpointer       data,
                GDestroyNotify destroy)
{
  ToThread *call;

  g_return_val_if_fail (func != NULL, NULL);

  call = g_new (ToThread, 1);
  call->func = func;
  call->data = data;
  call->destroy = destroy;
  return coro_run_in_executor (to_thread_run, call, to_thread_free);
}

/**
 * coro_loop_set_default_executor:
 * @loop: a #CoroLoop
 * @executor: (nullable): the executor, or %NULL for a new default one on next use
 *
 * Sets the executor [func@Coro.run_in_executor] and [func@Coro.to_thread] use on @loop
 * (asyncio's `set_default_executor`). The previous one is released, not shut down:
 * its jobs run on. Setting one after [method@Coro.Loop.shutdown_default_executor] makes
 * the loop take jobs again.
 *
 * Since: 1.0
 */
void
coro_loop_set_default_executor (CoroLoop     *loop,
                                CoroExecutor *executor)
{
  g_return_if_fail (CORO_IS_LOOP (loop));
  g_return_if_fail (executor == NULL || CORO_IS_EXECUTOR (executor));

  g_set_object (&loop->default_executor, executor);
  loop->default_executor_shutdown = FALSE;
}

typedef struct
{
  CoroLoop     *loop;
  CoroExecutor *executor;
  CoroFuture   *future;
} Shutdown;

static void
shutdown_done (gpointer a,
               gpointer b)
{
  Shutdown *shutdown = a;

  g_atomic_int_add (&shutdown->loop->in_flight, -1);
  if (coro_future_is_pending (shutdown->future))
    coro_future_set_none (shutdown->future, NULL);
  coro_future_unref (shutdown->future);
  g_object_unref (shutdown->executor);
  g_free (shutdown);
}

static gpointer
shutdown_thread (gpointer data)
{
  Shutdown *shutdown = data;

  coro_executor_shutdown (shutdown->executor, TRUE, FALSE);
  coro_loop_post (shutdown->loop, shutdown_done, shutdown, NULL);
  return NULL;
}

/**
 * coro_loop_shutdown_default_executor:
 * @loop: a #CoroLoop
 *
 * Shuts down @loop's default executor and returns a future that completes once its
 * jobs have all run, without blocking the loop (asyncio's `shutdown_default_executor`):
 * the wait happens in a thread of its own. From then on [func@Coro.run_in_executor]
 * and [func@Coro.to_thread] fail with %CORO_ERROR_INVALID_STATE, until
 * [method@Coro.Loop.set_default_executor] gives the loop a new executor. Results of
 * the last jobs reach their futures before the returned future completes.
 *
 * Returns: (transfer full): a future that completes when the executor is idle
 *
 * Since: 1.0
 */
CoroFuture *
coro_loop_shutdown_default_executor (CoroLoop *loop)
{
  Shutdown *shutdown;
  CoroFuture *future;

  g_return_val_if_fail (CORO_IS_LOOP (loop), NULL);

  loop->default_executor_shutdown = TRUE;
  if (loop->default_executor == NULL)
    return coro_future_new_done (loop);

  future = coro_future_new_for_loop (loop);
  shutdown = g_new (Shutdown, 1);
  shutdown->loop = loop;
  shutdown->executor = g_steal_pointer (&loop->default_executor);
  shutdown->future = coro_future_ref (future);
  coro_loop_hold (loop);
  g_thread_unref (g_thread_new ("coro-executor-shutdown", shutdown_thread, shutdown));
  return future;
}
