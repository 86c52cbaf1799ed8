/* coro-gio.c: GIO's async/finish pairs as futures, and futures as async/finish pairs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-future-private.h"

/**
 * coro_gio_future_new: (skip)
 * @finish: (scope forever): reads the operation's outcome into a future
 * @out_cancellable: (out) (transfer none) (optional): return location for the
 *   #GCancellable to give the operation, owned by the future
 *
 * Turns any GIO `_async`/`_finish` pair into a future. Start the operation with
 * @out_cancellable as its cancellable, coro_gio_callback() as its callback and
 * the returned future as its user data; when the operation calls back, @finish reads
 * its outcome and the future ends with it:
 *
 * |[<!-- language="C" -->
 * static gboolean
 * finish_connect (GObject *source, GAsyncResult *result, CoroFuture *future,
 *                 GError **error)
 * {
 *   g_autoptr(GSocketConnection) connection =
 *     g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, error);
 *
 *   if (connection == NULL)
 *     return FALSE;
 *   coro_future_set_object (future, connection, NULL);
 *   return TRUE;
 * }
 *
 * GCancellable *cancellable;
 * CoroFuture *future = coro_gio_future_new (finish_connect, &cancellable);
 *
 * g_socket_client_connect_to_host_async (client, "localhost:80", 0, cancellable,
 *                                        coro_gio_callback, future);
 * coro_await (task, future, connected);
 * ]|
 *
 * The future fails with the error @finish reports; an operation that reports
 * %G_IO_ERROR_CANCELLED makes it end *cancelled*, as asyncio's wrapped futures do.
 *
 * Cancelling the future cancels it at once and cancels the cancellable, which stops the
 * operation. A task that is cancelled while it awaits the future cancels the future, so
 * cancelling the task stops the operation; a [func@Coro.shield] around the future keeps
 * it running. Each future has its own cancellable rather than the task's
 * ([func@Coro.task_get_cancellable]), so that a task that caught a cancellation can
 * still do I/O, and so that cancelling one operation leaves the task's others alone.
 *
 * The future holds a reference of its own until the callback has run, so it may be
 * dropped or cancelled at any time: the late callback still calls @finish, which
 * releases whatever the operation returned, and then drops that reference. The operation
 * must therefore be started exactly once with the future as its user data.
 *
 * Bindings do not need it: they call GIO's asynchronous methods with their own
 * callbacks or promises, and use the ready-made futures below.
 *
 * Returns: (transfer full): a pending future
 *
 * Since: 1.0
 */

typedef struct
{
  CoroFuture         parent;
  CoroGioFinishFunc  finish;
  GCancellable      *cancellable;
  gpointer           keep; /* what the operation borrows until it calls back */
  GDestroyNotify     keep_destroy;
} GioFuture;

static gboolean
gio_cancel (CoroFuture *future,
            const char *msg)
{
  GioFuture *self = (GioFuture *) future;
  gboolean cancelled = coro_future_cancel_default (future, msg);

  /* After the state change: the operation may call back from inside
   * g_cancellable_cancel(), and must then find the future done. */
  g_cancellable_cancel (self->cancellable);
  return cancelled;
}

static void
gio_finalize (CoroFuture *future)
{
  GioFuture *self = (GioFuture *) future;

  g_clear_object (&self->cancellable);
  if (self->keep_destroy != NULL)
    self->keep_destroy (self->keep);
}

static const CoroFutureClass gio_future_class = {
  .name = "GioFuture",
  .cancel = gio_cancel,
  .finalize = gio_finalize,
};

static GioFuture *
gio_future_new (CoroGioFinishFunc  finish,
                gpointer           keep,
                GDestroyNotify     keep_destroy)
{
  GioFuture *self = coro_future_alloc (coro_loop_get_current (), &gio_future_class,
                                       sizeof (GioFuture));

  self->finish = finish;
  self->cancellable = g_cancellable_new ();
  self->keep = keep;
  self->keep_destroy = keep_destroy;
  /* The callback's reference. */
  self->parent.ref_count++;
  return self;
}

CoroFuture *
coro_gio_future_new (CoroGioFinishFunc   finish,
                     GCancellable      **out_cancellable)
{
  GioFuture *self;

  g_return_val_if_fail (finish != NULL, NULL);

  self = gio_future_new (finish, NULL, NULL);
  if (out_cancellable != NULL)
    *out_cancellable = self->cancellable;
  return &self->parent;
}

