/* test-subprocess.c: CoroProcess on real child processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * These tests run real programs (true, false, sh, cat, sleep, head), so they run on the
 * real clock: the virtual clock would jump over the time a child takes.
 */
#include "coro-test.h"

#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#define INHERIT CORO_SUBPROCESS_INHERIT
#define PIPE CORO_SUBPROCESS_PIPE
#define DEVNULL CORO_SUBPROCESS_DEVNULL

static CoroProcess *
spawn (CoroSubprocessStdio  in,
       CoroSubprocessStdio  out,
       CoroSubprocessStdio  err,
       const char          *first,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  CoroProcess *proc;
  const char *arg;
  va_list args;

  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  proc = coro_create_subprocess_exec ((const char * const *) argv->pdata, in, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (CORO_IS_PROCESS (proc));
  return proc;
}

/* Runs a wait-like future (borrowed) and gives its int result. */
static gint64
run_int (CoroFuture *future)
{
  coro_test_run (future);
  return coro_future_get_int (future, NULL);
}

static int
wait_for_exit (CoroProcess *proc)
{
  CoroFuture *wait = coro_process_wait (proc);
  int code = (int) run_int (wait);

  coro_future_unref (wait);
  return code;
}

/* The child is gone for good: reaped (not a zombie), so no process has its id. */
static gboolean
is_reaped (int pid)
{
  return kill (pid, 0) == -1 && errno == ESRCH;
}

static void
assert_reaped (int pid)
{
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (waitpid (pid, NULL, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
  g_assert_true (is_reaped (pid));
}

/* GLib's worker thread reaps a child nobody waits for; give it up to 10 s. */
static void
assert_reaped_soon (int pid)
{
  for (int i = 0; i < 1000 && !is_reaped (pid); i++)
    g_usleep (10000);
  g_assert_true (is_reaped (pid));
}

/* Lets the loop run for @seconds of real time. */
static void
run_for (double seconds)
{
  CoroFuture *sleep = coro_sleep (seconds);

  coro_test_run (sleep);
  coro_future_unref (sleep);
}

static void
cancel_now (gpointer user_data)
{
  g_assert_true (coro_future_cancel (user_data, NULL));
}

/* Cancels @future (borrowed) after @delay seconds of loop time. */
static void
cancel_later (CoroFuture *future,
              double      delay)
{
  coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), delay, cancel_now,
                                           coro_future_ref (future),
                                           (GDestroyNotify) coro_future_unref));
}

static void
test_subprocess_exit_codes (void)
{
  CORO_TEST_BEGIN ();
  const struct { const char *cmd; int code; } cases[] = {
    { "true", 0 }, { "false", 1 }, { "exit 7", 7 }, { "exit 255", 255 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CoroProcess) proc = spawn (DEVNULL, INHERIT, INHERIT, "/bin/sh", "-c",
                                           cases[i].cmd, NULL);
      int code = -1000;
      int pid = coro_process_get_pid (proc);

      g_assert_cmpint (pid, >, 0);
      /* asyncio: returncode is None until the loop has seen the child exit */
      g_assert_false (coro_process_get_returncode (proc, &code));
      g_assert_cmpint (code, ==, -1000);
      g_assert_cmpint (wait_for_exit (proc), ==, cases[i].code);
      g_assert_true (coro_process_get_returncode (proc, &code));
      g_assert_cmpint (code, ==, cases[i].code);
      g_assert_true (coro_process_get_returncode (proc, NULL));
      g_assert_cmpint (coro_process_get_pid (proc), ==, pid);
      g_assert_true (G_IS_SUBPROCESS (coro_process_get_subprocess (proc)));
      assert_reaped (pid);
    }
  CORO_TEST_END ();
}

static void
test_subprocess_true_false (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) t = spawn (DEVNULL, INHERIT, INHERIT, "true", NULL);
  g_autoptr(CoroProcess) f = spawn (DEVNULL, INHERIT, INHERIT, "false", NULL);
  CoroFuture *both = coro_gather (coro_process_wait (t), coro_process_wait (f), NULL);
  CoroFuture **results;
  guint n;

  coro_test_run (both);
  results = coro_future_get_futures (both, &n, NULL);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (coro_future_get_int (results[0], NULL), ==, 0);
  g_assert_cmpint (coro_future_get_int (results[1], NULL), ==, 1);
  coro_future_unref (both);
  assert_reaped (coro_process_get_pid (t));
  assert_reaped (coro_process_get_pid (f));
  CORO_TEST_END ();
}

