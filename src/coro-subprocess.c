/* coro-subprocess.c: child processes with asyncio's semantics, on GSubprocess
 *
 * GSubprocess does the hard parts: it spawns synchronously (an exec failure is reported
 * before the spawn call returns), and it reaps the child itself from GLib's worker thread
 * with a child watch that keeps the GSubprocess alive until the child is gone. So a child
 * is never left a zombie, whatever happens to the CoroProcess; what is left to this file
 * is asyncio's view of it: a return code that appears as soon as the child exits, waits
 * as futures, the pipes as stream readers and writers, communicate, and timeouts that
 * kill and reap.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>

#include "coro-waiter.h"
#include "coro-loop-private.h"

#include <coro.h>

/**
 * CoroProcess:
 *
 * A child process (asyncio's `asyncio.subprocess.Process`), created by
 * [func@Coro.create_subprocess_exec], [func@Coro.create_subprocess_shell] or
 * [func@Coro.create_subprocess_exec_with_launcher].
 *
 * Its return code is known as soon as the child exits, whether or not anybody waits:
 * [method@Coro.Process.get_returncode] tells the exit status, or minus the signal number
 * when a signal killed the child, as asyncio's `returncode` does. [method@Coro.Process.wait]
 * returns a future of it.
 *
 * ```c
 * // proc = await asyncio.create_subprocess_exec ('false')
 * // print (await proc.wait ())
 * const char *argv[] = { "false", NULL };
 * g_autoptr(CoroProcess) proc = coro_create_subprocess_exec (argv, CORO_SUBPROCESS_INHERIT,
 *                                                            CORO_SUBPROCESS_INHERIT,
 *                                                            CORO_SUBPROCESS_INHERIT, &error);
 * coro_await (task, coro_process_wait (proc), print_returncode);
 * ```
 *
 * Nothing leaves a zombie: GIO reaps every child from its worker thread. Like asyncio,
 * which kills the child when its transport is closed while it runs, dropping the last
 * reference to a #CoroProcess whose child is still running kills the child (SIGKILL).
 * Keep the process (or a pending wait on it) to let the child run.
 *
 * Since: 1.0
 */
struct _CoroProcess
{
  GObject       parent_instance;

  GSubprocess  *subprocess;
  int           pid;
  gboolean      exited;
  int           returncode;
  GCancellable *watch_cancellable;
  CoroWaitList  waiters;

  CoroStreamWriter *stdin_writer;
  CoroStreamReader *stdout_reader;
  CoroStreamReader *stderr_reader;

  /* What communicate() has read: kept across a cancelled or failed communicate, for the
   * next one and for coro_process_get_partial_output(). */
  GByteArray   *stdout_data;
  GByteArray   *stderr_data;
  gboolean      communicating;
  gboolean      input_written;
};

G_DEFINE_FINAL_TYPE (CoroProcess, coro_process, G_TYPE_OBJECT)

static void
coro_process_finalize (GObject *object)
{
  CoroProcess *self = CORO_PROCESS (object);

  /* A pending wait holds a reference, so no waiter can be left here. */
  g_assert (self->waiters.length == 0);

  if (!self->exited)
    g_subprocess_force_exit (self->subprocess);
  g_cancellable_cancel (self->watch_cancellable);
  g_clear_object (&self->watch_cancellable);
  g_clear_object (&self->stdin_writer);
  g_clear_object (&self->stdout_reader);
  g_clear_object (&self->stderr_reader);
  g_clear_pointer (&self->stdout_data, g_byte_array_unref);
  g_clear_pointer (&self->stderr_data, g_byte_array_unref);
  g_clear_object (&self->subprocess);

  G_OBJECT_CLASS (coro_process_parent_class)->finalize (object);
}

static void
coro_process_class_init (CoroProcessClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = coro_process_finalize;
}

static void
coro_process_init (CoroProcess *self)
{
}

static void
process_set_exited (CoroProcess *self)
{
  CoroWaiter *waiter;

  if (self->exited)
    return;

  self->exited = TRUE;
  if (g_subprocess_get_if_signaled (self->subprocess))
    self->returncode = -g_subprocess_get_term_sig (self->subprocess);
  else
    self->returncode = g_subprocess_get_exit_status (self->subprocess);

  while ((waiter = coro_wait_list_pop (&self->waiters)) != NULL)
    coro_future_set_int (&waiter->parent, self->returncode, NULL);
}

/* The watch holds only a weak reference: the process must be free to go (and kill its
 * child) while the watch is pending. */
static void
process_watch_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GWeakRef *weak = user_data;
  CoroProcess *self = g_weak_ref_get (weak);

  g_weak_ref_clear (weak);
  g_free (weak);

  if (g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL) && self != NULL)
    process_set_exited (self);
  g_clear_object (&self);
}

/* GSubprocess leaves its ends of the pipes blocking, and GUnixOutputStream's "non-blocking"
 * write only polls first: a write larger than the room in the pipe would then block the
 * loop until the child has read all of it, while the child may be blocked writing to a
 * pipe the loop should be reading. Our ends are ours alone, so make them non-blocking. */
