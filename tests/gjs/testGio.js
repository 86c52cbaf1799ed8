// testGio.js: the GIO bridge through GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The ready-made futures for GIO calls, and Coro futures awaited as Promises through
// wait_async / wait_finish from a plain GLib main loop.

import Coro from 'gi://Coro?version=1.0';
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import {assert, assertEq, assertGError, assertThrowsCoro, done, testAsync, text}
    from './harness.js';

// Gio._promisify() does not fit: the operation has no source object, so it would call
// wait_finish on the prototype rather than on the future.
function waitFor(fut, cancellable = null) {
    return new Promise((resolve, reject) => {
        fut.wait_async(cancellable, (_source, result) => {
            try {
                resolve(fut.wait_finish(result));
            } catch (e) {
                reject(e);
            }
        });
    });
}

const dir = GLib.dir_make_tmp('coro-test-gio-XXXXXX');

testAsync('a file written and read back by futures, awaited as promises', async () => {
    const file = Gio.File.new_for_path(GLib.build_filenamev([dir, 'file.txt']));
    const encoder = new TextEncoder();
    let fut = Coro.file_replace_contents(file, new GLib.Bytes(encoder.encode('hello gjs')),
        null, false, Gio.FileCreateFlags.NONE);
    assert(await waitFor(fut), 'replaced');
    assert(fut.get_string().length > 0, 'an etag');

    fut = Coro.file_load_contents(file);
    await waitFor(fut);
    assertEq(text(fut.get_bytes()), 'hello gjs', 'contents');

    fut = Coro.file_query_info(file, 'standard::size', Gio.FileQueryInfoFlags.NONE,
        GLib.PRIORITY_DEFAULT);
    await waitFor(fut);
    assertEq(fut.get_object().get_size(), 9, 'size');
    file.delete(null);
});

testAsync('a missing file rejects with its GIO error', async () => {
    const fut = Coro.file_load_contents(Gio.File.new_for_path(GLib.build_filenamev([dir, 'no'])));
    try {
        await waitFor(fut);
        throw new Error('did not fail');
    } catch (e) {
        assertGError(e, Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND, 'missing file');
    }
    assert(!fut.cancelled(), 'failed, not cancelled');
});

testAsync('streams', async () => {
    const source = Gio.MemoryInputStream.new_from_bytes(new GLib.Bytes(new TextEncoder().encode('abcdef')));
    let fut = Coro.input_stream_read_bytes(source, 4, GLib.PRIORITY_DEFAULT);
    await waitFor(fut);
    assertEq(text(fut.get_bytes()), 'abcd', 'read');

    const sink = Gio.MemoryOutputStream.new_resizable();
    fut = Coro.output_stream_write_all(sink, new GLib.Bytes(new TextEncoder().encode('xyz')),
        GLib.PRIORITY_DEFAULT);
    await waitFor(fut);
    assertEq(fut.get_int(), 3, 'written');
    fut = Coro.output_stream_splice(sink, source, Gio.OutputStreamSpliceFlags.CLOSE_TARGET,
        GLib.PRIORITY_DEFAULT);
    await waitFor(fut);
    assertEq(fut.get_int(), 2, 'spliced');
    assertEq(text(sink.steal_as_bytes()), 'xyzef', 'sink');
});

testAsync('a subprocess waited for', async () => {
    const proc = Gio.Subprocess.new(['sh', '-c', 'exit 5'], Gio.SubprocessFlags.NONE);
    const fut = Coro.subprocess_wait(proc);
    await waitFor(fut);
    assertEq(fut.get_int(), 5, 'return code');
});

testAsync('a coroutine awaited from JavaScript, cancelled through a GCancellable', async () => {
    const sleep = Coro.sleep(0.01);
    assert(await waitFor(sleep), 'slept');

    const fut = Coro.Future.new();
    const cancellable = new Gio.Cancellable();
    GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
        cancellable.cancel();
        return GLib.SOURCE_REMOVE;
    });
    try {
        await waitFor(fut, cancellable);
        throw new Error('did not fail');
    } catch (e) {
        assertGError(e, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED, 'cancelled');
    }
    assert(fut.cancelled(), 'the future was cancelled');
});

// More GIO wrappers.

const CALC_XML = `<node><interface name="org.example.Calc">
  <method name="Add">
    <arg type="i" direction="in"/><arg type="i" direction="in"/><arg type="i" direction="out"/>
  </method>
</interface></node>`;

function dbusConnectionNew(stream, guid, flags) {
    return new Promise((resolve, reject) => {
        Gio.DBusConnection.new(stream, guid, flags, null, null, (_source, result) => {
            try {
                resolve(Gio.DBusConnection.new_finish(result));
            } catch (e) {
                reject(e);
            }
        });
    });
}

