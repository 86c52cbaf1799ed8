/* coro-queue.c: asyncio's queues
 *
 * Items live in one array: a ring for the FIFO queue, a stack for the LIFO queue, a
 * binary heap for the priority queue. A get on an empty queue is a waiter future in the
 * getters' line, and a put hands its item straight to the first getter: a put→get
 * hand-off between two tasks costs no allocation beyond the getter's future and wakes the
 * getter at the next loop pass. A getter handed an item it never sees (its task cancelled
 * before it resumed) gives the item back, to the next getter or to the head of the queue.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-waiter.h"
#include "coro-loop-private.h"

#include <coro.h>

typedef enum
{
  QUEUE_FIFO,
  QUEUE_LIFO,
  QUEUE_PRIORITY,
} QueueKind;

typedef struct
{
  QueueKind        kind;
  guint            maxsize;
  CoroItem        *items;
  guint            head;
  guint            len;
  guint            alloc;
  guint64          next_seq;
  guint            unfinished;
  guint            n_handed;   /* items handed to getters whose holders have not seen them */
  gboolean         shut_down;
  GCompareDataFunc compare;
  gpointer         compare_data;
  GDestroyNotify   compare_destroy;
  CoroWaitList     getters;
  CoroWaitList     putters;
  CoroWaitList     joiners;
} CoroQueuePrivate;

/**
 * CoroQueue:
 *
 * A first-in, first-out queue for tasks (asyncio's `Queue`). Items are pointers with a
 * destroy function, 64-bit integers, strings or #GValues; a queue freed with items in it
 * releases them. It is not thread-safe: all its users run on one loop.
 *
 * ```c
 * // await queue.put (item)
 * coro_await (task, coro_queue_put_int (self->queue, 42), next_step);
 * // item = await queue.get ()
 * coro_await (task, coro_queue_get (self->queue), got_step);
 * // in got_step:
 * gint64 item = coro_future_get_int (coro_task_get_awaited (task), NULL);
 * ```
 *
 * Since: 1.0
 */
G_DEFINE_TYPE_WITH_PRIVATE (CoroQueue, coro_queue, G_TYPE_OBJECT)

/* Unchecked: the public functions check their argument, and internal callers pass queues. */
#define PRIV(q) ((CoroQueuePrivate *) coro_queue_get_instance_private ((CoroQueue *) (q)))

static void
coro_queue_finalize (GObject *object)
{
  CoroQueuePrivate *priv = PRIV (object);

  for (guint i = 0; i < priv->len; i++)
    coro_item_clear (&priv->items[(priv->head + i) % priv->alloc]);
  g_free (priv->items);
  if (priv->compare_destroy != NULL)
    priv->compare_destroy (priv->compare_data);
  G_OBJECT_CLASS (coro_queue_parent_class)->finalize (object);
}

static void
coro_queue_class_init (CoroQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = coro_queue_finalize;
}

static void
coro_queue_init (CoroQueue *self)
{
}

/* The buffer */

static void
buffer_reserve (CoroQueuePrivate *priv)
{
  guint alloc;
  CoroItem *items;

  if (priv->len < priv->alloc)
    return;
  alloc = MAX (8, priv->alloc * 2);
  items = g_new (CoroItem, alloc);
  for (guint i = 0; i < priv->len; i++)
    items[i] = priv->items[(priv->head + i) % priv->alloc];
  g_free (priv->items);
  priv->items = items;
  priv->alloc = alloc;
  priv->head = 0;
}

static const void *
item_data (const CoroItem *item)
{
  switch ((CoroItemKind) item->kind)
    {
    case CORO_ITEM_INT:
      return &item->v_int;
    case CORO_ITEM_STRING:
      return item->v_string;
    case CORO_ITEM_POINTER:
      return item->v_pointer;
    case CORO_ITEM_VALUE:
      return item->v_value;
    case CORO_ITEM_NONE:
    default:
      return NULL;
    }
}

/* Priority order: the integer priority, then the compare function or the items' natural
 * order (integers and strings), then arrival. */