static gpointer
pipe_nonblocking (gpointer stream)
{
  int fd = G_IS_UNIX_INPUT_STREAM (stream) ? g_unix_input_stream_get_fd (stream)
                                           : g_unix_output_stream_get_fd (stream);

  g_unix_set_fd_nonblocking (fd, TRUE, NULL);
  return stream;
}

static CoroProcess *
process_new (GSubprocess *subprocess,
             int          pid)
{
  CoroProcess *self = g_object_new (CORO_TYPE_PROCESS, NULL);
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  self->subprocess = subprocess;
  self->pid = pid;
  if (g_subprocess_get_stdin_pipe (subprocess) != NULL)
    self->stdin_writer = coro_stream_writer_new (pipe_nonblocking (g_subprocess_get_stdin_pipe (subprocess)));
  if (g_subprocess_get_stdout_pipe (subprocess) != NULL)
    self->stdout_reader = coro_stream_reader_new (pipe_nonblocking (g_subprocess_get_stdout_pipe (subprocess)));
  if (g_subprocess_get_stderr_pipe (subprocess) != NULL)
    self->stderr_reader = coro_stream_reader_new (pipe_nonblocking (g_subprocess_get_stderr_pipe (subprocess)));
  self->watch_cancellable = g_cancellable_new ();
  g_weak_ref_init (weak, self);
  g_subprocess_wait_async (subprocess, self->watch_cancellable, process_watch_done, weak);
  return self;
}

/* Writing to a pipe whose reader is gone must fail with G_IO_ERROR_BROKEN_PIPE rather than
 * kill the program, as in Python (which ignores SIGPIPE at start-up) and as GSocket does
 * for sockets. A handler the program installed is left alone. */
static void
ignore_sigpipe (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      struct sigaction current;

      if (sigaction (SIGPIPE, NULL, &current) == 0 && current.sa_handler == SIG_DFL)
        signal (SIGPIPE, SIG_IGN);
      g_once_init_leave (&done, 1);
    }
}

/* In the child, between fork and exec: an ignored SIGPIPE would be inherited through exec,
 * so restore the default, as Python's subprocess does (restore_signals). The child also
 * writes its pid to a page shared with the parent: g_subprocess_get_identifier() is NULL
 * once GLib's worker has reaped the child, which a quick child can beat the spawning
 * thread to. */
static void
child_setup (gpointer user_data)
{
  signal (SIGPIPE, SIG_DFL);
  *(volatile int *) user_data = getpid ();
}

static GSubprocessFlags
stdio_flags (CoroSubprocessStdio stdin_mode,
             CoroSubprocessStdio stdout_mode,
             CoroSubprocessStdio stderr_mode)
{
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_NONE;

  switch (stdin_mode)
    {
    case CORO_SUBPROCESS_PIPE:
      flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
      break;
    case CORO_SUBPROCESS_INHERIT:
      flags |= G_SUBPROCESS_FLAGS_STDIN_INHERIT;
      break;
    case CORO_SUBPROCESS_DEVNULL:  /* GSubprocess's default */
    case CORO_SUBPROCESS_STDOUT:
    default:
      break;
    }

  switch (stdout_mode)
    {
    case CORO_SUBPROCESS_PIPE:
      flags |= G_SUBPROCESS_FLAGS_STDOUT_PIPE;
      break;
    case CORO_SUBPROCESS_DEVNULL:
      flags |= G_SUBPROCESS_FLAGS_STDOUT_SILENCE;
      break;
    case CORO_SUBPROCESS_INHERIT:  /* GSubprocess's default */
    case CORO_SUBPROCESS_STDOUT:
    default:
      break;
    }

  switch (stderr_mode)
    {
    case CORO_SUBPROCESS_PIPE:
      flags |= G_SUBPROCESS_FLAGS_STDERR_PIPE;
      break;
    case CORO_SUBPROCESS_DEVNULL:
      flags |= G_SUBPROCESS_FLAGS_STDERR_SILENCE;
      break;
    case CORO_SUBPROCESS_STDOUT:
      flags |= G_SUBPROCESS_FLAGS_STDERR_MERGE;
      break;
    case CORO_SUBPROCESS_INHERIT:  /* GSubprocess's default */
    default:
      break;
    }

  return flags;
}

/* @shared_pid: where child_setup() wrote the child's pid, or NULL */
static CoroProcess *
spawn (GSubprocessLauncher *launcher,
       const char * const  *argv,
       volatile int        *shared_pid,
       GError             **error)
{
  GSubprocess *subprocess;
  const char *identifier;
  int pid = 0;

  ignore_sigpipe ();
  subprocess = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (subprocess == NULL)
    return NULL;

  if (shared_pid != NULL)
    pid = *shared_pid;
  if (pid <= 0 && (identifier = g_subprocess_get_identifier (subprocess)) != NULL)
    pid = atoi (identifier);
  return process_new (subprocess, pid);
}

