/* coro-streams.h: asyncio's streams: readers, writers, connections and servers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(CORO_INSIDE) && !defined(CORO_COMPILATION)
# error "Only <coro.h> can be included directly."
#endif

#include <gio/gio.h>

#include "coro-future.h"
#include "coro-types.h"
#include "coro-version.h"

G_BEGIN_DECLS

/**
 * CORO_STREAM_DEFAULT_LIMIT:
 *
 * The default buffer limit of a [class@Coro.StreamReader], 64 KiB, as asyncio's
 * `_DEFAULT_LIMIT`.
 *
 * Since: 1.0
 */
#define CORO_STREAM_DEFAULT_LIMIT (64 * 1024)

#define CORO_TYPE_STREAM_READER (coro_stream_reader_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroStreamReader, coro_stream_reader, CORO, STREAM_READER, GObject)

#define CORO_TYPE_STREAM_WRITER (coro_stream_writer_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroStreamWriter, coro_stream_writer, CORO, STREAM_WRITER, GObject)

/* Reader */

CORO_AVAILABLE_IN_ALL
CoroStreamReader *coro_stream_reader_new         (GInputStream     *stream);
CORO_AVAILABLE_IN_ALL
GInputStream     *coro_stream_reader_get_stream  (CoroStreamReader *reader);
CORO_AVAILABLE_IN_ALL
CoroFuture       *coro_stream_reader_read        (CoroStreamReader *reader,
                                                  gssize            n) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture       *coro_stream_reader_readline    (CoroStreamReader *reader) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture       *coro_stream_reader_readexactly (CoroStreamReader *reader,
                                                  gsize             n) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture       *coro_stream_reader_readuntil   (CoroStreamReader *reader,
                                                  const guint8     *separator,
                                                  gsize             separator_len) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
gboolean          coro_stream_reader_at_eof      (CoroStreamReader *reader);
CORO_AVAILABLE_IN_ALL
gsize             coro_stream_reader_get_limit   (CoroStreamReader *reader);
CORO_AVAILABLE_IN_ALL
void              coro_stream_reader_set_limit   (CoroStreamReader *reader,
                                                  gsize             limit);
CORO_AVAILABLE_IN_ALL
gsize             coro_stream_reader_get_buffer_size (CoroStreamReader *reader);
CORO_AVAILABLE_IN_ALL
GBytes           *coro_stream_reader_get_partial (CoroStreamReader *reader);
CORO_AVAILABLE_IN_ALL
const GError     *coro_stream_reader_get_exception (CoroStreamReader *reader);

/* Writer */

CORO_AVAILABLE_IN_ALL
CoroStreamWriter *coro_stream_writer_new         (GOutputStream    *stream);
CORO_AVAILABLE_IN_ALL
CoroStreamWriter *coro_stream_writer_new_for_connection (GIOStream *connection);
CORO_AVAILABLE_IN_ALL
GOutputStream    *coro_stream_writer_get_stream  (CoroStreamWriter *writer);
CORO_AVAILABLE_IN_ALL
GIOStream        *coro_stream_writer_get_connection (CoroStreamWriter *writer);
CORO_AVAILABLE_IN_ALL
CoroStreamReader *coro_stream_writer_get_reader  (CoroStreamWriter *writer);
CORO_AVAILABLE_IN_ALL
gboolean          coro_stream_writer_write       (CoroStreamWriter *writer,
                                                  const guint8     *data,
                                                  gsize             len,
                                                  GError          **error);
CORO_AVAILABLE_IN_ALL
gboolean          coro_stream_writer_write_bytes (CoroStreamWriter *writer,
                                                  GBytes           *bytes,
                                                  GError          **error);
CORO_AVAILABLE_IN_ALL
gboolean          coro_stream_writer_writelines  (CoroStreamWriter *writer,
                                                  GBytes          **lines,
                                                  guint             n_lines,
                                                  GError          **error);
CORO_AVAILABLE_IN_ALL
CoroFuture       *coro_stream_writer_drain       (CoroStreamWriter *writer) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
gboolean          coro_stream_writer_can_write_eof (CoroStreamWriter *writer);
CORO_AVAILABLE_IN_ALL
gboolean          coro_stream_writer_write_eof   (CoroStreamWriter *writer,
                                                  GError          **error);
