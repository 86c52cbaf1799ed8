/* test-gio.c: the GIO bridge, both ways
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

#include <glib/gstdio.h>
#include <sys/socket.h>

/* Helpers */

/* Iterates the default context until every future made since @baseline is gone: GIO
 * callbacks may still be on their way after the future they complete was cancelled. */
static void
drain_until (guint baseline)
{
  CoroLoop *loop = coro_loop_get_default ();
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (coro_loop_get_n_futures (loop) > baseline)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static void
socket_pair (GSocketConnection **a,
             GSocketConnection **b)
{
  int fds[2];
  GSocketConnection **out[2] = { a, b };

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_new_from_fd (fds[i], &error);

      g_assert_no_error (error);
      *out[i] = g_socket_connection_factory_create_connection (socket);
    }
}

static GInputStream *
input_of (GSocketConnection *connection)
{
  return g_io_stream_get_input_stream (G_IO_STREAM (connection));
}

static GOutputStream *
output_of (GSocketConnection *connection)
{
  return g_io_stream_get_output_stream (G_IO_STREAM (connection));
}

static void
assert_bytes (GBytes     *bytes,
              const char *expected)
{
  gsize size;
  const char *data;

  g_assert_nonnull (bytes);
  data = g_bytes_get_data (bytes, &size);
  g_assert_cmpmem (data, size, expected, strlen (expected));
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("coro-test-gio-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* A read whose finish function records what GIO said. */
static int read_finish_calls;
static int read_finish_code; /* -1: succeeded */

static gboolean
finish_read_recording (GObject       *source,
                       GAsyncResult  *result,
                       CoroFuture    *future,
                       GError       **error)
{
  GBytes *bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, error);

  read_finish_calls++;
  if (bytes == NULL)
    {
      read_finish_code = (*error)->code;
      return FALSE;
    }
  read_finish_code = -1;
  coro_future_set_pointer (future, bytes, (GDestroyNotify) g_bytes_unref, NULL);
  return TRUE;
}

static CoroFuture *
start_recording_read (GInputStream *stream)
{
  GCancellable *cancellable = NULL;
  CoroFuture *future = coro_gio_future_new (finish_read_recording, &cancellable);

  g_assert_true (G_IS_CANCELLABLE (cancellable));
  g_input_stream_read_bytes_async (stream, 16, G_PRIORITY_DEFAULT, cancellable,
                                   coro_gio_callback, future);
  return future;
}

/* A fresh socket pair for the recording reads, with their record cleared. */
static void
recording_pair (GSocketConnection **a,
                GSocketConnection **b)
{
  socket_pair (a, b);
  read_finish_calls = 0;
}

/* Waits for the futures made since @baseline to go and asserts that the one recording read
 * came back cancelled. */
static void
assert_read_cancelled (guint baseline)
{
  drain_until (baseline);
  g_assert_cmpint (read_finish_calls, ==, 1);
  g_assert_cmpint (read_finish_code, ==, G_IO_ERROR_CANCELLED);
}

/* GIO → Coro: files */

typedef struct
{
  GFile *file;
} FileOps;

static void file_ops_replaced (CoroTask *task, gpointer frame);
static void file_ops_loaded (CoroTask *task, gpointer frame);
static void file_ops_queried (CoroTask *task, gpointer frame);

static void
file_ops (CoroTask *task,
          gpointer  frame)
{
  FileOps *f = frame;
  g_autoptr(GBytes) contents = g_bytes_new_static ("hello coro", 10);

  coro_await (task,
              coro_file_replace_contents (f->file, contents, NULL, FALSE, G_FILE_CREATE_NONE),
              file_ops_replaced);
}

static void
file_ops_replaced (CoroTask *task,
                   gpointer  frame)
{
  FileOps *f = frame;
  g_autoptr(GError) error = NULL;
  const char *etag = coro_future_get_string (coro_task_get_awaited (task), &error);

  g_assert_no_error (error);
  g_assert_nonnull (etag);
  coro_await (task, coro_file_load_contents (f->file), file_ops_loaded);
}

static void
file_ops_loaded (CoroTask *task,
                 gpointer  frame)
{
  FileOps *f = frame;
  g_autoptr(GError) error = NULL;
  GBytes *bytes = coro_future_get_bytes (coro_task_get_awaited (task), &error);

  g_assert_no_error (error);
  assert_bytes (bytes, "hello coro");
  coro_await (task, coro_file_query_info (f->file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                          G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT),
              file_ops_queried);
}

static void
file_ops_queried (CoroTask *task,
                  gpointer  frame)
{
  g_autoptr(GError) error = NULL;
  GObject *info = coro_future_get_object (coro_task_get_awaited (task), &error);

  g_assert_no_error (error);
  g_assert_true (G_IS_FILE_INFO (info));
  coro_task_return_int (task, g_file_info_get_size (G_FILE_INFO (info)));
}

static void
test_gio_file_ops (void)
{
  CORO_TEST_BEGIN ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "file.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(CoroFuture) task = CORO_FUTURE (CORO_CREATE_TASK (file_ops, FileOps, .file = file));

  coro_test_run (task);
  g_assert_cmpint (coro_future_get_int (task, NULL), ==, 10);
  g_clear_pointer (&task, coro_future_unref);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  CORO_TEST_END ();
}

static void
test_gio_file_errors (void)
{
  CORO_TEST_BEGIN ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "missing", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) in_missing_dir = g_file_get_child (file, "child");
  g_autoptr(GBytes) contents = g_bytes_new_static ("x", 1);
  g_autoptr(GError) error = NULL;
  CoroFuture *future;

  future = coro_file_load_contents (file);
  coro_test_run_fails (future, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (coro_future_cancelled (future));
  g_assert_null (coro_future_get_bytes (future, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  coro_future_unref (future);

  future = coro_file_query_info (file, "*", G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT);
  coro_test_run_fails (future, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  coro_future_unref (future);

  future = coro_file_replace_contents (in_missing_dir, contents, NULL, FALSE, G_FILE_CREATE_NONE);
  coro_test_run_fails (future, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  coro_future_unref (future);

  g_assert_cmpint (g_rmdir (dir), ==, 0);
  CORO_TEST_END ();
}

/* GIO → Coro: streams */

static void
test_gio_memory_streams (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data ("abcdef", 6, NULL);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GInputStream) source = g_memory_input_stream_new_from_data ("0123456789", 10, NULL);
  g_autoptr(GBytes) hello = g_bytes_new_static ("hello ", 6);
  g_autoptr(GBytes) world = g_bytes_new_static ("world ", 6);
  g_autoptr(GBytes) written = NULL;
  g_autoptr(GError) error = NULL;
  CoroFuture *future;

  future = coro_input_stream_read_bytes (in, 4, G_PRIORITY_DEFAULT);
  coro_test_run (future);
  assert_bytes (coro_future_get_bytes (future, NULL), "abcd");
  coro_future_unref (future);

  future = coro_input_stream_read_bytes (in, 4, G_PRIORITY_DEFAULT);
  coro_test_run (future);
  assert_bytes (coro_future_get_bytes (future, NULL), "ef");
  coro_future_unref (future);

  future = coro_input_stream_read_bytes (in, 4, G_PRIORITY_DEFAULT);
  coro_test_run (future);
  g_assert_cmpuint (g_bytes_get_size (coro_future_get_bytes (future, NULL)), ==, 0);
  /* Not a variant: the getter says so. */
  g_assert_null (coro_future_get_variant (future, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE);
  g_clear_error (&error);
  coro_future_unref (future);

  future = coro_output_stream_write_bytes (out, hello, G_PRIORITY_DEFAULT);
  coro_test_run (future);
  g_assert_cmpint (coro_future_get_int (future, NULL), ==, 6);
  /* An int is no GBytes. */
  g_assert_null (coro_future_get_bytes (future, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE);
  g_clear_error (&error);
  coro_future_unref (future);

  future = coro_output_stream_write_all (out, world, G_PRIORITY_DEFAULT);
  coro_test_run (future);
  g_assert_cmpint (coro_future_get_int (future, NULL), ==, 6);
  coro_future_unref (future);

  future = coro_output_stream_splice (out, source, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                      G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT);
  coro_test_run (future);
  g_assert_cmpint (coro_future_get_int (future, NULL), ==, 10);
  coro_future_unref (future);

  written = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  assert_bytes (written, "hello world 0123456789");

  /* Writing to a closed stream fails. */
  future = coro_output_stream_write_bytes (out, hello, G_PRIORITY_DEFAULT);
  coro_test_run_fails (future, G_IO_ERROR, G_IO_ERROR_CLOSED);
  coro_future_unref (future);
  CORO_TEST_END ();
}

typedef struct
{
  GSocketConnection *a;
  GSocketConnection *b;
} PingPong;

static void ping_pong_written (CoroTask *task, gpointer frame);
static void ping_pong_read (CoroTask *task, gpointer frame);

static void
ping_pong (CoroTask *task,
           gpointer  frame)
{
  PingPong *f = frame;
  g_autoptr(GBytes) ping = g_bytes_new_static ("ping", 4);

  coro_await (task, coro_output_stream_write_all (output_of (f->a), ping, G_PRIORITY_DEFAULT),
              ping_pong_written);
}

static void
ping_pong_written (CoroTask *task,
                   gpointer  frame)
{
  PingPong *f = frame;

  coro_await (task, coro_input_stream_read_bytes (input_of (f->b), 100, G_PRIORITY_DEFAULT),
              ping_pong_read);
}

static void
ping_pong_read (CoroTask *task,
                gpointer  frame)
{
  GBytes *bytes = coro_future_get_bytes (coro_task_get_awaited (task), NULL);

  assert_bytes (bytes, "ping");
  coro_task_return (task);
}

static void
test_gio_socket_streams (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GSocketConnection) a = NULL;
  g_autoptr(GSocketConnection) b = NULL;
  g_autoptr(CoroFuture) task = NULL;

  socket_pair (&a, &b);
  task = CORO_FUTURE (CORO_CREATE_TASK (ping_pong, PingPong, .a = a, .b = b));
  coro_test_run (task);
  g_clear_pointer (&task, coro_future_unref);
  CORO_TEST_END ();
}

/* The generic helper on a call that has no ready-made future. */
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

static void
test_gio_socket_client (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autoptr(CoroFuture) both = NULL;
  g_autoptr(GBytes) hello = g_bytes_new_static ("hello", 5);
  GCancellable *cancellable;
  CoroFuture *accept, *connect, *write, *read;
  CoroFuture **results;
  GObject *server, *connection;
  guint16 port;
  guint n;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  address = g_strdup_printf ("127.0.0.1:%u", port);
  /* Loopback needs no proxy; looking one up would start GSettings and libproxy. */
  g_socket_client_set_enable_proxy (client, FALSE);

  accept = coro_gio_future_new (finish_accept, &cancellable);
  g_socket_listener_accept_async (listener, cancellable, coro_gio_callback, accept);
  connect = coro_socket_client_connect_to_host (client, address, 0);
  both = coro_gather (accept, connect, NULL);
  coro_test_run (both);

  results = coro_future_get_futures (both, &n, NULL);
  g_assert_cmpuint (n, ==, 2);
  server = coro_future_get_object (results[0], NULL);
  connection = coro_future_get_object (results[1], NULL);
  g_assert_true (G_IS_SOCKET_CONNECTION (server));
  g_assert_true (G_IS_SOCKET_CONNECTION (connection));

  write = coro_output_stream_write_all (output_of (G_SOCKET_CONNECTION (connection)), hello,
                                        G_PRIORITY_DEFAULT);
  read = coro_input_stream_read_bytes (input_of (G_SOCKET_CONNECTION (server)), 100,
                                       G_PRIORITY_DEFAULT);
  g_clear_pointer (&both, coro_future_unref);
  both = coro_gather (write, read, NULL);
  coro_test_run (both);
  results = coro_future_get_futures (both, &n, NULL);
  g_assert_cmpint (coro_future_get_int (results[0], NULL), ==, 5);
  assert_bytes (coro_future_get_bytes (results[1], NULL), "hello");
  g_clear_pointer (&both, coro_future_unref);

  /* Nobody listens on a closed port. */
  g_socket_listener_close (listener);
  connect = coro_socket_client_connect_to_host (client, address, 0);
  coro_test_run_fails (connect, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  coro_future_unref (connect);
  CORO_TEST_END ();
}

/* GIO → Coro: subprocesses */

static void
test_gio_subprocess (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) echo = NULL;
  g_autoptr(GSubprocess) fail = NULL;
  g_autoptr(GSubprocess) killed = NULL;
  CoroFuture *future;

  echo = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "printf", "hi", NULL);
  g_assert_no_error (error);
  future = coro_input_stream_read_bytes (g_subprocess_get_stdout_pipe (echo), 100,
                                         G_PRIORITY_DEFAULT);
  coro_test_run (future);
  assert_bytes (coro_future_get_bytes (future, NULL), "hi");
  coro_future_unref (future);
  future = coro_subprocess_wait (echo);
  coro_test_run (future);
  g_assert_cmpint (coro_future_get_int (future, NULL), ==, 0);
  coro_future_unref (future);
  future = coro_subprocess_wait_check (echo);
  coro_test_run (future);
  coro_future_unref (future);

  fail = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sh", "-c", "exit 3", NULL);
  g_assert_no_error (error);
  future = coro_subprocess_wait (fail);
  coro_test_run (future);
  g_assert_cmpint (coro_future_get_int (future, NULL), ==, 3);
  coro_future_unref (future);
  future = coro_subprocess_wait_check (fail);
  coro_test_run_fails (future, G_SPAWN_EXIT_ERROR, 3);
  coro_future_unref (future);

  killed = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "30", NULL);
  g_assert_no_error (error);
  g_subprocess_send_signal (killed, SIGTERM);
  future = coro_subprocess_wait (killed);
  coro_test_run (future);
  g_assert_cmpint (coro_future_get_int (future, NULL), ==, -SIGTERM);
  coro_future_unref (future);
  CORO_TEST_END ();
}

/* GIO → Coro: finish functions */

static gboolean
finish_fails (GObject       *source,
              GAsyncResult  *result,
              CoroFuture    *future,
              GError       **error)
{
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, NULL);

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "no, thanks");
  return FALSE;
}

static gboolean
finish_fails_silently (GObject       *source,
                       GAsyncResult  *result,
                       CoroFuture    *future,
                       GError       **error)
{
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, NULL);

  return FALSE;
}

