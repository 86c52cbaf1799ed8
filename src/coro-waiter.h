/* coro-waiter.h: futures that wait in the FIFO line of a lock, semaphore or queue
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A waiter is the future a wait returns. It sits in its primitive's intrusive list (no
 * allocation beyond the future itself, which comes from the loop's pool), leaves it when
 * it is cancelled or dropped, and may be handed something of value when it completes: the
 * lock, a semaphore unit, a queue item. If that handed value is never seen (the awaiting
 * task was cancelled before it resumed, or nobody kept the future), the waiter gives it
 * back when it is finalized, so the next waiter gets it: asyncio's "a cancelled waiter
 * that was already woken passes the wake-up on".
 */
#pragma once

#include "coro-future-private.h"

G_BEGIN_DECLS

typedef struct _CoroWaiter CoroWaiter;

typedef struct
{
  CoroWaiter *head;
  CoroWaiter *tail;
  guint       length;
} CoroWaitList;

typedef struct
{
  const char *name;
  /* The waiter was handed something it will never use: return it to @owner. */
  void (*give_back) (GObject    *owner,
                     CoroWaiter *waiter);
  /* What the waiter was handed was seen by its holder: it is the holder's now. */
  void (*seen)      (GObject    *owner,
                     CoroWaiter *waiter);
  /* A pending waiter left the line without completing (cancelled, or dropped unseen). */
  void (*left)      (GObject    *owner,
                     CoroWaiter *waiter);
  /* A pending waiter was cancelled, after left (): what its cancellation means to @owner. */
  void (*cancelled) (GObject    *owner,
                     CoroWaiter *waiter);
} CoroWaiterOps;

/* What a queue's putter carries, and what a queue stores. */
typedef enum
{
  CORO_ITEM_NONE,
  CORO_ITEM_INT,
  CORO_ITEM_STRING,
  CORO_ITEM_POINTER,
  CORO_ITEM_VALUE,
} CoroItemKind;

typedef struct
{
  guint8         kind;
  int            priority;
  guint64        seq;
  union
  {
    gint64   v_int;
    char    *v_string;
    gpointer v_pointer;
    GValue  *v_value;
  };
  GDestroyNotify destroy; /* for CORO_ITEM_POINTER */
} CoroItem;

struct _CoroWaiter
{
  CoroFuture           parent;
  const CoroWaiterOps *ops;
  GObject             *owner;  /* a reference: the primitive lives as long as its waiters */
  CoroWaitList        *list;   /* non-NULL while queued */
  CoroWaiter          *prev;
  CoroWaiter          *next;
  gboolean             handed; /* completed with something the owner must get back if unseen */
  gint64               value;  /* free for the primitive (barrier index, semaphore units…) */
  CoroItem             item;   /* a putter's item */
};

CoroWaiter *coro_waiter_new        (CoroLoop            *loop,
                                    const CoroWaiterOps *ops,
                                    gpointer             owner,
                                    CoroWaitList        *list);
void        coro_wait_list_append  (CoroWaitList        *list,
                                    CoroWaiter          *waiter);
void        coro_wait_list_remove  (CoroWaitList        *list,
                                    CoroWaiter          *waiter);
CoroWaiter *coro_wait_list_pop     (CoroWaitList        *list);
void        coro_wait_list_fail_all (CoroWaitList       *list,
                                     GQuark              domain,
                                     int                 code,
                                     const char         *message);

/* Completes a waiter that has left its list, handing it something the owner gets back if
 * it is never seen. */
void        coro_waiter_hand       (CoroWaiter          *waiter);

void        coro_item_clear        (CoroItem            *item);
void        coro_item_set_result   (CoroItem            *item,
                                    CoroFuture          *future);
gboolean    coro_item_take_result  (CoroItem            *item,
                                    CoroFuture          *future);

G_END_DECLS
