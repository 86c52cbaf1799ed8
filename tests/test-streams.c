/* test-streams.c: StreamReader, StreamWriter, connections and servers on real sockets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Semantics follow CPython's Lib/asyncio/streams.py and Lib/test/test_asyncio/test_streams.py.
 * No test sleeps: each drives the loop until the I/O it waits for happened.
 */
#include "coro-test.h"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* Iterates the context until @future is done. Not coro_run(): that would cancel the
 * server's client tasks each time it returns. */
static void
wait_done (CoroFuture *future)
{
  while (!coro_future_done (future))
    g_main_context_iteration (NULL, TRUE);
}

static void
wait_ok (CoroFuture *future)
{
  GError *error = NULL;

  wait_done (future);
  g_assert_true (coro_future_propagate (future, &error));
  g_assert_no_error (error);
}

/* Runs @future (consumed) and returns its bytes as a string. */
static char *
run_bytes (CoroFuture *future)
{
  GError *error = NULL;
  GBytes *bytes;
  char *s;

  wait_ok (future);
  bytes = coro_future_get_bytes (future, &error);
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
  GError *error = NULL;

  wait_done (future);
  g_assert_false (coro_future_propagate (future, &error));
  g_assert_error (error, domain, code);
  g_clear_error (&error);
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
  wait_ok (fa);
  wait_ok (fb);
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
  GBytes *bytes = coro_future_get_bytes (coro_task_get_awaited (task), NULL);

  *f->out = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  coro_task_return (task);
}

static CoroFuture *pending_read;

/* Runs before the task's own wake-up, as the first done callback of its read. */
static void
cancel_reader_task (CoroFuture *future,
                    gpointer    user_data)
{
  g_assert_true (coro_task_cancel (user_data, NULL));
}

static void
read_line_start (CoroTask *task,
                 gpointer  frame)
{
  ReadLineFrame *f = frame;

  pending_read = coro_stream_reader_readline (f->reader);
  coro_future_add_done_callback (pending_read, cancel_reader_task, task, NULL);
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
  /* the read completes, then the task is cancelled before it resumes */
  wait_done (CORO_FUTURE (task));
  g_assert_true (coro_future_cancelled (CORO_FUTURE (task)));
  g_assert_null (line);
  coro_future_unref (CORO_FUTURE (task));
  assert_read (coro_stream_reader_readline (r), "first\n");
  close_pair (a, b);
  CORO_TEST_END ();
}

/* Large reads hand out the buffer's memory instead of a copy: the bytes stay as they
 * were while the reader reads on, and a large read nobody saw goes back whole. */
#define BIG (1024 * 1024)

static guint8
pattern (gsize i)
{
  return (guint8) ((i * 7) % 251);
}

static void
assert_pattern (GBytes *bytes,
                gsize   offset)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i < len; i++)
    if (data[i] != pattern (offset + i))
      g_error ("byte %" G_GSIZE_FORMAT " is %u", offset + i, data[i]);
}

