/* coro-executor.c: blocking work in a thread pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-future-private.h"

/* One shared pool, like asyncio's default executor: min (32, CPUs + 4) workers. */
static GThreadPool *default_pool;

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
  ExecutorFuture   *future; /* touched on the loop's thread only */
  CoroFuture       *result; /* private to the worker until it posts back */
  GCancellable     *cancellable;
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
      if (coro_future_is_pending (job->result))
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

  if (!g_cancellable_is_cancelled (job->cancellable))
    job->func (job->result, job->cancellable, job->user_data);
  coro_loop_post (job->loop, job_complete, job, NULL);
}

static GThreadPool *
get_default_pool (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      int workers = MIN (32, (int) g_get_num_processors () + 4);

      default_pool = g_thread_pool_new (worker, NULL, workers, FALSE, NULL);
      g_once_init_leave (&initialized, 1);
    }
  return default_pool;
}

/**
 * coro_run_in_executor:
 * @func: (scope notified) (closure user_data) (destroy destroy): the blocking function
 * @user_data: data for @func
 * @destroy: (nullable): releases @user_data on the loop's thread once the job is over
 *
 * Runs @func in a worker thread of the shared pool (asyncio's `run_in_executor` with
 * the default executor) and returns a future that completes, on the loop's thread, with
 * the outcome @func gave its private result future. The loop keeps running meanwhile.
 *
 * Cancelling the returned future cancels it at once and cancels the #GCancellable
 * handed to @func; a job that has not started yet is skipped, and a result that comes
 * in afterwards is dropped.
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
  ExecutorFuture *future;
  Job *job;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (func != NULL, NULL);

  loop = coro_loop_get_current ();
  future = coro_future_alloc (loop, &executor_class, sizeof (ExecutorFuture));
  future->cancellable = g_cancellable_new ();

  job = g_new0 (Job, 1);
  job->func = func;
  job->user_data = user_data;
  job->destroy = destroy;
  job->loop = loop;
  job->future = (ExecutorFuture *) coro_future_ref (&future->parent);
  job->cancellable = g_object_ref (future->cancellable);
  /* Not on any loop's queue: nothing is scheduled when the worker completes it. */
  job->result = coro_future_new_for_loop (loop);

  coro_loop_hold (loop);
  if (!g_thread_pool_push (get_default_pool (), job, &error))
    {
      g_atomic_int_add (&loop->in_flight, -1);
      coro_future_set_error (&future->parent, g_steal_pointer (&error), NULL);
      job_free (job);
    }
  return &future->parent;
}
