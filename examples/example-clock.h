/* example-clock.h: wall-clock time as the examples print it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed prints time.time() and time.strftime('%X'). The examples print the wall-clock
 * time at which they started plus the loop time elapsed since, so that they print the same
 * thing with real time and, under CORO_VIRTUAL_CLOCK=1, exact and repeatable times.
 */
#pragma once

#include <coro.h>

/* Seconds since the epoch, like Python's time.time(). */
static inline double
example_time (void)
{
  static double wall_start, loop_start;
  static gboolean started;
  CoroLoop *loop = coro_loop_get_default ();

  if (!started)
    {
      wall_start = g_get_real_time () / (double) G_USEC_PER_SEC;
      loop_start = coro_loop_time (loop);
      started = TRUE;
    }
  return wall_start + (coro_loop_time (loop) - loop_start);
}

/* time.strftime('%X'): the local time as HH:MM:SS; free with g_free(). */
static inline char *
example_strftime_x (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local ((gint64) example_time ());

  return g_date_time_format (now, "%H:%M:%S");
}
