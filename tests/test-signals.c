/* test-signals.c: signal handlers on the loop, and SIGINT during coro_run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

#include <signal.h>
#include <unistd.h>

static gboolean
has_default_disposition (int signum)
{
  struct sigaction current;

  g_assert_cmpint (sigaction (signum, NULL, &current), ==, 0);
  return !(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_DFL;
}

typedef struct
{
  guint       calls;
  CoroFuture *done;
  GThread    *thread;
} Caught;

static void
on_signal (gpointer user_data)
{
  Caught *c = user_data;

  c->calls++;
  c->thread = g_thread_self ();
  if (c->done != NULL && !coro_future_done (c->done))
    coro_future_set_none (c->done, NULL);
}

static void
test_handler_runs (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  Caught c = { 0 };
  GError *error = NULL;

  g_assert_true (has_default_disposition (SIGUSR1));
  g_assert_true (coro_loop_add_signal_handler (loop, SIGUSR1, on_signal, &c, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (has_default_disposition (SIGUSR1));

  c.done = coro_future_new ();
  g_assert_cmpint (kill (getpid (), SIGUSR1), ==, 0);
  coro_test_run (c.done);
  g_assert_cmpuint (c.calls, ==, 1);
  g_assert_true (c.thread == g_thread_self ());
  coro_future_unref (c.done);

  /* Again: a handler stays. */
  c.done = coro_future_new ();
  g_assert_cmpint (raise (SIGUSR1), ==, 0);
  coro_test_run (c.done);
  g_assert_cmpuint (c.calls, ==, 2);
  coro_future_unref (c.done);

  g_assert_true (coro_loop_remove_signal_handler (loop, SIGUSR1));
  g_assert_false (coro_loop_remove_signal_handler (loop, SIGUSR1));
  /* GLib gives the default disposition back once its source is finalized. */
  coro_test_yield ();
  g_assert_true (has_default_disposition (SIGUSR1));
  CORO_TEST_END ();
}

static void
test_replace_and_remove (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  Caught c = { 0 };

  coro_test_destroyed = 0;
  g_assert_true (coro_loop_add_signal_handler (loop, SIGUSR2, coro_test_never_called, NULL,
                                               coro_test_count_destroy, NULL));
  g_assert_true (coro_loop_add_signal_handler (loop, SIGUSR2, on_signal, &c,
                                               coro_test_count_destroy, NULL));
  g_assert_cmpuint (coro_test_destroyed, ==, 1);
  c.done = coro_future_new ();
  raise (SIGUSR2);
  coro_test_run (c.done);
  coro_future_unref (c.done);
  g_assert_cmpuint (c.calls, ==, 1);
  g_assert_true (coro_loop_remove_signal_handler (loop, SIGUSR2));
  g_assert_cmpuint (coro_test_destroyed, ==, 2);

  CORO_TEST_END ();
}

/* Two signals whose handlers remove each other: whichever runs first, the other does
 * not run, even when its call was already queued in the same pass. */
static guint removals;

static void
remove_both (gpointer user_data)
{
  CoroLoop *loop = coro_loop_get_default ();

  removals++;
  g_assert_true (coro_loop_remove_signal_handler (loop, SIGHUP));
  g_assert_true (coro_loop_remove_signal_handler (loop, SIGUSR2));
  coro_future_set_none (user_data, NULL);
}

static void
test_remove_queued (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroFuture *done = coro_future_new ();

  removals = 0;
  g_assert_true (coro_loop_add_signal_handler (loop, SIGHUP, remove_both, done, NULL, NULL));
  g_assert_true (coro_loop_add_signal_handler (loop, SIGUSR2, remove_both, done, NULL, NULL));
  raise (SIGHUP);
  raise (SIGUSR2);
  coro_test_run (done);
  coro_test_yield ();
  g_assert_cmpuint (removals, ==, 1);
  coro_future_unref (done);
  CORO_TEST_END ();
}

static void
test_unsupported (void)
{
  CoroLoop *loop = coro_loop_get_default ();
  static const int bad[] = { 0, -1, SIGKILL, SIGSTOP, SIGSEGV, SIGCHLD, SIGALRM, 9999 };
  GError *error = NULL;

  coro_test_destroyed = 0;
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (coro_loop_add_signal_handler (loop, bad[i], coro_test_never_called, NULL,
                                                    coro_test_count_destroy, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "SIGHUP, SIGINT, SIGTERM"));
      g_clear_error (&error);
      g_assert_false (coro_loop_remove_signal_handler (loop, bad[i]));
    }
  /* The data of a refused handler is released at once. */
  g_assert_cmpuint (coro_test_destroyed, ==, G_N_ELEMENTS (bad));
}

