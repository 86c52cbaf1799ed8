/* coro-arena.h: per-loop recycling of small blocks and task arena blocks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CORO_ALIGN 16
#define CORO_ALIGN_UP(n) (((n) + (CORO_ALIGN - 1)) & ~(gsize) (CORO_ALIGN - 1))

/* Small blocks come in 16-byte classes up to CORO_POOL_MAX_SIZE, carved from 64 KiB
 * slabs: no malloc header per block, and a slab goes back to malloc once all its blocks
 * are free (one empty slab per class is kept for the next burst). */
#define CORO_POOL_GRANULE   16
#define CORO_POOL_MAX_SIZE  1024
#define CORO_POOL_N_CLASSES (CORO_POOL_MAX_SIZE / CORO_POOL_GRANULE)
#define CORO_SLAB_SIZE      (64 * 1024)
/* The free list of 4 KiB arena blocks keeps at most this many. */
#define CORO_POOL_MAX_FREE_ARENA_BLOCKS 256

/* Extra arena blocks, beyond what fits in a task's own allocation. */
#define CORO_ARENA_BLOCK_SIZE 4096

typedef struct _CoroPoolBlock CoroPoolBlock;
typedef struct _CoroSlab CoroSlab;

/* Slabs are cut from 2 MiB chunks the kernel may back with huge pages: one page fault per
 * chunk instead of sixteen per slab. A slab no class needs any more waits in a list for
 * the next class that needs one, its pages still resident ("dirty"): the next burst of
 * tasks reuses them without a page fault, and no madvise () runs while a burst ends (each
 * one a TLB shoot-down, and the split of a huge page: it made W1 and W3 twice as slow).
 * Beyond CORO_POOL_DIRTY_KEEP of them, the pages go back (MADV_DONTNEED) once the loop
 * waits for something CORO_POOL_DIRTY_DELAY_US after they went unused, or at once past
 * CORO_POOL_DIRTY_MAX, CORO_POOL_PURGE_BATCH slabs at a time: sorted, so that adjacent
 * slabs go in one call, and a chunk that empties whole goes as one huge page rather
 * than in 32 pieces that each split it. Given-back slabs are listed outside their pages,
 * which can then all go. */
#define CORO_CHUNK_SIZE     (2 * 1024 * 1024)
#define CORO_POOL_DIRTY_KEEP     16                  /* 1 MiB */
#define CORO_POOL_DIRTY_MAX      1024                /* 64 MiB */
#define CORO_POOL_DIRTY_DELAY_US G_USEC_PER_SEC
#define CORO_POOL_PURGE_BATCH    (CORO_CHUNK_SIZE / CORO_SLAB_SIZE)

typedef struct
{
  CoroSlab      *partial[CORO_POOL_N_CLASSES + 1]; /* slabs with room, most recent first */
  CoroSlab     **free_slabs;                       /* unused slabs, pages given back */
  guint          n_free;
  guint          free_alloc;
  CoroSlab      *dirty_slabs;                      /* unused slabs, pages still resident */
  guint          n_dirty;
  CoroSlab      *purging[CORO_POOL_PURGE_BATCH];   /* unused, pages going back in a batch */
  guint          n_purging;
  guint          n_purge_calls;                    /* madvise () calls so far, for tests */
  gint64         purge_at;                         /* monotonic µs, or 0: none planned */
  guint8        *chunk_next;                       /* the rest of the newest chunk */
  guint8        *chunk_end;
  guint          next_color;                       /* offsets successive slabs' blocks */
  CoroSlab      *spare[CORO_POOL_N_CLASSES + 1];   /* the empty slab kept per class, in partial */
  CoroPoolBlock *arena_blocks;                     /* free 4 KiB arena blocks */
  guint          n_arena_blocks;
  gboolean       use_malloc;                       /* CORO_POOL=malloc: for memory checkers */
} CoroPool;

/* The size a request really gets: blocks are handed out whole. */
static inline gsize
coro_pool_size_for (gsize size)
{
  if (size > CORO_POOL_MAX_SIZE)
    return size;
  return (size + CORO_POOL_GRANULE - 1) / CORO_POOL_GRANULE * CORO_POOL_GRANULE;
}

void     coro_pool_init  (CoroPool *pool);
gpointer coro_pool_alloc (CoroPool *pool,
                          gsize     size);
void     coro_pool_free  (CoroPool *pool,
                          gpointer  mem,
                          gsize     size);
void     coro_pool_clear (CoroPool *pool);
gint64   coro_pool_trim  (CoroPool *pool,
                          gint64    now);

/* Whether coro_pool_trim () has anything to do. */
static inline gboolean
coro_pool_wants_trim (const CoroPool *pool)
{
  return pool->n_dirty > CORO_POOL_DIRTY_KEEP || pool->n_purging > 0;
}

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
