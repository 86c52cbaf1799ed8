/* gio-bridge.c: the GIO bridge, both ways
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * First a coroutine awaits GIO operations as futures: it writes a file and reads it
 * back, then connects a GSocketClient to a local GSocketListener and exchanges a line,
 * as asyncio code would with `await`:
 *
 *     async def main():
 *         await write_file(path, b'hello from coro\n')
 *         print('read back:', await read_file(path))
 *         server, client = await asyncio.gather(accept(listener), connect(address))
 *         ...
 *
 * Then plain GIO code, which knows nothing of Coro, calls a coroutine through the usual
 * slow_square_async () / slow_square_finish () pair from a GMainLoop.
 */
#include <coro.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

/* A coroutine awaiting GIO */

typedef struct
{
  GFile           *file;
  GSocketListener *listener;
  GSocketClient   *client;
  char            *address;
  GSocketConnection *server;
  GSocketConnection *client_connection;
} Main;

static void main_written (CoroTask *task, gpointer frame);
static void main_loaded (CoroTask *task, gpointer frame);
static void main_connected (CoroTask *task, gpointer frame);
static void main_pinged (CoroTask *task, gpointer frame);
static void main_ponged (CoroTask *task, gpointer frame);

/* A call that has no ready-made future: the generic helper turns it into one. */
static gboolean
finish_accept (GObject       *source,
               GAsyncResult  *result,
               CoroFuture    *future,
               GError       **error)
{
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, error);
  if (connection == NULL)
    return FALSE;
  coro_future_set_object (future, connection, NULL);
  return TRUE;
}

static CoroFuture *
accept_connection (GSocketListener *listener)
{
  GCancellable *cancellable;
  CoroFuture *future = coro_gio_future_new (finish_accept, &cancellable);

  g_socket_listener_accept_async (listener, cancellable, coro_gio_callback, future);
  return future;
}

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  Main *f = frame;
  g_autoptr(GBytes) contents = g_bytes_new_static ("hello from coro", 15);

  coro_await (task, coro_file_replace_contents (f->file, contents, NULL, FALSE,
                                                G_FILE_CREATE_REPLACE_DESTINATION),
              main_written);
}

static void
main_written (CoroTask *task,
              gpointer  frame)
{
  Main *f = frame;

  printf ("wrote the file\n");
  coro_await (task, coro_file_load_contents (f->file), main_loaded);
}

static void
main_loaded (CoroTask *task,
             gpointer  frame)
{
  Main *f = frame;
  GBytes *bytes = coro_future_get_bytes (coro_task_get_awaited (task), NULL);
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  printf ("read back: %.*s\n", (int) size, data);

  /* server, client = await gather (accept (), connect ()) */
  coro_await (task,
              coro_gather (accept_connection (f->listener),
                           coro_socket_client_connect_to_host (f->client, f->address, 0),
                           NULL),
              main_connected);
}

/* Writes @text on @from while reading what arrives on @to: gather (write, read). */
static CoroFuture *
send_and_receive (GSocketConnection *from,
                  GSocketConnection *to,
                  const char        *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (from));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (to));

  return coro_gather (coro_output_stream_write_all (out, bytes, G_PRIORITY_DEFAULT),
                      coro_input_stream_read_bytes (in, 64, G_PRIORITY_DEFAULT),
                      NULL);
}

/* Prints what the read of send_and_receive() got. */
static void
print_received (CoroTask   *task,
                const char *who)
{
  CoroFuture **results;
  GBytes *bytes;
  const char *data;
  gsize size;
  guint n;

  results = coro_future_get_futures (coro_task_get_awaited (task), &n, NULL);
  bytes = coro_future_get_bytes (results[1], NULL);
  data = g_bytes_get_data (bytes, &size);
  printf ("%s got: %.*s\n", who, (int) size, data);
}

static void
main_connected (CoroTask *task,
                gpointer  frame)
{
  Main *f = frame;
  CoroFuture **results;
  guint n;

  results = coro_future_get_futures (coro_task_get_awaited (task), &n, NULL);
  f->server = G_SOCKET_CONNECTION (g_object_ref (coro_future_get_object (results[0], NULL)));
  f->client_connection =
    G_SOCKET_CONNECTION (g_object_ref (coro_future_get_object (results[1], NULL)));
  /* The connections are released whenever the task ends, even if it fails. */
  coro_task_defer (task, g_object_unref, f->server);
  coro_task_defer (task, g_object_unref, f->client_connection);
  printf ("connected\n");

  coro_await (task, send_and_receive (f->client_connection, f->server, "ping"), main_pinged);
}

static void
main_pinged (CoroTask *task,
             gpointer  frame)
{
  Main *f = frame;

  print_received (task, "server");
  coro_await (task, send_and_receive (f->server, f->client_connection, "pong"), main_ponged);
}

static void
main_ponged (CoroTask *task,
             gpointer  frame)
{
  print_received (task, "client");
  coro_task_return (task);
}

/* A coroutine behind a GIO async pair */

typedef struct
{
  gint64 n;
} SlowSquare;

static void
slow_square_return (CoroTask *task,
                    gpointer  frame)
{
  SlowSquare *f = frame;

  coro_task_return_int (task, f->n * f->n);
}

static void
slow_square (CoroTask *task,
             gpointer  frame)
{
  coro_await (task, coro_sleep (0.5), slow_square_return);
}

/* What a library would export: a standard pair, implemented by a coroutine. */
static void
slow_square_async (gint64               n,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  CoroTask *task = CORO_CREATE_TASK (slow_square, SlowSquare, .n = n);

  coro_future_to_gtask (CORO_FUTURE (task), NULL, cancellable, callback, user_data);
}

static gint64
slow_square_finish (GAsyncResult  *result,
                    GError       **error)
{
  return coro_gtask_propagate_int (result, error);
}

/* Plain GIO code from here on. */
static void
on_square (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GMainLoop *main_loop = user_data;
  g_autoptr(GError) error = NULL;
  gint64 square = slow_square_finish (result, &error);

  if (error != NULL)
    printf ("GIO caller: %s\n", error->message);
  else
    printf ("GIO caller: slow_square (7) = %" G_GINT64_FORMAT "\n", square);
  g_main_loop_quit (main_loop);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GMainLoop) main_loop = NULL;
  g_autofree char *address = NULL;
  guint16 port;
  gboolean ok;

  setvbuf (stdout, NULL, _IOLBF, 0);

  dir = g_dir_make_tmp ("coro-gio-bridge-XXXXXX", &error);
  port = dir != NULL ? g_socket_listener_add_any_inet_port (listener, NULL, &error) : 0;
  if (port == 0)
    {
      g_printerr ("gio-bridge: %s\n", error->message);
      return 1;
    }
  path = g_build_filename (dir, "hello.txt", NULL);
  file = g_file_new_for_path (path);
  address = g_strdup_printf ("127.0.0.1:%u", port);
  /* Loopback needs no proxy; looking one up would start GSettings and libproxy. */
  g_socket_client_set_enable_proxy (client, FALSE);

  ok = coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_start, Main, .file = file,
                                                .listener = listener, .client = client,
                                                .address = address)),
                 &error);
  g_file_delete (file, NULL, NULL);
  g_rmdir (dir);
  if (!ok)
    {
      g_printerr ("gio-bridge: %s\n", error->message);
      return 1;
    }

  /* GIO code that never heard of Coro: a GMainLoop and an async/finish pair. */
  main_loop = g_main_loop_new (NULL, FALSE);
  slow_square_async (7, NULL, on_square, main_loop);
  g_main_loop_run (main_loop);
  return 0;
}