/* coro_run and SIGINT */

static void
interrupt_soon (gpointer user_data)
{
  raise (SIGINT);
}

static void
wait_forever (CoroTask *task,
              gpointer  frame)
{
  coro_await (task, coro_future_new (), NULL);
}

typedef struct
{
  int unused;
} Empty;

static void
test_sigint_cancels_main (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroTask *main_task = CORO_CREATE_TASK (wait_forever, Empty, .unused = 0);
  CoroHandle *handle;
  GError *error = NULL;

  g_assert_true (has_default_disposition (SIGINT));
  handle = coro_loop_call_soon (loop, interrupt_soon, NULL, NULL);
  g_assert_false (coro_run (coro_future_ref (CORO_FUTURE (main_task)), &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "Interrupted by SIGINT");
  g_clear_error (&error);
  g_assert_true (coro_future_cancelled (CORO_FUTURE (main_task)));
  coro_handle_unref (handle);
  coro_future_unref (CORO_FUTURE (main_task));
  coro_test_yield ();
  g_assert_true (has_default_disposition (SIGINT));
  CORO_TEST_END ();
}

/* The main task may catch the cancellation: its outcome is then the run's. */
static void
caught (CoroTask *task,
        gpointer  frame)
{
  coro_task_uncancel (task);
  coro_task_return_int (task, 42);
}

static void
wait_and_catch (CoroTask *task,
                gpointer  frame)
{
  coro_await_catch (task, coro_future_new (), caught);
}

static void
test_sigint_caught (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  CoroTask *main_task = CORO_CREATE_TASK (wait_and_catch, Empty, .unused = 0);
  CoroHandle *handle = coro_loop_call_soon (loop, interrupt_soon, NULL, NULL);

  coro_test_run (CORO_FUTURE (main_task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (main_task), NULL), ==, 42);
  coro_handle_unref (handle);
  coro_future_unref (CORO_FUTURE (main_task));
  CORO_TEST_END ();
}

/* With a SIGINT handler of the loop's own, coro_run leaves SIGINT to it. */
static void
test_sigint_user_handler (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  Caught c = { 0 };
  CoroHandle *handle;

  c.done = coro_future_new ();
  g_assert_true (coro_loop_add_signal_handler (loop, SIGINT, on_signal, &c, NULL, NULL));
  handle = coro_loop_call_soon (loop, interrupt_soon, NULL, NULL);
  coro_test_run (c.done);
  g_assert_cmpuint (c.calls, ==, 1);
  g_assert_false (coro_future_cancelled (c.done));
  coro_handle_unref (handle);
  coro_future_unref (c.done);
  g_assert_true (coro_loop_remove_signal_handler (loop, SIGINT));
  coro_test_yield ();
  g_assert_true (has_default_disposition (SIGINT));
  CORO_TEST_END ();
}

/* A second SIGINT ends the process, as in asyncio. */
static void
interrupt_twice (gpointer user_data)
{
  raise (SIGINT);
}

static void
ignore_cancel (CoroTask *task,
               gpointer  frame)
{
  /* Still running after the first SIGINT: the second one must end the process. */
  coro_handle_unref (coro_loop_call_soon (coro_loop_get_default (), interrupt_twice, NULL, NULL));
  coro_await (task, coro_future_new (), NULL);
}

static void
wait_ignoring (CoroTask *task,
               gpointer  frame)
{
  coro_await_catch (task, coro_future_new (), ignore_cancel);
}

static void
test_sigint_twice (void)
{
  if (g_test_subprocess ())
    {
      CoroLoop *loop = coro_loop_get_default ();
      CoroTask *main_task = CORO_CREATE_TASK (wait_ignoring, Empty, .unused = 0);
      CoroHandle *handle = coro_loop_call_soon (loop, interrupt_soon, NULL, NULL);

      coro_run (CORO_FUTURE (main_task), NULL);
      coro_handle_unref (handle);
      g_print ("not reached\n");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*not reached*");
}

int
main (int    argc,
      char **argv)
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/signals/handler-runs", test_handler_runs);
  g_test_add_func ("/signals/replace-and-remove", test_replace_and_remove);
  g_test_add_func ("/signals/remove-queued", test_remove_queued);
  g_test_add_func ("/signals/unsupported", test_unsupported);
  g_test_add_func ("/signals/sigint-cancels-main", test_sigint_cancels_main);
  g_test_add_func ("/signals/sigint-caught", test_sigint_caught);
  g_test_add_func ("/signals/sigint-user-handler", test_sigint_user_handler);
  g_test_add_func ("/signals/sigint-twice", test_sigint_twice);

  return g_test_run ();
}
