/* tcp-echo-server.c: the asyncio docs' TCP echo server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *     async def handle_echo(reader, writer):
 *         data = await reader.read(100)
 *         message = data.decode()
 *         addr = writer.get_extra_info('peername')
 *         print(f"Received {message!r} from {addr!r}")
 *         print(f"Send: {message!r}")
 *         writer.write(data)
 *         await writer.drain()
 *         print("Close the connection")
 *         writer.close()
 *         await writer.wait_closed()
 *
 *     async def main():
 *         server = await asyncio.start_server(handle_echo, '127.0.0.1', 8888)
 *         addrs = ', '.join(str(sock.getsockname()) for sock in server.sockets)
 *         print(f'Serving on {addrs}')
 *         async with server:
 *             await server.serve_forever()
 *
 * Usage: tcp-echo-server [PORT] [--once]. Port 0 lets the system pick one; --once closes
 * the server after its first client, so that a test can run it with tcp-echo-client.
 */
#include <coro.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static guint16 port = 8888;
static gboolean once;
static CoroServer *server;

static char *
format_address (GSocketAddress *address)
{
  GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
  char *host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
  char *text = g_strdup_printf ("('%s', %u)", host, g_inet_socket_address_get_port (inet));

  g_free (host);
  return text;
}

/* async def handle_echo(reader, writer): */
typedef struct
{
  CoroStreamReader *reader;
  CoroStreamWriter *writer;
  GBytes           *data;
} HandleEcho;

static void handle_echo_received (CoroTask *task, gpointer frame);
static void handle_echo_drained (CoroTask *task, gpointer frame);
static void handle_echo_closed (CoroTask *task, gpointer frame);

static void
handle_echo_release (gpointer data)
{
  HandleEcho *self = data;

  g_clear_object (&self->reader);
  g_clear_object (&self->writer);
  g_clear_pointer (&self->data, g_bytes_unref);
}

static void
handle_echo (CoroTask *task,
             gpointer  frame)
{
  HandleEcho *self = frame;

  coro_task_defer (task, handle_echo_release, self);
  /* data = await reader.read(100) */
  coro_await (task, coro_stream_reader_read (self->reader, 100), handle_echo_received);
}

static void
handle_echo_received (CoroTask *task,
                      gpointer  frame)
{
  HandleEcho *self = frame;
  GSocketAddress *peer = coro_stream_writer_get_peername (self->writer);
  char *addr = format_address (peer);
  gsize len;
  const char *message;

  self->data = g_bytes_ref (coro_future_get_bytes (coro_task_get_awaited (task), NULL));
  message = g_bytes_get_data (self->data, &len);
  printf ("Received '%.*s' from %s\n", (int) len, message, addr);
  printf ("Send: '%.*s'\n", (int) len, message);
  g_free (addr);
  g_object_unref (peer);
  /* writer.write(data); await writer.drain() */
  coro_stream_writer_write_bytes (self->writer, self->data, NULL);
  coro_await (task, coro_stream_writer_drain (self->writer), handle_echo_drained);
}

static void
handle_echo_drained (CoroTask *task,
                     gpointer  frame)
{
  HandleEcho *self = frame;

  printf ("Close the connection\n");
  /* writer.close(); await writer.wait_closed() */
  coro_stream_writer_close (self->writer);
  coro_await (task, coro_stream_writer_wait_closed (self->writer), handle_echo_closed);
}

static void
handle_echo_closed (CoroTask *task,
                    gpointer  frame)
{
  if (once)
    coro_server_close (server);
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

/* async def main(): */
typedef struct
{
  int unused;
} Main;

static void main_started (CoroTask *task, gpointer frame);
static void main_served (CoroTask *task, gpointer frame);
static void main_closed (CoroTask *task, gpointer frame);

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  /* server = await asyncio.start_server(handle_echo, '127.0.0.1', 8888) */
  coro_await (task, coro_start_server ("127.0.0.1", port, client_connected, NULL, NULL),
              main_started);
}

static void
main_started (CoroTask *task,
              gpointer  frame)
{
  GPtrArray *sockets;
  GString *addrs = g_string_new (NULL);

  server = g_object_ref (CORO_SERVER (coro_future_get_object (coro_task_get_awaited (task),
                                                                NULL)));
  sockets = coro_server_get_sockets (server);
  for (guint i = 0; i < sockets->len; i++)
    {
      GSocketAddress *local = g_socket_get_local_address (sockets->pdata[i], NULL);
      char *addr = format_address (local);

      g_string_append_printf (addrs, "%s%s", i > 0 ? ", " : "", addr);
      g_free (addr);
      g_object_unref (local);
    }
  printf ("Serving on %s\n", addrs->str);
  g_string_free (addrs, TRUE);
  g_ptr_array_unref (sockets);
  /* async with server: await server.serve_forever() */
  coro_await_catch (task, coro_server_serve_forever (server), main_served);
}

static void
main_served (CoroTask *task,
             gpointer  frame)
{
  /* leaving `async with server` closes it and waits for its clients */
  coro_server_close (server);
  coro_await (task, coro_server_wait_closed (server), main_closed);
}

static void
main_closed (CoroTask *task,
             gpointer  frame)
{
  coro_task_return (task);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  setvbuf (stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--once") == 0)
        once = TRUE;
      else
        port = (guint16) atoi (argv[i]);
    }
  /* asyncio.run(main()) */
  ok = coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_start, Main)), &error);
  g_clear_object (&server);
  if (!ok)
    {
      g_printerr ("tcp-echo-server: %s\n", error->message);
      return 1;
    }
  return 0;
}