static int
item_compare (CoroQueuePrivate *priv,
              const CoroItem   *a,
              const CoroItem   *b)
{
  int c = 0;

  if (a->priority != b->priority)
    return a->priority < b->priority ? -1 : 1;
  if (priv->compare != NULL)
    c = priv->compare (item_data (a), item_data (b), priv->compare_data);
  else if (a->kind == CORO_ITEM_INT && b->kind == CORO_ITEM_INT)
    c = (a->v_int > b->v_int) - (a->v_int < b->v_int);
  else if (a->kind == CORO_ITEM_STRING && b->kind == CORO_ITEM_STRING)
    c = strcmp (a->v_string, b->v_string);
  if (c != 0)
    return c;
  return a->seq < b->seq ? -1 : 1;
}

static void
heap_push (CoroQueuePrivate *priv,
           CoroItem         *item)
{
  guint i = priv->len++;

  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (item_compare (priv, &priv->items[parent], item) <= 0)
        break;
      priv->items[i] = priv->items[parent];
      i = parent;
    }
  priv->items[i] = *item;
}

static CoroItem
heap_pop (CoroQueuePrivate *priv)
{
  CoroItem top = priv->items[0];
  CoroItem last = priv->items[--priv->len];
  guint i = 0;

  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= priv->len)
        break;
      if (child + 1 < priv->len && item_compare (priv, &priv->items[child + 1], &priv->items[child]) < 0)
        child++;
      if (item_compare (priv, &last, &priv->items[child]) <= 0)
        break;
      priv->items[i] = priv->items[child];
      i = child;
    }
  if (priv->len > 0)
    priv->items[i] = last;
  return top;
}

/* Stores @item (moved) at its place; @front puts a FIFO item back at the head. */
static void
buffer_push (CoroQueuePrivate *priv,
             CoroItem         *item,
             gboolean          front)
{
  buffer_reserve (priv);
  switch (priv->kind)
    {
    case QUEUE_PRIORITY:
      heap_push (priv, item);
      break;
    case QUEUE_FIFO:
      if (front)
        {
          priv->head = (priv->head + priv->alloc - 1) % priv->alloc;
          priv->items[priv->head] = *item;
          priv->len++;
          break;
        }
      G_GNUC_FALLTHROUGH;
    case QUEUE_LIFO:
    default:
      priv->items[(priv->head + priv->len) % priv->alloc] = *item;
      priv->len++;
      break;
    }
  item->kind = CORO_ITEM_NONE;
}

static CoroItem
buffer_pop (CoroQueuePrivate *priv)
{
  CoroItem item;

  g_assert (priv->len > 0);
  switch (priv->kind)
    {
    case QUEUE_PRIORITY:
      return heap_pop (priv);
    case QUEUE_LIFO:
      priv->len--;
      return priv->items[(priv->head + priv->len) % priv->alloc];
    case QUEUE_FIFO:
    default:
      item = priv->items[priv->head];
      priv->head = (priv->head + 1) % priv->alloc;
      priv->len--;
      return item;
    }
}

/* An item handed to a getter keeps its place against maxsize until the getter's holder
 * sees it, as in asyncio, where it stays in the queue until the getter's task resumes
 * and takes it: a putter is not let in while it may still come back. */
static gboolean
queue_full (CoroQueuePrivate *priv)
{
  return priv->maxsize > 0 && priv->len + priv->n_handed >= priv->maxsize;
}

/* Waiters */

static void
hand_to_getter (CoroWaiter *getter,
                CoroItem   *item)
{
  getter->handed = TRUE;
  getter->item.priority = item->priority;
  getter->item.seq = item->seq;
  coro_item_set_result (item, &getter->parent);
}

/* Places @item (moved): to the first getter, or into the buffer. */
static void
place_item (CoroQueuePrivate *priv,
            CoroItem         *item,
            gboolean          front)
{
  CoroWaiter *getter = coro_wait_list_pop (&priv->getters);

  if (getter != NULL)
    {
      priv->n_handed++;
      hand_to_getter (getter, item);
    }
  else
    buffer_push (priv, item, front);
}

/* Room was made: waiting putters put their items, in line order. */
static void
admit_putters (CoroQueuePrivate *priv)
{
  CoroWaiter *putter;

  while (!queue_full (priv) && (putter = coro_wait_list_pop (&priv->putters)) != NULL)
    {
      place_item (priv, &putter->item, FALSE);
      priv->unfinished++;
      coro_future_set_none (&putter->parent, NULL);
    }
}

