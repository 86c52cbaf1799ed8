/* subprocess-pipe.c: talking to a running child through its pipes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Feeds `cat` one line at a time and reads each line back while cat runs, then closes
 * its input and waits for it to exit:
 *
 *     async def main():
 *         proc = await asyncio.create_subprocess_exec(
 *             'cat', stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
 *         for word in ('one', 'two', 'three'):
 *             proc.stdin.write(f'line {word}\n'.encode())
 *             await proc.stdin.drain()
 *             line = await proc.stdout.readline()
 *             print(f'cat echoed: {line.decode().rstrip()}')
 *         proc.stdin.close()
 *         rest = await proc.stdout.read()
 *         print(f'then {len(rest)} more bytes')
 *         print(f'cat exited with {await proc.wait()}')
 */
#include <coro.h>
#include <stdio.h>
#include <string.h>

static const char * const words[] = { "one", "two", "three" };

typedef struct
{
  CoroProcess *proc;
  guint        i;
} Main;

static void main_drained (CoroTask *task, gpointer frame);
static void main_echoed  (CoroTask *task, gpointer frame);
static void main_rest    (CoroTask *task, gpointer frame);
static void main_exited  (CoroTask *task, gpointer frame);

static void
main_free (gpointer data)
{
  g_clear_object (&((Main *) data)->proc);
}

static void
main_send (CoroTask *task,
           gpointer  frame)
{
  Main *self = frame;
  CoroStreamWriter *in = coro_process_get_stdin (self->proc);
  g_autofree char *line = NULL;
  GError *error = NULL;

  if (self->i == G_N_ELEMENTS (words))
    {
      coro_stream_writer_close (in);                           /* proc.stdin.close() */
      /* rest = await proc.stdout.read() */
      coro_await (task, coro_stream_reader_read (coro_process_get_stdout (self->proc), -1),
                  main_rest);
      return;
    }

  line = g_strdup_printf ("line %s\n", words[self->i]);
  /* proc.stdin.write(f'line {word}\n'.encode()) */
  if (!coro_stream_writer_write (in, (const guint8 *) line, strlen (line), &error))
    {
      coro_task_return_error (task, error);
      return;
    }
  coro_await (task, coro_stream_writer_drain (in), main_drained);   /* await drain() */
}

static void
main_drained (CoroTask *task,
              gpointer  frame)
{
  Main *self = frame;

  /* line = await proc.stdout.readline() */
  coro_await (task, coro_stream_reader_readline (coro_process_get_stdout (self->proc)),
              main_echoed);
}

static void
main_echoed (CoroTask *task,
             gpointer  frame)
{
  Main *self = frame;
  GBytes *line = coro_future_get_bytes (coro_task_get_awaited (task), NULL);
  gsize size;
  const char *chars = g_bytes_get_data (line, &size);

  /* print(f'cat echoed: {line.decode().rstrip()}') */
  printf ("cat echoed: %.*s\n", (int) (size > 0 && chars[size - 1] == '\n' ? size - 1 : size), chars);
  self->i++;
  main_send (task, frame);
}

static void
main_rest (CoroTask *task,
           gpointer  frame)
{
  Main *self = frame;
  GBytes *rest = coro_future_get_bytes (coro_task_get_awaited (task), NULL);

  printf ("then %" G_GSIZE_FORMAT " more bytes\n", g_bytes_get_size (rest));
  coro_await (task, coro_process_wait (self->proc), main_exited);   /* await proc.wait() */
}

static void
main_exited (CoroTask *task,
             gpointer  frame)
{
  /* print(f'cat exited with {await proc.wait()}') */
  printf ("cat exited with %" G_GINT64_FORMAT "\n",
          coro_future_get_int (coro_task_get_awaited (task), NULL));
  coro_task_return (task);
}

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  Main *self = frame;
  const char *argv[] = { "cat", NULL };
  GError *error = NULL;

  coro_task_defer (task, main_free, self);
  /* proc = await asyncio.create_subprocess_exec('cat', stdin=PIPE, stdout=PIPE) */
  self->proc = coro_create_subprocess_exec (argv, CORO_SUBPROCESS_PIPE, CORO_SUBPROCESS_PIPE,
                                            CORO_SUBPROCESS_INHERIT, &error);
  if (self->proc == NULL)
    {
      coro_task_return_error (task, error);
      return;
    }
  main_send (task, frame);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_start, Main)), &error))
    {
      g_printerr ("subprocess-pipe: %s\n", error->message);
      return 1;
    }
  return 0;
}
