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

static CoroProcess *
process_new (GSubprocess *subprocess,
             int          pid)
{
  CoroProcess *self = g_object_new (CORO_TYPE_PROCESS, NULL);
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  self->subprocess = subprocess;
  self->pid = pid;
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
 * pipe is full; read the pipes, or use `communicate`.
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

typedef struct
{
  CoroProcess *process;
  double       timeout;
} WaitTimeout;

static void wait_timeout_checked (CoroTask *task,
                                  gpointer  frame);
static void wait_timeout_reaped  (CoroTask *task,
                                  gpointer  frame);

static void
wait_timeout_start (CoroTask *task,
                    gpointer  frame)
{
  WaitTimeout *f = frame;

  coro_await_catch (task, coro_wait_for (coro_process_wait (f->process), f->timeout),
                    wait_timeout_checked);
}

static void
wait_timeout_checked (CoroTask *task,
                      gpointer  frame)
{
  WaitTimeout *f = frame;
  CoroFuture *waited = coro_task_get_awaited (task);
  const GError *error = coro_future_get_error (waited);

  if (error == NULL)
    {
      coro_task_return_int (task, coro_future_get_int (waited, NULL));
      return;
    }
  if (!g_error_matches (error, CORO_ERROR, CORO_ERROR_TIMEOUT))
    {
      coro_task_return_error (task, g_error_copy (error));
      return;
    }

  coro_process_kill (f->process, NULL);
  coro_await (task, coro_process_wait (f->process), wait_timeout_reaped);
}

static void
wait_timeout_reaped (CoroTask *task,
                     gpointer  frame)
{
  WaitTimeout *f = frame;

  coro_task_return_new_error (task, CORO_ERROR, CORO_ERROR_TIMEOUT,
                              "Process %d did not exit within %g s and was killed",
                              f->process->pid, f->timeout);
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
  CoroTask *task;

  g_return_val_if_fail (CORO_IS_PROCESS (process), NULL);

  task = CORO_CREATE_TASK (wait_timeout_start, WaitTimeout,
                           .process = g_object_ref (process), .timeout = timeout);
  coro_task_defer (task, g_object_unref, process);
  return CORO_FUTURE (task);
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
