/* coro-stream-reader.c: asyncio's StreamReader on a GInputStream
 *
 * The reader reads ahead into one byte buffer, as asyncio's transport feeds its
 * StreamReader: a pollable stream gets one pollable GSource on the loop's context, kept
 * attached while reading is not paused and dispatched whenever the stream is readable;
 * each dispatch reads once, straight into the free tail of the buffer. Reading pauses when
 * the buffer holds more than twice the limit and resumes once it is back under the limit.
 * A stream that cannot poll is read with g_input_stream_read_async() instead, one chunk at
 * a time.
 *
 * A read is a waiter future (coro-waiter.h) in a line of at most one: it takes its bytes
 * out of the buffer only when it can complete, so a read cancelled while waiting loses
 * nothing. A read that completed but whose bytes were never seen (its task was cancelled
 * before it resumed, or the future was dropped unread) puts them back at the head of the
 * buffer when the future goes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>

#include "coro-fd-source.h"
#include "coro-waiter.h"
#include "coro-loop-private.h"
#include "coro-streams-private.h"

#include <coro.h>

/* What a pollable dispatch or an async read asks for at most. */
#define READ_CHUNK (64 * 1024)

/* The buffer's memory. A read of a large part of it is handed out as a GBytes sharing the
 * block instead of a copy; from then on the reader never writes where the bytes it handed
 * out lie: it appends past them, and moves what it holds to a new block when it would
 * have to move or overwrite them. */
typedef struct
{
  gatomicrefcount ref;
  gsize           alloc;
  guint8          data[];
} Block;

/* A read shares the block rather than copying from it when it takes at least this much,
 * and at least a quarter of the block (a GBytes kept alive pins at most four times its
 * size). */
#define SHARE_MIN 4096

static void block_unref (gpointer data);

typedef enum
{
  OP_NONE,
  OP_READ,
  OP_READ_ALL,
  OP_EXACTLY,
  OP_UNTIL,
  OP_LINE,
} ReadOp;

/**
 * CoroStreamReader:
 *
 * The reading half of a stream (asyncio's `StreamReader`). Reads return futures whose
 * result is a #GBytes, held as a #GValue of type %G_TYPE_BYTES so that bindings read it
 * with [method@Coro.Future.get_value]; C reads it with [method@Coro.Future.get_bytes].
 *
 * ```c
 * // line = await reader.readline ()
 * coro_await (task, coro_stream_reader_readline (self->reader), got_line);
 * // in got_line:
 * GBytes *line = coro_future_get_bytes (coro_task_get_awaited (task), NULL);
 * ```
 *
 * Only one read may wait at a time, as in asyncio; a second one fails with
 * %CORO_ERROR_INVALID_STATE. A read cancelled while it waits takes nothing from the
 * buffer, so the next read sees every byte.
 *
 * A pollable stream (a socket, a pipe, a TLS connection) is read without blocking from one
 * #GSource on the context of the loop that was current when the reader was created. Any
 * other #GInputStream is read with g_input_stream_read_async().
 *
 * Since: 1.0
 */
struct _CoroStreamReader
{
  GObject       parent_instance;

  CoroLoop     *loop;
  GInputStream *stream;
  GIOStream    *connection;   /* kept open while the reader lives */
  gboolean      pollable;
  GSocket      *socket;       /* of a plain socket connection: read directly */
  int           fd;           /* of a socket or a pipe, else -1 */
  GSource      *source;       /* an fd's: attached until the end, waiting for POLLIN while
                               * not paused; otherwise attached while reading, not paused */
  GCancellable *cancellable;  /* the async read of a stream that cannot poll */
  guint8       *chunk;        /* what that async read reads into */
  gboolean      async_reading;

  Block        *block;        /* the buffer's memory, NULL while empty */
  gsize         head;
  gsize         len;
  gsize         limit;

  gboolean      eof;
  gboolean      stopped;      /* no more reading: end of stream, error or connection lost */
  gboolean      paused;
  GError       *error;
  GBytes       *partial;

