/* test-stream-model.c: the stream reader against a model, over random bytes and chunkings
 *
 * A feeder task writes a random byte string into a pipe in random chunks, yielding to
 * the loop between some of them and waiting whenever the pipe is full. A reader task
 * makes random read, readline, readuntil and readexactly calls (and limit changes) on a
 * CoroStreamReader over the other end, and checks each outcome against a model that
 * knows the whole string: apart from how much one read (n) returns, no outcome may depend
 * on how the bytes arrived. The string's alphabet is small, so separators turn up often,
 * and the limits are small, so lines and chunks overrun them.
 *
 * The cases draw from g_test_rand: a failing run is reproduced with its --seed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <coro.h>
#include <gio/gunixinputstream.h>

#include "coro-test.h"

/* Feeder */

typedef struct
{
  GBytes *data;
  int     fd;
  gsize   fed;
  int     max_chunk;
} Feeder;

static void
feed (CoroTask *task,
      gpointer  frame)
{
  Feeder *self = frame;
  gsize len;
  const guint8 *data = g_bytes_get_data (self->data, &len);

  while (self->fed < len)
    {
      gsize chunk = g_test_rand_int_range (1, self->max_chunk + 1);
      gssize n = write (self->fd, data + self->fed, MIN (chunk, len - self->fed));

      if (n < 0)
        {
          g_assert_cmpint (errno, ==, EAGAIN);
          coro_await (task, coro_loop_wait_writable (coro_loop_get_default (), self->fd), feed);
          return;
        }
      self->fed += n;
      if (g_test_rand_int_range (0, 3) == 0)
        {
          coro_await (task, coro_sleep (0), feed);
          return;
        }
    }
  close (self->fd);
  self->fd = -1;
  coro_task_return (task);
}

/* Reader and model */

typedef enum
{
  OP_READ,
  OP_READ_ALL,
  OP_READLINE,
  OP_READUNTIL,
  OP_READEXACTLY,
} Op;

static const char *const separators[] = { "\n", "ab", "xyz" };

typedef struct
{
  CoroStreamReader *reader;
  GBytes           *data;
  gsize             pos;      /* how much of data the reader has handed out */
  guint             n_calls;
  GPtrArray        *results;  /* every GBytes handed out, kept to the end of the case */

  /* The call in flight and what it must give: expect_len bytes from pos, or the error
   * expect_code (0 for none); for OP_READ, between 1 and n bytes (none at the end). */
  Op                op;
  gsize             n;
  const char       *sep;
  gsize             expect_len;
  int               expect_code;
} Reader;

static const guint8 *
remaining (Reader *self,
           gsize  *len)
{
  gsize total;
  const guint8 *data = g_bytes_get_data (self->data, &total);

  *len = total - self->pos;
  return data + self->pos;
}

/* Where @sep starts in the rest of the data, or -1. */
static gssize
find_sep (Reader     *self,
          const char *sep)
{
  gsize len, sep_len = strlen (sep);
  const guint8 *rest = remaining (self, &len);

  for (gsize i = 0; i + sep_len <= len; i++)
    if (memcmp (rest + i, sep, sep_len) == 0)
      return i;
  return -1;
}

/* What readuntil (@sep) must do with the rest of the data, as asyncio's readuntil: the
 * chunk up to and with the separator if it starts within the limit; LIMIT_OVERRUN, the
 * data kept, if it starts past the limit or is missing and the data runs past it; at the
 * end without it, INCOMPLETE_READ with the rest as the partial bytes. */
static void
expect_until (Reader     *self,
              const char *sep)
{
  gsize len, sep_len = strlen (sep), limit = coro_stream_reader_get_limit (self->reader);
  gssize i = find_sep (self, sep);

  remaining (self, &len);
  self->sep = sep;
  if (i >= 0 && (gsize) i <= limit)
    {
      self->expect_len = i + sep_len;
      self->expect_code = 0;
    }
  else if (i >= 0 || (len + 1 >= sep_len && len + 1 - sep_len > limit))
    self->expect_code = CORO_ERROR_LIMIT_OVERRUN;
  else
    {
      self->expect_len = len;
      self->expect_code = CORO_ERROR_INCOMPLETE_READ;
    }
}

