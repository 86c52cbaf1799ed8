/* fetch-http-head.c: the asyncio docs' "get HTTP headers" example
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *     async def print_http_headers(url):
 *         url = urllib.parse.urlsplit(url)
 *         if url.scheme == 'https':
 *             reader, writer = await asyncio.open_connection(url.hostname, 443, ssl=True)
 *         else:
 *             reader, writer = await asyncio.open_connection(url.hostname, 80)
 *         query = (f"HEAD {url.path or '/'} HTTP/1.0\r\n"
 *                  f"Host: {url.hostname}\r\n"
 *                  f"\r\n")
 *         writer.write(query.encode('latin-1'))
 *         while True:
 *             line = await reader.readline()
 *             if not line:
 *                 break
 *             line = line.decode('latin1').rstrip()
 *             if line:
 *                 print(f'HTTP header> {line}')
 *         writer.close()
 *         await writer.wait_closed()
 *
 * Usage: fetch-http-head [URL]. Without a URL the example first starts a small local
 * HTTP server on a port the system picks and asks it, so that it runs offline.
 */
#include <coro.h>
#include <stdio.h>
#include <string.h>

/* The local server: reads the request up to its empty line, answers with headers only. */
typedef struct
{
  CoroStreamReader *reader;
  CoroStreamWriter *writer;
} Serve;

static void serve_line (CoroTask *task, gpointer frame);

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

  coro_task_defer (task, serve_release, self);
  coro_await (task, coro_stream_reader_readline (self->reader), serve_line);
}

static void
serve_line (CoroTask *task,
            gpointer  frame)
{
  static const char response[] =
    "HTTP/1.0 200 OK\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Length: 42\r\n"
    "Server: Coro example\r\n"
    "\r\n";
  Serve *self = frame;
  GBytes *line = coro_future_get_bytes (coro_task_get_awaited (task), NULL);

  if (g_bytes_get_size (line) > 2)
    {
      coro_await (task, coro_stream_reader_readline (self->reader), serve_line);
      return;
    }
  coro_stream_writer_write (self->writer, (const guint8 *) response, strlen (response), NULL);
  coro_stream_writer_close (self->writer);
  coro_task_return (task);
}

static CoroFuture *
client_connected (CoroStreamReader *reader,
                  CoroStreamWriter *writer,
                  gpointer          user_data)
{
  return CORO_FUTURE (CORO_CREATE_TASK (serve, Serve,
                                        .reader = g_object_ref (reader),
                                        .writer = g_object_ref (writer)));
}

/* async def print_http_headers(url): */
typedef struct
{
  const char       *url;
  GUri             *uri;
  CoroServer       *server;
  CoroStreamWriter *writer;
} Fetch;

static void fetch_served (CoroTask *task, gpointer frame);
static void fetch_connected (CoroTask *task, gpointer frame);
static void fetch_line (CoroTask *task, gpointer frame);
static void fetch_closed (CoroTask *task, gpointer frame);
static void fetch_server_closed (CoroTask *task, gpointer frame);

static void
fetch_release (gpointer data)
{
  Fetch *self = data;

  g_clear_pointer (&self->uri, g_uri_unref);
  g_clear_object (&self->server);
  g_clear_object (&self->writer);
}

static void
fetch_start (CoroTask *task,
             gpointer  frame)
{
  Fetch *self = frame;

  coro_task_defer (task, fetch_release, self);
  if (self->url == NULL)
    {
      coro_await (task, coro_start_server ("127.0.0.1", 0, client_connected, NULL, NULL),
                  fetch_served);
      return;
    }
  fetch_served (task, frame);
}

static void
fetch_served (CoroTask *task,
              gpointer  frame)
{
  Fetch *self = frame;
  GError *error = NULL;
  char *url;
  const char *host;

  if (self->url == NULL)
    {
      self->server = g_object_ref (CORO_SERVER (coro_future_get_object (
        coro_task_get_awaited (task), NULL)));
      url = g_strdup_printf ("http://127.0.0.1:%u/", coro_server_get_port (self->server));
    }
  else
    url = g_strdup (self->url);

  /* url = urllib.parse.urlsplit(url) */
  self->uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  g_free (url);
  if (self->uri == NULL)
    {
      coro_task_return_error (task, error);
      return;
    }
  host = g_uri_get_host (self->uri);
  if (g_strcmp0 (g_uri_get_scheme (self->uri), "https") == 0)
    coro_await (task, coro_open_tls_connection (host, g_uri_get_port (self->uri) > 0 ?
                                                      g_uri_get_port (self->uri) : 443,
                                                NULL, NULL),
                fetch_connected);
  else
    coro_await (task, coro_open_connection (host, g_uri_get_port (self->uri) > 0 ?
                                                  g_uri_get_port (self->uri) : 80),
                fetch_connected);
}

static void
fetch_connected (CoroTask *task,
                 gpointer  frame)
{
  Fetch *self = frame;
  const char *path = g_uri_get_path (self->uri);
  char *query;

  self->writer = g_object_ref (CORO_STREAM_WRITER (
    coro_future_get_object (coro_task_get_awaited (task), NULL)));
  query = g_strdup_printf ("HEAD %s HTTP/1.0\r\nHost: %s\r\n\r\n",
                           *path != '\0' ? path : "/", g_uri_get_host (self->uri));
  coro_stream_writer_write (self->writer, (const guint8 *) query, strlen (query), NULL);
  g_free (query);
  coro_await (task, coro_stream_reader_readline (coro_stream_writer_get_reader (self->writer)),
              fetch_line);
}

static void
fetch_line (CoroTask *task,
            gpointer  frame)
{
  Fetch *self = frame;
  GBytes *line = coro_future_get_bytes (coro_task_get_awaited (task), NULL);
  gsize len;
  const char *text = g_bytes_get_data (line, &len);

  if (len == 0)
    {
      coro_stream_writer_close (self->writer);
      coro_await (task, coro_stream_writer_wait_closed (self->writer), fetch_closed);
      return;
    }
  while (len > 0 && g_ascii_isspace (text[len - 1]))   /* .rstrip() */
    len--;
  if (len > 0)
    printf ("HTTP header> %.*s\n", (int) len, text);
  coro_await (task, coro_stream_reader_readline (coro_stream_writer_get_reader (self->writer)),
              fetch_line);
}

static void
fetch_closed (CoroTask *task,
              gpointer  frame)
{
  Fetch *self = frame;

  if (self->server == NULL)
    {
      coro_task_return (task);
      return;
    }
  coro_server_close (self->server);
  coro_await (task, coro_server_wait_closed (self->server), fetch_server_closed);
}

static void
fetch_server_closed (CoroTask *task,
                     gpointer  frame)
{
  coro_task_return (task);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (fetch_start, Fetch,
                                                .url = argc > 1 ? argv[1] : NULL)), &error))
    {
      g_printerr ("fetch-http-head: %s\n", error->message);
      return 1;
    }
  return 0;
}
