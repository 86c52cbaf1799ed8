/* coro-error.h: the CORO_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(CORO_INSIDE) && !defined(CORO_COMPILATION)
# error "Only <coro.h> can be included directly."
#endif

#include <glib.h>

#include "coro-version.h"

G_BEGIN_DECLS

/**
 * CORO_ERROR:
 *
 * The error domain of Coro; errors in it carry a [enum@Coro.Error] code.
 *
 * Since: 1.0
 */
#define CORO_ERROR (coro_error_quark ())

/**
 * CoroError:
 * @CORO_ERROR_FAILED: a generic failure.
 * @CORO_ERROR_CANCELLED: the future or task was cancelled (asyncio's `CancelledError`);
 *   the message is the one given to [method@Coro.Future.cancel], if any.
 * @CORO_ERROR_TIMEOUT: a deadline passed (asyncio's `TimeoutError`).
 * @CORO_ERROR_INVALID_STATE: the operation does not fit the future's state, such as
 *   reading a pending future or setting a result twice (asyncio's `InvalidStateError`).
 * @CORO_ERROR_RESULT_TYPE: the future holds a result of another type than the one asked for.
 * @CORO_ERROR_INCOMPLETE_READ: a stream ended before the requested bytes were read.
 * @CORO_ERROR_LIMIT_OVERRUN: a stream read went past the buffer limit.
 * @CORO_ERROR_QUEUE_EMPTY: a non-waiting get on an empty queue.
 * @CORO_ERROR_QUEUE_FULL: a non-waiting put on a full queue.
 * @CORO_ERROR_QUEUE_SHUT_DOWN: the queue was shut down.
 * @CORO_ERROR_BROKEN_BARRIER: the barrier was aborted or reset while waiting.
 * @CORO_ERROR_TASK_GROUP: one or more children of a [class@Coro.TaskGroup] failed
 *   (asyncio's `ExceptionGroup`); the message counts and lists their errors, which
 *   [method@Coro.TaskGroup.get_error] gives one by one.
 *
 * Error codes of the %CORO_ERROR domain. They mirror asyncio's exceptions.
 *
 * Since: 1.0
 */
typedef enum
{
  CORO_ERROR_FAILED,
  CORO_ERROR_CANCELLED,
  CORO_ERROR_TIMEOUT,
  CORO_ERROR_INVALID_STATE,
  CORO_ERROR_RESULT_TYPE,
  CORO_ERROR_INCOMPLETE_READ,
  CORO_ERROR_LIMIT_OVERRUN,
  CORO_ERROR_QUEUE_EMPTY,
  CORO_ERROR_QUEUE_FULL,
  CORO_ERROR_QUEUE_SHUT_DOWN,
  CORO_ERROR_BROKEN_BARRIER,
  CORO_ERROR_TASK_GROUP,
} CoroError;

CORO_AVAILABLE_IN_ALL
GQuark coro_error_quark (void);

G_END_DECLS
