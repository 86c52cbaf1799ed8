/* coro-subprocess.h: child processes with asyncio's semantics, on GSubprocess
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(CORO_INSIDE) && !defined(CORO_COMPILATION)
# error "Only <coro.h> can be included directly."
#endif

#include <gio/gio.h>

#include "coro-future.h"
#include "coro-streams.h"
#include "coro-types.h"
#include "coro-version.h"

G_BEGIN_DECLS

/**
 * CoroSubprocessStdio:
 * @CORO_SUBPROCESS_INHERIT: the child shares the parent's stream (asyncio's `None`, the
 *   default).
 * @CORO_SUBPROCESS_PIPE: a pipe to the parent, read or written through a stream reader or
 *   writer of the [class@Coro.Process] (asyncio's `PIPE`).
 * @CORO_SUBPROCESS_DEVNULL: `/dev/null` (asyncio's `DEVNULL`).
 * @CORO_SUBPROCESS_STDOUT: for standard error only: the same place as standard output
 *   (asyncio's `STDOUT`).
 *
 * Where a child's standard input, output or error goes.
 *
 * Since: 1.0
 */
typedef enum
{
  CORO_SUBPROCESS_INHERIT,
  CORO_SUBPROCESS_PIPE,
  CORO_SUBPROCESS_DEVNULL,
  CORO_SUBPROCESS_STDOUT,
} CoroSubprocessStdio;

#define CORO_TYPE_PROCESS (coro_process_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroProcess, coro_process, CORO, PROCESS, GObject)

CORO_AVAILABLE_IN_ALL
CoroProcess *coro_create_subprocess_exec  (const char * const  *argv,
                                           CoroSubprocessStdio  stdin_mode,
                                           CoroSubprocessStdio  stdout_mode,
                                           CoroSubprocessStdio  stderr_mode,
                                           GError             **error);
CORO_AVAILABLE_IN_ALL
CoroProcess *coro_create_subprocess_shell (const char          *command,
                                           CoroSubprocessStdio  stdin_mode,
                                           CoroSubprocessStdio  stdout_mode,
                                           CoroSubprocessStdio  stderr_mode,
                                           GError             **error);
CORO_AVAILABLE_IN_ALL
CoroProcess *coro_create_subprocess_exec_with_launcher (GSubprocessLauncher *launcher,
                                                        const char * const  *argv,
                                                        GError             **error);

CORO_AVAILABLE_IN_ALL
GSubprocess *coro_process_get_subprocess  (CoroProcess         *process);
CORO_AVAILABLE_IN_ALL
int          coro_process_get_pid         (CoroProcess         *process);
CORO_AVAILABLE_IN_ALL
gboolean     coro_process_get_returncode  (CoroProcess         *process,
                                           int                 *returncode);

CORO_AVAILABLE_IN_ALL
CoroStreamWriter *coro_process_get_stdin  (CoroProcess         *process);
CORO_AVAILABLE_IN_ALL
CoroStreamReader *coro_process_get_stdout (CoroProcess         *process);
CORO_AVAILABLE_IN_ALL
CoroStreamReader *coro_process_get_stderr (CoroProcess         *process);

CORO_AVAILABLE_IN_ALL
CoroFuture  *coro_process_wait            (CoroProcess         *process) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture  *coro_process_wait_with_timeout (CoroProcess       *process,
                                             double             timeout) G_GNUC_WARN_UNUSED_RESULT;

CORO_AVAILABLE_IN_ALL
CoroFuture  *coro_process_communicate     (CoroProcess         *process,
                                           GBytes              *input) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture  *coro_process_communicate_with_timeout (CoroProcess  *process,
                                                    GBytes       *input,
                                                    double        timeout) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
gboolean     coro_process_communicate_finish (CoroProcess      *process,
                                              CoroFuture       *future,
                                              GBytes          **stdout_data,
                                              GBytes          **stderr_data,
                                              GError          **error);
CORO_AVAILABLE_IN_ALL
void         coro_process_get_partial_output (CoroProcess      *process,
                                              GBytes          **stdout_data,
                                              GBytes          **stderr_data);

CORO_AVAILABLE_IN_ALL
gboolean     coro_process_send_signal     (CoroProcess         *process,
                                           int                  signum,
                                           GError             **error);
CORO_AVAILABLE_IN_ALL
gboolean     coro_process_terminate       (CoroProcess         *process,
                                           GError             **error);
CORO_AVAILABLE_IN_ALL
gboolean     coro_process_kill            (CoroProcess         *process,
                                           GError             **error);

G_END_DECLS
