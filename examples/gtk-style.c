/* gtk-style.c: a coroutine in a GLib main-loop program that never calls coro_run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GTK applications own their main loop (g_application_run, gtk_main, a GMainLoop).
 * Coro runs on that loop's GMainContext: a task created from any GLib callback is
 * scheduled there, and a done callback reports its result back to the application,
 * here by quitting the loop.
 */
#include <coro.h>
#include <stdio.h>

typedef struct
{
  const char *what;
} Work;

static void work_resumed (CoroTask *task, gpointer frame);

static void
work (CoroTask *task,
      gpointer  frame)
{
  Work *f = frame;

  printf ("coroutine: %s, sleeping 0.5 s\n", f->what);
  coro_await (task, coro_sleep (0.5), work_resumed);
}

static void
work_resumed (CoroTask *task,
              gpointer  frame)
{
  printf ("coroutine: awake\n");
  coro_task_return_string (task, "all done");
}

static void
on_work_done (CoroFuture *future,
              gpointer    user_data)
{
  GMainLoop *main_loop = user_data;
  g_autoptr(GError) error = NULL;
  const char *result = coro_future_get_string (future, &error);

  if (error != NULL)
    printf ("done callback: %s\n", error->message);
  else
    printf ("done callback: %s, quitting the main loop\n", result);
  g_main_loop_quit (main_loop);
}

/* A GLib timeout, as a button handler would be: it starts a coroutine and returns. */
static gboolean
on_timeout (gpointer user_data)
{
  GMainLoop *main_loop = user_data;
  CoroTask *task;

  printf ("timeout: starting a coroutine\n");
  task = CORO_CREATE_TASK (work, Work, .what = "started from a timeout");
  coro_future_add_done_callback (CORO_FUTURE (task), on_work_done, main_loop, NULL);
  /* The loop keeps the task alive until it ends. */
  coro_future_unref (CORO_FUTURE (task));
  return G_SOURCE_REMOVE;
}

int
main (void)
{
  g_autoptr(GMainLoop) main_loop = g_main_loop_new (NULL, FALSE);

  setvbuf (stdout, NULL, _IOLBF, 0);
  g_timeout_add (250, on_timeout, main_loop);
  printf ("main loop running\n");
  g_main_loop_run (main_loop);
  printf ("main loop quit\n");
  return 0;
}
