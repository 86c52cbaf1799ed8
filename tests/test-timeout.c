/* test-timeout.c: timeout scopes, ported from CPython's test_timeouts.py
 *
 * A test writes the body of its `async def` as a little program: the interpreter below
 * runs it as one task, with Python's exception propagation (an error skips the
 * operations up to the end of its scope).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

#include <math.h>

typedef enum
{
  OP_END,
  OP_ENTER,         /* async with timeout (arg): INFINITY for None */
  OP_ENTER_AT,      /* async with timeout_at (now + arg) */
  OP_SLEEP,         /* await sleep (arg) */
  OP_CRASH,         /* await crash (): sleeps arg, fails with G_IO_ERROR_FAILED when cancelled */
  OP_CANCEL_SELF,   /* current_task ().cancel () */
  OP_FAIL,          /* raise (G_IO_ERROR_NOT_FOUND, a KeyError) */
  OP_EXIT,          /* end of the innermost scope */
  OP_EXPECT,        /* assert the error in flight has CORO_ERROR code arg (-1: none) */
  OP_CATCH,         /* except CORO_ERROR code arg: swallow it (asserted) */
  OP_FINALLY,       /* finally: set the error aside */
  OP_END_FINALLY,   /* end of finally: the error set aside goes on, unless a new one */
  OP_RESCHEDULE,    /* cm.reschedule (now + arg) */
} OpKind;

typedef struct
{
  OpKind kind;
  double arg;
} Op;

typedef struct
{
  const Op    *ops;
  guint        pc;
  CoroTimeout *stack[4];
  guint        depth;
  CoroTimeout *scopes[4];  /* every scope entered, in order, kept for the asserts */
  guint        n_scopes;
  GError      *error;      /* in flight */
  GError      *set_aside;
} Prog;

typedef struct
{
  Prog *prog;
} ProgFrame;

static double
now (void)
{
  return coro_loop_time (coro_loop_get_default ());
}

static gboolean
error_is (const GError *error,
          int           code)
{
  if (code < 0)
    return error == NULL;
  if (code == 100)
    return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  if (code == 101)
    return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  return g_error_matches (error, CORO_ERROR, code);
}

#define KEY_ERROR 100
#define CRASH_ERROR 101

typedef struct
{
  double delay;
} Crash;

static void
crash_end (CoroTask *task,
           gpointer  frame)
{
  if (coro_future_cancelled (coro_task_get_awaited (task)))
    coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "1/0 in finally");
  else
    coro_task_return (task);
}

static void
crash_start (CoroTask *task,
             gpointer  frame)
{
  Crash *self = frame;

  coro_await_catch (task, coro_sleep (self->delay), crash_end);
}

static void prog_step (CoroTask *task, gpointer frame);

static void
prog_resumed (CoroTask *task,
              gpointer  frame)
{
  Prog *self = ((ProgFrame *) frame)->prog;
  const GError *error = coro_future_get_error (coro_task_get_awaited (task));

  if (error != NULL)
    self->error = g_error_copy (error);
  self->pc++;
  prog_step (task, frame);
}

