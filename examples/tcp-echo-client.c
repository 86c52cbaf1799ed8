/* tcp-echo-client.c: the asyncio docs' TCP echo client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *     async def tcp_echo_client(message):
 *         reader, writer = await asyncio.open_connection('127.0.0.1', 8888)
 *         print(f'Send: {message!r}')
 *         writer.write(message.encode())
 *         await writer.drain()
 *         data = await reader.read(100)
 *         print(f'Received: {data.decode()!r}')
 *         print('Close the connection')
 *         writer.close()
 *         await writer.wait_closed()
 *
 *     asyncio.run(tcp_echo_client('Hello World!'))
 *
 * Usage: tcp-echo-client [PORT [MESSAGE]]; run tcp-echo-server first.
 */
#include <coro.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  const char       *message;
  guint16           port;
  CoroStreamWriter *writer;
} EchoClient;

static void client_connected (CoroTask *task, gpointer frame);
static void client_drained (CoroTask *task, gpointer frame);
static void client_received (CoroTask *task, gpointer frame);
static void client_closed (CoroTask *task, gpointer frame);

static void
client_release (gpointer data)
{
  EchoClient *self = data;

  g_clear_object (&self->writer);
}

static void
tcp_echo_client (CoroTask *task,
                 gpointer  frame)
{
  EchoClient *self = frame;

  coro_task_defer (task, client_release, self);
  /* reader, writer = await asyncio.open_connection('127.0.0.1', 8888) */
  coro_await (task, coro_open_connection ("127.0.0.1", self->port), client_connected);
}

static void
client_connected (CoroTask *task,
                  gpointer  frame)
{
  EchoClient *self = frame;

  self->writer = g_object_ref (CORO_STREAM_WRITER (
    coro_future_get_object (coro_task_get_awaited (task), NULL)));
  printf ("Send: '%s'\n", self->message);
  /* writer.write(message.encode()); await writer.drain() */
  coro_stream_writer_write (self->writer, (const guint8 *) self->message,
                            strlen (self->message), NULL);
  coro_await (task, coro_stream_writer_drain (self->writer), client_drained);
}

static void
client_drained (CoroTask *task,
                gpointer  frame)
{
  EchoClient *self = frame;
  CoroStreamReader *reader = coro_stream_writer_get_reader (self->writer);

  /* data = await reader.read(100) */
  coro_await (task, coro_stream_reader_read (reader, 100), client_received);
}

static void
client_received (CoroTask *task,
                 gpointer  frame)
{
  EchoClient *self = frame;
  GBytes *data = coro_future_get_bytes (coro_task_get_awaited (task), NULL);
  gsize len;
  const char *text = g_bytes_get_data (data, &len);

  printf ("Received: '%.*s'\n", (int) len, text);
  printf ("Close the connection\n");
  /* writer.close(); await writer.wait_closed() */
  coro_stream_writer_close (self->writer);
  coro_await (task, coro_stream_writer_wait_closed (self->writer), client_closed);
}

static void
client_closed (CoroTask *task,
               gpointer  frame)
{
  coro_task_return (task);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  guint16 port = argc > 1 ? (guint16) atoi (argv[1]) : 8888;
  const char *message = argc > 2 ? argv[2] : "Hello World!";

  setvbuf (stdout, NULL, _IOLBF, 0);
  /* asyncio.run(tcp_echo_client('Hello World!')) */
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (tcp_echo_client, EchoClient,
                                                .message = message, .port = port)), &error))
    {
      g_printerr ("tcp-echo-client: %s\n", error->message);
      return 1;
    }
  return 0;
}
