// testLowloop.js: the low-level loop API through GJS: exception handler, fd watches,
// signals
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Executors are not tested here: GJS cannot run JavaScript on a worker thread.

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
        loop.set_exception_handler(null);
        settle();
        assertEq(loop.get_n_futures(), baseline, 'live futures after the test');
        print(`ok ${count} - ${name}`);
    } catch (e) {
        loop.set_exception_handler(null);
        failures++;
        print(`not ok ${count} - ${name}`);
        printerr(`# ${name}: ${e}\n${e.stack ?? ''}`);
    }
}

test('exception handler sees unretrieved errors', () => {
    const reports = [];
    loop.set_exception_handler((l, message, error, future) => {
        assert(l === loop, 'the loop');
        // The future is borrowed for the call: read it now, do not keep it.
        reports.push([message, error ? error.message : null, future ? future.done() : null]);
    });
    let fut = Coro.Future.new();
    fut.set_error(new GLib.Error(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND, 'gone'));
    fut = null;
    // Collected by the GC, where JS cannot run: the handler runs in the next pass.
    settle();
    Coro.run(Coro.sleep(0));
    assertEq(reports.length, 1, 'one report');
    assertEq(reports[0][0], 'Future exception was never retrieved', 'message');
    assertEq(reports[0][1], 'gone', 'error');
    assertEq(reports[0][2], true, 'future');

    let seen = Coro.Future.new();
    seen.set_error(new GLib.Error(Coro.error_quark(), Coro.Error.FAILED, 'seen'));
    assertEq(seen.get_error().message, 'seen', 'get_error');
    let cancelled = Coro.Future.new();
    cancelled.cancel(null);
    seen = cancelled = null;
    settle();
    Coro.run(Coro.sleep(0));
    assertEq(reports.length, 1, 'retrieved and cancelled are not reported');

    loop.call_exception_handler('direct', null, null);
    assertEq(reports.length, 2, 'call_exception_handler');
    assertEq(reports[1][0], 'direct', 'message');
    assertEq(reports[1][1], null, 'no error');
});

test('add_reader on a socket', () => {
    // A UDP socket that sends itself a datagram: a real fd, from GJS.
    const sock = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.DATAGRAM,
        Gio.SocketProtocol.UDP);
    sock.bind(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), true);
    const fd = sock.get_fd();
    const got = [];
    const done = Coro.Future.new();
    loop.add_reader(fd, () => {
        got.push(sock.get_available_bytes());
        assert(loop.remove_reader(fd), 'remove_reader');
        done.set_none();
    });
    sock.send_to(sock.get_local_address(), new Uint8Array([1, 2, 3]), null);
    Coro.run(done);
    assertEq(got.length, 1, 'the reader ran once');
    assertEq(got[0], 3, 'bytes waiting');
    assertEq(loop.remove_reader(fd), false, 'nothing left to remove');
    sock.close();
});

test('signal handler', () => {
    const SIGUSR1 = 10;
    const done = Coro.Future.new();
    const seen = [];
    assert(loop.add_signal_handler(SIGUSR1, () => {
        seen.push('usr1');
        done.set_none();
    }), 'add_signal_handler');
    const pid = new Gio.Credentials().get_unix_pid();
    GLib.spawn_command_line_sync(`kill -USR1 ${pid}`);
    Coro.run(done);
    assertEq(seen.length, 1, 'the handler ran once');
    assert(loop.remove_signal_handler(SIGUSR1), 'remove_signal_handler');
    assertEq(loop.remove_signal_handler(SIGUSR1), false, 'nothing left to remove');
    let threw = false;
    try {
        loop.add_signal_handler(9, () => {});
    } catch (e) {
        threw = e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.INVALID_ARGUMENT);
    }
    assert(threw, 'SIGKILL is refused');
});

// No JavaScript on worker threads: only what runs on the loop's thread.
test('executor objects', () => {
    const executor = Coro.Executor.new(3);
    assertEq(executor.get_max_workers(), 3, 'max workers');
    executor.shutdown(true, false);
    assert(executor.is_shutdown(), 'is_shutdown');
    let threw = false;
    try {
        Coro.run(executor.submit(() => {
            throw new Error('must not run');
        }));
    } catch (e) {
        threw = e.matches(Coro.error_quark(), Coro.Error.INVALID_STATE);
    }
    assert(threw, 'submit after shutdown fails');

    const ctx = GLib.MainContext.new();
    ctx.push_thread_default();
    try {
        const other = Coro.Loop.get_default();
        assert(other !== loop, 'a loop of its own');
        const done = other.shutdown_default_executor();
        assert(done.done(), 'nothing to wait for');
        Coro.run(done);
        other.set_default_executor(null);
    } finally {
        ctx.pop_thread_default();
    }
});

print(`1..${count}`);
if (failures > 0)
    System.exit(1);
