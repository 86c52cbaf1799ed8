/* coro-stream-server.c: asyncio's open_connection and start_server on GIO sockets
 *
 * Connections come from GSocketClient, servers accept with GSocketListener; TLS wraps
 * either side in a GTlsClientConnection or GTlsServerConnection (the backend is
 * glib-networking's). Every connection becomes a CoroStreamWriter that carries its
 * CoroStreamReader, both driven by pollable sources: no thread per connection.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gunixsocketaddress.h>

#include "coro-waiter.h"
#include "coro-loop-private.h"
#include "coro-streams-private.h"

#include <coro.h>

/* asyncio sets TCP_NODELAY on every TCP connection: a small write goes out at once. */
static void
set_nodelay (GSocketConnection *connection)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  GSocketFamily family = g_socket_get_family (socket);

  if (family == G_SOCKET_FAMILY_IPV4 || family == G_SOCKET_FAMILY_IPV6)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

/* Opening connections */

typedef struct
{
  CoroLoop          *loop;
  CoroWaitList       line;        /* the caller's future, until it completes or goes */
  GCancellable      *cancellable;
  GTlsDatabase      *database;
  GSocketConnectable *identity;   /* with TLS */
  gboolean           tls;
} Opening;

static void
opening_free (Opening *op)
{
  g_assert (op->line.head == NULL);
  g_clear_object (&op->loop);
  g_clear_object (&op->cancellable);
  g_clear_object (&op->database);
  g_clear_object (&op->identity);
  g_free (op);
}

/* The caller cancelled or dropped its future: stop connecting. */
static void
opening_left (GObject    *owner,
              CoroWaiter *waiter)
{
  g_cancellable_cancel (G_CANCELLABLE (owner));
}

static const CoroWaiterOps opening_ops = {
  .name = "OpenConnection",
  .left = opening_left,
};

static void
opening_finish (Opening   *op,
                GIOStream *connection,
                GError    *error)
{
  CoroWaiter *waiter = coro_wait_list_pop (&op->line);

  if (waiter == NULL)
    g_clear_error (&error);
  else if (error != NULL)
    coro_future_set_error (&waiter->parent, error, NULL);
  else
    {
      CoroStreamWriter *writer = coro_stream_writer_new_for_loop (connection, op->loop);

      coro_future_set_object (&waiter->parent, writer, NULL);
      g_object_unref (writer);
    }
  opening_free (op);
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError *error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    opening_finish (user_data, NULL, error);
  else
    opening_finish (user_data, G_IO_STREAM (source), NULL);
  g_object_unref (source);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Opening *op = user_data;
  GError *error = NULL;
  GSocketConnection *connection;
  GIOStream *tls;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  g_object_unref (source);
  if (connection == NULL)
    {
      opening_finish (op, NULL, error);
      return;
    }
  set_nodelay (connection);
  if (!op->tls)
    {
      opening_finish (op, G_IO_STREAM (connection), NULL);
      g_object_unref (connection);
      return;
    }

  tls = g_tls_client_connection_new (G_IO_STREAM (connection), op->identity, &error);
  g_object_unref (connection);
  if (tls == NULL)
    {
      opening_finish (op, NULL, error);
      return;
    }
  if (op->database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (tls), op->database);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, op->cancellable,
                                    on_handshake, op);
}

static CoroFuture *
open_connection (GSocketConnectable *connectable,
                 gboolean            tls,
                 GTlsDatabase       *database,
                 GSocketConnectable *identity)
{
  Opening *op = g_new0 (Opening, 1);
  GSocketClient *client = g_socket_client_new ();
  CoroWaiter *waiter;

  op->loop = g_object_ref (coro_loop_get_current ());
  op->cancellable = g_cancellable_new ();
  op->tls = tls;
  op->database = database != NULL ? g_object_ref (database) : NULL;
  op->identity = identity != NULL ? g_object_ref (identity) : NULL;
  waiter = coro_waiter_new (op->loop, &opening_ops, op->cancellable, &op->line);
  /* asyncio connects directly, never through a proxy */
  g_socket_client_set_enable_proxy (client, FALSE);
  /* GSocketClient reports its completion on the thread-default context. */
  g_main_context_push_thread_default (coro_loop_get_context (op->loop));
  g_socket_client_connect_async (client, connectable, op->cancellable, on_connected, op);
  g_main_context_pop_thread_default (coro_loop_get_context (op->loop));
  return &waiter->parent;
}

