/* gather-factorial.c: running tasks concurrently with gather
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's gather program: three factorial coroutines sleep one second per step, all at
 * the same time, and gather waits for the three.
 */
#include <coro.h>
#include <stdio.h>

/* async def factorial(name, number): */
typedef struct
{
  const char *name;
  gint64 number;
  gint64 f;
  gint64 i;
} Factorial;

static void factorial_loop (CoroTask *task, gpointer frame);
static void factorial_multiply (CoroTask *task, gpointer frame);

static void
factorial (CoroTask *task,
           gpointer  frame)
{
  Factorial *self = frame;

  self->f = 1;                                      /* f = 1 */
  self->i = 2;                                      /* for i in range(2, number + 1): */
  factorial_loop (task, frame);
}

static void
factorial_loop (CoroTask *task,
                gpointer  frame)
{
  Factorial *self = frame;

  if (self->i <= self->number)
    {
      /* print(f"Task {name}: Compute factorial({i})...") */
      printf ("Task %s: Compute factorial(%" G_GINT64_FORMAT ")...\n", self->name, self->i);
      coro_await (task, coro_sleep (1), factorial_multiply);    /* await asyncio.sleep(1) */
      return;
    }
  /* print(f"Task {name}: factorial({number}) = {f}") */
  printf ("Task %s: factorial(%" G_GINT64_FORMAT ") = %" G_GINT64_FORMAT "\n",
          self->name, self->number, self->f);
  coro_task_return_int (task, self->f);
}

static void
factorial_multiply (CoroTask *task,
                    gpointer  frame)
{
  Factorial *self = frame;

  self->f *= self->i;                               /* f *= i */
  self->i++;
  factorial_loop (task, frame);
}

/* async def main(): */
typedef struct
{
  int unused;
} Main;

static void
main_done (CoroTask *task,
           gpointer  frame)
{
  coro_task_return (task);
}

static void
main_start (CoroTask *task,
            gpointer  frame)
{
  CoroFuture *a, *b, *c;

  /* Schedule three calls *concurrently*. The tasks are created one statement at a time:
   * C does not fix the order in which a call's arguments are evaluated, and the order of
   * creation is the order in which the tasks first run. */
  a = CORO_FUTURE (CORO_CREATE_TASK (factorial, Factorial, .name = "A", .number = 2));
  b = CORO_FUTURE (CORO_CREATE_TASK (factorial, Factorial, .name = "B", .number = 3));
  c = CORO_FUTURE (CORO_CREATE_TASK (factorial, Factorial, .name = "C", .number = 4));
  /* await asyncio.gather(factorial("A", 2), factorial("B", 3), factorial("C", 4)) */
  coro_await (task, coro_gather (a, b, c, NULL), main_done);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  /* asyncio.run(main()) */
  if (!coro_run (CORO_FUTURE (CORO_CREATE_TASK (main_start, Main)), &error))
    {
      g_printerr ("gather-factorial: %s\n", error->message);
      return 1;
    }
  return 0;
}