/**
 * coro_gio_callback: (skip)
 * @source_object: (nullable): the operation's source object
 * @result: the operation's result
 * @user_data: a future made by coro_gio_future_new()
 *
 * The #GAsyncReadyCallback that completes a future made by
 * coro_gio_future_new(); see there.
 *
 * Since: 1.0
 */
void
coro_gio_callback (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GioFuture *self = user_data;
  CoroFuture *future = user_data;
  CoroFuture *outcome;
  GError *error = NULL;
  gboolean ok;

  g_return_if_fail (self != NULL && future->klass == &gio_future_class);
  g_return_if_fail (G_IS_ASYNC_RESULT (result));

  outcome = coro_future_alloc (future->loop, &coro_future_class, sizeof (CoroFuture));
  ok = self->finish (source_object, result, outcome, &error);

  if (coro_future_is_pending (future))
    {
      if (!ok)
        {
          if (error == NULL)
            error = g_error_new_literal (CORO_ERROR, CORO_ERROR_FAILED,
                                         "The finish function failed without an error");
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              coro_future_set_cancelled (future, coro_future_new_cancelled_error (error->message));
              g_clear_error (&error);
            }
          else
            coro_future_set_error (future, g_steal_pointer (&error), NULL);
        }
      else if (coro_future_is_pending (outcome))
        coro_future_set_none (future, NULL);
      else
        coro_future_forward (future, outcome);
    }
  g_clear_error (&error);

  /* Whatever the finish function put there has been copied or is of no interest now. */
  outcome->flags |= CORO_FUTURE_FLAG_RETRIEVED;
  coro_future_unref (outcome);
  coro_future_unref (future);
}

/* Results */

static void
set_boxed (CoroFuture *future,
           GType       type,
           gpointer    boxed)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, type);
  g_value_take_boxed (&value, boxed);
  coro_future_set_value (future, &value, NULL);
  g_value_unset (&value);
}

static gboolean
get_value_of_type (CoroFuture  *future,
                   GType        type,
                   GValue      *value,
                   GError     **error)
{
  if (!coro_future_get_value (future, value, error))
    return FALSE;
  if (!G_VALUE_HOLDS (value, type))
    {
      g_set_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE, "The future holds %s, not a %s",
                   G_IS_VALUE (value) ? G_VALUE_TYPE_NAME (value) : "no value",
                   g_type_name (type));
      if (G_IS_VALUE (value))
        g_value_unset (value);
      return FALSE;
    }
  return TRUE;
}

/**
 * coro_future_get_bytes:
 * @future: a done #CoroFuture
 * @error: return location for the future's error
 *
 * Reads a #GBytes result, such as the one of [func@Coro.file_load_contents] or
 * [func@Coro.input_stream_read_bytes]. The result is stored as a #GValue, so bindings
 * read it with [method@Coro.Future.get_value] as well.
 *
 * Returns: (transfer none) (nullable): the bytes, owned by the future, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
GBytes *
coro_future_get_bytes (CoroFuture  *future,
                       GError     **error)
{
  GValue value = G_VALUE_INIT;
  GBytes *bytes;

  g_return_val_if_fail (future != NULL, NULL);

  if (!get_value_of_type (future, G_TYPE_BYTES, &value, error))
    return NULL;
  /* The future's own copy of the value keeps the bytes alive. */
  bytes = g_value_get_boxed (&value);
  g_value_unset (&value);
  return bytes;
}

/**
 * coro_future_get_variant:
 * @future: a done #CoroFuture
 * @error: return location for the future's error
 *
 * Reads a #GVariant result, such as the reply of [func@Coro.dbus_connection_call].
 *
 * Returns: (transfer none) (nullable): the variant, owned by the future, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
GVariant *
coro_future_get_variant (CoroFuture  *future,
                         GError     **error)
{
  GValue value = G_VALUE_INIT;
  GVariant *variant;

  g_return_val_if_fail (future != NULL, NULL);

  if (!get_value_of_type (future, G_TYPE_VARIANT, &value, error))
    return NULL;
  variant = g_value_get_variant (&value);
  g_value_unset (&value);
  return variant;
}

/* Ready-made futures */