/**
 * coro_open_connection:
 * @host: a host name or address
 * @port: the TCP port
 *
 * Connects to @host on @port (asyncio's `open_connection (host, port)`). The future's
 * result is the connection's [class@Coro.StreamWriter], an object (read it with
 * [method@Coro.Future.get_object]); its reader is [method@Coro.StreamWriter.get_reader].
 * Connecting to a port nobody listens on fails with %G_IO_ERROR_CONNECTION_REFUSED.
 * Cancelling the future stops connecting.
 *
 * ```c
 * coro_await (task, coro_open_connection ("127.0.0.1", 8888), connected);
 * // in connected:
 * CoroStreamWriter *writer =
 *   g_object_ref (coro_future_get_object (coro_task_get_awaited (task), NULL));
 * CoroStreamReader *reader = coro_stream_writer_get_reader (writer);
 * ```
 *
 * Returns: (transfer full): a future of a #CoroStreamWriter
 *
 * Since: 1.0
 */
CoroFuture *
coro_open_connection (const char *host,
                      guint16     port)
{
  GSocketConnectable *address;
  CoroFuture *future;

  g_return_val_if_fail (host != NULL, NULL);

  address = g_network_address_new (host, port);
  future = open_connection (address, FALSE, NULL, NULL);
  g_object_unref (address);
  return future;
}

/**
 * coro_open_tls_connection:
 * @host: a host name or address
 * @port: the TCP port
 * @database: (nullable): the certificate authorities to trust, or %NULL for the system's
 * @server_hostname: (nullable): the name the server's certificate must carry, or %NULL
 *   for @host (asyncio's `server_hostname`)
 *
 * Like [func@Coro.open_connection] with TLS (asyncio's `ssl=` argument): the handshake
 * is done when the future completes. The server's certificate must verify against
 * @database for @server_hostname; a self-signed certificate is accepted by passing a
 * #GTlsFileDatabase made from it. A failed verification fails the future with
 * %G_TLS_ERROR_BAD_CERTIFICATE.
 *
 * Returns: (transfer full): a future of a #CoroStreamWriter
 *
 * Since: 1.0
 */
CoroFuture *
coro_open_tls_connection (const char   *host,
                          guint16       port,
                          GTlsDatabase *database,
                          const char   *server_hostname)
{
  GSocketConnectable *address;
  GSocketConnectable *identity;
  CoroFuture *future;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (database == NULL || G_IS_TLS_DATABASE (database), NULL);

  address = g_network_address_new (host, port);
  identity = g_network_address_new (server_hostname != NULL ? server_hostname : host, port);
  future = open_connection (address, TRUE, database, identity);
  g_object_unref (address);
  g_object_unref (identity);
  return future;
}

/**
 * coro_open_unix_connection:
 * @path: the path of a Unix socket
 *
 * Connects to the Unix socket at @path (asyncio's `open_unix_connection (path)`).
 *
 * Returns: (transfer full): a future of a #CoroStreamWriter
 *
 * Since: 1.0
 */
CoroFuture *
coro_open_unix_connection (const char *path)
{
  GSocketAddress *address;
  CoroFuture *future;

  g_return_val_if_fail (path != NULL, NULL);

  address = g_unix_socket_address_new (path);
  future = open_connection (G_SOCKET_CONNECTABLE (address), FALSE, NULL, NULL);
  g_object_unref (address);
  return future;
}

/* Servers */