  CoroWaitList  waiting;      /* the read waiting for data, if any */
  ReadOp        op;
  gsize         n;
  guint8       *sep;
  gsize         sep_len;
  gsize         searched;     /* bytes already searched for the separator */
};

G_DEFINE_FINAL_TYPE (CoroStreamReader, coro_stream_reader, G_TYPE_OBJECT)

__thread guint64 coro_stream_io_epoch;

static void reader_start (CoroStreamReader *self);
static void reader_process (CoroStreamReader *self);

/* Stops reading: for a while when paused (an fd's source stays, asking for nothing), else
 * for good. */
static void
reader_stop (CoroStreamReader *self)
{
  if (self->source == NULL)
    return;
  if (self->fd >= 0 && self->paused && !self->stopped)
    {
      coro_fd_source_set_events (self->source, 0);
      return;
    }
  g_source_destroy (self->source);
  g_clear_pointer (&self->source, g_source_unref);
}

static void
coro_stream_reader_dispose (GObject *object)
{
  CoroStreamReader *self = CORO_STREAM_READER (object);

  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  G_OBJECT_CLASS (coro_stream_reader_parent_class)->dispose (object);
}

static void
coro_stream_reader_finalize (GObject *object)
{
  CoroStreamReader *self = CORO_STREAM_READER (object);

  g_assert (self->waiting.head == NULL);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->stream);
  g_clear_object (&self->socket);
  g_clear_object (&self->connection);
  g_clear_object (&self->loop);
  g_free (self->chunk);
  g_clear_pointer (&self->block, block_unref);
  g_free (self->sep);
  g_clear_error (&self->error);
  g_clear_pointer (&self->partial, g_bytes_unref);
  G_OBJECT_CLASS (coro_stream_reader_parent_class)->finalize (object);
}

static void
coro_stream_reader_class_init (CoroStreamReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = coro_stream_reader_dispose;
  G_OBJECT_CLASS (klass)->finalize = coro_stream_reader_finalize;
}

static void
coro_stream_reader_init (CoroStreamReader *self)
{
  self->limit = CORO_STREAM_DEFAULT_LIMIT;
}

/* The buffer */

static Block *
block_new (gsize alloc)
{
  Block *block = g_malloc (sizeof (Block) + alloc);

  g_atomic_ref_count_init (&block->ref);
  block->alloc = alloc;
  return block;
}

static void
block_unref (gpointer data)
{
  Block *block = data;

  if (g_atomic_ref_count_dec (&block->ref))
    g_free (block);
}

static gboolean
block_shared (Block *block)
{
  return !g_atomic_ref_count_compare (&block->ref, 1);
}

static guint8 *
buffer_data (CoroStreamReader *self)
{
  return self->block != NULL ? self->block->data + self->head : NULL;
}

static gsize
buffer_space (CoroStreamReader *self)
{
  return self->block != NULL ? self->block->alloc - self->head - self->len : 0;
}

/* Moves the bytes held to a new block with room for @space more, leaving the old one to
 * the GBytes sharing it. */
static void
buffer_move (CoroStreamReader *self,
             gsize             space)
{
  Block *block = block_new (self->len + space);

  if (self->len > 0)
    memcpy (block->data, buffer_data (self), self->len);
  g_clear_pointer (&self->block, block_unref);
  self->block = block;
  self->head = 0;
}

/* Makes room for @space more bytes at the tail. */
static void
buffer_reserve (CoroStreamReader *self,
                gsize             space)
{
  Block *block = self->block;
  gsize alloc;

  if (buffer_space (self) >= space)
    return;
  if (block == NULL || block_shared (block))
    {
      buffer_move (self, space);
      return;
    }
  /* Moving the bytes to the front costs at most what was consumed since the last move;
   * otherwise the buffer grows (bounded by the read-ahead). */
  if (self->head > 0 && (self->head >= self->len || block->alloc - self->len < space))
    {
      memmove (block->data, block->data + self->head, self->len);
      self->head = 0;
      if (block->alloc - self->len >= space)
        return;
    }
  alloc = MAX (block->alloc * 2, self->len + space);
  self->block = g_realloc (block, sizeof (Block) + alloc);
  self->block->alloc = alloc;
}

