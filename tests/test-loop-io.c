/* test-loop-io.c: add_reader, add_writer and their removal, on real pipes and sockets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct
{
  int         fd;
  guint       calls;
  char        buf[64];
  gssize      got;
  CoroFuture *done;       /* completed by the callback */
  gboolean    remove_self;
} Watch;

static void
make_pipe (int fds[2])
{
  GError *error = NULL;

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_assert_no_error (error);
  g_assert_true (g_unix_set_fd_nonblocking (fds[0], TRUE, NULL));
  g_assert_true (g_unix_set_fd_nonblocking (fds[1], TRUE, NULL));
}

static void
make_socket_pair (int sv[2])
{
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), ==, 0);
}

static void
close_pair (int fds[2])
{
  close (fds[0]);
  close (fds[1]);
}

static void
on_readable (gpointer user_data)
{
  Watch *w = user_data;

  w->calls++;
  w->got = read (w->fd, w->buf, sizeof w->buf - 1);
  if (w->got >= 0)
    w->buf[w->got] = '\0';
  if (w->remove_self)
    g_assert_true (coro_loop_remove_reader (coro_loop_get_default (), w->fd));
  if (w->done != NULL && !coro_future_done (w->done))
    coro_future_set_none (w->done, NULL);
}

/* A new pipe whose read end @w is to watch. */
static void
watched_pipe (Watch *w,
              int    fds[2])
{
  make_pipe (fds);
  w->fd = fds[0];
}

static void
run_until (CoroFuture *done)
{
  coro_test_run (done);
  coro_future_unref (done);
}

/* Writes @data into @fd and runs until @w's reader has been called for it. */
static void
write_and_wait (Watch      *w,
                int         fd,
                const char *data)
{
  w->done = coro_future_new ();
  g_assert_cmpint (write (fd, data, strlen (data)), ==, strlen (data));
  run_until (w->done);
}

static void
test_reader_pipe (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  Watch w = { 0 };
  int fds[2];

  watched_pipe (&w, fds);
  coro_loop_add_reader (loop, fds[0], on_readable, &w, NULL);
  /* Nothing to read: a pass runs and the reader does not. */
  coro_test_yield ();
  g_assert_cmpuint (w.calls, ==, 0);

  write_and_wait (&w, fds[1], "ping");
  g_assert_cmpuint (w.calls, ==, 1);
  g_assert_cmpstr (w.buf, ==, "ping");

  /* It fires again for new data: a watch repeats. */
  write_and_wait (&w, fds[1], "pong");
  g_assert_cmpuint (w.calls, ==, 2);
  g_assert_cmpstr (w.buf, ==, "pong");

  g_assert_true (coro_loop_remove_reader (loop, fds[0]));
  g_assert_false (coro_loop_remove_reader (loop, fds[0]));
  g_assert_cmpint (write (fds[1], "lost", 4), ==, 4);
  coro_test_yield ();
  coro_test_yield ();
  g_assert_cmpuint (w.calls, ==, 2);

  close_pair (fds);
  CORO_TEST_END ();
}

static void
test_reader_hangup (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  Watch w = { 0 };
  int fds[2];

  watched_pipe (&w, fds);
  w.remove_self = TRUE;
  w.done = coro_future_new ();
  coro_loop_add_reader (loop, fds[0], on_readable, &w, NULL);
  close (fds[1]);
  run_until (w.done);
  /* End of file: readable, and read gives 0. */
  g_assert_cmpuint (w.calls, ==, 1);
  g_assert_cmpint (w.got, ==, 0);
  g_assert_false (coro_loop_remove_reader (loop, fds[0]));
  close (fds[0]);
  CORO_TEST_END ();
}

typedef struct
{
  int         fd;
  guint       calls;
  gsize       written;
  CoroFuture *done;
} Writer;

