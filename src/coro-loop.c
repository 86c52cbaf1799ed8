/* coro-loop.c: the scheduler of one GMainContext
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-loop-private.h"
#include "coro-future-private.h"
#include "coro-task-private.h"

/**
 * CoroLoop:
 *
 * The scheduler of one [struct@GLib.MainContext]: asyncio's event loop, on GLib.
 *
 * Each context gets exactly one `CoroLoop`, created on first use and kept for the life of
 * the process. It attaches a single [struct@GLib.Source] to the context that owns three
 * things:
 *
 * - a FIFO *ready queue* of callbacks ([method@Coro.Loop.call_soon], done callbacks, task
 *   steps);
 * - a binary *timer heap* ([method@Coro.Loop.call_later], [func@Coro.sleep], timeouts),
 *   which sets the source's poll timeout; there is never one source per timer;
 * - a thread-safe *inbox* ([method@Coro.Loop.call_soon_threadsafe], executor results),
 *   woken with [method@GLib.MainContext.wakeup].
 *
 * The loop runs in *passes*, as asyncio does: a pass runs exactly the callbacks that
 * were ready when it started, and timers that expired become ready at its start.
 * Callbacks scheduled during a pass run in the next one, so `coro_sleep (0)` yields
 * exactly one pass. One dispatch of the source runs several passes, bounded by a budget,
 * so resuming a task does not cost a `poll()` while other sources still get their turn.
 *
 * A loop belongs to the thread that iterates its context. Other threads reach it only
 * through [method@Coro.Loop.call_soon_threadsafe].
 *
 * |[<!-- language="C" -->
 * static void
 * say_hello (gpointer user_data)
 * {
 *   g_print ("hello after %.1f s\n", coro_loop_time (coro_loop_get_default ()) - *(double *) user_data);
 * }
 *
 * double start = coro_loop_time (coro_loop_get_default ());
 * g_autoptr(CoroHandle) handle =
 *   coro_loop_call_later (coro_loop_get_default (), 1.0, say_hello, &start, NULL);
 * ]|
 *
 * Since: 1.0
 */

/**
 * CoroHandle:
 *
 * A scheduled callback, returned by [method@Coro.Loop.call_soon] and friends, which
 * [method@Coro.Handle.cancel] keeps from running. Dropping the last reference to a
 * handle does not cancel it.
 *
 * Since: 1.0
 */

/* A dispatch runs passes until nothing is ready, at most this many, and stops early
 * once it has used this much time, so that other sources of the context get a turn. */
#define DISPATCH_MAX_PASSES 64
#define DISPATCH_MAX_US     2000

/* Ready rings up to this many entries (96 KiB) are kept when they drain. */
#define READY_RING_KEEP 4096

struct _CoroHandle
{
  gint           ref_count; /* atomic: a threadsafe handle is dropped on two threads */
  gboolean       cancelled;
  gboolean       threadsafe; /* lives in the inbox until it moves to the ready queue */
  gboolean       running;    /* an fd watch's callback is running: keep its data */
  gboolean       queued;     /* an fd watch's call is in the ready queue */
  CoroLoop      *loop;
  CoroCallback   callback;
  gpointer       user_data;
  GDestroyNotify destroy;
  gint64         when;     /* a timer handle's deadline, µs; kept after it fired */
  CoroTimer      timer;
};

typedef struct
{
  GSource   source;
  CoroLoop *loop;
} CoroSource;

