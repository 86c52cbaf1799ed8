/* coro-locks.h: asyncio's synchronization primitives
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(CORO_INSIDE) && !defined(CORO_COMPILATION)
# error "Only <coro.h> can be included directly."
#endif

#include <glib-object.h>

#include "coro-future.h"
#include "coro-types.h"
#include "coro-version.h"

G_BEGIN_DECLS

/**
 * CoroPredicate:
 * @user_data: data given with the predicate
 *
 * A condition checked by [method@Coro.Condition.wait_for].
 *
 * Returns: %TRUE once the awaited condition holds
 *
 * Since: 1.0
 */
typedef gboolean (*CoroPredicate) (gpointer user_data);

#define CORO_TYPE_LOCK (coro_lock_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroLock, coro_lock, CORO, LOCK, GObject)

CORO_AVAILABLE_IN_ALL
CoroLock   *coro_lock_new                 (void);
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_lock_acquire             (CoroLock       *lock) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
gboolean    coro_lock_release             (CoroLock       *lock,
                                           GError        **error);
CORO_AVAILABLE_IN_ALL
gboolean    coro_lock_locked              (CoroLock       *lock);

#define CORO_TYPE_EVENT (coro_event_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroEvent, coro_event, CORO, EVENT, GObject)

CORO_AVAILABLE_IN_ALL
CoroEvent  *coro_event_new                (void);
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_event_wait               (CoroEvent      *event) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
void        coro_event_set                (CoroEvent      *event);
CORO_AVAILABLE_IN_ALL
void        coro_event_clear              (CoroEvent      *event);
CORO_AVAILABLE_IN_ALL
gboolean    coro_event_is_set             (CoroEvent      *event);

#define CORO_TYPE_CONDITION (coro_condition_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroCondition, coro_condition, CORO, CONDITION, GObject)

CORO_AVAILABLE_IN_ALL
CoroCondition *coro_condition_new         (CoroLock       *lock);
CORO_AVAILABLE_IN_ALL
CoroLock   *coro_condition_get_lock       (CoroCondition  *condition);
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_condition_acquire        (CoroCondition  *condition) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
gboolean    coro_condition_release        (CoroCondition  *condition,
                                           GError        **error);
CORO_AVAILABLE_IN_ALL
gboolean    coro_condition_locked         (CoroCondition  *condition);
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_condition_wait           (CoroCondition  *condition) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_condition_wait_for       (CoroCondition  *condition,
                                           CoroPredicate   predicate,
                                           gpointer        user_data,
                                           GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
gboolean    coro_condition_notify         (CoroCondition  *condition,
                                           guint           n,
                                           GError        **error);
CORO_AVAILABLE_IN_ALL
gboolean    coro_condition_notify_all     (CoroCondition  *condition,
                                           GError        **error);

#define CORO_TYPE_SEMAPHORE (coro_semaphore_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (CoroSemaphore, coro_semaphore, CORO, SEMAPHORE, GObject)

/**
 * CoroSemaphoreClass:
 * @parent_class: the parent class
 *
 * The class of [class@Coro.Semaphore]; [class@Coro.BoundedSemaphore] derives from it.
 *
 * Since: 1.0
 */
struct _CoroSemaphoreClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer padding[8];
};

CORO_AVAILABLE_IN_ALL
CoroSemaphore *coro_semaphore_new         (guint           value);
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_semaphore_acquire        (CoroSemaphore  *semaphore) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
gboolean    coro_semaphore_release        (CoroSemaphore  *semaphore,
                                           GError        **error);
CORO_AVAILABLE_IN_ALL
gboolean    coro_semaphore_locked         (CoroSemaphore  *semaphore);
CORO_AVAILABLE_IN_ALL
guint       coro_semaphore_get_value      (CoroSemaphore  *semaphore);

#define CORO_TYPE_BOUNDED_SEMAPHORE (coro_bounded_semaphore_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroBoundedSemaphore, coro_bounded_semaphore, CORO, BOUNDED_SEMAPHORE, CoroSemaphore)

CORO_AVAILABLE_IN_ALL
CoroBoundedSemaphore *coro_bounded_semaphore_new (guint    value);

#define CORO_TYPE_BARRIER (coro_barrier_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroBarrier, coro_barrier, CORO, BARRIER, GObject)

CORO_AVAILABLE_IN_ALL
CoroBarrier *coro_barrier_new             (guint           parties);
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_barrier_wait             (CoroBarrier    *barrier) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
void        coro_barrier_reset            (CoroBarrier    *barrier);
CORO_AVAILABLE_IN_ALL
void        coro_barrier_abort            (CoroBarrier    *barrier);
CORO_AVAILABLE_IN_ALL
guint       coro_barrier_get_parties      (CoroBarrier    *barrier);
CORO_AVAILABLE_IN_ALL
guint       coro_barrier_get_n_waiting    (CoroBarrier    *barrier);
CORO_AVAILABLE_IN_ALL
gboolean    coro_barrier_get_broken       (CoroBarrier    *barrier);

G_END_DECLS