static void
buffer_append (CoroStreamReader *self,
               const guint8     *data,
               gsize             len)
{
  buffer_reserve (self, len);
  memcpy (buffer_data (self) + self->len, data, len);
  self->len += len;
}

static void
buffer_consume (CoroStreamReader *self,
                gsize             n)
{
  g_assert (n <= self->len);

  self->len -= n;
  if (self->len > 0)
    self->head += n;
  else
    {
      /* Empty: start again at the front, or in a new block if a GBytes holds the front. */
      self->head = 0;
      if (self->block != NULL && block_shared (self->block))
        g_clear_pointer (&self->block, block_unref);
    }
  if (self->searched >= n)
    self->searched -= n;
  else
    self->searched = 0;
}

static GBytes *
buffer_take (CoroStreamReader *self,
             gsize             n)
{
  GBytes *bytes;

  if (n >= SHARE_MIN && n >= self->block->alloc / 4)
    {
      g_atomic_ref_count_inc (&self->block->ref);
      bytes = g_bytes_new_with_free_func (buffer_data (self), n, block_unref, self->block);
    }
  else
    bytes = g_bytes_new (buffer_data (self), n);
  buffer_consume (self, n);
  return bytes;
}

/* Puts bytes nobody saw back at the head of the buffer. */
static void
buffer_prepend (CoroStreamReader *self,
                const guint8     *data,
                gsize             len)
{
  if (self->block != NULL && self->head >= len && !block_shared (self->block))
    {
      self->head -= len;
      memcpy (buffer_data (self), data, len);
    }
  else
    {
      /* (@data may lie in the old block: it is copied before the block goes.) */
      Block *block = block_new (len + self->len + READ_CHUNK);

      memcpy (block->data, data, len);
      if (self->len > 0)
        memcpy (block->data + len, buffer_data (self), self->len);
      g_clear_pointer (&self->block, block_unref);
      self->block = block;
      self->head = 0;
    }
  self->len += len;
  self->searched = 0;
}

/* Reading */

/* A read waiting for data keeps the stream read, whatever the buffer holds (asyncio's
 * _wait_for_data() resumes reading). */
static gboolean
wants_more (CoroStreamReader *self)
{
  return self->waiting.head != NULL;
}

static void
maybe_pause (CoroStreamReader *self)
{
  if (!self->paused && !self->stopped && self->len > 2 * self->limit && !wants_more (self))
    {
      self->paused = TRUE;
      reader_stop (self);
    }
}

static void
maybe_resume (CoroStreamReader *self)
{
  if (self->paused && (self->len <= self->limit || wants_more (self)))
    {
      self->paused = FALSE;
      reader_start (self);
    }
}

/* The stream ended, failed or went away: no more reading. */
static void
reader_end (CoroStreamReader *self,
            GError           *error)
{
  self->stopped = TRUE;
  self->eof = TRUE;
  if (error != NULL && self->error == NULL)
    self->error = error;
  else if (error != NULL)
    g_error_free (error);
  reader_stop (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  reader_process (self);
}

/* One non-blocking read straight into the buffer's free tail: the bytes read, 0 at the
 * end of the stream, -1 when nothing is there, -2 on an error (in @error). */
static gssize
read_some (CoroStreamReader  *self,
           GError           **error)
{
  GError *local = NULL;
  gsize space;
  gssize n;

  buffer_reserve (self, READ_CHUNK);
  space = buffer_space (self);
  if (self->socket != NULL)
    n = g_socket_receive_with_blocking (self->socket, (char *) buffer_data (self) + self->len,
                                        space, FALSE, NULL, &local);
  else if (g_input_stream_is_closed (self->stream))
    {
      /* g_input_stream_read() checks this; the non-blocking read does not, and a closed
       * GMemoryInputStream would go on giving its bytes. */
      g_set_error_literal (&local, G_IO_ERROR, G_IO_ERROR_CLOSED, "Stream is already closed");
      n = -1;
    }
  else
    n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->stream),
                                                  buffer_data (self) + self->len, space,
                                                  NULL, &local);
  if (n >= 0)
    return n;
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_error_free (local);
      return -1;
    }
  g_propagate_error (error, local);
  return -2;
}