G_DEFINE_FINAL_TYPE (CoroLoop, coro_loop, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (CoroHandle, coro_handle, coro_handle_ref, coro_handle_unref)

static GMutex      loops_lock;
static GHashTable *loops; /* GMainContext → CoroLoop, both kept for the process's life */

static CORO_THREAD_LOCAL CoroLoop     *running_loop;
static CORO_THREAD_LOCAL GMainContext *cached_context;
static CORO_THREAD_LOCAL CoroLoop     *cached_loop;

static void timer_expired       (gpointer    a,
                                 gpointer    b);
static void handle_run          (gpointer    a,
                                 gpointer    b);
static void handle_run_threadsafe (gpointer  a,
                                   gpointer  b);
static void handle_timer_discard (CoroTimer *timer);
static void drain_inbox         (CoroLoop   *loop);

/* The timers and handles waiting in the inbox and the ready queue hold a reference each,
 * as in the heap: they are discarded. The other entries, steps and done callbacks of
 * futures and tasks, are dropped; what they would have released stays with the futures
 * and tasks that hold it. */
static void
discard_ready (CoroLoop *loop)
{
  CoroReadyRing *ring = &loop->ready;

  drain_inbox (loop);
  while (ring->len > 0)
    {
      CoroReady entry = ring->items[ring->head];

      ring->head = (ring->head + 1) & ring->mask;
      ring->len--;
      if (entry.func == timer_expired)
        coro_timer_discard (entry.a);
      else if (entry.func == handle_run || entry.func == handle_run_threadsafe)
        handle_timer_discard (&((CoroHandle *) entry.a)->timer);
    }
}

/* Takes the pending combinators (gathers, wait_for, wait, shield, as_completed), awaited
 * by tasks or by nobody, off the futures they watch, so that what the tasks' release
 * frees is not kept by the references their waiters hold, and a combinator whose last
 * references are its own waiters' goes. One at a time, each out of the list first, since
 * detaching one can free others. */
static void
detach_watchers (CoroLoop *loop)
{
  while (loop->watchers != NULL)
    {
      CoroWatcherLink *link = loop->watchers;
      gpointer owner = link->owner;

      coro_loop_untrack_watcher (loop, link);
      link->detach (owner);
    }
}

/* Drops the reference the loop holds on each task that has not ended. The tasks stay
 * pending: nothing of theirs runs but their clean-ups, when their last reference goes. */
static void
release_tasks (CoroLoop *loop)
{
  while (loop->tasks != NULL)
    {
      CoroTask *task = loop->tasks;

      g_assert (task->flags & CORO_TASK_SCHEDULED);
      task->flags &= ~CORO_TASK_SCHEDULED;
      coro_loop_unregister_task (loop, task);
      coro_future_unref (CORO_FUTURE (task));
    }
}

static void release_fd_watches (CoroLoop *loop);

static void
coro_loop_finalize (GObject *object)
{
  CoroLoop *self = CORO_LOOP (object);

  /* The loops of coro_loop_get_for_context() live as long as the process; a private
   * loop (from coro_loop_new_for_context() alone) goes with its last reference, and what
   * it still holds with it: queued timers and handles are discarded without running,
   * pending combinators detached from their children, and pending tasks lose the loop's
   * reference, all before the pool their blocks come from. */
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  if (self->fd_source != NULL)
    {
      g_source_destroy (self->fd_source);
      g_clear_pointer (&self->fd_source, g_source_unref);
    }
  release_fd_watches (self);
  discard_ready (self);
  detach_watchers (self);
  coro_timer_heap_clear (&self->timers);
  release_tasks (self);
  if (self->debug_task != NULL)
    coro_future_unref (CORO_FUTURE (g_steal_pointer (&self->debug_task)));
  if (self->exception_destroy != NULL)
    self->exception_destroy (self->exception_data);
  g_clear_pointer (&self->ready.items, g_free);
  g_clear_pointer (&self->inbox, g_array_unref);
  g_mutex_clear (&self->inbox_lock);
  coro_pool_clear (&self->pool);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (coro_loop_parent_class)->finalize (object);
}

static void
coro_loop_class_init (CoroLoopClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = coro_loop_finalize;
}

static void
coro_loop_init (CoroLoop *self)
{
  g_mutex_init (&self->inbox_lock);
  self->inbox = g_array_new (FALSE, FALSE, sizeof (CoroReady));
  coro_pool_init (&self->pool);
  self->virtual_clock = g_strcmp0 (g_getenv ("CORO_VIRTUAL_CLOCK"), "1") == 0;
  self->debug = g_strcmp0 (g_getenv ("CORO_DEBUG"), "1") == 0;
  self->slow_callback_us = G_USEC_PER_SEC / 10;
  self->virtual_now = g_get_monotonic_time ();
}

gint64
coro_loop_now_us (CoroLoop *loop)
{
  return loop->virtual_clock ? loop->virtual_now : g_get_monotonic_time ();
}

/* Ready queue */

void
coro_loop_push_slow (CoroLoop      *loop,
                     CoroReadyFunc  func,
                     gpointer       a,
                     gpointer       b)
{
  CoroReadyRing *ring = &loop->ready;
  guint capacity = ring->items != NULL ? ring->mask + 1 : 0;

  if (ring->len == capacity)
    {
      guint new_capacity = MAX (64, capacity * 2);
      CoroReady *items = g_new (CoroReady, new_capacity);

      for (guint i = 0; i < ring->len; i++)
        items[i] = ring->items[(ring->head + i) & ring->mask];
      g_free (ring->items);
      ring->items = items;
      ring->mask = new_capacity - 1;
      ring->head = 0;
    }
  coro_loop_push (loop, func, a, b);
}

static inline CoroReady
ready_pop (CoroReadyRing *ring)
{
  CoroReady entry = ring->items[ring->head];

  ring->head = (ring->head + 1) & ring->mask;
  ring->len--;
  return entry;
}

/* Timers */

static void
timer_expired (gpointer a,
               gpointer b)
{
  CoroTimer *timer = a;

  timer->klass->fire (timer);
}

void
coro_loop_add_timer (CoroLoop  *loop,
                     CoroTimer *timer,
                     gint64     when_us)
{
  coro_timer_heap_push (&loop->timers, timer, when_us, loop->timer_seq++);
}

/* Takes the timer out of the heap, if it is there, and drops the heap's reference. */
void
coro_loop_remove_timer (CoroLoop  *loop,
                        CoroTimer *timer)
{
  if (timer->index == CORO_TIMER_NOT_QUEUED)
    return;
  coro_timer_heap_remove (&loop->timers, timer);
  timer->klass->unref (timer);
}

/* Moves expired timers to the ready queue, in deadline order, with the reference the
 * heap held on their owners. */
static void
move_expired_timers (CoroLoop *loop,
                     gint64    now)
{
  CoroTimer *timer;

  while (coro_timer_heap_next_when (&loop->timers) <= now)
    {
      timer = coro_timer_heap_pop (&loop->timers);
      /* A sleep's expiry only completes its future, which queues the awaiting task: doing
       * it now saves a trip through the ready queue, and the task runs in this pass. */
      if (timer->klass->fire_at_once)
        timer->klass->fire (timer);
      else
        coro_loop_push (loop, timer_expired, timer, NULL);
    }
}

/* Inbox */

void
coro_loop_post (CoroLoop      *loop,
                CoroReadyFunc  func,
                gpointer       a,
                gpointer       b)
{
  CoroReady entry = { func, a, b };

  g_mutex_lock (&loop->inbox_lock);
  g_array_append_val (loop->inbox, entry);
  g_atomic_int_set (&loop->inbox_pending, 1);
  g_mutex_unlock (&loop->inbox_lock);
  g_main_context_wakeup (loop->context);
}

/* An operation on another thread that will post back: the virtual clock must not jump
 * past it. Released when its posted entry is taken from the inbox. */
void
coro_loop_hold (CoroLoop *loop)
{
  g_atomic_int_inc (&loop->in_flight);
}

static void
drain_inbox (CoroLoop *loop)
{
  GArray *entries;

  if (!g_atomic_int_get (&loop->inbox_pending))
    return;

  g_mutex_lock (&loop->inbox_lock);
  entries = loop->inbox;
  loop->inbox = g_array_new (FALSE, FALSE, sizeof (CoroReady));
  g_atomic_int_set (&loop->inbox_pending, 0);
  g_mutex_unlock (&loop->inbox_lock);

  for (guint i = 0; i < entries->len; i++)
    {
      CoroReady *entry = &g_array_index (entries, CoroReady, i);

      coro_loop_push (loop, entry->func, entry->a, entry->b);
    }
  g_array_unref (entries);
}

/* The source */

static gboolean
source_prepare (GSource *source,
                int     *timeout)
{
  CoroLoop *loop = ((CoroSource *) source)->loop;
  CoroTimer *first;
  gint64 now, trim_at = 0;

  *timeout = -1;
  if (loop->ready.len > 0 || g_atomic_int_get (&loop->inbox_pending))
    {
      *timeout = 0;
      return TRUE;
    }

  /* About to wait: unused pool pages go back a while after a burst (see CoroPool), and
   * the loop wakes up for it if nothing else wakes it first. */
  if G_UNLIKELY (coro_pool_wants_trim (&loop->pool))
    {
      now = g_get_monotonic_time ();
      trim_at = coro_pool_trim (&loop->pool, now);
      if (trim_at != 0)
        *timeout = (int) MIN ((trim_at - now + 999) / 1000, G_MAXINT);
    }

  first = coro_timer_heap_peek (&loop->timers);
  if (first == NULL)
    return FALSE;

  if (loop->virtual_clock)
    {
      if (g_atomic_int_get (&loop->in_flight) > 0)
        return FALSE;
      *timeout = 0;
      return TRUE;
    }

  now = g_get_monotonic_time ();
  if (coro_timer_heap_next_when (&loop->timers) <= now)
    {
      *timeout = 0;
      return TRUE;
    }
  /* Round up: waking early would cost a second poll. */
  *timeout = (int) MIN ((MIN (coro_timer_heap_next_when (&loop->timers),
                              trim_at != 0 ? trim_at : G_MAXINT64) - now + 999) / 1000,
                        G_MAXINT);
  return FALSE;
}

static gboolean
source_check (GSource *source)
{
  int timeout;

  return source_prepare (source, &timeout);
}


static void
clear_debug_task (CoroLoop *loop)
{
  CoroTask *task = g_steal_pointer (&loop->debug_task);

  if (task != NULL)
    coro_future_unref (CORO_FUTURE (task));
}

/* Debug mode: times each entry on the real clock and reports the slow ones. */
static void
run_pass_debug (CoroLoop *loop)
{
  guint n = loop->ready.len;

  while (n-- > 0)
    {
      CoroReady entry = ready_pop (&loop->ready);
      CoroCallback callback = NULL;
      gint64 start, elapsed;

      if (entry.func == handle_run)
        callback = ((CoroHandle *) entry.a)->callback;
      clear_debug_task (loop);
      start = g_get_monotonic_time ();
      entry.func (entry.a, entry.b);
      elapsed = g_get_monotonic_time () - start;

      if (elapsed >= loop->slow_callback_us)
        {
          g_autofree char *message = NULL;
          CoroTask *task = loop->debug_task;

          if (task != NULL)
            message = g_strdup_printf ("Executing a step of task ‘%s’ took %.3f seconds",
                                       coro_task_get_name (task),
                                       elapsed / (double) G_USEC_PER_SEC);
          else if (callback != NULL)
            message = g_strdup_printf ("Executing callback %p took %.3f seconds",
                                       (void *) callback, elapsed / (double) G_USEC_PER_SEC);
          else
            message = g_strdup_printf ("Executing loop entry %p took %.3f seconds",
                                       (void *) entry.func, elapsed / (double) G_USEC_PER_SEC);
          coro_loop_call_exception_handler (loop, message, NULL, (CoroFuture *) task);
        }
      clear_debug_task (loop);
    }
}

static void
run_pass (CoroLoop *loop)
{
  guint n = loop->ready.len;

  loop->passes++;
  if G_UNLIKELY (loop->debug)
    {
      run_pass_debug (loop);
      return;
    }
  while (n-- > 0)
    {
      CoroReady entry = ready_pop (&loop->ready);

      entry.func (entry.a, entry.b);
    }

  /* A burst (a million tasks created at once) grows the ring; once it has drained, give
   * the memory back rather than keep it for the life of the loop. */
  if (loop->ready.len == 0 && loop->ready.mask >= READY_RING_KEEP)
    {
      g_clear_pointer (&loop->ready.items, g_free);
      loop->ready.mask = 0;
      loop->ready.head = 0;
    }
}

static gboolean
source_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  CoroLoop *loop = ((CoroSource *) source)->loop;
  CoroLoop *previous = running_loop;
  gint64 start = g_get_monotonic_time ();
  guint unclocked = 0;

  running_loop = loop;
  loop->dispatching++;

  for (guint pass = 0; pass < DISPATCH_MAX_PASSES; pass++)
    {
      drain_inbox (loop);
      /* A clock read costs as much as a short pass (20-40 ns in a VM): none without
       * timers. */
      if (loop->timers.len > 0)
        move_expired_timers (loop, coro_loop_now_us (loop));

      if (loop->ready.len == 0)
        {
          CoroTimer *first = coro_timer_heap_peek (&loop->timers);

          /* The virtual clock jumps to the next deadline once nothing else can happen
           * first: nothing ready and no thread about to post a result. It jumps only at
           * the start of a dispatch, so that whoever iterates the context (coro_run
           * waiting for its future, other sources) sees each instant before the next,
           * as with real time. */
          if (!loop->virtual_clock || first == NULL || pass > 0 ||
              g_atomic_int_get (&loop->in_flight) > 0)
            break;
          loop->virtual_now = MAX (loop->virtual_now,
                                   coro_timer_heap_next_when (&loop->timers));
          continue;
        }

      unclocked += loop->ready.len;
      run_pass (loop);

      /* The budget: checked after every fourth pass, or sooner after 32 callbacks. */
      if ((unclocked >= 32 || (pass & 3) == 3))
        {
          if (g_get_monotonic_time () - start >= DISPATCH_MAX_US)
            break;
          unclocked = 0;
        }
    }

  loop->dispatching--;
  running_loop = previous;
  return G_SOURCE_CONTINUE;
}

