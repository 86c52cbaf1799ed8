/* coro-timer-heap.h: a 4-ary min-heap of timers keyed by (deadline, sequence)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CORO_TIMER_NOT_QUEUED G_MAXUINT

typedef struct _CoroTimer CoroTimer;

typedef void (*CoroTimerFunc) (CoroTimer *timer);

/* A queued timer owns a reference to the object it is embedded in. When it expires it
 * moves to the ready queue with that reference, and @func runs from there and drops it;
 * when it is removed before that, @unref drops it. So an owner cannot go away while its
 * timer is queued or about to fire. When the loop itself goes away first, @discard (or
 * @unref if it is %NULL) drops the reference without firing, and releases whatever
 * firing would have. */
typedef struct
{
  CoroTimerFunc fire;
  CoroTimerFunc unref;
  CoroTimerFunc discard;
  gboolean      fire_at_once; /* @fire only completes a future: call it when the timer
                               * expires rather than through the ready queue */
} CoroTimerClass;

/* 16 bytes: embedded in every task (for the sleeps it adopts) and every sleep. The
 * deadline lives only in the heap entry. */
struct _CoroTimer
{
  const CoroTimerClass *klass;
  guint                 index; /* position in the heap, or CORO_TIMER_NOT_QUEUED */
  guint32               seq;   /* breaks ties: equal deadlines fire in scheduling order */
};

/* Entries carry their keys, so that ordering the heap reads no timer: with many timers,
 * following a pointer per comparison is what costs. */
typedef struct
{
  gint64     when;  /* monotonic µs */
  CoroTimer *timer;
} CoroTimerEntry;

typedef struct
{
  CoroTimerEntry *items;
  guint           len;
  guint           alloc;
} CoroTimerHeap;

void       coro_timer_heap_clear  (CoroTimerHeap *heap);
void       coro_timer_heap_push   (CoroTimerHeap *heap,
                                   CoroTimer     *timer,
                                   gint64         when,
                                   guint32        seq);
CoroTimer *coro_timer_heap_pop    (CoroTimerHeap *heap);
void       coro_timer_heap_replace (CoroTimerHeap *heap,
                                    CoroTimer     *old_timer,
                                    CoroTimer     *new_timer);
void       coro_timer_heap_remove (CoroTimerHeap *heap,
                                   CoroTimer     *timer);

/* Drops the reference of a timer taken out of the heap, or out of the ready queue,
 * without firing it. */
static inline void
coro_timer_discard (CoroTimer *timer)
{
  if (timer->klass->discard != NULL)
    timer->klass->discard (timer);
  else
    timer->klass->unref (timer);
}

static inline CoroTimer *
coro_timer_heap_peek (const CoroTimerHeap *heap)
{
  return heap->len > 0 ? heap->items[0].timer : NULL;
}

/* The deadline of a queued timer. */
static inline gint64
coro_timer_heap_when (const CoroTimerHeap *heap,
                      const CoroTimer     *timer)
{
  return heap->items[timer->index].when;
}

/* The first deadline, or G_MAXINT64 when no timer is queued. */
static inline gint64
coro_timer_heap_next_when (const CoroTimerHeap *heap)
{
  return heap->len > 0 ? heap->items[0].when : G_MAXINT64;
}

G_END_DECLS