/**
 * CoroServer:
 *
 * A listening server (asyncio's `Server`), made by [func@Coro.start_server] and friends.
 * It accepts clients as soon as it is made, handing each to its
 * [callback@Coro.ClientConnectedFunc], until [method@Coro.Server.close].
 *
 * ```c
 * static CoroFuture *
 * handle_echo (CoroStreamReader *reader, CoroStreamWriter *writer, gpointer user_data)
 * {
 *   return CORO_FUTURE (CORO_CREATE_TASK (echo_step, Echo,
 *                                         .reader = g_object_ref (reader),
 *                                         .writer = g_object_ref (writer)));
 * }
 *
 * coro_await (task, coro_start_server ("127.0.0.1", 8888, handle_echo, NULL, NULL), started);
 * ```
 *
 * Closing the server stops accepting; the clients keep their connections (as in asyncio
 * 3.13) until they close them or [method@Coro.Server.close_clients] does.
 * [method@Coro.Server.wait_closed] waits until the server is closed and every client's
 * connection is closed.
 *
 * Since: 1.0
 */
struct _CoroServer
{
  GObject                 parent_instance;

  CoroLoop               *loop;
  GSocketListener        *listener;
  GPtrArray              *sockets;
  GCancellable           *cancellable;
  CoroClientConnectedFunc callback;
  gpointer                user_data;
  GDestroyNotify          destroy;
  GTlsCertificate        *certificate;
  char                   *unix_path;
  guint16                 port;

  gboolean                serving;
  gboolean                closed;
  GPtrArray              *clients;   /* writers, not owned: they tell when they close */
  CoroWaitList            forever;
  CoroWaitList            closers;
};

G_DEFINE_FINAL_TYPE (CoroServer, coro_server, G_TYPE_OBJECT)

static void
coro_server_finalize (GObject *object)
{
  CoroServer *self = CORO_SERVER (object);

  g_assert (self->forever.head == NULL && self->closers.head == NULL);
  for (guint i = 0; i < self->clients->len; i++)
    coro_stream_writer_set_closed_func (self->clients->pdata[i], NULL, NULL);
  g_ptr_array_unref (self->clients);
  if (self->listener != NULL)
    g_socket_listener_close (self->listener);
  g_clear_object (&self->listener);
  g_ptr_array_unref (self->sockets);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->certificate);
  g_clear_object (&self->loop);
  g_free (self->unix_path);
  if (self->destroy != NULL)
    self->destroy (self->user_data);
  G_OBJECT_CLASS (coro_server_parent_class)->finalize (object);
}

static void
coro_server_class_init (CoroServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = coro_server_finalize;
}

static void
coro_server_init (CoroServer *self)
{
  self->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  self->clients = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->listener = g_socket_listener_new ();
}

/* A cancelled serve_forever () closes the server, as asyncio's does. */
static void
forever_cancelled (GObject    *owner,
                   CoroWaiter *waiter)
{
  coro_server_close (CORO_SERVER (owner));
}

static const CoroWaiterOps server_waiter_ops = {
  .name = "Server",
};

static const CoroWaiterOps forever_waiter_ops = {
  .name = "Server",
  .cancelled = forever_cancelled,
};

static void
wake_closers (CoroServer *self)
{
  CoroWaiter *waiter;

  if (!self->closed || self->clients->len > 0)
    return;
  while ((waiter = coro_wait_list_pop (&self->closers)) != NULL)
    coro_future_set_none (&waiter->parent, NULL);
}

static void
client_closed (CoroStreamWriter *writer,
               gpointer          user_data)
{
  CoroServer *self = user_data;

  g_ptr_array_remove_fast (self->clients, writer);
  wake_closers (self);
}

/* A client's handler: the server keeps its future until it is done. */
typedef struct
{
  CoroStreamWriter *writer;
  CoroFuture       *future;
} Handler;

static void
handler_done (CoroFuture *future,
              gpointer    user_data)
{
  Handler *handler = user_data;
  const GError *error = coro_future_get_error (future);

  if (coro_future_cancelled (future) || error != NULL)
    {
      if (error != NULL && !coro_error_is_cancellation (error))
        g_warning ("Unhandled error in a client_connected callback: %s", error->message);
      coro_stream_writer_close (handler->writer);
    }
}

static void
handler_free (gpointer data)
{
  Handler *handler = data;

  g_object_unref (handler->writer);
  coro_future_unref (handler->future);
  g_free (handler);
}

