/* coro-gio.h: GIO's async/finish pairs as futures, and futures as async/finish pairs
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
 * CoroGioFinishFunc:
 * @source_object: (nullable): the source object the operation's callback received
 * @result: the operation's result
 * @future: a pending private future to complete with a `coro_future_set_*()` function
 * @error: return location for the operation's error
 *
 * Calls a GIO operation's `_finish` function and puts what it returns into @future.
 * Leaving @future pending gives a result of no value.
 *
 * The function is always called exactly once, even when the future it completes was
 * cancelled or dropped meanwhile, so that whatever the operation returns is released:
 * @future is a private one that is always pending; its outcome is copied to the returned
 * future if that one is still pending.
 *
 * Returns: %TRUE on success, %FALSE with @error set if the operation failed
 *
 * Since: 1.0
 */
typedef gboolean (*CoroGioFinishFunc) (GObject       *source_object,
                                       GAsyncResult  *result,
                                       CoroFuture    *future,
                                       GError       **error);

CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_gio_future_new              (CoroGioFinishFunc    finish,
                                                GCancellable       **out_cancellable) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
void          coro_gio_callback                (GObject             *source_object,
                                                GAsyncResult        *result,
                                                gpointer             user_data);

CORO_AVAILABLE_IN_ALL
GBytes       *coro_future_get_bytes            (CoroFuture          *future,
                                                GError             **error);
CORO_AVAILABLE_IN_ALL
GVariant     *coro_future_get_variant          (CoroFuture          *future,
                                                GError             **error);

CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_file_load_contents          (GFile               *file) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_file_replace_contents       (GFile               *file,
                                                GBytes              *contents,
                                                const char          *etag,
                                                gboolean             make_backup,
                                                GFileCreateFlags     flags) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_file_query_info             (GFile               *file,
                                                const char          *attributes,
                                                GFileQueryInfoFlags  flags,
                                                int                  io_priority) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_input_stream_read_bytes     (GInputStream        *stream,
                                                gsize                count,
                                                int                  io_priority) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_output_stream_write_bytes   (GOutputStream       *stream,
                                                GBytes              *bytes,
                                                int                  io_priority) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_output_stream_write_all     (GOutputStream       *stream,
                                                GBytes              *bytes,
                                                int                  io_priority) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_output_stream_splice        (GOutputStream       *stream,
                                                GInputStream        *source,
                                                GOutputStreamSpliceFlags flags,
                                                int                  io_priority) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_socket_client_connect_to_host (GSocketClient     *client,
                                                  const char        *host_and_port,
                                                  guint16            default_port) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_dbus_connection_call        (GDBusConnection     *connection,
                                                const char          *bus_name,
                                                const char          *object_path,
                                                const char          *interface_name,
                                                const char          *method_name,
                                                GVariant            *parameters,
                                                const GVariantType  *reply_type,
                                                GDBusCallFlags       flags,
                                                int                  timeout_msec) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_subprocess_wait             (GSubprocess         *subprocess) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_subprocess_wait_check       (GSubprocess         *subprocess) G_GNUC_WARN_UNUSED_RESULT;

CORO_AVAILABLE_IN_ALL
void          coro_future_to_gtask             (CoroFuture          *future,
                                                gpointer             source_object,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
CORO_AVAILABLE_IN_ALL
void          coro_future_wait_async           (CoroFuture          *future,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
CORO_AVAILABLE_IN_ALL
gboolean      coro_future_wait_finish          (CoroFuture          *future,
                                                GAsyncResult        *result,
                                                GError             **error);

CORO_AVAILABLE_IN_ALL
CoroFuture   *coro_gtask_propagate_future      (GAsyncResult        *result,
                                                GError             **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_gtask_propagate             (GAsyncResult        *result,
                                                GError             **error);
CORO_AVAILABLE_IN_ALL
gint64        coro_gtask_propagate_int         (GAsyncResult        *result,
                                                GError             **error);
CORO_AVAILABLE_IN_ALL
double        coro_gtask_propagate_double      (GAsyncResult        *result,
                                                GError             **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_gtask_propagate_boolean     (GAsyncResult        *result,
                                                GError             **error);
CORO_AVAILABLE_IN_ALL
char         *coro_gtask_propagate_string      (GAsyncResult        *result,
                                                GError             **error);
CORO_AVAILABLE_IN_ALL
gpointer      coro_gtask_propagate_object      (GAsyncResult        *result,
                                                GError             **error);
CORO_AVAILABLE_IN_ALL
gboolean      coro_gtask_propagate_value       (GAsyncResult        *result,
                                                GValue              *value,
                                                GError             **error);

G_END_DECLS
