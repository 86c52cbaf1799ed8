/* test-arena.c: per-task memory: frames, arena allocations, defers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coro-test.h"

typedef struct
{
  char *blocks[64];
  gsize sizes[64];
} Allocs;

static void allocs_check (CoroTask *task, gpointer frame);

static void
allocs_start (CoroTask *task,
              gpointer  frame)
{
  Allocs *self = frame;

  for (guint i = 0; i < G_N_ELEMENTS (self->blocks); i++)
    {
      /* small, medium and larger than an arena block */
      self->sizes[i] = (i % 3 == 0) ? 24 : (i % 3 == 1) ? 700 : 5000 + i;
      self->blocks[i] = (i % 2) ? coro_task_alloc0 (task, self->sizes[i])
                                : coro_task_alloc (task, self->sizes[i]);
      g_assert_nonnull (self->blocks[i]);
      g_assert_cmpuint (GPOINTER_TO_SIZE (self->blocks[i]) % sizeof (gpointer), ==, 0);
      if (i % 2)
        for (gsize j = 0; j < self->sizes[i]; j++)
          g_assert_cmpint (self->blocks[i][j], ==, 0);
      memset (self->blocks[i], (int) i, self->sizes[i]);
    }
  /* The memory survives suspension. */
  coro_await (task, coro_sleep (1), allocs_check);
}

static void
allocs_check (CoroTask *task,
              gpointer  frame)
{
  Allocs *self = frame;

  for (guint i = 0; i < G_N_ELEMENTS (self->blocks); i++)
    for (gsize j = 0; j < self->sizes[i]; j++)
      g_assert_cmpint (self->blocks[i][j], ==, (char) i);
  coro_task_return (task);
}

static void
test_arena_alloc (void)
{
  CORO_TEST_BEGIN ();
  CoroTask *task = CORO_CREATE_TASK (allocs_start, Allocs, .blocks = { NULL });

  coro_test_run (CORO_FUTURE (task));
  coro_future_unref (CORO_FUTURE (task));
  /* Everything went back with the task (valgrind and ASan check the blocks). */
  CORO_TEST_END ();
}

/* Defers run last-registered first, whichever way the task ends. */
typedef struct
{
  GArray *order;
  int how;   /* 0: return, 1: error, 2: cancelled */
} Deferring;

typedef struct
{
  GArray *order;
  int tag;
} DeferArg;

static void
defer_record (gpointer data)
{
  DeferArg *arg = data;

  coro_test_append (arg->order, arg->tag);
}

static void deferring_end (CoroTask *task, gpointer frame);

static void
deferring_start (CoroTask *task,
                 gpointer  frame)
{
  Deferring *self = frame;

  for (int i = 1; i <= 3; i++)
    {
      DeferArg *arg = coro_task_alloc (task, sizeof (DeferArg));

      *arg = (DeferArg) { self->order, i };
      coro_task_defer (task, defer_record, arg);
    }
  coro_await (task, coro_sleep (self->how == 2 ? 3600 : 1), deferring_end);
}

static void
deferring_end (CoroTask *task,
               gpointer  frame)
{
  Deferring *self = frame;

  if (self->how == 1)
    coro_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "failed");
  else
    coro_task_return (task);
}

static void
cancel_later (gpointer data)
{
  coro_task_cancel (data, NULL);
}

static void
test_arena_defer_lifo (void)
{
  static const int expected[] = { 3, 2, 1 };

  for (int how = 0; how < 3; how++)
    {
      CORO_TEST_BEGIN ();
      g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
      CoroTask *task = CORO_CREATE_TASK (deferring_start, Deferring, .order = order, .how = how);
      GError *error = NULL;

      if (how == 2)
        coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, cancel_later, task,
                                                 NULL));
      g_assert_cmpint (coro_run (coro_future_ref (CORO_FUTURE (task)), &error), ==, how == 0);
      if (how == 1)
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
      else if (how == 2)
        g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
      g_clear_error (&error);
      coro_test_assert_order (order, expected, 3);
      coro_future_unref (CORO_FUTURE (task));
      CORO_TEST_END ();
    }
}

