/* coro-streams-private.h: what the writer and the server know of the reader
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <coro.h>

G_BEGIN_DECLS

/* Counts the I/O dispatches of the streams on this thread: a writer writes at most its
 * high-water mark straight to the socket between two of them (see writer_write ()). */
extern __thread guint64 coro_stream_io_epoch;

/* The reader of a connection also keeps the connection open. */
CoroStreamReader *coro_stream_reader_new_for_connection (GIOStream        *connection,
                                                         CoroLoop         *loop);
/* The connection is gone (closed by the writer): stop reading; pending and later reads
 * see the end of the stream once the buffer is used up, or @error if given. */
void              coro_stream_reader_connection_lost    (CoroStreamReader *reader,
                                                         const GError     *error);

/* A writer (with its reader) of @connection for @loop. */
CoroStreamWriter *coro_stream_writer_new_for_loop       (GIOStream        *connection,
                                                         CoroLoop         *loop);

/* The server learns when each client's connection is closed. */
typedef void (*CoroStreamWriterClosedFunc) (CoroStreamWriter *writer,
                                            gpointer          user_data);
void              coro_stream_writer_set_closed_func    (CoroStreamWriter          *writer,
                                                         CoroStreamWriterClosedFunc func,
                                                         gpointer                   user_data);

G_END_DECLS