/**
 * coro_create_subprocess_exec:
 * @argv: (array zero-terminated=1): the program and its arguments; the program is looked
 *   up in `PATH` unless it contains a slash
 * @stdin_mode: where the child's standard input comes from
 * @stdout_mode: where its standard output goes
 * @stderr_mode: where its standard error goes; %CORO_SUBPROCESS_STDOUT sends it with the
 *   standard output
 * @error: return location for a #GError
 *
 * Starts a child process running @argv (asyncio's `create_subprocess_exec`). Each
 * %CORO_SUBPROCESS_PIPE mode gives the process a stream writer (standard input) or reader
 * (standard output and error).
 *
 * Unlike asyncio's, this is not a coroutine: GIO spawns synchronously, and a program that
 * cannot be run is reported here, as %G_SPAWN_ERROR (%G_SPAWN_ERROR_NOENT for a missing
 * executable), so there is nothing to await. The child's file descriptors other than the
 * three standard ones are closed, and SIGPIPE has its default action in the child; in
 * the parent SIGPIPE is ignored from the first spawn on (unless the program handles it),
 * so writing to a child that has exited fails with %G_IO_ERROR_BROKEN_PIPE.
 *
 * Use [func@Coro.create_subprocess_exec_with_launcher] to set the working directory or
 * the environment.
 *
 * Returns: (transfer full): the process, or %NULL with @error set
 *
 * Since: 1.0
 */