/* Runs the passes that are ready now, called by a source of the same context (stream I/O)
 * right after it completed futures: asyncio runs the callbacks an I/O event made ready in
 * the same loop iteration, and the scheduler source would otherwise wait for one more
 * poll of the context. */
void
coro_loop_run_ready (CoroLoop *loop)
{
  if (loop->dispatching == 0 && running_loop == NULL && loop->ready.len > 0)
    source_dispatch (loop->source, NULL, NULL);
}

static GSourceFuncs source_funcs = {
  .prepare = source_prepare,
  .check = source_check,
  .dispatch = source_dispatch,
};

/* A new loop whose scheduler source is attached to @context. The one that
 * coro_loop_get_for_context() registers lives as long as the process; one nobody
 * registered (the tests' private loops) is finalized with its last reference. */
CoroLoop *
coro_loop_new_for_context (GMainContext *context)
{
  CoroLoop *loop = g_object_new (CORO_TYPE_LOOP, NULL);
  CoroSource *source;

  loop->context = g_main_context_ref (context);
  source = (CoroSource *) g_source_new (&source_funcs, sizeof (CoroSource));
  source->loop = loop;
  g_source_set_static_name ((GSource *) source, "CoroLoop scheduler");
  g_source_set_priority ((GSource *) source, G_PRIORITY_DEFAULT);
  loop->source = (GSource *) source;
  g_source_attach (loop->source, context);
  return loop;
}

CoroLoop *
coro_loop_get_running (void)
{
  return running_loop;
}

/**
 * coro_loop_get_for_context:
 * @context: (nullable): a main context, or %NULL for the global default context
 *
 * Returns the loop of @context, creating it and attaching its scheduler source on first
 * use. The same context always gives the same loop.
 *
 * Returns: (transfer none): the loop of @context
 *
 * Since: 1.0
 */
CoroLoop *
coro_loop_get_for_context (GMainContext *context)
{
  CoroLoop *loop;

  if (context == NULL)
    context = g_main_context_default ();

  if G_LIKELY (context == cached_context)
    return cached_loop;

  g_mutex_lock (&loops_lock);
  if (loops == NULL)
    loops = g_hash_table_new (NULL, NULL);
  loop = g_hash_table_lookup (loops, context);
  if (loop == NULL)
    {
      loop = coro_loop_new_for_context (context);
      g_hash_table_insert (loops, context, loop);
    }
  g_mutex_unlock (&loops_lock);

  cached_context = context;
  cached_loop = loop;
  return loop;
}

/**
 * coro_loop_get_default:
 *
 * Returns the loop of the calling thread's thread-default main context (see
 * [method@GLib.MainContext.push_thread_default]), which is the global default context
 * unless the thread pushed another one.
 *
 * Returns: (transfer none): the loop
 *
 * Since: 1.0
 */
CoroLoop *
coro_loop_get_default (void)
{
  return coro_loop_get_for_context (g_main_context_get_thread_default ());
}

/**
 * coro_loop_get_context:
 * @loop: a #CoroLoop
 *
 * Gets the main context whose iterations run @loop.
 *
 * Returns: (transfer none): the main context @loop schedules on
 *
 * Since: 1.0
 */
GMainContext *
coro_loop_get_context (CoroLoop *loop)
{
  g_return_val_if_fail (CORO_IS_LOOP (loop), NULL);

  return loop->context;
}

/**
 * coro_loop_time:
 * @loop: a #CoroLoop
 *
 * Returns the loop's clock in seconds: monotonic time, or virtual time when the
 * virtual clock is on (see [method@Coro.Loop.set_virtual_clock]). Deadlines given to
 * [method@Coro.Loop.call_at] and [func@Coro.sleep_until] are on this clock.
 *
 * Returns: the loop's time in seconds
 *
 * Since: 1.0
 */
double
coro_loop_time (CoroLoop *loop)
{
  g_return_val_if_fail (CORO_IS_LOOP (loop), 0.0);

  return coro_loop_now_us (loop) / (double) G_USEC_PER_SEC;
}

/**
 * coro_loop_set_virtual_clock:
 * @loop: a #CoroLoop
 * @enabled: whether to use virtual time
 *
 * Switches @loop to a virtual clock, for tests: when nothing is ready and no executor
 * job is running, time jumps straight to the next timer's deadline instead of waiting,
 * so a test of `coro_sleep (3600)` finishes at once with [method@Coro.Loop.time]
 * advanced by exactly 3600 seconds. The virtual clock starts at the current monotonic
 * time. Setting the environment variable `CORO_VIRTUAL_CLOCK=1` turns it on for every
 * loop at creation.
 *
 * Timers already scheduled keep their deadlines.
 *
 * Since: 1.0
 */
void
coro_loop_set_virtual_clock (CoroLoop *loop,
                             gboolean  enabled)
{
  g_return_if_fail (CORO_IS_LOOP (loop));

  enabled = !!enabled;
  if (enabled == loop->virtual_clock)
    return;
  if (enabled)
    loop->virtual_now = MAX (loop->virtual_now, g_get_monotonic_time ());
  loop->virtual_clock = enabled;
  g_main_context_wakeup (loop->context);
}

/**
 * coro_loop_get_virtual_clock:
 * @loop: a #CoroLoop
 *
 * Tells whether @loop runs on the virtual clock; see [method@Coro.Loop.set_virtual_clock].
 *
 * Returns: whether @loop runs on the virtual clock
 *
 * Since: 1.0
 */
gboolean
coro_loop_get_virtual_clock (CoroLoop *loop)
{
  g_return_val_if_fail (CORO_IS_LOOP (loop), FALSE);

  return loop->virtual_clock;
}

