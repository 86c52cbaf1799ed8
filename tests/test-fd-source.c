/* test-fd-source.c: the streams' fd source (internal): events changed in place, a
 * hang-up nobody waits on parked, another thread's change waking the poll
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "coro-fd-source.h"

typedef struct
{
  GMainContext *context;
  int           fds[2];
  GSource      *source;
  guint         calls;
} Fixture;

static gboolean
count_call (gpointer data)
{
  Fixture *f = data;

  f->calls++;
  return G_SOURCE_CONTINUE;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->context = g_main_context_new ();
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, f->fds), ==, 0);
  f->source = coro_fd_source_new (f->fds[0], 0);
  g_source_set_callback (f->source, count_call, f, NULL);
  g_source_attach (f->source, f->context);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_source_destroy (f->source);
  g_source_unref (f->source);
  if (f->fds[0] >= 0)
    close (f->fds[0]);
  if (f->fds[1] >= 0)
    close (f->fds[1]);
  g_main_context_unref (f->context);
}

/* Iterates without blocking until nothing is dispatched; returns the number of passes
 * that dispatched something (bounded, so that a spinning source fails the test). */
static guint
drain (Fixture *f)
{
  guint busy = 0;

  while (busy < 100 && g_main_context_iteration (f->context, FALSE))
    busy++;
  return busy;
}

static void
test_events_in_place (Fixture       *f,
                      gconstpointer  data)
{
  g_assert_cmpint (coro_fd_source_get_events (f->source), ==, 0);
  /* A socket is writable: with nothing asked, nothing is called. */
  g_assert_cmpuint (drain (f), ==, 0);
  g_assert_cmpuint (f->calls, ==, 0);

  g_assert_true (g_main_context_acquire (f->context));
  coro_fd_source_set_events (f->source, G_IO_OUT);
  g_main_context_release (f->context);
  g_main_context_iteration (f->context, FALSE);
  g_assert_cmpuint (f->calls, ==, 1);

  coro_fd_source_set_events (f->source, G_IO_IN);
  f->calls = 0;
  g_assert_cmpuint (drain (f), ==, 0);
  g_assert_cmpuint (f->calls, ==, 0);
  g_assert_cmpint (write (f->fds[1], "x", 1), ==, 1);
  g_main_context_iteration (f->context, FALSE);
  g_assert_cmpuint (f->calls, ==, 1);
  coro_fd_source_set_events (f->source, 0);
  g_assert_cmpuint (drain (f), ==, 0);
}

static void
test_hang_up_parked (Fixture       *f,
                     gconstpointer  data)
{
  close (f->fds[1]);
  f->fds[1] = -1;
  /* Hung up with nothing asked: parked after one pass, the loop does not spin. */
  g_assert_cmpuint (drain (f), <=, 1);
  g_assert_cmpuint (f->calls, ==, 0);
  g_assert_cmpuint (drain (f), ==, 0);

  /* Asked again, it polls again and sees the hang-up (and the end of the stream). */
  coro_fd_source_set_events (f->source, G_IO_IN);
  g_main_context_iteration (f->context, FALSE);
  g_assert_cmpuint (f->calls, ==, 1);
}

static gpointer
ask_later (gpointer data)
{
  Fixture *f = data;

  g_usleep (50000);
  coro_fd_source_set_events (f->source, G_IO_OUT);
  return NULL;
}

static void
test_other_thread_wakes (Fixture       *f,
                         gconstpointer  data)
{
  GThread *thread = g_thread_new ("ask", ask_later, f);

  /* Blocks in poll () with nothing asked until the other thread asks for POLLOUT. */
  while (f->calls == 0)
    g_main_context_iteration (f->context, TRUE);
  g_thread_join (thread);
  g_assert_cmpuint (f->calls, >=, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/fd-source/events-in-place", Fixture, NULL, fixture_set_up,
              test_events_in_place, fixture_tear_down);
  g_test_add ("/fd-source/hang-up-parked", Fixture, NULL, fixture_set_up,
              test_hang_up_parked, fixture_tear_down);
  g_test_add ("/fd-source/other-thread-wakes", Fixture, NULL, fixture_set_up,
              test_other_thread_wakes, fixture_tear_down);
  return g_test_run ();
}