static void
prog_step (CoroTask *task,
           gpointer  frame)
{
  Prog *self = ((ProgFrame *) frame)->prog;

  for (;; self->pc++)
    {
      const Op *op = &self->ops[self->pc];

      if (op->kind == OP_END)
        break;
      /* An error in flight skips everything up to the end of its block. */
      if (self->error != NULL && op->kind != OP_EXIT && op->kind != OP_EXPECT
          && op->kind != OP_CATCH && op->kind != OP_FINALLY && op->kind != OP_END_FINALLY)
        continue;

      switch (op->kind)
        {
        case OP_ENTER:
        case OP_ENTER_AT:
          {
            CoroTimeout *t = op->kind == OP_ENTER ? coro_timeout_new (op->arg)
                                                  : coro_timeout_new_at (now () + op->arg);
            GError *error = NULL;

            g_assert_true (coro_timeout_enter (t, NULL, &error));
            g_assert_no_error (error);
            g_assert_cmpuint (self->depth, <, G_N_ELEMENTS (self->stack));
            self->stack[self->depth++] = t;
            self->scopes[self->n_scopes++] = g_object_ref (t);
          }
          break;
        case OP_SLEEP:
          coro_await_catch (task, coro_sleep (op->arg), prog_resumed);
          return;
        case OP_CRASH:
          coro_await_catch (task, CORO_FUTURE (CORO_CREATE_TASK (crash_start, Crash,
                                                                 .delay = op->arg)),
                            prog_resumed);
          return;
        case OP_CANCEL_SELF:
          g_assert_true (coro_task_cancel (task, NULL));
          break;
        case OP_FAIL:
          self->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "KeyError");
          break;
        case OP_EXIT:
          {
            CoroTimeout *t = self->stack[--self->depth];
            GError *out = NULL;

            if (coro_timeout_exit (t, self->error, &out))
              g_assert_no_error (out);
            else
              g_assert_nonnull (out);
            g_clear_error (&self->error);
            self->error = out;
            g_object_unref (t);
          }
          break;
        case OP_EXPECT:
          if (!error_is (self->error, (int) op->arg))
            g_error ("op %u: expected error %d, got %s", self->pc, (int) op->arg,
                     self->error != NULL ? self->error->message : "none");
          break;
        case OP_CATCH:
          if (!error_is (self->error, (int) op->arg))
            g_error ("op %u: expected to catch error %d, got %s", self->pc, (int) op->arg,
                     self->error != NULL ? self->error->message : "none");
          g_clear_error (&self->error);
          break;
        case OP_FINALLY:
          self->set_aside = g_steal_pointer (&self->error);
          break;
        case OP_END_FINALLY:
          if (self->error == NULL)
            self->error = g_steal_pointer (&self->set_aside);
          g_clear_error (&self->set_aside);
          break;
        case OP_RESCHEDULE:
          g_assert_true (coro_timeout_reschedule (self->stack[self->depth - 1], now () + op->arg,
                                                  NULL));
          break;
        case OP_END:
        default:
          g_assert_not_reached ();
        }
    }

  g_assert_cmpuint (self->depth, ==, 0);
  if (self->error != NULL)
    coro_task_return_error (task, g_steal_pointer (&self->error));
  else
    coro_task_return (task);
}

/* Runs @ops as a task; returns its error code (-1: success, 100: the KeyError). */
static int
run_prog (const Op *ops,
          Prog     *prog)
{
  CoroFuture *task;
  GError *error = NULL;
  int code = -1;

  memset (prog, 0, sizeof *prog);
  prog->ops = ops;
  task = CORO_FUTURE (CORO_CREATE_TASK (prog_step, ProgFrame, .prog = prog));
  if (!coro_run (coro_future_ref (task), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        code = KEY_ERROR;
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED))
        code = CRASH_ERROR;
      else
        {
          g_assert_true (error->domain == CORO_ERROR);
          code = error->code;
          /* A task that ends with a timeout is not cancelled (test_outer_task_is_not_cancelled). */
          if (code == CORO_ERROR_TIMEOUT)
            g_assert_false (coro_future_cancelled (task));
        }
    }
  g_clear_error (&error);
  coro_future_unref (task);
  return code;
}

static void
prog_clear (Prog *prog)
{
  for (guint i = 0; i < prog->n_scopes; i++)
    g_object_unref (prog->scopes[i]);
}

#define E(code) { OP_EXPECT, (code) }
#define NONE (-1)

/* What a program case checks of a scope: nothing, or whether it expired. */
typedef enum
{
  SCOPE_ANY,
  EXPIRED,
  NOT_EXPIRED,
} ScopeCheck;

/* A program and what running it must give: its error code, the virtual time it took and
 * the first scope's deadline, both from the start (NAN: not checked), and the state of
 * its first two scopes. */
typedef struct
{
  const char *path;
  const Op   *ops;
  int         code;
  double      elapsed;
  double      when;
  ScopeCheck  scopes[2];
} ProgCase;