static gboolean
finish_load_contents (GObject       *source,
                      GAsyncResult  *result,
                      CoroFuture    *future,
                      GError       **error)
{
  char *contents;
  gsize length;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, error))
    return FALSE;
  set_boxed (future, G_TYPE_BYTES, g_bytes_new_take (contents, length));
  return TRUE;
}

/**
 * coro_file_load_contents:
 * @file: a #GFile
 *
 * Loads the whole of @file ([method@Gio.File.load_contents_async]).
 *
 * Returns: (transfer full): a future of the contents as #GBytes; read them with
 *   [method@Coro.Future.get_bytes]
 *
 * Since: 1.0
 */
CoroFuture *
coro_file_load_contents (GFile *file)
{
  GioFuture *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = gio_future_new (finish_load_contents, NULL, NULL);
  g_file_load_contents_async (file, self->cancellable, coro_gio_callback, self);
  return &self->parent;
}

static gboolean
finish_replace_contents (GObject       *source,
                         GAsyncResult  *result,
                         CoroFuture    *future,
                         GError       **error)
{
  g_autofree char *etag = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, &etag, error))
    return FALSE;
  coro_future_set_string (future, etag, NULL);
  return TRUE;
}

/**
 * coro_file_replace_contents:
 * @file: a #GFile
 * @contents: the new contents
 * @etag: (nullable): the entity tag @file must still have, or %NULL
 * @make_backup: whether to keep a backup of the old contents
 * @flags: how to create the file
 *
 * Replaces the contents of @file ([method@Gio.File.replace_contents_bytes_async]).
 *
 * Returns: (transfer full): a future of @file's new entity tag, a string
 *
 * Since: 1.0
 */
CoroFuture *
coro_file_replace_contents (GFile            *file,
                            GBytes           *contents,
                            const char       *etag,
                            gboolean          make_backup,
                            GFileCreateFlags  flags)
{
  GioFuture *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (contents != NULL, NULL);

  self = gio_future_new (finish_replace_contents, NULL, NULL);
  g_file_replace_contents_bytes_async (file, contents, etag, make_backup, flags,
                                       self->cancellable, coro_gio_callback, self);
  return &self->parent;
}

static gboolean
finish_query_info (GObject       *source,
                   GAsyncResult  *result,
                   CoroFuture    *future,
                   GError       **error)
{
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, error);

  if (info == NULL)
    return FALSE;
  coro_future_set_object (future, info, NULL);
  return TRUE;
}

/**
 * coro_file_query_info:
 * @file: a #GFile
 * @attributes: the attributes to query, such as `"standard::size"`
 * @flags: how to query
 * @io_priority: the I/O priority, such as %G_PRIORITY_DEFAULT
 *
 * Queries information about @file ([method@Gio.File.query_info_async]).
 *
 * Returns: (transfer full): a future of a #GFileInfo
 *
 * Since: 1.0
 */
CoroFuture *
coro_file_query_info (GFile               *file,
                      const char          *attributes,
                      GFileQueryInfoFlags  flags,
                      int                  io_priority)
{
  GioFuture *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (attributes != NULL, NULL);

  self = gio_future_new (finish_query_info, NULL, NULL);
  g_file_query_info_async (file, attributes, flags, io_priority, self->cancellable,
                           coro_gio_callback, self);
  return &self->parent;
}

static gboolean
finish_read_bytes (GObject       *source,
                   GAsyncResult  *result,
                   CoroFuture    *future,
                   GError       **error)
{
  GBytes *bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, error);

  if (bytes == NULL)
    return FALSE;
  set_boxed (future, G_TYPE_BYTES, bytes);
  return TRUE;
}

/**
 * coro_input_stream_read_bytes:
 * @stream: a #GInputStream
 * @count: the most bytes to read
 * @io_priority: the I/O priority, such as %G_PRIORITY_DEFAULT
 *
 * Reads up to @count bytes from @stream ([method@Gio.InputStream.read_bytes_async]).
 *
 * Returns: (transfer full): a future of the #GBytes read, empty at the end of the
 *   stream; read them with [method@Coro.Future.get_bytes]
 *
 * Since: 1.0
 */