/**
 * coro_loop_get_pass_count:
 * @loop: a #CoroLoop
 *
 * Returns how many passes @loop has run, for tests and debugging: a callback scheduled
 * with [method@Coro.Loop.call_soon] runs in the pass after the current one.
 *
 * Returns: the number of passes so far
 *
 * Since: 1.0
 */
guint64
coro_loop_get_pass_count (CoroLoop *loop)
{
  g_return_val_if_fail (CORO_IS_LOOP (loop), 0);

  return loop->passes;
}

/**
 * coro_loop_get_n_futures:
 * @loop: a #CoroLoop
 *
 * Returns how many futures (tasks included) of @loop are alive, for leak checks in
 * tests and bindings.
 *
 * Returns: the number of live futures
 *
 * Since: 1.0
 */
guint
coro_loop_get_n_futures (CoroLoop *loop)
{
  g_return_val_if_fail (CORO_IS_LOOP (loop), 0);

  return loop->n_futures;
}

/* Debug mode */

/**
 * coro_loop_set_debug:
 * @loop: a #CoroLoop
 * @enabled: whether to turn debug mode on
 *
 * Turns debug mode on or off (asyncio's `set_debug`). In debug mode the loop times every
 * callback and task step on the real clock, and one that runs for at least
 * [method@Coro.Loop.get_slow_callback_duration] is reported through the exception
 * handler (see [method@Coro.Loop.set_exception_handler]) with a message such as
 * `Executing a step of task ‘fetch’ took 0.250 seconds` and, for a task, the task as
 * the future; the default handler logs it with `g_warning()`. Setting the environment
 * variable `CORO_DEBUG=1` turns it on for every loop at creation (asyncio's
 * `PYTHONASYNCIODEBUG`). With debug mode off, the watchdog costs one test per pass.
 *
 * Since: 1.0
 */
void
coro_loop_set_debug (CoroLoop *loop,
                     gboolean  enabled)
{
  g_return_if_fail (CORO_IS_LOOP (loop));

  loop->debug = !!enabled;
  if (!enabled)
    clear_debug_task (loop);
}

/**
 * coro_loop_get_debug:
 * @loop: a #CoroLoop
 *
 * Tells whether @loop is in debug mode; see [method@Coro.Loop.set_debug].
 *
 * Returns: whether debug mode is on
 *
 * Since: 1.0
 */
gboolean
coro_loop_get_debug (CoroLoop *loop)
{
  g_return_val_if_fail (CORO_IS_LOOP (loop), FALSE);

  return loop->debug;
}

/**
 * coro_loop_set_slow_callback_duration:
 * @loop: a #CoroLoop
 * @seconds: the threshold in seconds, at least 0
 *
 * Sets how long a callback or task step may run before debug mode reports it
 * (asyncio's `slow_callback_duration`); the default is 0.1 seconds.
 *
 * Since: 1.0
 */
void
coro_loop_set_slow_callback_duration (CoroLoop *loop,
                                      double    seconds)
{
  g_return_if_fail (CORO_IS_LOOP (loop));
  g_return_if_fail (seconds >= 0);

  loop->slow_callback_us = coro_seconds_to_us (seconds);
}

/**
 * coro_loop_get_slow_callback_duration:
 * @loop: a #CoroLoop
 *
 * Gets the threshold of debug mode's slow-callback reports; see
 * [method@Coro.Loop.set_slow_callback_duration].
 *
 * Returns: the threshold in seconds
 *
 * Since: 1.0
 */
double
coro_loop_get_slow_callback_duration (CoroLoop *loop)
{
  g_return_val_if_fail (CORO_IS_LOOP (loop), 0.0);

  return loop->slow_callback_us / (double) G_USEC_PER_SEC;
}

/* Exception handler */

typedef struct
{
  gpointer       data;
  GDestroyNotify destroy;
} ReplacedHandler;

static void
release_replaced_handlers (CoroLoop *loop)
{
  GArray *replaced = g_steal_pointer (&loop->exception_replaced);

  if (replaced == NULL)
    return;
  for (guint i = 0; i < replaced->len; i++)
    {
      ReplacedHandler *old = &g_array_index (replaced, ReplacedHandler, i);

      old->destroy (old->data);
    }
  g_array_unref (replaced);
}

/**
 * coro_loop_set_exception_handler:
 * @loop: a #CoroLoop
 * @handler: (nullable) (scope notified) (closure user_data) (destroy destroy): the new
 *   handler, or %NULL to restore [method@Coro.Loop.default_exception_handler]
 * @user_data: data for @handler
 * @destroy: (nullable): releases @user_data when the handler is replaced
 *
 * Sets the function that receives the errors nobody else can handle (asyncio's
 * `set_exception_handler`): the error of a future or task that was never retrieved
 * when its last reference goes, an error of a leftover task at the end of
 * [func@Coro.run], a slow callback in debug mode. The previous handler's data is
 * released; if that handler is running, once it returns.
 *
 * A handler may read @future (it is borrowed for the call: take a reference to keep
 * it) and may log, count or re-raise the error in its own way; it must not call
 * [method@Coro.Loop.call_exception_handler] for the same report.
 *
 * The "never retrieved" report reaches a handler set here in the loop's next pass, with
 * the future kept alive until then, rather than inside the unref that dropped it: that
 * unref can come from anywhere, such as a binding's garbage collector, which may not let
 * the handler's language run. The default handler logs at once.
 *
 * Since: 1.0
 */
void
coro_loop_set_exception_handler (CoroLoop             *loop,
                                 CoroExceptionHandler  handler,
                                 gpointer              user_data,
                                 GDestroyNotify        destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (CORO_IS_LOOP (loop));

  old_destroy = loop->exception_destroy;
  old_data = loop->exception_data;
  loop->exception_handler = handler;
  loop->exception_data = handler != NULL ? user_data : NULL;
  loop->exception_destroy = handler != NULL ? destroy : NULL;

  if (old_destroy == NULL)
    return;
  if (loop->exception_calls > 0)
    {
      ReplacedHandler old = { old_data, old_destroy };

      if (loop->exception_replaced == NULL)
        loop->exception_replaced = g_array_new (FALSE, FALSE, sizeof (ReplacedHandler));
      g_array_append_val (loop->exception_replaced, old);
      return;
    }
  old_destroy (old_data);
}

/**
 * coro_loop_call_exception_handler:
 * @loop: a #CoroLoop
 * @message: what happened
 * @error: (nullable): the error to report
 * @future: (nullable): the future or task concerned
 *
 * Reports an error through the handler set with
 * [method@Coro.Loop.set_exception_handler], or the default one (asyncio's
 * `call_exception_handler`). Call it on the loop's thread.
 *
 * Since: 1.0
 */
void
coro_loop_call_exception_handler (CoroLoop     *loop,
                                  const char   *message,
                                  const GError *error,
                                  CoroFuture   *future)
{
  g_return_if_fail (CORO_IS_LOOP (loop));
  g_return_if_fail (message != NULL);

  if (loop->exception_handler == NULL)
    {
      coro_loop_default_exception_handler (loop, message, error, future);
      return;
    }

  loop->exception_calls++;
  loop->exception_handler (loop, message, error, future, loop->exception_data);
  if (--loop->exception_calls == 0)
    release_replaced_handlers (loop);
}

/**
 * coro_loop_default_exception_handler:
 * @loop: a #CoroLoop
 * @message: what happened
 * @error: (nullable): the error to report
 * @future: (nullable): the future or task concerned
 *
 * The handler used when none is set: logs one warning (`g_warning()`, log domain
 * `Coro`) with @message, the task's name or the future's kind, and the error, such as
 * `Task exception was never retrieved: task ‘fetch’: Connection refused (g-io-error-quark, 39)`.
 * A custom handler can call it to keep the default report.
 *
 * Since: 1.0
 */
