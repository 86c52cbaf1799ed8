/* test-pool.c: the loop's block pool (internal): unused slabs keep their pages for a
 * while, are reused first, and give their pages back once the loop has waited long enough
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib.h>

#include "coro-arena.h"

#define BLOCK 64
/* Blocks enough for @slabs slabs of the 64-byte class. */
#define BLOCKS_FOR(slabs) ((slabs) * (CORO_SLAB_SIZE / BLOCK))

static GPtrArray *
fill (CoroPool *pool,
      guint     n)
{
  GPtrArray *blocks = g_ptr_array_sized_new (n);

  for (guint i = 0; i < n; i++)
    {
      guint8 *mem = coro_pool_alloc (pool, BLOCK);

      /* Each block is the caller's: writable, and not handed out twice. */
      memset (mem, 0xA5, BLOCK);
      g_ptr_array_add (blocks, mem);
    }
  return blocks;
}

static void
drain (CoroPool  *pool,
       GPtrArray *blocks)
{
  for (guint i = 0; i < blocks->len; i++)
    coro_pool_free (pool, blocks->pdata[i], BLOCK);
  g_ptr_array_unref (blocks);
}

static void
test_dirty_then_trimmed (void)
{
  CoroPool pool;
  GPtrArray *blocks;
  gint64 now = 1000000, at;
  guint dirty;

  coro_pool_init (&pool);

  /* A burst ends: its slabs stay resident, nothing planned while there are few. */
  blocks = fill (&pool, BLOCKS_FOR (8));
  drain (&pool, blocks);
  g_assert_cmpuint (pool.n_dirty, <=, 8);
  g_assert_false (coro_pool_wants_trim (&pool));
  g_assert_cmpint (coro_pool_trim (&pool, now), ==, 0);

  /* A larger one: the loop's first wait plans the trim, a later one does it. */
  blocks = fill (&pool, BLOCKS_FOR (40));
  drain (&pool, blocks);
  dirty = pool.n_dirty;
  g_assert_cmpuint (dirty, >, CORO_POOL_DIRTY_KEEP);
  g_assert_true (coro_pool_wants_trim (&pool));
  at = coro_pool_trim (&pool, now);
  g_assert_cmpint (at, ==, now + CORO_POOL_DIRTY_DELAY_US);
  g_assert_cmpint (coro_pool_trim (&pool, now + 10), ==, at);
  g_assert_cmpuint (pool.n_dirty, ==, dirty);

  /* The next burst takes the resident slabs first. */
  blocks = fill (&pool, BLOCKS_FOR (4));
  g_assert_cmpuint (pool.n_dirty, <, dirty);
  drain (&pool, blocks);

  g_assert_cmpint (coro_pool_trim (&pool, at), ==, 0);
  g_assert_cmpuint (pool.n_dirty, ==, CORO_POOL_DIRTY_KEEP);
  g_assert_false (coro_pool_wants_trim (&pool));

  /* Slabs whose pages went back are used again. */
  blocks = fill (&pool, BLOCKS_FOR (40));
  drain (&pool, blocks);
  coro_pool_clear (&pool);
}

static void
test_dirty_bounded (void)
{
  CoroPool pool;
  GPtrArray *blocks;
  guint8 *chunk_next;
  guint gone;

  coro_pool_init (&pool);

  /* A loop that never waits keeps no more than CORO_POOL_DIRTY_MAX slabs resident, and
   * a batch of fewer than CORO_POOL_PURGE_BATCH on their way back. */
  blocks = fill (&pool, BLOCKS_FOR (CORO_POOL_DIRTY_MAX + 100));
  drain (&pool, blocks);
  g_assert_cmpuint (pool.n_dirty, ==, CORO_POOL_DIRTY_MAX);
  g_assert_cmpuint (pool.n_purging, <, CORO_POOL_PURGE_BATCH);
  gone = pool.n_free + pool.n_purging;
  g_assert_cmpuint (gone, >=, 100);
  /* Slabs cut one after another from the same chunks go back a run at a time: a few
   * madvise () calls, not one per slab. */
  g_assert_cmpuint (pool.n_purge_calls, >, 0);
  g_assert_cmpuint (pool.n_purge_calls, <=, pool.n_free / 8);
  /* The next time the loop is about to wait, the rest of the batch goes too. */
  g_assert_true (coro_pool_wants_trim (&pool));
  coro_pool_trim (&pool, g_get_monotonic_time ());
  g_assert_cmpuint (pool.n_purging, ==, 0);
  g_assert_cmpuint (pool.n_free, ==, gone);
  /* Slabs given back are used again before a new chunk is cut. */
  chunk_next = pool.chunk_next;
  blocks = fill (&pool, BLOCKS_FOR (CORO_POOL_DIRTY_MAX + 50));
  g_assert_cmpuint (pool.n_dirty, ==, 0);
  g_assert_cmpuint (pool.n_free, <, gone);
  g_assert_true (pool.chunk_next == chunk_next);
  drain (&pool, blocks);
  coro_pool_clear (&pool);
}

int
main (int    argc,
      char **argv)
{
  /* The slabs are what is tested, even where the other tests use malloc (CORO_POOL). */
  g_unsetenv ("CORO_POOL");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pool/dirty-then-trimmed", test_dirty_then_trimmed);
  g_test_add_func ("/pool/dirty-bounded", test_dirty_bounded);
  return g_test_run ();
}