static void
getter_give_back (GObject    *owner,
                  CoroWaiter *getter)
{
  CoroQueuePrivate *priv = PRIV (owner);
  CoroItem item = { 0 };

  /* Back in the buffer, or with the next getter: it keeps its place. */
  g_assert (priv->n_handed > 0);
  priv->n_handed--;
  if (!coro_item_take_result (&item, &getter->parent))
    {
      admit_putters (priv);
      return;
    }
  item.priority = getter->item.priority;
  item.seq = getter->item.seq;
  if (priv->shut_down && priv->getters.length == 0)
    {
      /* Nobody can get it any more unless the queue still serves its leftovers. */
      buffer_push (priv, &item, TRUE);
      return;
    }
  place_item (priv, &item, TRUE);
}

/* The getter's holder took the item: its place is free. */
static void
getter_seen (GObject    *owner,
             CoroWaiter *getter)
{
  CoroQueuePrivate *priv = PRIV (owner);

  g_assert (priv->n_handed > 0);
  priv->n_handed--;
  admit_putters (priv);
}

static const CoroWaiterOps getter_ops = {
  .name = "Queue.get",
  .give_back = getter_give_back,
  .seen = getter_seen,
};

static const CoroWaiterOps putter_ops = {
  .name = "Queue.put",
};

static const CoroWaiterOps joiner_ops = {
  .name = "Queue.join",
};

static GError *
shut_down_error (void)
{
  return g_error_new_literal (CORO_ERROR, CORO_ERROR_QUEUE_SHUT_DOWN, "Queue is shut down");
}

/* Puts */

static CoroFuture *
put_item (CoroQueue *queue,
          CoroItem  *item)
{
  CoroQueuePrivate *priv = PRIV (queue);
  CoroLoop *loop = coro_loop_get_current ();
  CoroWaiter *putter;

  item->seq = priv->next_seq++;
  if (priv->shut_down)
    {
      coro_item_clear (item);
      return coro_future_new_failed (loop, shut_down_error ());
    }
  if (!queue_full (priv))
    {
      place_item (priv, item, FALSE);
      priv->unfinished++;
      return coro_future_new_done (loop);
    }
  putter = coro_waiter_new (loop, &putter_ops, queue, &priv->putters);
  putter->item = *item;
  item->kind = CORO_ITEM_NONE;
  return &putter->parent;
}

static gboolean
put_item_nowait (CoroQueue  *queue,
                 CoroItem   *item,
                 GError    **error)
{
  CoroQueuePrivate *priv = PRIV (queue);

  if (priv->shut_down)
    {
      g_propagate_error (error, shut_down_error ());
      return FALSE;
    }
  if (queue_full (priv))
    {
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_QUEUE_FULL, "Queue is full");
      return FALSE;
    }
  item->seq = priv->next_seq++;
  place_item (priv, item, FALSE);
  priv->unfinished++;
  return TRUE;
}

static void
item_init_value (CoroItem     *item,
                 const GValue *value)
{
  item->kind = CORO_ITEM_VALUE;
  item->v_value = g_new0 (GValue, 1);
  g_value_init (item->v_value, G_VALUE_TYPE (value));
  g_value_copy (value, item->v_value);
}

/**
 * coro_queue_new:
 * @maxsize: the most items the queue holds, or 0 for no limit
 *
 * Creates a FIFO queue (asyncio's `Queue`).
 *
 * Returns: (transfer full): a new #CoroQueue
 *
 * Since: 1.0
 */
CoroQueue *
coro_queue_new (guint maxsize)
{
  CoroQueue *self = g_object_new (CORO_TYPE_QUEUE, NULL);

  PRIV (self)->maxsize = maxsize;
  return self;
}

/**
 * coro_queue_put: (skip)
 * @queue: a #CoroQueue
 * @item: (transfer full): the item
 * @destroy: (nullable): releases @item when the queue or a future holding it goes
 *
 * Puts @item in @queue (asyncio's `put`), waiting while the queue is full. The item goes
 * to the longest-waiting getter if there is one. If the queue is or gets shut down, the
 * future fails with %CORO_ERROR_QUEUE_SHUT_DOWN and @item is released; cancelling the
 * future while it waits releases it too.
 *
 * Returns: (transfer full): a future that completes, with no value, once @item is in
 *   the queue
 *
 * Since: 1.0
 */
