/* coro-fd-source.c: a GSource on one file descriptor whose events change for free
 *
 * A stream's writer waits for POLLOUT only while its buffer holds data, and its reader
 * stops waiting for POLLIN while it is paused. Attaching and destroying a source each
 * time, or g_source_modify_unix_fd(), costs a write to the context's wake-up eventfd,
 * a read of it and one more poll() per change, whatever thread makes it. This source
 * owns its GPollFD (g_source_add_poll()), which the context reads again at every
 * iteration: on the thread iterating the context, a change is a store, seen by the next
 * poll(). Another thread's change wakes the context as GLib would.
 *
 * poll() reports a hang-up or an error whatever the events asked for: with none asked
 * for, the source stops polling the fd until some are asked for again, so that a dead
 * connection nobody is waiting on does not keep the loop busy.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-fd-source.h"

#define TROUBLE (G_IO_HUP | G_IO_ERR | G_IO_NVAL)

typedef struct
{
  GSource      source;
  GPollFD      pollfd;
  gboolean     polled;  /* pollfd is among the source's */
} CoroFdSource;

static gboolean
fd_source_check (GSource *source)
{
  CoroFdSource *self = (CoroFdSource *) source;

  return self->polled && (self->pollfd.revents & (self->pollfd.events | TROUBLE)) != 0;
}

static gboolean
fd_source_dispatch (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  CoroFdSource *self = (CoroFdSource *) source;

  if (self->pollfd.events == 0)
    {
      /* Hung up or failed with nobody waiting: stop polling it until someone does. */
      g_source_remove_poll (source, &self->pollfd);
      self->polled = FALSE;
      self->pollfd.revents = 0;
      return G_SOURCE_CONTINUE;
    }
  if (callback == NULL)
    return G_SOURCE_REMOVE;
  return callback (user_data);
}

static GSourceFuncs fd_source_funcs = {
  .check = fd_source_check,
  .dispatch = fd_source_dispatch,
};

GSource *
coro_fd_source_new (int          fd,
                    GIOCondition events)
{
  GSource *source = g_source_new (&fd_source_funcs, sizeof (CoroFdSource));
  CoroFdSource *self = (CoroFdSource *) source;

  self->pollfd.fd = fd;
  self->pollfd.events = events;
  g_source_add_poll (source, &self->pollfd);
  self->polled = TRUE;
  g_source_set_can_recurse (source, TRUE);
  return source;
}

void
coro_fd_source_set_events (GSource      *source,
                           GIOCondition  events)
{
  CoroFdSource *self = (CoroFdSource *) source;
  GMainContext *context;

  g_return_if_fail (source != NULL && source->source_funcs == &fd_source_funcs);

  if (self->pollfd.events == events)
    return;
  self->pollfd.events = events;
  if (!self->polled)
    {
      if (events != 0)
        {
          g_source_add_poll (source, &self->pollfd);  /* wakes the context */
          self->polled = TRUE;
        }
      return;
    }
  /* Not this thread's context, or not acquired by anyone: wake whoever polls it. */
  context = g_source_get_context (source);
  if (context != NULL && !g_main_context_is_owner (context))
    g_main_context_wakeup (context);
}

GIOCondition
coro_fd_source_get_events (GSource *source)
{
  g_return_val_if_fail (source != NULL && source->source_funcs == &fd_source_funcs, 0);

  return ((CoroFdSource *) source)->pollfd.events;
}