static gboolean
on_readable (GObject  *stream,
             gpointer  user_data)
{
  CoroStreamReader *self = user_data;
  GError *error = NULL;
  gssize n;
  gsize before = self->len;

  coro_stream_io_epoch++;
  g_object_ref (self);
  /* Reads on while the stream fills what is asked for, up to the read-ahead limit: a
   * busy stream costs one poll per several reads. */
  for (int i = 0; i < 4; i++)
    {
      gsize space;

      buffer_reserve (self, READ_CHUNK);
      space = buffer_space (self);
      n = read_some (self, &error);
      if (n > 0)
        self->len += n;
      if (n <= 0 || (gsize) n < space || self->len > 2 * self->limit)
        break;
    }

  if (self->len > before)
    {
      maybe_pause (self);
      reader_process (self);
    }
  if (n == 0 || n == -2)
    reader_end (self, error);
  coro_loop_run_ready (self->loop);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_fd_readable (gpointer user_data)
{
  CoroStreamReader *self = user_data;

  return on_readable (G_OBJECT (self->stream), user_data);
}

static void
on_read_async (GObject      *stream,
               GAsyncResult *result,
               gpointer      user_data)
{
  CoroStreamReader *self = user_data;
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (stream), result, &error);

  self->async_reading = FALSE;
  if (self->stopped)
    g_clear_error (&error);
  else if (n > 0)
    {
      buffer_append (self, self->chunk, n);
      maybe_pause (self);
      reader_process (self);
      if (!self->paused && !self->stopped)
        reader_start (self);
    }
  else
    reader_end (self, error);
  g_object_unref (self);
}

static void
reader_start (CoroStreamReader *self)
{
  if (self->stopped || self->paused)
    return;

  if (self->pollable)
    {
      if (self->source != NULL)
        {
          if (self->fd >= 0)
            coro_fd_source_set_events (self->source, G_IO_IN);
          return;
        }
      /* A socket's or a pipe's fd source (see coro-fd-source.c) rather than the pollable
       * stream's, which wraps the socket's as a child source that the setting below would
       * not reach. */
      if (self->fd >= 0)
        {
          self->source = coro_fd_source_new (self->fd, G_IO_IN);
          g_source_set_callback (self->source, on_fd_readable, self, NULL);
        }
      else
        {
          self->source = g_pollable_input_stream_create_source (
            G_POLLABLE_INPUT_STREAM (self->stream), NULL);
          g_source_set_callback (self->source, G_SOURCE_FUNC (on_readable), self, NULL);
          /* The callback never iterates the context. A source that cannot recurse has its
           * fd taken out of the poll set around each dispatch, and each change writes the
           * context's wake-up eventfd: two syscalls and one more poll per dispatch. */
          g_source_set_can_recurse (self->source, TRUE);
        }
      g_source_set_static_name (self->source, "CoroStreamReader");
      g_source_attach (self->source, coro_loop_get_context (self->loop));
    }
  else if (!self->async_reading)
    {
      if (self->chunk == NULL)
        self->chunk = g_malloc (READ_CHUNK);
      if (self->cancellable == NULL)
        self->cancellable = g_cancellable_new ();
      self->async_reading = TRUE;
      g_input_stream_read_async (self->stream, self->chunk, READ_CHUNK, G_PRIORITY_DEFAULT,
                                 self->cancellable, on_read_async, g_object_ref (self));
    }
}

/* Reads */

static void
waiter_left (GObject    *owner,
             CoroWaiter *waiter)
{
  CoroStreamReader *self = CORO_STREAM_READER (owner);

  self->op = OP_NONE;
  g_clear_pointer (&self->sep, g_free);
  maybe_pause (self);
}

static void
waiter_give_back (GObject    *owner,
                  CoroWaiter *waiter)
{
  CoroStreamReader *self = CORO_STREAM_READER (owner);
  CoroItem item = { 0, };

  if (!coro_item_take_result (&item, &waiter->parent))
    return;
  if (item.kind == CORO_ITEM_VALUE && G_VALUE_HOLDS (item.v_value, G_TYPE_BYTES))
    {
      GBytes *bytes = g_value_get_boxed (item.v_value);
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);

      if (len > 0)
        buffer_prepend (self, data, len);
    }
  coro_item_clear (&item);
  reader_process (self);
}

