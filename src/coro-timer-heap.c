/* coro-timer-heap.c: a binary min-heap of timers keyed by (deadline, sequence)
 *
 * Each timer knows its index, so cancelling a sleep removes it in O(log n) rather than
 * leaving a tombstone for the dispatcher to skip.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-timer-heap.h"

static inline gboolean
timer_before (const CoroTimer *a,
              const CoroTimer *b)
{
  return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static inline void
heap_set (CoroTimerHeap *heap,
          guint          i,
          CoroTimer     *timer)
{
  heap->items[i] = timer;
  timer->index = i;
}

static void
sift_up (CoroTimerHeap *heap,
         guint          i)
{
  CoroTimer *timer = heap->items[i];

  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (!timer_before (timer, heap->items[parent]))
        break;
      heap_set (heap, i, heap->items[parent]);
      i = parent;
    }
  heap_set (heap, i, timer);
}

static void
sift_down (CoroTimerHeap *heap,
           guint          i)
{
  CoroTimer *timer = heap->items[i];

  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= heap->len)
        break;
      if (child + 1 < heap->len && timer_before (heap->items[child + 1], heap->items[child]))
        child++;
      if (!timer_before (heap->items[child], timer))
        break;
      heap_set (heap, i, heap->items[child]);
      i = child;
    }
  heap_set (heap, i, timer);
}

void
coro_timer_heap_clear (CoroTimerHeap *heap)
{
  for (guint i = 0; i < heap->len; i++)
    heap->items[i]->index = CORO_TIMER_NOT_QUEUED;
  g_clear_pointer (&heap->items, g_free);
  heap->len = heap->alloc = 0;
}

void
coro_timer_heap_push (CoroTimerHeap *heap,
                      CoroTimer     *timer)
{
  g_assert (timer->index == CORO_TIMER_NOT_QUEUED);

  if (heap->len == heap->alloc)
    {
      heap->alloc = MAX (16, heap->alloc * 2);
      heap->items = g_renew (CoroTimer *, heap->items, heap->alloc);
    }
  heap_set (heap, heap->len++, timer);
  sift_up (heap, heap->len - 1);
}

CoroTimer *
coro_timer_heap_pop (CoroTimerHeap *heap)
{
  CoroTimer *top;

  if (heap->len == 0)
    return NULL;

  top = heap->items[0];
  coro_timer_heap_remove (heap, top);
  return top;
}

void
coro_timer_heap_remove (CoroTimerHeap *heap,
                        CoroTimer     *timer)
{
  guint i = timer->index;
  CoroTimer *last;

  if (i == CORO_TIMER_NOT_QUEUED)
    return;

  g_assert (i < heap->len && heap->items[i] == timer);

  timer->index = CORO_TIMER_NOT_QUEUED;
  last = heap->items[--heap->len];
  if (last == timer)
    return;

  heap_set (heap, i, last);
  if (i > 0 && timer_before (last, heap->items[(i - 1) / 2]))
    sift_up (heap, i);
  else
    sift_down (heap, i);
}