/* asyncio sets returncode from the child watcher, without anybody calling wait(). */
static void
test_subprocess_returncode_without_wait (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (DEVNULL, INHERIT, INHERIT, "true", NULL);
  int code = -1;

  for (int i = 0; i < 1000 && !coro_process_get_returncode (proc, NULL); i++)
    run_for (0.01);
  g_assert_true (coro_process_get_returncode (proc, &code));
  g_assert_cmpint (code, ==, 0);
  assert_reaped (coro_process_get_pid (proc));
  CORO_TEST_END ();
}

static void
test_subprocess_wait_after_exit (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (DEVNULL, INHERIT, INHERIT, "false", NULL);
  CoroFuture *again;

  g_assert_cmpint (wait_for_exit (proc), ==, 1);
  /* A wait on an exited child is done at once. */
  again = coro_process_wait (proc);
  g_assert_true (coro_future_done (again));
  g_assert_cmpint (coro_future_get_int (again, NULL), ==, 1);
  coro_future_unref (again);
  CORO_TEST_END ();
}

static void
test_subprocess_shell (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CoroProcess) proc = coro_create_subprocess_shell ("exit $((1 + 2))", DEVNULL, INHERIT,
                                                              INHERIT, &error);
  g_autoptr(CoroProcess) missing = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (wait_for_exit (proc), ==, 3);

  /* The shell reports a missing command with status 127, as with asyncio. */
  missing = coro_create_subprocess_shell ("coro-no-such-command-xyz 2>/dev/null", DEVNULL,
                                          INHERIT, INHERIT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wait_for_exit (missing), ==, 127);
  CORO_TEST_END ();
}

static void
test_subprocess_missing_executable (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "coro-no-such-program-xyz", "arg", NULL };
  const char *path[] = { "/nonexistent/dir/prog", NULL };
  const char *not_exec[] = { "/etc/passwd", NULL };
  CoroProcess *proc;

  proc = coro_create_subprocess_exec (argv, PIPE, PIPE, PIPE, &error);
  g_assert_null (proc);
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "coro-no-such-program-xyz"));
  g_clear_error (&error);

  proc = coro_create_subprocess_exec (path, DEVNULL, INHERIT, INHERIT, &error);
  g_assert_null (proc);
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);
  g_clear_error (&error);

  proc = coro_create_subprocess_exec (not_exec, DEVNULL, INHERIT, INHERIT, &error);
  g_assert_null (proc);
  g_assert_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_ACCES);
  CORO_TEST_END ();
}