static void
server_add_client (CoroServer *self,
                   GIOStream  *connection)
{
  CoroStreamWriter *writer = coro_stream_writer_new_for_loop (connection, self->loop);
  CoroFuture *future;

  g_ptr_array_add (self->clients, writer);
  coro_stream_writer_set_closed_func (writer, client_closed, self);
  future = self->callback (coro_stream_writer_get_reader (writer), writer, self->user_data);
  if (future != NULL)
    {
      Handler *handler = g_new (Handler, 1);

      handler->writer = g_object_ref (writer);
      handler->future = future;
      coro_future_add_done_callback (future, handler_done, handler, handler_free);
    }
  g_object_unref (writer);
}

static void
on_server_handshake (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  CoroServer *self = user_data;
  GError *error = NULL;

  if (g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error) &&
      !self->closed)
    server_add_client (self, G_IO_STREAM (source));
  else
    g_debug ("TLS handshake with a client failed: %s", error != NULL ? error->message : "closed");
  g_clear_error (&error);
  g_object_unref (source);
  g_object_unref (self);
}

static void server_accept (CoroServer *self);

static void
on_accept (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CoroServer *self = user_data;
  GError *error = NULL;
  GSocketConnection *connection;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->closed)
        {
          g_debug ("accept failed: %s", error->message);
          server_accept (self);
        }
      g_error_free (error);
      g_object_unref (self);
      return;
    }

  set_nodelay (connection);
  if (self->certificate != NULL)
    {
      GIOStream *tls = g_tls_server_connection_new (G_IO_STREAM (connection), self->certificate,
                                                    &error);

      if (tls == NULL)
        {
          g_debug ("TLS failed: %s", error->message);
          g_error_free (error);
        }
      else
        g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                          self->cancellable, on_server_handshake,
                                          g_object_ref (self));
    }
  else
    server_add_client (self, G_IO_STREAM (connection));
  g_object_unref (connection);

  if (!self->closed)
    server_accept (self);
  g_object_unref (self);
}

/* The pending accept holds a reference: a serving server lives until it is closed. */
static void
server_accept (CoroServer *self)
{
  g_main_context_push_thread_default (coro_loop_get_context (self->loop));
  g_socket_listener_accept_async (self->listener, self->cancellable, on_accept,
                                  g_object_ref (self));
  g_main_context_pop_thread_default (coro_loop_get_context (self->loop));
}

static gboolean
server_listen (CoroServer      *self,
               GSocketAddress  *address,
               GError         **error)
{
  GSocket *socket;
  GSocketProtocol protocol = G_IS_UNIX_SOCKET_ADDRESS (address) ? G_SOCKET_PROTOCOL_DEFAULT
                                                                : G_SOCKET_PROTOCOL_TCP;

  socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM, protocol,
                         error);
  if (socket == NULL)
    return FALSE;
  g_socket_set_listen_backlog (socket, 100);
  if (!g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error) ||
      !g_socket_listener_add_socket (self->listener, socket, NULL, error))
    {
      g_object_unref (socket);
      return FALSE;
    }
  if (self->port == 0 && G_IS_INET_SOCKET_ADDRESS (address))
    {
      GSocketAddress *local = g_socket_get_local_address (socket, NULL);

      if (local != NULL)
        self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
      g_clear_object (&local);
    }
  g_ptr_array_add (self->sockets, socket);
  return TRUE;
}

static CoroServer *
server_new (CoroClientConnectedFunc callback,
            gpointer                user_data,
            GDestroyNotify          destroy,
            GTlsCertificate        *certificate)
{
  CoroServer *self = g_object_new (CORO_TYPE_SERVER, NULL);

  self->loop = g_object_ref (coro_loop_get_current ());
  self->callback = callback;
  self->user_data = user_data;
  self->destroy = destroy;
  self->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
  return self;
}