void
coro_loop_default_exception_handler (CoroLoop     *loop,
                                     const char   *message,
                                     const GError *error,
                                     CoroFuture   *future)
{
  g_autoptr(GString) text = NULL;

  g_return_if_fail (CORO_IS_LOOP (loop));
  g_return_if_fail (message != NULL);

  text = g_string_new (message);
  if (future != NULL && coro_future_is_task (future))
    g_string_append_printf (text, ": task ‘%s’", coro_task_get_name ((CoroTask *) future));
  else if (future != NULL)
    g_string_append_printf (text, ": %s %p", future->klass->name, (void *) future);
  if (error != NULL)
    g_string_append_printf (text, ": %s (%s, %d)", error->message,
                            g_quark_to_string (error->domain), error->code);
  g_warning ("%s", text->str);
}

/* Handles */

static CoroHandle *
handle_new (CoroLoop       *loop,
            CoroCallback    callback,
            gpointer        user_data,
            GDestroyNotify  destroy)
{
  CoroHandle *handle = g_new0 (CoroHandle, 1);

  handle->ref_count = 2; /* the caller's, and the queue's until it runs or is cancelled */
  handle->loop = loop;
  handle->callback = callback;
  handle->user_data = user_data;
  handle->destroy = destroy;
  handle->timer.index = CORO_TIMER_NOT_QUEUED;
  return handle;
}

static void
handle_release_callback (CoroHandle *handle)
{
  GDestroyNotify destroy = handle->destroy;
  gpointer user_data = handle->user_data;

  handle->callback = NULL;
  handle->destroy = NULL;
  handle->user_data = NULL;
  if (destroy != NULL)
    destroy (user_data);
}

static void
handle_run (gpointer a,
            gpointer b)
{
  CoroHandle *handle = a;

  if (!handle->cancelled)
    {
      handle->cancelled = TRUE; /* it ran: a later cancel has nothing to stop */
      handle->callback (handle->user_data);
      handle_release_callback (handle);
    }
  coro_handle_unref (handle);
}

#define HANDLE_OF_TIMER(t) ((CoroHandle *) ((guint8 *) (t) - G_STRUCT_OFFSET (CoroHandle, timer)))

static void
handle_timer_fired (CoroTimer *timer)
{
  handle_run (HANDLE_OF_TIMER (timer), NULL);
}

static void
handle_timer_unref (CoroTimer *timer)
{
  coro_handle_unref (HANDLE_OF_TIMER (timer));
}

/* Its loop goes away: as a cancellation, the callback never runs and its data goes. */
static void
handle_timer_discard (CoroTimer *timer)
{
  CoroHandle *handle = HANDLE_OF_TIMER (timer);

  handle->cancelled = TRUE;
  handle_release_callback (handle);
  coro_handle_unref (handle);
}

static const CoroTimerClass handle_timer_class = {
  .fire = handle_timer_fired,
  .unref = handle_timer_unref,
  .discard = handle_timer_discard,
};

/**
 * coro_handle_ref: (skip)
 * @handle: a #CoroHandle
 *
 * Takes a reference on @handle.
 *
 * Returns: (transfer full): @handle
 *
 * Since: 1.0
 */
CoroHandle *
coro_handle_ref (CoroHandle *handle)
{
  g_return_val_if_fail (handle != NULL, NULL);

  g_atomic_int_inc (&handle->ref_count);
  return handle;
}

/**
 * coro_handle_unref: (skip)
 * @handle: (transfer full): a #CoroHandle
 *
 * Drops a reference. The callback still runs unless it was cancelled.
 *
 * Since: 1.0
 */
void
coro_handle_unref (CoroHandle *handle)
{
  g_return_if_fail (handle != NULL);

  if (!g_atomic_int_dec_and_test (&handle->ref_count))
    return;
  g_assert (handle->timer.index == CORO_TIMER_NOT_QUEUED);
  g_free (handle);
}

/**
 * coro_handle_cancel:
 * @handle: a #CoroHandle
 *
 * Keeps the callback from running, if it has not run yet, and releases its data with
 * its destroy notify. Cancelling twice, or after the callback ran, does nothing.
 *
 * Since: 1.0
 */
void
coro_handle_cancel (CoroHandle *handle)
{
  g_return_if_fail (handle != NULL);

  if (handle->cancelled)
    return;
  handle->cancelled = TRUE;

  /* In the heap it is taken out now; in the ready queue or the inbox, the entry keeps
   * its reference and skips the call. */
  handle_release_callback (handle);
  if (handle->timer.index != CORO_TIMER_NOT_QUEUED)
    coro_loop_remove_timer (handle->loop, &handle->timer);
}

/**
 * coro_handle_cancelled:
 * @handle: a #CoroHandle
 *
 * Tells whether the handle can still run its callback.
 *
 * Returns: %TRUE if the handle was cancelled or its callback already ran
 *
 * Since: 1.0
 */
gboolean
coro_handle_cancelled (CoroHandle *handle)
{
  g_return_val_if_fail (handle != NULL, FALSE);

  return handle->cancelled;
}

/**
 * coro_handle_when:
 * @handle: a #CoroHandle
 *
 * Gets the deadline of a timer handle.
 *
 * Returns: the time, on [method@Coro.Loop.time]'s clock, at which a timer handle is
 *   due, or -1 for a handle made by [method@Coro.Loop.call_soon]
 *
 * Since: 1.0
 */
double
coro_handle_when (CoroHandle *handle)
{
  g_return_val_if_fail (handle != NULL, -1.0);

  if (handle->timer.klass == NULL)
    return -1.0;
  return handle->when / (double) G_USEC_PER_SEC;
}

/**
 * coro_loop_call_soon:
 * @loop: a #CoroLoop
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): releases @user_data after @callback ran or was cancelled
 *
 * Schedules @callback to run in the loop's next pass, after every callback already
 * scheduled (asyncio's `call_soon`).
 *
 * Returns: (transfer full): a handle that can cancel the call
 *
 * Since: 1.0
 */
