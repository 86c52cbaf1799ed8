/* coro-executor.h: blocking work in a thread pool
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
 * CoroExecutorFunc:
 * @result: a private future the function completes with `coro_future_set_*()`;
 *   it belongs to the worker thread until the function returns
 * @cancellable: cancelled when the future returned by [func@Coro.run_in_executor] is
 *   cancelled
 * @user_data: the data given to [func@Coro.run_in_executor]
 *
 * Blocking work run in a worker thread. Leaving @result unset gives a result of none.
 *
 * Since: 1.0
 */
typedef void (*CoroExecutorFunc) (CoroFuture   *result,
                                  GCancellable *cancellable,
                                  gpointer      user_data);

#define CORO_TYPE_EXECUTOR (coro_executor_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroExecutor, coro_executor, CORO, EXECUTOR, GObject)

CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_run_in_executor     (CoroExecutorFunc func,
                                        gpointer         user_data,
                                        GDestroyNotify   destroy) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_to_thread           (GThreadFunc      func,
                                        gpointer         data,
                                        GDestroyNotify   destroy) G_GNUC_WARN_UNUSED_RESULT;

CORO_AVAILABLE_IN_ALL
CoroExecutor *coro_executor_new        (guint            max_workers);
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_executor_submit     (CoroExecutor    *executor,
                                        CoroExecutorFunc func,
                                        gpointer         user_data,
                                        GDestroyNotify   destroy) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
void          coro_executor_shutdown   (CoroExecutor    *executor,
                                        gboolean         wait,
                                        gboolean         cancel_futures);
CORO_AVAILABLE_IN_ALL
guint         coro_executor_get_max_workers (CoroExecutor *executor);
CORO_AVAILABLE_IN_ALL
gboolean      coro_executor_is_shutdown (CoroExecutor   *executor);

CORO_AVAILABLE_IN_ALL
void          coro_loop_set_default_executor      (CoroLoop     *loop,
                                                   CoroExecutor *executor);
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_loop_shutdown_default_executor (CoroLoop     *loop) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