static void
on_writable (gpointer user_data)
{
  Writer *w = user_data;
  gssize n = write (w->fd, "0123456789", 10);

  g_assert_cmpint (n, ==, 10);
  w->calls++;
  w->written += n;
  if (w->calls == 3)
    {
      g_assert_true (coro_loop_remove_writer (coro_loop_get_default (), w->fd));
      coro_future_set_none (w->done, NULL);
    }
}

/* Watches @fd for room with @w's writer, which completes w->done on its third call. */
static void
writer_start (Writer *w,
              int     fd)
{
  w->fd = fd;
  w->done = coro_future_new ();
  coro_loop_add_writer (coro_loop_get_default (), fd, on_writable, w, NULL);
}

static void
test_writer_socket (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  Writer w = { 0 };
  int sv[2];
  char buf[64];

  make_socket_pair (sv);
  writer_start (&w, sv[0]);
  run_until (w.done);
  g_assert_cmpuint (w.calls, ==, 3);
  g_assert_false (coro_loop_remove_writer (loop, sv[0]));
  g_assert_cmpint (read (sv[1], buf, sizeof buf), ==, 30);
  close_pair (sv);
  CORO_TEST_END ();
}

/* A full socket is not writable; draining it wakes the writer. */
static void
test_writer_waits_for_room (void)
{
  CORO_TEST_BEGIN ();
  Writer w = { 0 };
  int sv[2];
  char buf[4096] = { 0 };
  gsize filled = 0;

  make_socket_pair (sv);
  for (;;)
    {
      gssize n = write (sv[0], buf, sizeof buf);

      if (n < 0)
        {
          g_assert_true (errno == EAGAIN || errno == EWOULDBLOCK);
          break;
        }
      filled += n;
    }
  w.calls = 2; /* the next call is the last */
  writer_start (&w, sv[0]);
  coro_test_yield ();
  coro_test_yield ();
  g_assert_cmpuint (w.calls, ==, 2);

  while (filled > 0)
    {
      gssize n = read (sv[1], buf, sizeof buf);

      g_assert_cmpint (n, >, 0);
      filled -= n;
    }
  run_until (w.done);
  g_assert_cmpuint (w.calls, ==, 3);
  close_pair (sv);
  CORO_TEST_END ();
}

/* Reader and writer of one fd share a watch; removing one keeps the other. */
static void
test_reader_and_writer_same_fd (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  Watch r = { 0 };
  Writer w = { 0 };
  int sv[2];

  make_socket_pair (sv);
  r.fd = sv[0];
  coro_loop_add_reader (loop, sv[0], on_readable, &r, NULL);
  writer_start (&w, sv[0]);
  run_until (w.done); /* the writer removed itself after three calls */
  g_assert_cmpuint (w.calls, ==, 3);
  g_assert_cmpuint (r.calls, ==, 0);

  write_and_wait (&r, sv[1], "hi");
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_cmpstr (r.buf, ==, "hi");
  g_assert_cmpuint (w.calls, ==, 3);
  g_assert_true (coro_loop_remove_reader (loop, sv[0]));
  g_assert_false (coro_loop_remove_writer (loop, sv[0]));
  close_pair (sv);
  CORO_TEST_END ();
}

static void
test_replace (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  Watch w = { 0 };
  int fds[2];

  watched_pipe (&w, fds);
  coro_test_destroyed = 0;
  coro_loop_add_reader (loop, fds[0], coro_test_never_called, NULL, coro_test_count_destroy);
  g_assert_cmpuint (coro_test_destroyed, ==, 0);
  coro_loop_add_reader (loop, fds[0], on_readable, &w, coro_test_count_destroy);
  g_assert_cmpuint (coro_test_destroyed, ==, 1);
  write_and_wait (&w, fds[1], "x");
  g_assert_cmpuint (w.calls, ==, 1);
  g_assert_true (coro_loop_remove_reader (loop, fds[0]));
  g_assert_cmpuint (coro_test_destroyed, ==, 2);
  close_pair (fds);
  CORO_TEST_END ();
}

