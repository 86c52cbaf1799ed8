#!/usr/bin/python3
# test_streams.py: Coro's streams through PyGObject: a TCP echo round trip
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson like test_coro.py. Any exception, any GLib critical and any future still
# alive after a test fails the run.

import os

from coro_testing import Coro, CoroTestCase, GLib, Gio, run_tests


class TestStreams(CoroTestCase):
    def start_echo_server(self, received):
        def client_connected(reader, writer):
            line = reader.readline()

            def echo(fut):
                data = fut.get_value()
                received.append(bytes(data.get_data()))
                writer.write_bytes(data)
                writer.close()
            line.add_done_callback(echo)
            return line  # the server keeps it until it is done

        started = Coro.start_server('127.0.0.1', 0, client_connected)
        Coro.run(started)
        server = started.get_object()
        self.assertIsInstance(server, Coro.Server)
        self.assertTrue(server.is_serving())
        return server

    def test_echo_round_trip(self):
        received = []
        server = self.start_echo_server(received)
        opening = Coro.open_connection('127.0.0.1', server.get_port())
        Coro.run(opening)
        writer = opening.get_object()
        self.assertIsInstance(writer, Coro.StreamWriter)
        reader = writer.get_reader()
        self.assertIsInstance(reader, Coro.StreamReader)
        self.assertTrue(writer.write(b'hello over tcp\n'))
        line = reader.readline()
        Coro.run(line)
        self.assertEqual(bytes(line.get_value().get_data()), b'hello over tcp\n')
        self.assertEqual(received, [b'hello over tcp\n'])
        rest = reader.read(-1)
        Coro.run(rest)
        self.assertEqual(rest.get_value().get_size(), 0)
        self.assertTrue(reader.at_eof())
        writer.close()
        Coro.run(writer.wait_closed())
        with self.assertRaises(GLib.Error) as cm:
            writer.write(b'late')
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CLOSED))
        server.close()
        Coro.run(server.wait_closed())
        self.assertFalse(server.is_serving())

    def test_incomplete_read(self):
        received = []
        server = self.start_echo_server(received)
        opening = Coro.open_connection('127.0.0.1', server.get_port())
        Coro.run(opening)
        writer = opening.get_object()
        reader = writer.get_reader()
        writer.write(b'short\n')
        exactly = reader.readexactly(100)
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(exactly)
        self.assertTrue(cm.exception.matches(Coro.error_quark(), Coro.Error.INCOMPLETE_READ))
        self.assertEqual(bytes(reader.get_partial().get_data()), b'short\n')
        writer.close()
        Coro.run(writer.wait_closed())
        server.close()
        Coro.run(server.wait_closed())

    def test_connection_refused(self):
        sock = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.STREAM,
                              Gio.SocketProtocol.TCP)
        sock.bind(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), False)
        port = sock.get_local_address().get_port()
        sock.close()
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(Coro.open_connection('127.0.0.1', port))
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(),
                                             Gio.IOErrorEnum.CONNECTION_REFUSED))