/* Listens on @addresses (GInetAddress) at @port, then starts serving. */
static CoroFuture *
server_start_inet (CoroServer *self,
                   GList      *addresses,
                   guint16     port)
{
  GError *error = NULL;
  CoroFuture *future;

  self->port = port;
  for (GList *l = addresses; l != NULL; l = l->next)
    {
      GSocketAddress *address = g_inet_socket_address_new (l->data, self->port);
      GError *local = NULL;

      /* A host without IPv6 still resolves "localhost" to ::1 too: an address the
       * system cannot bind fails the server only if none could be bound. */
      if (!server_listen (self, address, &local))
        {
          if (error == NULL)
            error = local;
          else
            g_error_free (local);
        }
      g_object_unref (address);
    }
  if (self->sockets->len > 0)
    g_clear_error (&error);
  if (error != NULL)
    {
      coro_server_close (self);
      g_object_unref (self);
      return coro_future_new_failed (coro_loop_get_current (), error);
    }
  self->serving = TRUE;
  server_accept (self);
  future = coro_future_new_for_loop (self->loop);
  coro_future_set_object (future, self, NULL);
  g_object_unref (self);
  return future;
}

typedef struct
{
  CoroServer *server;
  CoroFuture *future;
  guint16     port;
} Resolving;

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Resolving *r = user_data;
  GError *error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);

  if (addresses == NULL)
    {
      coro_server_close (r->server);
      g_object_unref (r->server);
      coro_future_set_error (r->future, error, NULL);
    }
  else
    {
      CoroFuture *started = server_start_inet (r->server, addresses, r->port);

      g_resolver_free_addresses (addresses);
      if (coro_future_done (r->future))
        {
          /* cancelled meanwhile: nobody gets the server */
          GObject *server = coro_future_get_object (started, NULL);

          if (server != NULL)
            coro_server_close (CORO_SERVER (server));
        }
      else
        {
          GError *start_error = NULL;
          GObject *server = coro_future_get_object (started, &start_error);

          if (server != NULL)
            coro_future_set_object (r->future, server, NULL);
          else
            coro_future_set_error (r->future, start_error, NULL);
        }
      coro_future_unref (started);
    }
  coro_future_unref (r->future);
  g_free (r);
}

static CoroFuture *
start_inet_server (CoroClientConnectedFunc callback,
                   gpointer                user_data,
                   GDestroyNotify          destroy,
                   const char             *host,
                   guint16                 port,
                   GTlsCertificate        *certificate)
{
  CoroServer *self = server_new (callback, user_data, destroy, certificate);
  GInetAddress *literal;
  GList *addresses;
  CoroFuture *future;

  if (host == NULL || *host == '\0')
    host = "::";
  literal = g_inet_address_new_from_string (host);
  if (literal != NULL)
    {
      /* "::" is dual-stack: GLib's IPv6 sockets also accept IPv4 clients; without IPv6,
       * 0.0.0.0 is tried after it. */
      addresses = g_list_prepend (NULL, literal);
      if (g_inet_address_get_family (literal) == G_SOCKET_FAMILY_IPV6 &&
          g_inet_address_get_is_any (literal))
        addresses = g_list_append (addresses, g_inet_address_new_any (G_SOCKET_FAMILY_IPV4));
      future = server_start_inet (self, addresses, port);
      g_list_free_full (addresses, g_object_unref);
      return future;
    }
  else
    {
      GResolver *resolver = g_resolver_get_default ();
      Resolving *r = g_new0 (Resolving, 1);

      r->server = self;
      r->future = coro_future_new_for_loop (self->loop);
      r->port = port;
      g_main_context_push_thread_default (coro_loop_get_context (self->loop));
      g_resolver_lookup_by_name_async (resolver, host, NULL, on_resolved, r);
      g_main_context_pop_thread_default (coro_loop_get_context (self->loop));
      g_object_unref (resolver);
      return coro_future_ref (r->future);
    }
}

/**
 * coro_start_server:
 * @host: (nullable): the address or host name to listen on; %NULL or "" for every
 *   interface
 * @port: the TCP port, or 0 for one the system picks ([method@Coro.Server.get_port])
 * @callback: (scope notified) (closure user_data) (destroy destroy): called for each
 *   client
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data when the server is finalized
 *
 * Starts a TCP server (asyncio's `start_server (client_connected_cb, host, port)`): it
 * listens on every address @host resolves to and serves at once. Each accepted client
 * gets a [class@Coro.StreamReader] and a [class@Coro.StreamWriter] through @callback.
 * The arguments come in GLib's order, the callback last; asyncio passes it first.
 *
 * Returns: (transfer full): a future of the #CoroServer
 *
 * Since: 1.0
 */
