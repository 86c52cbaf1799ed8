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
#include <sys/mman.h>
#include <unistd.h>

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

/* A slab is CORO_SLAB_SIZE bytes aligned on CORO_SLAB_SIZE, so a block finds its slab by
 * masking its address. The header sits at the start; blocks follow. */
struct _CoroSlab
{
  CoroSlab      *prev;
  CoroSlab      *next;
  CoroPoolBlock *free;   /* blocks given back */
  guint8        *bump;   /* blocks never handed out start here */
  guint8        *end;
  guint          cls;
  guint          n_live;
  gboolean       in_partial;
};

#define SLAB_HEADER CORO_ALIGN_UP (sizeof (CoroSlab))
#define SLAB_OF(mem) ((CoroSlab *) ((guintptr) (mem) & ~(guintptr) (CORO_SLAB_SIZE - 1)))

void
coro_pool_init (CoroPool *pool)
{
  memset (pool, 0, sizeof *pool);
  pool->use_malloc = g_strcmp0 (g_getenv ("CORO_POOL"), "malloc") == 0;
}

static void
partial_remove (CoroPool *pool,
                CoroSlab *slab)
{
  if (slab->prev != NULL)
    slab->prev->next = slab->next;
  else
    pool->partial[slab->cls] = slab->next;
  if (slab->next != NULL)
    slab->next->prev = slab->prev;
  slab->prev = slab->next = NULL;
  slab->in_partial = FALSE;
}

static void
partial_push (CoroPool *pool,
              CoroSlab *slab)
{
  slab->prev = NULL;
  slab->next = pool->partial[slab->cls];
  if (slab->next != NULL)
    slab->next->prev = slab;
  pool->partial[slab->cls] = slab;
  slab->in_partial = TRUE;
}