static gboolean
finish_says_cancelled (GObject       *source,
                       GAsyncResult  *result,
                       CoroFuture    *future,
                       GError       **error)
{
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, NULL);

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled elsewhere");
  return FALSE;
}

static gboolean
finish_sets_nothing (GObject       *source,
                     GAsyncResult  *result,
                     CoroFuture    *future,
                     GError       **error)
{
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, error);

  return info != NULL;
}

static gboolean
finish_sets_error_result (GObject       *source,
                          GAsyncResult  *result,
                          CoroFuture    *future,
                          GError       **error)
{
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, NULL);

  coro_future_set_error (future, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BUSY, "busy"), NULL);
  return TRUE;
}

static CoroFuture *
query_with (GFile             *file,
            CoroGioFinishFunc  finish)
{
  GCancellable *cancellable;
  CoroFuture *future = coro_gio_future_new (finish, &cancellable);

  g_file_query_info_async (file, "*", G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, cancellable,
                           coro_gio_callback, future);
  return future;
}

static void
test_gio_finish_functions (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GFile) file = g_file_new_for_path (g_get_tmp_dir ());
  g_autoptr(GError) error = NULL;
  CoroFuture *future;

  future = query_with (file, finish_fails);
  coro_test_run_fails (future, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_false (coro_future_cancelled (future));
  g_assert_cmpstr (coro_future_get_error (future)->message, ==, "no, thanks");
  coro_future_unref (future);

  future = query_with (file, finish_fails_silently);
  coro_test_run_fails (future, CORO_ERROR, CORO_ERROR_FAILED);
  coro_future_unref (future);

  /* G_IO_ERROR_CANCELLED from GIO is a cancellation, not a failure. */
  future = query_with (file, finish_says_cancelled);
  coro_test_run_fails (future, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_true (coro_future_cancelled (future));
  coro_future_unref (future);

  future = query_with (file, finish_sets_nothing);
  coro_test_run (future);
  g_assert_true (coro_future_get_value (future, &(GValue) G_VALUE_INIT, &error));
  g_assert_no_error (error);
  coro_future_unref (future);

  future = query_with (file, finish_sets_error_result);
  coro_test_run_fails (future, G_IO_ERROR, G_IO_ERROR_BUSY);
  coro_future_unref (future);
  CORO_TEST_END ();
}

static void
test_gio_bad_input (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GBytes) bytes = g_bytes_new_static ("x", 1);
  CoroFuture *future = coro_future_new ();

  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*finish != NULL*");
  g_assert_null (coro_gio_future_new (NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*G_IS_FILE*");
  g_assert_null (coro_file_load_contents (NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*G_IS_OUTPUT_STREAM*");
  g_assert_null (coro_output_stream_write_all (NULL, bytes, G_PRIORITY_DEFAULT));
  g_test_assert_expected_messages ();

  /* The callback's data must be a future of coro_gio_future_new(). */
  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*klass == &gio_future_class*");
  coro_gio_callback (NULL, NULL, future);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*G_IS_TASK*");
  g_assert_null (coro_gtask_propagate_future (NULL, NULL));
  g_test_assert_expected_messages ();

  coro_future_unref (future);
  CORO_TEST_END ();
}

/* GIO → Coro: cancellation */

typedef struct
{
  GInputStream *stream;
} ReadForever;

static gboolean read_forever_started;

static void
read_forever_done (CoroTask *task,
                   gpointer  frame)
{
  g_assert_not_reached ();
}

static void
read_forever (CoroTask *task,
              gpointer  frame)
{
  ReadForever *f = frame;

  read_forever_started = TRUE;
  coro_await (task, start_recording_read (f->stream), read_forever_done);
}

static void
test_gio_cancel_task (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GSocketConnection) a = NULL;
  g_autoptr(GSocketConnection) b = NULL;
  CoroTask *task;

  recording_pair (&a, &b);
  task = CORO_CREATE_TASK (read_forever, ReadForever, .stream = input_of (b));
  /* Not coro_run(): it would cancel the task when done. */
  read_forever_started = FALSE;
  while (!read_forever_started)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (coro_future_done (CORO_FUTURE (task)));

  /* Cancelling the task cancels the future it awaits, whose cancellable stops the read. */
  g_assert_true (coro_task_cancel (task, "stop reading"));
  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (coro_future_get_error (CORO_FUTURE (task))->message, ==, "stop reading");
  coro_future_unref (CORO_FUTURE (task));

  /* The read comes back cancelled and everything is released. */
  assert_read_cancelled (coro_test_baseline_);
  CORO_TEST_END ();
}

static void
test_gio_cancel_wait_for (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GSocketConnection) a = NULL;
  g_autoptr(GSocketConnection) b = NULL;
  CoroFuture *future;

  recording_pair (&a, &b);
  future = coro_wait_for (start_recording_read (input_of (b)), 0.5);
  coro_test_run_fails (future, CORO_ERROR, CORO_ERROR_TIMEOUT);
  coro_future_unref (future);
  assert_read_cancelled (coro_test_baseline_);
  CORO_TEST_END ();
}

static void
test_gio_cancel_future (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GSocketConnection) a = NULL;
  g_autoptr(GSocketConnection) b = NULL;
  CoroFuture *future;

  recording_pair (&a, &b);
  future = start_recording_read (input_of (b));
  g_assert_true (coro_future_cancel (future, "enough"));
  /* Cancelled at once, without waiting for GIO; a second cancel is refused. */
  g_assert_true (coro_future_cancelled (future));
  g_assert_false (coro_future_cancel (future, NULL));
  coro_future_unref (future);
  assert_read_cancelled (coro_test_baseline_);
  CORO_TEST_END ();
}

/* File operations run in GIO's worker threads; cancelling them right away must give a
 * cancelled future whatever the worker was doing, and leak nothing. */
static void
test_gio_cancel_file_ops (void)
{
  CORO_TEST_BEGIN ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "file.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) contents = g_bytes_new_static ("data", 4);
  CoroFuture *futures[3];

  g_assert_true (g_file_set_contents (path, "data", 4, NULL));
  futures[0] = coro_file_load_contents (file);
  futures[1] = coro_file_query_info (file, "*", G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT);
  futures[2] = coro_file_replace_contents (file, contents, NULL, FALSE, G_FILE_CREATE_NONE);
  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      g_assert_true (coro_future_cancel (futures[i], NULL));
      g_assert_true (coro_future_cancelled (futures[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (futures); i++)
    {
      coro_test_run_fails (futures[i], CORO_ERROR, CORO_ERROR_CANCELLED);
      coro_future_unref (futures[i]);
    }
  drain_until (coro_test_baseline_);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  CORO_TEST_END ();
}

static void
test_gio_dropped_future (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GSocketConnection) a = NULL;
  g_autoptr(GSocketConnection) b = NULL;
  g_autoptr(GError) error = NULL;
  CoroFuture *future;

  recording_pair (&a, &b);

  /* Dropped while pending: the callback still comes, and its bytes are released. */
  future = start_recording_read (input_of (b));
  coro_future_unref (future);
  g_assert_cmpint (g_output_stream_write (output_of (a), "late", 4, NULL, &error), ==, 4);
  g_assert_no_error (error);
  drain_until (coro_test_baseline_);
  g_assert_cmpint (read_finish_calls, ==, 1);
  g_assert_cmpint (read_finish_code, ==, -1);

  /* Cancelled while the data is already there: whichever outcome GIO reports, the
   * future stays cancelled and nothing leaks. */
  g_assert_cmpint (g_output_stream_write (output_of (a), "race", 4, NULL, &error), ==, 4);
  future = start_recording_read (input_of (b));
  g_assert_true (coro_future_cancel (future, NULL));
  coro_future_unref (future);
  drain_until (coro_test_baseline_);
  g_assert_cmpint (read_finish_calls, ==, 2);

  /* Done and dropped from a done callback's point of view: the same, with a ready-made
   * future. */
  future = coro_input_stream_read_bytes (input_of (b), 4, G_PRIORITY_DEFAULT);
  coro_future_unref (future);
  g_assert_cmpint (g_output_stream_write (output_of (a), "more", 4, NULL, &error), ==, 4);
  drain_until (coro_test_baseline_);
  CORO_TEST_END ();
}

static void
test_gio_shield (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GSocketConnection) a = NULL;
  g_autoptr(GSocketConnection) b = NULL;
  g_autoptr(GError) error = NULL;
  CoroFuture *read, *future;

  recording_pair (&a, &b);
  read = start_recording_read (input_of (b));
  /* A shield keeps the operation running: the cancellable is the future's own. */
  future = coro_wait_for (coro_shield (coro_future_ref (read)), 0.5);
  coro_test_run_fails (future, CORO_ERROR, CORO_ERROR_TIMEOUT);
  coro_future_unref (future);
  g_assert_false (coro_future_done (read));
  g_assert_cmpint (g_output_stream_write (output_of (a), "kept", 4, NULL, &error), ==, 4);
  coro_test_run (read);
  g_assert_cmpint (read_finish_code, ==, -1);
  coro_future_unref (read);
  drain_until (coro_test_baseline_);
  CORO_TEST_END ();
}

/* GIO → Coro: D-Bus over a peer-to-peer connection */

static const char calc_xml[] =
  "<node>"
  "  <interface name='org.example.Calc'>"
  "    <method name='Add'>"
  "      <arg type='i' direction='in'/>"
  "      <arg type='i' direction='in'/>"
  "      <arg type='i' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static void
calc_method_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  int x, y;

  g_variant_get (parameters, "(ii)", &x, &y);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(i)", x + y));
}

