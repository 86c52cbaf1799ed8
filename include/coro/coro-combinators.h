/* coro-combinators.h: sleep, gather, wait_for, shield
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(CORO_INSIDE) && !defined(CORO_COMPILATION)
# error "Only <coro.h> can be included directly."
#endif

#include "coro-future.h"
#include "coro-types.h"
#include "coro-version.h"

G_BEGIN_DECLS

/**
 * CoroGatherFlags:
 * @CORO_GATHER_NONE: asyncio's default: the first error fails the gather, the other
 *   children keep running.
 * @CORO_GATHER_RETURN_EXCEPTIONS: errors do not fail the gather; they are read from the
 *   children like results (asyncio's `return_exceptions=True`).
 * @CORO_GATHER_CANCEL_ON_ERROR: when a child fails, cancel the children still running.
 *   Not in asyncio; without %CORO_GATHER_RETURN_EXCEPTIONS only.
 *
 * How [func@Coro.gatherv] treats errors of its children.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  CORO_GATHER_NONE = 0,
  CORO_GATHER_RETURN_EXCEPTIONS = 1 << 0,
  CORO_GATHER_CANCEL_ON_ERROR = 1 << 1,
} CoroGatherFlags;

CORO_AVAILABLE_IN_ALL
CoroFuture *coro_sleep       (double            seconds) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_sleep_until (double            when) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_gather      (CoroFuture       *first,
                              ...) G_GNUC_NULL_TERMINATED G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_gatherv     (CoroFuture      **futures,
                              guint             n_futures,
                              CoroGatherFlags   flags) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_wait_for    (CoroFuture       *future,
                              double            timeout) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_shield      (CoroFuture       *future) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
