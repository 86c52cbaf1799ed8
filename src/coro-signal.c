/* coro-signal.c: Unix signal handlers on the loop, and coro_run's SIGINT
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "coro-loop-private.h"
#include "coro-future-private.h"

/* One GLib unix signal source per signal; its callback queues the handler on the ready
 * queue, so handlers run in a pass like every other callback (asyncio schedules them
 * with call_soon from its wake-up pipe). A watch is shared by the source and the queued
 * calls, and keeps its data until the last of them is done with it. */
typedef struct
{
  guint          ref_count;
  CoroLoop      *loop;
  GSource       *source;
  CoroCallback   callback;
  gpointer       user_data;
  GDestroyNotify destroy;
  gboolean       removed;
  gboolean       running;
} SignalWatch;

static void
signal_watch_release (SignalWatch *watch)
{
  GDestroyNotify destroy = g_steal_pointer (&watch->destroy);

  if (destroy != NULL)
    destroy (watch->user_data);
  watch->user_data = NULL;
}

static void
signal_watch_unref (gpointer data)
{
  SignalWatch *watch = data;

  if (--watch->ref_count > 0)
    return;
  signal_watch_release (watch);
  g_free (watch);
}

static void
signal_watch_run (gpointer a,
                  gpointer b)
{
  SignalWatch *watch = a;

  if (!watch->removed)
    {
      watch->running = TRUE;
      watch->callback (watch->user_data);
      watch->running = FALSE;
      if (watch->removed)
        signal_watch_release (watch);
    }
  signal_watch_unref (watch);
}

static gboolean
signal_source_fired (gpointer user_data)
{
  SignalWatch *watch = user_data;

  if (!watch->removed)
    {
      watch->ref_count++;
      coro_loop_push (watch->loop, signal_watch_run, watch, NULL);
    }
  return G_SOURCE_CONTINUE;
}

static void
signal_watch_remove (SignalWatch *watch)
{
  watch->ref_count++;
  watch->removed = TRUE;
  if (!watch->running)
    signal_watch_release (watch);
  /* The source's reference on the watch goes with it; GLib restores the default
   * disposition when the last source of the signal is gone. */
  g_source_destroy (watch->source);
  g_clear_pointer (&watch->source, g_source_unref);
  signal_watch_unref (watch);
}

static gboolean
check_signal (int      signum,
              GError **error)
{
  switch (signum)
    {
    case SIGHUP:
    case SIGINT:
    case SIGTERM:
    case SIGUSR1:
    case SIGUSR2:
    case SIGWINCH:
      return TRUE;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Signal %d cannot be handled: the loop handles SIGHUP, SIGINT, "
                   "SIGTERM, SIGUSR1, SIGUSR2 and SIGWINCH", signum);
      return FALSE;
    }
}

/**
 * coro_loop_add_signal_handler:
 * @loop: a #CoroLoop
 * @signum: the signal: `SIGHUP`, `SIGINT`, `SIGTERM`, `SIGUSR1`, `SIGUSR2` or `SIGWINCH`
 * @callback: (scope notified) (closure user_data) (destroy destroy): called in a pass
 *   of the loop each time the signal arrives
 * @user_data: data for @callback
 * @destroy: (nullable): releases @user_data when the handler is removed or replaced, or
 *   at once if the signal is refused
 * @error: return location for an error
 *
 * Handles a Unix signal on the loop (asyncio's `add_signal_handler`), through a
 * [func@GLib.unix_signal_source_new] source: @callback runs on the loop's thread, in a
 * pass, so it may do anything a callback may. Signals that arrive together may be
 * merged into one call. Adding a handler for a signal that has one replaces it,
 * releasing the old data.
 *
 * A SIGINT handler also keeps [func@Coro.run] from cancelling its future on SIGINT.
 *
 * Returns: %TRUE on success; %FALSE with %G_IO_ERROR_INVALID_ARGUMENT for a signal
 *   GLib cannot watch
 *
 * Since: 1.0
 */