// Two ends of a peer-to-peer D-Bus connection over TCP on the loopback: [server, client].
async function dbusPair() {
    const listener = new Gio.SocketListener();
    const port = listener.add_any_inet_port(null);
    const accepted = new Promise((resolve, reject) => {
        listener.accept_async(null, (l, res) => {
            try {
                resolve(l.accept_finish(res)[0]);
            } catch (e) {
                reject(e);
            }
        });
    });
    const client = new Gio.SocketClient();
    client.set_enable_proxy(false);
    const fut = Coro.socket_client_connect_to_host(client, '127.0.0.1', port);
    await waitFor(fut);
    const ends = [await accepted, fut.get_object()];
    listener.close();
    return Promise.all([
        dbusConnectionNew(ends[0], Gio.dbus_generate_guid(),
            Gio.DBusConnectionFlags.AUTHENTICATION_SERVER |
            Gio.DBusConnectionFlags.AUTHENTICATION_ALLOW_ANONYMOUS),
        dbusConnectionNew(ends[1], null, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT),
    ]);
}

testAsync('dbus_connection_call and the variant of its reply', async () => {
    const [server, client] = await dbusPair();
    const node = Gio.DBusNodeInfo.new_for_xml(CALC_XML);
    const registration = server.register_object('/org/example/Calc', node.interfaces[0],
        (conn, sender, path, iface, method, params, invocation) => {
            const [x, y] = params.deepUnpack();
            invocation.return_value(new GLib.Variant('(i)', [x + y]));
        }, null, null);
    let call = Coro.dbus_connection_call(client, null, '/org/example/Calc', 'org.example.Calc',
        'Add', new GLib.Variant('(ii)', [2, 40]), new GLib.VariantType('(i)'),
        Gio.DBusCallFlags.NONE, -1);
    await waitFor(call);
    const reply = call.get_variant();
    assertEq(reply.get_type_string(), '(i)', 'reply type');
    assertEq(reply.deepUnpack()[0], 42, 'sum');

    call = Coro.dbus_connection_call(client, null, '/org/example/Calc', 'org.example.Calc',
        'Nope', null, null, Gio.DBusCallFlags.NONE, -1);
    try {
        await waitFor(call);
        throw new Error('did not fail');
    } catch (e) {
        assertGError(e, Gio.dbus_error_quark(), Gio.DBusError.UNKNOWN_METHOD, 'unknown method');
    }
    const notVariant = Coro.Future.new();
    notVariant.set_int(1);
    assertThrowsCoro(Coro.Error.RESULT_TYPE, () => notVariant.get_variant(), 'an int result');

    server.unregister_object(registration);
    client.close_sync(null);
    const context = GLib.MainContext.default();
    while (!server.is_closed())
        context.iteration(true);
});

testAsync('output_stream_write_bytes', async () => {
    const sink = Gio.MemoryOutputStream.new_resizable();
    const fut = Coro.output_stream_write_bytes(sink,
        new GLib.Bytes(new TextEncoder().encode('hello')), GLib.PRIORITY_DEFAULT);
    await waitFor(fut);
    assertEq(fut.get_int(), 5, 'written');
    sink.close(null);
    assertEq(text(sink.steal_as_bytes()), 'hello', 'sink');
});

testAsync('subprocess_wait_check rejects a failed child', async () => {
    const proc = Gio.Subprocess.new(['sh', '-c', 'exit 4'], Gio.SubprocessFlags.NONE);
    const fut = Coro.subprocess_wait_check(proc);
    let error = null;
    try {
        await waitFor(fut);
    } catch (e) {
        error = e;
    }
    assert(error instanceof GLib.Error, `a GError, got ${error}`);
    assert(proc.get_if_exited() && proc.get_exit_status() === 4, 'exit status 4');
});

testAsync('socket_client_connect_to_host', async () => {
    const listener = new Gio.SocketListener();
    const port = listener.add_any_inet_port(null);
    const client = new Gio.SocketClient();
    client.set_enable_proxy(false);
    const accepted = new Promise((resolve, reject) => {
        listener.accept_async(null, (l, res) => {
            try {
                resolve(l.accept_finish(res)[0]);
            } catch (e) {
                reject(e);
            }
        });
    });
    const fut = Coro.socket_client_connect_to_host(client, '127.0.0.1', port);
    await waitFor(fut);
    const connection = fut.get_object();
    assert(connection instanceof Gio.SocketConnection, 'a connection');
    const server = await accepted;
    assert(server instanceof Gio.SocketConnection, 'accepted');
    assertEq(connection.get_remote_address().get_port(), port, 'remote port');
    connection.close(null);
    server.close(null);
    listener.close();
});

GLib.rmdir(dir);
done();
