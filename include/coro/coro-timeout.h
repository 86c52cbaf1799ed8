/* coro-timeout.h: timeout scopes (asyncio.timeout, timeout_at)
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

#define CORO_TYPE_TIMEOUT (coro_timeout_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroTimeout, coro_timeout, CORO, TIMEOUT, GObject)

CORO_AVAILABLE_IN_ALL
CoroTimeout *coro_timeout_new        (double         delay);
CORO_AVAILABLE_IN_ALL
CoroTimeout *coro_timeout_new_at     (double         when);
CORO_AVAILABLE_IN_ALL
gboolean     coro_timeout_enter      (CoroTimeout   *timeout,
                                      CoroTask      *task,
                                      GError       **error);
CORO_AVAILABLE_IN_ALL
gboolean     coro_timeout_exit       (CoroTimeout   *timeout,
                                      const GError  *caught,
                                      GError       **error);
CORO_AVAILABLE_IN_ALL
gboolean     coro_timeout_reschedule (CoroTimeout   *timeout,
                                      double         when,
                                      GError       **error);
CORO_AVAILABLE_IN_ALL
double       coro_timeout_when       (CoroTimeout   *timeout);
CORO_AVAILABLE_IN_ALL
gboolean     coro_timeout_expired    (CoroTimeout   *timeout);

G_END_DECLS