gboolean
coro_loop_add_signal_handler (CoroLoop        *loop,
                              int              signum,
                              CoroCallback     callback,
                              gpointer         user_data,
                              GDestroyNotify   destroy,
                              GError         **error)
{
  SignalWatch *watch;
  SignalWatch *old;

  g_return_val_if_fail (CORO_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (callback != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_signal (signum, error))
    {
      /* The call owns @user_data either way, so bindings do not leak their closure. */
      if (destroy != NULL)
        destroy (user_data);
      return FALSE;
    }

  watch = g_new0 (SignalWatch, 1);
  watch->ref_count = 1; /* the source's */
  watch->loop = loop;
  watch->callback = callback;
  watch->user_data = user_data;
  watch->destroy = destroy;
  watch->source = g_unix_signal_source_new (signum);
  g_source_set_static_name (watch->source, "CoroLoop signal handler");
  g_source_set_callback (watch->source, signal_source_fired, watch, signal_watch_unref);

  /* The new source first: the signal stays handled while the old one goes. */
  g_source_attach (watch->source, loop->context);
  if (loop->signal_watches == NULL)
    loop->signal_watches = g_hash_table_new (NULL, NULL);
  old = g_hash_table_lookup (loop->signal_watches, GINT_TO_POINTER (signum));
  g_hash_table_insert (loop->signal_watches, GINT_TO_POINTER (signum), watch);
  if (old != NULL)
    signal_watch_remove (old);
  return TRUE;
}

/**
 * coro_loop_remove_signal_handler:
 * @loop: a #CoroLoop
 * @signum: the signal
 *
 * Removes the handler of @signum (asyncio's `remove_signal_handler`), releasing its
 * data; the signal gets its default disposition back once nothing else in the process
 * watches it through GLib. A call already queued does not run.
 *
 * Returns: %TRUE if @signum had a handler
 *
 * Since: 1.0
 */
gboolean
coro_loop_remove_signal_handler (CoroLoop *loop,
                                 int       signum)
{
  SignalWatch *watch;

  g_return_val_if_fail (CORO_IS_LOOP (loop), FALSE);

  if (loop->signal_watches == NULL)
    return FALSE;
  watch = g_hash_table_lookup (loop->signal_watches, GINT_TO_POINTER (signum));
  if (watch == NULL)
    return FALSE;
  g_hash_table_remove (loop->signal_watches, GINT_TO_POINTER (signum));
  signal_watch_remove (watch);
  if (g_hash_table_size (loop->signal_watches) == 0)
    g_clear_pointer (&loop->signal_watches, g_hash_table_unref);
  return TRUE;
}

/* coro_run and SIGINT, as asyncio.Runner (3.11+): while the run lasts, the first SIGINT
 * cancels the main future; another one, or one once it is done, gets the default
 * disposition back and is raised again, which ends the process. Only when SIGINT has
 * its default disposition and the loop has no SIGINT handler of its own. */
struct _CoroSigintGuard
{
  GSource    *source;
  CoroFuture *main_future;
  guint       count;
};

static gboolean
sigint_fired (gpointer user_data)
{
  CoroSigintGuard *guard = user_data;
  struct sigaction action;

  if (++guard->count == 1 && !coro_future_done (guard->main_future))
    {
      coro_future_cancel (guard->main_future, "Interrupted by SIGINT");
      return G_SOURCE_CONTINUE;
    }
  /* GLib restores the default disposition only once the source is finalized, after
   * this dispatch: do it now, so that the SIGINT raised again ends the process. */
  g_source_destroy (guard->source);
  g_clear_pointer (&guard->source, g_source_unref);
  memset (&action, 0, sizeof action);
  action.sa_handler = SIG_DFL;
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, NULL);
  raise (SIGINT);
  return G_SOURCE_REMOVE;
}

CoroSigintGuard *
coro_sigint_guard_new (CoroLoop   *loop,
                       CoroFuture *main_future)
{
  struct sigaction current;
  CoroSigintGuard *guard;

  if (loop->signal_watches != NULL &&
      g_hash_table_contains (loop->signal_watches, GINT_TO_POINTER (SIGINT)))
    return NULL;
  if (sigaction (SIGINT, NULL, &current) != 0 ||
      (current.sa_flags & SA_SIGINFO) || current.sa_handler != SIG_DFL)
    return NULL;

  guard = g_new0 (CoroSigintGuard, 1);
  guard->main_future = main_future;
  guard->source = g_unix_signal_source_new (SIGINT);
  g_source_set_static_name (guard->source, "coro_run SIGINT");
  g_source_set_callback (guard->source, sigint_fired, guard, NULL);
  g_source_attach (guard->source, loop->context);
  return guard;
}

/* Returns whether a SIGINT arrived. */
gboolean
coro_sigint_guard_free (CoroSigintGuard *guard)
{
  gboolean interrupted;

  if (guard == NULL)
    return FALSE;
  interrupted = guard->count > 0;
  if (guard->source != NULL)
    {
      g_source_destroy (guard->source);
      g_source_unref (guard->source);
    }
  g_free (guard);
  return interrupted;
}