static const CoroWaiterOps read_waiter_ops = {
  .name = "StreamRead",
  .give_back = waiter_give_back,
  .left = waiter_left,
};

static void
complete_with (CoroStreamReader *self,
               CoroWaiter       *waiter,
               GBytes           *bytes)
{
  GValue *value = g_new0 (GValue, 1);

  g_value_init (value, G_TYPE_BYTES);
  g_value_take_boxed (value, bytes);
  waiter->item.kind = CORO_ITEM_VALUE;
  waiter->item.v_value = value;
  waiter->handed = TRUE;
  coro_item_set_result (&waiter->item, &waiter->parent);
}

static void
fail_with (CoroWaiter *waiter,
           GError     *error)
{
  coro_future_set_error (&waiter->parent, error, NULL);
}

static GError *
incomplete_read (CoroStreamReader *self,
                 gsize             expected)
{
  gsize got = self->len;

  g_clear_pointer (&self->partial, g_bytes_unref);
  self->partial = buffer_take (self, got);
  if (expected > 0)
    return g_error_new (CORO_ERROR, CORO_ERROR_INCOMPLETE_READ,
                        "%" G_GSIZE_FORMAT " bytes read on a total of %" G_GSIZE_FORMAT
                        " expected bytes", got, expected);
  return g_error_new (CORO_ERROR, CORO_ERROR_INCOMPLETE_READ,
                      "%" G_GSIZE_FORMAT " bytes read on a total of undefined expected bytes",
                      got);
}

static const guint8 *
find (const guint8 *haystack,
      gsize         len,
      const guint8 *needle,
      gsize         needle_len)
{
  const guint8 *end = haystack + len;
  const guint8 *p = haystack;

  while ((gsize) (end - p) >= needle_len &&
         (p = memchr (p, needle[0], end - p - needle_len + 1)) != NULL)
    {
      if (memcmp (p, needle, needle_len) == 0)
        return p;
      p++;
    }
  return NULL;
}

/* Looks for the separator. Returns TRUE when the read is decided: *@out_bytes set, or
 * *@out_error set. */
static gboolean
try_until (CoroStreamReader  *self,
           GBytes           **out_bytes,
           GError           **out_error,
           gboolean           line)
{
  const guint8 *data = buffer_data (self);
  gsize start = self->searched;
  gsize offset;
  const guint8 *found = NULL;

  if (self->len >= self->sep_len)
    {
      if (start + self->sep_len > self->len)
        start = self->len - self->sep_len;
      found = find (data + start, self->len - start, self->sep, self->sep_len);
    }

  if (found != NULL)
    {
      gsize isep = found - data;

      if (isep > self->limit)
        {
          if (line)
            buffer_consume (self, isep + self->sep_len);
          *out_error = g_error_new_literal (CORO_ERROR, CORO_ERROR_LIMIT_OVERRUN,
                                            "Separator is found, but chunk is longer than limit");
          return TRUE;
        }
      *out_bytes = buffer_take (self, isep + self->sep_len);
      return TRUE;
    }

  offset = self->len + 1 >= self->sep_len ? self->len + 1 - self->sep_len : 0;
  self->searched = offset;
  if (offset > self->limit)
    {
      if (line)
        buffer_consume (self, self->len);
      *out_error = g_error_new_literal (CORO_ERROR, CORO_ERROR_LIMIT_OVERRUN,
                                        "Separator is not found, and chunk exceed the limit");
      return TRUE;
    }
  if (self->eof)
    {
      GError *incomplete = incomplete_read (self, 0);

      if (line)
        {
          g_error_free (incomplete);
          *out_bytes = g_bytes_ref (self->partial);
          g_clear_pointer (&self->partial, g_bytes_unref);
        }
      else
        *out_error = incomplete;
      return TRUE;
    }
  return FALSE;
}