CORO_AVAILABLE_IN_ALL
void              coro_stream_writer_close       (CoroStreamWriter *writer);
CORO_AVAILABLE_IN_ALL
void              coro_stream_writer_abort       (CoroStreamWriter *writer);
CORO_AVAILABLE_IN_ALL
gboolean          coro_stream_writer_is_closing  (CoroStreamWriter *writer);
CORO_AVAILABLE_IN_ALL
CoroFuture       *coro_stream_writer_wait_closed (CoroStreamWriter *writer) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
void              coro_stream_writer_set_write_buffer_limits (CoroStreamWriter *writer,
                                                              gssize            high,
                                                              gssize            low);
CORO_AVAILABLE_IN_ALL
gsize             coro_stream_writer_get_write_buffer_size (CoroStreamWriter *writer);
CORO_AVAILABLE_IN_ALL
GSocketAddress   *coro_stream_writer_get_peername (CoroStreamWriter *writer);
CORO_AVAILABLE_IN_ALL
GSocketAddress   *coro_stream_writer_get_sockname (CoroStreamWriter *writer);

/* Connections and servers */

#define CORO_TYPE_SERVER (coro_server_get_type ())
CORO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CoroServer, coro_server, CORO, SERVER, GObject)

/**
 * CoroClientConnectedFunc:
 * @reader: the reader of the new client's connection
 * @writer: its writer; closing it closes the connection
 * @user_data: the data given to the server
 *
 * Called for each client a [class@Coro.Server] accepts (asyncio's `client_connected_cb`).
 * It may return a future, typically a task handling the client: the server keeps it until
 * it is done, and closes the connection if it fails or is cancelled, as asyncio does.
 *
 * Returns: (transfer full) (nullable): a future, or %NULL
 *
 * Since: 1.0
 */
typedef CoroFuture *(*CoroClientConnectedFunc) (CoroStreamReader *reader,
                                                CoroStreamWriter *writer,
                                                gpointer          user_data);

CORO_AVAILABLE_IN_ALL
CoroFuture *coro_open_connection      (const char       *host,
                                       guint16           port) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_open_tls_connection  (const char       *host,
                                       guint16           port,
                                       GTlsDatabase     *database,
                                       const char       *server_hostname) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_open_unix_connection (const char       *path) G_GNUC_WARN_UNUSED_RESULT;

CORO_AVAILABLE_IN_ALL
CoroFuture *coro_start_server         (const char             *host,
                                       guint16                 port,
                                       CoroClientConnectedFunc callback,
                                       gpointer                user_data,
                                       GDestroyNotify          destroy) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_start_tls_server     (const char             *host,
                                       guint16                 port,
                                       GTlsCertificate        *certificate,
                                       CoroClientConnectedFunc callback,
                                       gpointer                user_data,
                                       GDestroyNotify          destroy) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_start_unix_server    (const char             *path,
                                       CoroClientConnectedFunc callback,
                                       gpointer                user_data,
                                       GDestroyNotify          destroy) G_GNUC_WARN_UNUSED_RESULT;

CORO_AVAILABLE_IN_ALL
GPtrArray  *coro_server_get_sockets   (CoroServer       *server);
CORO_AVAILABLE_IN_ALL
guint16     coro_server_get_port      (CoroServer       *server);
CORO_AVAILABLE_IN_ALL
gboolean    coro_server_is_serving    (CoroServer       *server);
CORO_AVAILABLE_IN_ALL
guint       coro_server_get_n_clients (CoroServer       *server);
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_server_serve_forever (CoroServer       *server) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
void        coro_server_close         (CoroServer       *server);
CORO_AVAILABLE_IN_ALL
CoroFuture *coro_server_wait_closed   (CoroServer       *server) G_GNUC_WARN_UNUSED_RESULT;
CORO_AVAILABLE_IN_ALL
void        coro_server_close_clients (CoroServer       *server);
CORO_AVAILABLE_IN_ALL
void        coro_server_abort_clients (CoroServer       *server);

G_END_DECLS