CoroHandle *
coro_loop_call_soon (CoroLoop       *loop,
                     CoroCallback    callback,
                     gpointer        user_data,
                     GDestroyNotify  destroy)
{
  CoroHandle *handle;

  g_return_val_if_fail (CORO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  handle = handle_new (loop, callback, user_data, destroy);
  coro_loop_push (loop, handle_run, handle, NULL);
  return handle;
}

/**
 * coro_loop_call_at:
 * @loop: a #CoroLoop
 * @when: the deadline, in seconds on [method@Coro.Loop.time]'s clock
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): releases @user_data after @callback ran or was cancelled
 *
 * Schedules @callback to run once the loop's time reaches @when. Callbacks with equal
 * deadlines run in the order they were scheduled.
 *
 * Returns: (transfer full): a handle that can cancel the call
 *
 * Since: 1.0
 */
CoroHandle *
coro_loop_call_at (CoroLoop       *loop,
                   double          when,
                   CoroCallback    callback,
                   gpointer        user_data,
                   GDestroyNotify  destroy)
{
  CoroHandle *handle;

  g_return_val_if_fail (CORO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (!isnan (when), NULL);

  handle = handle_new (loop, callback, user_data, destroy);
  handle->timer.klass = &handle_timer_class;
  handle->when = coro_seconds_to_us (when);
  coro_loop_add_timer (loop, &handle->timer, handle->when);
  return handle;
}

/**
 * coro_loop_call_later:
 * @loop: a #CoroLoop
 * @delay: seconds from now; zero or less means the next pass that handles timers
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): releases @user_data after @callback ran or was cancelled
 *
 * Schedules @callback to run after @delay seconds (asyncio's `call_later`).
 *
 * Returns: (transfer full): a handle that can cancel the call
 *
 * Since: 1.0
 */
CoroHandle *
coro_loop_call_later (CoroLoop       *loop,
                      double          delay,
                      CoroCallback    callback,
                      gpointer        user_data,
                      GDestroyNotify  destroy)
{
  CoroHandle *handle;

  g_return_val_if_fail (CORO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (!isnan (delay), NULL);

  handle = handle_new (loop, callback, user_data, destroy);
  handle->timer.klass = &handle_timer_class;
  handle->when = coro_loop_now_us (loop) + coro_seconds_to_us (delay);
  coro_loop_add_timer (loop, &handle->timer, handle->when);
  return handle;
}

static void
handle_run_threadsafe (gpointer a,
                       gpointer b)
{
  CoroHandle *handle = a;

  /* Cancelling from another thread is not supported; the flag is read here only. */
  handle_run (handle, NULL);
}

/**
 * coro_loop_call_soon_threadsafe:
 * @loop: a #CoroLoop
 * @callback: (scope notified) (closure user_data) (destroy destroy): the callback
 * @user_data: data for @callback
 * @destroy: (nullable): releases @user_data after @callback ran or was cancelled
 *
 * Schedules @callback from any thread; it runs on the loop's thread in a coming pass and
 * wakes the loop if it is waiting. This is the only loop function other threads may call.
 * The returned handle may be cancelled only from the loop's thread.
 *
 * Returns: (transfer full): a handle for the call
 *
 * Since: 1.0
 */
CoroHandle *
coro_loop_call_soon_threadsafe (CoroLoop       *loop,
                                CoroCallback    callback,
                                gpointer        user_data,
                                GDestroyNotify  destroy)
{
  CoroHandle *handle;

  g_return_val_if_fail (CORO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  handle = g_new0 (CoroHandle, 1);
  handle->ref_count = 2;
  handle->loop = loop;
  handle->callback = callback;
  handle->user_data = user_data;
  handle->destroy = destroy;
  handle->threadsafe = TRUE;
  handle->timer.index = CORO_TIMER_NOT_QUEUED;
  coro_loop_post (loop, handle_run_threadsafe, handle, NULL);
  return handle;
}

/* File descriptor watches */

/* One GPollFD on the loop's fd source per fd, shared by its reader and writer and owned
 * by the watch: as in coro-fd-source.c, changing the events it asks for is a store that
 * the next poll reads, where g_source_add_unix_fd(), _modify_unix_fd() and _remove_unix_fd()
 * each wake the context (a write and a read of its eventfd, and one more poll). A watch
 * left with neither reader nor writer stays polled, asking for nothing, so that watching
 * the fd again (each wait_readable()) costs nothing either; up to IDLE_WATCHES_KEPT of
 * them, each gone at its fd's first hang-up, error or closing. A watch is repeating, so
 * its handle is not marked as run. */
typedef struct
{
  GPollFD     pollfd;
  gboolean    idle;
  CoroHandle *reader;
  CoroHandle *writer;
} FdWatch;

#define IDLE_WATCHES_KEPT 64
#define FD_TROUBLE (G_IO_HUP | G_IO_ERR | G_IO_NVAL)

#define READ_CONDITIONS  (G_IO_IN | G_IO_PRI | G_IO_HUP | G_IO_ERR | G_IO_NVAL)
#define WRITE_CONDITIONS (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL)

static void
fd_watch_run (gpointer a,
              gpointer b)
{
  CoroHandle *handle = a;

  handle->queued = FALSE;
  if (!handle->cancelled)
    {
      handle->running = TRUE;
      handle->callback (handle->user_data);
      handle->running = FALSE;
      /* Removed or replaced by its own callback: its data outlived the call. */
      if (handle->cancelled)
        handle_release_callback (handle);
    }
  coro_handle_unref (handle);
}

static void
fd_watch_queue (CoroLoop   *loop,
                CoroHandle *handle)
{
  handle->queued = TRUE;
  coro_loop_push (loop, fd_watch_run, coro_handle_ref (handle), NULL);
}

static gboolean
fd_watches_ready (CoroLoop *loop)
{
  GHashTableIter iter;
  FdWatch *watch;

  g_hash_table_iter_init (&iter, loop->fd_watches);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watch))
    if (watch->pollfd.revents & (watch->pollfd.events | FD_TROUBLE))
      return TRUE;
  return FALSE;
}

static void
fd_watches_forget_if_empty (CoroLoop *loop)
{
  if (g_hash_table_size (loop->fd_watches) == 0)
    g_clear_pointer (&loop->fd_watches, g_hash_table_unref);
}

static void
collect_fd_events (CoroLoop *loop)
{
  GHashTableIter iter;
  FdWatch *watch;

  g_hash_table_iter_init (&iter, loop->fd_watches);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watch))
    {
      GIOCondition revents = watch->pollfd.revents;

      if (watch->idle && (revents & FD_TROUBLE))
        {
          /* Hung up, failed or closed with nobody watching: poll () would report it
           * again at every iteration. */
          g_source_remove_poll (loop->fd_source, &watch->pollfd);
          g_hash_table_iter_remove (&iter);
          loop->n_idle_fd_watches--;
          g_free (watch);
          continue;
        }
      /* As asyncio's selectors: a hang-up or an error wakes both directions. A call
       * still queued (the loop ran no pass since) is not queued twice. */
      if (watch->reader != NULL && (revents & READ_CONDITIONS) && !watch->reader->queued)
        fd_watch_queue (loop, watch->reader);
      if (watch->writer != NULL && (revents & WRITE_CONDITIONS) && !watch->writer->queued)
        fd_watch_queue (loop, watch->writer);
    }
  fd_watches_forget_if_empty (loop);
}

/* The fds' own source: it can recurse, because it runs no callback itself (it queues
 * them, then runs the ready passes as a stream's source does), and a source that cannot
 * has its fds taken out of the poll set around each of its dispatches, each time a write
 * to the context's wake-up eventfd. */
static gboolean
fd_source_check (GSource *source)
{
  CoroLoop *loop = ((CoroSource *) source)->loop;

  return loop->fd_watches != NULL && fd_watches_ready (loop);
}

static gboolean
fd_source_dispatch (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  CoroLoop *loop = ((CoroSource *) source)->loop;

  if (loop->fd_watches != NULL)
    collect_fd_events (loop);
  coro_loop_run_ready (loop);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs fd_source_funcs = {
  .check = fd_source_check,
  .dispatch = fd_source_dispatch,
};

static void
drop_watch_handle (CoroHandle *handle)
{
  /* An entry already queued holds a reference and skips the call. */
  handle->cancelled = TRUE;
  if (!handle->running)
    handle_release_callback (handle);
  coro_handle_unref (handle);
}

/* The loop goes away (its source is gone): the watches release their callbacks' data. */
static void
release_fd_watches (CoroLoop *loop)
{
  GHashTableIter iter;
  FdWatch *watch;

  if (loop->fd_watches == NULL)
    return;
  g_hash_table_iter_init (&iter, loop->fd_watches);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &watch))
    {
      if (watch->reader != NULL)
        drop_watch_handle (g_steal_pointer (&watch->reader));
      if (watch->writer != NULL)
        drop_watch_handle (g_steal_pointer (&watch->writer));
      g_free (watch);
    }
  g_clear_pointer (&loop->fd_watches, g_hash_table_unref);
  loop->n_idle_fd_watches = 0;
}

static void
fd_watch_update (CoroLoop *loop,
                 int       fd,
                 FdWatch  *watch)
{
  GIOCondition events = 0;

  if (watch->reader != NULL)
    events |= G_IO_IN | G_IO_PRI;
  if (watch->writer != NULL)
    events |= G_IO_OUT;

  if (events == 0 && !watch->idle)
    {
      if (loop->n_idle_fd_watches >= IDLE_WATCHES_KEPT)
        {
          g_source_remove_poll (loop->fd_source, &watch->pollfd);
          g_hash_table_remove (loop->fd_watches, GINT_TO_POINTER (fd));
          g_free (watch);
          fd_watches_forget_if_empty (loop);
          return;
        }
      watch->idle = TRUE;
      loop->n_idle_fd_watches++;
    }
  else if (events != 0 && watch->idle)
    {
      watch->idle = FALSE;
      loop->n_idle_fd_watches--;
    }
  if (watch->pollfd.events == events)
    return;
  watch->pollfd.events = events;
  /* The thread iterating the context reads it before its next poll; another must wake it. */
  if (!g_main_context_is_owner (loop->context))
    g_main_context_wakeup (loop->context);
}

