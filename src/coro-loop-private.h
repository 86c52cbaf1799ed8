/* coro-loop-private.h: the scheduler's internals shared with futures and tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <math.h>

#include "coro.h"
#include "coro-arena.h"
#include "coro-timer-heap.h"

G_BEGIN_DECLS

/* Thread-local state: C11 _Thread_local as GCC and Clang spell it. */
/* initial-exec: a hot-path access is one %fs-relative load instead of a call to
 * __tls_get_addr. The few bytes come from the static TLS surplus glibc keeps for
 * libraries loaded with dlopen() (as by PyGObject and GJS). */
#define CORO_THREAD_LOCAL __thread __attribute__ ((tls_model ("initial-exec")))

/* One entry of the ready queue: func (a, b). Entries are plain values in a ring, so
 * scheduling allocates nothing once the ring has grown to the loop's working size. */
/* Links a combinator that watches other futures (gather, shield, wait, wait_for,
 * as_completed) into its loop's list: such a combinator and its children hold each other
 * (its waiters on them hold it), so when a private loop goes away it calls @detach on
 * the ones still linked, and one that nobody awaits is not left in a cycle. */
typedef struct _CoroWatcherLink CoroWatcherLink;
struct _CoroWatcherLink
{
  CoroWatcherLink *prev;
  CoroWatcherLink *next;
  void           (*detach) (gpointer owner);
  gpointer         owner; /* NULL while not linked */
};

typedef void (*CoroReadyFunc) (gpointer a,
                               gpointer b);

typedef struct
{
  CoroReadyFunc func;
  gpointer      a;
  gpointer      b;
} CoroReady;

typedef struct
{
  CoroReady *items;
  guint      mask; /* capacity - 1, capacity a power of two */
  guint      head;
  guint      len;
} CoroReadyRing;

struct _CoroLoop
{
  GObject        parent_instance;

  GMainContext  *context;
  GSource       *source;

  CoroReadyRing  ready;
  CoroTimerHeap  timers;
  guint32        timer_seq;
  guint          next_task_id;  /* numbers the default task names, Task-1, Task-2… */
  guint64        passes;

  /* call_soon_threadsafe and executor completions */
  GMutex         inbox_lock;
  GArray        *inbox;
  gint           inbox_pending; /* atomic */
  gint           in_flight;     /* atomic: executor jobs not yet delivered */

  gboolean       virtual_clock;
  gint64         virtual_now;

  CoroPool       pool;
  guint          n_futures; /* alive, tasks included: for leak checks */

  /* pending tasks, for coro_all_tasks() and coro_run()'s clean-up */
  CoroTask      *tasks;
  guint          n_tasks;
  CoroWatcherLink *watchers; /* see CoroWatcherLink */

  guint          dispatching;

  /* set_exception_handler; NULL for the default */
  CoroExceptionHandler exception_handler;
  gpointer       exception_data;
  GDestroyNotify exception_destroy;
  guint          exception_calls; /* handlers running now */
  GArray        *exception_replaced; /* their data, released once they return */

  /* add_reader/add_writer: fd → FdWatch, NULL until the first; their own source */
  GHashTable    *fd_watches;
  GSource       *fd_source;
  guint          n_idle_fd_watches; /* kept polled with neither reader nor writer */
  /* add_signal_handler: signum → SignalWatch, NULL until the first */
  GHashTable    *signal_watches;

  /* debug mode: the slow-callback watchdog */
  gboolean       debug;
  gint64         slow_callback_us;
  CoroTask      *debug_task; /* a task stepped by the entry being timed, with a ref */

  /* run_in_executor, to_thread: created on first use */
  struct _CoroExecutor *default_executor;
  gboolean       default_executor_shutdown;
};

void      coro_loop_push_slow      (CoroLoop      *loop,
                                    CoroReadyFunc  func,
                                    gpointer       a,
                                    gpointer       b);

/* Appends to the ready queue: runs in the next pass. */
static inline void
coro_loop_push (CoroLoop      *loop,
                CoroReadyFunc  func,
                gpointer       a,
                gpointer       b)
{
  CoroReadyRing *ring = &loop->ready;

  if G_LIKELY (ring->items != NULL && ring->len <= ring->mask)
    {
      CoroReady *slot = &ring->items[(ring->head + ring->len) & ring->mask];

      slot->func = func;
      slot->a = a;
      slot->b = b;
      ring->len++;
      return;
    }
  coro_loop_push_slow (loop, func, a, b);
}

gint64    coro_loop_now_us         (CoroLoop      *loop);
void      coro_loop_add_timer      (CoroLoop      *loop,
                                    CoroTimer     *timer,
                                    gint64         when_us);
void      coro_loop_remove_timer   (CoroLoop      *loop,
                                    CoroTimer     *timer);
void      coro_loop_post           (CoroLoop      *loop,
                                    CoroReadyFunc  func,
                                    gpointer       a,
                                    gpointer       b);
void      coro_loop_hold           (CoroLoop      *loop);
void      coro_loop_run_ready      (CoroLoop      *loop);
void      coro_loop_register_task  (CoroLoop      *loop,
                                    CoroTask      *task);
void      coro_loop_unregister_task(CoroLoop      *loop,
                                    CoroTask      *task);
void      coro_loop_track_watcher  (CoroLoop        *loop,
                                    CoroWatcherLink *link,
                                    void           (*detach) (gpointer owner),
                                    gpointer         owner);
void      coro_loop_track_future   (CoroLoop        *loop,
                                    CoroWatcherLink *link,
                                    CoroFuture      *future);
void      coro_loop_untrack_watcher (CoroLoop       *loop,
                                    CoroWatcherLink *link);
CoroLoop *coro_loop_get_running    (void);
CoroLoop *coro_loop_new_for_context (GMainContext *context);

/* Debug mode: the task stepped by the ready entry running now, for slow-step reports. */
static inline void
coro_loop_debug_note_task (CoroLoop *loop,
                           CoroTask *task)
{
  if (loop->debug_task == NULL)
    loop->debug_task = (CoroTask *) coro_future_ref ((CoroFuture *) task);
}

/* coro_run's SIGINT handling (coro-signal.c) */
typedef struct _CoroSigintGuard CoroSigintGuard;

CoroSigintGuard *coro_sigint_guard_new  (CoroLoop        *loop,
                                         CoroFuture      *main_future);
gboolean         coro_sigint_guard_free (CoroSigintGuard *guard);

/* The loop futures created on this thread belong to: the one dispatching, else the
 * thread-default context's. */
static inline CoroLoop *
coro_loop_get_current (void)
{
  CoroLoop *loop = coro_loop_get_running ();

  return loop != NULL ? loop : coro_loop_get_default ();
}

static inline gint64
coro_seconds_to_us (double seconds)
{
  if (seconds <= 0 || isnan (seconds))
    return 0;
  if (seconds >= (double) G_MAXINT64 / G_USEC_PER_SEC / 2)
    return G_MAXINT64 / 2;
  return (gint64) (seconds * G_USEC_PER_SEC + 0.5);
}

G_END_DECLS
