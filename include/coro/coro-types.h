/* coro-types.h: the opaque types every header refers to
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(CORO_INSIDE) && !defined(CORO_COMPILATION)
# error "Only <coro.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _CoroFuture CoroFuture;
typedef struct _CoroHandle CoroHandle;

/* A task is a future: bindings see one type, C keeps a distinct pointer type and
 * upcasts with CORO_FUTURE(). */
#ifdef __GI_SCANNER__
typedef CoroFuture CoroTask;
#else
typedef struct _CoroTask CoroTask;
#endif

G_END_DECLS
