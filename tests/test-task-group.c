/* test-task-group.c: CoroTaskGroup, key cases of CPython's test_taskgroups.py, and eager
 * task start
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

typedef struct
{
  double    delay;
  gboolean  fail;
  gboolean *cancelled;
  const char *name;
  gboolean  fail_on_cancel;  /* a finally that raises */
} Child;

static void
child_end (CoroTask *task,
           gpointer  frame)
{
  Child *self = frame;
  CoroFuture *sleep = coro_task_get_awaited (task);

  if (coro_future_cancelled (sleep))
    {
      if (self->cancelled != NULL)
        *self->cancelled = TRUE;
      if (self->fail_on_cancel)
        coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "failed in finally");
      else
        coro_task_return_error (task, g_error_copy (coro_future_get_error (sleep)));
    }
  else if (self->fail)
    coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed",
                                self->name != NULL ? self->name : "child");
  else
    coro_task_return_int (task, (gint64) (self->delay * 10));
}

static void
child_start (CoroTask *task,
             gpointer  frame)
{
  Child *self = frame;

  coro_await_catch (task, coro_sleep (self->delay), child_end);
}

typedef struct
{
  Child     children[4];
  guint     n_children;
  double    body_sleep;     /* < 0: the body awaits nothing */
  gboolean  body_fails;     /* the body raises after its sleep */
  CoroTaskGroup *group;
  gboolean  body_cancelled;
  GError   *group_error;
  gboolean  group_cancelled;
  guint     cancelling_after;
} Scenario;

typedef struct
{
  Scenario *s;
} ParentFrame;

static void
parent_end (CoroTask *task,
            gpointer  frame)
{
  Scenario *s = ((ParentFrame *) frame)->s;
  CoroFuture *wait = coro_task_get_awaited (task);
  const GError *error = coro_future_get_error (wait);

  s->group_cancelled = coro_future_cancelled (wait);
  s->group_error = error != NULL ? g_error_copy (error) : NULL;
  s->cancelling_after = coro_task_cancelling (task);
  if (error != NULL)
    coro_task_return_error (task, g_error_copy (error));
  else
    coro_task_return (task);
}

static void
parent_body_done (CoroTask *task,
                  gpointer  frame)
{
  Scenario *s = ((ParentFrame *) frame)->s;
  CoroFuture *awaited = coro_task_get_awaited (task);
  g_autoptr(GError) caught = NULL;

  if (awaited != NULL && coro_future_get_error (awaited) != NULL)
    caught = g_error_copy (coro_future_get_error (awaited));
  s->body_cancelled = awaited != NULL && coro_future_cancelled (awaited);
  if (caught == NULL && s->body_fails)
    caught = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "body failed");
  coro_await_catch (task, coro_task_group_wait (s->group, caught), parent_end);
}

static void
parent_start (CoroTask *task,
              gpointer  frame)
{
  Scenario *s = ((ParentFrame *) frame)->s;

  s->group = coro_task_group_new ();
  g_assert_true (coro_task_group_get_parent (s->group) == task);
  for (guint i = 0; i < s->n_children; i++)
    g_assert_nonnull (coro_task_group_create_task (s->group, child_start, &s->children[i],
                                                   sizeof (Child), NULL));
  g_assert_cmpuint (coro_task_group_get_n_tasks (s->group), ==, s->n_children);
  if (s->body_sleep >= 0)
    coro_await_catch (task, coro_sleep (s->body_sleep), parent_body_done);
  else
    parent_body_done (task, frame);
}

static CoroFuture *
run_scenario (Scenario *s)
{
  CoroFuture *parent = CORO_FUTURE (CORO_CREATE_TASK (parent_start, ParentFrame, .s = s));
  GError *error = NULL;

  coro_run (coro_future_ref (parent), &error);
  g_clear_error (&error);
  return parent;
}

static void
scenario_clear (Scenario *s,
                CoroFuture *parent)
{
  coro_future_get_error (parent);
  coro_future_unref (parent);
  g_clear_error (&s->group_error);
  g_clear_object (&s->group);
}

static double
now (void)
{
  return coro_loop_time (coro_loop_get_default ());
}