/* g_return_val_if_fail() logs through g_log(), which g_test_expect_message() sees. */
static void
test_subprocess_bad_arguments (void)
{
  const char *empty[] = { NULL };
  const char *argv[] = { "true", NULL };
  g_autoptr(GError) error = NULL;

  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*argv != NULL*");
  g_assert_null (coro_create_subprocess_exec (empty, DEVNULL, INHERIT, INHERIT, &error));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*stdin_mode*");
  g_assert_null (coro_create_subprocess_exec (argv, CORO_SUBPROCESS_STDOUT, INHERIT, INHERIT, &error));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*stdout_mode*");
  g_assert_null (coro_create_subprocess_exec (argv, DEVNULL, CORO_SUBPROCESS_STDOUT, INHERIT, &error));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Coro", G_LOG_LEVEL_CRITICAL, "*command != NULL*");
  g_assert_null (coro_create_subprocess_shell (NULL, DEVNULL, INHERIT, INHERIT, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
}

static void
test_subprocess_signals (void)
{
  CORO_TEST_BEGIN ();
  const struct { int signum; gboolean (*send) (CoroProcess *, GError **); } cases[] = {
    { SIGTERM, coro_process_terminate },
    { SIGKILL, coro_process_kill },
    { SIGINT, NULL },
    { SIGUSR1, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CoroProcess) proc = spawn (DEVNULL, INHERIT, INHERIT, "sleep", "30", NULL);
      g_autoptr(GError) error = NULL;
      int code = 0;

      if (cases[i].send != NULL)
        g_assert_true (cases[i].send (proc, &error));
      else
        g_assert_true (coro_process_send_signal (proc, cases[i].signum, &error));
      g_assert_no_error (error);
      /* asyncio: killed by signal N gives returncode -N */
      g_assert_cmpint (wait_for_exit (proc), ==, -cases[i].signum);
      g_assert_true (coro_process_get_returncode (proc, &code));
      g_assert_cmpint (code, ==, -cases[i].signum);
      assert_reaped (coro_process_get_pid (proc));

      /* asyncio: ProcessLookupError once the child is gone */
      g_assert_false (coro_process_send_signal (proc, SIGTERM, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_clear_error (&error);
      g_assert_false (coro_process_kill (proc, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_clear_error (&error);
      g_assert_false (coro_process_terminate (proc, NULL));
    }
  CORO_TEST_END ();
}

static void
test_subprocess_wait_timeout_kills (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (DEVNULL, INHERIT, INHERIT, "sleep", "30", NULL);
  CoroFuture *wait = coro_process_wait_with_timeout (proc, 0.2);
  double start = coro_loop_time (coro_loop_get_default ());
  double elapsed;
  int code = 0;

  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_TIMEOUT);
  elapsed = coro_loop_time (coro_loop_get_default ()) - start;
  g_assert_cmpfloat (elapsed, >=, 0.2);
  g_assert_cmpfloat (elapsed, <, 10);
  /* Done means killed and reaped. */
  g_assert_true (coro_process_get_returncode (proc, &code));
  g_assert_cmpint (code, ==, -SIGKILL);
  assert_reaped (coro_process_get_pid (proc));
  coro_future_unref (wait);
  CORO_TEST_END ();
}

static void
test_subprocess_wait_timeout_in_time (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (DEVNULL, INHERIT, INHERIT, "/bin/sh", "-c", "exit 5", NULL);
  CoroFuture *wait = coro_process_wait_with_timeout (proc, 30);

  g_assert_cmpint (run_int (wait), ==, 5);
  assert_reaped (coro_process_get_pid (proc));
  coro_future_unref (wait);
  CORO_TEST_END ();
}

static void
test_subprocess_wait_timeout_after_exit (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (DEVNULL, INHERIT, INHERIT, "false", NULL);
  CoroFuture *wait;
  GBytes *out = (GBytes *) 1, *err = (GBytes *) 1;

  g_assert_cmpint (wait_for_exit (proc), ==, 1);
  wait = coro_process_wait_with_timeout (proc, 0);
  g_assert_cmpint (run_int (wait), ==, 1);
  coro_future_unref (wait);

  /* No pipes: no output, kept or not. */
  coro_process_get_partial_output (proc, &out, &err);
  g_assert_null (out);
  g_assert_null (err);
  CORO_TEST_END ();
}

static void
test_subprocess_wait_timeout_cancel (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (DEVNULL, INHERIT, INHERIT, "sleep", "30", NULL);
  CoroFuture *wait = coro_process_wait_with_timeout (proc, 30);

  /* coro_run() would cancel the waiting task when it returns: cancel from inside. */
  cancel_later (wait, 0.05);
  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_CANCELLED);
  coro_future_unref (wait);
  /* Cancelling the wait does not kill the child. */
  g_assert_false (coro_process_get_returncode (proc, NULL));
  g_assert_true (coro_process_kill (proc, NULL));
  g_assert_cmpint (wait_for_exit (proc), ==, -SIGKILL);
  CORO_TEST_END ();
}

static void
test_subprocess_wait_cancel (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (DEVNULL, INHERIT, INHERIT, "sleep", "30", NULL);
  CoroFuture *first = coro_process_wait (proc);
  CoroFuture *second = coro_process_wait (proc);

  run_for (0.05);
  g_assert_false (coro_future_done (first));
  /* asyncio: cancelling wait() leaves the child running */
  g_assert_true (coro_future_cancel (first, "enough"));
  coro_test_run_fails (first, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_false (coro_future_done (second));
  g_assert_false (coro_process_get_returncode (proc, NULL));

  g_assert_true (coro_process_terminate (proc, NULL));
  g_assert_cmpint (run_int (second), ==, -SIGTERM);
  coro_future_unref (first);
  coro_future_unref (second);
  assert_reaped (coro_process_get_pid (proc));
  CORO_TEST_END ();
}

/* Dropping a process whose child runs kills the child (asyncio closes the transport,
 * which kills it); GLib reaps it. */
static void
test_subprocess_dropped_kills (void)
{
  CORO_TEST_BEGIN ();
  CoroProcess *proc = spawn (DEVNULL, INHERIT, INHERIT, "sleep", "30", NULL);
  int pid = coro_process_get_pid (proc);

  g_assert_false (is_reaped (pid));
  g_object_unref (proc);
  assert_reaped_soon (pid);
  coro_test_yield ();
  CORO_TEST_END ();
}

/* A dropped wait future keeps the process (and its child) alive until it is dropped. */
static void
test_subprocess_wait_keeps_process (void)
{
  CORO_TEST_BEGIN ();
  CoroProcess *proc = spawn (DEVNULL, INHERIT, INHERIT, "/bin/sh", "-c", "sleep 0.1; exit 4", NULL);
  CoroFuture *wait = coro_process_wait (proc);
  int pid = coro_process_get_pid (proc);

  g_object_unref (proc);
  g_assert_cmpint (run_int (wait), ==, 4);
  coro_future_unref (wait);
  assert_reaped (pid);
  CORO_TEST_END ();
}

static void
test_subprocess_launcher (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  const char *argv[] = { "/bin/sh", "-c", "test \"$(pwd)\" = / && test \"$CORO_TEST_VAR\" = yes", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CoroProcess) proc = NULL;

  g_subprocess_launcher_set_cwd (launcher, "/");
  g_subprocess_launcher_setenv (launcher, "CORO_TEST_VAR", "yes", TRUE);
  proc = coro_create_subprocess_exec_with_launcher (launcher, argv, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wait_for_exit (proc), ==, 0);
  CORO_TEST_END ();
}

/* communicate */

#define STDOUT CORO_SUBPROCESS_STDOUT

/* Runs a communicate (consumed) to success and gives its output. */
static void
communicate_ok (CoroProcess  *proc,
                CoroFuture   *future,
                GBytes      **out,
                GBytes      **err)
{
  g_autoptr(GError) error = NULL;

  coro_test_run (future);
  g_assert_true (coro_process_communicate_finish (proc, future, out, err, &error));
  g_assert_no_error (error);
  coro_future_unref (future);
}

static void
assert_bytes (GBytes     *bytes,
              const char *expected)
{
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   expected, strlen (expected));
}

static void
test_subprocess_communicate_cat (void)
{
  CORO_TEST_BEGIN ();
  CoroProcess *proc = spawn (PIPE, PIPE, INHERIT, "cat", NULL);
  g_autoptr(GBytes) input = g_bytes_new_static ("hello\nworld\n", 12);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  int code = -1;

  g_assert_true (CORO_IS_STREAM_WRITER (coro_process_get_stdin (proc)));
  g_assert_true (CORO_IS_STREAM_READER (coro_process_get_stdout (proc)));
  g_assert_null (coro_process_get_stderr (proc));
  g_object_add_weak_pointer (G_OBJECT (proc), (gpointer *) &proc);

  communicate_ok (proc, coro_process_communicate (proc, input), &out, &err);
  assert_bytes (out, "hello\nworld\n");
  g_assert_null (err);                       /* asyncio: None for a stream not piped */
  g_assert_true (coro_process_get_returncode (proc, &code));
  g_assert_cmpint (code, ==, 0);
  assert_reaped (coro_process_get_pid (proc));

  /* Nothing else holds the process once communicate is over. */
  g_object_unref (proc);
  g_assert_null (proc);
  CORO_TEST_END ();
}

static void
test_subprocess_communicate_both (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (DEVNULL, PIPE, PIPE, "/bin/sh", "-c",
                                       "echo out; echo err >&2; echo more; exit 3", NULL);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  int code = 0;

  g_assert_null (coro_process_get_stdin (proc));
  /* input is ignored when stdin is not a pipe, as in asyncio */
  communicate_ok (proc, coro_process_communicate (proc, NULL), &out, &err);
  assert_bytes (out, "out\nmore\n");
  assert_bytes (err, "err\n");
  g_assert_true (coro_process_get_returncode (proc, &code));
  g_assert_cmpint (code, ==, 3);
  CORO_TEST_END ();
}

static void
test_subprocess_communicate_modes (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) merged = spawn (DEVNULL, PIPE, STDOUT, "/bin/sh", "-c",
                                         "echo a; echo b >&2; echo c", NULL);
  g_autoptr(CoroProcess) silent = spawn (DEVNULL, DEVNULL, PIPE, "/bin/sh", "-c",
                                         "echo a; echo b >&2", NULL);
  g_autoptr(CoroProcess) empty = spawn (PIPE, PIPE, PIPE, "true", NULL);
  g_autoptr(GBytes) input = g_bytes_new_static ("x", 1);
  GBytes *out = NULL, *err = NULL;

  /* asyncio's stderr=STDOUT */
  communicate_ok (merged, coro_process_communicate (merged, NULL), &out, &err);
  assert_bytes (out, "a\nb\nc\n");
  g_assert_null (err);
  g_assert_null (coro_process_get_stderr (merged));
  g_clear_pointer (&out, g_bytes_unref);

  communicate_ok (silent, coro_process_communicate (silent, NULL), &out, &err);
  g_assert_null (out);
  assert_bytes (err, "b\n");
  g_clear_pointer (&err, g_bytes_unref);

  /* A child that exits without reading its input is not an error (EPIPE is ignored). */
  communicate_ok (empty, coro_process_communicate (empty, input), &out, &err);
  assert_bytes (out, "");
  assert_bytes (err, "");
  g_clear_pointer (&out, g_bytes_unref);
  g_clear_pointer (&err, g_bytes_unref);

  /* The output is optional. */
  communicate_ok (empty, coro_process_communicate (empty, NULL), NULL, NULL);
  CORO_TEST_END ();
}

static void
test_subprocess_communicate_shell (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CoroProcess) proc = coro_create_subprocess_shell ("tr a-z A-Z; echo done >&2",
                                                              PIPE, PIPE, PIPE, &error);
  g_autoptr(GBytes) input = g_bytes_new_static ("shout\n", 6);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;

  g_assert_no_error (error);
  communicate_ok (proc, coro_process_communicate (proc, input), &out, &err);
  assert_bytes (out, "SHOUT\n");
  assert_bytes (err, "done\n");
  CORO_TEST_END ();
}

#define TEN_MIB (10 * 1024 * 1024)

static GBytes *
pattern_bytes (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + i / 4093);
  return g_bytes_new_take (data, size);
}

static gboolean
all_zero (GBytes *bytes)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  for (gsize i = 0; i < size; i++)
    if (data[i] != 0)
      return FALSE;
  return TRUE;
}

