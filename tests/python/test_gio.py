#!/usr/bin/python3
# test_gio.py: the GIO bridge through PyGObject
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The ready-made futures for GIO calls, and Coro futures waited for the GIO way
# (wait_async / wait_finish) from a plain GLib main loop.

import os
import shutil
import socket
import tempfile

from coro_testing import Coro, CoroTestCase, GLib, Gio, run_tests


CALC_XML = """<node><interface name="org.example.Calc">
  <method name="Add">
    <arg type="i" direction="in"/><arg type="i" direction="in"/><arg type="i" direction="out"/>
  </method>
</interface></node>"""


class GioTestCase(CoroTestCase):
    """Gives each test a temporary directory."""

    wait_for_gio = True

    def setUp(self):
        super().setUp()
        self.dir = tempfile.mkdtemp(prefix='coro-test-gio-')

    def tearDown(self):
        shutil.rmtree(self.dir)
        super().tearDown()

    def run_main_loop(self, start):
        """Runs a GLib main loop, as GNOME code would, until the callback came."""
        main_loop = GLib.MainLoop()
        results = []

        def on_ready(source, result, *args):
            results.append(result)
            main_loop.quit()

        start(on_ready)
        main_loop.run()
        self.assertEqual(len(results), 1)
        return results[0]


class TestGioFutures(GioTestCase):
    def test_file_round_trip(self):
        file = Gio.File.new_for_path(os.path.join(self.dir, 'file.txt'))
        fut = Coro.file_replace_contents(file, GLib.Bytes.new(b'hello python'), None, False,
                                         Gio.FileCreateFlags.NONE)
        Coro.run(fut)
        self.assertTrue(fut.get_string())

        fut = Coro.file_load_contents(file)
        Coro.run(fut)
        self.assertEqual(fut.get_bytes().get_data(), b'hello python')
        self.assertEqual(fut.get_value().get_data(), b'hello python')

        fut = Coro.file_query_info(file, 'standard::size', Gio.FileQueryInfoFlags.NONE,
                                   GLib.PRIORITY_DEFAULT)
        Coro.run(fut)
        self.assertEqual(fut.get_object().get_size(), 12)

    def test_missing_file(self):
        fut = Coro.file_load_contents(Gio.File.new_for_path(os.path.join(self.dir, 'none')))
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(fut)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))
        self.assertFalse(fut.cancelled())

    def test_streams(self):
        source = Gio.MemoryInputStream.new_from_bytes(GLib.Bytes.new(b'abcdef'))
        fut = Coro.input_stream_read_bytes(source, 4, GLib.PRIORITY_DEFAULT)
        Coro.run(fut)
        self.assertEqual(fut.get_bytes().get_data(), b'abcd')

        sink = Gio.MemoryOutputStream.new_resizable()
        fut = Coro.output_stream_write_all(sink, GLib.Bytes.new(b'xyz'), GLib.PRIORITY_DEFAULT)
        Coro.run(fut)
        self.assertEqual(fut.get_int(), 3)
        fut = Coro.output_stream_splice(sink, source, Gio.OutputStreamSpliceFlags.CLOSE_TARGET,
                                        GLib.PRIORITY_DEFAULT)
        Coro.run(fut)
        self.assertEqual(fut.get_int(), 2)
        self.assertEqual(sink.steal_as_bytes().get_data(), b'xyzef')

    def test_subprocess(self):
        proc = Gio.Subprocess.new(['sh', '-c', 'exit 4'], Gio.SubprocessFlags.NONE)
        fut = Coro.subprocess_wait(proc)
        Coro.run(fut)
        self.assertEqual(fut.get_int(), 4)
        fut = Coro.subprocess_wait_check(proc)
        with self.assertRaises(GLib.Error):
            Coro.run(fut)

    def test_socket_client(self):
        listener = Gio.SocketListener()
        port = listener.add_any_inet_port(None)
        client = Gio.SocketClient()
        client.set_enable_proxy(False)
        accepted = []
        listener.accept_async(None, lambda l, res: accepted.append(l.accept_finish(res)[0]))
        fut = Coro.socket_client_connect_to_host(client, '127.0.0.1', port)
        Coro.run(fut)
        self.assertIsInstance(fut.get_object(), Gio.SocketConnection)
        while not accepted:
            GLib.MainContext.default().iteration(True)
        listener.close()

    def test_cancel_read(self):
        # A read that never completes, cancelled through the future.
        listener = Gio.SocketListener()
        port = listener.add_any_inet_port(None)
        client = Gio.SocketClient()
        client.set_enable_proxy(False)
        connection = client.connect_to_host('127.0.0.1', port, None)
        read = Coro.input_stream_read_bytes(connection.get_input_stream(), 10,
                                            GLib.PRIORITY_DEFAULT)
        fut = Coro.wait_for(read, 0.05)
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(fut)
        self.assertTrue(cm.exception.matches(Coro.error_quark(), Coro.Error.TIMEOUT))
        self.assertTrue(read.cancelled())
        del read, fut
        connection.close()
        listener.close()


