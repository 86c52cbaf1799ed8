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
  CoroTask *task = CORO_CREATE_TASK (allocs_start, Allocs, { 0 });

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
        coro_handle_unref (coro_loop_call_later (coro_loop_get_default (), 1, cancel_later, task, NULL));
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
           gpointer  frame)
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
        gpointer  frame)
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
      g_assert_cmpuint (coro_loop_get_n_futures (coro_loop_get_default ()), ==, coro_test_baseline_);
    }
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

  return g_test_run ();
}