/* Completes the waiting read if it can complete now. */
static void
reader_process (CoroStreamReader *self)
{
  CoroWaiter *waiter = self->waiting.head;
  GBytes *bytes = NULL;
  GError *error = NULL;

  if (waiter == NULL)
    return;

  if (self->error != NULL)
    error = g_error_copy (self->error);
  else
    switch (self->op)
      {
      case OP_READ:
        if (self->len > 0)
          bytes = buffer_take (self, MIN (self->n, self->len));
        else if (self->eof)
          bytes = g_bytes_new (NULL, 0);
        break;
      case OP_READ_ALL:
        if (self->eof)
          bytes = buffer_take (self, self->len);
        break;
      case OP_EXACTLY:
        if (self->len >= self->n)
          bytes = buffer_take (self, self->n);
        else if (self->eof)
          error = incomplete_read (self, self->n);
        break;
      case OP_UNTIL:
      case OP_LINE:
        try_until (self, &bytes, &error, self->op == OP_LINE);
        break;
      case OP_NONE:
      default:
        g_assert_not_reached ();
      }

  if (bytes == NULL && error == NULL)
    {
      maybe_resume (self);
      return;
    }

  coro_wait_list_remove (&self->waiting, waiter);
  self->op = OP_NONE;
  g_clear_pointer (&self->sep, g_free);
  if (bytes != NULL)
    complete_with (self, waiter, bytes);
  else
    fail_with (waiter, error);
  maybe_resume (self);
}

static CoroFuture *
reader_submit (CoroStreamReader *self,
               ReadOp            op,
               gsize             n,
               const guint8     *sep,
               gsize             sep_len)
{
  CoroWaiter *waiter;

  if (self->waiting.head != NULL)
    return coro_future_new_failed (self->loop,
                                   g_error_new_literal (CORO_ERROR, CORO_ERROR_INVALID_STATE,
                                                        "A read was called while another task "
                                                        "is already waiting for incoming data"));

  g_clear_pointer (&self->partial, g_bytes_unref);
  waiter = coro_waiter_new (self->loop, &read_waiter_ops, self, &self->waiting);
  self->op = op;
  self->n = n;
  self->sep = sep != NULL ? g_memdup2 (sep, sep_len) : NULL;
  self->sep_len = sep_len;
  self->searched = 0;
  reader_process (self);
  return &waiter->parent;
}

static CoroStreamReader *
reader_new (GInputStream *stream,
            GIOStream    *connection,
            CoroLoop     *loop)
{
  CoroStreamReader *self = g_object_new (CORO_TYPE_STREAM_READER, NULL);

  self->loop = g_object_ref (loop);
  self->stream = g_object_ref (stream);
  self->connection = connection != NULL ? g_object_ref (connection) : NULL;
  if (G_IS_SOCKET_CONNECTION (connection))
    self->socket = g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)));
  self->pollable = G_IS_POLLABLE_INPUT_STREAM (stream) &&
                   g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (stream));
  self->fd = -1;
  if (self->pollable && self->socket != NULL)
    self->fd = g_socket_get_fd (self->socket);
  else if (self->pollable && G_IS_UNIX_INPUT_STREAM (stream))
    self->fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (stream));
  /* A read of a blocking pipe waits for as many bytes as it asks for. */
  if (G_IS_UNIX_INPUT_STREAM (stream))
    g_unix_set_fd_nonblocking (g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (stream)), TRUE,
                               NULL);
  reader_start (self);
  return self;
}

/**
 * coro_stream_reader_new:
 * @stream: the #GInputStream to read
 *
 * Creates a reader that reads @stream from now on, for the loop current in this thread
 * (the running one, else the default one). The reader holds a reference on @stream. The
 * file descriptor of a #GUnixInputStream is made non-blocking.
 *
 * Returns: (transfer full): the new reader
 *
 * Since: 1.0
 */
CoroStreamReader *
coro_stream_reader_new (GInputStream *stream)
{
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  return reader_new (stream, NULL, coro_loop_get_current ());
}

CoroStreamReader *
coro_stream_reader_new_for_connection (GIOStream *connection,
                                       CoroLoop  *loop)
{
  return reader_new (g_io_stream_get_input_stream (connection), connection, loop);
}