CoroFuture *
coro_input_stream_read_bytes (GInputStream *stream,
                              gsize         count,
                              int           io_priority)
{
  GioFuture *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  self = gio_future_new (finish_read_bytes, NULL, NULL);
  g_input_stream_read_bytes_async (stream, count, io_priority, self->cancellable,
                                   coro_gio_callback, self);
  return &self->parent;
}

static gboolean
finish_write_bytes (GObject       *source,
                    GAsyncResult  *result,
                    CoroFuture    *future,
                    GError       **error)
{
  gssize written = g_output_stream_write_bytes_finish (G_OUTPUT_STREAM (source), result, error);

  if (written < 0)
    return FALSE;
  coro_future_set_int (future, written, NULL);
  return TRUE;
}

/**
 * coro_output_stream_write_bytes:
 * @stream: a #GOutputStream
 * @bytes: what to write
 * @io_priority: the I/O priority, such as %G_PRIORITY_DEFAULT
 *
 * Writes some of @bytes to @stream ([method@Gio.OutputStream.write_bytes_async]); the
 * stream may take fewer bytes than given.
 *
 * Returns: (transfer full): a future of the number of bytes written, an int
 *
 * Since: 1.0
 */
CoroFuture *
coro_output_stream_write_bytes (GOutputStream *stream,
                                GBytes        *bytes,
                                int            io_priority)
{
  GioFuture *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);
  g_return_val_if_fail (bytes != NULL, NULL);

  self = gio_future_new (finish_write_bytes, NULL, NULL);
  g_output_stream_write_bytes_async (stream, bytes, io_priority, self->cancellable,
                                     coro_gio_callback, self);
  return &self->parent;
}

static gboolean
finish_write_all (GObject       *source,
                  GAsyncResult  *result,
                  CoroFuture    *future,
                  GError       **error)
{
  gsize written = 0;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, error))
    return FALSE;
  coro_future_set_int (future, (gint64) written, NULL);
  return TRUE;
}

/**
 * coro_output_stream_write_all:
 * @stream: a #GOutputStream
 * @bytes: what to write
 * @io_priority: the I/O priority, such as %G_PRIORITY_DEFAULT
 *
 * Writes all of @bytes to @stream ([method@Gio.OutputStream.write_all_async]), like
 * asyncio's `write` followed by `drain`.
 *
 * Returns: (transfer full): a future of the number of bytes written, an int
 *
 * Since: 1.0
 */
CoroFuture *
coro_output_stream_write_all (GOutputStream *stream,
                              GBytes        *bytes,
                              int            io_priority)
{
  GioFuture *self;
  gsize size;
  gconstpointer data;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);
  g_return_val_if_fail (bytes != NULL, NULL);

  /* The operation borrows the buffer: the future keeps it. */
  self = gio_future_new (finish_write_all, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  data = g_bytes_get_data (bytes, &size);
  g_output_stream_write_all_async (stream, data, size, io_priority, self->cancellable,
                                   coro_gio_callback, self);
  return &self->parent;
}

static gboolean
finish_splice (GObject       *source,
               GAsyncResult  *result,
               CoroFuture    *future,
               GError       **error)
{
  gssize written = g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, error);

  if (written < 0)
    return FALSE;
  coro_future_set_int (future, written, NULL);
  return TRUE;
}

/**
 * coro_output_stream_splice:
 * @stream: a #GOutputStream
 * @source: the #GInputStream to copy from, up to its end
 * @flags: whether to close either stream afterwards
 * @io_priority: the I/O priority, such as %G_PRIORITY_DEFAULT
 *
 * Copies @source into @stream ([method@Gio.OutputStream.splice_async]).
 *
 * Returns: (transfer full): a future of the number of bytes copied, an int
 *
 * Since: 1.0
 */
CoroFuture *
coro_output_stream_splice (GOutputStream            *stream,
                           GInputStream             *source,
                           GOutputStreamSpliceFlags  flags,
                           int                       io_priority)
{
  GioFuture *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (source), NULL);

  self = gio_future_new (finish_splice, NULL, NULL);
  g_output_stream_splice_async (stream, source, flags, io_priority, self->cancellable,
                                coro_gio_callback, self);
  return &self->parent;
}

