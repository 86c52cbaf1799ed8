/* coro-arena.c: per-loop recycling of small blocks and task arena blocks
 *
 * A loop runs on one thread, so its pool takes no lock. Tasks, futures and timers are
 * allocated from it and returned to it, which keeps the steady state of a busy loop free
 * of malloc calls.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "coro-arena.h"

struct _CoroPoolBlock
{
  CoroPoolBlock *next;
};

struct _CoroArenaBlock
{
  CoroArenaBlock *next;
  gsize           size; /* whole block, header included */
};

#define BLOCK_HEADER CORO_ALIGN_UP (sizeof (CoroArenaBlock))

gpointer
coro_pool_alloc (CoroPool *pool,
                 gsize     size)
{
  guint cls;
  CoroPoolBlock *block;

  if (size > CORO_POOL_MAX_SIZE)
    return g_malloc (size);

  cls = (size + CORO_POOL_GRANULE - 1) / CORO_POOL_GRANULE;
  block = pool->free[cls];
  if (block != NULL)
    {
      pool->free[cls] = block->next;
      pool->n_free[cls]--;
      return block;
    }
  return g_malloc (cls * CORO_POOL_GRANULE);
}

void
coro_pool_free (CoroPool *pool,
                gpointer  mem,
                gsize     size)
{
  guint cls;
  CoroPoolBlock *block = mem;

  if (size > CORO_POOL_MAX_SIZE)
    {
      g_free (mem);
      return;
    }

  cls = (size + CORO_POOL_GRANULE - 1) / CORO_POOL_GRANULE;
  if (pool->n_free[cls] >= CORO_POOL_MAX_FREE)
    {
      g_free (mem);
      return;
    }
  block->next = pool->free[cls];
  pool->free[cls] = block;
  pool->n_free[cls]++;
}

void
coro_pool_clear (CoroPool *pool)
{
  for (guint cls = 0; cls <= CORO_POOL_N_CLASSES; cls++)
    {
      while (pool->free[cls] != NULL)
        {
          CoroPoolBlock *block = pool->free[cls];

          pool->free[cls] = block->next;
          g_free (block);
        }
      pool->n_free[cls] = 0;
    }
}

gpointer
coro_arena_alloc (CoroArena *arena,
                  CoroPool  *pool,
                  gsize      size)
{
  CoroArenaBlock *block;
  gsize block_size;
  guint8 *mem;

  size = CORO_ALIGN_UP (MAX (size, 1));
  if (arena->ptr != NULL && (gsize) (arena->end - arena->ptr) >= size)
    {
      mem = arena->ptr;
      arena->ptr += size;
      return mem;
    }

  /* 4 KiB blocks are the common case: they are recycled through class 0 of the pool,
   * which small allocations never use. Larger requests get a block of their own. */
  block_size = MAX (CORO_ARENA_BLOCK_SIZE, BLOCK_HEADER + size);
  if (block_size == CORO_ARENA_BLOCK_SIZE && pool->free[0] != NULL)
    {
      block = (CoroArenaBlock *) pool->free[0];
      pool->free[0] = ((CoroPoolBlock *) block)->next;
      pool->n_free[0]--;
    }
  else
    block = g_malloc (block_size);

  block->size = block_size;
  block->next = arena->blocks;
  arena->blocks = block;

  mem = (guint8 *) block + BLOCK_HEADER;
  /* After a large block, keep bumping in the current small one. */
  if (block_size == CORO_ARENA_BLOCK_SIZE)
    {
      arena->ptr = mem + size;
      arena->end = (guint8 *) block + block_size;
    }
  return mem;
}

void
coro_arena_release (CoroArena *arena,
                    CoroPool  *pool)
{
  while (arena->blocks != NULL)
    {
      CoroArenaBlock *block = arena->blocks;

      arena->blocks = block->next;
      if (block->size == CORO_ARENA_BLOCK_SIZE && pool->n_free[0] < CORO_POOL_MAX_FREE / 16)
        {
          CoroPoolBlock *free_block = (CoroPoolBlock *) block;

          free_block->next = pool->free[0];
          pool->free[0] = free_block;
          pool->n_free[0]++;
        }
      else
        g_free (block);
    }
  arena->ptr = arena->end = NULL;
}