static void
add_fd_callback (CoroLoop       *loop,
                 int             fd,
                 gboolean        write,
                 CoroCallback    callback,
                 gpointer        user_data,
                 GDestroyNotify  destroy)
{
  CoroHandle *handle = g_new0 (CoroHandle, 1);
  CoroHandle **slot;
  FdWatch *watch;

  handle->ref_count = 1; /* the watch's */
  handle->loop = loop;
  handle->callback = callback;
  handle->user_data = user_data;
  handle->destroy = destroy;
  handle->timer.index = CORO_TIMER_NOT_QUEUED;

  if (loop->fd_source == NULL)
    {
      loop->fd_source = g_source_new (&fd_source_funcs, sizeof (CoroSource));
      ((CoroSource *) loop->fd_source)->loop = loop;
      g_source_set_static_name (loop->fd_source, "CoroLoop fd watches");
      g_source_set_can_recurse (loop->fd_source, TRUE);
      g_source_attach (loop->fd_source, loop->context);
    }
  if (loop->fd_watches == NULL)
    loop->fd_watches = g_hash_table_new (NULL, NULL);
  watch = g_hash_table_lookup (loop->fd_watches, GINT_TO_POINTER (fd));
  if (watch == NULL)
    {
      watch = g_new0 (FdWatch, 1);
      watch->pollfd.fd = fd;
      g_source_add_poll (loop->fd_source, &watch->pollfd);
      g_hash_table_insert (loop->fd_watches, GINT_TO_POINTER (fd), watch);
    }

  slot = write ? &watch->writer : &watch->reader;
  if (*slot != NULL)
    drop_watch_handle (*slot);
  *slot = handle;
  fd_watch_update (loop, fd, watch);
}

static gboolean
remove_fd_callback (CoroLoop *loop,
                    int       fd,
                    gboolean  write)
{
  FdWatch *watch;
  CoroHandle **slot;

  if (loop->fd_watches == NULL)
    return FALSE;
  watch = g_hash_table_lookup (loop->fd_watches, GINT_TO_POINTER (fd));
  if (watch == NULL)
    return FALSE;
  slot = write ? &watch->writer : &watch->reader;
  if (*slot == NULL)
    return FALSE;
  drop_watch_handle (g_steal_pointer (slot));
  fd_watch_update (loop, fd, watch);
  return TRUE;
}

/**
 * coro_loop_add_reader:
 * @loop: a #CoroLoop
 * @fd: a file descriptor, such as a socket or a pipe's read end
 * @callback: (scope notified) (closure user_data) (destroy destroy): called in a pass
 *   of the loop each time @fd is readable (or hung up, or in error)
 * @user_data: data for @callback
 * @destroy: (nullable): releases @user_data when the reader is removed or replaced
 *
 * Watches @fd for reading (asyncio's `add_reader`). The callback runs from the ready
 * queue for as long as @fd stays readable, so it should read or remove itself. Adding a
 * reader to an fd that has one replaces it, releasing the old data. Each fd takes one
 * watch on the loop's fd source, shared with its writer.
 *
 * Remove the reader before closing @fd. The virtual clock does not wait for I/O.
 *
 * Since: 1.0
 */
void
coro_loop_add_reader (CoroLoop       *loop,
                      int             fd,
                      CoroCallback    callback,
                      gpointer        user_data,
                      GDestroyNotify  destroy)
{
  g_return_if_fail (CORO_IS_LOOP (loop));
  g_return_if_fail (fd >= 0);
  g_return_if_fail (callback != NULL);

  add_fd_callback (loop, fd, FALSE, callback, user_data, destroy);
}

/**
 * coro_loop_remove_reader:
 * @loop: a #CoroLoop
 * @fd: a file descriptor
 *
 * Stops watching @fd for reading (asyncio's `remove_reader`), releasing the reader's
 * data. A call already queued for this pass does not run.
 *
 * Returns: %TRUE if @fd had a reader
 *
 * Since: 1.0
 */