/* Picks the next call and works out what it must give. */
static CoroFuture *
next_call (Reader *self)
{
  gsize len, limit = coro_stream_reader_get_limit (self->reader);

  remaining (self, &len);
  for (;;)
    {
      /* Past the last call, read the rest: the feeder may be waiting for room. */
      self->op = self->n_calls >= 300 ? OP_READ_ALL : g_test_rand_int_range (0, 7);
      if (self->op > OP_READEXACTLY)
        {
          /* The limit changes between calls, as set_limit allows. */
          static const gsize limits[] = { 1, 2, 3, 8, 64, 1000, 65536 };

          coro_stream_reader_set_limit (self->reader,
                                        limits[g_test_rand_int_range (0, G_N_ELEMENTS (limits))]);
          limit = coro_stream_reader_get_limit (self->reader);
          continue;
        }
      switch (self->op)
        {
        case OP_READ:
          self->n = g_test_rand_int_range (0, 3 * limit + 2);
          self->expect_code = 0;
          return coro_stream_reader_read (self->reader, self->n);

        case OP_READ_ALL:
          /* It ends the case: rarely. */
          if (self->n_calls < 300 && g_test_rand_int_range (0, 8) != 0)
            continue;
          self->expect_len = len;
          self->expect_code = 0;
          return coro_stream_reader_read (self->reader, -1);

        case OP_READLINE:
          /* A line over the limit drops what the reader had buffered, which depends on
           * the chunking (asyncio's too): only lines within it. */
          expect_until (self, "\n");
          if (self->expect_code == CORO_ERROR_LIMIT_OVERRUN)
            continue;
          self->expect_code = 0;  /* at the end, the partial line */
          return coro_stream_reader_readline (self->reader);

        case OP_READUNTIL:
          expect_until (self, separators[g_test_rand_int_range (0, G_N_ELEMENTS (separators))]);
          return coro_stream_reader_readuntil (self->reader, (const guint8 *) self->sep,
                                               strlen (self->sep));

        case OP_READEXACTLY:
          /* Up to three times the limit: the reader reads ahead only twice the limit,
           * unless a call waits for more. */
          self->n = g_test_rand_int_range (0, 3 * limit + 2);
          if (len >= self->n)
            {
              self->expect_len = self->n;
              self->expect_code = 0;
            }
          else
            {
              self->expect_len = len;
              self->expect_code = CORO_ERROR_INCOMPLETE_READ;
            }
          return coro_stream_reader_readexactly (self->reader, self->n);
        }
    }
}

static void read_step (CoroTask *task,
                       gpointer  frame);

static void
check_bytes (Reader *self,
             GBytes *got,
             gsize   expect_len)
{
  gsize len;
  const guint8 *rest = remaining (self, &len);

  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), rest, expect_len);
  /* A large read shares the reader's buffer: later reads must not write over it. */
  g_ptr_array_add (self->results, g_bytes_ref (got));
}

/* Every piece handed out, joined, is still the data read so far. */
static void
check_results (Reader *self)
{
  const guint8 *data = g_bytes_get_data (self->data, NULL);
  gsize at = 0;

  for (guint i = 0; i < self->results->len; i++)
    {
      gsize len;
      const guint8 *got = g_bytes_get_data (self->results->pdata[i], &len);

      g_assert_cmpmem (got, len, data + at, len);
      at += len;
    }
  g_assert_cmpuint (at, ==, self->pos);
}