static const Op basic_ops[] = {
  { OP_ENTER, 0.01 }, { OP_SLEEP, 10 }, { OP_EXIT }, { OP_END } };
static const Op at_basic_ops[] = {
  { OP_ENTER_AT, 0.01 }, { OP_SLEEP, 10 }, { OP_EXIT }, { OP_END } };
/* Same deadline twice: only the outer scope raises the timeout. */
static const Op nested_ops[] = {
  { OP_ENTER_AT, 0.01 },
    { OP_ENTER_AT, 0.01 }, { OP_SLEEP, 10 }, { OP_EXIT },
    E (CORO_ERROR_CANCELLED),
  { OP_EXIT },
  { OP_END } };
static const Op foreign_exception_passed_ops[] = {
  { OP_ENTER, 0.01 }, { OP_FAIL }, { OP_EXIT }, { OP_END } };
/* The body turns the cancellation into another error: that error goes on. */
static const Op foreign_exception_on_timeout_ops[] = {
  { OP_ENTER, 0.01 }, { OP_CRASH, 1 }, { OP_EXIT }, { OP_END } };
static const Op foreign_cancel_not_expired_ops[] = {
  { OP_ENTER, 10 }, { OP_CANCEL_SELF }, { OP_SLEEP, 10 }, { OP_EXIT }, { OP_END } };
/* The outer scope fires, the inner one did not: the inner one passes the cancellation
 * on and the outer one converts it. */
static const Op nested_concurrent_ops[] = {
  { OP_ENTER, 0.002 },
    { OP_ENTER, 0.1 }, { OP_SLEEP, 1 }, { OP_EXIT },
    E (CORO_ERROR_CANCELLED),
  { OP_EXIT },
  { OP_END } };
/* The inner scope fires and is handled; the outer one then stops the next sleep. */
static const Op nested_inner_then_outer_ops[] = {
  { OP_ENTER, 0.1 },
    { OP_ENTER, 0.01 }, { OP_SLEEP, 1 }, { OP_EXIT },
    { OP_CATCH, CORO_ERROR_TIMEOUT },
    { OP_SLEEP, 10 },
  { OP_EXIT },
  { OP_END } };
static const Op nested_in_finally_ops[] = {
  { OP_ENTER, 0.01 },
    { OP_SLEEP, 1 },
    { OP_FINALLY },
      { OP_ENTER, 0.01 }, { OP_SLEEP, 10 }, { OP_EXIT },
      { OP_CATCH, CORO_ERROR_TIMEOUT },
    { OP_END_FINALLY },
  { OP_EXIT },
  { OP_END } };
/* A cancellation caught and not withdrawn stays counted; a scope entered then still
 * converts its own. */
static const Op after_cancellation_ops[] = {
  { OP_CANCEL_SELF }, { OP_SLEEP, 1 }, { OP_CATCH, CORO_ERROR_CANCELLED },
  { OP_ENTER, 0 }, { OP_SLEEP, 1 }, { OP_EXIT },
  { OP_CATCH, CORO_ERROR_TIMEOUT },
  { OP_END } };
static const Op cancel_after_cancellation_ops[] = {
  { OP_CANCEL_SELF }, { OP_SLEEP, 1 }, { OP_CATCH, CORO_ERROR_CANCELLED },
  { OP_ENTER, 1 }, { OP_CANCEL_SELF }, { OP_SLEEP, 2 }, { OP_EXIT },
  { OP_CATCH, CORO_ERROR_CANCELLED },
  { OP_END } };

