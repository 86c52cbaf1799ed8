// testLowloop.js: the low-level loop API through GJS: exception handler, fd watches,
// signals
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Executors are not tested here: GJS cannot run JavaScript on a worker thread.

import Coro from 'gi://Coro?version=1.0';
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import {assert, assertEq, assertThrowsCoro, done, loop, settle, test} from './harness.js';

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

test('run_in_executor fails once the default executor is shut down', () => {
    const ctx = GLib.MainContext.new();
    ctx.push_thread_default();
    try {
        const other = Coro.Loop.get_default();
        Coro.run(other.shutdown_default_executor());
        let ran = false;
        const job = Coro.run_in_executor(() => {
            ran = true;
        });
        assertThrowsCoro(Coro.Error.INVALID_STATE, () => Coro.run(job), 'no executor');
        assert(!ran, 'the job never ran');
        other.set_default_executor(null);
    } finally {
        ctx.pop_thread_default();
    }
});

test('the default exception handler logs one warning', () => {
    // Another process: the warning goes to its standard error.
    const script = `
        imports.gi.versions.Coro = '1.0';
        const {Coro, GLib} = imports.gi;
        const err = new GLib.Error(Coro.error_quark(), Coro.Error.FAILED, 'the reason');
        const fut = Coro.Future.new();
        Coro.Loop.get_default().default_exception_handler('Something failed', err, fut);
        fut.cancel(null);`;
    const proc = Gio.Subprocess.new(['gjs', '-c', script],
        Gio.SubprocessFlags.STDOUT_SILENCE | Gio.SubprocessFlags.STDERR_PIPE);
    const [, , stderr] = proc.communicate_utf8(null, null);
    assert(proc.get_successful(), `gjs -c: ${stderr}`);
    assert(stderr.includes('Coro-WARNING'), stderr);
    assert(/Something failed: Future .*: the reason \(coro-error-quark, 0\)/.test(stderr), stderr);
    assertEq(stderr.split('Something failed').length, 2, 'one report');
});

// More low-level loop coverage.

function udpSocket() {
    const sock = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.DATAGRAM,
        Gio.SocketProtocol.UDP);
    sock.bind(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), true);
    return sock;
}

test('add_writer and remove_writer', () => {
    const sock = udpSocket();
    const fd = sock.get_fd();
    const calls = [];
    const done = Coro.Future.new();
    loop.add_writer(fd, () => calls.push('old'));
    loop.add_writer(fd, () => {
        calls.push('new');
        assert(loop.remove_writer(fd), 'remove_writer');
        done.set_none();
    });
    Coro.run(done);
    assertEq(calls.join(), 'new', 'only the replacement ran');
    assertEq(loop.remove_writer(fd), false, 'nothing left to remove');
    sock.close();
});

test('wait_readable and wait_writable futures', () => {
    const sock = udpSocket();
    const fd = sock.get_fd();
    let writable = loop.wait_writable(fd);
    Coro.run(writable);
    assert(writable.done() && !writable.cancelled(), 'writable');
    let readable = loop.wait_readable(fd);
    assert(!readable.done(), 'nothing to read yet');
    sock.send_to(sock.get_local_address(), new Uint8Array([7]), null);
    Coro.run(readable);
    assert(readable.done() && !readable.cancelled(), 'readable');
    assertEq(sock.get_available_bytes(), 1, 'one byte waiting');
    assertEq(loop.remove_reader(fd), false, 'the watch is gone');
    assertEq(loop.remove_writer(fd), false, 'the writer watch is gone');
    writable = readable = null;
    sock.close();
});

test('cancelling wait_readable removes the watch', () => {
    const sock = udpSocket();
    const fd = sock.get_fd();
    let wait = loop.wait_readable(fd);
    assert(wait.cancel(null), 'cancel');
    assert(wait.cancelled(), 'cancelled');
    Coro.run(Coro.sleep(0));
    assertEq(loop.remove_reader(fd), false, 'no watch left');
    wait = null;
    sock.close();
});

test('debug and slow callback duration', () => {
    assertEq(loop.get_debug(), false, 'debug off');
    const old = loop.get_slow_callback_duration();
    assert(Math.abs(old - 0.1) < 1e-9, 'default slow callback duration');
    loop.set_slow_callback_duration(0.25);
    assert(Math.abs(loop.get_slow_callback_duration() - 0.25) < 1e-9, 'set');
    loop.set_slow_callback_duration(old);
    loop.set_debug(true);
    assertEq(loop.get_debug(), true, 'debug on');
    loop.set_debug(false);
    assertEq(loop.get_debug(), false, 'debug off again');
});

test('context and pass count', () => {
    const ctx = loop.get_context();
    assert(ctx instanceof GLib.MainContext, 'a context');
    assert(Coro.Loop.get_for_context(ctx) === loop, 'get_for_context');
    const before = loop.get_pass_count();
    Coro.run(Coro.sleep(0));
    assert(loop.get_pass_count() > before, 'passes counted');
});

test('call_later and call_at on the virtual clock', () => {
    loop.set_virtual_clock(true);
    try {
        assert(loop.get_virtual_clock(), 'virtual clock');
        const order = [];
        const t0 = loop.time();
        const h1 = loop.call_later(2.0, () => order.push('later'));
        const h2 = loop.call_at(t0 + 1.0, () => order.push('at'));
        const h3 = loop.call_later(0.5, () => order.push('cancelled'));
        assert(Math.abs(h1.when() - (t0 + 2.0)) < 1e-3, 'h1 when');
        assert(Math.abs(h2.when() - (t0 + 1.0)) < 1e-3, 'h2 when');
        h3.cancel();
        assert(h3.cancelled(), 'h3 cancelled');
        assert(!h1.cancelled(), 'h1 pending');
        Coro.run(Coro.sleep(3.0));
        assertEq(order.join(), 'at,later', 'order');
        assert(loop.time() - t0 >= 3.0, 'virtual time advanced');
        assert(h1.cancelled(), 'a handle that ran can no longer run');
    } finally {
        loop.set_virtual_clock(false);
    }
});

test('invalid signal and exception handler reset', () => {
    const SIGUSR2 = 12;
    assertEq(loop.remove_signal_handler(SIGUSR2), false, 'nothing to remove');
    let threw = false;
    try {
        loop.add_signal_handler(19 /* SIGSTOP */, () => {});
    } catch (e) {
        threw = e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.INVALID_ARGUMENT);
    }
    assert(threw, 'SIGSTOP is refused');

    const reports = [];
    loop.set_exception_handler((l, message) => reports.push(message));
    loop.call_exception_handler('first', null, null);
    loop.set_exception_handler(null);
    loop.call_exception_handler('second', null, null);
    assertEq(reports.join(), 'first', 'the reset handler is no longer called');
});

done();