static const GDBusInterfaceVTable calc_vtable = { calc_method_call, NULL, NULL, { 0 } };

static gboolean
finish_dbus_connection_new (GObject       *source,
                            GAsyncResult  *result,
                            CoroFuture    *future,
                            GError       **error)
{
  g_autoptr(GDBusConnection) connection = g_dbus_connection_new_finish (result, error);

  if (connection == NULL)
    return FALSE;
  coro_future_set_object (future, connection, NULL);
  return TRUE;
}

static CoroFuture *
dbus_connection_new (GSocketConnection   *stream,
                     const char          *guid,
                     GDBusConnectionFlags flags)
{
  GCancellable *cancellable;
  CoroFuture *future = coro_gio_future_new (finish_dbus_connection_new, &cancellable);

  g_dbus_connection_new (G_IO_STREAM (stream), guid, flags, NULL, cancellable,
                         coro_gio_callback, future);
  return future;
}

static void
test_gio_dbus_call (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GSocketConnection) a = NULL;
  g_autoptr(GSocketConnection) b = NULL;
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (calc_xml, NULL);
  g_autofree char *guid = g_dbus_generate_guid ();
  g_autoptr(CoroFuture) both = NULL;
  g_autoptr(GError) error = NULL;
  GDBusConnection *server, *client;
  CoroFuture **results;
  CoroFuture *call;
  GVariant *reply;
  guint n, id;
  int sum;

  socket_pair (&a, &b);
  both = coro_gather (dbus_connection_new (a, guid, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER |
                                           G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_ALLOW_ANONYMOUS),
                      dbus_connection_new (b, NULL, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT),
                      NULL);
  coro_test_run (both);
  results = coro_future_get_futures (both, &n, NULL);
  server = G_DBUS_CONNECTION (coro_future_get_object (results[0], NULL));
  client = G_DBUS_CONNECTION (coro_future_get_object (results[1], NULL));
  id = g_dbus_connection_register_object (server, "/org/example/Calc", node->interfaces[0],
                                          &calc_vtable, NULL, NULL, &error);
  g_assert_no_error (error);

  call = coro_dbus_connection_call (client, NULL, "/org/example/Calc", "org.example.Calc", "Add",
                                    g_variant_new ("(ii)", 2, 3), G_VARIANT_TYPE ("(i)"),
                                    G_DBUS_CALL_FLAGS_NONE, -1);
  coro_test_run (call);
  reply = coro_future_get_variant (call, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(i)", &sum);
  g_assert_cmpint (sum, ==, 5);
  coro_future_unref (call);

  call = coro_dbus_connection_call (client, NULL, "/org/example/Calc", "org.example.Calc", "Sub",
                                    NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1);
  coro_test_run_fails (call, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
  coro_future_unref (call);

  g_dbus_connection_unregister_object (server, id);
  g_dbus_connection_close_sync (client, NULL, NULL);
  g_dbus_connection_close_sync (server, NULL, NULL);
  g_clear_pointer (&both, coro_future_unref);
  CORO_TEST_END ();
}

/* Coro → GIO */

typedef struct
{
  GMainLoop *main_loop;
  GAsyncResult *result;
  GObject *source_object;
} Waiter;

static void
on_ready (GObject      *source_object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Waiter *w = user_data;

  w->source_object = source_object;
  w->result = g_object_ref (result);
  g_main_loop_quit (w->main_loop);
}

/* Runs a plain GMainLoop, as GNOME code would, until the callback came. */
static GAsyncResult *
wait_for_result (Waiter *w)
{
  g_main_loop_run (w->main_loop);
  g_main_loop_unref (w->main_loop);
  return w->result;
}

#define WAITER_INIT { .main_loop = g_main_loop_new (NULL, FALSE) }

/* Hands @future (transfer full) to a GTask with no source object and no cancellable and
 * returns the GTask's result, once its callback came. */
static GAsyncResult *
gtask_result_of (CoroFuture *future,
                 GObject   **source_object)
{
  Waiter w = WAITER_INIT;
  GAsyncResult *result;

  coro_future_to_gtask (future, NULL, NULL, on_ready, &w);
  result = wait_for_result (&w);
  if (source_object != NULL)
    *source_object = w.source_object;
  return result;
}

/* Asserts that a GTask's @result (cleared) says it was cancelled and that the future it
 * was given, @future (transfer full), was cancelled with it. */
static void
assert_gtask_cancelled (GAsyncResult **result,
                        CoroFuture    *future)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (coro_gtask_propagate (*result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (coro_future_cancelled (future));
  coro_future_unref (future);
  g_clear_object (result);
}

typedef struct
{
  double delay;
  gint64 value;
} Compute;

static void
compute_return (CoroTask *task,
                gpointer  frame)
{
  Compute *f = frame;

  coro_task_return_int (task, f->value);
}

static void
compute (CoroTask *task,
         gpointer  frame)
{
  Compute *f = frame;

  coro_await (task, coro_sleep (f->delay), compute_return);
}

/* A library's async pair backed by a coroutine. */
static void
compute_async (gint64               value,
               GObject             *source_object,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  CoroTask *task = CORO_CREATE_TASK (compute, Compute, .delay = 1, .value = value);

  coro_future_to_gtask (CORO_FUTURE (task), source_object, cancellable, callback, user_data);
}

static void
test_gio_gtask_result (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GObject) source = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Waiter w = WAITER_INIT;
  double start = coro_loop_time (coro_loop_get_default ());

  compute_async (42, source, NULL, on_ready, &w);
  result = wait_for_result (&w);
  g_assert_true (w.source_object == source);
  g_assert_true (g_task_is_valid (result, source));
  g_assert_cmpfloat (coro_loop_time (coro_loop_get_default ()) - start, ==, 1.0);
  g_assert_cmpint (coro_gtask_propagate_int (result, &error), ==, 42);
  g_assert_no_error (error);
  g_clear_object (&result);
  CORO_TEST_END ();
}

static void
quit_inner (CoroFuture *future,
            gpointer    user_data)
{
  g_main_loop_quit (user_data);
}

/* A modal dialog in a callback: a nested main loop, in which coroutines keep running. */
static void
on_ready_nested (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Waiter *w = user_data;
  GMainLoop *inner = g_main_loop_new (NULL, FALSE);
  CoroFuture *sleep = coro_sleep (0.25);

  coro_future_add_done_callback (sleep, quit_inner, inner, NULL);
  g_main_loop_run (inner);
  g_assert_true (coro_future_done (sleep));
  coro_future_unref (sleep);
  g_main_loop_unref (inner);
  on_ready (source_object, result, user_data);
  w->source_object = NULL;
}

static void
test_gio_gtask_nested_loop (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Waiter w = WAITER_INIT;

  compute_async (6, NULL, NULL, on_ready_nested, &w);
  result = wait_for_result (&w);
  g_assert_cmpint (coro_gtask_propagate_int (result, &error), ==, 6);
  g_assert_no_error (error);
  g_clear_object (&result);
  CORO_TEST_END ();
}

static void
test_gio_gtask_types (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GObject) object = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GError) error = NULL;
  GValue value = G_VALUE_INIT;
  CoroFuture *future;
  GAsyncResult *result;
  char *string;
  gpointer got;

  {
    GObject *source_object;

    future = coro_future_new ();
    coro_future_set_double (future, 2.5, NULL);
    result = gtask_result_of (future, &source_object);
    g_assert_null (source_object);
    g_assert_cmpfloat (coro_gtask_propagate_double (result, &error), ==, 2.5);
    g_assert_no_error (error);
    g_object_unref (result);
  }
  {
    future = coro_future_new ();
    coro_future_set_boolean (future, TRUE, NULL);
    result = gtask_result_of (future, NULL);
    g_assert_true (coro_gtask_propagate_boolean (result, &error));
    g_assert_no_error (error);
    g_object_unref (result);
  }
  {
    future = coro_future_new ();
    coro_future_set_string (future, "text", NULL);
    result = gtask_result_of (future, NULL);
    string = coro_gtask_propagate_string (result, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (string, ==, "text");
    g_free (string);
    g_object_unref (result);
  }
  {
    future = coro_future_new ();
    coro_future_set_object (future, object, NULL);
    result = gtask_result_of (future, NULL);
    got = coro_gtask_propagate_object (result, &error);
    g_assert_no_error (error);
    g_assert_true (got == object);
    g_object_unref (got);
    g_object_unref (result);
  }
  {
    future = coro_future_new ();
    coro_future_set_int (future, 7, NULL);
    result = gtask_result_of (future, NULL);
    g_assert_true (coro_gtask_propagate_value (result, &value, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_value_get_int64 (&value), ==, 7);
    g_value_unset (&value);
    g_object_unref (result);
  }
  {
    future = coro_future_new ();
    coro_future_set_none (future, NULL);
    result = gtask_result_of (future, NULL);
    g_assert_true (coro_gtask_propagate (result, &error));
    g_assert_no_error (error);
    g_object_unref (result);
  }
  {
    /* The wrong getter: a result-type error. */
    future = coro_future_new ();
    coro_future_set_string (future, "not a number", NULL);
    result = gtask_result_of (future, NULL);
    g_assert_cmpint (coro_gtask_propagate_int (result, &error), ==, 0);
    g_assert_error (error, CORO_ERROR, CORO_ERROR_RESULT_TYPE);
    g_clear_error (&error);
    g_object_unref (result);
  }
  {
    /* Never finished: the GTask releases the future. */
    future = coro_future_new ();
    coro_future_set_int (future, 1, NULL);
    result = gtask_result_of (future, NULL);
    g_object_unref (result);
  }
  CORO_TEST_END ();
}

typedef struct
{
  int unused;
} Failing;

static void
forever_done (CoroTask *task,
              gpointer  frame)
{
  g_assert_not_reached ();
}

/* Awaits a future nobody completes. */
static gboolean forever_started;

static void
forever (CoroTask *task,
         gpointer  frame)
{
  forever_started = TRUE;
  coro_await (task, coro_future_new (), forever_done);
}

static void
failing (CoroTask *task,
         gpointer  frame)
{
  coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "not today");
}