static const ProgCase prog_cases[] = {
  { "/timeout/basic", basic_ops, CORO_ERROR_TIMEOUT, 0.01, 0.01, { EXPIRED } },
  { "/timeout/at-basic", at_basic_ops, CORO_ERROR_TIMEOUT, NAN, 0.01, { EXPIRED } },
  { "/timeout/nested", nested_ops, CORO_ERROR_TIMEOUT, NAN, NAN, { EXPIRED, EXPIRED } },
  { "/timeout/foreign-exception-passed", foreign_exception_passed_ops, KEY_ERROR, NAN, NAN,
    { NOT_EXPIRED } },
  { "/timeout/foreign-exception-on-timeout", foreign_exception_on_timeout_ops, CRASH_ERROR,
    NAN, NAN, { EXPIRED } },
  { "/timeout/foreign-cancel-not-expired", foreign_cancel_not_expired_ops,
    CORO_ERROR_CANCELLED, NAN, NAN, { NOT_EXPIRED } },
  { "/timeout/nested-concurrent", nested_concurrent_ops, CORO_ERROR_TIMEOUT, NAN, NAN,
    { EXPIRED, NOT_EXPIRED } },
  { "/timeout/nested-inner-then-outer", nested_inner_then_outer_ops, CORO_ERROR_TIMEOUT, 0.1,
    NAN, { EXPIRED, EXPIRED } },
  { "/timeout/nested-in-finally", nested_in_finally_ops, CORO_ERROR_TIMEOUT, NAN, NAN, { 0 } },
  { "/timeout/after-cancellation", after_cancellation_ops, NONE, NAN, NAN, { 0 } },
  { "/timeout/cancel-after-cancellation", cancel_after_cancellation_ops, NONE, NAN, NAN,
    { NOT_EXPIRED } },
};

static void
test_prog_case (gconstpointer data)
{
  CORO_TEST_BEGIN ();
  const ProgCase *c = data;
  double start = now ();
  Prog prog;

  g_assert_cmpint (run_prog (c->ops, &prog), ==, c->code);
  if (!isnan (c->elapsed))
    g_assert_cmpfloat_with_epsilon (now () - start, c->elapsed, 1e-9);
  for (guint i = 0; i < G_N_ELEMENTS (c->scopes); i++)
    if (c->scopes[i] != SCOPE_ANY)
      g_assert_cmpint (coro_timeout_expired (prog.scopes[i]), ==,
                       c->scopes[i] == EXPIRED);
  if (!isnan (c->when))
    g_assert_cmpfloat_with_epsilon (coro_timeout_when (prog.scopes[0]), start + c->when, 1e-9);
  prog_clear (&prog);
  CORO_TEST_END ();
}

static void
test_timeout_not_called (void)
{
  CORO_TEST_BEGIN ();
  static const Op ops[] = { { OP_ENTER, 10 }, { OP_SLEEP, 0.01 }, { OP_EXIT }, { OP_END } };
  Prog prog;

  g_assert_cmpint (run_prog (ops, &prog), ==, NONE);
  g_assert_false (coro_timeout_expired (prog.scopes[0]));
  g_assert_cmpfloat (coro_timeout_when (prog.scopes[0]), >, now ());
  prog_clear (&prog);
  CORO_TEST_END ();
}

static void
test_timeout_disabled (void)
{
  CORO_TEST_BEGIN ();
  static const Op ops[] = { { OP_ENTER, INFINITY }, { OP_SLEEP, 0.01 }, { OP_EXIT },
                            { OP_ENTER_AT, INFINITY }, { OP_SLEEP, 0.01 }, { OP_EXIT },
                            { OP_END } };
  Prog prog;

  g_assert_cmpint (run_prog (ops, &prog), ==, NONE);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_false (coro_timeout_expired (prog.scopes[i]));
      g_assert_true (isinf (coro_timeout_when (prog.scopes[i])));
    }
  prog_clear (&prog);
  CORO_TEST_END ();
}

/* timeout (0), with sleep (10), sleep (0), and timeout (-11) with sleep (0). */
static void
test_timeout_zero_and_past (void)
{
  CORO_TEST_BEGIN ();
  static const Op zero[] = { { OP_ENTER, 0 }, { OP_SLEEP, 10 }, { OP_EXIT }, { OP_END } };
  static const Op zero_zero[] = { { OP_ENTER, 0 }, { OP_SLEEP, 0 }, { OP_EXIT }, { OP_END } };
  static const Op past[] = { { OP_ENTER, -11 }, { OP_SLEEP, 0 }, { OP_EXIT }, { OP_END } };
  const Op *progs[] = { zero, zero_zero, past };

  for (guint i = 0; i < G_N_ELEMENTS (progs); i++)
    {
      double start = now ();
      Prog prog;

      g_assert_cmpint (run_prog (progs[i], &prog), ==, CORO_ERROR_TIMEOUT);
      g_assert_true (coro_timeout_expired (prog.scopes[0]));
      g_assert_cmpfloat (coro_timeout_when (prog.scopes[0]), <=, now ());
      g_assert_cmpfloat_with_epsilon (now (), start, 1e-9);
      prog_clear (&prog);
    }
  CORO_TEST_END ();
}