/* The frame is a copy of what was passed to the constructor. */
typedef struct
{
  int values[40];
} Big;

static void
big_step (CoroTask *task,
          gpointer  frame)
{
  Big *self = frame;
  gint64 sum = 0;

  g_assert_true (frame == coro_task_get_frame (task));
  g_assert_cmpuint (GPOINTER_TO_SIZE (frame) % 16, ==, 0);
  for (int i = 0; i < 40; i++)
    sum += self->values[i];
  coro_task_return_int (task, sum);
}

static void
test_arena_frame_copied (void)
{
  CORO_TEST_BEGIN ();
  Big big;
  CoroTask *task;

  for (int i = 0; i < 40; i++)
    big.values[i] = i;
  task = coro_create_task (big_step, &big, sizeof big);
  for (int i = 0; i < 40; i++)
    big.values[i] = -1;  /* the task has its own copy */
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 780);
  coro_future_unref (CORO_FUTURE (task));

  /* A NULL frame reserves zeroed bytes. */
  task = coro_create_task (big_step, NULL, sizeof big);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpint (coro_future_get_int (CORO_FUTURE (task), NULL), ==, 0);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* 100 000 tasks that each allocate from their arena, 1000 at a time: memory is recycled
 * and nothing accumulates. */
typedef struct
{
  int n;
} Tiny;

static void
tiny_step (CoroTask *task,
           gpointer  frame)
{
  Tiny *self = frame;

  memset (coro_task_alloc (task, 100), 1, 100);
  coro_task_return_int (task, self->n);
}

static void
test_arena_reuse (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();

  for (int round = 0; round < 100; round++)
    {
      CoroFuture *tasks[1000];
      CoroFuture *gather;

      for (int i = 0; i < 1000; i++)
        tasks[i] = CORO_FUTURE (CORO_CREATE_TASK (tiny_step, Tiny, .n = i));
      gather = coro_gatherv (tasks, 1000, CORO_GATHER_NONE);
      for (int i = 0; i < 1000; i++)
        coro_future_unref (tasks[i]);
      coro_test_run (gather);
      coro_future_unref (gather);
      g_assert_cmpuint (coro_loop_get_n_futures (loop), ==, coro_test_baseline_);
    }
  CORO_TEST_END ();
}

static void
sized_end (CoroTask *task,
           gpointer  frame G_GNUC_UNUSED)
{
  coro_task_return (task);
}

/* Frames of every size class, created and ended out of order: each task keeps its own
 * bytes however the pool's slabs are shared and recycled. */
static void
sized_step (CoroTask *task,
            gpointer  frame)
{
  guint8 *bytes = frame;
  gsize size = bytes[0] | (bytes[1] << 8);

  for (gsize i = 2; i < size; i++)
    g_assert_cmpint (bytes[i], ==, (guint8) (size + i));
  coro_await (task, coro_sleep ((size % 7) / 10.0), sized_end);
}

static void
test_arena_size_classes (void)
{
  CORO_TEST_BEGIN ();
  CoroFuture *tasks[600];
  CoroFuture *gather;

  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      gsize size = 2 + (i * 37) % 1200;  /* past the largest class too */
      guint8 *frame = g_malloc (size);

      frame[0] = size & 0xff;
      frame[1] = size >> 8;
      for (gsize j = 2; j < size; j++)
        frame[j] = (guint8) (size + j);
      tasks[i] = CORO_FUTURE (coro_create_task (sized_step, frame, size));
      g_free (frame);
    }
  gather = coro_gatherv (tasks, G_N_ELEMENTS (tasks), CORO_GATHER_NONE);
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    coro_future_unref (tasks[i]);
  coro_test_run (gather);
  coro_future_unref (gather);
  CORO_TEST_END ();
}

/* Enough live tasks for several 2 MiB chunks of slabs, twice: the second round reuses the
 * slabs the first gave back. */
static void
napper (CoroTask *task,
        gpointer  frame G_GNUC_UNUSED)
{
  coro_await (task, coro_sleep (1), sized_end);
}