void
coro_stream_reader_connection_lost (CoroStreamReader *reader,
                                    const GError     *error)
{
  if (reader->stopped)
    return;
  reader_end (reader, error != NULL ? g_error_copy (error) : NULL);
}

/**
 * coro_stream_reader_get_stream:
 * @reader: a #CoroStreamReader
 *
 * Gets the stream the reader reads.
 *
 * Returns: (transfer none): the stream @reader reads
 *
 * Since: 1.0
 */
GInputStream *
coro_stream_reader_get_stream (CoroStreamReader *reader)
{
  g_return_val_if_fail (CORO_IS_STREAM_READER (reader), NULL);

  return reader->stream;
}

/**
 * coro_stream_reader_read:
 * @reader: a #CoroStreamReader
 * @n: the most bytes to read, or -1 to read up to the end of the stream
 *
 * Reads up to @n bytes (asyncio's `read (n)`): the future completes as soon as at least
 * one byte is buffered, with at most @n of them, or with empty bytes at the end of the
 * stream. With @n = -1 it completes at the end of the stream with everything up to it;
 * with @n = 0 it completes at once with empty bytes.
 *
 * Returns: (transfer full): a future of a #GBytes
 *
 * Since: 1.0
 */
CoroFuture *
coro_stream_reader_read (CoroStreamReader *reader,
                         gssize            n)
{
  g_return_val_if_fail (CORO_IS_STREAM_READER (reader), NULL);

  if (n == 0 && reader->error == NULL)
    {
      CoroWaiter *waiter = coro_waiter_new (reader->loop, &read_waiter_ops, reader, NULL);

      complete_with (reader, waiter, g_bytes_new (NULL, 0));
      return &waiter->parent;
    }
  if (n < 0)
    return reader_submit (reader, OP_READ_ALL, 0, NULL, 0);
  return reader_submit (reader, OP_READ, n, NULL, 0);
}

/**
 * coro_stream_reader_readline:
 * @reader: a #CoroStreamReader
 *
 * Reads one line, up to and including `\n` (asyncio's `readline ()`). At the end of the
 * stream it completes with the partial line, or empty bytes. A line longer than the limit
 * fails with %CORO_ERROR_LIMIT_OVERRUN (asyncio raises `ValueError`) after dropping, as
 * asyncio does, the line up to its `\n` if the buffer holds it, else the whole buffer.
 *
 * Returns: (transfer full): a future of a #GBytes
 *
 * Since: 1.0
 */
CoroFuture *
coro_stream_reader_readline (CoroStreamReader *reader)
{
  g_return_val_if_fail (CORO_IS_STREAM_READER (reader), NULL);

  return reader_submit (reader, OP_LINE, 0, (const guint8 *) "\n", 1);
}

/**
 * coro_stream_reader_readexactly:
 * @reader: a #CoroStreamReader
 * @n: how many bytes to read
 *
 * Reads exactly @n bytes (asyncio's `readexactly (n)`). If the stream ends first, the
 * future fails with %CORO_ERROR_INCOMPLETE_READ and the bytes read so far, taken out of the
 * buffer, are available from [method@Coro.StreamReader.get_partial] (asyncio's
 * `IncompleteReadError.partial`).
 *
 * Returns: (transfer full): a future of a #GBytes
 *
 * Since: 1.0
 */
CoroFuture *
coro_stream_reader_readexactly (CoroStreamReader *reader,
                                gsize             n)
{
  g_return_val_if_fail (CORO_IS_STREAM_READER (reader), NULL);

  if (n == 0)
    return coro_stream_reader_read (reader, 0);
  return reader_submit (reader, OP_EXACTLY, n, NULL, 0);
}

/**
 * coro_stream_reader_readuntil:
 * @reader: a #CoroStreamReader
 * @separator: (array length=separator_len): the separator
 * @separator_len: its length, at least 1
 *
 * Reads up to and including @separator (asyncio's `readuntil (separator)`).
 *
 * If the buffer reaches the limit without the separator, or finds it further than the
 * limit, the future fails with %CORO_ERROR_LIMIT_OVERRUN and the data stays in the buffer
 * for the next read. If the stream ends first, it fails with %CORO_ERROR_INCOMPLETE_READ and
 * the bytes are available from [method@Coro.StreamReader.get_partial].
 *
 * Returns: (transfer full): a future of a #GBytes
 *
 * Since: 1.0
 */
