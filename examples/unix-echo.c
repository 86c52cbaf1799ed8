/* unix-echo.c: the echo pair of the asyncio docs over a Unix socket, in one program
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *     async def handle_echo(reader, writer):
 *         data = await reader.readline()
 *         print(f"Server received {data.decode()!r}")
 *         writer.write(data)
 *         await writer.drain()
 *         writer.close()
 *         await writer.wait_closed()
 *
 *     async def main(path):
 *         server = await asyncio.start_unix_server(handle_echo, path)
 *         async with server:
 *             reader, writer = await asyncio.open_unix_connection(path)
 *             print('Send: \'Hello over a Unix socket\\n\'')
 *             writer.write(b'Hello over a Unix socket\n')
 *             data = await reader.readline()
 *             print(f'Received: {data.decode()!r}')
 *             writer.close()
 *             await writer.wait_closed()
 *         print('Server closed')
 */
#include <coro.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define MESSAGE "Hello over a Unix socket\n"

static void
print_line (const char *who,
            GBytes     *data)
{
  gsize len;
  const char *text = g_bytes_get_data (data, &len);

  /* the line's '\n' printed as Python's repr does */
  printf ("%s'%.*s\\n'\n", who, (int) len - 1, text);
}

/* async def handle_echo(reader, writer): */
typedef struct
{
  CoroStreamReader *reader;
  CoroStreamWriter *writer;
} HandleEcho;

static void handle_echo_got (CoroTask *task, gpointer frame);
static void handle_echo_drained (CoroTask *task, gpointer frame);
static void handle_echo_closed (CoroTask *task, gpointer frame);

static void
handle_echo_release (gpointer data)
{
  HandleEcho *self = data;

  g_clear_object (&self->reader);
  g_clear_object (&self->writer);
}

static void
handle_echo (CoroTask *task,
             gpointer  frame)
{
  HandleEcho *self = frame;

  coro_task_defer (task, handle_echo_release, self);
  coro_await (task, coro_stream_reader_readline (self->reader), handle_echo_got);
}

static void
handle_echo_got (CoroTask *task,
                 gpointer  frame)
{
  HandleEcho *self = frame;
  GBytes *data = coro_future_get_bytes (coro_task_get_awaited (task), NULL);

  print_line ("Server received ", data);
  coro_stream_writer_write_bytes (self->writer, data, NULL);
  coro_await (task, coro_stream_writer_drain (self->writer), handle_echo_drained);
}

static void
handle_echo_drained (CoroTask *task,
                     gpointer  frame)
{
  HandleEcho *self = frame;

  coro_stream_writer_close (self->writer);
  coro_await (task, coro_stream_writer_wait_closed (self->writer), handle_echo_closed);
}

static void
handle_echo_closed (CoroTask *task,
                    gpointer  frame)
{
  coro_task_return (task);
}

static CoroFuture *
client_connected (CoroStreamReader *reader,
                  CoroStreamWriter *writer,
                  gpointer          user_data)
{
  return CORO_FUTURE (CORO_CREATE_TASK (handle_echo, HandleEcho,
                                        .reader = g_object_ref (reader),
                                        .writer = g_object_ref (writer)));
}

/* async def main(path): */
typedef struct
{
  const char       *path;
  CoroServer       *server;
  CoroStreamWriter *writer;
} Main;

static void main_serving (CoroTask *task, gpointer frame);
static void main_connected (CoroTask *task, gpointer frame);
static void main_received (CoroTask *task, gpointer frame);
static void main_client_closed (CoroTask *task, gpointer frame);
static void main_server_closed (CoroTask *task, gpointer frame);

static void
main_release (gpointer data)
{
  Main *self = data;

  g_clear_object (&self->server);
  g_clear_object (&self->writer);
}

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  Main *self = frame;

  coro_task_defer (task, main_release, self);
  /* server = await asyncio.start_unix_server(handle_echo, path) */
  coro_await (task, coro_start_unix_server (self->path, client_connected, NULL, NULL),
              main_serving);
}

static void
main_serving (CoroTask *task,
              gpointer  frame)
{
  Main *self = frame;

  self->server = g_object_ref (CORO_SERVER (coro_future_get_object (coro_task_get_awaited (task),
                                                                      NULL)));
  /* reader, writer = await asyncio.open_unix_connection(path) */
  coro_await (task, coro_open_unix_connection (self->path), main_connected);
}

static void
main_connected (CoroTask *task,
                gpointer  frame)
{
  Main *self = frame;

  self->writer = g_object_ref (CORO_STREAM_WRITER (
    coro_future_get_object (coro_task_get_awaited (task), NULL)));
  printf ("Send: 'Hello over a Unix socket\\n'\n");
  coro_stream_writer_write (self->writer, (const guint8 *) MESSAGE, strlen (MESSAGE), NULL);
  coro_await (task, coro_stream_reader_readline (coro_stream_writer_get_reader (self->writer)),
              main_received);
}

static void
main_received (CoroTask *task,
               gpointer  frame)
{
  Main *self = frame;

  print_line ("Received: ", coro_future_get_bytes (coro_task_get_awaited (task), NULL));
  coro_stream_writer_close (self->writer);
  coro_await (task, coro_stream_writer_wait_closed (self->writer), main_client_closed);
}

static void
main_client_closed (CoroTask *task,
                    gpointer  frame)
{
  Main *self = frame;

  /* leaving `async with server` */
  coro_server_close (self->server);
  coro_await (task, coro_server_wait_closed (self->server), main_server_closed);
}

static void
main_server_closed (CoroTask *task,
                    gpointer  frame)
{
  printf ("Server closed\n");
  coro_task_return (task);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("unix-echo-XXXXXX", NULL);
  char *path = g_build_filename (dir, "echo.sock", NULL);
  gboolean ok;

  setvbuf (stdout, NULL, _IOLBF, 0);
  ok = coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_start, Main, .path = path)), &error);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
  if (!ok)
    {
      g_printerr ("unix-echo: %s\n", error->message);
      return 1;
    }
  return 0;
}
