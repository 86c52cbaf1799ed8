/* coro-future-private.h: the future's layout, shared by tasks and combinators
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "coro-loop-private.h"

G_BEGIN_DECLS

typedef enum
{
  CORO_FUTURE_PENDING,
  CORO_FUTURE_FINISHED,
  CORO_FUTURE_CANCELLED,
} CoroFutureState;

typedef enum
{
  CORO_RESULT_NONE,
  CORO_RESULT_INT,
  CORO_RESULT_DOUBLE,
  CORO_RESULT_BOOLEAN,
  CORO_RESULT_STRING,
  CORO_RESULT_POINTER,
  CORO_RESULT_OBJECT,
  CORO_RESULT_VALUE,
  CORO_RESULT_FUTURES, /* the children of a gather, owned by the gather */
  CORO_RESULT_FORWARD, /* the outcome of another future, which this one holds a ref on */
} CoroResultKind;

typedef enum
{
  CORO_FUTURE_FLAG_TASK            = 1 << 0,
  CORO_FUTURE_FLAG_YIELD           = 1 << 1, /* done, but awaiting it yields one pass */
  CORO_FUTURE_FLAG_RETRIEVED       = 1 << 2, /* its outcome was looked at */
  CORO_FUTURE_FLAG_ORPHANABLE      = 1 << 3, /* klass->orphaned runs when one ref is left */
} CoroFutureFlags;

/* Subclasses (tasks, sleeps, gathers…) override cancellation and release their own
 * fields; everything else is shared. */
typedef struct
{
  const char *name;
  gboolean  (*cancel)   (CoroFuture *future,
                         const char *msg);
  void      (*finalize) (CoroFuture *future);
  /* With CORO_FUTURE_FLAG_ORPHANABLE: the last reference left is the future's own (a
   * sleep's queued timer), so nobody can ever see it complete; drop it now. */
  void      (*orphaned) (CoroFuture *future);
  /* Its loop goes away: take the waiters it put on its pending children off them, with
   * the references they hold on it, and detach the children in turn, so that no cycle
   * of references between pending futures outlives the loop. */
  void      (*detach)   (CoroFuture *future);
  /* Its holder saw its outcome (see coro_future_mark_seen()): what it was handed (a
   * lock, a queue item) is now the holder's. */
  void      (*seen)     (CoroFuture *future);
} CoroFutureClass;

typedef struct
{
  CoroFutureCallback func;
  gpointer           data;
  GDestroyNotify     destroy;
  gulong             id;
} CoroDoneCallback;

typedef struct
{
  guint            len;
  guint            alloc;
  CoroDoneCallback items[];
} CoroCallbackList;

struct _CoroFuture
{
  const CoroFutureClass *klass;
  CoroLoop              *loop;
  guint                  ref_count;
  guint                  alloc_size; /* size of the pool block holding it */
  guint8                 state;
  guint8                 kind;
  guint8                 flags;
  union
  {
    gint64   v_int;
    double   v_double;
    gboolean v_boolean;
    char    *v_string;
    struct
    {
      gpointer       data;
      GDestroyNotify destroy;
    } v_pointer;
    GObject *v_object;
    GValue  *v_value;
    struct
    {
      CoroFuture **items;
      guint        n;
    } v_futures;
    CoroFuture *v_forward;
  } result;
  GError                *error;
  /* The oldest callback lives inline: most futures have exactly one waiter. */
  CoroFutureCallback     cb_func;
  gpointer               cb_data;
  CoroCallbackList      *cb_more;
};

extern const CoroFutureClass coro_future_class;

gpointer  coro_future_alloc          (CoroLoop              *loop,
                                      const CoroFutureClass *klass,
                                      gsize                  size);
/* An internal done callback (a task's wake-up, a combinator's watch on a child): cheaper
 * than a done callback, with no id and no destroy notify. Its owner must hold @future
 * for as long as @func uses it: a lone waiter is called after the loop let go of its
 * own reference. */
void      coro_future_add_waiter     (CoroFuture            *future,
                                      CoroFutureCallback     func,
                                      gpointer               data);
void      coro_future_mark_done      (CoroFuture            *future);
/* Futures done from the start: for waits that need not wait. */
CoroFuture *coro_future_new_done   (CoroLoop            *loop);
CoroFuture *coro_future_new_failed (CoroLoop            *loop,
                                    GError              *error);
gboolean  coro_future_cancel_default (CoroFuture            *future,
                                      const char            *msg);
void      coro_future_forward        (CoroFuture            *future,
                                      CoroFuture            *source);
void      coro_future_set_cancelled  (CoroFuture            *future,
                                      GError                *error);
GError   *coro_future_new_cancelled_error (const char       *msg);
gboolean  coro_error_is_cancellation (const GError          *error);
void      coro_future_clear_result   (CoroFuture            *future);
void      coro_future_set_futures    (CoroFuture            *future,
                                      CoroFuture           **items,
                                      guint                  n);

/* In coro-combinators.c: moves a sleep's place in the timer heap to @timer. */
gboolean  coro_sleep_adopt           (CoroFuture            *future,
                                      CoroTimer             *timer);

static inline gboolean
coro_future_is_pending (const CoroFuture *future)
{
  return future->state == CORO_FUTURE_PENDING;
}

void      coro_future_detach         (CoroFuture            *future);
void      coro_future_mark_seen_slow (CoroFuture            *future);
void      coro_future_unwatch        (CoroFuture            *child,
                                      CoroFutureCallback     func,
                                      CoroFuture            *watcher);

/* A task's step, or a reader of the result, saw @future's outcome: marks it retrieved,
 * and, through CoroFutureClass.seen, tells it and the futures whose outcome it forwards
 * that what they were handed (a lock, a queue item) is taken. Inline for the common
 * case, a future with neither (every await of a task runs it). */
static inline void
coro_future_mark_seen (CoroFuture *future)
{
  if G_LIKELY (future->klass->seen == NULL && future->kind != CORO_RESULT_FORWARD)
    future->flags |= CORO_FUTURE_FLAG_RETRIEVED;
  else
    coro_future_mark_seen_slow (future);
}

G_END_DECLS