CoroFuture *
coro_queue_put (CoroQueue      *queue,
                gpointer        item,
                GDestroyNotify  destroy)
{
  CoroItem it = { .kind = CORO_ITEM_POINTER, .v_pointer = item, .destroy = destroy };

  g_return_val_if_fail (CORO_IS_QUEUE (queue), NULL);

  return put_item (queue, &it);
}

/**
 * coro_queue_put_int:
 * @queue: a #CoroQueue
 * @item: the item
 *
 * Puts an integer; see [method@Coro.Queue.put]. Getters read it with
 * [method@Coro.Future.get_int].
 *
 * Returns: (transfer full): a future that completes once @item is in the queue
 *
 * Since: 1.0
 */
CoroFuture *
coro_queue_put_int (CoroQueue *queue,
                    gint64     item)
{
  CoroItem it = { .kind = CORO_ITEM_INT, .v_int = item };

  g_return_val_if_fail (CORO_IS_QUEUE (queue), NULL);

  return put_item (queue, &it);
}

/**
 * coro_queue_put_string:
 * @queue: a #CoroQueue
 * @item: the item, copied
 *
 * Puts a copy of a string; see [method@Coro.Queue.put]. Getters read it with
 * [method@Coro.Future.get_string].
 *
 * Returns: (transfer full): a future that completes once @item is in the queue
 *
 * Since: 1.0
 */
CoroFuture *
coro_queue_put_string (CoroQueue  *queue,
                       const char *item)
{
  CoroItem it = { .kind = CORO_ITEM_STRING };

  g_return_val_if_fail (CORO_IS_QUEUE (queue), NULL);
  g_return_val_if_fail (item != NULL, NULL);

  it.v_string = g_strdup (item);
  return put_item (queue, &it);
}

/**
 * coro_queue_put_value:
 * @queue: a #CoroQueue
 * @item: the item, copied
 *
 * Puts a copy of a #GValue; see [method@Coro.Queue.put]. Getters read it with
 * [method@Coro.Future.get_value].
 *
 * Returns: (transfer full): a future that completes once @item is in the queue
 *
 * Since: 1.0
 */
CoroFuture *
coro_queue_put_value (CoroQueue    *queue,
                      const GValue *item)
{
  CoroItem it = { 0 };

  g_return_val_if_fail (CORO_IS_QUEUE (queue), NULL);
  g_return_val_if_fail (G_IS_VALUE (item), NULL);

  item_init_value (&it, item);
  return put_item (queue, &it);
}

/**
 * coro_queue_put_nowait: (skip)
 * @queue: a #CoroQueue
 * @item: the item, taken only on success
 * @destroy: (nullable): releases @item when the queue or a future holding it goes
 * @error: return location for a #GError
 *
 * Puts @item without waiting (asyncio's `put_nowait`). On failure the queue does not
 * take the item, which stays the caller's.
 *
 * Returns: %TRUE, or %FALSE with %CORO_ERROR_QUEUE_FULL or %CORO_ERROR_QUEUE_SHUT_DOWN
 *
 * Since: 1.0
 */