CoroFuture *
coro_stream_reader_readuntil (CoroStreamReader *reader,
                              const guint8     *separator,
                              gsize             separator_len)
{
  g_return_val_if_fail (CORO_IS_STREAM_READER (reader), NULL);
  g_return_val_if_fail (separator != NULL && separator_len > 0, NULL);

  return reader_submit (reader, OP_UNTIL, 0, separator, separator_len);
}

/**
 * coro_stream_reader_at_eof:
 * @reader: a #CoroStreamReader
 *
 * Tells whether everything the stream had to give was read.
 *
 * Returns: %TRUE if the stream ended and the buffer is empty (asyncio's `at_eof ()`)
 *
 * Since: 1.0
 */
gboolean
coro_stream_reader_at_eof (CoroStreamReader *reader)
{
  g_return_val_if_fail (CORO_IS_STREAM_READER (reader), FALSE);

  return reader->eof && reader->len == 0;
}

/**
 * coro_stream_reader_get_limit:
 * @reader: a #CoroStreamReader
 *
 * Gets the buffer limit: how long a line or a chunk up to a separator may be (see
 * [method@Coro.StreamReader.set_limit]).
 *
 * Returns: the buffer limit, %CORO_STREAM_DEFAULT_LIMIT unless set
 *
 * Since: 1.0
 */
gsize
coro_stream_reader_get_limit (CoroStreamReader *reader)
{
  g_return_val_if_fail (CORO_IS_STREAM_READER (reader), 0);

  return reader->limit;
}

/**
 * coro_stream_reader_set_limit:
 * @reader: a #CoroStreamReader
 * @limit: the new limit, at least 1
 *
 * Sets the buffer limit (asyncio's `limit` argument): how long a line or a chunk up to a
 * separator may be, and how much the reader buffers ahead (twice the limit).
 *
 * Since: 1.0
 */
void
coro_stream_reader_set_limit (CoroStreamReader *reader,
                              gsize             limit)
{
  g_return_if_fail (CORO_IS_STREAM_READER (reader));
  g_return_if_fail (limit > 0);

  reader->limit = limit;
  maybe_pause (reader);
  maybe_resume (reader);
  reader_process (reader);
}

/**
 * coro_stream_reader_get_buffer_size:
 * @reader: a #CoroStreamReader
 *
 * Counts the bytes buffered and not read yet.
 *
 * Returns: how many bytes are buffered, read from the stream but not by a read yet
 *
 * Since: 1.0
 */
gsize
coro_stream_reader_get_buffer_size (CoroStreamReader *reader)
{
  g_return_val_if_fail (CORO_IS_STREAM_READER (reader), 0);

  return reader->len;
}

/**
 * coro_stream_reader_get_partial:
 * @reader: a #CoroStreamReader
 *
 * The bytes of the last read that failed with %CORO_ERROR_INCOMPLETE_READ (asyncio's
 * `IncompleteReadError.partial`). The next read forgets them.
 *
 * Returns: (transfer none) (nullable): the partial bytes, or %NULL
 *
 * Since: 1.0
 */
GBytes *
coro_stream_reader_get_partial (CoroStreamReader *reader)
{
  g_return_val_if_fail (CORO_IS_STREAM_READER (reader), NULL);

  return reader->partial;
}

/**
 * coro_stream_reader_get_exception:
 * @reader: a #CoroStreamReader
 *
 * Gets the error the stream failed with.
 *
 * Returns: (transfer none) (nullable): the error the stream failed with, which every
 *   read now fails with (asyncio's `exception ()`), or %NULL
 *
 * Since: 1.0
 */
const GError *
coro_stream_reader_get_exception (CoroStreamReader *reader)
{
  g_return_val_if_fail (CORO_IS_STREAM_READER (reader), NULL);

  return reader->error;
}
