/* bench-w5-echo.c: W5 on Coro streams over TCP loopback, server and client in one loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bench-w5-echo W5a|W5b [N] [--smoke]
 *   W5a  N round trips of 64 bytes through an echo server (N = 100 000; --smoke: 1 000),
 *        reported in µs per round trip
 *   W5b  N MiB sent in 64 KiB writes, each followed by drain (), to a server that reads
 *        and counts them (N = 1024; --smoke: 8), reported in MiB/s
 */
#include <coro.h>

#include "bench-common.h"

#define MESSAGE 64
#define CHUNK (64 * 1024)

static gboolean bulk;
static long n;
static gint64 received;
static double start;
static double elapsed;

/* The server side: echo (W5a) or count (W5b) until the end of the stream. */
typedef struct
{
  CoroStreamReader *reader;
  CoroStreamWriter *writer;
} Serve;

static void serve_got (CoroTask *task, gpointer frame);

static void
serve_release (gpointer data)
{
  Serve *self = data;

  g_clear_object (&self->reader);
  g_clear_object (&self->writer);
}

static void
serve (CoroTask *task,
       gpointer  frame)
{
  Serve *self = frame;

  coro_await (task, coro_stream_reader_read (self->reader, CHUNK), serve_got);
}

static void
serve_got (CoroTask *task,
           gpointer  frame)
{
  Serve *self = frame;
  GBytes *data = coro_future_get_bytes (coro_task_get_awaited (task), NULL);
  gsize len = g_bytes_get_size (data);

  if (len == 0)
    {
      coro_stream_writer_close (self->writer);
      coro_task_return (task);
      return;
    }
  if (bulk)
    {
      received += len;
      if (received == (gint64) n * 1024 * 1024)
        elapsed = bench_now () - start;
      serve (task, frame);
      return;
    }
  coro_stream_writer_write_bytes (self->writer, data, NULL);
  coro_await (task, coro_stream_writer_drain (self->writer), serve);
}

static CoroFuture *
client_connected (CoroStreamReader *reader,
                  CoroStreamWriter *writer,
                  gpointer          user_data)
{
  CoroTask *task = CORO_CREATE_TASK (serve, Serve, .reader = g_object_ref (reader),
                                     .writer = g_object_ref (writer));

  coro_task_defer (task, serve_release, coro_task_get_frame (task));
  return CORO_FUTURE (task);
}

/* The client */
typedef struct
{
  CoroServer       *server;
  CoroStreamWriter *writer;
  guint8           *chunk;
  long              remaining;
} Client;

static void client_started (CoroTask *task, gpointer frame);
static void client_opened (CoroTask *task, gpointer frame);
static void client_send (CoroTask *task, gpointer frame);
static void client_closed (CoroTask *task, gpointer frame);

static void
client_release (gpointer data)
{
  Client *self = data;

  g_clear_object (&self->server);
  g_clear_object (&self->writer);
  g_free (self->chunk);
}

static void
client_start (CoroTask *task,
              gpointer  frame)
{
  Client *self = frame;

  coro_task_defer (task, client_release, self);
  coro_await (task, coro_start_server ("127.0.0.1", 0, client_connected, NULL, NULL),
              client_started);
}

static void
client_started (CoroTask *task,
                gpointer  frame)
{
  Client *self = frame;

  self->server = g_object_ref (CORO_SERVER (coro_future_get_object (coro_task_get_awaited (task),
                                                                      NULL)));
  coro_await (task, coro_open_connection ("127.0.0.1", coro_server_get_port (self->server)),
              client_opened);
}

static void
client_opened (CoroTask *task,
               gpointer  frame)
{
  Client *self = frame;

  self->writer = g_object_ref (CORO_STREAM_WRITER (
    coro_future_get_object (coro_task_get_awaited (task), NULL)));
  self->chunk = g_malloc0 (bulk ? CHUNK : MESSAGE);
  self->remaining = bulk ? n * 1024 * 1024 / CHUNK : n;
  start = bench_now ();
  client_send (task, frame);
}

static void
client_send (CoroTask *task,
             gpointer  frame)
{
  Client *self = frame;

  if (self->remaining-- == 0)
    {
      if (!bulk)
        elapsed = bench_now () - start;
      coro_stream_writer_close (self->writer);
      coro_server_close (self->server);
      coro_await (task, coro_server_wait_closed (self->server), client_closed);
      return;
    }
  if (bulk)
    {
      coro_stream_writer_write (self->writer, self->chunk, CHUNK, NULL);
      coro_await (task, coro_stream_writer_drain (self->writer), client_send);
      return;
    }
  coro_stream_writer_write (self->writer, self->chunk, MESSAGE, NULL);
  coro_await (task, coro_stream_reader_readexactly (coro_stream_writer_get_reader (self->writer),
                                                    MESSAGE),
              client_send);
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

  if (argc < 2 || (strcmp (argv[1], "W5a") != 0 && strcmp (argv[1], "W5b") != 0))
    {
      fprintf (stderr, "usage: %s W5a|W5b [N] [--smoke]\n", argv[0]);
      return 2;
    }
  bulk = strcmp (argv[1], "W5b") == 0;
  n = bulk ? bench_args (argc, argv, 2, 1024, 8) : bench_args (argc, argv, 2, 100000, 1000);
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (client_start, Client, .remaining = 0)), &error))
    {
      fprintf (stderr, "W5: %s\n", error->message);
      return 1;
    }
  if (bulk)
    bench_report ("W5b", "coro", n, "mib_per_s", n / elapsed);
  else
    bench_report ("W5a", "coro", n, "us_per_op", elapsed * 1e6 / n);
  return 0;
}
