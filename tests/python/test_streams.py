#!/usr/bin/python3
# test_streams.py: Coro's streams through PyGObject: a TCP echo round trip
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson like test_coro.py. Any exception, any GLib critical and any future still
# alive after a test fails the run.

import gc
import os
import sys
import unittest

import gi
import gi.overrides

if os.environ.get('CORO_OVERRIDES_DIR'):
    gi.overrides.__path__.insert(0, os.environ['CORO_OVERRIDES_DIR'])

gi.require_version('Coro', '1.0')
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
from gi.repository import Coro, GLib, Gio  # noqa: E402


class TestStreams(unittest.TestCase):

    def setUp(self):
        self.loop = Coro.Loop.get_default()
        gc.collect()
        self.baseline = self.loop.get_n_futures()

    def tearDown(self):
        gc.collect()
        Coro.run(Coro.sleep(0))
        gc.collect()
        self.assertEqual(self.loop.get_n_futures(), self.baseline, 'a future leaked')

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


if __name__ == '__main__':
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
