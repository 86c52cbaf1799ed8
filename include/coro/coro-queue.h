/* coro-queue.h: asyncio's queues
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

#define CORO_TYPE_QUEUE (coro_queue_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (CoroQueue, coro_queue, CORO, QUEUE, GObject)

/**
 * CoroQueueClass:
 * @parent_class: the parent class
 *
 * The class of [class@Coro.Queue]; [class@Coro.PriorityQueue] and [class@Coro.LifoQueue]
 * derive from it.
 *
 * Since: 1.0
 */
struct _CoroQueueClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer padding[8];
};

CORO_AVAILABLE_IN_ALL
CoroQueue  *coro_queue_new              (guint           maxsize);

CORO_AVAILABLE_IN_ALL
CoroFuture *coro_queue_put              (CoroQueue      *queue,
                                         gpointer        item,
                                         GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_queue_put_int          (CoroQueue      *queue,
                                         gint64          item) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_queue_put_string       (CoroQueue      *queue,
                                         const char     *item) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_queue_put_value        (CoroQueue      *queue,
                                         const GValue   *item) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
gboolean    coro_queue_put_nowait       (CoroQueue      *queue,
                                         gpointer        item,
                                         GDestroyNotify  destroy,
                                         GError        **error);
CORO_AVAILABLE_IN_ALL
gboolean    coro_queue_put_int_nowait   (CoroQueue      *queue,
                                         gint64          item,
                                         GError        **error);
CORO_AVAILABLE_IN_ALL
gboolean    coro_queue_put_string_nowait (CoroQueue     *queue,
                                         const char     *item,
                                         GError        **error);
CORO_AVAILABLE_IN_ALL
gboolean    coro_queue_put_value_nowait (CoroQueue      *queue,
                                         const GValue   *item,
                                         GError        **error);
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_queue_get              (CoroQueue      *queue) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_queue_get_nowait       (CoroQueue      *queue,
                                         GError        **error) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
gboolean    coro_queue_task_done        (CoroQueue      *queue,
                                         GError        **error);
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_queue_join             (CoroQueue      *queue) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
void        coro_queue_shutdown         (CoroQueue      *queue,
                                         gboolean        immediate);
CORO_AVAILABLE_IN_ALL
guint       coro_queue_qsize            (CoroQueue      *queue);
CORO_AVAILABLE_IN_ALL
gboolean    coro_queue_empty            (CoroQueue      *queue);
CORO_AVAILABLE_IN_ALL
gboolean    coro_queue_full             (CoroQueue      *queue);
CORO_AVAILABLE_IN_ALL
guint       coro_queue_get_maxsize      (CoroQueue      *queue);

#define CORO_TYPE_PRIORITY_QUEUE (coro_priority_queue_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroPriorityQueue, coro_priority_queue, CORO, PRIORITY_QUEUE, CoroQueue)

CORO_AVAILABLE_IN_ALL
CoroPriorityQueue *coro_priority_queue_new      (guint            maxsize);
CORO_AVAILABLE_IN_ALL
CoroPriorityQueue *coro_priority_queue_new_full (guint            maxsize,
                                                 GCompareDataFunc compare,
                                                 gpointer         user_data,
                                                 GDestroyNotify   destroy);
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_priority_queue_put_with_priority (CoroPriorityQueue *queue,
                                                   int                priority,
                                                   gpointer           item,
                                                   GDestroyNotify     destroy) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_priority_queue_put_value_with_priority (CoroPriorityQueue *queue,
                                                         int                priority,
                                                         const GValue      *item) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
gboolean    coro_priority_queue_put_value_with_priority_nowait (CoroPriorityQueue  *queue,
                                                                int                 priority,
                                                                const GValue       *item,
                                                                GError            **error);

#define CORO_TYPE_LIFO_QUEUE (coro_lifo_queue_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroLifoQueue, coro_lifo_queue, CORO, LIFO_QUEUE, CoroQueue)

CORO_AVAILABLE_IN_ALL
CoroLifoQueue *coro_lifo_queue_new      (guint            maxsize);

G_END_DECLS
