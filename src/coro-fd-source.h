/* coro-fd-source.h: a GSource on one file descriptor whose events change for free
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A source polling @fd for @events (0: attached, but not waiting for anything). It can
 * recurse, and its callback is a GSourceFunc, called when @fd is ready for the events
 * asked for, or hung up or in error while some are asked for. */
GSource      *coro_fd_source_new         (int           fd,
                                          GIOCondition  events);
void          coro_fd_source_set_events  (GSource      *source,
                                          GIOCondition  events);
GIOCondition  coro_fd_source_get_events  (GSource      *source);

G_END_DECLS