class TestStreamsMore(CoroTestCase):
    def connect_pair(self):
        """A TCP server and one connection: returns (server, client writer, server writer)."""
        accepted = []

        def client_connected(reader, writer):
            accepted.append(writer)
            return None

        started = Coro.start_server('127.0.0.1', 0, client_connected)
        Coro.run(started)
        server = started.get_object()
        opening = Coro.open_connection('127.0.0.1', server.get_port())
        Coro.run(opening)
        client = opening.get_object()
        while not accepted:
            Coro.run(Coro.sleep(0))
        return server, client, accepted[0]

    def shut(self, server, *writers):
        for w in writers:
            w.close()
            Coro.run(w.wait_closed())
        server.close()
        Coro.run(server.wait_closed())

    def test_memory_reader(self):
        reader = Coro.StreamReader.new(Gio.MemoryInputStream.new_from_data(b'ab\ncdXYefghij'))
        self.assertIsInstance(reader.get_stream(), Gio.InputStream)
        line = reader.readline()
        Coro.run(line)
        self.assertEqual(bytes(line.get_value().get_data()), b'ab\n')
        until = reader.readuntil(b'XY')
        Coro.run(until)
        self.assertEqual(bytes(until.get_value().get_data()), b'cdXY')
        exactly = reader.readexactly(2)
        Coro.run(exactly)
        self.assertEqual(bytes(exactly.get_value().get_data()), b'ef')
        some = reader.read(2)
        Coro.run(some)
        self.assertEqual(bytes(some.get_value().get_data()), b'gh')
        self.assertFalse(reader.at_eof())
        rest = reader.read(-1)
        Coro.run(rest)
        self.assertEqual(bytes(rest.get_value().get_data()), b'ij')
        self.assertTrue(reader.at_eof())

    def test_reader_buffer_size_and_exception(self):
        reader = Coro.StreamReader.new(Gio.MemoryInputStream.new_from_data(b'ab\ncdef'))
        self.assertEqual(reader.get_buffer_size(), 0)
        line = reader.readline()
        Coro.run(line)
        self.assertEqual(bytes(line.get_value().get_data()), b'ab\n')
        self.assertEqual(reader.get_buffer_size(), 4)  # read along with the line
        some = reader.read(1)
        Coro.run(some)
        self.assertEqual(reader.get_buffer_size(), 3)
        self.assertIsNone(reader.get_exception())

        # A directory's descriptor: every read fails with EISDIR.
        failing = Coro.StreamReader.new(Gio.UnixInputStream.new(os.open('/', os.O_RDONLY), True))
        read = failing.read(-1)
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(read)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.IS_DIRECTORY))
        self.assertTrue(failing.get_exception().matches(Gio.io_error_quark(),
                                                        Gio.IOErrorEnum.IS_DIRECTORY))
        again = failing.readline()
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(again)
        self.assertEqual(cm.exception.message, failing.get_exception().message)

    def test_writer_of_plain_streams(self):
        out = Gio.MemoryOutputStream.new_resizable()
        writer = Coro.StreamWriter.new(out)
        self.assertIsNone(writer.get_connection())
        self.assertTrue(writer.write(b'plain'))
        Coro.run(writer.drain())
        writer.close()
        Coro.run(writer.wait_closed())
        self.assertTrue(out.is_closed())
        self.assertEqual(bytes(out.steal_as_bytes().get_data()), b'plain')

        out = Gio.MemoryOutputStream.new_resizable()
        aborted = Coro.StreamWriter.new(out)
        self.assertTrue(aborted.write(b'dropped'))
        aborted.abort()
        self.assertTrue(aborted.is_closing())
        Coro.run(aborted.wait_closed())
        self.assertTrue(out.is_closed())
        with self.assertRaises(GLib.Error) as cm:
            aborted.write(b'late')
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CLOSED))

    def test_writer_for_connection(self):
        out = Gio.MemoryOutputStream.new_resizable()
        connection = Gio.SimpleIOStream.new(Gio.MemoryInputStream.new_from_data(b'in\n'), out)
        writer = Coro.StreamWriter.new_for_connection(connection)
        self.assertIs(writer.get_connection(), connection)
        line = writer.get_reader().readline()
        Coro.run(line)
        self.assertEqual(bytes(line.get_value().get_data()), b'in\n')
        self.assertTrue(writer.write(b'out'))
        writer.close()
        Coro.run(writer.wait_closed())
        self.assertTrue(connection.is_closed())
        self.assertEqual(bytes(out.steal_as_bytes().get_data()), b'out')

    def test_serve_forever(self):
        server, client, peer = self.connect_pair()
        forever = server.serve_forever()
        self.assertFalse(forever.done())
        self.loop.call_soon(server.close)
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(forever)
        self.assertTrue(cm.exception.matches(Coro.error_quark(), Coro.Error.CANCELLED))
        self.assertFalse(server.is_serving())
        late = server.serve_forever()
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(late)
        self.assertTrue(cm.exception.matches(Coro.error_quark(), Coro.Error.INVALID_STATE))
        self.shut(server, client, peer)

        server, client, peer = self.connect_pair()
        forever = server.serve_forever()
        self.assertTrue(forever.cancel('stop serving'))
        Coro.run(Coro.sleep(0))
        self.assertFalse(server.is_serving())
        self.shut(server, client, peer)

    def test_readuntil_limit_overrun(self):
        reader = Coro.StreamReader.new(Gio.MemoryInputStream.new_from_data(b'0123456789;'))
        reader.set_limit(4)
        self.assertEqual(reader.get_limit(), 4)
        until = reader.readuntil(b';')
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(until)
        self.assertTrue(cm.exception.matches(Coro.error_quark(), Coro.Error.LIMIT_OVERRUN))

    def test_readexactly_incomplete_memory(self):
        reader = Coro.StreamReader.new(Gio.MemoryInputStream.new_from_data(b'abc'))
        exactly = reader.readexactly(5)
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(exactly)
        self.assertTrue(cm.exception.matches(Coro.error_quark(), Coro.Error.INCOMPLETE_READ))
        self.assertEqual(bytes(reader.get_partial().get_data()), b'abc')
        self.assertTrue(reader.at_eof())

    def test_writer_api(self):
        server, client, peer = self.connect_pair()
        reader = peer.get_reader()
        self.assertFalse(client.is_closing())
        self.assertTrue(client.can_write_eof())
        self.assertEqual(client.get_peername().get_port(), server.get_port())
        self.assertEqual(peer.get_sockname().get_port(), server.get_port())
        self.assertEqual(client.get_sockname().get_port(), peer.get_peername().get_port())
        client.set_write_buffer_limits(1024, 0)
        self.assertTrue(client.write(b'one '))
        self.assertTrue(client.writelines([GLib.Bytes.new(b'two '), GLib.Bytes.new(b'three ')]))
        self.assertTrue(client.write_bytes(GLib.Bytes.new(b'four')))
        Coro.run(client.drain())
        self.assertEqual(client.get_write_buffer_size(), 0)
        self.assertTrue(client.write_eof())
        rest = reader.read(-1)
        Coro.run(rest)
        self.assertEqual(bytes(rest.get_value().get_data()), b'one two three four')
        self.assertTrue(reader.at_eof())
        client.close()
        self.assertTrue(client.is_closing())
        self.shut(server, client, peer)

    def test_server_api(self):
        server, client, peer = self.connect_pair()
        self.assertTrue(server.is_serving())
        self.assertGreater(server.get_port(), 0)
        sockets = server.get_sockets()
        self.assertGreaterEqual(len(sockets), 1)
        self.assertIsInstance(sockets[0], Gio.Socket)
        self.assertEqual(server.get_n_clients(), 1)
        server.close()
        self.assertFalse(server.is_serving())
        server.close_clients()
        eof = client.get_reader().read(-1)
        Coro.run(eof)
        self.assertEqual(eof.get_value().get_size(), 0)
        Coro.run(server.wait_closed())
        self.assertEqual(server.get_n_clients(), 0)
        client.close()
        Coro.run(client.wait_closed())

    def test_server_abort_clients(self):
        server, client, peer = self.connect_pair()
        self.assertEqual(server.get_n_clients(), 1)
        server.close()
        server.abort_clients()
        Coro.run(server.wait_closed())
        self.assertEqual(server.get_n_clients(), 0)
        self.assertTrue(peer.is_closing())
        client.close()
        Coro.run(client.wait_closed())

    def test_unix_round_trip(self):
        tmp = GLib.Dir.make_tmp('coro-unix-XXXXXX')
        path = os.path.join(tmp, 'sock')
        got = []

        def client_connected(reader, writer):
            line = reader.readline()

            def reply(fut):
                got.append(bytes(fut.get_value().get_data()))
                writer.write(b'ack\n')
                writer.close()
            line.add_done_callback(reply)
            return line

        started = Coro.start_unix_server(path, client_connected)
        Coro.run(started)
        server = started.get_object()
        opening = Coro.open_unix_connection(path)
        Coro.run(opening)
        writer = opening.get_object()
        writer.write(b'hi unix\n')
        line = writer.get_reader().readline()
        Coro.run(line)
        self.assertEqual(bytes(line.get_value().get_data()), b'ack\n')
        self.assertEqual(got, [b'hi unix\n'])
        self.shut(server, writer)
        if os.path.exists(path):
            os.unlink(path)
        os.rmdir(tmp)

    def tls_files(self):
        """The test certificate (with its key) and a database that trusts it, or skips."""
        if not Gio.TlsBackend.get_default().supports_tls():
            self.skipTest('no TLS backend: install glib-networking')
        data = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data')
        cert = os.path.join(data, 'tls-cert.pem')
        certificate = Gio.TlsCertificate.new_from_files(cert, os.path.join(data, 'tls-key.pem'))
        return certificate, Gio.TlsFileDatabase.new(cert)

    def test_tls_round_trip(self):
        certificate, database = self.tls_files()
        got = []

        def client_connected(reader, writer):
            self.assertIsInstance(writer.get_connection(), Gio.TlsConnection)
            line = reader.readline()

            def reply(fut):
                got.append(bytes(fut.get_value().get_data()))
                writer.write(b'ack\n')
                writer.close()
            line.add_done_callback(reply)
            return line

        started = Coro.start_tls_server('127.0.0.1', 0, certificate, client_connected)
        Coro.run(started)
        server = started.get_object()
        opening = Coro.open_tls_connection('127.0.0.1', server.get_port(), database, 'localhost')
        Coro.run(opening)
        writer = opening.get_object()
        self.assertIsInstance(writer.get_connection(), Gio.TlsConnection)
        self.assertFalse(writer.can_write_eof())
        writer.write(b'secret\n')
        line = writer.get_reader().readline()
        Coro.run(line)
        self.assertEqual(bytes(line.get_value().get_data()), b'ack\n')
        self.assertEqual(got, [b'secret\n'])
        with self.assertRaises(GLib.Error) as cm:
            writer.write_eof()
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_SUPPORTED))
        self.shut(server, writer)

    def test_tls_bad_certificate(self):
        certificate, database = self.tls_files()
        started = Coro.start_tls_server('127.0.0.1', 0, certificate, lambda r, w: None)
        Coro.run(started)
        server = started.get_object()
        # The certificate is trusted, but it is not that of this name.
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(Coro.open_tls_connection('127.0.0.1', server.get_port(), database,
                                              'not-the-name'))
        self.assertTrue(cm.exception.matches(Gio.tls_error_quark(),
                                             Gio.TlsError.BAD_CERTIFICATE))
        server.close_clients()
        self.shut(server)


if __name__ == '__main__':
    run_tests()
