// testStreams.js: Coro's streams through GJS: a TCP echo round trip
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by meson as `gjs -m testStreams.js`, like testCoro.js. Any exception, any GLib
// critical and any future still alive after a test fails the run.

import Coro from 'gi://Coro?version=1.0';
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import System from 'system';

const loop = Coro.Loop.get_default();
let failures = 0;
let count = 0;

function assert(condition, what) {
    if (!condition)
        throw new Error(`assertion failed: ${what}`);
}

function assertEq(actual, expected, what) {
    if (actual !== expected)
        throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

function settle() {
    const context = GLib.MainContext.default();
    for (let i = 0; i < 3; i++) {
        System.gc();
        while (context.iteration(false))
            ;
    }
}

function test(name, func) {
    settle();
    const baseline = loop.get_n_futures();
    count++;
    try {
        func();
        settle();
        assertEq(loop.get_n_futures(), baseline, 'live futures after the test');
        print(`ok ${count} - ${name}`);
    } catch (e) {
        failures++;
        print(`not ok ${count} - ${name}`);
        printerr(`# ${name}: ${e}\n${e.stack ?? ''}`);
    }
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function text(bytes) {
    return decoder.decode(bytes.toArray());
}

test('echo round trip over TCP', () => {
    const received = [];
    const started = Coro.start_server('127.0.0.1', 0, (reader, writer) => {
        const line = reader.readline();
        line.add_done_callback(f => {
            const data = f.get_value();
            received.push(text(data));
            writer.write_bytes(data);
            writer.close();
        });
        return line;
    });
    Coro.run(started);
    const server = started.get_object();
    assert(server instanceof Coro.Server, 'a server');
    assert(server.is_serving(), 'serving');

    const opening = Coro.open_connection('127.0.0.1', server.get_port());
    Coro.run(opening);
    const writer = opening.get_object();
    assert(writer instanceof Coro.StreamWriter, 'a writer');
    const reader = writer.get_reader();
    writer.write(encoder.encode('hello from gjs\n'));
    const line = reader.readline();
    Coro.run(line);
    assertEq(text(line.get_value()), 'hello from gjs\n', 'echoed line');
    assertEq(received.join(), 'hello from gjs\n', 'server side');
    const rest = reader.read(-1);
    Coro.run(rest);
    assertEq(rest.get_value().get_size(), 0, 'end of stream');
    assert(reader.at_eof(), 'at eof');

    writer.close();
    Coro.run(writer.wait_closed());
    let threw = false;
    try {
        writer.write(encoder.encode('late'));
    } catch (e) {
        threw = e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CLOSED);
    }
    assert(threw, 'write after close fails with G_IO_ERROR_CLOSED');
    server.close();
    Coro.run(server.wait_closed());
    assert(!server.is_serving(), 'closed');
});

test('connecting to a closed port', () => {
    const socket = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.STREAM,
        Gio.SocketProtocol.TCP);
    socket.bind(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), false);
    const port = socket.get_local_address().get_port();
    socket.close();
    let refused = false;
    try {
        Coro.run(Coro.open_connection('127.0.0.1', port));
    } catch (e) {
        refused = e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CONNECTION_REFUSED);
    }
    assert(refused, 'G_IO_ERROR_CONNECTION_REFUSED');
});

print(`1..${count}`);
System.exit(failures > 0 ? 1 : 0);
