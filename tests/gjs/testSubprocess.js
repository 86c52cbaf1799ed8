// testSubprocess.js: CoroProcess through GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by meson as `gjs -m testSubprocess.js`, like testCoro.js. Real child processes, so
// the real clock. Any exception, any GLib critical and any future still alive after a
// test fails the run.

import Coro from 'gi://Coro?version=1.0';
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import {assert, assertEq, assertThrowsCoro, assertThrowsGError, done, test, text}
    from './harness.js';

const {PIPE, DEVNULL, INHERIT} = Coro.SubprocessStdio;
const SIGKILL = 9;

test('communicate round trip through cat', () => {
    const proc = Coro.create_subprocess_exec(['cat'], PIPE, PIPE, PIPE);
    assert(proc instanceof Coro.Process, 'a Coro.Process');
    assert(proc.get_pid() > 0, 'a pid');
    const fut = proc.communicate(new GLib.Bytes(new TextEncoder().encode('hello from gjs\n')));
    Coro.run(fut);
    // GJS 1.74 keeps the boolean return value that the annotations skip (PyGObject drops it).
    const [ok, out, err] = proc.communicate_finish(fut);
    assert(ok, 'communicate succeeded');
    assertEq(text(out), 'hello from gjs\n', 'stdout');
    assertEq(text(err), '', 'stderr');
    const [exited, code] = proc.get_returncode();
    assert(exited, 'exited');
    assertEq(code, 0, 'return code');
});

test('shell, exit code and streams that are not pipes', () => {
    const proc = Coro.create_subprocess_shell('echo out; echo err >&2; exit 6', DEVNULL, PIPE, PIPE);
    assertEq(proc.get_stdin(), null, 'no stdin writer');
    const fut = proc.communicate(null);
    Coro.run(fut);
    const [, out, err] = proc.communicate_finish(fut);
    assertEq(text(out), 'out\n', 'stdout');
    assertEq(text(err), 'err\n', 'stderr');
    assertEq(proc.get_returncode()[1], 6, 'return code');
});

test('wait with a timeout kills the child', () => {
    const proc = Coro.create_subprocess_exec(['sleep', '30'], DEVNULL, INHERIT, INHERIT);
    const wait = proc.wait_with_timeout(0.2);
    let error = null;
    try {
        Coro.run(wait);
    } catch (e) {
        error = e;
    }
    assert(error instanceof GLib.Error && error.matches(Coro.error_quark(), Coro.Error.TIMEOUT),
        `timeout error, got ${error}`);
    assertEq(proc.get_returncode()[1], -SIGKILL, 'killed');
});

test('missing executable', () => {
    let error = null;
    try {
        Coro.create_subprocess_exec(['coro-no-such-program-xyz'], PIPE, PIPE, PIPE);
    } catch (e) {
        error = e;
    }
    assert(error instanceof GLib.Error &&
        error.matches(GLib.spawn_error_quark(), GLib.SpawnError.NOENT), `spawn error, got ${error}`);
});

// More CoroProcess coverage.

test('terminate, kill and send_signal', () => {
    const SIGTERM = 15, SIGUSR1 = 10;
    let proc = Coro.create_subprocess_exec(['sleep', '30'], DEVNULL, INHERIT, INHERIT);
    const sub = proc.get_subprocess();
    assert(sub instanceof Gio.Subprocess, 'a GSubprocess');
    assertEq(sub.get_identifier(), String(proc.get_pid()), 'same pid');
    let wait = proc.wait();
    proc.terminate();
    Coro.run(wait);
    assertEq(wait.get_int(), -SIGTERM, 'terminated');
    assertThrowsGError(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND, () => proc.kill(),
        'kill after exit');

    proc = Coro.create_subprocess_exec(['sleep', '30'], DEVNULL, INHERIT, INHERIT);
    wait = proc.wait();
    proc.kill();
    Coro.run(wait);
    assertEq(wait.get_int(), -SIGKILL, 'killed');

    proc = Coro.create_subprocess_exec(['sleep', '30'], DEVNULL, INHERIT, INHERIT);
    wait = proc.wait();
    assert(proc.send_signal(SIGUSR1), 'send_signal');
    Coro.run(wait);
    assertEq(wait.get_int(), -SIGUSR1, 'signalled');
    assertThrowsGError(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND,
        () => proc.send_signal(SIGTERM), 'send_signal after exit');
    wait = null;
});

test('stdout and stderr readers', () => {
    const proc = Coro.create_subprocess_shell('echo out; echo err >&2', DEVNULL, PIPE, PIPE);
    assert(proc.get_stdout() instanceof Coro.StreamReader, 'stdout reader');
    assert(proc.get_stderr() instanceof Coro.StreamReader, 'stderr reader');
    const out = proc.get_stdout().read(-1);
    const err = proc.get_stderr().read(-1);
    Coro.run(out);
    Coro.run(err);
    assertEq(text(out.get_value()), 'out\n', 'stdout');
    assertEq(text(err.get_value()), 'err\n', 'stderr');
    const wait = proc.wait();
    Coro.run(wait);
    assertEq(wait.get_int(), 0, 'exit 0');
});

test('communicate with a timeout keeps partial output', () => {
    const proc = Coro.create_subprocess_shell('echo partial; exec sleep 30', DEVNULL, PIPE, PIPE);
    const fut = proc.communicate_with_timeout(null, 0.3);
    assertThrowsCoro(Coro.Error.TIMEOUT, () => Coro.run(fut), 'timeout');
    assertEq(proc.get_returncode()[1], -SIGKILL, 'killed');
    const [out, err] = proc.get_partial_output();
    assertEq(text(out), 'partial\n', 'partial stdout');
    assertEq(text(err), '', 'partial stderr');
});

// A launcher the caller set up: its flags choose the pipes, and it sets the working
// directory and the environment.
test('create_subprocess_exec_with_launcher', () => {
    const launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.STDIN_PIPE |
        Gio.SubprocessFlags.STDOUT_PIPE);
    launcher.set_cwd('/');
    launcher.setenv('CORO_TEST_VAR', 'from-launcher', true);
    const proc = Coro.create_subprocess_exec_with_launcher(launcher,
        ['/bin/sh', '-c', 'pwd; echo "$CORO_TEST_VAR"; cat']);
    assert(proc instanceof Coro.Process, 'a Coro.Process');
    assert(proc.get_stdin() instanceof Coro.StreamWriter, 'stdin writer');
    assert(proc.get_stdout() instanceof Coro.StreamReader, 'stdout reader');
    assertEq(proc.get_stderr(), null, 'no stderr reader');
    const fut = proc.communicate(new GLib.Bytes(new TextEncoder().encode('piped\n')));
    Coro.run(fut);
    const [, out, err] = proc.communicate_finish(fut);
    assertEq(text(out), '/\nfrom-launcher\npiped\n', 'stdout');
    assertEq(err, null, 'no stderr');
    assertEq(proc.get_returncode()[1], 0, 'return code');
});

test('create_subprocess_exec_with_launcher, missing executable', () => {
    const launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.NONE);
    assertThrowsGError(GLib.spawn_error_quark(), GLib.SpawnError.NOENT,
        () => Coro.create_subprocess_exec_with_launcher(launcher, ['/nonexistent/coro-test']),
        'spawn error');
});

done();