/* 10 MiB in, 10 MiB out, 10 MiB of errors, the child writing its error pipe full before
 * and after it reads its input: only reading both pipes while writing avoids a deadlock. */
static void
test_subprocess_communicate_chatty (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (PIPE, PIPE, PIPE, "/bin/sh", "-c",
                                       "head -c 5242880 /dev/zero >&2; cat; "
                                       "head -c 5242880 /dev/zero >&2", NULL);
  g_autoptr(GBytes) input = pattern_bytes (TEN_MIB);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;

  communicate_ok (proc, coro_process_communicate (proc, input), &out, &err);
  g_assert_cmpuint (g_bytes_get_size (out), ==, TEN_MIB);
  g_assert_true (g_bytes_equal (out, input));
  g_assert_cmpuint (g_bytes_get_size (err), ==, TEN_MIB);
  g_assert_true (all_zero (err));
  g_assert_cmpint (wait_for_exit (proc), ==, 0);
  CORO_TEST_END ();
}

/* The chatty child: 10 MiB to each pipe, ignoring 10 MiB of input. */
static void
test_subprocess_communicate_chatty_unread (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (PIPE, PIPE, PIPE, "/bin/sh", "-c",
                                       "head -c 10485760 /dev/zero; "
                                       "head -c 10485760 /dev/zero >&2", NULL);
  g_autoptr(GBytes) input = pattern_bytes (TEN_MIB);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;

  communicate_ok (proc, coro_process_communicate (proc, input), &out, &err);
  g_assert_cmpuint (g_bytes_get_size (out), ==, TEN_MIB);
  g_assert_cmpuint (g_bytes_get_size (err), ==, TEN_MIB);
  g_assert_true (all_zero (out));
  g_assert_true (all_zero (err));
  g_assert_cmpint (wait_for_exit (proc), ==, 0);
  CORO_TEST_END ();
}

