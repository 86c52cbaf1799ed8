/* coro-loop.h: the scheduler of one GMainContext
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(CORO_INSIDE) && !defined(CORO_COMPILATION)
# error "Only <coro.h> can be included directly."
#endif

#include <glib-object.h>

#include "coro-types.h"
#include "coro-version.h"

G_BEGIN_DECLS

#define CORO_TYPE_LOOP (coro_loop_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroLoop, coro_loop, CORO, LOOP, GObject)

#define CORO_TYPE_HANDLE (coro_handle_get_type ())
CORO_AVAILABLE_IN_ALL
GType coro_handle_get_type (void) G_GNUC_CONST;

/**
 * CoroCallback:
 * @user_data: the data given when the callback was scheduled
 *
 * A callback scheduled with [method@Coro.Loop.call_soon] and friends.
 *
 * Since: 1.0
 */
typedef void (*CoroCallback) (gpointer user_data);

/**
 * CoroExceptionHandler:
 * @loop: the loop reporting the error
 * @message: what happened, such as "Task exception was never retrieved"
 * @error: (nullable): the error being reported, if any
 * @future: (nullable): the future or task concerned, if any; borrowed for the call
 * @user_data: the data given to [method@Coro.Loop.set_exception_handler]
 *
 * Receives the errors nobody else can handle: asyncio's exception handler, with the
 * keys of asyncio's context dictionary that Coro produces as arguments.
 *
 * Since: 1.0
 */
typedef void (*CoroExceptionHandler) (CoroLoop     *loop,
                                      const char   *message,
                                      const GError *error,
                                      CoroFuture   *future,
                                      gpointer      user_data);

CORO_AVAILABLE_IN_ALL
CoroLoop   *coro_loop_get_default            (void);
CORO_AVAILABLE_IN_ALL
CoroLoop   *coro_loop_get_for_context        (GMainContext *context);
CORO_AVAILABLE_IN_ALL
GMainContext *coro_loop_get_context          (CoroLoop     *loop);
CORO_AVAILABLE_IN_ALL
double      coro_loop_time                   (CoroLoop     *loop);
CORO_AVAILABLE_IN_ALL
CoroHandle *coro_loop_call_soon              (CoroLoop     *loop,
                                              CoroCallback  callback,
                                              gpointer      user_data,
                                              GDestroyNotify destroy) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroHandle *coro_loop_call_later             (CoroLoop     *loop,
                                              double        delay,
                                              CoroCallback  callback,
                                              gpointer      user_data,
                                              GDestroyNotify destroy) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroHandle *coro_loop_call_at                (CoroLoop     *loop,
                                              double        when,
                                              CoroCallback  callback,
                                              gpointer      user_data,
                                              GDestroyNotify destroy) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroHandle *coro_loop_call_soon_threadsafe   (CoroLoop     *loop,
                                              CoroCallback  callback,
                                              gpointer      user_data,
                                              GDestroyNotify destroy) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
void        coro_loop_set_virtual_clock      (CoroLoop     *loop,
                                              gboolean      enabled);
CORO_AVAILABLE_IN_ALL
gboolean    coro_loop_get_virtual_clock      (CoroLoop     *loop);
CORO_AVAILABLE_IN_ALL
guint64     coro_loop_get_pass_count         (CoroLoop     *loop);
CORO_AVAILABLE_IN_ALL
guint       coro_loop_get_n_futures          (CoroLoop     *loop);

CORO_AVAILABLE_IN_ALL
void        coro_loop_set_exception_handler  (CoroLoop     *loop,
                                              CoroExceptionHandler handler,
                                              gpointer      user_data,
                                              GDestroyNotify destroy);
CORO_AVAILABLE_IN_ALL
void        coro_loop_call_exception_handler (CoroLoop     *loop,
                                              const char   *message,
                                              const GError *error,
                                              CoroFuture   *future);
CORO_AVAILABLE_IN_ALL
void        coro_loop_default_exception_handler (CoroLoop  *loop,
                                              const char   *message,
                                              const GError *error,
                                              CoroFuture   *future);

CORO_AVAILABLE_IN_ALL
void        coro_loop_add_reader             (CoroLoop     *loop,
                                              int           fd,
                                              CoroCallback  callback,
                                              gpointer      user_data,
                                              GDestroyNotify destroy);
CORO_AVAILABLE_IN_ALL
gboolean    coro_loop_remove_reader          (CoroLoop     *loop,
                                              int           fd);
CORO_AVAILABLE_IN_ALL
void        coro_loop_add_writer             (CoroLoop     *loop,
                                              int           fd,
                                              CoroCallback  callback,
                                              gpointer      user_data,
                                              GDestroyNotify destroy);
CORO_AVAILABLE_IN_ALL
gboolean    coro_loop_remove_writer          (CoroLoop     *loop,
                                              int           fd);
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_loop_wait_readable          (CoroLoop     *loop,
                                              int           fd) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_loop_wait_writable          (CoroLoop     *loop,
                                              int           fd) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
gboolean    coro_loop_add_signal_handler     (CoroLoop     *loop,
                                              int           signum,
                                              CoroCallback  callback,
                                              gpointer      user_data,
                                              GDestroyNotify destroy,
                                              GError      **error);
CORO_AVAILABLE_IN_ALL
gboolean    coro_loop_remove_signal_handler  (CoroLoop     *loop,
                                              int           signum);
CORO_AVAILABLE_IN_ALL
void        coro_loop_set_debug              (CoroLoop     *loop,
                                              gboolean      enabled);
CORO_AVAILABLE_IN_ALL
gboolean    coro_loop_get_debug              (CoroLoop     *loop);
CORO_AVAILABLE_IN_ALL
void        coro_loop_set_slow_callback_duration (CoroLoop *loop,
                                              double        seconds);
CORO_AVAILABLE_IN_ALL
double      coro_loop_get_slow_callback_duration (CoroLoop *loop);

CORO_AVAILABLE_IN_ALL
CoroHandle *coro_handle_ref                  (CoroHandle   *handle);
CORO_AVAILABLE_IN_ALL
void        coro_handle_unref                (CoroHandle   *handle);
CORO_AVAILABLE_IN_ALL
void        coro_handle_cancel               (CoroHandle   *handle);
CORO_AVAILABLE_IN_ALL
gboolean    coro_handle_cancelled            (CoroHandle   *handle);
CORO_AVAILABLE_IN_ALL
double      coro_handle_when                 (CoroHandle   *handle);

CORO_AVAILABLE_IN_ALL
gboolean    coro_run                         (CoroFuture   *future,
                                              GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoroHandle, coro_handle_unref)

G_END_DECLS