static void
read_checked (CoroTask *task,
              gpointer  frame)
{
  Reader *self = frame;
  CoroFuture *call = coro_task_get_awaited (task);
  gsize len;
  g_autoptr(GError) error = NULL;
  GBytes *got = coro_future_get_bytes (call, &error);

  remaining (self, &len);
  if (self->expect_code != 0)
    {
      g_assert_null (got);
      g_assert_error (error, CORO_ERROR, self->expect_code);
      if (self->expect_code == CORO_ERROR_INCOMPLETE_READ)
        {
          /* The rest, handed out as the partial bytes: the stream has ended. */
          GBytes *partial = coro_stream_reader_get_partial (self->reader);

          if (partial != NULL)
            check_bytes (self, partial, self->expect_len);
          else
            g_assert_cmpuint (self->expect_len, ==, 0);
          self->pos += self->expect_len;
          g_assert_true (coro_stream_reader_at_eof (self->reader));
        }
      /* LIMIT_OVERRUN keeps the data: the next call sees it again. */
    }
  else
    {
      g_assert_no_error (error);
      if (self->op == OP_READ)
        {
          gsize got_len = g_bytes_get_size (got);

          /* Up to n bytes, at least one unless n is 0 or nothing is left. */
          g_assert_cmpuint (got_len, <=, self->n);
          if (self->n > 0 && len > 0)
            g_assert_cmpuint (got_len, >=, 1);
          else
            g_assert_cmpuint (got_len, ==, 0);
          self->expect_len = got_len;
        }
      check_bytes (self, got, self->expect_len);
      self->pos += self->expect_len;
    }

  self->n_calls++;
  if (self->op == OP_READ_ALL)
    {
      check_results (self);
      coro_task_return (task);
      return;
    }
  read_step (task, frame);
}

static void
read_step (CoroTask *task,
           gpointer  frame)
{
  Reader *self = frame;
  CoroFuture *call = next_call (self);
  gsize len;

  remaining (self, &len);
  g_test_message ("call %u: op %d n %" G_GSIZE_FORMAT " sep %s limit %" G_GSIZE_FORMAT
                  ", at %" G_GSIZE_FORMAT " with %" G_GSIZE_FORMAT " left: expect %d / %"
                  G_GSIZE_FORMAT " bytes", self->n_calls, self->op, self->n,
                  self->op == OP_READUNTIL ? self->sep : "-",
                  coro_stream_reader_get_limit (self->reader), self->pos, len,
                  self->expect_code, self->expect_len);
  coro_await_catch (task, call, read_checked);
}

/* One case: a fresh string, pipe, feeder and reader. */
static void
run_case (gsize len,
          int   max_chunk)
{
  guint8 *bytes = g_malloc (len);
  static const char alphabet[] = "abxyz\n";
  GBytes *data;
  GInputStream *in;
  CoroStreamReader *reader;
  CoroFuture *feeder, *reading, *both;
  GPtrArray *results;
  int fds[2];

  for (gsize i = 0; i < len; i++)
    bytes[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
  data = g_bytes_new_take (bytes, len);

  g_assert_no_errno (pipe (fds));
  g_assert_no_errno (fcntl (fds[1], F_SETFL, O_NONBLOCK));
  in = g_unix_input_stream_new (fds[0], TRUE);
  reader = coro_stream_reader_new (in);

  feeder = CORO_FUTURE (CORO_CREATE_TASK (feed, Feeder, .data = data, .fd = fds[1],
                                          .max_chunk = max_chunk));
  results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  reading = CORO_FUTURE (CORO_CREATE_TASK (read_step, Reader, .reader = reader, .data = data,
                                           .results = results));
  both = coro_gather (feeder, reading, NULL);
  coro_test_run (both);

  g_assert_true (coro_stream_reader_at_eof (reader));
  g_ptr_array_unref (results);
  coro_future_unref (both);
  g_object_unref (reader);
  g_object_unref (in);
  g_bytes_unref (data);
}

static void
test_stream_model_small_chunks (void)
{
  CORO_TEST_BEGIN ();

  for (int i = 0; i < 200; i++)
    run_case (g_test_rand_int_range (0, 2000), g_test_rand_int_range (1, 16));
  CORO_TEST_END ();
}

static void
test_stream_model_large_chunks (void)
{
  CORO_TEST_BEGIN ();

  /* Past the pipe's 64 KiB and the reader's shared-block threshold (4 KiB reads). */
  for (int i = 0; i < 30; i++)
    run_case (g_test_rand_int_range (0, 300000), g_test_rand_int_range (1, 100000));
  CORO_TEST_END ();
}

int
main (int    argc,
      char **argv)
{
  coro_test_init (&argc, &argv);

  g_test_add_func ("/stream-model/small-chunks", test_stream_model_small_chunks);
  g_test_add_func ("/stream-model/large-chunks", test_stream_model_large_chunks);

  return g_test_run ();
}