CoroFuture *
coro_start_server (const char             *host,
                   guint16                 port,
                   CoroClientConnectedFunc callback,
                   gpointer                user_data,
                   GDestroyNotify          destroy)
{
  g_return_val_if_fail (callback != NULL, NULL);

  return start_inet_server (callback, user_data, destroy, host, port, NULL);
}

/**
 * coro_start_tls_server:
 * @host: (nullable): the address or host name to listen on; %NULL or "" for every
 *   interface
 * @port: the TCP port, or 0 for one the system picks
 * @certificate: the server's certificate, with its private key
 * @callback: (scope notified) (closure user_data) (destroy destroy): called for each
 *   client, after the TLS handshake
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data when the server is finalized
 *
 * Like [func@Coro.start_server] with TLS (asyncio's `ssl=` argument). A client whose
 * handshake fails is dropped without reaching @callback.
 *
 * Returns: (transfer full): a future of the #CoroServer
 *
 * Since: 1.0
 */
CoroFuture *
coro_start_tls_server (const char             *host,
                       guint16                 port,
                       GTlsCertificate        *certificate,
                       CoroClientConnectedFunc callback,
                       gpointer                user_data,
                       GDestroyNotify          destroy)
{
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  return start_inet_server (callback, user_data, destroy, host, port, certificate);
}

/**
 * coro_start_unix_server:
 * @path: the path of the socket to create
 * @callback: (scope notified) (closure user_data) (destroy destroy): called for each
 *   client
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data when the server is finalized
 *
 * Starts a Unix socket server (asyncio's `start_unix_server`). A stale socket at @path is
 * removed first, and the socket file is removed when the server is closed, as asyncio
 * 3.13 does.
 *
 * Returns: (transfer full): a future of the #CoroServer
 *
 * Since: 1.0
 */
CoroFuture *
coro_start_unix_server (const char             *path,
                        CoroClientConnectedFunc callback,
                        gpointer                user_data,
                        GDestroyNotify          destroy)
{
  CoroServer *self;
  GSocketAddress *address;
  GError *error = NULL;
  CoroFuture *future;
  struct stat st;

  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  self = server_new (callback, user_data, destroy, NULL);
  if (stat (path, &st) == 0 && S_ISSOCK (st.st_mode))
    unlink (path);
  address = g_unix_socket_address_new (path);
  if (!server_listen (self, address, &error))
    {
      g_object_unref (address);
      g_object_unref (self);
      return coro_future_new_failed (coro_loop_get_current (), error);
    }
  g_object_unref (address);
  self->unix_path = g_strdup (path);
  self->serving = TRUE;
  server_accept (self);
  future = coro_future_new_for_loop (self->loop);
  coro_future_set_object (future, self, NULL);
  g_object_unref (self);
  return future;
}

/**
 * coro_server_get_sockets:
 * @server: a #CoroServer
 *
 * Gets the sockets the server listens on.
 *
 * Returns: (transfer container) (element-type Gio.Socket): the listening sockets
 *   (asyncio's `sockets`), empty once the server is closed
 *
 * Since: 1.0
 */
GPtrArray *
coro_server_get_sockets (CoroServer *server)
{
  GPtrArray *sockets;

  g_return_val_if_fail (CORO_IS_SERVER (server), NULL);

  sockets = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < server->sockets->len; i++)
    g_ptr_array_add (sockets, g_object_ref (server->sockets->pdata[i]));
  return sockets;
}

/**
 * coro_server_get_port:
 * @server: a #CoroServer
 *
 * Gets the TCP port the server listens on.
 *
 * Returns: the TCP port the server listens on, useful after asking for port 0; 0 for a
 *   Unix socket server
 *
 * Since: 1.0
 */
guint16
coro_server_get_port (CoroServer *server)
{
  g_return_val_if_fail (CORO_IS_SERVER (server), 0);

  return server->port;
}

/**
 * coro_server_is_serving:
 * @server: a #CoroServer
 *
 * Tells whether the server accepts clients.
 *
 * Returns: %TRUE while the server accepts clients (asyncio's `is_serving ()`)
 *
 * Since: 1.0
 */