static void
test_arena_many_live (void)
{
  CORO_TEST_BEGIN ();

  for (int round = 0; round < 2; round++)
    {
      guint n = 50000;
      CoroFuture **tasks = g_new (CoroFuture *, n);
      CoroFuture *gather;

      for (guint i = 0; i < n; i++)
        tasks[i] = CORO_FUTURE (CORO_CREATE_TASK (napper, Tiny, .n = (int) i));
      gather = coro_gatherv (tasks, n, CORO_GATHER_NONE);
      for (guint i = 0; i < n; i++)
        coro_future_unref (tasks[i]);
      g_free (tasks);
      coro_test_run (gather);
      coro_future_unref (gather);
      g_assert_cmpuint (coro_loop_get_n_futures (coro_loop_get_default ()), ==,
                        coro_test_baseline_);
    }
  CORO_TEST_END ();
}

/* Memory handed back by one task and reused by the next: alloc0 zeroes it again, and
 * every block is 16-byte aligned. */
static const gsize dirty_sizes[] = { 1, 16, 100, 1000, 4000, 4080, 4096, 9000, 64 * 1024 };

typedef struct
{
  gboolean zeroed;
} Dirty;

static void
dirty_step (CoroTask *task,
            gpointer  frame)
{
  Dirty *self = frame;

  for (int round = 0; round < 4; round++)
    for (guint i = 0; i < G_N_ELEMENTS (dirty_sizes); i++)
      {
        gsize size = dirty_sizes[i];
        guint8 *mem = self->zeroed ? coro_task_alloc0 (task, size) : coro_task_alloc (task, size);

        g_assert_nonnull (mem);
        g_assert_cmpuint (GPOINTER_TO_SIZE (mem) % 16, ==, 0);
        if (self->zeroed)
          for (gsize j = 0; j < size; j++)
            g_assert_cmpuint (mem[j], ==, 0);
        memset (mem, 0xa5, size);
      }
  coro_task_return (task);
}

static void
test_arena_alloc0_after_reuse (void)
{
  CORO_TEST_BEGIN ();

  for (int round = 0; round < 3; round++)
    {
      CoroTask *dirty = CORO_CREATE_TASK (dirty_step, Dirty, .zeroed = FALSE);
      CoroTask *clean;

      coro_test_run (CORO_FUTURE (dirty));
      coro_future_unref (CORO_FUTURE (dirty));
      clean = CORO_CREATE_TASK (dirty_step, Dirty, .zeroed = TRUE);
      coro_test_run (CORO_FUTURE (clean));
      coro_future_unref (CORO_FUTURE (clean));
    }
  CORO_TEST_END ();
}

/* 10 000 tasks one after the other, each allocating: nothing accumulates, and with the
 * pool the same arena memory serves them all. */
typedef struct
{
  GHashTable *addresses;
} Recycled;

static void
recycled_step (CoroTask *task,
               gpointer  frame)
{
  Recycled *self = frame;
  gpointer mem = coro_task_alloc (task, 200);

  memset (mem, 7, 200);
  g_hash_table_add (self->addresses, mem);
  coro_task_defer (task, g_free, g_strdup ("cleanup"));
  coro_task_return (task);
}

static void
test_arena_sequential_reuse (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(GHashTable) addresses = g_hash_table_new (NULL, NULL);

  for (int i = 0; i < 10000; i++)
    {
      CoroTask *task = CORO_CREATE_TASK (recycled_step, Recycled, .addresses = addresses);

      coro_test_run (CORO_FUTURE (task));
      coro_future_unref (CORO_FUTURE (task));
      if (i % 1000 == 999)
        g_assert_cmpuint (coro_loop_get_n_futures (loop), ==, coro_test_baseline_);
    }
  /* CORO_POOL=malloc (the valgrind setup) gives each block to malloc instead. */
  if (g_strcmp0 (g_getenv ("CORO_POOL"), "malloc") != 0)
    g_assert_cmpuint (g_hash_table_size (addresses), <=, 2);
  CORO_TEST_END ();
}