/* Moving the deadline while the scope is open. */
static void
test_reschedule_inside (void)
{
  CORO_TEST_BEGIN ();
  static const Op later[] = { { OP_ENTER, 1 }, { OP_RESCHEDULE, 5 }, { OP_SLEEP, 3 }, { OP_EXIT },
                              { OP_END } };
  static const Op sooner[] = { { OP_ENTER, 10 }, { OP_RESCHEDULE, 2 }, { OP_SLEEP, 3 }, { OP_EXIT },
                               { OP_END } };
  double start = now ();
  Prog prog;

  g_assert_cmpint (run_prog (later, &prog), ==, NONE);
  g_assert_cmpfloat_with_epsilon (now () - start, 3, 1e-9);
  g_assert_cmpfloat_with_epsilon (coro_timeout_when (prog.scopes[0]), start + 5, 1e-9);
  prog_clear (&prog);
  start = now ();
  g_assert_cmpint (run_prog (sooner, &prog), ==, CORO_ERROR_TIMEOUT);
  g_assert_cmpfloat_with_epsilon (now () - start, 2, 1e-9);
  prog_clear (&prog);
  CORO_TEST_END ();
}

/* test_reschedule: from outside the task, then the task is cancelled. */
typedef struct
{
  CoroTimeout *cm;
  CoroFuture  *entered;
} Holder;