gboolean
coro_server_is_serving (CoroServer *server)
{
  g_return_val_if_fail (CORO_IS_SERVER (server), FALSE);

  return server->serving;
}

/**
 * coro_server_get_n_clients:
 * @server: a #CoroServer
 *
 * Counts the clients the server accepted whose connections are still open.
 *
 * Returns: how many accepted clients' connections are still open
 *
 * Since: 1.0
 */
guint
coro_server_get_n_clients (CoroServer *server)
{
  g_return_val_if_fail (CORO_IS_SERVER (server), 0);

  return server->clients->len;
}

/**
 * coro_server_serve_forever:
 * @server: a #CoroServer
 *
 * Waits until the server is closed (asyncio's `serve_forever ()`): the future is
 * cancelled then. Cancelling the future closes the server. On a closed server it fails
 * with %CORO_ERROR_INVALID_STATE.
 *
 * Returns: (transfer full): a future that never succeeds
 *
 * Since: 1.0
 */
CoroFuture *
coro_server_serve_forever (CoroServer *server)
{
  g_return_val_if_fail (CORO_IS_SERVER (server), NULL);

  if (server->closed)
    return coro_future_new_failed (server->loop,
                                   g_error_new_literal (CORO_ERROR, CORO_ERROR_INVALID_STATE,
                                                        "The server is closed"));
  return &coro_waiter_new (server->loop, &forever_waiter_ops, server, &server->forever)->parent;
}

/**
 * coro_server_close:
 * @server: a #CoroServer
 *
 * Stops listening and closes the listening sockets (asyncio's `close ()`). Connected
 * clients stay connected; see [method@Coro.Server.close_clients].
 *
 * Since: 1.0
 */
void
coro_server_close (CoroServer *server)
{
  CoroWaiter *waiter;

  g_return_if_fail (CORO_IS_SERVER (server));

  if (server->closed)
    return;
  g_object_ref (server);
  server->closed = TRUE;
  server->serving = FALSE;
  g_cancellable_cancel (server->cancellable);
  g_socket_listener_close (server->listener);
  g_ptr_array_set_size (server->sockets, 0);
  if (server->unix_path != NULL)
    unlink (server->unix_path);
  while ((waiter = coro_wait_list_pop (&server->forever)) != NULL)
    coro_future_cancel (&waiter->parent, NULL);
  wake_closers (server);
  g_object_unref (server);
}

/**
 * coro_server_wait_closed:
 * @server: a #CoroServer
 *
 * Waits until the server is closed and every client's connection is closed (asyncio
 * 3.12's `wait_closed ()`).
 *
 * Returns: (transfer full): a future of no value
 *
 * Since: 1.0
 */
CoroFuture *
coro_server_wait_closed (CoroServer *server)
{
  g_return_val_if_fail (CORO_IS_SERVER (server), NULL);

  if (server->closed && server->clients->len == 0)
    return coro_future_new_done (server->loop);
  return &coro_waiter_new (server->loop, &server_waiter_ops, server, &server->closers)->parent;
}

static void
for_each_client (CoroServer *server,
                 void      (*func) (CoroStreamWriter *writer))
{
  GPtrArray *clients = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < server->clients->len; i++)
    g_ptr_array_add (clients, g_object_ref (server->clients->pdata[i]));
  for (guint i = 0; i < clients->len; i++)
    func (clients->pdata[i]);
  g_ptr_array_unref (clients);
}

/**
 * coro_server_close_clients:
 * @server: a #CoroServer
 *
 * Closes every client's connection once its buffer is written (asyncio 3.13's
 * `close_clients ()`).
 *
 * Since: 1.0
 */
void
coro_server_close_clients (CoroServer *server)
{
  g_return_if_fail (CORO_IS_SERVER (server));

  for_each_client (server, coro_stream_writer_close);
}

/**
 * coro_server_abort_clients:
 * @server: a #CoroServer
 *
 * Closes every client's connection at once, dropping what is buffered (asyncio 3.13's
 * `abort_clients ()`).
 *
 * Since: 1.0
 */
void
coro_server_abort_clients (CoroServer *server)
{
  g_return_if_fail (CORO_IS_SERVER (server));

  for_each_client (server, coro_stream_writer_abort);
}
