/* coro-arena.h: per-loop recycling of small blocks and task arena blocks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CORO_ALIGN 16
#define CORO_ALIGN_UP(n) (((n) + (CORO_ALIGN - 1)) & ~(gsize) (CORO_ALIGN - 1))

/* Small blocks come in 64-byte classes up to CORO_POOL_MAX_SIZE. */
#define CORO_POOL_GRANULE   64
#define CORO_POOL_MAX_SIZE  1024
#define CORO_POOL_N_CLASSES (CORO_POOL_MAX_SIZE / CORO_POOL_GRANULE)
/* A free list keeps at most this many blocks; the rest go back to malloc. */
#define CORO_POOL_MAX_FREE  4096

/* Extra arena blocks, beyond what fits in a task's own allocation. */
#define CORO_ARENA_BLOCK_SIZE 4096

typedef struct _CoroPoolBlock CoroPoolBlock;

typedef struct
{
  CoroPoolBlock *free[CORO_POOL_N_CLASSES + 1];
  guint          n_free[CORO_POOL_N_CLASSES + 1];
} CoroPool;

/* The size a request really gets: blocks are handed out whole. */
static inline gsize
coro_pool_size_for (gsize size)
{
  if (size > CORO_POOL_MAX_SIZE)
    return size;
  return (size + CORO_POOL_GRANULE - 1) / CORO_POOL_GRANULE * CORO_POOL_GRANULE;
}

gpointer coro_pool_alloc (CoroPool *pool,
                          gsize     size);
void     coro_pool_free  (CoroPool *pool,
                          gpointer  mem,
                          gsize     size);
void     coro_pool_clear (CoroPool *pool);

/* A task's arena: a bump pointer over the tail of the task's allocation, then over
 * blocks from the pool (or malloc for large requests), all given back when the task ends. */
typedef struct _CoroArenaBlock CoroArenaBlock;

typedef struct
{
  guint8         *ptr;
  guint8         *end;
  CoroArenaBlock *blocks;
} CoroArena;

gpointer coro_arena_alloc   (CoroArena *arena,
                             CoroPool  *pool,
                             gsize      size);
void     coro_arena_release (CoroArena *arena,
                             CoroPool  *pool);

G_END_DECLS