/* Removing a reader whose call is already queued for this pass keeps it from running,
 * and a callback removing itself keeps its data until it returns. */
typedef struct
{
  int      fds[2][2];
  guint    calls;
  guint    freed;
} Pair;

static void
pair_free (gpointer data)
{
  ((Pair *) data)->freed++;
}

static void
remove_both (gpointer user_data)
{
  Pair *p = user_data;
  CoroLoop *loop = coro_loop_get_default ();

  p->calls++;
  g_assert_true (coro_loop_remove_reader (loop, p->fds[0][0]));
  g_assert_true (coro_loop_remove_reader (loop, p->fds[1][0]));
  /* The other's data is released, the running one's only once it returns. */
  g_assert_cmpuint (p->freed, ==, 1);
}

static void
test_remove_queued (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  Pair p = { 0 };

  make_pipe (p.fds[0]);
  make_pipe (p.fds[1]);
  coro_loop_add_reader (loop, p.fds[0][0], remove_both, &p, pair_free);
  coro_loop_add_reader (loop, p.fds[1][0], remove_both, &p, pair_free);
  g_assert_cmpint (write (p.fds[0][1], "a", 1), ==, 1);
  g_assert_cmpint (write (p.fds[1][1], "b", 1), ==, 1);
  /* Both are readable in the same poll: whichever runs first removes the other. */
  while (p.calls == 0)
    g_main_context_iteration (NULL, TRUE);
  coro_test_yield ();
  g_assert_cmpuint (p.calls, ==, 1);
  g_assert_cmpuint (p.freed, ==, 2);
  close_pair (p.fds[0]);
  close_pair (p.fds[1]);
  CORO_TEST_END ();
}

static void
test_wait_readable (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroFuture *wait;
  int fds[2];
  int sv[2];
  char c;

  make_pipe (fds);
  wait = coro_loop_wait_readable (loop, fds[0]);
  coro_test_yield ();
  g_assert_false (coro_future_done (wait));
  g_assert_cmpint (write (fds[1], "x", 1), ==, 1);
  coro_test_run (wait);
  coro_future_unref (wait);
  /* The reader slot is free again. */
  g_assert_false (coro_loop_remove_reader (loop, fds[0]));
  g_assert_cmpint (read (fds[0], &c, 1), ==, 1);

  /* Cancelling gives the slot up. */
  wait = coro_loop_wait_readable (loop, fds[0]);
  g_assert_true (coro_future_cancel (wait, NULL));
  g_assert_false (coro_loop_remove_reader (loop, fds[0]));
  coro_future_unref (wait);

  /* Another reader takes the slot over: the wait is cancelled. */
  wait = coro_loop_wait_readable (loop, fds[0]);
  coro_loop_add_reader (loop, fds[0], coro_test_never_called, NULL, NULL);
  g_assert_true (coro_future_cancelled (wait));
  g_assert_true (coro_loop_remove_reader (loop, fds[0]));
  coro_future_unref (wait);

  /* Dropped while waiting: it keeps waiting, and goes once the fd is ready. */
  coro_future_unref (coro_loop_wait_readable (loop, fds[0]));
  g_assert_cmpint (write (fds[1], "y", 1), ==, 1);
  coro_test_yield ();
  coro_test_yield ();
  g_assert_false (coro_loop_remove_reader (loop, fds[0]));

  make_socket_pair (sv);
  wait = coro_loop_wait_writable (loop, sv[0]);
  coro_test_run (wait);
  coro_future_unref (wait);
  g_assert_false (coro_loop_remove_writer (loop, sv[0]));

  close_pair (fds);
  close_pair (sv);
  CORO_TEST_END ();
}

/* An fd nobody watches any more stays polled for a while, asking for nothing (watching it
 * again costs no wake-up of the context): closed or hung up, it must not keep the loop
 * busy, and neither must more of them than are kept. */
static guint
busy_iterations (void)
{
  guint busy = 0;

  while (busy < 100 && g_main_context_iteration (NULL, FALSE))
    busy++;
  return busy;
}