/* Writing to a child that has exited fails with G_IO_ERROR_BROKEN_PIPE; SIGPIPE does not
 * kill us. */
static void
test_subprocess_write_to_exited (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (PIPE, INHERIT, INHERIT, "true", NULL);
  CoroStreamWriter *in = coro_process_get_stdin (proc);
  g_autoptr(GBytes) chunk = pattern_bytes (256 * 1024);
  GError *error = NULL;
  CoroFuture *drain;

  g_assert_cmpint (wait_for_exit (proc), ==, 0);
  if (coro_stream_writer_write_bytes (in, chunk, &error))
    {
      drain = coro_stream_writer_drain (in);
      coro_test_run_fails (drain, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
      coro_future_unref (drain);
    }
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
      g_clear_error (&error);
    }
  coro_test_yield ();
  CORO_TEST_END ();
}

/* SIGPIPE is ignored in the parent but has its default action in the child. */
static void
test_subprocess_child_sigpipe (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (DEVNULL, PIPE, INHERIT, "grep", "^SigIgn:",
                                       "/proc/self/status", NULL);
  g_autoptr(GBytes) out = NULL;
  g_autofree char *text = NULL;
  guint64 ignored;
  struct sigaction parent;

  communicate_ok (proc, coro_process_communicate (proc, NULL), &out, NULL);
  text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_assert_true (g_str_has_prefix (text, "SigIgn:"));
  ignored = g_ascii_strtoull (text + strlen ("SigIgn:"), NULL, 16);
  g_assert_cmpuint (ignored & (G_GUINT64_CONSTANT (1) << (SIGPIPE - 1)), ==, 0);

  g_assert_cmpint (sigaction (SIGPIPE, NULL, &parent), ==, 0);
  g_assert_true (parent.sa_handler == SIG_IGN);
  CORO_TEST_END ();
}