/* A new 2 MiB chunk, aligned so the kernel can back it with one huge page. */
static gboolean
chunk_new (CoroPool *pool)
{
  gsize map_size = 2 * CORO_CHUNK_SIZE;
  guint8 *map = mmap (NULL, map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  guint8 *chunk;

  if (map == MAP_FAILED)
    return FALSE;
  chunk = (guint8 *) (((guintptr) map + CORO_CHUNK_SIZE - 1) & ~(guintptr) (CORO_CHUNK_SIZE - 1));
  if (chunk > map)
    munmap (map, chunk - map);
  if (chunk + CORO_CHUNK_SIZE < map + map_size)
    munmap (chunk + CORO_CHUNK_SIZE, map + map_size - (chunk + CORO_CHUNK_SIZE));
#ifdef MADV_HUGEPAGE
  madvise (chunk, CORO_CHUNK_SIZE, MADV_HUGEPAGE);
#endif
  pool->chunk_next = chunk;
  pool->chunk_end = chunk + CORO_CHUNK_SIZE;
  return TRUE;
}

static CoroSlab *
slab_new (CoroPool *pool,
          guint     cls)
{
  CoroSlab *slab;

  /* Resident pages first, then pages given back, then a new chunk. */
  if (pool->dirty_slabs != NULL)
    {
      slab = pool->dirty_slabs;
      pool->dirty_slabs = slab->next;
      pool->n_dirty--;
    }
  else if (pool->n_purging > 0)
    slab = pool->purging[--pool->n_purging];  /* still resident */
  else if (pool->n_free > 0)
    slab = pool->free_slabs[--pool->n_free];
  else
    {
      if (pool->chunk_next == pool->chunk_end && !chunk_new (pool))
        g_error ("coro: out of memory for a %u-byte slab", CORO_SLAB_SIZE);
      slab = (CoroSlab *) pool->chunk_next;
      pool->chunk_next += CORO_SLAB_SIZE;
    }

  slab->prev = slab->next = NULL;
  slab->free = NULL;
  /* Colouring: each new slab starts its blocks 64 bytes further than the previous one (up
   * to 1 KiB), so that hot objects of different slabs do not all sit at the same offset
   * in their page, which makes loads and stores alias in the L1 cache. */
  slab->bump = (guint8 *) slab + SLAB_HEADER + 64 * (pool->next_color++ % 16);
  slab->end = (guint8 *) slab + CORO_SLAB_SIZE;
  slab->cls = cls;
  slab->n_live = 0;
  slab->in_partial = FALSE;
  partial_push (pool, slab);
  return slab;
}

static int
compare_slabs (gconstpointer a,
               gconstpointer b)
{
  guintptr x = (guintptr) *(CoroSlab * const *) a, y = (guintptr) *(CoroSlab * const *) b;

  return x < y ? -1 : x > y;
}

/* Gives the pages of the slabs waiting in pool->purging back to the system, one
 * madvise () per run of adjacent slabs; their address ranges wait in the free list for
 * the next slab any class needs. */
static void
purge_flush (CoroPool *pool)
{
  guint n = pool->n_purging;

  if (n == 0)
    return;
  qsort (pool->purging, n, sizeof (CoroSlab *), compare_slabs);
  for (guint i = 0; i < n; )
    {
      guint8 *start = (guint8 *) pool->purging[i];
      guint j = i + 1;

      while (j < n && (guint8 *) pool->purging[j] == start + (j - i) * CORO_SLAB_SIZE)
        j++;
      madvise (start, (j - i) * CORO_SLAB_SIZE, MADV_DONTNEED);
      pool->n_purge_calls++;
      i = j;
    }
  if (pool->n_free + n > pool->free_alloc)
    {
      pool->free_alloc = MAX (pool->free_alloc * 2, pool->n_free + n);
      pool->free_slabs = g_renew (CoroSlab *, pool->free_slabs, pool->free_alloc);
    }
  memcpy (pool->free_slabs + pool->n_free, pool->purging, n * sizeof (CoroSlab *));
  pool->n_free += n;
  pool->n_purging = 0;
}

/* A slab whose pages go back with the next batch. */
static void
slab_purge (CoroPool *pool,
            CoroSlab *slab)
{
  pool->purging[pool->n_purging++] = slab;
  if (pool->n_purging == CORO_POOL_PURGE_BATCH)
    purge_flush (pool);
}

/* An empty slab leaves its class, and keeps its pages for a while (see CoroPool). */
static void
slab_release (CoroPool *pool,
              CoroSlab *slab)
{
  if (slab->in_partial)
    partial_remove (pool, slab);
  if (pool->spare[slab->cls] == slab)
    pool->spare[slab->cls] = NULL;
  if (pool->n_dirty >= CORO_POOL_DIRTY_MAX)
    {
      slab_purge (pool, slab);
      return;
    }
  slab->next = pool->dirty_slabs;
  pool->dirty_slabs = slab;
  pool->n_dirty++;
}

/* The loop is about to wait: the slabs past CORO_POOL_DIRTY_MAX still in a batch go back
 * now, and the pages of the unused slabs beyond CORO_POOL_DIRTY_KEEP once
 * CORO_POOL_DIRTY_DELAY_US passed since the first such wait. Returns when to call again
 * (the loop should wake up by then), or 0. */
gint64
coro_pool_trim (CoroPool *pool,
                gint64    now)
{
  purge_flush (pool);
  if (pool->n_dirty <= CORO_POOL_DIRTY_KEEP)
    {
      pool->purge_at = 0;
      return 0;
    }
  if (pool->purge_at == 0)
    pool->purge_at = now + CORO_POOL_DIRTY_DELAY_US;
  if (now < pool->purge_at)
    return pool->purge_at;
  while (pool->n_dirty > CORO_POOL_DIRTY_KEEP)
    {
      CoroSlab *slab = pool->dirty_slabs;

      pool->dirty_slabs = slab->next;
      pool->n_dirty--;
      slab_purge (pool, slab);
    }
  purge_flush (pool);
  pool->purge_at = 0;
  return 0;
}

gpointer
coro_pool_alloc (CoroPool *pool,
                 gsize     size)
{
  guint cls;
  CoroSlab *slab;
  gpointer mem;

  if (size > CORO_POOL_MAX_SIZE || pool->use_malloc)
    return g_malloc (size);

  cls = (size + CORO_POOL_GRANULE - 1) / CORO_POOL_GRANULE;
  slab = pool->partial[cls];
  if G_UNLIKELY (slab == NULL)
    slab = slab_new (pool, cls);

  if (slab->free != NULL)
    {
      mem = slab->free;
      slab->free = slab->free->next;
    }
  else
    {
      mem = slab->bump;
      slab->bump += cls * CORO_POOL_GRANULE;
    }
  if G_UNLIKELY (slab->n_live++ == 0 && pool->spare[cls] == slab)
    pool->spare[cls] = NULL;
  /* Full: out of the list until a block comes back. */
  if (slab->free == NULL && slab->bump + cls * CORO_POOL_GRANULE > slab->end)
    partial_remove (pool, slab);
  return mem;
}

void
coro_pool_free (CoroPool *pool,
                gpointer  mem,
                gsize     size)
{
  CoroSlab *slab;
  CoroPoolBlock *block = mem;

  if (size > CORO_POOL_MAX_SIZE || pool->use_malloc)
    {
      g_free (mem);
      return;
    }

  slab = SLAB_OF (mem);
  block->next = slab->free;
  slab->free = block;
  if (!slab->in_partial)
    partial_push (pool, slab);
  if (--slab->n_live > 0)
    return;

  /* Empty: keep one per class, still usable where it is, for the next burst; give the
   * others back. */
  if (pool->spare[slab->cls] == NULL)
    {
      pool->spare[slab->cls] = slab;
      return;
    }
  slab_release (pool, slab);
}

void
coro_pool_clear (CoroPool *pool)
{
  for (guint cls = 0; cls <= CORO_POOL_N_CLASSES; cls++)
    {
      /* Only empty slabs can be freed; live blocks keep theirs. */
      for (CoroSlab *slab = pool->partial[cls], *next; slab != NULL; slab = next)
        {
          next = slab->next;
          if (slab->n_live == 0)
            slab_release (pool, slab);
        }
      pool->spare[cls] = NULL;
    }
  while (pool->arena_blocks != NULL)
    {
      CoroPoolBlock *block = pool->arena_blocks;

      pool->arena_blocks = block->next;
      g_free (block);
    }
  pool->n_arena_blocks = 0;
  g_clear_pointer (&pool->free_slabs, g_free);
  pool->n_free = pool->free_alloc = 0;
  pool->n_purging = 0;
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

  /* 4 KiB blocks are the common case: they are recycled through the pool's list of
   * arena blocks. Larger requests get a block of their own. */
  block_size = MAX (CORO_ARENA_BLOCK_SIZE, BLOCK_HEADER + size);
  if (block_size == CORO_ARENA_BLOCK_SIZE && pool->arena_blocks != NULL)
    {
      block = (CoroArenaBlock *) pool->arena_blocks;
      pool->arena_blocks = pool->arena_blocks->next;
      pool->n_arena_blocks--;
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
      if (block->size == CORO_ARENA_BLOCK_SIZE && !pool->use_malloc &&
          pool->n_arena_blocks < CORO_POOL_MAX_FREE_ARENA_BLOCKS)
        {
          CoroPoolBlock *free_block = (CoroPoolBlock *) block;

          free_block->next = pool->arena_blocks;
          pool->arena_blocks = free_block;
          pool->n_arena_blocks++;
        }
      else
        g_free (block);
    }
  arena->ptr = arena->end = NULL;
}