static void
holder_after (CoroTask *task,
              gpointer  frame)
{
  Holder *self = frame;
  GError *error = NULL;
  const GError *caught = coro_future_get_error (coro_task_get_awaited (task));

  g_assert_false (coro_timeout_exit (self->cm, caught, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  coro_task_return_error (task, error);
}

static void
holder_start (CoroTask *task,
              gpointer  frame)
{
  Holder *self = frame;

  g_assert_true (coro_timeout_enter (self->cm, task, NULL));
  coro_future_set_none (self->entered, NULL);
  coro_await_catch (task, coro_sleep (50), holder_after);
}

typedef struct
{
  Holder *holder;
  double  deadline1;
} ReschedMain;

static void
resched_main_end (CoroTask *task,
                  gpointer  frame)
{
  g_assert_true (coro_future_cancelled (coro_task_get_awaited (task)));
  coro_task_return (task);
}

static void
resched_main_entered (CoroTask *task,
                      gpointer  frame)
{
  ReschedMain *self = frame;
  CoroTimeout *cm = self->holder->cm;
  CoroTask *child = g_object_get_data (G_OBJECT (cm), "task");

  g_assert_cmpfloat (coro_timeout_when (cm), ==, self->deadline1);
  g_assert_true (coro_timeout_reschedule (cm, self->deadline1 + 20, NULL));
  g_assert_cmpfloat (coro_timeout_when (cm), ==, self->deadline1 + 20);
  g_assert_true (coro_timeout_reschedule (cm, INFINITY, NULL));
  g_assert_true (isinf (coro_timeout_when (cm)));
  coro_task_cancel (child, NULL);
  coro_await_catch (task, coro_future_ref (CORO_FUTURE (child)), resched_main_end);
}

static void
resched_main (CoroTask *task,
              gpointer  frame)
{
  ReschedMain *self = frame;

  coro_await (task, coro_future_ref (self->holder->entered), resched_main_entered);
}

static void
test_reschedule (void)
{
  CORO_TEST_BEGIN ();
  double deadline1 = now () + 10;
  Holder holder = { coro_timeout_new_at (deadline1), coro_future_new () };
  CoroTask *child = CORO_CREATE_TASK (holder_start, Holder, .cm = holder.cm,
                                      .entered = holder.entered);
  CoroFuture *main;

  g_object_set_data (G_OBJECT (holder.cm), "task", child);
  main = CORO_FUTURE (CORO_CREATE_TASK (resched_main, ReschedMain, .holder = &holder,
                                        .deadline1 = deadline1));
  coro_test_run (main);
  g_assert_false (coro_timeout_expired (holder.cm));
  g_assert_cmpfloat_with_epsilon (now (), deadline1 - 10, 1e-9);
  coro_future_unref (main);
  coro_future_unref (CORO_FUTURE (child));
  coro_future_unref (holder.entered);
  g_object_unref (holder.cm);
  CORO_TEST_END ();
}

/* States: entered twice, reschedule before enter and after exit, no task, exit twice. */
typedef struct
{
  int unused;
} StatesFrame;

static void
states_step (CoroTask *task,
             gpointer  frame)
{
  CoroTimeout *cm = coro_timeout_new (0.01);
  GError *error = NULL;

  g_assert_false (coro_timeout_reschedule (cm, 1, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "has not been entered"));
  g_clear_error (&error);
  g_assert_false (coro_timeout_exit (cm, NULL, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_true (coro_timeout_enter (cm, NULL, &error));
  g_assert_false (coro_timeout_enter (cm, NULL, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "has already been entered"));
  g_clear_error (&error);
  g_assert_true (coro_timeout_exit (cm, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (coro_timeout_enter (cm, NULL, &error));
  g_assert_nonnull (strstr (error->message, "has already been entered"));
  g_clear_error (&error);
  g_assert_false (coro_timeout_reschedule (cm, 0.02, &error));
  g_assert_nonnull (strstr (error->message, "finished"));
  g_clear_error (&error);
  g_assert_false (coro_timeout_exit (cm, NULL, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (coro_timeout_expired (cm));
  g_object_unref (cm);
  coro_task_return (task);
}

static void
test_timeout_states (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *task = CORO_FUTURE (CORO_CREATE_TASK (states_step, StatesFrame));
  CoroTimeout *cm = coro_timeout_new (0.01);
  GError *error = NULL;

  coro_test_run (task);
  coro_future_unref (task);

  /* test_timeout_without_task */
  g_assert_false (coro_timeout_enter (cm, NULL, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "task"));
  g_clear_error (&error);
  g_assert_false (coro_timeout_reschedule (cm, 0.02, &error));
  g_assert_nonnull (strstr (error->message, "has not been entered"));
  g_clear_error (&error);
  g_object_unref (cm);
  CORO_TEST_END ();
}

/* The expired scope's error after it is closed cannot be changed: reschedule fails. */
static void
test_timeout_expired_reschedule (void)
{
  CORO_TEST_BEGIN ();
  static const Op ops[] = { { OP_ENTER, 0.01 }, { OP_SLEEP, 10 }, { OP_EXIT }, { OP_END } };
  GError *error = NULL;
  Prog prog;

  g_assert_cmpint (run_prog (ops, &prog), ==, CORO_ERROR_TIMEOUT);
  g_assert_false (coro_timeout_reschedule (prog.scopes[0], now () + 1, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "expired"));
  g_clear_error (&error);
  prog_clear (&prog);
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (prog_cases); i++)
    g_test_add_data_func (prog_cases[i].path, &prog_cases[i], test_prog_case);
  g_test_add_func ("/timeout/not-called", test_timeout_not_called);
  g_test_add_func ("/timeout/disabled", test_timeout_disabled);
  g_test_add_func ("/timeout/zero-and-past", test_timeout_zero_and_past);
  g_test_add_func ("/timeout/reschedule-inside", test_reschedule_inside);
  g_test_add_func ("/timeout/reschedule", test_reschedule);
  g_test_add_func ("/timeout/states", test_timeout_states);
  g_test_add_func ("/timeout/expired-reschedule", test_timeout_expired_reschedule);

  return g_test_run ();
}
