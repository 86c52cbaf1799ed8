/* coro-waiter.c: futures that wait in the FIFO line of a lock, semaphore or queue
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro-waiter.h"

static void
list_unlink (CoroWaitList *list,
             CoroWaiter   *waiter)
{
  if (waiter->prev != NULL)
    waiter->prev->next = waiter->next;
  else
    list->head = waiter->next;
  if (waiter->next != NULL)
    waiter->next->prev = waiter->prev;
  else
    list->tail = waiter->prev;
  waiter->prev = waiter->next = NULL;
  waiter->list = NULL;
  list->length--;
}

void
coro_wait_list_append (CoroWaitList *list,
                       CoroWaiter   *waiter)
{
  g_assert (waiter->list == NULL);

  waiter->list = list;
  waiter->prev = list->tail;
  waiter->next = NULL;
  if (list->tail != NULL)
    list->tail->next = waiter;
  else
    list->head = waiter;
  list->tail = waiter;
  list->length++;
}

void
coro_wait_list_remove (CoroWaitList *list,
                       CoroWaiter   *waiter)
{
  if (waiter->list == list)
    list_unlink (list, waiter);
}

/* Takes the first waiter out of the line; the caller completes it. */
CoroWaiter *
coro_wait_list_pop (CoroWaitList *list)
{
  CoroWaiter *waiter = list->head;

  if (waiter != NULL)
    list_unlink (list, waiter);
  return waiter;
}

/* Fails every waiter of the line with the same error, in line order. */
void
coro_wait_list_fail_all (CoroWaitList *list,
                         GQuark        domain,
                         int           code,
                         const char   *message)
{
  CoroWaiter *waiter;

  while ((waiter = coro_wait_list_pop (list)) != NULL)
    {
      coro_item_clear (&waiter->item);
      coro_future_set_error (&waiter->parent, g_error_new_literal (domain, code, message), NULL);
    }
}

static gboolean
waiter_cancel (CoroFuture *future,
               const char *msg)
{
  CoroWaiter *waiter = (CoroWaiter *) future;

  if (waiter->list != NULL)
    {
      list_unlink (waiter->list, waiter);
      coro_item_clear (&waiter->item);
      if (waiter->ops->left != NULL)
        waiter->ops->left (waiter->owner, waiter);
      if (waiter->ops->cancelled != NULL)
        waiter->ops->cancelled (waiter->owner, waiter);
    }
  return coro_future_cancel_default (future, msg);
}

static void
waiter_seen (CoroFuture *future)
{
  CoroWaiter *waiter = (CoroWaiter *) future;

  if (!waiter->handed)
    return;
  waiter->handed = FALSE;
  if (waiter->ops->seen != NULL)
    waiter->ops->seen (waiter->owner, waiter);
}

static void
waiter_finalize (CoroFuture *future)
{
  CoroWaiter *waiter = (CoroWaiter *) future;

  if (waiter->list != NULL)
    {
      /* Dropped while waiting: nobody can ever see it complete. */
      list_unlink (waiter->list, waiter);
      if (waiter->ops->left != NULL)
        waiter->ops->left (waiter->owner, waiter);
    }
  else if (waiter->handed && (future->flags & CORO_FUTURE_FLAG_RETRIEVED))
    {
      /* Looked at by a path that did not call coro_future_mark_seen(). */
      waiter_seen (future);
    }
  else if (waiter->handed && waiter->ops->give_back != NULL)
    {
      waiter->handed = FALSE;
      waiter->ops->give_back (waiter->owner, waiter);
    }
  coro_item_clear (&waiter->item);
  g_object_unref (waiter->owner);
}

static const CoroFutureClass waiter_class = {
  .name = "Waiter",
  .cancel = waiter_cancel,
  .finalize = waiter_finalize,
  .seen = waiter_seen,
};

/* A new pending waiter at the end of @list, holding a reference on @owner. */
CoroWaiter *
coro_waiter_new (CoroLoop            *loop,
                 const CoroWaiterOps *ops,
                 gpointer             owner,
                 CoroWaitList        *list)
{
  CoroWaiter *waiter = coro_future_alloc (loop, &waiter_class, sizeof (CoroWaiter));

  waiter->ops = ops;
  waiter->owner = g_object_ref (owner);
  if (list != NULL)
    coro_wait_list_append (list, waiter);
  return waiter;
}

void
coro_waiter_hand (CoroWaiter *waiter)
{
  waiter->handed = TRUE;
  coro_future_set_none (&waiter->parent, NULL);
}

/* Items */

void
coro_item_clear (CoroItem *item)
{
  switch ((CoroItemKind) item->kind)
    {
    case CORO_ITEM_STRING:
      g_free (item->v_string);
      break;
    case CORO_ITEM_POINTER:
      if (item->destroy != NULL)
        item->destroy (item->v_pointer);
      break;
    case CORO_ITEM_VALUE:
      g_value_unset (item->v_value);
      g_free (item->v_value);
      break;
    case CORO_ITEM_NONE:
    case CORO_ITEM_INT:
    default:
      break;
    }
  item->kind = CORO_ITEM_NONE;
}

/* Moves @item into @future's result; @item is left empty. */
void
coro_item_set_result (CoroItem   *item,
                      CoroFuture *future)
{
  g_assert (coro_future_is_pending (future));

  switch ((CoroItemKind) item->kind)
    {
    case CORO_ITEM_INT:
      future->kind = CORO_RESULT_INT;
      future->result.v_int = item->v_int;
      break;
    case CORO_ITEM_STRING:
      future->kind = CORO_RESULT_STRING;
      future->result.v_string = item->v_string;
      break;
    case CORO_ITEM_POINTER:
      future->kind = CORO_RESULT_POINTER;
      future->result.v_pointer.data = item->v_pointer;
      future->result.v_pointer.destroy = item->destroy;
      break;
    case CORO_ITEM_VALUE:
      future->kind = CORO_RESULT_VALUE;
      future->result.v_value = item->v_value;
      break;
    case CORO_ITEM_NONE:
    default:
      future->kind = CORO_RESULT_NONE;
      break;
    }
  item->kind = CORO_ITEM_NONE;
  future->state = CORO_FUTURE_FINISHED;
  coro_future_mark_done (future);
}

/* Takes the result of a done @future back into @item; FALSE if it holds no item. */
gboolean
coro_item_take_result (CoroItem   *item,
                       CoroFuture *future)
{
  if (future->state != CORO_FUTURE_FINISHED || future->error != NULL)
    return FALSE;

  switch ((CoroResultKind) future->kind)
    {
    case CORO_RESULT_INT:
      item->kind = CORO_ITEM_INT;
      item->v_int = future->result.v_int;
      break;
    case CORO_RESULT_STRING:
      item->kind = CORO_ITEM_STRING;
      item->v_string = g_steal_pointer (&future->result.v_string);
      break;
    case CORO_RESULT_POINTER:
      item->kind = CORO_ITEM_POINTER;
      item->v_pointer = g_steal_pointer (&future->result.v_pointer.data);
      item->destroy = future->result.v_pointer.destroy;
      future->result.v_pointer.destroy = NULL;
      break;
    case CORO_RESULT_VALUE:
      item->kind = CORO_ITEM_VALUE;
      item->v_value = g_steal_pointer (&future->result.v_value);
      break;
    default:
      return FALSE;
    }
  future->kind = CORO_RESULT_NONE;
  return TRUE;
}
