/* test-streams.c: StreamReader, StreamWriter, connections and servers on real sockets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Semantics follow CPython's Lib/asyncio/streams.py and Lib/test/test_asyncio/test_streams.py.
 * No test sleeps: each drives the loop until the I/O it waits for happened.
 */
#include "coro-test.h"

#include <string.h>
#include <sys/socket.h>

/* Helpers */

static GIOStream *
connection_from_fd (int fd)
{
  GError *error = NULL;
  GSocket *socket = g_socket_new_from_fd (fd, &error);
  GIOStream *connection;

  g_assert_no_error (error);
  connection = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
  g_object_unref (socket);
  return connection;
}

/* Two writers (each carrying its reader) on the two ends of a socket pair. */
static void
make_pair (CoroStreamWriter **a,
           CoroStreamWriter **b)
{
  int fds[2];
  GIOStream *ca, *cb;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  ca = connection_from_fd (fds[0]);
  cb = connection_from_fd (fds[1]);
  *a = coro_stream_writer_new_for_connection (ca);
  *b = coro_stream_writer_new_for_connection (cb);
  g_object_unref (ca);
  g_object_unref (cb);
}

static void
write_str (CoroStreamWriter *writer,
           const char       *s)
{
  GError *error = NULL;

  g_assert_true (coro_stream_writer_write (writer, (const guint8 *) s, strlen (s), &error));
  g_assert_no_error (error);
}

/* Runs @future (consumed) and returns its bytes as a string. */
static char *
run_bytes (CoroFuture *future)
{
  GError *error = NULL;
  GBytes *bytes;
  char *s;

  coro_test_run (future);
  bytes = coro_stream_get_bytes (future, &error);
  g_assert_no_error (error);
  s = g_strndup (g_bytes_get_size (bytes) > 0 ? g_bytes_get_data (bytes, NULL) : "",
                 g_bytes_get_size (bytes));
  coro_future_unref (future);
  return s;
}

static void
assert_read (CoroFuture *future,
             const char *expected)
{
  char *s = run_bytes (future);

  g_assert_cmpstr (s, ==, expected);
  g_free (s);
}

/* Runs @future (consumed), asserting it fails with @domain/@code. */
static void
assert_fails (CoroFuture *future,
              GQuark      domain,
              int         code)
{
  coro_test_run_fails (future, domain, code);
  coro_future_unref (future);
}

static void
iterate_until_buffered (CoroStreamReader *reader,
                        gsize             n)
{
  while (coro_stream_reader_get_buffer_size (reader) < n)
    g_main_context_iteration (NULL, TRUE);
}

static void
close_pair (CoroStreamWriter *a,
            CoroStreamWriter *b)
{
  CoroFuture *fa, *fb;

  coro_stream_writer_close (a);
  coro_stream_writer_close (b);
  fa = coro_stream_writer_wait_closed (a);
  fb = coro_stream_writer_wait_closed (b);
  coro_test_run (fa);
  coro_test_run (fb);
  coro_future_unref (fa);
  coro_future_unref (fb);
  g_object_unref (a);
  g_object_unref (b);
}

/* Reader */

static void
test_reader_reads (void)
{
  CORO_TEST_BEGIN ();
  CoroStreamWriter *a, *b;
  CoroStreamReader *r;
  const guint8 sep[] = { '|', '|' };

  make_pair (&a, &b);
  r = coro_stream_writer_get_reader (b);
  g_assert_true (CORO_IS_STREAM_READER (r));
  g_assert_cmpuint (coro_stream_reader_get_limit (r), ==, CORO_STREAM_DEFAULT_LIMIT);
  write_str (a, "line one\nline two\nabc||defghij");
  assert_read (coro_stream_reader_readline (r), "line one\n");
  assert_read (coro_stream_reader_read (r, 4), "line");
  assert_read (coro_stream_reader_readline (r), " two\n");
  assert_read (coro_stream_reader_readuntil (r, sep, 2), "abc||");
  assert_read (coro_stream_reader_readexactly (r, 3), "def");
  assert_read (coro_stream_reader_read (r, 0), "");
  assert_read (coro_stream_reader_readexactly (r, 0), "");
  g_assert_false (coro_stream_reader_at_eof (r));
  g_assert_true (coro_stream_writer_write_eof (a, NULL));
  assert_read (coro_stream_reader_read (r, -1), "ghij");
  g_assert_true (coro_stream_reader_at_eof (r));
  assert_read (coro_stream_reader_read (r, 10), "");
  assert_read (coro_stream_reader_readline (r), "");
  close_pair (a, b);
  CORO_TEST_END ();
}