static void
test_task_group_basic (void)
{
  CORO_TEST_BEGIN ();
  Scenario s = { .children = { { .delay = 1 }, { .delay = 3 }, { .delay = 2 } },
                 .n_children = 3, .body_sleep = -1 };
  double start = now ();
  CoroFuture *parent = run_scenario (&s);

  g_assert_cmpfloat_with_epsilon (now () - start, 3, 1e-9);
  g_assert_no_error (s.group_error);
  g_assert_false (s.group_cancelled);
  g_assert_cmpuint (coro_task_group_get_n_errors (s.group), ==, 0);
  g_assert_cmpuint (coro_task_group_get_n_tasks (s.group), ==, 0);
  g_assert_false (coro_future_cancelled (parent));
  scenario_clear (&s, parent);
  CORO_TEST_END ();
}

/* test_taskgroup_02/05: a failing child cancels its siblings and the parent's body; the
 * parent sees the group's error, not a cancellation, and its cancel count is back to 0. */
static void
test_task_group_failure_cancels (void)
{
  CORO_TEST_BEGIN ();
  gboolean sibling_cancelled = FALSE;
  Scenario s = { .children = { { .delay = 10, .cancelled = &sibling_cancelled },
                               { .delay = 1, .fail = TRUE, .name = "bad" } },
                 .n_children = 2, .body_sleep = 100 };
  double start = now ();
  CoroFuture *parent = run_scenario (&s);

  g_assert_cmpfloat_with_epsilon (now () - start, 1, 1e-9);
  g_assert_true (sibling_cancelled);
  g_assert_true (s.body_cancelled);
  g_assert_error (s.group_error, CORO_ERROR, CORO_ERROR_TASK_GROUP);
  g_assert_nonnull (strstr (s.group_error->message, "(1 sub-error)"));
  g_assert_nonnull (strstr (s.group_error->message, "bad failed"));
  g_assert_cmpuint (coro_task_group_get_n_errors (s.group), ==, 1);
  g_assert_error (coro_task_group_get_error (s.group, 0), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpuint (s.cancelling_after, ==, 0);
  g_assert_false (coro_future_cancelled (parent));
  scenario_clear (&s, parent);
  CORO_TEST_END ();
}

/* Two children failing together: both errors, in the order they failed. */
static void
test_task_group_two_errors (void)
{
  CORO_TEST_BEGIN ();
  Scenario s = { .children = { { .delay = 1, .fail = TRUE, .name = "one" },
                               { .delay = 1, .fail = TRUE, .name = "two" },
                               { .delay = 5 } },
                 .n_children = 3, .body_sleep = -1 };
  CoroFuture *parent = run_scenario (&s);

  g_assert_error (s.group_error, CORO_ERROR, CORO_ERROR_TASK_GROUP);
  g_assert_nonnull (strstr (s.group_error->message, "(2 sub-errors): one failed; two failed"));
  g_assert_cmpuint (coro_task_group_get_n_errors (s.group), ==, 2);
  g_assert_cmpstr (coro_task_group_get_error (s.group, 0)->message, ==, "one failed");
  g_assert_cmpstr (coro_task_group_get_error (s.group, 1)->message, ==, "two failed");
  scenario_clear (&s, parent);
  CORO_TEST_END ();
}

/* test_taskgroup_07/08: the body raises: the children are cancelled, and the body's
 * error comes after theirs. */
static void
test_task_group_body_error (void)
{
  CORO_TEST_BEGIN ();
  gboolean cancelled = FALSE;
  Scenario s = { .children = { { .delay = 10, .cancelled = &cancelled } },
                 .n_children = 1, .body_sleep = 1, .body_fails = TRUE };
  double start = now ();
  CoroFuture *parent = run_scenario (&s);

  g_assert_cmpfloat_with_epsilon (now () - start, 1, 1e-9);
  g_assert_true (cancelled);
  g_assert_error (s.group_error, CORO_ERROR, CORO_ERROR_TASK_GROUP);
  g_assert_cmpuint (coro_task_group_get_n_errors (s.group), ==, 1);
  g_assert_error (coro_task_group_get_error (s.group, 0), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  scenario_clear (&s, parent);
  CORO_TEST_END ();
}

/* A child failing while the parent already waits for the group: the parent is not
 * cancelled, the siblings are. */
static void
test_task_group_failure_while_waiting (void)
{
  CORO_TEST_BEGIN ();
  gboolean cancelled = FALSE;
  Scenario s = { .children = { { .delay = 2, .fail = TRUE, .name = "late" },
                               { .delay = 10, .cancelled = &cancelled } },
                 .n_children = 2, .body_sleep = 1 };
  double start = now ();
  CoroFuture *parent = run_scenario (&s);

  g_assert_cmpfloat_with_epsilon (now () - start, 2, 1e-9);
  g_assert_false (s.body_cancelled);
  g_assert_true (cancelled);
  g_assert_error (s.group_error, CORO_ERROR, CORO_ERROR_TASK_GROUP);
  g_assert_cmpuint (s.cancelling_after, ==, 0);
  scenario_clear (&s, parent);
  CORO_TEST_END ();
}

/* test_taskgroup_cancel_parent (wrapper cancelled while a child runs): the children are
 * cancelled, the group ends cancelled, cancelled children are no errors. */
typedef struct
{
  CoroFuture *victim;
} Canceller;

static void
canceller_fire (CoroTask *task,
                gpointer  frame)
{
  Canceller *self = frame;

  coro_future_cancel (self->victim, "from outside");
  coro_task_return (task);
}

static void
canceller_start (CoroTask *task,
                 gpointer  frame)
{
  coro_await (task, coro_sleep (1.5), canceller_fire);
}

static void
test_task_group_parent_cancelled (void)
{
  CORO_TEST_BEGIN ();
  gboolean c1 = FALSE, c2 = FALSE;
  /* Cancelled while waiting for the group, then while still in the body. */
  for (int body = 0; body < 2; body++)
    {
      Scenario s = { .children = { { .delay = 10, .cancelled = &c1 },
                                   { .delay = 20, .cancelled = &c2 } },
                     .n_children = 2, .body_sleep = body ? 5 : 1 };
      CoroFuture *parent = CORO_FUTURE (CORO_CREATE_TASK (parent_start, ParentFrame, .s = &s));
      CoroFuture *canceller;
      double start = now ();

      c1 = c2 = FALSE;
      canceller = CORO_FUTURE (CORO_CREATE_TASK (canceller_start, Canceller, .victim = parent));
      coro_test_run_fails (parent, CORO_ERROR, CORO_ERROR_CANCELLED);
      g_assert_true (s.group_cancelled);
      g_assert_cmpfloat_with_epsilon (now () - start, 1.5, 1e-9);
      g_assert_true (c1 && c2);
      g_assert_cmpuint (coro_task_group_get_n_errors (s.group), ==, 0);
      g_assert_error (s.group_error, CORO_ERROR, CORO_ERROR_CANCELLED);
      g_assert_cmpstr (s.group_error->message, ==, "from outside");
      coro_future_unref (canceller);
      scenario_clear (&s, parent);
    }
  CORO_TEST_END ();
}

/* Cancelled from outside while waiting, and a child fails while being cancelled: the
 * errors are kept, and the cancellation is not lost: the parent resumes cancelled. */
static void
test_task_group_outside_cancel_with_errors (void)
{
  CORO_TEST_BEGIN ();
  Scenario s = { .children = { { .delay = 10, .fail_on_cancel = TRUE } },
                 .n_children = 1, .body_sleep = 1 };
  CoroFuture *parent = CORO_FUTURE (CORO_CREATE_TASK (parent_start, ParentFrame, .s = &s));
  CoroFuture *canceller = CORO_FUTURE (CORO_CREATE_TASK (canceller_start, Canceller,
                                                         .victim = parent));

  coro_test_run_fails (parent, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpuint (coro_task_group_get_n_errors (s.group), ==, 1);
  g_assert_cmpstr (coro_task_group_get_error (s.group, 0)->message, ==, "failed in finally");
  coro_future_unref (canceller);
  scenario_clear (&s, parent);
  CORO_TEST_END ();
}

/* async with timeout (1): async with TaskGroup () as tg: tg.create_task (sleep (10))
 * The timeout cancels the parent, the group cancels its child and ends cancelled, and
 * the scope turns that into a timeout. */
typedef struct
{
  CoroTaskGroup *group;
  CoroTimeout   *cm;
  gboolean       child_cancelled;
  GError        *result;
} TimedGroup;

typedef struct
{
  TimedGroup *t;
} TimedGroupFrame;

static void
timed_group_exit (CoroTask *task,
                  gpointer  frame)
{
  TimedGroup *t = ((TimedGroupFrame *) frame)->t;
  const GError *caught = coro_future_get_error (coro_task_get_awaited (task));

  g_assert_false (coro_timeout_exit (t->cm, caught, &t->result));
  coro_task_return (task);
}

static void
timed_group_body (CoroTask *task,
                  gpointer  frame)
{
  TimedGroup *t = ((TimedGroupFrame *) frame)->t;
  const GError *caught = coro_future_get_error (coro_task_get_awaited (task));

  g_assert_error (caught, CORO_ERROR, CORO_ERROR_CANCELLED);
  coro_await_catch (task, coro_task_group_wait (t->group, caught), timed_group_exit);
}

static void
timed_group_start (CoroTask *task,
                   gpointer  frame)
{
  TimedGroup *t = ((TimedGroupFrame *) frame)->t;

  t->cm = coro_timeout_new (1);
  g_assert_true (coro_timeout_enter (t->cm, task, NULL));
  t->group = coro_task_group_new ();
  CORO_TASK_GROUP_CREATE_TASK (t->group, NULL, child_start, Child, .delay = 10,
                               .cancelled = &t->child_cancelled);
  coro_await_catch (task, coro_sleep (5), timed_group_body);
}

static void
test_task_group_in_timeout (void)
{
  CORO_TEST_BEGIN ();
  TimedGroup t = { 0 };
  CoroFuture *task = CORO_FUTURE (CORO_CREATE_TASK (timed_group_start, TimedGroupFrame, .t = &t));
  double start = now ();

  coro_test_run (task);
  g_assert_cmpfloat_with_epsilon (now () - start, 1, 1e-9);
  g_assert_true (t.child_cancelled);
  g_assert_error (t.result, CORO_ERROR, CORO_ERROR_TIMEOUT);
  g_assert_true (coro_timeout_expired (t.cm));
  g_assert_cmpuint (coro_task_cancelling ((CoroTask *) task), ==, 0);
  g_clear_error (&t.result);
  g_object_unref (t.cm);
  g_object_unref (t.group);
  coro_future_unref (task);
  CORO_TEST_END ();
}

/* A group with no child ends at once, without a loop pass. */
static void
test_task_group_empty (void)
{
  CORO_TEST_BEGIN ();
  CoroTaskGroup *group = coro_task_group_new ();
  CoroFuture *wait = coro_task_group_wait (group, NULL);
  CoroFuture *again;
  GError *error = NULL;

  g_assert_null (coro_task_group_get_parent (group));
  g_assert_true (coro_future_done (wait));
  g_assert_true (coro_future_propagate (wait, NULL));
  /* Used after it finished: clear errors, nothing created. */
  g_assert_null (coro_task_group_create_task (group, child_start, &(Child) { .delay = 1 },
                                              sizeof (Child), &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "finished"));
  g_clear_error (&error);
  again = coro_task_group_wait (group, NULL);
  coro_test_run_fails (again, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  coro_future_unref (again);
  coro_future_unref (wait);
  g_object_unref (group);
  CORO_TEST_END ();
}

/* Plain futures in a group made outside any task (what bindings do). */
static void
test_task_group_futures (void)
{
  CORO_TEST_BEGIN ();
  CoroTaskGroup *group = coro_task_group_new ();
  CoroFuture *a = coro_future_new ();
  CoroFuture *b = coro_future_new ();
  CoroFuture *late = coro_future_new ();
  CoroFuture *wait;
  GError *error = NULL;

  g_assert_true (coro_task_group_add (group, a, NULL));
  g_assert_true (coro_task_group_add (group, b, NULL));
  wait = coro_task_group_wait (group, NULL);
  /* Still running: more can join. */
  g_assert_true (coro_task_group_add (group, late, NULL));
  g_assert_cmpuint (coro_task_group_get_n_tasks (group), ==, 3);
  coro_future_set_error (a, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "a"), NULL);
  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_TASK_GROUP);
  g_assert_true (coro_future_cancelled (b));
  g_assert_true (coro_future_cancelled (late));
  g_assert_cmpuint (coro_task_group_get_n_errors (group), ==, 1);
  g_assert_false (coro_task_group_add (group, late, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_clear_error (&error);
  coro_future_unref (wait);
  coro_future_unref (a);
  coro_future_unref (b);
  coro_future_unref (late);
  g_object_unref (group);
  CORO_TEST_END ();
}

/* While shutting down after a failure, adding is refused. */
static void
test_task_group_shutting_down (void)
{
  CORO_TEST_BEGIN ();
  CoroTaskGroup *group = coro_task_group_new ();
  CoroFuture *stubborn = coro_shield (coro_sleep (2));
  CoroFuture *bad = coro_future_new ();
  CoroFuture *other = coro_future_new ();
  CoroFuture *wait;
  GError *error = NULL;

  coro_task_group_add (group, bad, NULL);
  coro_task_group_add (group, stubborn, NULL);
  coro_future_set_error (bad, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "bad"), NULL);
  coro_test_yield ();
  g_assert_false (coro_task_group_add (group, other, &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "shutting down"));
  g_clear_error (&error);
  wait = coro_task_group_wait (group, NULL);
  coro_test_run_fails (wait, CORO_ERROR, CORO_ERROR_TASK_GROUP);
  coro_future_unref (wait);
  coro_future_unref (stubborn);
  coro_future_unref (bad);
  coro_future_unref (other);
  g_object_unref (group);
  {
    CoroFuture *sleep = coro_sleep (3);

    coro_test_run (sleep);
    coro_future_unref (sleep);
  }
  CORO_TEST_END ();
}

/* A child adds a sibling while the parent waits (create_task while the group runs). */
typedef struct
{
  CoroTaskGroup *group;
  gboolean      *ran;
} Spawner;

static void
spawner_step (CoroTask *task,
              gpointer  frame)
{
  Spawner *self = frame;

  g_assert_nonnull (CORO_TASK_GROUP_CREATE_TASK (self->group, NULL, child_start, Child,
                                                 .delay = 2, .cancelled = self->ran));
  coro_task_return (task);
}

static void
test_task_group_add_while_waiting (void)
{
  CORO_TEST_BEGIN ();
  CoroTaskGroup *group = coro_task_group_new ();
  gboolean cancelled = FALSE;
  double start = now ();
  CoroFuture *wait;

  g_assert_nonnull (CORO_TASK_GROUP_CREATE_TASK (group, NULL, spawner_step, Spawner,
                                                 .group = group, .ran = &cancelled));
  wait = coro_task_group_wait (group, NULL);
  coro_test_run (wait);
  g_assert_cmpfloat_with_epsilon (now () - start, 2, 1e-9);
  g_assert_false (cancelled);
  coro_future_unref (wait);
  g_object_unref (group);
  CORO_TEST_END ();
}

/* Eager start: the first step runs inside create, as with asyncio's eager_task_factory:
 *   print(1); t = create_task(coro()); print(3); await t; print(5)
 * with coro: print(2); await sleep(0); print(4) */
typedef struct
{
  GArray *order;
  gboolean done_at_once;
} Eager;

static void
eager_child_end (CoroTask *task,
                 gpointer  frame)
{
  coro_test_append (((Eager *) frame)->order, 4);
  coro_task_return_int (task, 7);
}

static void
eager_child (CoroTask *task,
             gpointer  frame)
{
  Eager *self = frame;

  g_assert_true (coro_current_task () == task);
  coro_test_append (self->order, 2);
  if (self->done_at_once)
    coro_task_return_int (task, 8);
  else
    coro_await (task, coro_sleep (0), eager_child_end);
}

static void
eager_main_end (CoroTask *task,
                gpointer  frame)
{
  Eager *self = frame;

  g_assert_cmpint (coro_future_get_int (coro_task_get_awaited (task), NULL), ==, 7);
  coro_test_append (self->order, 5);
  coro_task_return (task);
}

static void
eager_main (CoroTask *task,
            gpointer  frame)
{
  Eager *self = frame;
  CoroTask *child;
  CoroTask *done;

  coro_test_append (self->order, 1);
  child = CORO_CREATE_TASK_EAGER (eager_child, Eager, .order = self->order);
  g_assert_true (coro_current_task () == task);
  coro_test_append (self->order, 3);
  g_assert_false (coro_future_done (CORO_FUTURE (child)));
  {
    g_autoptr(GPtrArray) tasks = coro_all_tasks ();

    g_assert_true (g_ptr_array_find (tasks, child, NULL));
  }

  /* A task that needs no wait is done when create returns. */
  done = CORO_CREATE_TASK_EAGER (eager_child, Eager, .order = g_array_new (FALSE, FALSE, sizeof (int)),
                                 .done_at_once = TRUE);
  g_assert_true (coro_future_done (CORO_FUTURE (done)));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (done), NULL), ==, 8);
  g_array_unref (((Eager *) coro_task_get_frame (done))->order);
  coro_future_unref (CORO_FUTURE (done));

  coro_await (task, CORO_FUTURE (child), eager_main_end);
}

static void
test_eager_order (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroFuture *main = CORO_FUTURE (CORO_CREATE_TASK (eager_main, Eager, .order = order));
  static const int expected[] = { 1, 2, 3, 4, 5 };

  coro_test_run (main);
  coro_test_assert_order (order, expected, G_N_ELEMENTS (expected));
  coro_future_unref (main);
  CORO_TEST_END ();
}

/* Eager tasks stay cancellable; outside a running loop eager start is a plain start. */
static void
test_eager_cancel_and_outside (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroTask *t = CORO_CREATE_TASK_EAGER (eager_child, Eager, .order = order);

  g_assert_cmpuint (order->len, ==, 0);  /* not running: scheduled */
  g_assert_true (coro_task_cancel (t, NULL));
  coro_test_run_fails (CORO_FUTURE (t), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpuint (order->len, ==, 0);  /* cancelled before its first step */
  coro_future_unref (CORO_FUTURE (t));
  CORO_TEST_END ();
}

/* A group constructed the GObject way (as bindings do) also takes the running task as
 * its parent, and one made outside a task has none. */
typedef struct
{
  CoroTaskGroup *group;
} Constructed;

static void
constructed_start (CoroTask *task,
                   gpointer  frame)
{
  Constructed *self = frame;

  self->group = g_object_new (CORO_TYPE_TASK_GROUP, NULL);
  g_assert_true (coro_task_group_get_parent (self->group) == task);
  coro_await (task, coro_task_group_join (self->group), NULL);
}

static void
constructed_step (CoroTask *task,
                  gpointer  frame)
{
  Constructed *self = frame;

  if (self->group == NULL)
    constructed_start (task, frame);
  else
    coro_task_return (task);
}

static void
test_task_group_constructed_parent (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (constructed_step, Constructed, NULL);
  Constructed *frame = coro_task_get_frame (task);
  CoroTaskGroup *outside = g_object_new (CORO_TYPE_TASK_GROUP, NULL);

  g_assert_null (coro_task_group_get_parent (outside));
  g_object_unref (outside);
  coro_test_run (CORO_FUTURE (task));
  g_assert_null (coro_task_group_get_parent (frame->group));
  g_clear_object (&frame->group);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/task-group/basic", test_task_group_basic);
  g_test_add_func ("/task-group/constructed-parent", test_task_group_constructed_parent);
  g_test_add_func ("/task-group/failure-cancels", test_task_group_failure_cancels);
  g_test_add_func ("/task-group/two-errors", test_task_group_two_errors);
  g_test_add_func ("/task-group/body-error", test_task_group_body_error);
  g_test_add_func ("/task-group/failure-while-waiting", test_task_group_failure_while_waiting);
  g_test_add_func ("/task-group/parent-cancelled", test_task_group_parent_cancelled);
  g_test_add_func ("/task-group/outside-cancel-with-errors",
                   test_task_group_outside_cancel_with_errors);
  g_test_add_func ("/task-group/in-timeout", test_task_group_in_timeout);
  g_test_add_func ("/task-group/empty", test_task_group_empty);
  g_test_add_func ("/task-group/futures", test_task_group_futures);
  g_test_add_func ("/task-group/shutting-down", test_task_group_shutting_down);
  g_test_add_func ("/task-group/add-while-waiting", test_task_group_add_while_waiting);
  g_test_add_func ("/eager/order", test_eager_order);
  g_test_add_func ("/eager/cancel-and-outside", test_eager_cancel_and_outside);

  return g_test_run ();
}
