/* coro-timer-heap.c: a 4-ary min-heap of timers keyed by (deadline, sequence)
 *
 * Each timer knows its index, so cancelling a sleep removes it in O(log n) rather than
 * leaving a tombstone for the dispatcher to skip.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-timer-heap.h"

/* Four children per node: half the depth of a binary heap, so half the moves, and each
 * move writes the moved timer's index (a cache miss with many timers); the extra
 * comparisons read entries that sit side by side. */
#define ARITY 4

static inline gboolean
entry_before (const CoroTimerEntry *a,
              const CoroTimerEntry *b)
{
  /* Ties are rare enough that reading the timers for them costs nothing; the sequence
   * numbers wrap, and compare right while tied timers are < 2^31 schedules apart. */
  return a->when < b->when
         || (a->when == b->when && (gint32) (a->timer->seq - b->timer->seq) < 0);
}

static inline void
heap_set (CoroTimerHeap  *heap,
          guint           i,
          CoroTimerEntry  entry)
{
  heap->items[i] = entry;
  entry.timer->index = i;
}

static void
sift_up (CoroTimerHeap *heap,
         guint          i)
{
  CoroTimerEntry entry = heap->items[i];

  while (i > 0)
    {
      guint parent = (i - 1) / ARITY;

      if (!entry_before (&entry, &heap->items[parent]))
        break;
      heap_set (heap, i, heap->items[parent]);
      i = parent;
    }
  heap_set (heap, i, entry);
}

static void
sift_down (CoroTimerHeap *heap,
           guint          i)
{
  CoroTimerEntry entry = heap->items[i];

  for (;;)
    {
      guint first = ARITY * i + 1;
      guint last = MIN (first + ARITY, heap->len);
      guint child = first;

      if (first >= heap->len)
        break;
      for (guint c = first + 1; c < last; c++)
        if (entry_before (&heap->items[c], &heap->items[child]))
          child = c;
      if (!entry_before (&heap->items[child], &entry))
        break;
      heap_set (heap, i, heap->items[child]);
      i = child;
    }
  heap_set (heap, i, entry);
}

/* Empties the heap, discarding each timer: its reference goes, and it never fires. */
void
coro_timer_heap_clear (CoroTimerHeap *heap)
{
  CoroTimer *timer;

  /* One at a time, each out of the heap before its reference goes: the last reference
   * to an owner can release others that take their own timers out. */
  while ((timer = coro_timer_heap_pop (heap)) != NULL)
    coro_timer_discard (timer);
  g_clear_pointer (&heap->items, g_free);
  heap->len = heap->alloc = 0;
}

void
coro_timer_heap_push (CoroTimerHeap *heap,
                      CoroTimer     *timer,
                      gint64         when,
                      guint32        seq)
{
  g_assert (timer->index == CORO_TIMER_NOT_QUEUED);

  if (heap->len == heap->alloc)
    {
      heap->alloc = MAX (16, heap->alloc * 2);
      heap->items = g_renew (CoroTimerEntry, heap->items, heap->alloc);
    }
  timer->seq = seq;
  heap_set (heap, heap->len++, (CoroTimerEntry) { when, timer });
  sift_up (heap, heap->len - 1);
}

CoroTimer *
coro_timer_heap_pop (CoroTimerHeap *heap)
{
  CoroTimer *top;

  if (heap->len == 0)
    return NULL;

  top = heap->items[0].timer;
  coro_timer_heap_remove (heap, top);
  return top;
}

void
coro_timer_heap_remove (CoroTimerHeap *heap,
                        CoroTimer     *timer)
{
  guint i = timer->index;
  CoroTimerEntry last;

  if (i == CORO_TIMER_NOT_QUEUED)
    return;

  g_assert (i < heap->len && heap->items[i].timer == timer);

  timer->index = CORO_TIMER_NOT_QUEUED;
  last = heap->items[--heap->len];
  if (last.timer == timer)
    return;

  heap_set (heap, i, last);
  if (i > 0 && entry_before (&last, &heap->items[(i - 1) / ARITY]))
    sift_up (heap, i);
  else
    sift_down (heap, i);
}

/* @new_timer takes @old_timer's place (deadline and tie-break order) in the heap. */
void
coro_timer_heap_replace (CoroTimerHeap *heap,
                         CoroTimer     *old_timer,
                         CoroTimer     *new_timer)
{
  guint i = old_timer->index;

  g_assert (i < heap->len && heap->items[i].timer == old_timer);
  g_assert (new_timer->index == CORO_TIMER_NOT_QUEUED);

  new_timer->seq = old_timer->seq;
  heap->items[i].timer = new_timer;
  new_timer->index = i;
  old_timer->index = CORO_TIMER_NOT_QUEUED;
}