static void
test_reader_read_waits (void)
{
  CORO_TEST_BEGIN ();
  CoroStreamWriter *a, *b;
  CoroStreamReader *r;
  CoroFuture *f, *second;

  make_pair (&a, &b);
  r = coro_stream_writer_get_reader (b);
  f = coro_stream_reader_readexactly (r, 6);
  g_assert_false (coro_future_done (f));
  /* asyncio allows one waiting read at a time */
  second = coro_stream_reader_read (r, 1);
  assert_fails (second, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  write_str (a, "abc");
  iterate_until_buffered (r, 3);
  g_assert_false (coro_future_done (f));
  write_str (a, "defgh");
  assert_read (f, "abcdef");
  assert_read (coro_stream_reader_read (r, 100), "gh");
  close_pair (a, b);
  CORO_TEST_END ();
}

static void
test_reader_incomplete_read (void)
{
  CORO_TEST_BEGIN ();
  CoroStreamWriter *a, *b;
  CoroStreamReader *r;
  GBytes *partial;
  const guint8 sep[] = { '!' };

  make_pair (&a, &b);
  r = coro_stream_writer_get_reader (b);
  write_str (a, "12345");
  g_assert_true (coro_stream_writer_write_eof (a, NULL));
  assert_fails (coro_stream_reader_readexactly (r, 10), CORO_ERROR, CORO_ERROR_INCOMPLETE_READ);
  partial = coro_stream_reader_get_partial (r);
  g_assert_nonnull (partial);
  g_assert_cmpmem (g_bytes_get_data (partial, NULL), g_bytes_get_size (partial), "12345", 5);
  /* the partial bytes left the buffer, as in asyncio */
  g_assert_true (coro_stream_reader_at_eof (r));
  assert_fails (coro_stream_reader_readuntil (r, sep, 1), CORO_ERROR, CORO_ERROR_INCOMPLETE_READ);
  g_assert_cmpuint (g_bytes_get_size (coro_stream_reader_get_partial (r)), ==, 0);
  close_pair (a, b);
  CORO_TEST_END ();
}

static void
test_reader_readuntil_overrun (void)
{
  CORO_TEST_BEGIN ();
  CoroStreamWriter *a, *b;
  CoroStreamReader *r;
  const guint8 sep[] = { '\n' };

  make_pair (&a, &b);
  r = coro_stream_writer_get_reader (b);
  coro_stream_reader_set_limit (r, 4);
  /* found, but further than the limit: the data stays */
  write_str (a, "abcdefg\nxy\n");
  iterate_until_buffered (r, 11);
  assert_fails (coro_stream_reader_readuntil (r, sep, 1), CORO_ERROR, CORO_ERROR_LIMIT_OVERRUN);
  g_assert_cmpuint (coro_stream_reader_get_buffer_size (r), ==, 11);
  assert_read (coro_stream_reader_read (r, 8), "abcdefg\n");
  assert_read (coro_stream_reader_readuntil (r, sep, 1), "xy\n");
  /* not found, and past the limit */
  write_str (a, "0123456789");
  assert_fails (coro_stream_reader_readuntil (r, sep, 1), CORO_ERROR, CORO_ERROR_LIMIT_OVERRUN);
  g_assert_cmpuint (coro_stream_reader_get_buffer_size (r), >=, 5);
  coro_stream_reader_set_limit (r, 100);
  write_str (a, "\n");
  assert_read (coro_stream_reader_readuntil (r, sep, 1), "0123456789\n");
  close_pair (a, b);
  CORO_TEST_END ();
}

static void
test_reader_readline_overrun (void)
{
  CORO_TEST_BEGIN ();
  CoroStreamWriter *a, *b;
  CoroStreamReader *r;

  make_pair (&a, &b);
  r = coro_stream_writer_get_reader (b);
  coro_stream_reader_set_limit (r, 7);
  /* test_readline_limit of CPython: the long line is dropped up to its '\n' */
  write_str (a, "line1\nverylongline2\nline3\n");
  iterate_until_buffered (r, 26);
  assert_read (coro_stream_reader_readline (r), "line1\n");
  assert_fails (coro_stream_reader_readline (r), CORO_ERROR, CORO_ERROR_LIMIT_OVERRUN);
  assert_read (coro_stream_reader_readline (r), "line3\n");
  /* a line without its end past the limit: the buffer is cleared */
  write_str (a, "0123456789abcdef");
  assert_fails (coro_stream_reader_readline (r), CORO_ERROR, CORO_ERROR_LIMIT_OVERRUN);
  g_assert_cmpuint (coro_stream_reader_get_buffer_size (r), ==, 0);
  g_assert_true (coro_stream_writer_write_eof (a, NULL));
  {
    char *rest = run_bytes (coro_stream_reader_read (r, -1));

    g_assert_true (g_str_has_suffix ("0123456789abcdef", rest));
    g_free (rest);
  }
  close_pair (a, b);
  CORO_TEST_END ();
}

static void
test_reader_cancel_keeps_bytes (void)
{
  CORO_TEST_BEGIN ();
  CoroStreamWriter *a, *b;
  CoroStreamReader *r;
  CoroFuture *f;

  make_pair (&a, &b);
  r = coro_stream_writer_get_reader (b);

  /* cancelled while waiting for more */
  f = coro_stream_reader_readexactly (r, 10);
  write_str (a, "hello");
  iterate_until_buffered (r, 5);
  g_assert_true (coro_future_cancel (f, NULL));
  coro_future_unref (f);
  assert_read (coro_stream_reader_readexactly (r, 5), "hello");

  /* completed but never seen: the bytes go back */
  f = coro_stream_reader_readline (r);
  write_str (a, "one\ntwo\n");
  while (!coro_future_done (f))
    g_main_context_iteration (NULL, TRUE);
  coro_future_unref (f);
  assert_read (coro_stream_reader_readline (r), "one\n");
  assert_read (coro_stream_reader_readline (r), "two\n");
  close_pair (a, b);
  CORO_TEST_END ();
}

typedef struct
{
  CoroStreamReader *reader;
  char            **out;
} ReadLineFrame;

static void
read_line_got (CoroTask *task,
               gpointer  frame)
{
  ReadLineFrame *f = frame;
  GBytes *bytes = coro_stream_get_bytes (coro_task_get_awaited (task), NULL);

  *f->out = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  coro_task_return (task);
}

static CoroFuture *pending_read;

static void
read_line_start (CoroTask *task,
                 gpointer  frame)
{
  ReadLineFrame *f = frame;

  pending_read = coro_stream_reader_readline (f->reader);
  coro_await (task, pending_read, read_line_got);
}

static void
test_reader_cancel_task_after_wakeup (void)
{
  CORO_TEST_BEGIN ();
  CoroStreamWriter *a, *b;
  CoroStreamReader *r;
  CoroTask *task;
  char *line = NULL;

  make_pair (&a, &b);
  r = coro_stream_writer_get_reader (b);
  pending_read = NULL;
  task = CORO_CREATE_TASK (read_line_start, ReadLineFrame, .reader = r, .out = &line);
  /* not coro_run(): it would cancel the task when it returns */
  while (pending_read == NULL)
    g_main_context_iteration (NULL, TRUE);
  write_str (a, "first\n");
  /* the read completes in the reader's dispatch; the task resumes in a later one */
  while (!coro_future_done (pending_read))
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (line);
  g_assert_true (coro_task_cancel (task, NULL));
  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_null (line);
  coro_future_unref (CORO_FUTURE (task));
  assert_read (coro_stream_reader_readline (r), "first\n");
  close_pair (a, b);
  CORO_TEST_END ();
}

/* Writer */

static void
test_writer_half_close (void)
{
  CORO_TEST_BEGIN ();
  CoroStreamWriter *a, *b;
  GError *error = NULL;

  make_pair (&a, &b);
  g_assert_true (coro_stream_writer_can_write_eof (a));
  write_str (a, "hello");
  g_assert_true (coro_stream_writer_write_eof (a, &error));
  g_assert_no_error (error);
  g_assert_true (coro_stream_writer_write_eof (a, NULL));
  g_assert_false (coro_stream_writer_write (a, (const guint8 *) "x", 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (coro_stream_writer_is_closing (a));
  assert_read (coro_stream_reader_read (coro_stream_writer_get_reader (b), -1), "hello");
  g_assert_true (coro_stream_reader_at_eof (coro_stream_writer_get_reader (b)));
  /* the other direction still works */
  write_str (b, "back");
  coro_stream_writer_close (b);
  assert_read (coro_stream_reader_read (coro_stream_writer_get_reader (a), -1), "back");
  close_pair (a, b);
  CORO_TEST_END ();
}

static void
test_writer_after_close (void)
{
  CORO_TEST_BEGIN ();
  CoroStreamWriter *a, *b;
  CoroFuture *closed;
  GError *error = NULL;

  make_pair (&a, &b);
  write_str (a, "bye");
  coro_stream_writer_close (a);
  g_assert_true (coro_stream_writer_is_closing (a));
  g_assert_false (coro_stream_writer_write (a, (const guint8 *) "x", 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (coro_stream_writer_write_eof (a, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  closed = coro_stream_writer_wait_closed (a);
  coro_test_run (closed);
  coro_future_unref (closed);
  assert_fails (coro_stream_writer_drain (a), G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  /* the buffered bytes were written before the close, then the peer sees the end */
  assert_read (coro_stream_reader_read (coro_stream_writer_get_reader (b), -1), "bye");
  /* the closed side's own reader sees the end too */
  assert_read (coro_stream_reader_read (coro_stream_writer_get_reader (a), -1), "");
  close_pair (a, b);
  CORO_TEST_END ();
}

static void
test_writer_back_pressure (void)
{
  CORO_TEST_BEGIN ();
  CoroStreamWriter *a, *b;
  CoroStreamReader *r;
  CoroFuture *drain, *all;
  gsize size = 4 * 1024 * 1024;
  guint8 *data = g_malloc (size);
  GBytes *got;

  for (gsize i = 0; i < size; i++)
    data[i] = i * 7 + (i >> 12);
  make_pair (&a, &b);
  r = coro_stream_writer_get_reader (b);
  /* the slow reader: nothing reads until the writer is well past its high-water mark */
  coro_stream_reader_set_limit (r, 1024);
  g_assert_true (coro_stream_writer_write (a, data, size, NULL));
  g_assert_cmpuint (coro_stream_writer_get_write_buffer_size (a), >, 64 * 1024);
  drain = coro_stream_writer_drain (a);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (coro_future_done (drain));
  /* the reader read ahead no more than twice its limit and one chunk */
  g_assert_cmpuint (coro_stream_reader_get_buffer_size (r), <=, 2 * 1024 + 64 * 1024);

  coro_stream_reader_set_limit (r, CORO_STREAM_DEFAULT_LIMIT);
  all = coro_stream_reader_readexactly (r, size);
  coro_test_run (drain);
  g_assert_cmpuint (coro_stream_writer_get_write_buffer_size (a), <=, 16 * 1024);
  coro_future_unref (drain);
  coro_test_run (all);
  got = coro_stream_get_bytes (all, NULL);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), data, size);
  coro_future_unref (all);
  g_free (data);
  close_pair (a, b);
  CORO_TEST_END ();
}

static void
test_writer_buffer_limits (void)
{
  CORO_TEST_BEGIN ();
  CoroStreamWriter *a, *b;
  CoroFuture *drain;
  GBytes *lines[2];

  make_pair (&a, &b);
  coro_stream_writer_set_write_buffer_limits (a, -1, 100);
  lines[0] = g_bytes_new_static ("ab", 2);
  lines[1] = g_bytes_new_static ("cd\n", 3);
  g_assert_true (coro_stream_writer_writelines (a, lines, 2, NULL));
  g_bytes_unref (lines[0]);
  g_bytes_unref (lines[1]);
  drain = coro_stream_writer_drain (a);
  g_assert_true (coro_future_done (drain));
  coro_future_unref (drain);
  assert_read (coro_stream_reader_readline (coro_stream_writer_get_reader (b)), "abcd\n");
  close_pair (a, b);
  CORO_TEST_END ();
}

static void
test_plain_streams (void)
{
  CORO_TEST_BEGIN ();
  GInputStream *in = g_memory_input_stream_new_from_data ("alpha\nbeta", 10, NULL);
  GOutputStream *out = g_memory_output_stream_new_resizable ();
  CoroStreamReader *r = coro_stream_reader_new (in);
  CoroStreamWriter *w = coro_stream_writer_new (out);
  CoroFuture *closed;

  g_assert_true (coro_stream_reader_get_stream (r) == in);
  g_assert_true (coro_stream_writer_get_stream (w) == out);
  g_assert_null (coro_stream_writer_get_reader (w));
  g_assert_null (coro_stream_writer_get_connection (w));
  g_assert_null (coro_stream_writer_get_peername (w));
  assert_read (coro_stream_reader_readline (r), "alpha\n");
  assert_read (coro_stream_reader_readline (r), "beta");
  g_assert_true (coro_stream_reader_at_eof (r));
  write_str (w, "written");
  g_assert_true (coro_stream_writer_can_write_eof (w));
  g_assert_true (coro_stream_writer_write_eof (w, NULL));
  coro_stream_writer_close (w);
  closed = coro_stream_writer_wait_closed (w);
  coro_test_run (closed);
  coro_future_unref (closed);
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)),
                   "written", 7);
  g_object_unref (r);
  g_object_unref (w);
  g_object_unref (in);
  g_object_unref (out);
  CORO_TEST_END ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (coro_test_log_writer, NULL, NULL);

  g_test_add_func ("/streams/reader/reads", test_reader_reads);
  g_test_add_func ("/streams/reader/read-waits", test_reader_read_waits);
  g_test_add_func ("/streams/reader/incomplete-read", test_reader_incomplete_read);
  g_test_add_func ("/streams/reader/readuntil-overrun", test_reader_readuntil_overrun);
  g_test_add_func ("/streams/reader/readline-overrun", test_reader_readline_overrun);
  g_test_add_func ("/streams/reader/cancel-keeps-bytes", test_reader_cancel_keeps_bytes);
  g_test_add_func ("/streams/reader/cancel-task-after-wakeup",
                   test_reader_cancel_task_after_wakeup);
  g_test_add_func ("/streams/writer/half-close", test_writer_half_close);
  g_test_add_func ("/streams/writer/after-close", test_writer_after_close);
  g_test_add_func ("/streams/writer/back-pressure", test_writer_back_pressure);
  g_test_add_func ("/streams/writer/buffer-limits", test_writer_buffer_limits);
  g_test_add_func ("/streams/plain-streams", test_plain_streams);

  return g_test_run ();
}