static gboolean
finish_connect_to_host (GObject       *source,
                        GAsyncResult  *result,
                        CoroFuture    *future,
                        GError       **error)
{
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, error);
  if (connection == NULL)
    return FALSE;
  coro_future_set_object (future, connection, NULL);
  return TRUE;
}

/**
 * coro_socket_client_connect_to_host:
 * @client: a #GSocketClient
 * @host_and_port: the host and, optionally, the port, such as `"localhost:8080"`
 * @default_port: the port when @host_and_port names none
 *
 * Connects to a host ([method@Gio.SocketClient.connect_to_host_async]).
 *
 * Returns: (transfer full): a future of the #GSocketConnection
 *
 * Since: 1.0
 */
CoroFuture *
coro_socket_client_connect_to_host (GSocketClient *client,
                                    const char    *host_and_port,
                                    guint16        default_port)
{
  GioFuture *self;

  g_return_val_if_fail (G_IS_SOCKET_CLIENT (client), NULL);
  g_return_val_if_fail (host_and_port != NULL, NULL);

  self = gio_future_new (finish_connect_to_host, NULL, NULL);
  g_socket_client_connect_to_host_async (client, host_and_port, default_port,
                                         self->cancellable, coro_gio_callback, self);
  return &self->parent;
}

static gboolean
finish_dbus_call (GObject       *source,
                  GAsyncResult  *result,
                  CoroFuture    *future,
                  GError       **error)
{
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, error);
  GValue value = G_VALUE_INIT;

  if (reply == NULL)
    return FALSE;
  g_value_init (&value, G_TYPE_VARIANT);
  g_value_take_variant (&value, reply);
  coro_future_set_value (future, &value, NULL);
  g_value_unset (&value);
  return TRUE;
}

/**
 * coro_dbus_connection_call:
 * @connection: a #GDBusConnection
 * @bus_name: (nullable): the unique or well-known name of the peer, or %NULL on a
 *   peer-to-peer connection
 * @object_path: the object to call
 * @interface_name: the interface of the method
 * @method_name: the method
 * @parameters: (nullable): a tuple of the method's arguments, or %NULL; consumed if
 *   floating
 * @reply_type: (nullable): the expected type of the reply, or %NULL
 * @flags: call flags
 * @timeout_msec: the timeout in milliseconds, -1 for the default, %G_MAXINT for none
 *
 * Calls a D-Bus method ([method@Gio.DBusConnection.call]).
 *
 * Returns: (transfer full): a future of the reply, a #GVariant tuple; read it with
 *   [method@Coro.Future.get_variant]
 *
 * Since: 1.0
 */
CoroFuture *
coro_dbus_connection_call (GDBusConnection    *connection,
                           const char         *bus_name,
                           const char         *object_path,
                           const char         *interface_name,
                           const char         *method_name,
                           GVariant           *parameters,
                           const GVariantType *reply_type,
                           GDBusCallFlags      flags,
                           int                 timeout_msec)
{
  GioFuture *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (object_path != NULL && g_variant_is_object_path (object_path), NULL);
  g_return_val_if_fail (interface_name != NULL && g_dbus_is_interface_name (interface_name), NULL);
  g_return_val_if_fail (method_name != NULL && g_dbus_is_member_name (method_name), NULL);

  self = gio_future_new (finish_dbus_call, NULL, NULL);
  g_dbus_connection_call (connection, bus_name, object_path, interface_name, method_name,
                          parameters, reply_type, flags, timeout_msec, self->cancellable,
                          coro_gio_callback, self);
  return &self->parent;
}

static gboolean
finish_wait (GObject       *source,
             GAsyncResult  *result,
             CoroFuture    *future,
             GError       **error)
{
  GSubprocess *subprocess = G_SUBPROCESS (source);

  if (!g_subprocess_wait_finish (subprocess, result, error))
    return FALSE;
  /* asyncio's returncode: the exit status, or minus the signal that ended it. */
  if (g_subprocess_get_if_signaled (subprocess))
    coro_future_set_int (future, -g_subprocess_get_term_sig (subprocess), NULL);
  else
    coro_future_set_int (future, g_subprocess_get_exit_status (subprocess), NULL);
  return TRUE;
}