static void
test_gio_gtask_error (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Waiter w = WAITER_INIT;

  coro_future_to_gtask (CORO_FUTURE (CORO_CREATE_TASK (failing, Failing)), NULL, NULL,
                        on_ready, &w);
  result = wait_for_result (&w);
  g_assert_false (coro_gtask_propagate (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr (error->message, ==, "not today");
  g_clear_object (&result);
  CORO_TEST_END ();
}

static void
test_gio_gtask_cancel (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CoroFuture) task = NULL;
  Waiter w = WAITER_INIT;

  task = CORO_FUTURE (CORO_CREATE_TASK (forever, Failing));
  coro_future_to_gtask (coro_future_ref (task), NULL, cancellable, on_ready, &w);
  forever_started = FALSE;
  while (!forever_started)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  result = wait_for_result (&w);
  g_assert_cmpint (coro_gtask_propagate_int (result, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The task itself was cancelled, as by coro_task_cancel(). */
  g_assert_true (coro_future_cancelled (task));
  g_clear_object (&result);
  g_clear_pointer (&task, coro_future_unref);
  CORO_TEST_END ();
}

static gpointer
cancel_in_thread (gpointer data)
{
  g_usleep (10000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_gio_gtask_cancel_from_thread (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  CoroFuture *never = coro_future_new ();
  Waiter w = WAITER_INIT;
  GThread *thread;

  coro_future_to_gtask (coro_future_ref (never), NULL, cancellable, on_ready, &w);
  thread = g_thread_new ("canceller", cancel_in_thread, cancellable);
  result = wait_for_result (&w);
  g_thread_join (thread);
  assert_gtask_cancelled (&result, never);
  CORO_TEST_END ();
}

static void
test_gio_gtask_already_cancelled (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  Waiter w = WAITER_INIT;
  CoroFuture *never = coro_future_new ();

  g_cancellable_cancel (cancellable);
  coro_future_to_gtask (coro_future_ref (never), NULL, cancellable, on_ready, &w);
  result = wait_for_result (&w);
  assert_gtask_cancelled (&result, never);
  CORO_TEST_END ();
}

static gboolean
set_later (gpointer data)
{
  coro_future_set_int (data, 99, NULL);
  return G_SOURCE_REMOVE;
}

static void
test_gio_wait_async (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CoroFuture *future = coro_future_new ();
  Waiter w = WAITER_INIT;

  g_idle_add (set_later, future);
  coro_future_wait_async (future, NULL, on_ready, &w);
  result = wait_for_result (&w);
  g_assert_true (coro_future_wait_finish (future, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (coro_future_get_int (future, NULL), ==, 99);
  g_clear_object (&result);
  coro_future_unref (future);

  /* Cancelling the wait cancels the future, as cancelling an awaiting task would. */
  {
    Waiter w2 = WAITER_INIT;

    future = coro_future_new ();
    coro_future_wait_async (future, cancellable, on_ready, &w2);
    g_cancellable_cancel (cancellable);
    result = wait_for_result (&w2);
    g_assert_false (coro_future_wait_finish (future, result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_true (coro_future_cancelled (future));
    g_clear_object (&result);
    coro_future_unref (future);
  }
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/gio/file/ops", test_gio_file_ops);
  g_test_add_func ("/gio/file/errors", test_gio_file_errors);
  g_test_add_func ("/gio/stream/memory", test_gio_memory_streams);
  g_test_add_func ("/gio/stream/socket", test_gio_socket_streams);
  g_test_add_func ("/gio/socket-client", test_gio_socket_client);
  g_test_add_func ("/gio/child-process/wait", test_gio_subprocess);
  g_test_add_func ("/gio/finish-functions", test_gio_finish_functions);
  g_test_add_func ("/gio/bad-input", test_gio_bad_input);
  g_test_add_func ("/gio/cancel/task", test_gio_cancel_task);
  g_test_add_func ("/gio/cancel/wait-for", test_gio_cancel_wait_for);
  g_test_add_func ("/gio/cancel/future", test_gio_cancel_future);
  g_test_add_func ("/gio/cancel/dropped", test_gio_dropped_future);
  g_test_add_func ("/gio/cancel/file-ops", test_gio_cancel_file_ops);
  g_test_add_func ("/gio/cancel/shield", test_gio_shield);
  g_test_add_func ("/gio/dbus/call", test_gio_dbus_call);
  g_test_add_func ("/gio/gtask/result", test_gio_gtask_result);
  g_test_add_func ("/gio/gtask/types", test_gio_gtask_types);
  g_test_add_func ("/gio/gtask/nested-loop", test_gio_gtask_nested_loop);
  g_test_add_func ("/gio/gtask/error", test_gio_gtask_error);
  g_test_add_func ("/gio/gtask/cancel", test_gio_gtask_cancel);
  g_test_add_func ("/gio/gtask/cancel-from-thread", test_gio_gtask_cancel_from_thread);
  g_test_add_func ("/gio/gtask/already-cancelled", test_gio_gtask_already_cancelled);
  g_test_add_func ("/gio/gtask/wait-async", test_gio_wait_async);

  return g_test_run ();
}