static void
test_idle_watches (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  int pipes[100][2];
  CoroFuture *wait;
  char c;

  for (guint i = 0; i < G_N_ELEMENTS (pipes); i++)
    {
      make_pipe (pipes[i]);
      /* each fd waited on twice: the second time on the kept watch */
      for (guint round = 0; round < 2; round++)
        {
          wait = coro_loop_wait_readable (loop, pipes[i][0]);
          g_assert_cmpint (write (pipes[i][1], "x", 1), ==, 1);
          coro_test_run (wait);
          coro_future_unref (wait);
          g_assert_cmpint (read (pipes[i][0], &c, 1), ==, 1);
        }
      g_assert_false (coro_loop_remove_reader (loop, pipes[i][0]));
    }
  g_assert_cmpuint (busy_iterations (), <, 100);

  /* Hung up (the write ends closed), then closed: nothing to dispatch after a pass. */
  for (guint i = 0; i < G_N_ELEMENTS (pipes); i++)
    close (pipes[i][1]);
  busy_iterations ();
  g_assert_cmpuint (busy_iterations (), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (pipes); i++)
    close (pipes[i][0]);
  busy_iterations ();
  g_assert_cmpuint (busy_iterations (), ==, 0);

  /* The numbers come back with new pipes, and watching them works. */
  make_pipe (pipes[0]);
  wait = coro_loop_wait_readable (loop, pipes[0][0]);
  coro_test_yield ();
  g_assert_false (coro_future_done (wait));
  g_assert_cmpint (write (pipes[0][1], "y", 1), ==, 1);
  coro_test_run (wait);
  coro_future_unref (wait);
  close (pipes[0][0]);
  close (pipes[0][1]);
  CORO_TEST_END ();
}

/* Guards: g_return_if_fail() criticals are fatal, so they run in a subprocess. */
static void
test_bad_fd (void)
{
  CoroLoop *loop = coro_loop_get_default ();

  if (g_test_subprocess ())
    {
      const char *which = g_getenv ("CORO_BAD_FD_CASE");

      if (g_strcmp0 (which, "reader") == 0)
        coro_loop_add_reader (loop, -1, coro_test_never_called, NULL, NULL);
      else if (g_strcmp0 (which, "writer") == 0)
        coro_loop_add_writer (loop, -3, coro_test_never_called, NULL, NULL);
      else
        coro_loop_remove_reader (loop, -1);
      return;
    }

  for (guint i = 0; i < 3; i++)
    {
      const char *cases[] = { "reader", "writer", "remove" };

      g_setenv ("CORO_BAD_FD_CASE", cases[i], TRUE);
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_failed ();
      g_test_trap_assert_stderr ("*assertion 'fd >= 0' failed*");
    }
  g_unsetenv ("CORO_BAD_FD_CASE");

  /* Nothing registered. */
  g_assert_false (coro_loop_remove_reader (loop, 0));
  g_assert_false (coro_loop_remove_writer (loop, 0));
}

int
main (int    argc,
      char **argv)
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/loop-io/reader-pipe", test_reader_pipe);
  g_test_add_func ("/loop-io/reader-hangup", test_reader_hangup);
  g_test_add_func ("/loop-io/writer-socket", test_writer_socket);
  g_test_add_func ("/loop-io/writer-waits-for-room", test_writer_waits_for_room);
  g_test_add_func ("/loop-io/reader-and-writer-same-fd", test_reader_and_writer_same_fd);
  g_test_add_func ("/loop-io/replace", test_replace);
  g_test_add_func ("/loop-io/remove-queued", test_remove_queued);
  g_test_add_func ("/loop-io/wait-readable", test_wait_readable);
  g_test_add_func ("/loop-io/idle-watches", test_idle_watches);
  g_test_add_func ("/loop-io/bad-fd", test_bad_fd);

  return g_test_run ();
}
