/* rate-limit.c: a semaphore bounding concurrent work
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *     async def job(n, semaphore):
 *         async with semaphore:
 *             print(f'job {n} started at {elapsed():.2f} s')
 *             await asyncio.sleep(1)
 *             print(f'job {n} done at {elapsed():.2f} s')
 *
 *     async def main():
 *         semaphore = asyncio.Semaphore(3)
 *         await asyncio.gather(*(job(n, semaphore) for n in range(10)))
 *         print(f'10 jobs in {elapsed():.2f} s, at most 3 at a time')
 *
 * Jobs 0-2 run at 0 s, 3-5 at 1 s, 6-8 at 2 s and 9 at 3 s: the semaphore hands each
 * freed unit to the longest-waiting job.
 */
#include <coro.h>
#include <stdio.h>

static double start_time;

static double
elapsed (void)
{
  return coro_loop_time (coro_loop_get_default ()) - start_time;
}

/* async def job(n, semaphore): */
typedef struct
{
  int            n;
  CoroSemaphore *semaphore;
} Job;

static void job_started (CoroTask *task, gpointer frame);
static void job_done (CoroTask *task, gpointer frame);

static void
job (CoroTask *task,
     gpointer  frame)
{
  Job *self = frame;

  /* async with semaphore: */
  coro_await (task, coro_semaphore_acquire (self->semaphore), job_started);
}

static void
job_started (CoroTask *task,
             gpointer  frame)
{
  Job *self = frame;

  printf ("job %d started at %.2f s\n", self->n, elapsed ());
  coro_await (task, coro_sleep (1), job_done);                  /* await asyncio.sleep(1) */
}

static void
job_done (CoroTask *task,
          gpointer  frame)
{
  Job *self = frame;

  printf ("job %d done at %.2f s\n", self->n, elapsed ());
  coro_semaphore_release (self->semaphore, NULL);              /* leaving "async with" */
  coro_task_return (task);
}

/* async def main(): */
typedef struct
{
  CoroSemaphore *semaphore;
} Main;

static void
main_release (gpointer data)
{
  g_clear_object (&((Main *) data)->semaphore);
}

static void
main_done (CoroTask *task,
           gpointer  frame)
{
  printf ("10 jobs in %.2f s, at most 3 at a time\n", elapsed ());
  coro_task_return (task);
}

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  Main *self = frame;
  CoroFuture *jobs[10];
  CoroFuture *gather;

  coro_task_defer (task, main_release, self);
  /* semaphore = asyncio.Semaphore(3) */
  self->semaphore = coro_semaphore_new (3);
  for (int n = 0; n < 10; n++)
    jobs[n] = CORO_FUTURE (CORO_CREATE_TASK (job, Job, .n = n, .semaphore = self->semaphore));
  gather = coro_gatherv (jobs, 10, CORO_GATHER_NONE);           /* await asyncio.gather(...) */
  for (int n = 0; n < 10; n++)
    coro_future_unref (jobs[n]);
  coro_await (task, gather, main_done);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  start_time = coro_loop_time (coro_loop_get_default ());
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_start, Main, NULL)), &error))
    {
      g_printerr ("rate-limit: %s\n", error->message);
      return 1;
    }
  return 0;
}