/* Clean-ups run before the task's result is visible: to its done callbacks and to a task
 * awaiting it. */
typedef struct
{
  GArray *order;
  guint   seen_by_callback;
  guint   seen_by_awaiter;
} Visible;

static void
visible_inner (CoroTask *task,
               gpointer  frame)
{
  Visible *self = *(Visible **) frame;

  for (int i = 1; i <= 4; i++)
    {
      DeferArg *arg = coro_task_alloc (task, sizeof (DeferArg));

      *arg = (DeferArg) { self->order, i };
      coro_task_defer (task, defer_record, arg);
    }
  coro_task_return_int (task, 10);
}

static void
visible_callback (CoroFuture *future,
                  gpointer    data)
{
  Visible *self = data;

  g_assert_cmpint (coro_future_get_int (future, NULL), ==, 10);
  self->seen_by_callback = self->order->len;
}

static void
visible_after (CoroTask *task,
               gpointer  frame)
{
  Visible *self = *(Visible **) frame;

  self->seen_by_awaiter = self->order->len;
  coro_task_return (task);
}

static void
visible_outer (CoroTask *task,
               gpointer  frame)
{
  Visible *self = *(Visible **) frame;
  CoroTask *inner = coro_create_task (visible_inner, &self, sizeof self);

  coro_future_add_done_callback (CORO_FUTURE (inner), visible_callback, self, NULL);
  coro_await (task, CORO_FUTURE (inner), visible_after);
}

