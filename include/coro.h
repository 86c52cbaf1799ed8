/* coro.h: asyncio for C, on GLib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define CORO_INSIDE
# include "coro/coro-version.h"
# include "coro/coro-types.h"
# include "coro/coro-error.h"
# include "coro/coro-enum-types.h"
# include "coro/coro-loop.h"
# include "coro/coro-future.h"
# include "coro/coro-task.h"
# include "coro/coro-combinators.h"
# include "coro/coro-executor.h"
# include "coro/coro-locks.h"
# include "coro/coro-queue.h"
# include "coro/coro-streams.h"
# include "coro/coro-subprocess.h"
#undef CORO_INSIDE
