/* coro-wait.h: wait and as_completed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(CORO_INSIDE) && !defined(CORO_COMPILATION)
# error "Only <coro.h> can be included directly."
#endif

#include <glib-object.h>

#include "coro-future.h"
#include "coro-types.h"
#include "coro-version.h"

G_BEGIN_DECLS

/**
 * CoroWaitMode:
 * @CORO_WAIT_FIRST_COMPLETED: the wait ends when any future is done (asyncio's
 *   `FIRST_COMPLETED`).
 * @CORO_WAIT_FIRST_EXCEPTION: the wait ends when any future fails, or when all are done
 *   (asyncio's `FIRST_EXCEPTION`); a cancelled future is not a failure here.
 * @CORO_WAIT_ALL_COMPLETED: the wait ends when all futures are done (asyncio's
 *   `ALL_COMPLETED`, the default).
 *
 * When [func@Coro.wait] ends, if its timeout has not passed first.
 *
 * Since: 1.0
 */
typedef enum
{
  CORO_WAIT_FIRST_COMPLETED,
  CORO_WAIT_FIRST_EXCEPTION,
  CORO_WAIT_ALL_COMPLETED,
} CoroWaitMode;

CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_wait                       (CoroFuture    **futures,
                                               guint           n_futures,
                                               double          timeout,
                                               CoroWaitMode    return_when) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_waitv                      (CoroFuture    **futures,
                                               guint           n_futures,
                                               double          timeout,
                                               CoroWaitMode    return_when) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture  **coro_future_get_done_futures    (CoroFuture     *future,
                                               guint          *n_futures,
                                               GError        **error);
CORO_AVAILABLE_IN_ALL
CoroFuture  **coro_future_get_pending_futures (CoroFuture     *future,
                                               guint          *n_futures,
                                               GError        **error);

#define CORO_TYPE_AS_COMPLETED_ITER (coro_as_completed_iter_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroAsCompletedIter, coro_as_completed_iter, CORO, AS_COMPLETED_ITER, GObject)

CORO_AVAILABLE_IN_ALL
CoroAsCompletedIter *coro_as_completed        (CoroFuture    **futures,
                                               guint           n_futures,
                                               double          timeout) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroAsCompletedIter *coro_as_completedv       (CoroFuture    **futures,
                                               guint           n_futures,
                                               double          timeout) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
gboolean      coro_as_completed_iter_has_next (CoroAsCompletedIter *iter);
CORO_AVAILABLE_IN_ALL
guint         coro_as_completed_iter_get_n_left (CoroAsCompletedIter *iter);
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_as_completed_iter_next     (CoroAsCompletedIter *iter) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_future_get_future          (CoroFuture     *future,
                                               GError        **error);

G_END_DECLS