/* A cancelled communicate keeps what it read; the next one goes on from there. */
static void
test_subprocess_communicate_cancel (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (PIPE, PIPE, PIPE, "/bin/sh", "-c",
                                       "echo first; echo oops >&2; exec sleep 30", NULL);
  g_autoptr(GBytes) input = g_bytes_new_static ("ignored\n", 8);
  CoroFuture *comm = coro_process_communicate (proc, input);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  GError *error = NULL;
  int code = 0;

  cancel_later (comm, 0.5);
  coro_test_run_fails (comm, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_false (coro_process_communicate_finish (proc, comm, &out, &err, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (out);
  coro_future_unref (comm);

  /* The child runs on; its output so far is kept. */
  g_assert_false (coro_process_get_returncode (proc, NULL));
  coro_process_get_partial_output (proc, &out, &err);
  assert_bytes (out, "first\n");
  assert_bytes (err, "oops\n");
  g_clear_pointer (&out, g_bytes_unref);
  g_clear_pointer (&err, g_bytes_unref);

  /* Python's pattern: kill, then communicate again for everything. */
  g_assert_true (coro_process_kill (proc, NULL));
  communicate_ok (proc, coro_process_communicate (proc, NULL), &out, &err);
  assert_bytes (out, "first\n");
  assert_bytes (err, "oops\n");
  g_assert_true (coro_process_get_returncode (proc, &code));
  g_assert_cmpint (code, ==, -SIGKILL);
  assert_reaped (coro_process_get_pid (proc));
  g_clear_pointer (&out, g_bytes_unref);
  g_clear_pointer (&err, g_bytes_unref);

  /* Nothing is kept once a communicate has returned it. */
  coro_process_get_partial_output (proc, &out, &err);
  assert_bytes (out, "");
  assert_bytes (err, "");
  CORO_TEST_END ();
}

/* Cancelled before it started, and dropped while running: everything is released. */
static void
test_subprocess_communicate_release (void)
{
  CORO_TEST_BEGIN ();
  CoroProcess *proc = spawn (PIPE, PIPE, PIPE, "/bin/sh", "-c", "exec sleep 30", NULL);
  g_autoptr(GBytes) input = pattern_bytes (1024 * 1024);
  CoroFuture *comm;
  int pid = coro_process_get_pid (proc);

  g_object_add_weak_pointer (G_OBJECT (proc), (gpointer *) &proc);
  comm = coro_process_communicate (proc, input);
  g_assert_true (coro_future_cancel (comm, NULL));
  coro_test_run_fails (comm, CORO_ERROR, CORO_ERROR_CANCELLED);
  coro_future_unref (comm);

  comm = coro_process_communicate (proc, input);
  cancel_later (comm, 0.2);
  coro_test_run_fails (comm, CORO_ERROR, CORO_ERROR_CANCELLED);
  coro_future_unref (comm);
  coro_test_yield ();

  g_object_unref (proc);
  g_assert_null (proc);     /* no task, reader or writer holds it any more */
  assert_reaped_soon (pid); /* and its child was killed and reaped */
  coro_test_yield ();
  CORO_TEST_END ();
}

static void
test_subprocess_communicate_twice (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (DEVNULL, PIPE, INHERIT, "/bin/sh", "-c",
                                       "sleep 0.2; echo late", NULL);
  CoroFuture *first = coro_process_communicate (proc, NULL);
  CoroFuture *second = coro_process_communicate (proc, NULL);
  CoroFuture *both;
  g_autoptr(GBytes) out = NULL;
  GError *error = NULL;

  /* Still pending: nothing to read yet. */
  g_assert_false (coro_process_communicate_finish (proc, first, &out, NULL, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* One coro_run for both: it cancels the tasks still pending when it returns. */
  both = coro_gatherv ((CoroFuture *[]) { first, second }, 2, CORO_GATHER_RETURN_EXCEPTIONS);
  coro_test_run (both);
  coro_future_unref (both);
  g_assert_false (coro_process_communicate_finish (proc, second, &out, NULL, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  coro_future_unref (second);
  g_assert_true (coro_process_communicate_finish (proc, first, &out, NULL, &error));
  g_assert_no_error (error);
  coro_future_unref (first);
  assert_bytes (out, "late\n");
  CORO_TEST_END ();
}

static void
test_subprocess_communicate_timeout (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (DEVNULL, PIPE, PIPE, "/bin/sh", "-c",
                                       "echo partial; exec sleep 30", NULL);
  CoroFuture *comm = coro_process_communicate_with_timeout (proc, NULL, 0.5);
  double start = coro_loop_time (coro_loop_get_default ());
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  GError *error = NULL;
  int code = 0;

  coro_test_run_fails (comm, CORO_ERROR, CORO_ERROR_TIMEOUT);
  g_assert_cmpfloat (coro_loop_time (coro_loop_get_default ()) - start, <, 10);
  g_assert_false (coro_process_communicate_finish (proc, comm, &out, &err, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_TIMEOUT);
  g_clear_error (&error);
  coro_future_unref (comm);

  /* Killed and reaped before the future completed. */
  g_assert_true (coro_process_get_returncode (proc, &code));
  g_assert_cmpint (code, ==, -SIGKILL);
  assert_reaped (coro_process_get_pid (proc));

  coro_process_get_partial_output (proc, &out, &err);
  assert_bytes (out, "partial\n");
  assert_bytes (err, "");
  g_clear_pointer (&out, g_bytes_unref);
  g_clear_pointer (&err, g_bytes_unref);

  communicate_ok (proc, coro_process_communicate (proc, NULL), &out, &err);
  assert_bytes (out, "partial\n");
  CORO_TEST_END ();
}

static void
test_subprocess_communicate_timeout_in_time (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (PIPE, PIPE, INHERIT, "cat", NULL);
  g_autoptr(GBytes) input = g_bytes_new_static ("quick\n", 6);
  g_autoptr(GBytes) out = NULL;

  communicate_ok (proc, coro_process_communicate_with_timeout (proc, input, 30), &out, NULL);
  assert_bytes (out, "quick\n");
  g_assert_cmpint (wait_for_exit (proc), ==, 0);
  CORO_TEST_END ();
}

/* The pipes as asyncio's streams, while the child runs. */
static void
test_subprocess_streams (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(CoroProcess) proc = spawn (PIPE, PIPE, INHERIT, "cat", NULL);
  CoroStreamWriter *in = coro_process_get_stdin (proc);
  CoroStreamReader *out = coro_process_get_stdout (proc);

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *line = g_strdup_printf ("line %d\n", i);
      CoroFuture *read;

      g_assert_true (coro_stream_writer_write (in, (const guint8 *) line, strlen (line), NULL));
      read = coro_stream_reader_readline (out);
      coro_test_run (read);
      assert_bytes (coro_future_get_bytes (read, NULL), line);
      coro_future_unref (read);
    }
  g_assert_false (coro_process_get_returncode (proc, NULL));
  coro_stream_writer_close (in);
  g_assert_cmpint (wait_for_exit (proc), ==, 0);
  CORO_TEST_END ();
}

int
main (int    argc,
      char **argv)
{
  coro_test_init (&argc, &argv);
  coro_loop_set_virtual_clock (coro_loop_get_default (), FALSE);

  g_test_add_func ("/coro/process/exit-codes", test_subprocess_exit_codes);
  g_test_add_func ("/coro/process/true-false", test_subprocess_true_false);
  g_test_add_func ("/coro/process/returncode-without-wait", test_subprocess_returncode_without_wait);
  g_test_add_func ("/coro/process/wait-after-exit", test_subprocess_wait_after_exit);
  g_test_add_func ("/coro/process/shell", test_subprocess_shell);
  g_test_add_func ("/coro/process/missing-executable", test_subprocess_missing_executable);
  g_test_add_func ("/coro/process/bad-arguments", test_subprocess_bad_arguments);
  g_test_add_func ("/coro/process/signals", test_subprocess_signals);
  g_test_add_func ("/coro/process/wait-timeout-kills", test_subprocess_wait_timeout_kills);
  g_test_add_func ("/coro/process/wait-timeout-in-time", test_subprocess_wait_timeout_in_time);
  g_test_add_func ("/coro/process/wait-timeout-after-exit", test_subprocess_wait_timeout_after_exit);
  g_test_add_func ("/coro/process/wait-timeout-cancel", test_subprocess_wait_timeout_cancel);
  g_test_add_func ("/coro/process/wait-cancel", test_subprocess_wait_cancel);
  g_test_add_func ("/coro/process/dropped-kills", test_subprocess_dropped_kills);
  g_test_add_func ("/coro/process/wait-keeps-process", test_subprocess_wait_keeps_process);
  g_test_add_func ("/coro/process/launcher", test_subprocess_launcher);

  g_test_add_func ("/coro/process/communicate/cat", test_subprocess_communicate_cat);
  g_test_add_func ("/coro/process/communicate/both", test_subprocess_communicate_both);
  g_test_add_func ("/coro/process/communicate/modes", test_subprocess_communicate_modes);
  g_test_add_func ("/coro/process/communicate/shell", test_subprocess_communicate_shell);
  g_test_add_func ("/coro/process/communicate/chatty", test_subprocess_communicate_chatty);
  g_test_add_func ("/coro/process/communicate/chatty-unread", test_subprocess_communicate_chatty_unread);
  g_test_add_func ("/coro/process/communicate/cancel", test_subprocess_communicate_cancel);
  g_test_add_func ("/coro/process/communicate/release", test_subprocess_communicate_release);
  g_test_add_func ("/coro/process/communicate/twice", test_subprocess_communicate_twice);
  g_test_add_func ("/coro/process/communicate/timeout", test_subprocess_communicate_timeout);
  g_test_add_func ("/coro/process/communicate/timeout-in-time", test_subprocess_communicate_timeout_in_time);
  g_test_add_func ("/coro/process/write-to-exited", test_subprocess_write_to_exited);
  g_test_add_func ("/coro/process/child-sigpipe", test_subprocess_child_sigpipe);
  g_test_add_func ("/coro/process/streams", test_subprocess_streams);

  return g_test_run ();
}