/**
 * coro_subprocess_wait:
 * @subprocess: a #GSubprocess
 *
 * Waits for @subprocess to end ([method@Gio.Subprocess.wait_async]). Cancelling the
 * future stops the wait, not the process.
 *
 * Returns: (transfer full): a future of the return code, an int: the exit status, or
 *   minus the number of the signal that ended the process (asyncio's `returncode`)
 *
 * Since: 1.0
 */
CoroFuture *
coro_subprocess_wait (GSubprocess *subprocess)
{
  GioFuture *self;

  g_return_val_if_fail (G_IS_SUBPROCESS (subprocess), NULL);

  self = gio_future_new (finish_wait, NULL, NULL);
  g_subprocess_wait_async (subprocess, self->cancellable, coro_gio_callback, self);
  return &self->parent;
}

static gboolean
finish_wait_check (GObject       *source,
                   GAsyncResult  *result,
                   CoroFuture    *future,
                   GError       **error)
{
  return g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, error);
}

/**
 * coro_subprocess_wait_check:
 * @subprocess: a #GSubprocess
 *
 * Waits for @subprocess to end and checks that it succeeded
 * ([method@Gio.Subprocess.wait_check_async]). Cancelling the future stops the wait,
 * not the process.
 *
 * Returns: (transfer full): a future of no value that fails with a `G_SPAWN_EXIT_ERROR`
 *   error if the process exited with a non-zero status, or a %G_IO_ERROR_FAILED error
 *   if a signal ended it
 *
 * Since: 1.0
 */
CoroFuture *
coro_subprocess_wait_check (GSubprocess *subprocess)
{
  GioFuture *self;

  g_return_val_if_fail (G_IS_SUBPROCESS (subprocess), NULL);

  self = gio_future_new (finish_wait_check, NULL, NULL);
  g_subprocess_wait_check_async (subprocess, self->cancellable, coro_gio_callback, self);
  return &self->parent;
}

/* Futures as GTasks */

typedef struct
{
  GTask      *gtask;
  CoroFuture *future;
  GSource    *cancel_source;
} Bridge;

static gboolean
bridge_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  Bridge *bridge = user_data;

  coro_future_cancel (bridge->future, "The GCancellable was cancelled");
  return G_SOURCE_REMOVE;
}

static gboolean
bridge_return (gpointer user_data)
{
  Bridge *bridge = user_data;
  GError *error = NULL;

  if (coro_future_propagate (bridge->future, &error))
    g_task_return_pointer (bridge->gtask, coro_future_ref (bridge->future),
                           (GDestroyNotify) coro_future_unref);
  else if (coro_error_is_cancellation (error))
    {
      g_task_return_new_error (bridge->gtask, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               error->message);
      g_error_free (error);
    }
  else
    g_task_return_error (bridge->gtask, error);

  g_object_unref (bridge->gtask);
  coro_future_unref (bridge->future);
  g_free (bridge);
  return G_SOURCE_REMOVE;
}