gboolean
coro_queue_put_nowait (CoroQueue       *queue,
                       gpointer         item,
                       GDestroyNotify   destroy,
                       GError         **error)
{
  CoroItem it = { .kind = CORO_ITEM_POINTER, .v_pointer = item, .destroy = destroy };

  g_return_val_if_fail (CORO_IS_QUEUE (queue), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return put_item_nowait (queue, &it, error);
}

/**
 * coro_queue_put_int_nowait:
 * @queue: a #CoroQueue
 * @item: the item
 * @error: return location for a #GError
 *
 * Puts an integer without waiting; see [method@Coro.Queue.put_nowait].
 *
 * Returns: %TRUE, or %FALSE with %CORO_ERROR_QUEUE_FULL or %CORO_ERROR_QUEUE_SHUT_DOWN
 *
 * Since: 1.0
 */
gboolean
coro_queue_put_int_nowait (CoroQueue  *queue,
                           gint64      item,
                           GError    **error)
{
  CoroItem it = { .kind = CORO_ITEM_INT, .v_int = item };

  g_return_val_if_fail (CORO_IS_QUEUE (queue), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return put_item_nowait (queue, &it, error);
}

/**
 * coro_queue_put_string_nowait:
 * @queue: a #CoroQueue
 * @item: the item, copied
 * @error: return location for a #GError
 *
 * Puts a copy of a string without waiting; see [method@Coro.Queue.put_nowait].
 *
 * Returns: %TRUE, or %FALSE with %CORO_ERROR_QUEUE_FULL or %CORO_ERROR_QUEUE_SHUT_DOWN
 *
 * Since: 1.0
 */
gboolean
coro_queue_put_string_nowait (CoroQueue   *queue,
                              const char  *item,
                              GError     **error)
{
  CoroItem it = { .kind = CORO_ITEM_STRING };

  g_return_val_if_fail (CORO_IS_QUEUE (queue), FALSE);
  g_return_val_if_fail (item != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  it.v_string = g_strdup (item);
  if (put_item_nowait (queue, &it, error))
    return TRUE;
  coro_item_clear (&it);
  return FALSE;
}

/**
 * coro_queue_put_value_nowait:
 * @queue: a #CoroQueue
 * @item: the item, copied
 * @error: return location for a #GError
 *
 * Puts a copy of a #GValue without waiting; see [method@Coro.Queue.put_nowait].
 *
 * Returns: %TRUE, or %FALSE with %CORO_ERROR_QUEUE_FULL or %CORO_ERROR_QUEUE_SHUT_DOWN
 *
 * Since: 1.0
 */
gboolean
coro_queue_put_value_nowait (CoroQueue     *queue,
                             const GValue  *item,
                             GError       **error)
{
  CoroItem it = { 0 };

  g_return_val_if_fail (CORO_IS_QUEUE (queue), FALSE);
  g_return_val_if_fail (G_IS_VALUE (item), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  item_init_value (&it, item);
  if (put_item_nowait (queue, &it, error))
    return TRUE;
  coro_item_clear (&it);
  return FALSE;
}

/* Gets */

static CoroFuture *
take_item (CoroQueuePrivate *priv,
           CoroLoop         *loop)
{
  CoroFuture *future = coro_future_alloc (loop, &coro_future_class, sizeof (CoroFuture));
  CoroItem item = buffer_pop (priv);

  coro_item_set_result (&item, future);
  admit_putters (priv);
  return future;
}

/**
 * coro_queue_get:
 * @queue: a #CoroQueue
 *
 * Removes and returns an item (asyncio's `get`), waiting while the queue is empty.
 * Getters are served in the order they started waiting. The future's result is the item:
 * read it with [method@Coro.Future.get_int], [method@Coro.Future.get_string],
 * [method@Coro.Future.get_pointer] or [method@Coro.Future.get_value] according to how it
 * was put; the future owns it. Once the queue is shut down and empty, the future fails
 * with %CORO_ERROR_QUEUE_SHUT_DOWN.
 *
 * Returns: (transfer full): a future that completes with the item
 *
 * Since: 1.0
 */
CoroFuture *
coro_queue_get (CoroQueue *queue)
{
  CoroQueuePrivate *priv;
  CoroLoop *loop;

  g_return_val_if_fail (CORO_IS_QUEUE (queue), NULL);

  priv = PRIV (queue);
  loop = coro_loop_get_current ();
  if (priv->len > 0)
    return take_item (priv, loop);
  if (priv->shut_down)
    return coro_future_new_failed (loop, shut_down_error ());
  return &coro_waiter_new (loop, &getter_ops, queue, &priv->getters)->parent;
}

/**
 * coro_queue_get_nowait:
 * @queue: a #CoroQueue
 * @error: return location for a #GError
 *
 * Removes an item without waiting (asyncio's `get_nowait`).
 *
 * Returns: (transfer full) (nullable): a done future holding the item, read as with
 *   [method@Coro.Queue.get]; or %NULL with %CORO_ERROR_QUEUE_EMPTY, or
 *   %CORO_ERROR_QUEUE_SHUT_DOWN if the queue is shut down and empty
 *
 * Since: 1.0
 */
CoroFuture *
coro_queue_get_nowait (CoroQueue  *queue,
                       GError    **error)
{
  CoroQueuePrivate *priv;

  g_return_val_if_fail (CORO_IS_QUEUE (queue), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  priv = PRIV (queue);
  if (priv->len > 0)
    return take_item (priv, coro_loop_get_current ());
  if (priv->shut_down)
    g_propagate_error (error, shut_down_error ());
  else
    g_set_error_literal (error, CORO_ERROR, CORO_ERROR_QUEUE_EMPTY, "Queue is empty");
  return NULL;
}

/* Join */

/**
 * coro_queue_task_done:
 * @queue: a #CoroQueue
 * @error: return location for a #GError
 *
 * Tells the queue that an item taken from it has been dealt with (asyncio's
 * `task_done`). When every item put has been dealt with, [method@Coro.Queue.join] ends.
 *
 * Returns: %TRUE, or %FALSE with %CORO_ERROR_INVALID_STATE if called more times than
 *   items were put
 *
 * Since: 1.0
 */
gboolean
coro_queue_task_done (CoroQueue  *queue,
                      GError    **error)
{
  CoroQueuePrivate *priv;
  CoroWaiter *joiner;

  g_return_val_if_fail (CORO_IS_QUEUE (queue), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = PRIV (queue);
  if (priv->unfinished == 0)
    {
      g_set_error_literal (error, CORO_ERROR, CORO_ERROR_INVALID_STATE,
                           "task_done() called too many times");
      return FALSE;
    }
  if (--priv->unfinished == 0)
    while ((joiner = coro_wait_list_pop (&priv->joiners)) != NULL)
      coro_future_set_none (&joiner->parent, NULL);
  return TRUE;
}

/**
 * coro_queue_join:
 * @queue: a #CoroQueue
 *
 * Waits until every item put in @queue has been taken and dealt with (asyncio's `join`):
 * the count of unfinished items goes up with each put and down with each
 * [method@Coro.Queue.task_done].
 *
 * Returns: (transfer full): a future that completes, with no value, when no item is
 *   unfinished
 *
 * Since: 1.0
 */
CoroFuture *
coro_queue_join (CoroQueue *queue)
{
  CoroQueuePrivate *priv;
  CoroLoop *loop;

  g_return_val_if_fail (CORO_IS_QUEUE (queue), NULL);

  priv = PRIV (queue);
  loop = coro_loop_get_current ();
  if (priv->unfinished == 0)
    return coro_future_new_done (loop);
  return &coro_waiter_new (loop, &joiner_ops, queue, &priv->joiners)->parent;
}

/**
 * coro_queue_shutdown:
 * @queue: a #CoroQueue
 * @immediate: whether to drop the items still queued
 *
 * Shuts @queue down (asyncio 3.13's `shutdown`): puts fail with
 * %CORO_ERROR_QUEUE_SHUT_DOWN from now on, and so do waiting putters. Gets go on
 * returning the items left, then fail the same way, and so do waiting getters. With
 * @immediate, the items left are released at once and counted as done, so
 * [method@Coro.Queue.join] ends.
 *
 * Since: 1.0
 */
void
coro_queue_shutdown (CoroQueue *queue,
                     gboolean   immediate)
{
  CoroQueuePrivate *priv;
  CoroWaiter *joiner;

  g_return_if_fail (CORO_IS_QUEUE (queue));

  priv = PRIV (queue);
  priv->shut_down = TRUE;
  if (immediate)
    {
      while (priv->len > 0)
        {
          CoroItem item = buffer_pop (priv);

          coro_item_clear (&item);
          if (priv->unfinished > 0)
            priv->unfinished--;
        }
      if (priv->unfinished == 0)
        while ((joiner = coro_wait_list_pop (&priv->joiners)) != NULL)
          coro_future_set_none (&joiner->parent, NULL);
    }
  coro_wait_list_fail_all (&priv->getters, CORO_ERROR, CORO_ERROR_QUEUE_SHUT_DOWN, "Queue is shut down");
  coro_wait_list_fail_all (&priv->putters, CORO_ERROR, CORO_ERROR_QUEUE_SHUT_DOWN, "Queue is shut down");
}

/**
 * coro_queue_qsize:
 * @queue: a #CoroQueue
 *
 * Gets the number of items in @queue (asyncio's `qsize`). An item put while a getter was
 * waiting went straight to that getter and is not counted, though until the getter's
 * task has seen it, it still takes its place against the queue's maxsize (see
 * [method@Coro.Queue.full]).
 *
 * Returns: the number of queued items
 *
 * Since: 1.0
 */
guint
coro_queue_qsize (CoroQueue *queue)
{
  g_return_val_if_fail (CORO_IS_QUEUE (queue), 0);

  return PRIV (queue)->len;
}

/**
 * coro_queue_empty:
 * @queue: a #CoroQueue
 *
 * Tells whether @queue holds no item (asyncio's `empty`).
 *
 * Returns: %TRUE if @queue is empty
 *
 * Since: 1.0
 */
gboolean
coro_queue_empty (CoroQueue *queue)
{
  g_return_val_if_fail (CORO_IS_QUEUE (queue), TRUE);

  return PRIV (queue)->len == 0;
}

/**
 * coro_queue_full:
 * @queue: a #CoroQueue
 *
 * Tells whether @queue holds maxsize items (asyncio's `full`); never for a queue without
 * a limit. Items handed to waiting getters whose tasks have not yet seen them count, as
 * asyncio's queue still holds them until then.
 *
 * Returns: %TRUE if a put would wait
 *
 * Since: 1.0
 */
gboolean
coro_queue_full (CoroQueue *queue)
{
  g_return_val_if_fail (CORO_IS_QUEUE (queue), FALSE);

  return queue_full (PRIV (queue));
}

/**
 * coro_queue_get_maxsize:
 * @queue: a #CoroQueue
 *
 * Gets the most items @queue holds (asyncio's `maxsize`).
 *
 * Returns: the limit, or 0 for none
 *
 * Since: 1.0
 */
guint
coro_queue_get_maxsize (CoroQueue *queue)
{
  g_return_val_if_fail (CORO_IS_QUEUE (queue), 0);

  return PRIV (queue)->maxsize;
}

/* Priority queue */

/**
 * CoroPriorityQueue:
 *
 * A queue that returns its smallest item first (asyncio's `PriorityQueue`): by the
 * integer priority given to [method@Coro.PriorityQueue.put_with_priority] or
 * [method@Coro.PriorityQueue.put_value_with_priority] (0 for other puts), then by the compare function given to [ctor@Coro.PriorityQueue.new_full], or by
 * value for integers and strings, then in arrival order.
 *
 * Since: 1.0
 */
struct _CoroPriorityQueue
{
  CoroQueue parent_instance;
};

G_DEFINE_FINAL_TYPE (CoroPriorityQueue, coro_priority_queue, CORO_TYPE_QUEUE)

static void
coro_priority_queue_class_init (CoroPriorityQueueClass *klass)
{
}

static void
coro_priority_queue_init (CoroPriorityQueue *self)
{
  PRIV (self)->kind = QUEUE_PRIORITY;
}

/**
 * coro_priority_queue_new:
 * @maxsize: the most items the queue holds, or 0 for no limit
 *
 * Creates a priority queue ordering integers and strings by value.
 *
 * Returns: (transfer full): a new #CoroPriorityQueue
 *
 * Since: 1.0
 */
CoroPriorityQueue *
coro_priority_queue_new (guint maxsize)
{
  CoroPriorityQueue *self = g_object_new (CORO_TYPE_PRIORITY_QUEUE, NULL);

  PRIV (self)->maxsize = maxsize;
  return self;
}

/**
 * coro_priority_queue_new_full: (skip)
 * @maxsize: the most items the queue holds, or 0 for no limit
 * @compare: orders two items of equal priority: it receives the items of
 *   [method@Coro.Queue.put] and strings as they are, and pointers to integers and
 *   #GValues otherwise
 * @user_data: data for @compare
 * @destroy: (nullable): releases @user_data with the queue
 *
 * Creates a priority queue ordering items with @compare.
 *
 * Returns: (transfer full): a new #CoroPriorityQueue
 *
 * Since: 1.0
 */
CoroPriorityQueue *
coro_priority_queue_new_full (guint            maxsize,
                              GCompareDataFunc compare,
                              gpointer         user_data,
                              GDestroyNotify   destroy)
{
  CoroPriorityQueue *self;
  CoroQueuePrivate *priv;

  g_return_val_if_fail (compare != NULL, NULL);

  self = coro_priority_queue_new (maxsize);
  priv = PRIV (self);
  priv->compare = compare;
  priv->compare_data = user_data;
  priv->compare_destroy = destroy;
  return self;
}

/**
 * coro_priority_queue_put_with_priority: (skip)
 * @queue: a #CoroPriorityQueue
 * @priority: the item's priority; lower comes out first
 * @item: (transfer full): the item
 * @destroy: (nullable): releases @item
 *
 * Puts @item with an integer priority; see [method@Coro.Queue.put].
 *
 * Returns: (transfer full): a future that completes once @item is in the queue
 *
 * Since: 1.0
 */
CoroFuture *
coro_priority_queue_put_with_priority (CoroPriorityQueue *queue,
                                       int                priority,
                                       gpointer           item,
                                       GDestroyNotify     destroy)
{
  CoroItem it = { .kind = CORO_ITEM_POINTER, .priority = priority, .v_pointer = item, .destroy = destroy };

  g_return_val_if_fail (CORO_IS_PRIORITY_QUEUE (queue), NULL);

  return put_item (CORO_QUEUE (queue), &it);
}

/**
 * coro_priority_queue_put_value_with_priority:
 * @queue: a #CoroPriorityQueue
 * @priority: the item's priority; lower comes out first
 * @item: the item, copied
 *
 * Puts a copy of a #GValue with an integer priority; see [method@Coro.Queue.put]. This
 * is how bindings give priorities: asyncio's `put((priority, item))`.
 *
 * ```python
 * await queue.put_value_with_priority(2, "low")
 * await queue.put_value_with_priority(1, "high")
 * (await queue.get()).get_value()  # "high"
 * ```
 *
 * Returns: (transfer full): a future that completes once @item is in the queue
 *
 * Since: 1.0
 */
CoroFuture *
coro_priority_queue_put_value_with_priority (CoroPriorityQueue *queue,
                                             int                priority,
                                             const GValue      *item)
{
  CoroItem it = { 0 };

  g_return_val_if_fail (CORO_IS_PRIORITY_QUEUE (queue), NULL);
  g_return_val_if_fail (G_IS_VALUE (item), NULL);

  item_init_value (&it, item);
  it.priority = priority;
  return put_item (CORO_QUEUE (queue), &it);
}

/**
 * coro_priority_queue_put_value_with_priority_nowait:
 * @queue: a #CoroPriorityQueue
 * @priority: the item's priority; lower comes out first
 * @item: the item, copied
 * @error: return location for a #GError
 *
 * Puts a copy of a #GValue with an integer priority without waiting; see
 * [method@Coro.Queue.put_nowait].
 *
 * Returns: %TRUE, or %FALSE with %CORO_ERROR_QUEUE_FULL or %CORO_ERROR_QUEUE_SHUT_DOWN
 *
 * Since: 1.0
 */
gboolean
coro_priority_queue_put_value_with_priority_nowait (CoroPriorityQueue  *queue,
                                                    int                 priority,
                                                    const GValue       *item,
                                                    GError            **error)
{
  CoroItem it = { 0 };

  g_return_val_if_fail (CORO_IS_PRIORITY_QUEUE (queue), FALSE);
  g_return_val_if_fail (G_IS_VALUE (item), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  item_init_value (&it, item);
  it.priority = priority;
  if (put_item_nowait (CORO_QUEUE (queue), &it, error))
    return TRUE;
  coro_item_clear (&it);
  return FALSE;
}

/* LIFO queue */

/**
 * CoroLifoQueue:
 *
 * A queue that returns its newest item first (asyncio's `LifoQueue`).
 *
 * Since: 1.0
 */
struct _CoroLifoQueue
{
  CoroQueue parent_instance;
};

G_DEFINE_FINAL_TYPE (CoroLifoQueue, coro_lifo_queue, CORO_TYPE_QUEUE)

static void
coro_lifo_queue_class_init (CoroLifoQueueClass *klass)
{
}

static void
coro_lifo_queue_init (CoroLifoQueue *self)
{
  PRIV (self)->kind = QUEUE_LIFO;
}

/**
 * coro_lifo_queue_new:
 * @maxsize: the most items the queue holds, or 0 for no limit
 *
 * Creates a LIFO queue.
 *
 * Returns: (transfer full): a new #CoroLifoQueue
 *
 * Since: 1.0
 */
CoroLifoQueue *
coro_lifo_queue_new (guint maxsize)
{
  CoroLifoQueue *self = g_object_new (CORO_TYPE_LIFO_QUEUE, NULL);

  PRIV (self)->maxsize = maxsize;
  return self;
}