gboolean
coro_loop_remove_reader (CoroLoop *loop,
                         int       fd)
{
  g_return_val_if_fail (CORO_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (fd >= 0, FALSE);

  return remove_fd_callback (loop, fd, FALSE);
}

/**
 * coro_loop_add_writer:
 * @loop: a #CoroLoop
 * @fd: a file descriptor, such as a socket or a pipe's write end
 * @callback: (scope notified) (closure user_data) (destroy destroy): called in a pass
 *   of the loop each time @fd is writable (or hung up, or in error)
 * @user_data: data for @callback
 * @destroy: (nullable): releases @user_data when the writer is removed or replaced
 *
 * Watches @fd for writing (asyncio's `add_writer`); see [method@Coro.Loop.add_reader].
 *
 * Since: 1.0
 */
void
coro_loop_add_writer (CoroLoop       *loop,
                      int             fd,
                      CoroCallback    callback,
                      gpointer        user_data,
                      GDestroyNotify  destroy)
{
  g_return_if_fail (CORO_IS_LOOP (loop));
  g_return_if_fail (fd >= 0);
  g_return_if_fail (callback != NULL);

  add_fd_callback (loop, fd, TRUE, callback, user_data, destroy);
}

/**
 * coro_loop_remove_writer:
 * @loop: a #CoroLoop
 * @fd: a file descriptor
 *
 * Stops watching @fd for writing (asyncio's `remove_writer`), releasing the writer's
 * data.
 *
 * Returns: %TRUE if @fd had a writer
 *
 * Since: 1.0
 */
gboolean
coro_loop_remove_writer (CoroLoop *loop,
                         int       fd)
{
  g_return_val_if_fail (CORO_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (fd >= 0, FALSE);

  return remove_fd_callback (loop, fd, TRUE);
}

/* A future completed by the fd's reader or writer slot, which it occupies until then. */
typedef struct
{
  CoroFuture parent;
  int        fd;
  gboolean   write;
  gboolean   watching;
} FdWaitFuture;

static gboolean
fd_wait_cancel (CoroFuture *future,
                const char *msg)
{
  FdWaitFuture *self = (FdWaitFuture *) future;

  if (self->watching)
    {
      self->watching = FALSE;
      remove_fd_callback (future->loop, self->fd, self->write);
    }
  return coro_future_cancel_default (future, msg);
}

static const CoroFutureClass fd_wait_class = {
  .name = "FdWait",
  .cancel = fd_wait_cancel,
};

static void
fd_wait_ready (gpointer user_data)
{
  FdWaitFuture *self = user_data;

  coro_future_set_none (&self->parent, NULL);
  self->watching = FALSE;
  remove_fd_callback (self->parent.loop, self->fd, self->write);
}

/* The watch's data: released when the slot is given up, or taken by another callback. */
static void
fd_wait_released (gpointer user_data)
{
  FdWaitFuture *self = user_data;

  if (self->watching)
    {
      self->watching = FALSE;
      coro_future_cancel (&self->parent, "Another callback took over the file descriptor");
    }
  coro_future_unref (&self->parent);
}

static CoroFuture *
fd_wait_new (CoroLoop *loop,
             int       fd,
             gboolean  write)
{
  FdWaitFuture *self = coro_future_alloc (loop, &fd_wait_class, sizeof (FdWaitFuture));

  self->fd = fd;
  self->write = write;
  add_fd_callback (loop, fd, write, fd_wait_ready, coro_future_ref (&self->parent),
                   fd_wait_released);
  self->watching = TRUE;
  return &self->parent;
}

/**
 * coro_loop_wait_readable:
 * @loop: a #CoroLoop
 * @fd: a file descriptor
 *
 * Returns a future that completes (with no value) once @fd is readable, hung up or in
 * error: [method@Coro.Loop.add_reader] as something to await. Until then it occupies
 * @fd's reader: adding another reader cancels it, and cancelling it removes it.
 *
 * Returns: (transfer full): the wait
 *
 * Since: 1.0
 */
CoroFuture *
coro_loop_wait_readable (CoroLoop *loop,
                         int       fd)
{
  g_return_val_if_fail (CORO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (fd >= 0, NULL);

  return fd_wait_new (loop, fd, FALSE);
}

/**
 * coro_loop_wait_writable:
 * @loop: a #CoroLoop
 * @fd: a file descriptor
 *
 * Returns a future that completes once @fd is writable, hung up or in error; see
 * [method@Coro.Loop.wait_readable]. It occupies @fd's writer until then.
 *
 * Returns: (transfer full): the wait
 *
 * Since: 1.0
 */
CoroFuture *
coro_loop_wait_writable (CoroLoop *loop,
                         int       fd)
{
  g_return_val_if_fail (CORO_IS_LOOP (loop), NULL);
  g_return_val_if_fail (fd >= 0, NULL);

  return fd_wait_new (loop, fd, TRUE);
}

/* Tasks */

void
coro_loop_register_task (CoroLoop *loop,
                         CoroTask *task)
{
  task->loop_prev = NULL;
  task->loop_next = loop->tasks;
  if (loop->tasks != NULL)
    loop->tasks->loop_prev = task;
  loop->tasks = task;
  loop->n_tasks++;
}

void
coro_loop_unregister_task (CoroLoop *loop,
                           CoroTask *task)
{
  if (task->loop_prev != NULL)
    task->loop_prev->loop_next = task->loop_next;
  else
    loop->tasks = task->loop_next;
  if (task->loop_next != NULL)
    task->loop_next->loop_prev = task->loop_prev;
  task->loop_prev = task->loop_next = NULL;
  loop->n_tasks--;
}

/* Combinators */

void
coro_loop_track_watcher (CoroLoop        *loop,
                         CoroWatcherLink *link,
                         void           (*detach) (gpointer owner),
                         gpointer         owner)
{
  link->detach = detach;
  link->owner = owner;
  link->prev = NULL;
  link->next = loop->watchers;
  if (loop->watchers != NULL)
    loop->watchers->prev = link;
  loop->watchers = link;
}

static void
detach_future (gpointer owner)
{
  coro_future_detach (owner);
}

/* A combinator that is a future: coro_future_detach() it. */
void
coro_loop_track_future (CoroLoop        *loop,
                        CoroWatcherLink *link,
                        CoroFuture      *future)
{
  coro_loop_track_watcher (loop, link, detach_future, future);
}

/* Idempotent: a link already taken out is left alone. */
void
coro_loop_untrack_watcher (CoroLoop        *loop,
                           CoroWatcherLink *link)
{
  if (link->owner == NULL)
    return;
  if (link->prev != NULL)
    link->prev->next = link->next;
  else
    loop->watchers = link->next;
  if (link->next != NULL)
    link->next->prev = link->prev;
  link->prev = link->next = NULL;
  link->owner = NULL;
}

/* coro_run */

static void
run_done (CoroFuture *future,
          gpointer    user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
run_until_done (GMainContext *context,
                CoroFuture   *future)
{
  gboolean done = FALSE;

  coro_future_add_waiter (future, run_done, &done);
  while (!done)
    g_main_context_iteration (context, TRUE);
}

static void
cancel_leftover_tasks (CoroLoop     *loop,
                       GMainContext *context)
{
  while (loop->n_tasks > 0)
    {
      g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) coro_future_unref);
      g_autoptr(CoroFuture) all = NULL;

      for (CoroTask *task = loop->tasks; task != NULL; task = task->loop_next)
        g_ptr_array_add (tasks, coro_future_ref (CORO_FUTURE (task)));
      for (guint i = 0; i < tasks->len; i++)
        coro_future_cancel (g_ptr_array_index (tasks, i), NULL);

      all = coro_gatherv ((CoroFuture **) tasks->pdata, tasks->len, CORO_GATHER_RETURN_EXCEPTIONS);
      run_until_done (context, all);

      /* The gather retrieved their errors; a task that failed otherwise than by the
       * cancellation is reported, as asyncio.run() does. */
      for (guint i = 0; i < tasks->len; i++)
        {
          CoroFuture *task = g_ptr_array_index (tasks, i);

          if (task->state == CORO_FUTURE_FINISHED && task->error != NULL &&
              !coro_error_is_cancellation (task->error))
            coro_loop_call_exception_handler (loop, "Unhandled error during coro_run() shutdown",
                                              task->error, task);
        }
    }
}

/**
 * coro_run:
 * @future: (transfer full): the future to run until it is done, typically the main task
 * @error: return location for the future's error
 *
 * Runs the calling thread's thread-default main context until @future is done, like
 * asyncio's `run (main ())`. When @future is done, every done callback registered on it
 * before this returns has run; then every task of the loop that is still pending is
 * cancelled and the loop runs until they have all finished. The loop stays usable: a
 * later `coro_run` works.
 *
 * Calling it from inside a running loop (a step or a callback) is an error.
 *
 * SIGINT (Ctrl-C) is handled as asyncio's `Runner` does (Python 3.11+): while the run
 * lasts, the first SIGINT cancels @future, and if @future ends cancelled the run fails
 * with %CORO_ERROR_CANCELLED "Interrupted by SIGINT"; a second SIGINT, or one after
 * @future is done, gets the default disposition and ends the process. This applies only
 * when SIGINT has its default disposition and the loop has no SIGINT handler of its own
 * ([method@Coro.Loop.add_signal_handler]); the default disposition is back when the run
 * returns.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GError) error = NULL;
 *
 * if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_step, Main)), &error))
 *   g_printerr ("%s\n", error->message);
 * ]|
 *
 * Returns: %TRUE if @future succeeded; %FALSE with its error if it failed, or with
 *   %CORO_ERROR_CANCELLED if it was cancelled
 *
 * Since: 1.0
 */
gboolean
coro_run (CoroFuture  *future,
          GError     **error)
{
  g_autoptr(CoroFuture) owned = future;
  CoroSigintGuard *sigint;
  gboolean interrupted;
  GMainContext *context;
  CoroLoop *loop;

  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  context = g_main_context_ref_thread_default ();
  loop = coro_loop_get_for_context (context);

  if (loop->dispatching > 0 || running_loop != NULL)
    {
      g_main_context_unref (context);
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                           "coro_run() cannot be called from a running loop");
      return FALSE;
    }

  if (future->loop != loop)
    {
      g_main_context_unref (context);
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                           "coro_run() was given a future of another loop");
      return FALSE;
    }

  sigint = coro_sigint_guard_new (loop, future);
  run_until_done (context, future);
  cancel_leftover_tasks (loop, context);
  /* A dispatch that stopped at its budget leaves queued the callbacks registered on the
   * done future (by its own callbacks, or by the leftovers' clean-ups); a waiter added
   * now runs after them. */
  if (loop->ready.len > 0)
    run_until_done (context, future);
  interrupted = coro_sigint_guard_free (sigint);
  g_main_context_unref (context);

  if (interrupted && coro_future_cancelled (future))
    {
      /* asyncio raises KeyboardInterrupt: the cancellation is the interruption. */
      coro_future_propagate (future, NULL);
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_CANCELLED, "Interrupted by SIGINT");
      return FALSE;
    }
  return coro_future_propagate (future, error);
}