static void
test_arena_defer_before_result (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Visible visible = { order, 0, 0 };
  Visible *self = &visible;
  CoroTask *task = coro_create_task (visible_outer, &self, sizeof self);
  static const int expected[] = { 4, 3, 2, 1 };

  coro_test_run (CORO_FUTURE (task));
  coro_test_assert_order (order, expected, 4);
  g_assert_cmpuint (visible.seen_by_callback, ==, 4);
  g_assert_cmpuint (visible.seen_by_awaiter, ==, 4);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

/* A task cancelled before its first step never runs a step, but its clean-ups (here
 * registered before it started) still run, last first; so do a never-started task's when
 * it is dropped. */
typedef struct
{
  gboolean ran;
} Unrun;

static void
unrun_step (CoroTask *task,
            gpointer  frame)
{
  Unrun *self = frame;

  self->ran = TRUE;
  coro_task_return (task);
}

static void
add_defers (CoroTask *task,
            GArray   *order)
{
  for (int i = 1; i <= 3; i++)
    {
      DeferArg *arg = coro_task_alloc0 (task, sizeof (DeferArg));

      *arg = (DeferArg) { order, i };
      coro_task_defer (task, defer_record, arg);
    }
}

static void
test_arena_defer_unstarted (void)
{
  CORO_TEST_BEGIN ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Unrun unrun = { FALSE };
  CoroTask *task = coro_task_new (unrun_step, &unrun, sizeof unrun);
  GError *error = NULL;
  static const int expected[] = { 3, 2, 1 };

  add_defers (task, order);
  coro_task_start (task);
  g_assert_true (coro_task_cancel (task, "before it ran"));
  g_assert_cmpuint (order->len, ==, 0);
  g_assert_false (coro_run (coro_future_ref (CORO_FUTURE (task)), &error));
  g_assert_error (error, CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "before it ran");
  g_clear_error (&error);
  g_assert_true (coro_future_cancelled (CORO_FUTURE (task)));
  g_assert_false (((Unrun *) coro_task_get_frame (task))->ran);
  coro_test_assert_order (order, expected, 3);
  coro_future_unref (CORO_FUTURE (task));
  g_assert_cmpuint (order->len, ==, 3);

  /* Never started, then dropped. */
  g_array_set_size (order, 0);
  task = coro_task_new (unrun_step, NULL, sizeof (Unrun));
  add_defers (task, order);
  coro_future_unref (CORO_FUTURE (task));
  coro_test_assert_order (order, expected, 3);
  CORO_TEST_END ();
}

/* Clean-ups registered across several steps, cancelled while suspended in the last one:
 * all run once, last registered first. */
typedef struct
{
  GArray *order;
  int     step;
} Steps;

static void
steps_step (CoroTask *task,
            gpointer  frame)
{
  Steps *self = frame;
  DeferArg *arg = coro_task_alloc (task, sizeof (DeferArg));

  *arg = (DeferArg) { self->order, ++self->step };
  coro_task_defer (task, defer_record, arg);
  /* The third step sleeps until cancelled. */
  coro_await (task, coro_sleep (self->step < 3 ? 1 : 3600), NULL);
}

static void
test_arena_defer_across_steps (void)
{
  CORO_TEST_BEGIN ();
  CoroLoop *loop = coro_loop_get_default ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  CoroTask *task = CORO_CREATE_TASK (steps_step, Steps, .order = order);
  double start = coro_loop_time (loop);
  static const int expected[] = { 3, 2, 1 };

  coro_handle_unref (coro_loop_call_later (loop, 5, cancel_later, task, NULL));
  coro_test_run_fails (CORO_FUTURE (task), CORO_ERROR, CORO_ERROR_CANCELLED);
  g_assert_cmpfloat_with_epsilon (coro_loop_time (loop) - start, 5, 1e-6);
  coro_test_assert_order (order, expected, 3);
  coro_future_unref (CORO_FUTURE (task));
  g_assert_cmpuint (order->len, ==, 3);
  CORO_TEST_END ();
}

/* coro_task_new copies the frame at once; the copy is what get_frame returns, before and
 * after the task runs, and changes made through it before the start are seen by the step. */
typedef struct
{
  int     a;
  double  b;
  char    name[13];
} Small;

static void
small_step (CoroTask *task,
            gpointer  frame)
{
  Small *self = frame;

  g_assert_true (frame == coro_task_get_frame (task));
  self->a *= 2;
  coro_task_return_string (task, self->name);
}

static void
test_arena_frame_task_new (void)
{
  CORO_TEST_BEGIN ();
  Small small = { 21, 0.5, "frame" };
  CoroTask *task = coro_task_new (small_step, &small, sizeof small);
  Small *copy = coro_task_get_frame (task);

  g_assert_true (copy != &small);
  g_assert_cmpuint (GPOINTER_TO_SIZE (copy) % 16, ==, 0);
  g_assert_cmpint (copy->a, ==, 21);
  g_assert_cmpfloat (copy->b, ==, 0.5);
  g_assert_cmpstr (copy->name, ==, "frame");
  small.a = 0;
  strcpy (copy->name, "edited");
  coro_task_start (task);
  coro_test_run (CORO_FUTURE (task));
  g_assert_cmpstr (coro_future_get_string (CORO_FUTURE (task), NULL), ==, "edited");
  /* The frame lives as long as the task. */
  g_assert_true (coro_task_get_frame (task) == copy);
  g_assert_cmpint (copy->a, ==, 42);
  g_assert_cmpint (small.a, ==, 0);
  coro_future_unref (CORO_FUTURE (task));
  CORO_TEST_END ();
}

int
main (int   argc,
      char *argv[])
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/arena/alloc", test_arena_alloc);
  g_test_add_func ("/arena/defer-lifo", test_arena_defer_lifo);
  g_test_add_func ("/arena/frame-copied", test_arena_frame_copied);
  g_test_add_func ("/arena/reuse", test_arena_reuse);
  g_test_add_func ("/arena/size-classes", test_arena_size_classes);
  g_test_add_func ("/arena/many-live", test_arena_many_live);
  g_test_add_func ("/arena/alloc0-after-reuse", test_arena_alloc0_after_reuse);
  g_test_add_func ("/arena/sequential-reuse", test_arena_sequential_reuse);
  g_test_add_func ("/arena/defer-before-result", test_arena_defer_before_result);
  g_test_add_func ("/arena/defer-unstarted", test_arena_defer_unstarted);
  g_test_add_func ("/arena/defer-across-steps", test_arena_defer_across_steps);
  g_test_add_func ("/arena/frame-task-new", test_arena_frame_task_new);

  return g_test_run ();
}
