/* producer-consumer.c: the asyncio docs' queue example
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *     async def worker(name, queue):
 *         while True:
 *             sleep_for = await queue.get()
 *             await asyncio.sleep(sleep_for)
 *             queue.task_done()
 *             print(f'{name} has slept for {sleep_for:.2f} seconds')
 *
 *     async def main():
 *         queue = asyncio.Queue()
 *         total_sleep_time = 0
 *         for _ in range(20):
 *             sleep_for = random.uniform(0.05, 1.0)
 *             total_sleep_time += sleep_for
 *             queue.put_nowait(sleep_for)
 *         tasks = [asyncio.create_task(worker(f'worker-{i}', queue)) for i in range(3)]
 *         started_at = time.monotonic()
 *         await queue.join()
 *         total_slept_for = time.monotonic() - started_at
 *         for task in tasks:
 *             task.cancel()
 *         await asyncio.gather(*tasks, return_exceptions=True)
 *         print('====')
 *         print(f'3 workers slept in parallel for {total_slept_for:.2f} seconds')
 *         print(f'total expected sleep time: {total_sleep_time:.2f} seconds')
 */
#include <coro.h>
#include <stdio.h>

/* async def worker(name, queue): */
typedef struct
{
  char       name[16];
  CoroQueue *queue;
  double     sleep_for;
} Worker;

static void worker_sleep (CoroTask *task, gpointer frame);
static void worker_done (CoroTask *task, gpointer frame);

static void
worker (CoroTask *task,
        gpointer  frame)
{
  Worker *self = frame;

  /* sleep_for = await queue.get() */
  coro_await (task, coro_queue_get (self->queue), worker_sleep);
}

static void
worker_sleep (CoroTask *task,
              gpointer  frame)
{
  Worker *self = frame;
  GValue value = G_VALUE_INIT;

  coro_future_get_value (coro_task_get_awaited (task), &value, NULL);
  self->sleep_for = g_value_get_double (&value);
  g_value_unset (&value);
  /* await asyncio.sleep(sleep_for) */
  coro_await (task, coro_sleep (self->sleep_for), worker_done);
}

static void
worker_done (CoroTask *task,
             gpointer  frame)
{
  Worker *self = frame;

  coro_queue_task_done (self->queue, NULL);                       /* queue.task_done() */
  printf ("%s has slept for %.2f seconds\n", self->name, self->sleep_for);
  worker (task, frame);                                           /* while True: */
}

/* async def main(): */
typedef struct
{
  CoroQueue  *queue;
  CoroFuture *tasks[3];
  double      total_sleep_time;
  double      started_at;
  double      total_slept_for;
} Main;

static void main_joined (CoroTask *task, gpointer frame);
static void main_gathered (CoroTask *task, gpointer frame);

static void
main_release (gpointer data)
{
  Main *self = data;

  for (int i = 0; i < 3; i++)
    g_clear_pointer (&self->tasks[i], coro_future_unref);
  g_clear_object (&self->queue);
}

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  Main *self = frame;
  g_autoptr(GRand) random = g_rand_new_with_seed (20);

  coro_task_defer (task, main_release, self);
  self->queue = coro_queue_new (0);                               /* queue = asyncio.Queue() */
  for (int i = 0; i < 20; i++)
    {
      GValue value = G_VALUE_INIT;
      double sleep_for = g_rand_double_range (random, 0.05, 1.0); /* random.uniform(0.05, 1.0) */

      self->total_sleep_time += sleep_for;
      g_value_init (&value, G_TYPE_DOUBLE);
      g_value_set_double (&value, sleep_for);
      coro_queue_put_value_nowait (self->queue, &value, NULL);    /* queue.put_nowait(sleep_for) */
    }
  /* tasks = [asyncio.create_task(worker(f'worker-{i}', queue)) for i in range(3)] */
  for (int i = 0; i < 3; i++)
    {
      CoroTask *worker_task = CORO_CREATE_TASK (worker, Worker, .queue = self->queue);
      Worker *worker_frame = coro_task_get_frame (worker_task);

      g_snprintf (worker_frame->name, sizeof worker_frame->name, "worker-%d", i);
      self->tasks[i] = CORO_FUTURE (worker_task);
    }
  /* started_at = time.monotonic() */
  self->started_at = coro_loop_time (coro_loop_get_default ());
  coro_await (task, coro_queue_join (self->queue), main_joined);  /* await queue.join() */
}

static void
main_joined (CoroTask *task,
             gpointer  frame)
{
  Main *self = frame;

  self->total_slept_for = coro_loop_time (coro_loop_get_default ()) - self->started_at;
  for (int i = 0; i < 3; i++)                                     /* task.cancel() */
    coro_future_cancel (self->tasks[i], NULL);
  /* await asyncio.gather(*tasks, return_exceptions=True) */
  coro_await (task, coro_gatherv (self->tasks, 3, CORO_GATHER_RETURN_EXCEPTIONS), main_gathered);
}

static void
main_gathered (CoroTask *task,
               gpointer  frame)
{
  Main *self = frame;

  printf ("====\n");
  printf ("3 workers slept in parallel for %.2f seconds\n", self->total_slept_for);
  printf ("total expected sleep time: %.2f seconds\n", self->total_sleep_time);
  coro_task_return (task);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  /* asyncio.run(main()) */
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_start, Main, .total_sleep_time = 0)), &error))
    {
      g_printerr ("producer-consumer: %s\n", error->message);
      return 1;
    }
  return 0;
}
