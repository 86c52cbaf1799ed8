/* subprocess-date.c: the asyncio documentation's subprocess example
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * From the Subprocesses page of the asyncio docs:
 *
 *     async def get_date():
 *         code = 'import datetime; print(datetime.datetime.now())'
 *
 *         # Create the subprocess; redirect the standard output
 *         # into a pipe.
 *         proc = await asyncio.create_subprocess_exec(
 *             sys.executable, '-c', code,
 *             stdout=asyncio.subprocess.PIPE)
 *
 *         # Read one line of output.
 *         data = await proc.stdout.readline()
 *         line = data.decode('ascii').rstrip()
 *
 *         # Wait for the subprocess exit.
 *         await proc.wait()
 *         return line
 *
 *     date = asyncio.run(get_date())
 *     print(f"Current date: {date}")
 *
 * It prints one line, such as `Current date: 2026-11-25 07:00:00.123456`. The child is
 * `python3` from PATH, as `sys.executable` is the docs' Python.
 */
#include <coro.h>
#include <stdio.h>

/* async def get_date(): */
typedef struct
{
  CoroProcess *proc;
  char        *line;
} GetDate;

static void get_date_read (CoroTask *task, gpointer frame);
static void get_date_done (CoroTask *task, gpointer frame);

static void
get_date_free (gpointer data)
{
  GetDate *self = data;

  g_clear_object (&self->proc);
  g_free (self->line);
}

static void
get_date (CoroTask *task,
          gpointer  frame)
{
  GetDate *self = frame;
  const char *argv[] = {
    "python3", "-c", "import datetime; print(datetime.datetime.now())", NULL
  };
  GError *error = NULL;

  coro_task_defer (task, get_date_free, self);
  /* proc = await asyncio.create_subprocess_exec(sys.executable, '-c', code,
   *                                             stdout=asyncio.subprocess.PIPE) */
  self->proc = coro_create_subprocess_exec (argv, CORO_SUBPROCESS_INHERIT, CORO_SUBPROCESS_PIPE,
                                            CORO_SUBPROCESS_INHERIT, &error);
  if (self->proc == NULL)
    {
      coro_task_return_error (task, error);
      return;
    }
  /* data = await proc.stdout.readline() */
  coro_await (task, coro_stream_reader_readline (coro_process_get_stdout (self->proc)),
              get_date_read);
}

static void
get_date_read (CoroTask *task,
               gpointer  frame)
{
  GetDate *self = frame;
  GBytes *data = coro_future_get_bytes (coro_task_get_awaited (task), NULL);
  gsize size;
  const char *chars = g_bytes_get_data (data, &size);

  /* line = data.decode('ascii').rstrip() */
  self->line = g_strchomp (g_strndup (chars, size));
  /* await proc.wait() */
  coro_await (task, coro_process_wait (self->proc), get_date_done);
}

static void
get_date_done (CoroTask *task,
               gpointer  frame)
{
  GetDate *self = frame;

  coro_task_return_string (task, self->line);       /* return line */
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  CoroTask *task = CORO_CREATE_TASK (get_date, GetDate);

  /* date = asyncio.run(get_date()) */
  if (!coro_run (coro_future_ref (CORO_FUTURE (task)), &error))
    {
      g_printerr ("subprocess-date: %s\n", error->message);
      coro_future_unref (CORO_FUTURE (task));
      return 1;
    }
  /* print(f"Current date: {date}") */
  printf ("Current date: %s\n", coro_future_get_string (CORO_FUTURE (task), NULL));
  coro_future_unref (CORO_FUTURE (task));
  return 0;
}