static void
test_reader_large_reads (void)
{
  CORO_TEST_BEGIN ();
  CoroStreamWriter *a, *b;
  CoroStreamReader *r;
  GPtrArray *chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint8 *data = g_malloc (BIG);
  gsize total = 0, offset = 0;
  GError *error = NULL;
  CoroFuture *f;

  for (gsize i = 0; i < BIG; i++)
    data[i] = pattern (i);
  make_pair (&a, &b);
  r = coro_stream_writer_get_reader (b);
  g_assert_true (coro_stream_writer_write (a, data, BIG, &error));
  g_assert_no_error (error);

  /* A large read completed but never seen: its bytes go back at the head. */
  iterate_until_buffered (r, 3 * 65536);
  f = coro_stream_reader_read (r, 65536);
  g_assert_true (coro_future_done (f));
  coro_future_unref (f);

  /* ... even when it is dropped after a later read took the bytes behind it: those stay
   * as they were, and the dropped ones come next. */
  {
    CoroFuture *unseen = coro_stream_reader_read (r, 65536);
    GBytes *later;

    g_assert_true (coro_future_done (unseen));
    f = coro_stream_reader_read (r, 65536);
    g_assert_true (coro_future_done (f));
    later = g_bytes_ref (coro_future_get_bytes (f, &error));
    g_assert_no_error (error);
    coro_future_unref (f);
    coro_future_unref (unseen);
    assert_pattern (later, 65536);
    f = coro_stream_reader_read (r, 65536);
    g_assert_true (coro_future_done (f));
    assert_pattern (coro_future_get_bytes (f, &error), 0);
    g_assert_cmpuint (g_bytes_get_size (coro_future_get_bytes (f, NULL)), ==, 65536);
    coro_future_unref (f);
    assert_pattern (later, 65536);
    g_bytes_unref (later);
    total = offset = 2 * 65536;
  }

  /* Every chunk is kept until the end, while the reader reads on behind it. */
  while (total < BIG)
    {
      GBytes *bytes;

      f = coro_stream_reader_read (r, chunks->len % 3 == 0 ? 100000 : 65536);
      wait_ok (f);
      bytes = coro_future_get_bytes (f, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (bytes), >, 0);
      total += g_bytes_get_size (bytes);
      g_ptr_array_add (chunks, g_bytes_ref (bytes));
      coro_future_unref (f);
    }
  g_assert_cmpuint (total, ==, BIG);
  for (guint i = 0; i < chunks->len; i++)
    {
      assert_pattern (chunks->pdata[i], offset);
      offset += g_bytes_get_size (chunks->pdata[i]);
    }
  g_ptr_array_unref (chunks);
  g_free (data);
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
  wait_ok (closed);
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
  wait_ok (drain);
  g_assert_cmpuint (coro_stream_writer_get_write_buffer_size (a), <=, 16 * 1024);
  coro_future_unref (drain);
  wait_ok (all);
  got = coro_future_get_bytes (all, NULL);
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

/* A stream that gives one line, then fails: what a reader does with a stream error. */
typedef struct
{
  GInputStream parent;
  gboolean gave_line;
} FailingStream;

typedef GInputStreamClass FailingStreamClass;

static GType failing_stream_get_type (void);
G_DEFINE_TYPE (FailingStream, failing_stream, G_TYPE_INPUT_STREAM)

static gssize
failing_stream_read (GInputStream  *stream,
                     void          *buffer,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  FailingStream *self = (FailingStream *) stream;

  if (!self->gave_line)
    {
      g_assert_cmpuint (count, >=, 3);
      memcpy (buffer, "ok\n", 3);
      self->gave_line = TRUE;
      return 3;
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "no more for you");
  return -1;
}

static void
failing_stream_class_init (FailingStreamClass *klass)
{
  klass->read_fn = failing_stream_read;
}

static void
failing_stream_init (FailingStream *self)
{
}

/* The bytes before the failure are read; from then on every read fails with the
 * stream's error, which get_exception gives (asyncio's exception ()). */
static void
test_reader_stream_error (void)
{
  CORO_TEST_BEGIN ();
  GInputStream *in = g_object_new (failing_stream_get_type (), NULL);
  CoroStreamReader *r = coro_stream_reader_new (in);
  CoroFuture *read;
  const GError *exception;

  g_assert_null (coro_stream_reader_get_exception (r));
  assert_read (coro_stream_reader_readline (r), "ok\n");
  read = coro_stream_reader_read (r, 10);
  assert_fails (read, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  exception = coro_stream_reader_get_exception (r);
  g_assert_error (exception, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (exception->message, ==, "no more for you");
  g_assert_true (coro_stream_reader_at_eof (r));
  assert_fails (coro_stream_reader_readline (r), G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  assert_fails (coro_stream_reader_readexactly (r, 1), G_IO_ERROR,
                G_IO_ERROR_PERMISSION_DENIED);
  g_assert_true (coro_stream_reader_get_exception (r) == exception);
  g_object_unref (r);
  g_object_unref (in);
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
  wait_ok (closed);
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

/* A stream closed behind the reader's or writer's back fails their next read or write
 * as GIO's own calls do, where the non-blocking calls would go on. */
static void
test_plain_streams_closed (void)
{
  CORO_TEST_BEGIN ();
  GInputStream *in = g_memory_input_stream_new_from_data ("alpha\n", 6, NULL);
  GOutputStream *out = g_memory_output_stream_new_resizable ();
  CoroStreamReader *r = coro_stream_reader_new (in);
  CoroStreamWriter *w = coro_stream_writer_new (out);
  GError *error = NULL;

  g_assert_true (g_input_stream_close (in, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  assert_fails (coro_stream_reader_readline (r), G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_error (coro_stream_reader_get_exception (r), G_IO_ERROR, G_IO_ERROR_CLOSED);
  /* As on a socket: the write that finds the stream gone succeeds, drain () and the
   * writes after it fail with what it found. */
  g_assert_true (coro_stream_writer_write (w, (const guint8 *) "x", 1, &error));
  g_assert_no_error (error);
  assert_fails (coro_stream_writer_drain (w), G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_false (coro_stream_writer_write (w, (const guint8 *) "y", 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), ==, 0);
  g_object_unref (r);
  g_object_unref (w);
  g_object_unref (in);
  g_object_unref (out);
  CORO_TEST_END ();
}

/* Connections and servers */

static GError *handler_error;
static guint handlers_done;

typedef struct
{
  CoroStreamReader *reader;
  CoroStreamWriter *writer;
} Echo;

static void echo_read (CoroTask *task, gpointer frame);

static void
echo_end (CoroTask *task,
          gpointer  frame)
{
  handlers_done++;
  coro_task_return (task);
}

static void
echo_got (CoroTask *task,
          gpointer  frame)
{
  Echo *f = frame;
  GError *error = NULL;
  GBytes *line = coro_future_get_bytes (coro_task_get_awaited (task), &error);

  if (line == NULL || g_bytes_get_size (line) == 0)
    {
      if (error != NULL)
        {
          g_clear_error (&handler_error);
          handler_error = error;
        }
      coro_stream_writer_close (f->writer);
      coro_await_catch (task, coro_stream_writer_wait_closed (f->writer), echo_end);
      return;
    }
  coro_stream_writer_write_bytes (f->writer, line, NULL);
  coro_await (task, coro_stream_writer_drain (f->writer), echo_read);
}

static void
echo_read (CoroTask *task,
           gpointer  frame)
{
  Echo *f = frame;

  coro_await_catch (task, coro_stream_reader_readline (f->reader), echo_got);
}

static CoroFuture *
echo_client_connected (CoroStreamReader *reader,
                       CoroStreamWriter *writer,
                       gpointer          user_data)
{
  CoroTask *task = CORO_CREATE_TASK (echo_read, Echo,
                                     .reader = g_object_ref (reader),
                                     .writer = g_object_ref (writer));

  coro_task_defer (task, g_object_unref, reader);
  coro_task_defer (task, g_object_unref, writer);
  return CORO_FUTURE (task);
}

static CoroServer *
start (CoroFuture *future)
{
  CoroServer *server;

  wait_ok (future);
  server = CORO_SERVER (g_object_ref (coro_future_get_object (future, NULL)));
  coro_future_unref (future);
  g_assert_true (coro_server_is_serving (server));
  return server;
}

static CoroStreamWriter *
connected (CoroFuture *future)
{
  CoroStreamWriter *writer;

  wait_ok (future);
  writer = CORO_STREAM_WRITER (g_object_ref (coro_future_get_object (future, NULL)));
  coro_future_unref (future);
  g_assert_nonnull (coro_stream_writer_get_reader (writer));
  return writer;
}

static void
close_writer (CoroStreamWriter *writer)
{
  CoroFuture *closed;

  coro_stream_writer_close (writer);
  closed = coro_stream_writer_wait_closed (writer);
  wait_done (closed);
  coro_future_unref (closed);
  g_object_unref (writer);
}

static void
close_server (CoroServer *server)
{
  CoroFuture *closed;

  coro_server_close (server);
  closed = coro_server_wait_closed (server);
  wait_ok (closed);
  coro_future_unref (closed);
  g_object_unref (server);
  /* the clients' tasks end right after their connections close */
  for (;;)
    {
      GPtrArray *tasks = coro_all_tasks ();
      guint n = tasks->len;

      g_ptr_array_unref (tasks);
      if (n == 0)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  /* and the done callbacks they left (the server's hold on each client's task) */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
echo_round_trip (CoroStreamWriter *client,
                 const char       *line)
{
  write_str (client, line);
  assert_read (coro_stream_reader_readline (coro_stream_writer_get_reader (client)), line);
}

static void
test_tcp_echo (void)
{
  CORO_TEST_BEGIN ();
  CoroServer *server;
  CoroStreamWriter *client;
  GSocketAddress *peer, *local;
  GPtrArray *sockets;

  handlers_done = 0;
  server = start (coro_start_server ("127.0.0.1", 0, echo_client_connected, NULL, NULL));
  g_assert_cmpuint (coro_server_get_port (server), >, 0);
  sockets = coro_server_get_sockets (server);
  g_assert_cmpuint (sockets->len, ==, 1);
  g_assert_true (G_IS_SOCKET (sockets->pdata[0]));
  g_ptr_array_unref (sockets);

  client = connected (coro_open_connection ("127.0.0.1", coro_server_get_port (server)));
  peer = coro_stream_writer_get_peername (client);
  local = coro_stream_writer_get_sockname (client);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (peer)), ==,
                    coro_server_get_port (server));
  g_assert_true (G_IS_INET_SOCKET_ADDRESS (local));
  g_object_unref (peer);
  g_object_unref (local);
  echo_round_trip (client, "hello\n");
  echo_round_trip (client, "world\n");
  g_assert_cmpuint (coro_server_get_n_clients (server), ==, 1);
  /* half-close: the server reads the end, closes, and we read the end */
  g_assert_true (coro_stream_writer_write_eof (client, NULL));
  assert_read (coro_stream_reader_read (coro_stream_writer_get_reader (client), -1), "");
  close_writer (client);
  close_server (server);
  g_assert_cmpuint (handlers_done, ==, 1);
  CORO_TEST_END ();
}

static void
test_tcp_localhost_name (void)
{
  CORO_TEST_BEGIN ();
  CoroServer *server;
  CoroStreamWriter *client;

  server = start (coro_start_server ("localhost", 0, echo_client_connected, NULL, NULL));
  client = connected (coro_open_connection ("localhost", coro_server_get_port (server)));
  echo_round_trip (client, "by name\n");
  close_writer (client);
  close_server (server);

  /* every interface */
  server = start (coro_start_server (NULL, 0, echo_client_connected, NULL, NULL));
  client = connected (coro_open_connection ("127.0.0.1", coro_server_get_port (server)));
  echo_round_trip (client, "anywhere\n");
  close_writer (client);
  close_server (server);
  CORO_TEST_END ();
}

static void
test_connection_refused (void)
{
  CORO_TEST_BEGIN ();
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *address = g_inet_socket_address_new (loopback, 0);
  GSocketAddress *bound;
  guint16 port;

  /* a port that was just free: bound, never listened on, closed */
  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  assert_fails (coro_open_connection ("127.0.0.1", port), G_IO_ERROR,
                G_IO_ERROR_CONNECTION_REFUSED);
  g_object_unref (bound);
  g_object_unref (address);
  g_object_unref (loopback);
  g_object_unref (socket);
  CORO_TEST_END ();
}

static void
test_open_connection_cancel (void)
{
  CORO_TEST_BEGIN ();
  CoroServer *server;
  CoroFuture *opening;

  server = start (coro_start_server ("127.0.0.1", 0, echo_client_connected, NULL, NULL));
  opening = coro_open_connection ("127.0.0.1", coro_server_get_port (server));
  g_assert_true (coro_future_cancel (opening, NULL));
  g_assert_true (coro_future_cancelled (opening));
  coro_future_unref (opening);
  /* let the cancelled connect finish */
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  coro_server_close_clients (server);
  close_server (server);
  CORO_TEST_END ();
}

static void
test_server_close_with_clients (gconstpointer data)
{
  CORO_TEST_BEGIN ();
  gboolean abort = GPOINTER_TO_INT (data);
  CoroServer *server;
  CoroStreamWriter *a, *b;
  CoroFuture *forever, *closed;
  GPtrArray *sockets;

  handlers_done = 0;
  server = start (coro_start_server ("127.0.0.1", 0, echo_client_connected, NULL, NULL));
  forever = coro_server_serve_forever (server);
  a = connected (coro_open_connection ("127.0.0.1", coro_server_get_port (server)));
  b = connected (coro_open_connection ("127.0.0.1", coro_server_get_port (server)));
  echo_round_trip (a, "a\n");
  echo_round_trip (b, "b\n");
  g_assert_cmpuint (coro_server_get_n_clients (server), ==, 2);

  coro_server_close (server);
  g_assert_false (coro_server_is_serving (server));
  sockets = coro_server_get_sockets (server);
  g_assert_cmpuint (sockets->len, ==, 0);
  g_ptr_array_unref (sockets);
  wait_done (forever);
  g_assert_true (coro_future_cancelled (forever));
  coro_future_unref (forever);
  assert_fails (coro_server_serve_forever (server), CORO_ERROR, CORO_ERROR_INVALID_STATE);

  /* the clients keep their connections; wait_closed waits for them */
  closed = coro_server_wait_closed (server);
  echo_round_trip (a, "still here\n");
  g_assert_false (coro_future_done (closed));
  assert_fails (coro_open_connection ("127.0.0.1", coro_server_get_port (server)),
                G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);

  /* idle clients: closing them ends wait_closed */
  if (abort)
    coro_server_abort_clients (server);
  else
    coro_server_close_clients (server);
  wait_ok (closed);
  coro_future_unref (closed);
  g_assert_cmpuint (coro_server_get_n_clients (server), ==, 0);
  assert_read (coro_stream_reader_read (coro_stream_writer_get_reader (a), -1), "");
  assert_read (coro_stream_reader_read (coro_stream_writer_get_reader (b), -1), "");
  while (handlers_done < 2)
    g_main_context_iteration (NULL, TRUE);
  close_writer (a);
  close_writer (b);
  close_server (server);
  CORO_TEST_END ();
}

static CoroFuture *pending_handler;

static CoroFuture *
pending_client_connected (CoroStreamReader *reader,
                          CoroStreamWriter *writer,
                          gpointer          user_data)
{
  pending_handler = coro_future_new ();
  return coro_future_ref (pending_handler);
}

/* Cancelling serve_forever () closes the server, and the other serve_forever () futures end
 * cancelled with it; a dropped one does not close it. */
static void
test_server_serve_forever_cancel (void)
{
  CoroServer *server;
  CoroFuture *forever, *other;

  CORO_TEST_BEGIN ();
  server = start (coro_start_server ("127.0.0.1", 0, echo_client_connected, NULL, NULL));
  coro_future_unref (coro_server_serve_forever (server));
  g_assert_true (coro_server_is_serving (server));
  forever = coro_server_serve_forever (server);
  other = coro_server_serve_forever (server);
  g_assert_true (coro_future_cancel (forever, "stop"));
  g_assert_true (coro_future_cancelled (forever));
  g_assert_false (coro_server_is_serving (server));
  wait_done (other);
  g_assert_true (coro_future_cancelled (other));
  assert_fails (coro_server_serve_forever (server), CORO_ERROR, CORO_ERROR_INVALID_STATE);
  coro_future_unref (forever);
  coro_future_unref (other);
  close_server (server);
  CORO_TEST_END ();
}

/* asyncio closes the connection of a handler that fails or is cancelled. */
static void
test_server_handler_cancelled (void)
{
  CORO_TEST_BEGIN ();
  CoroServer *server;
  CoroStreamWriter *client;

  pending_handler = NULL;
  server = start (coro_start_server ("127.0.0.1", 0, pending_client_connected, NULL, NULL));
  client = connected (coro_open_connection ("127.0.0.1", coro_server_get_port (server)));
  while (pending_handler == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (coro_server_get_n_clients (server), ==, 1);
  g_assert_true (coro_future_cancel (pending_handler, NULL));
  coro_future_unref (pending_handler);
  assert_read (coro_stream_reader_read (coro_stream_writer_get_reader (client), -1), "");
  close_writer (client);
  close_server (server);
  CORO_TEST_END ();
}

static void
test_peer_reset_mid_line (void)
{
  CORO_TEST_BEGIN ();
  CoroServer *server;
  CoroStreamWriter *client;
  GSocket *socket;
  struct linger linger = { 1, 0 };

  handlers_done = 0;
  g_clear_error (&handler_error);
  server = start (coro_start_server ("127.0.0.1", 0, echo_client_connected, NULL, NULL));
  client = connected (coro_open_connection ("127.0.0.1", coro_server_get_port (server)));
  echo_round_trip (client, "whole line\n");
  write_str (client, "half a li");
  /* a zero linger makes close() send a reset */
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (coro_stream_writer_get_connection (client)));
  g_assert_cmpint (setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger,
                               sizeof linger), ==, 0);
  coro_stream_writer_abort (client);
  while (handlers_done < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (handler_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_clear_error (&handler_error);
  close_writer (client);
  close_server (server);
  CORO_TEST_END ();
}

static void
test_unix_echo (void)
{
  CORO_TEST_BEGIN ();
  char *dir = g_dir_make_tmp ("coro-streams-XXXXXX", NULL);
  char *path = g_build_filename (dir, "echo.sock", NULL);
  CoroServer *server;
  CoroStreamWriter *client;

  server = start (coro_start_unix_server (path, echo_client_connected, NULL, NULL));
  g_assert_cmpuint (coro_server_get_port (server), ==, 0);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  client = connected (coro_open_unix_connection (path));
  echo_round_trip (client, "over a unix socket\n");
  g_assert_true (coro_stream_writer_can_write_eof (client));
  close_writer (client);
  close_server (server);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  assert_fails (coro_open_unix_connection (path), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  rmdir (dir);
  g_free (path);
  g_free (dir);
  CORO_TEST_END ();
}

static void
test_tls_echo (void)
{
  CORO_TEST_BEGIN ();
  char *cert_path = g_test_build_filename (G_TEST_DIST, "data", "tls-cert.pem", NULL);
  char *key_path = g_test_build_filename (G_TEST_DIST, "data", "tls-key.pem", NULL);
  GError *error = NULL;
  GTlsCertificate *certificate;
  GTlsDatabase *database;
  CoroServer *server;
  CoroStreamWriter *client;

#if defined(__SANITIZE_ADDRESS__)
  /* LeakSanitizer's exit-time scan crashes ("Tracer caught signal 11") on the pool threads
   * glib-networking leaves behind; memcheck covers this test instead. */
  g_test_skip ("TLS under AddressSanitizer: LeakSanitizer crashes on GnuTLS's threads");
  g_free (cert_path);
  g_free (key_path);
  return;
#endif
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no TLS backend: install glib-networking");
      g_free (cert_path);
      g_free (key_path);
      return;
    }
  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);
  database = g_tls_file_database_new (cert_path, &error);
  g_assert_no_error (error);

  server = start (coro_start_tls_server ("127.0.0.1", 0, certificate,
                                         echo_client_connected, NULL, NULL));
  client = connected (coro_open_tls_connection ("127.0.0.1", coro_server_get_port (server),
                                              database, "localhost"));
  g_assert_true (G_IS_TLS_CONNECTION (coro_stream_writer_get_connection (client)));
  g_assert_false (coro_stream_writer_can_write_eof (client));
  echo_round_trip (client, "secret\n");
  g_assert_false (coro_stream_writer_write_eof (client, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  close_writer (client);

  /* without the certificate as a trust anchor, the handshake fails */
  {
    GTlsDatabase *empty = g_tls_file_database_new (cert_path, NULL);
    CoroFuture *f = coro_open_tls_connection ("127.0.0.1", coro_server_get_port (server),
                                              empty, "not-the-name");

    wait_done (f);
    g_assert_false (coro_future_propagate (f, &error));
    g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
    g_clear_error (&error);
    coro_future_unref (f);
    g_object_unref (empty);
  }

  coro_server_close_clients (server);
  close_server (server);
  g_object_unref (database);
  g_object_unref (certificate);
  g_free (cert_path);
  g_free (key_path);
  CORO_TEST_END ();
}

/* A pipe, as the subprocess pipes are: back-pressure, then write_eof closes the pipe. */
static void
test_pipe (void)
{
  CORO_TEST_BEGIN ();
  int fds[2];
  GInputStream *in;
  GOutputStream *out;
  CoroStreamReader *r;
  CoroStreamWriter *w;
  CoroFuture *drain, *all, *closed;
  gsize size = 1024 * 1024;
  guint8 *data = g_malloc (size);
  GBytes *got;

  for (gsize i = 0; i < size; i++)
    data[i] = i % 251;
  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, NULL));
  in = g_unix_input_stream_new (fds[0], TRUE);
  out = g_unix_output_stream_new (fds[1], TRUE);
  r = coro_stream_reader_new (in);
  w = coro_stream_writer_new (out);
  g_assert_true (coro_stream_writer_can_write_eof (w));
  g_assert_true (coro_stream_writer_write (w, data, size, NULL));
  drain = coro_stream_writer_drain (w);
  g_assert_false (coro_future_done (drain));
  g_assert_true (coro_stream_writer_write_eof (w, NULL));
  all = coro_stream_reader_read (r, -1);
  wait_ok (drain);
  wait_ok (all);
  got = coro_future_get_bytes (all, NULL);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), data, size);
  g_assert_true (coro_stream_reader_at_eof (r));
  coro_stream_writer_close (w);
  closed = coro_stream_writer_wait_closed (w);
  wait_ok (closed);
  coro_future_unref (closed);
  coro_future_unref (drain);
  coro_future_unref (all);
  g_object_unref (r);
  g_object_unref (w);
  g_object_unref (in);
  g_object_unref (out);
  g_free (data);
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
  g_test_add_func ("/streams/reader/large-reads", test_reader_large_reads);
  g_test_add_func ("/streams/writer/half-close", test_writer_half_close);
  g_test_add_func ("/streams/writer/after-close", test_writer_after_close);
  g_test_add_func ("/streams/writer/back-pressure", test_writer_back_pressure);
  g_test_add_func ("/streams/writer/buffer-limits", test_writer_buffer_limits);
  g_test_add_func ("/streams/plain-streams", test_plain_streams);
  g_test_add_func ("/streams/plain-streams-closed", test_plain_streams_closed);
  g_test_add_func ("/streams/reader/stream-error", test_reader_stream_error);
  g_test_add_func ("/streams/pipe", test_pipe);
  g_test_add_func ("/streams/tcp/echo", test_tcp_echo);
  g_test_add_func ("/streams/tcp/localhost-name", test_tcp_localhost_name);
  g_test_add_func ("/streams/tcp/connection-refused", test_connection_refused);
  g_test_add_func ("/streams/tcp/open-connection-cancel", test_open_connection_cancel);
  g_test_add_data_func ("/streams/server/close-with-clients", GINT_TO_POINTER (FALSE),
                        test_server_close_with_clients);
  g_test_add_data_func ("/streams/server/abort-clients", GINT_TO_POINTER (TRUE),
                        test_server_close_with_clients);
  g_test_add_func ("/streams/server/serve-forever-cancel", test_server_serve_forever_cancel);
  g_test_add_func ("/streams/server/handler-cancelled", test_server_handler_cancelled);
  g_test_add_func ("/streams/tcp/peer-reset-mid-line", test_peer_reset_mid_line);
  g_test_add_func ("/streams/unix/echo", test_unix_echo);
  g_test_add_func ("/streams/tls/echo", test_tls_echo);

  return g_test_run ();
}