CoroProcess *
coro_create_subprocess_exec (const char * const  *argv,
                             CoroSubprocessStdio  stdin_mode,
                             CoroSubprocessStdio  stdout_mode,
                             CoroSubprocessStdio  stderr_mode,
                             GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  volatile int *shared_pid;
  CoroProcess *process;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (stdin_mode <= CORO_SUBPROCESS_DEVNULL, NULL);
  g_return_val_if_fail (stdout_mode <= CORO_SUBPROCESS_DEVNULL, NULL);
  g_return_val_if_fail (stderr_mode <= CORO_SUBPROCESS_STDOUT, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  shared_pid = mmap (NULL, sizeof (int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared_pid == MAP_FAILED)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot spawn %s: %s", argv[0], g_strerror (errsv));
      return NULL;
    }
  *shared_pid = 0;

  launcher = g_subprocess_launcher_new (stdio_flags (stdin_mode, stdout_mode, stderr_mode));
  g_subprocess_launcher_set_child_setup (launcher, child_setup, (gpointer) shared_pid, NULL);
  process = spawn (launcher, argv, shared_pid, error);
  munmap ((gpointer) shared_pid, sizeof (int));
  return process;
}

/**
 * coro_create_subprocess_shell:
 * @command: a shell command line
 * @stdin_mode: where the child's standard input comes from
 * @stdout_mode: where its standard output goes
 * @stderr_mode: where its standard error goes; %CORO_SUBPROCESS_STDOUT sends it with the
 *   standard output
 * @error: return location for a #GError
 *
 * Runs @command with `/bin/sh -c` (asyncio's `create_subprocess_shell`); otherwise like
 * [func@Coro.create_subprocess_exec]. A command the shell cannot find is not an error
 * here: the shell exits with status 127, as with asyncio. Quote what comes from outside
 * with g_shell_quote().
 *
 * Returns: (transfer full): the process, or %NULL with @error set
 *
 * Since: 1.0
 */
CoroProcess *
coro_create_subprocess_shell (const char          *command,
                              CoroSubprocessStdio  stdin_mode,
                              CoroSubprocessStdio  stdout_mode,
                              CoroSubprocessStdio  stderr_mode,
                              GError             **error)
{
  const char *argv[] = { "/bin/sh", "-c", command, NULL };

  g_return_val_if_fail (command != NULL, NULL);

  return coro_create_subprocess_exec (argv, stdin_mode, stdout_mode, stderr_mode, error);
}

/**
 * coro_create_subprocess_exec_with_launcher:
 * @launcher: a launcher set up by the caller: its flags choose the standard streams
 *   (`G_SUBPROCESS_FLAGS_STDOUT_PIPE` …), and it may set the working directory, the
 *   environment or file descriptors to pass
 * @argv: (array zero-terminated=1): the program and its arguments
 * @error: return location for a #GError
 *
 * Starts a child process from @launcher, for what [func@Coro.create_subprocess_exec]
 * does not cover (asyncio's `cwd=` and `env=`):
 *
 * ```c
 * g_autoptr(GSubprocessLauncher) launcher =
 *   g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
 * g_subprocess_launcher_set_cwd (launcher, "/tmp");
 * g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
 * proc = coro_create_subprocess_exec_with_launcher (launcher, argv, &error);
 * ```
 *
 * The launcher's child setup function is left as the caller set it, so the child inherits
 * the parent's disposition of SIGPIPE unless that function restores it, and a child that
 * exits at once may be reaped before its pid is read, leaving
 * [method@Coro.Process.get_pid] at 0.
 *
 * Returns: (transfer full): the process, or %NULL with @error set
 *
 * Since: 1.0
 */
CoroProcess *
coro_create_subprocess_exec_with_launcher (GSubprocessLauncher *launcher,
                                           const char * const  *argv,
                                           GError             **error)
{
  g_return_val_if_fail (G_IS_SUBPROCESS_LAUNCHER (launcher), NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return spawn (launcher, argv, NULL, error);
}

/**
 * coro_process_get_subprocess:
 * @process: a #CoroProcess
 *
 * Gives the #GSubprocess underneath, for what only GIO offers. Waiting on it or reading
 * its pipes directly bypasses the process's own readers and writers.
 *
 * Returns: (transfer none): the subprocess
 *
 * Since: 1.0
 */
GSubprocess *
coro_process_get_subprocess (CoroProcess *process)
{
  g_return_val_if_fail (CORO_IS_PROCESS (process), NULL);

  return process->subprocess;
}

/**
 * coro_process_get_pid:
 * @process: a #CoroProcess
 *
 * Gives the child's process id (asyncio's `pid`). It stays readable after the child has
 * exited, though the system may by then have given the number to another process.
 *
 * Returns: the process id
 *
 * Since: 1.0
 */
int
coro_process_get_pid (CoroProcess *process)
{
  g_return_val_if_fail (CORO_IS_PROCESS (process), 0);

  return process->pid;
}

/**
 * coro_process_get_returncode:
 * @process: a #CoroProcess
 * @returncode: (out) (optional): the exit status, or minus the number of the signal that
 *   killed the child; left untouched while the child runs
 *
 * Reads asyncio's `returncode`, which is `None` until the child has exited. The return
 * code is set as soon as the loop learns that the child exited, whether or not anybody
 * waits for it.
 *
 * Returns: %TRUE if the child has exited
 *
 * Since: 1.0
 */
gboolean
coro_process_get_returncode (CoroProcess *process,
                             int         *returncode)
{
  g_return_val_if_fail (CORO_IS_PROCESS (process), FALSE);

  if (process->exited && returncode != NULL)
    *returncode = process->returncode;
  return process->exited;
}

/**
 * coro_process_get_stdin:
 * @process: a #CoroProcess
 *
 * Gives the writer of the child's standard input (asyncio's `stdin`), if it is a pipe.
 * Closing it ([method@Coro.StreamWriter.close]) lets the child see the end of its input.
 *
 * Returns: (transfer none) (nullable): the writer, or %NULL unless the standard input is
 *   %CORO_SUBPROCESS_PIPE
 *
 * Since: 1.0
 */
CoroStreamWriter *
coro_process_get_stdin (CoroProcess *process)
{
  g_return_val_if_fail (CORO_IS_PROCESS (process), NULL);

  return process->stdin_writer;
}

/**
 * coro_process_get_stdout:
 * @process: a #CoroProcess
 *
 * Gives the reader of the child's standard output (asyncio's `stdout`), if it is a pipe.
 *
 * Returns: (transfer none) (nullable): the reader, or %NULL unless the standard output is
 *   %CORO_SUBPROCESS_PIPE
 *
 * Since: 1.0
 */
CoroStreamReader *
coro_process_get_stdout (CoroProcess *process)
{
  g_return_val_if_fail (CORO_IS_PROCESS (process), NULL);

  return process->stdout_reader;
}

/**
 * coro_process_get_stderr:
 * @process: a #CoroProcess
 *
 * Gives the reader of the child's standard error (asyncio's `stderr`), if it is a pipe.
 *
 * Returns: (transfer none) (nullable): the reader, or %NULL unless the standard error is
 *   %CORO_SUBPROCESS_PIPE
 *
 * Since: 1.0
 */
CoroStreamReader *
coro_process_get_stderr (CoroProcess *process)
{
  g_return_val_if_fail (CORO_IS_PROCESS (process), NULL);

  return process->stderr_reader;
}

static const CoroWaiterOps process_waiter_ops = {
  .name = "Process.wait",
};

/**
 * coro_process_wait:
 * @process: a #CoroProcess
 *
 * Waits for the child to exit (asyncio's `wait`). The future holds a reference on
 * @process, so the child is not killed while somebody waits for it. Cancelling the
 * future stops waiting; the child runs on.
 *
 * As in asyncio, a child writing to a pipe that nobody reads may block forever once the
 * pipe is full; read the pipes, or use [method@Coro.Process.communicate].
 *
 * Returns: (transfer full): a future of the return code (an int), done at once if the
 *   child has already exited
 *
 * Since: 1.0
 */
CoroFuture *
coro_process_wait (CoroProcess *process)
{
  CoroLoop *loop;
  CoroFuture *future;

  g_return_val_if_fail (CORO_IS_PROCESS (process), NULL);

  loop = coro_loop_get_current ();
  if (!process->exited)
    return &coro_waiter_new (loop, &process_waiter_ops, process, &process->waiters)->parent;

  future = coro_future_new_for_loop (loop);
  coro_future_set_int (future, process->returncode, NULL);
  return future;
}

/* wait_with_timeout: wait_for (wait ()), then kill and reap on timeout */

/* The timeout helpers: asyncio's `wait_for (op, t)`, and on timeout `kill ()` and
 * `wait ()` before the TimeoutError, for the wait and the communicate alike. */
typedef CoroFuture *(*ProcessOp) (CoroProcess *process,
                                  GBytes      *input);

typedef struct
{
  CoroProcess *process; /* owned, released by a defer */
  GBytes      *input;   /* the communicate's; owned, released by a defer */
  ProcessOp    op;
  double       timeout;
  const char  *what;    /* "exit", "finish": for the error message */
} KillOnTimeout;

static void kill_on_timeout_checked (CoroTask *task,
                                     gpointer  frame);
static void kill_on_timeout_reaped  (CoroTask *task,
                                     gpointer  frame);

static void
kill_on_timeout_start (CoroTask *task,
                       gpointer  frame)
{
  KillOnTimeout *f = frame;

  coro_await_catch (task, coro_wait_for (f->op (f->process, f->input), f->timeout),
                    kill_on_timeout_checked);
}

static void
kill_on_timeout_checked (CoroTask *task,
                         gpointer  frame)
{
  KillOnTimeout *f = frame;
  CoroFuture *done = coro_task_get_awaited (task);
  const GError *error = coro_future_get_error (done);

  if (error == NULL)
    {
      coro_task_return_future (task, coro_future_ref (done));
      return;
    }
  if (!g_error_matches (error, CORO_ERROR, CORO_ERROR_TIMEOUT))
    {
      coro_task_return_error (task, g_error_copy (error));
      return;
    }

  coro_process_kill (f->process, NULL);
  coro_await (task, coro_process_wait (f->process), kill_on_timeout_reaped);
}

static void
kill_on_timeout_reaped (CoroTask *task,
                        gpointer  frame)
{
  KillOnTimeout *f = frame;

  coro_task_return_new_error (task, CORO_ERROR, CORO_ERROR_TIMEOUT,
                              "Process %d did not %s within %g s and was killed",
                              f->process->pid, f->what, f->timeout);
}

static void
input_unref (gpointer data)
{
  g_bytes_unref (data);
}

static CoroFuture *
kill_on_timeout (CoroProcess *process,
                 GBytes      *input,
                 ProcessOp    op,
                 double       timeout,
                 const char  *what,
                 const char  *name)
{
  CoroTask *task = CORO_TASK_NEW (kill_on_timeout_start, KillOnTimeout,
                                  .process = process, .input = input, .op = op,
                                  .timeout = timeout, .what = what);

  if (name != NULL)
    coro_task_set_name (task, name);
  coro_task_defer (task, g_object_unref, g_object_ref (process));
  if (input != NULL)
    coro_task_defer (task, input_unref, g_bytes_ref (input));
  coro_task_start (task);
  return CORO_FUTURE (task);
}

static CoroFuture *
op_wait (CoroProcess *process,
         GBytes      *input)
{
  return coro_process_wait (process);
}

/**
 * coro_process_wait_with_timeout:
 * @process: a #CoroProcess
 * @timeout: seconds to wait
 *
 * Waits for the child to exit, for at most @timeout seconds; then kills it (SIGKILL),
 * waits until it is reaped, and fails with %CORO_ERROR_TIMEOUT. It is asyncio's
 *
 * ```python
 * try:
 *     await asyncio.wait_for (proc.wait (), timeout)
 * except TimeoutError:
 *     proc.kill ()
 *     await proc.wait ()
 *     raise
 * ```
 *
 * When the future is done the child is gone, and [method@Coro.Process.get_returncode]
 * gives `-SIGKILL` after a timeout. Cancelling the future stops waiting without killing
 * the child (once the kill is sent, the child is reaped anyway).
 *
 * Returns: (transfer full): a future of the return code (an int)
 *
 * Since: 1.0
 */
CoroFuture *
coro_process_wait_with_timeout (CoroProcess *process,
                                double       timeout)
{
  g_return_val_if_fail (CORO_IS_PROCESS (process), NULL);

  return kill_on_timeout (process, NULL, op_wait, timeout, "exit", NULL);
}

/* communicate: feed stdin, read stdout and stderr to their ends, all at once (so a child
 * that fills one pipe while we write the other cannot deadlock), then wait for the exit. */

#define COMMUNICATE_NAME "coro_process_communicate"
#define COMMUNICATE_TIMEOUT_NAME "coro_process_communicate_with_timeout"
#define READ_CHUNK (64 * 1024)

typedef struct
{
  GBytes *stdout_data;
  GBytes *stderr_data;
} Output;

static void
output_free (gpointer data)
{
  Output *output = data;

  g_clear_pointer (&output->stdout_data, g_bytes_unref);
  g_clear_pointer (&output->stderr_data, g_bytes_unref);
  g_free (output);
}

/* The child is gone or has closed its input: what asyncio's _feed_stdin ignores
 * (BrokenPipeError, ConnectionResetError), and a writer the caller closed already. */
static gboolean
is_closed_pipe_error (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

typedef struct
{
  CoroProcess *process;
  GBytes      *input;
} Feed;

static void feed_drained (CoroTask *task,
                          gpointer  frame);
static void feed_closed  (CoroTask *task,
                          gpointer  frame);

static void
feed_start (CoroTask *task,
            gpointer  frame)
{
  Feed *f = frame;
  CoroProcess *self = f->process;

  /* A communicate that continues a cancelled one does not write its input again: the
   * writer still holds what the first one could not write yet. */
  if (f->input != NULL && !self->input_written && g_bytes_get_size (f->input) > 0)
    {
      g_autoptr(GError) error = NULL;

      if (!coro_stream_writer_write_bytes (self->stdin_writer, f->input, &error) &&
          !is_closed_pipe_error (error))
        {
          coro_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  self->input_written = TRUE;
  coro_await_catch (task, coro_stream_writer_drain (self->stdin_writer), feed_drained);
}

static void
feed_drained (CoroTask *task,
              gpointer  frame)
{
  Feed *f = frame;
  const GError *error = coro_future_get_error (coro_task_get_awaited (task));

  if (error != NULL && !is_closed_pipe_error (error))
    {
      coro_task_return_error (task, g_error_copy (error));
      return;
    }
  coro_stream_writer_close (f->process->stdin_writer);
  coro_await_catch (task, coro_stream_writer_wait_closed (f->process->stdin_writer), feed_closed);
}

static void
feed_closed (CoroTask *task,
             gpointer  frame)
{
  const GError *error = coro_future_get_error (coro_task_get_awaited (task));

  if (error != NULL && !is_closed_pipe_error (error))
    coro_task_return_error (task, g_error_copy (error));
  else
    coro_task_return (task);
}

typedef struct
{
  CoroProcess      *process;
  CoroStreamReader *reader;
  GByteArray       *data;
} ReadAll;

static void read_all_got (CoroTask *task,
                          gpointer  frame);

/* Reads in chunks, each appended as it comes: when the read is cancelled, everything read
 * so far is in @data, and the reader keeps what it had buffered for the next read. */
static void
read_all_next (CoroTask *task,
               gpointer  frame)
{
  ReadAll *f = frame;

  coro_await (task, coro_stream_reader_read (f->reader, READ_CHUNK), read_all_got);
}

static void
read_all_got (CoroTask *task,
              gpointer  frame)
{
  ReadAll *f = frame;
  GBytes *chunk = coro_future_get_bytes (coro_task_get_awaited (task), NULL);
  gsize size;
  gconstpointer data = g_bytes_get_data (chunk, &size);

  if (size == 0)
    {
      coro_task_return (task);
      return;
    }
  g_byte_array_append (f->data, data, size);
  read_all_next (task, frame);
}

static CoroFuture *
start_subtask (CoroProcess *self,
               CoroStep     step,
               gconstpointer frame,
               gsize        frame_size)
{
  CoroTask *task = coro_create_task (step, frame, frame_size);

  coro_task_defer (task, g_object_unref, g_object_ref (self));
  return CORO_FUTURE (task);
}

static CoroFuture *
read_all (CoroProcess       *self,
          CoroStreamReader  *reader,
          GByteArray       **data)
{
  CoroFuture *task;

  if (reader == NULL)
    return coro_future_new_done (coro_loop_get_current ());

  if (*data == NULL)
    *data = g_byte_array_new ();
  task = start_subtask (self, read_all_next,
                        &(ReadAll) { .process = self, .reader = reader, .data = *data },
                        sizeof (ReadAll));
  coro_task_defer ((CoroTask *) task, (GDestroyNotify) g_byte_array_unref, g_byte_array_ref (*data));
  return task;
}

typedef struct
{
  CoroProcess *process;
  GBytes      *input;
} Communicate;

static void communicate_gathered (CoroTask *task,
                                  gpointer  frame);
static void communicate_exited   (CoroTask *task,
                                  gpointer  frame);

static void
communicate_release (gpointer data)
{
  CORO_PROCESS (data)->communicating = FALSE;
}

static void
communicate_start (CoroTask *task,
                   gpointer  frame)
{
  Communicate *f = frame;
  CoroProcess *self = f->process;
  CoroFuture *parts[3];

  if (self->communicating)
    {
      coro_task_return_new_error (task, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                                  "Another communicate() with process %d is running",
                                  self->pid);
      return;
    }
  self->communicating = TRUE;
  coro_task_defer (task, communicate_release, self);

  if (self->stdin_writer != NULL)
    {
      parts[0] = start_subtask (self, feed_start,
                                &(Feed) { .process = self, .input = f->input }, sizeof (Feed));
      if (f->input != NULL)
        coro_task_defer ((CoroTask *) parts[0], input_unref, g_bytes_ref (f->input));
    }
  else
    parts[0] = coro_future_new_done (coro_loop_get_current ());
  parts[1] = read_all (self, self->stdout_reader, &self->stdout_data);
  parts[2] = read_all (self, self->stderr_reader, &self->stderr_data);

  /* A failed part cancels the others, so no orphan keeps reading into the buffers. */
  coro_await (task, coro_gatherv (parts, 3, CORO_GATHER_CANCEL_ON_ERROR), communicate_gathered);
  for (guint i = 0; i < 3; i++)
    coro_future_unref (parts[i]);
}

static void
communicate_gathered (CoroTask *task,
                      gpointer  frame)
{
  Communicate *f = frame;

  coro_await (task, coro_process_wait (f->process), communicate_exited);
}

static GBytes *
take_data (CoroStreamReader  *reader,
           GByteArray       **data)
{
  if (reader == NULL)
    return NULL;
  if (*data == NULL)
    return g_bytes_new (NULL, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (data));
}

static void
communicate_exited (CoroTask *task,
                    gpointer  frame)
{
  Communicate *f = frame;
  CoroProcess *self = f->process;
  Output *output = g_new0 (Output, 1);

  output->stdout_data = take_data (self->stdout_reader, &self->stdout_data);
  output->stderr_data = take_data (self->stderr_reader, &self->stderr_data);
  coro_task_return_pointer (task, output, output_free);
}

/**
 * coro_process_communicate:
 * @process: a #CoroProcess
 * @input: (nullable): bytes to write to the child's standard input, or %NULL
 *
 * Interacts with the child (asyncio's `communicate`): writes @input to its standard
 * input and closes it, reads its standard output and error until they end, and waits
 * for it to exit, all at the same time, so a child that writes much to both pipes while
 * reading much from its input cannot deadlock. Read the outcome with
 * [method@Coro.Process.communicate_finish]:
 *
 * ```c
 * // out, err = await proc.communicate (b'input')
 * coro_await (task, coro_process_communicate (proc, input), got_output);
 * ...
 * static void
 * got_output (CoroTask *task, gpointer frame)
 * {
 *   g_autoptr(GBytes) out = NULL, err = NULL;
 *
 *   coro_process_communicate_finish (proc, coro_task_get_awaited (task), &out, &err, NULL);
 * }
 * ```
 *
 * @input is written only if the standard input is a pipe; a child that exits or closes
 * its input before reading all of it is not an error (asyncio ignores
 * `BrokenPipeError`). Only one communicate may run at a time: a second one fails with
 * %CORO_ERROR_INVALID_STATE.
 *
 * Cancelling it (or a timeout, see [method@Coro.Process.communicate_with_timeout]) keeps
 * the output read so far in the process, beyond asyncio, where it is lost:
 * [method@Coro.Process.get_partial_output] shows it, and the next communicate goes on
 * from there (without writing its input again) and returns all of the output, as
 * Python's `Popen.communicate` does after a `TimeoutExpired`. The child is not killed by
 * the cancellation.
 *
 * Returns: (transfer full): a future, for [method@Coro.Process.communicate_finish]
 *
 * Since: 1.0
 */
CoroFuture *
coro_process_communicate (CoroProcess *process,
                          GBytes      *input)
{
  CoroTask *task;

  g_return_val_if_fail (CORO_IS_PROCESS (process), NULL);

  task = CORO_TASK_NEW (communicate_start, Communicate, .process = process, .input = input);
  coro_task_set_name (task, COMMUNICATE_NAME);
  coro_task_defer (task, g_object_unref, g_object_ref (process));
  if (input != NULL)
    coro_task_defer (task, input_unref, g_bytes_ref (input));
  coro_task_start (task);
  return CORO_FUTURE (task);
}

static CoroFuture *
op_communicate (CoroProcess *process,
                GBytes      *input)
{
  return coro_process_communicate (process, input);
}

/**
 * coro_process_communicate_with_timeout:
 * @process: a #CoroProcess
 * @input: (nullable): bytes to write to the child's standard input, or %NULL
 * @timeout: seconds to allow
 *
 * Like [method@Coro.Process.communicate], for at most @timeout seconds. When the time is
 * up, the communicate is cancelled, the child is killed (SIGKILL) and reaped, and the
 * future fails with %CORO_ERROR_TIMEOUT: asyncio's
 *
 * ```python
 * try:
 *     out, err = await asyncio.wait_for (proc.communicate (input), timeout)
 * except TimeoutError:
 *     proc.kill ()
 *     await proc.wait ()
 *     raise
 * ```
 *
 * The output read before the timeout is kept, as with a cancelled communicate:
 * [method@Coro.Process.get_partial_output] gives it, and a following
 * [method@Coro.Process.communicate] returns it together with what the child wrote
 * before it died (Python's `Popen` pattern: kill, then communicate again).
 *
 * Returns: (transfer full): a future, for [method@Coro.Process.communicate_finish]
 *
 * Since: 1.0
 */
CoroFuture *
coro_process_communicate_with_timeout (CoroProcess *process,
                                       GBytes      *input,
                                       double       timeout)
{
  g_return_val_if_fail (CORO_IS_PROCESS (process), NULL);

  return kill_on_timeout (process, input, op_communicate, timeout, "finish",
                          COMMUNICATE_TIMEOUT_NAME);
}

/**
 * coro_process_communicate_finish:
 * @process: a #CoroProcess
 * @future: a done future returned by [method@Coro.Process.communicate] or
 *   [method@Coro.Process.communicate_with_timeout] for @process
 * @stdout_data: (out) (optional) (transfer full) (nullable): the child's whole standard
 *   output, or %NULL unless it is %CORO_SUBPROCESS_PIPE
 * @stderr_data: (out) (optional) (transfer full) (nullable): the child's whole standard
 *   error, or %NULL unless it is %CORO_SUBPROCESS_PIPE
 * @error: return location for the communicate's error
 *
 * Reads the outcome of a communicate: asyncio's `(stdout, stderr)` pair. On failure the
 * out arguments are left alone; the output read before the failure is given by
 * [method@Coro.Process.get_partial_output].
 *
 * Returns: (skip): %TRUE on success, %FALSE with @error set if the communicate failed or
 *   was cancelled (%CORO_ERROR_CANCELLED), timed out (%CORO_ERROR_TIMEOUT) or is still
 *   pending (%CORO_ERROR_INVALID_STATE)
 *
 * Since: 1.0
 */
gboolean
coro_process_communicate_finish (CoroProcess  *process,
                                 CoroFuture   *future,
                                 GBytes      **stdout_data,
                                 GBytes      **stderr_data,
                                 GError      **error)
{
  Output *output;
  const char *name;

  g_return_val_if_fail (CORO_IS_PROCESS (process), FALSE);
  g_return_val_if_fail (future != NULL && coro_future_is_task (future), FALSE);
  name = coro_task_get_name ((CoroTask *) future);
  g_return_val_if_fail (g_str_equal (name, COMMUNICATE_NAME) ||
                        g_str_equal (name, COMMUNICATE_TIMEOUT_NAME), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  output = coro_future_get_pointer (future, error);
  if (output == NULL)
    return FALSE;

  if (stdout_data != NULL)
    *stdout_data = output->stdout_data != NULL ? g_bytes_ref (output->stdout_data) : NULL;
  if (stderr_data != NULL)
    *stderr_data = output->stderr_data != NULL ? g_bytes_ref (output->stderr_data) : NULL;
  return TRUE;
}

static GBytes *
copy_data (CoroStreamReader *reader,
           GByteArray       *data)
{
  if (reader == NULL)
    return NULL;
  if (data == NULL)
    return g_bytes_new (NULL, 0);
  return g_bytes_new (data->data, data->len);
}

/**
 * coro_process_get_partial_output:
 * @process: a #CoroProcess
 * @stdout_data: (out) (optional) (transfer full) (nullable): the standard output read so
 *   far, or %NULL unless it is %CORO_SUBPROCESS_PIPE
 * @stderr_data: (out) (optional) (transfer full) (nullable): the standard error read so
 *   far, or %NULL unless it is %CORO_SUBPROCESS_PIPE
 *
 * Gives the output that a running, cancelled, failed or timed-out communicate has read
 * and kept for the next one. It is empty once a communicate has succeeded and returned
 * it.
 *
 * Since: 1.0
 */
void
coro_process_get_partial_output (CoroProcess  *process,
                                 GBytes      **stdout_data,
                                 GBytes      **stderr_data)
{
  g_return_if_fail (CORO_IS_PROCESS (process));

  if (stdout_data != NULL)
    *stdout_data = copy_data (process->stdout_reader, process->stdout_data);
  if (stderr_data != NULL)
    *stderr_data = copy_data (process->stderr_reader, process->stderr_data);
}

/**
 * coro_process_send_signal:
 * @process: a #CoroProcess
 * @signum: a signal number, such as `SIGINT`
 * @error: return location for a #GError
 *
 * Sends @signum to the child (asyncio's `send_signal`). A child that has exited but not
 * been seen to exit yet is not signalled (its process id may be in use by another
 * process), and this succeeds.
 *
 * Returns: %TRUE on success; %FALSE with %G_IO_ERROR_NOT_FOUND if the child has already
 *   exited (asyncio's `ProcessLookupError`)
 *
 * Since: 1.0
 */
gboolean
coro_process_send_signal (CoroProcess  *process,
                          int           signum,
                          GError      **error)
{
  g_return_val_if_fail (CORO_IS_PROCESS (process), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (process->exited)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "Process %d has already exited", process->pid);
      return FALSE;
    }
  g_subprocess_send_signal (process->subprocess, signum);
  return TRUE;
}

/**
 * coro_process_terminate:
 * @process: a #CoroProcess
 * @error: return location for a #GError
 *
 * Sends SIGTERM to the child (asyncio's `terminate`); see
 * [method@Coro.Process.send_signal].
 *
 * Returns: %TRUE on success; %FALSE with %G_IO_ERROR_NOT_FOUND if the child has already
 *   exited
 *
 * Since: 1.0
 */
gboolean
coro_process_terminate (CoroProcess  *process,
                        GError      **error)
{
  return coro_process_send_signal (process, SIGTERM, error);
}

/**
 * coro_process_kill:
 * @process: a #CoroProcess
 * @error: return location for a #GError
 *
 * Sends SIGKILL to the child (asyncio's `kill`); see [method@Coro.Process.send_signal].
 *
 * Returns: %TRUE on success; %FALSE with %G_IO_ERROR_NOT_FOUND if the child has already
 *   exited
 *
 * Since: 1.0
 */
gboolean
coro_process_kill (CoroProcess  *process,
                   GError      **error)
{
  return coro_process_send_signal (process, SIGKILL, error);
}
