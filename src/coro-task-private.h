/* coro-task-private.h: the task's layout
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "coro-future-private.h"

G_BEGIN_DECLS

typedef enum
{
  CORO_TASK_STARTED     = 1 << 0, /* its first step ran (or was skipped by a cancel) */
  CORO_TASK_IN_STEP     = 1 << 1,
  CORO_TASK_AWAITED     = 1 << 2, /* the running step called coro_await*() */
  CORO_TASK_CATCH       = 1 << 3, /* the pending await is coro_await_catch() */
  CORO_TASK_RETURNED    = 1 << 4, /* the running step set the result */
  CORO_TASK_MUST_CANCEL = 1 << 5, /* deliver a cancellation at the next step */
  CORO_TASK_SCHEDULED   = 1 << 6, /* registered with the loop, which holds a reference */
  CORO_TASK_SLEEPING    = 1 << 7, /* suspended on a sleep it adopted (its timer is queued
                                   * or has fired and is about to resume it) */
  CORO_TASK_SLEPT       = 1 << 8, /* the running step resumes from an adopted sleep */
} CoroTaskFlags;

typedef struct _CoroDefer CoroDefer;

/* What most tasks never need, allocated from the loop's pool on first use: keeping it out
 * of the task keeps a pending task small (bench W6). */
typedef struct
{
  CoroArena      arena;
  CoroDefer     *defers;
  GCancellable  *cancellable;
  char          *name;
  char          *cancel_msg; /* for a pending MUST_CANCEL */
} CoroTaskExtra;

struct _CoroTask
{
  CoroFuture     parent;

  CoroStep       step;       /* the step running now, then the one to run next */
  CoroFuture    *awaiting;   /* awaited by the last step; readable in the next */
  CoroFuture    *next_await; /* set by coro_await*() during a step */

  CoroTask      *loop_prev;
  CoroTask      *loop_next;

  CoroTaskExtra *extra;      /* NULL until needed */
  CoroTimer      timer;      /* a sleep's, adopted when the task awaits it alone */
  guint          id;
  guint          num_cancels_requested;
  guint          flags;
};

G_END_DECLS