class TestFutureAsGio(GioTestCase):
    def test_wait_async(self):
        fut = Coro.Future.new()
        Coro.Loop.get_default().call_later(0.01, lambda: fut.set_string('later'))
        result = self.run_main_loop(lambda cb: fut.wait_async(None, cb))
        self.assertTrue(fut.wait_finish(result))
        self.assertEqual(fut.get_string(), 'later')

    def test_wait_async_error(self):
        fut = Coro.Future.new()
        fut.set_error(GLib.Error.new_literal(Gio.io_error_quark(), 'nope',
                                             Gio.IOErrorEnum.PERMISSION_DENIED))
        result = self.run_main_loop(lambda cb: fut.wait_async(None, cb))
        with self.assertRaises(GLib.Error) as cm:
            fut.wait_finish(result)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(),
                                             Gio.IOErrorEnum.PERMISSION_DENIED))

    def test_wait_async_cancel(self):
        fut = Coro.Future.new()
        cancellable = Gio.Cancellable()
        GLib.idle_add(cancellable.cancel)
        result = self.run_main_loop(lambda cb: fut.wait_async(cancellable, cb))
        with self.assertRaises(GLib.Error) as cm:
            fut.wait_finish(result)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
        self.assertTrue(fut.cancelled())

    def test_wait_async_sleep(self):
        # A Coro coroutine (here a sleep) driven by a plain GLib main loop.
        fut = Coro.sleep(0.01)
        result = self.run_main_loop(lambda cb: fut.wait_async(None, cb))
        self.assertTrue(fut.wait_finish(result))
        self.assertTrue(fut.done())


class TestGioMore(GioTestCase):
    def dbus_pair(self):
        """Two ends of a peer-to-peer D-Bus connection: (server, client)."""
        ends = [Gio.Socket.new_from_fd(s.detach()).connection_factory_create_connection()
                for s in socket.socketpair()]
        made = {}

        def start(on_ready):
            def ready(source, result, which):
                made[which] = Gio.DBusConnection.new_finish(result)
                if len(made) == 2:
                    on_ready(None, None)
            Gio.DBusConnection.new(ends[0], Gio.dbus_generate_guid(),
                                   Gio.DBusConnectionFlags.AUTHENTICATION_SERVER |
                                   Gio.DBusConnectionFlags.AUTHENTICATION_ALLOW_ANONYMOUS,
                                   None, None, ready, 'server')
            Gio.DBusConnection.new(ends[1], None, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT,
                                   None, None, ready, 'client')
        self.run_main_loop(start)
        return made['server'], made['client']

    def test_dbus_connection_call(self):
        server, client = self.dbus_pair()
        node = Gio.DBusNodeInfo.new_for_xml(CALC_XML)

        def on_call(conn, sender, path, interface, method, params, invocation):
            x, y = params.unpack()
            invocation.return_value(GLib.Variant('(i)', (x + y,)))
        registration = server.register_object('/org/example/Calc', node.interfaces[0],
                                              on_call, None, None)
        call = Coro.dbus_connection_call(client, None, '/org/example/Calc', 'org.example.Calc',
                                         'Add', GLib.Variant('(ii)', (2, 40)),
                                         GLib.VariantType.new('(i)'), Gio.DBusCallFlags.NONE, -1)
        Coro.run(call)
        reply = call.get_variant()
        self.assertEqual(reply.get_type_string(), '(i)')
        self.assertEqual(reply.unpack(), (42,))

        unknown = Coro.dbus_connection_call(client, None, '/org/example/Calc',
                                            'org.example.Calc', 'Nope', None, None,
                                            Gio.DBusCallFlags.NONE, -1)
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(unknown)
        self.assertTrue(cm.exception.matches(Gio.dbus_error_quark(),
                                             Gio.DBusError.UNKNOWN_METHOD))
        with self.assertRaises(GLib.Error) as cm:
            unknown.get_variant()
        self.assertTrue(cm.exception.matches(Gio.dbus_error_quark(),
                                             Gio.DBusError.UNKNOWN_METHOD))
        not_variant = Coro.Future.new()
        not_variant.set_int(1)
        with self.assertRaises(GLib.Error) as cm:
            not_variant.get_variant()
        self.assertTrue(cm.exception.matches(Coro.error_quark(), Coro.Error.RESULT_TYPE))

        server.unregister_object(registration)
        client.close_sync(None)
        context = GLib.MainContext.default()
        while not server.is_closed():
            context.iteration(True)
        del call, unknown, not_variant

    def test_output_stream_write_bytes(self):
        sink = Gio.MemoryOutputStream.new_resizable()
        fut = Coro.output_stream_write_bytes(sink, GLib.Bytes.new(b'hello'),
                                             GLib.PRIORITY_DEFAULT)
        Coro.run(fut)
        self.assertEqual(fut.get_int(), 5)
        sink.close()
        self.assertEqual(sink.steal_as_bytes().get_data(), b'hello')

    def test_output_stream_write_bytes_closed(self):
        sink = Gio.MemoryOutputStream.new_resizable()
        sink.close()
        fut = Coro.output_stream_write_bytes(sink, GLib.Bytes.new(b'x'), GLib.PRIORITY_DEFAULT)
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(fut)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CLOSED))


if __name__ == '__main__':
    run_tests()
