/* coro-future.h: the result of an asynchronous operation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(CORO_INSIDE) && !defined(CORO_COMPILATION)
# error "Only <coro.h> can be included directly."
#endif

#include <glib-object.h>

#include "coro-loop.h"
#include "coro-types.h"
#include "coro-version.h"

G_BEGIN_DECLS

#define CORO_TYPE_FUTURE (coro_future_get_type ())
CORO_AVAILABLE_IN_ALL
GType coro_future_get_type (void) G_GNUC_CONST;

/**
 * CoroResultType:
 * @CORO_RESULT_TYPE_INVALID: no result to read: the future is pending, failed or was
 *   cancelled
 * @CORO_RESULT_TYPE_NONE: no value ([method@Coro.Future.set_none])
 * @CORO_RESULT_TYPE_INT: an integer ([method@Coro.Future.get_int])
 * @CORO_RESULT_TYPE_DOUBLE: a double ([method@Coro.Future.get_double])
 * @CORO_RESULT_TYPE_BOOLEAN: a boolean ([method@Coro.Future.get_boolean])
 * @CORO_RESULT_TYPE_STRING: a string ([method@Coro.Future.get_string])
 * @CORO_RESULT_TYPE_POINTER: a pointer ([method@Coro.Future.get_pointer])
 * @CORO_RESULT_TYPE_OBJECT: an object ([method@Coro.Future.get_object])
 * @CORO_RESULT_TYPE_VALUE: a #GValue ([method@Coro.Future.get_value])
 * @CORO_RESULT_TYPE_FUTURES: the children of a gather ([method@Coro.Future.get_futures])
 *
 * What a done future holds, as [method@Coro.Future.get_result_type] tells: which getter
 * reads it.
 *
 * Since: 1.0
 */
typedef enum
{
  CORO_RESULT_TYPE_INVALID,
  CORO_RESULT_TYPE_NONE,
  CORO_RESULT_TYPE_INT,
  CORO_RESULT_TYPE_DOUBLE,
  CORO_RESULT_TYPE_BOOLEAN,
  CORO_RESULT_TYPE_STRING,
  CORO_RESULT_TYPE_POINTER,
  CORO_RESULT_TYPE_OBJECT,
  CORO_RESULT_TYPE_VALUE,
  CORO_RESULT_TYPE_FUTURES,
} CoroResultType;

/**
 * CoroFutureCallback:
 * @future: the done future
 * @user_data: the data given to [method@Coro.Future.add_done_callback]
 *
 * A done callback. It runs from the loop's ready queue after the future is done,
 * never from inside the call that completed it.
 *
 * Since: 1.0
 */
typedef void (*CoroFutureCallback) (CoroFuture *future,
                                    gpointer    user_data);

CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_future_new                     (void) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_future_new_for_loop            (CoroLoop           *loop) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_future_ref                     (CoroFuture         *future);
CORO_AVAILABLE_IN_ALL
void          coro_future_unref                   (CoroFuture         *future);
CORO_AVAILABLE_IN_ALL
CoroLoop     *coro_future_get_loop                (CoroFuture         *future);

CORO_AVAILABLE_IN_ALL
gboolean      coro_future_done                    (CoroFuture         *future);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_cancelled               (CoroFuture         *future);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_cancel                  (CoroFuture         *future,
                                                   const char         *msg);

CORO_AVAILABLE_IN_ALL
gboolean      coro_future_set_none                (CoroFuture         *future,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_set_int                 (CoroFuture         *future,
                                                   gint64              value,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_set_double              (CoroFuture         *future,
                                                   double              value,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_set_boolean             (CoroFuture         *future,
                                                   gboolean            value,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_set_string              (CoroFuture         *future,
                                                   const char         *value,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_set_pointer             (CoroFuture         *future,
                                                   gpointer            value,
                                                   GDestroyNotify      destroy,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_set_object              (CoroFuture         *future,
                                                   gpointer            object,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_set_value               (CoroFuture         *future,
                                                   const GValue       *value,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_set_error               (CoroFuture         *future,
                                                   GError             *result_error,
                                                   GError            **error);

CORO_AVAILABLE_IN_ALL
gboolean      coro_future_propagate               (CoroFuture         *future,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
gint64        coro_future_get_int                 (CoroFuture         *future,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
double        coro_future_get_double              (CoroFuture         *future,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_get_boolean             (CoroFuture         *future,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
const char   *coro_future_get_string              (CoroFuture         *future,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
gpointer      coro_future_get_pointer             (CoroFuture         *future,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
GObject      *coro_future_get_object              (CoroFuture         *future,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_get_value               (CoroFuture         *future,
                                                   GValue             *value,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
CoroFuture  **coro_future_get_futures             (CoroFuture         *future,
                                                   guint              *n_futures,
                                                   GError            **error);
CORO_AVAILABLE_IN_ALL
const GError *coro_future_get_error               (CoroFuture         *future);
CORO_AVAILABLE_IN_ALL
CoroResultType coro_future_get_result_type        (CoroFuture         *future);

CORO_AVAILABLE_IN_ALL
gulong        coro_future_add_done_callback       (CoroFuture         *future,
                                                   CoroFutureCallback  callback,
                                                   gpointer            user_data,
                                                   GDestroyNotify      destroy);
CORO_AVAILABLE_IN_ALL
guint         coro_future_remove_done_callback    (CoroFuture         *future,
                                                   CoroFutureCallback  callback,
                                                   gpointer            user_data);
CORO_AVAILABLE_IN_ALL
guint         coro_future_remove_done_callback_by_id (CoroFuture      *future,
                                                      gulong           callback_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoroFuture, coro_future_unref)

G_END_DECLS