static void
bridge_done (CoroFuture *future,
             gpointer    user_data)
{
  Bridge *bridge = user_data;
  GSource *source;

  if (bridge->cancel_source != NULL)
    {
      g_source_destroy (bridge->cancel_source);
      g_source_unref (bridge->cancel_source);
    }

  /* GTask would call back right here, inside the loop's dispatch; a caller that runs a
   * nested main loop from its callback (a modal dialog) would then stall every
   * coroutine. Call back from a source of its own instead. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, bridge_return, bridge, NULL);
  g_source_set_static_name (source, "[coro] coro_future_to_gtask");
  g_source_attach (source, g_task_get_context (bridge->gtask));
  g_source_unref (source);
}

/**
 * coro_future_to_gtask: (skip)
 * @future: (transfer full): the future whose outcome the operation reports
 * @source_object: (type GObject.Object) (nullable): the operation's source object
 * @cancellable: (nullable): a #GCancellable that cancels @future
 * @callback: (scope async) (nullable) (closure user_data): called with the #GAsyncResult
 *   once @future is done
 * @user_data: data for @callback
 *
 * Backs a standard GIO asynchronous operation with a future, so that GNOME code, Vala's
 * `yield` and the bindings' GIO helpers can call a coroutine. This is how a library
 * offers a `foo_async` / `foo_finish` pair implemented by a task:
 *
 * |[<!-- language="C" -->
 * void
 * my_compute_async (int n, GCancellable *cancellable, GAsyncReadyCallback callback,
 *                   gpointer user_data)
 * {
 *   CoroTask *task = CORO_CREATE_TASK (compute, Compute, .n = n);
 *
 *   coro_future_to_gtask (CORO_FUTURE (task), NULL, cancellable, callback, user_data);
 * }
 *
 * gint64
 * my_compute_finish (GAsyncResult *result, GError **error)
 * {
 *   return coro_gtask_propagate_int (result, error);
 * }
 * ]|
 *
 * Cancelling @cancellable cancels @future (a task is asked to stop, as with
 * [func@Coro.task_cancel]); it may be cancelled from any thread. When @future is done,
 * @callback runs from the thread-default main context of the caller, as GIO's callbacks
 * do, from a source of its own rather than inside the loop's dispatch, so that it may
 * run a nested main loop in which coroutines keep running. Read the outcome with one of
 * the `coro_gtask_propagate_*()` functions: a failed future gives its error, a
 * cancelled one %G_IO_ERROR_CANCELLED.
 *
 * Since: 1.0
 */
static void
future_to_gtask (CoroFuture          *future,
                 gpointer             source_object,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  Bridge *bridge = g_new0 (Bridge, 1);

  bridge->gtask = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (bridge->gtask, coro_future_to_gtask);
  g_task_set_name (bridge->gtask, "coro_future_to_gtask");
  bridge->future = future;

  if (cancellable != NULL)
    {
      /* A source rather than a signal handler: the cancellable may be cancelled from
       * another thread, and the future must be cancelled on its loop's. */
      bridge->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (bridge->cancel_source, G_SOURCE_FUNC (bridge_cancelled),
                             bridge, NULL);
      g_source_attach (bridge->cancel_source, coro_loop_get_context (future->loop));
    }
  coro_future_add_done_callback (future, bridge_done, bridge, NULL);
}

void
coro_future_to_gtask (CoroFuture          *future,
                      gpointer             source_object,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (future != NULL);
  g_return_if_fail (source_object == NULL || G_IS_OBJECT (source_object));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  future_to_gtask (future, source_object, cancellable, callback, user_data);
}

/**
 * coro_future_wait_async:
 * @future: a #CoroFuture
 * @cancellable: (nullable): a #GCancellable that cancels @future
 * @callback: (scope async) (nullable) (closure user_data): called once @future is done
 * @user_data: data for @callback
 *
 * Waits for @future the GIO way: Vala's `yield future.wait ()`, or `wait_async` and
 * `wait_finish` in PyGObject and GJS. As when a task awaits a future, cancelling the
 * wait through @cancellable cancels @future. Finish with
 * [method@Coro.Future.wait_finish], then read the result with the getters.
 *
 * Since: 1.0
 */
void
coro_future_wait_async (CoroFuture          *future,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (future != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  future_to_gtask (coro_future_ref (future), NULL, cancellable, callback, user_data);
}

/**
 * coro_future_wait_finish:
 * @future: the #CoroFuture given to [method@Coro.Future.wait_async]
 * @result: the #GAsyncResult the callback received
 * @error: return location for the future's error
 *
 * Finishes [method@Coro.Future.wait_async].
 *
 * Returns: %TRUE if @future succeeded; %FALSE with its error if it failed, or with
 *   %G_IO_ERROR_CANCELLED if it was cancelled
 *
 * Since: 1.0
 */
gboolean
coro_future_wait_finish (CoroFuture    *future,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_autoptr(CoroFuture) done = NULL;

  g_return_val_if_fail (future != NULL, FALSE);

  done = coro_gtask_propagate_future (result, error);
  if (done == NULL)
    return FALSE;
  g_return_val_if_fail (done == future, FALSE);
  return TRUE;
}

/**
 * coro_gtask_propagate_future: (skip)
 * @result: the #GAsyncResult of an operation made by coro_future_to_gtask()
 * @error: return location for the future's error
 *
 * Finishes an operation made by coro_future_to_gtask(), giving back the done
 * future to read its result from. Call it, or one of the other
 * `coro_gtask_propagate_*()` functions, once.
 *
 * Returns: (transfer full) (nullable): the future, which succeeded, or %NULL with its
 *   error if it failed, or with %G_IO_ERROR_CANCELLED if it was cancelled
 *
 * Since: 1.0
 */
CoroFuture *
coro_gtask_propagate_future (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, coro_future_to_gtask), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * coro_gtask_propagate: (skip)
 * @result: the #GAsyncResult of an operation made by coro_future_to_gtask()
 * @error: return location for the future's error
 *
 * Finishes an operation whose result is of no interest.
 *
 * Returns: %TRUE if the future succeeded, else %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
coro_gtask_propagate (GAsyncResult  *result,
                      GError       **error)
{
  g_autoptr(CoroFuture) future = coro_gtask_propagate_future (result, error);

  return future != NULL;
}

/**
 * coro_gtask_propagate_int: (skip)
 * @result: the #GAsyncResult of an operation made by coro_future_to_gtask()
 * @error: return location for the future's error
 *
 * Finishes an operation whose future holds an int.
 *
 * Returns: the future's result, or 0 with @error set
 *
 * Since: 1.0
 */
gint64
coro_gtask_propagate_int (GAsyncResult  *result,
                          GError       **error)
{
  g_autoptr(CoroFuture) future = coro_gtask_propagate_future (result, error);

  return future != NULL ? coro_future_get_int (future, error) : 0;
}

/**
 * coro_gtask_propagate_double: (skip)
 * @result: the #GAsyncResult of an operation made by coro_future_to_gtask()
 * @error: return location for the future's error
 *
 * Finishes an operation whose future holds a double.
 *
 * Returns: the future's result, or 0 with @error set
 *
 * Since: 1.0
 */
double
coro_gtask_propagate_double (GAsyncResult  *result,
                             GError       **error)
{
  g_autoptr(CoroFuture) future = coro_gtask_propagate_future (result, error);

  return future != NULL ? coro_future_get_double (future, error) : 0;
}

/**
 * coro_gtask_propagate_boolean: (skip)
 * @result: the #GAsyncResult of an operation made by coro_future_to_gtask()
 * @error: return location for the future's error
 *
 * Finishes an operation whose future holds a boolean.
 *
 * Returns: the future's result, or %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
coro_gtask_propagate_boolean (GAsyncResult  *result,
                              GError       **error)
{
  g_autoptr(CoroFuture) future = coro_gtask_propagate_future (result, error);

  return future != NULL ? coro_future_get_boolean (future, error) : FALSE;
}

/**
 * coro_gtask_propagate_string: (skip)
 * @result: the #GAsyncResult of an operation made by coro_future_to_gtask()
 * @error: return location for the future's error
 *
 * Finishes an operation whose future holds a string.
 *
 * Returns: (transfer full) (nullable): a copy of the future's result, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
char *
coro_gtask_propagate_string (GAsyncResult  *result,
                             GError       **error)
{
  g_autoptr(CoroFuture) future = coro_gtask_propagate_future (result, error);

  return future != NULL ? g_strdup (coro_future_get_string (future, error)) : NULL;
}

/**
 * coro_gtask_propagate_object: (skip)
 * @result: the #GAsyncResult of an operation made by coro_future_to_gtask()
 * @error: return location for the future's error
 *
 * Finishes an operation whose future holds a #GObject.
 *
 * Returns: (transfer full) (type GObject.Object) (nullable): the future's result, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
gpointer
coro_gtask_propagate_object (GAsyncResult  *result,
                             GError       **error)
{
  g_autoptr(CoroFuture) future = coro_gtask_propagate_future (result, error);
  GObject *object;

  if (future == NULL)
    return NULL;
  object = coro_future_get_object (future, error);
  return object != NULL ? g_object_ref (object) : NULL;
}

/**
 * coro_gtask_propagate_value: (skip)
 * @result: the #GAsyncResult of an operation made by coro_future_to_gtask()
 * @value: (out caller-allocates): an uninitialized #GValue to receive the result
 * @error: return location for the future's error
 *
 * Finishes an operation, reading its result as a #GValue as
 * [method@Coro.Future.get_value] does.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
coro_gtask_propagate_value (GAsyncResult  *result,
                            GValue        *value,
                            GError       **error)
{
  g_autoptr(CoroFuture) future = NULL;

  g_return_val_if_fail (value != NULL && !G_IS_VALUE (value), FALSE);

  future = coro_gtask_propagate_future (result, error);
  return future != NULL && coro_future_get_value (future, value, error);
}
