#!/usr/bin/python3
# test_subprocess.py: CoroProcess through PyGObject
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson like test_coro.py (GI_TYPELIB_PATH, LD_LIBRARY_PATH, CORO_OVERRIDES_DIR).
# Real child processes, so the real clock. Any exception, any GLib critical and any future
# still alive after a test fails the run.

import os
import signal

from coro_testing import Coro, CoroTestCase, GLib, Gio, run_tests

PIPE = Coro.SubprocessStdio.PIPE
DEVNULL = Coro.SubprocessStdio.DEVNULL
INHERIT = Coro.SubprocessStdio.INHERIT


def is_reaped(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


class SubprocessTestCase(CoroTestCase):
    def test_communicate_round_trip(self):
        proc = Coro.create_subprocess_exec(['cat'], PIPE, PIPE, PIPE)
        self.assertIsInstance(proc, Coro.Process)
        self.assertGreater(proc.get_pid(), 0)
        self.assertIsInstance(proc.get_stdin(), Coro.StreamWriter)
        self.assertIsInstance(proc.get_stdout(), Coro.StreamReader)
        fut = proc.communicate(GLib.Bytes.new(b'hello from python\n'))
        Coro.run(fut)
        out, err = proc.communicate_finish(fut)
        self.assertEqual(out.get_data(), b'hello from python\n')
        self.assertEqual(err.get_data(), b'')
        self.assertEqual(proc.get_returncode(), (True, 0))
        self.assertTrue(is_reaped(proc.get_pid()))

    def test_shell_exit_code_and_none_streams(self):
        proc = Coro.create_subprocess_shell('echo out; exit 4', DEVNULL, PIPE, INHERIT)
        self.assertIsNone(proc.get_stdin())
        self.assertIsNone(proc.get_stderr())
        self.assertEqual(proc.get_returncode()[0], False)
        fut = proc.communicate(None)
        Coro.run(fut)
        out, err = proc.communicate_finish(fut)
        self.assertEqual(out.get_data(), b'out\n')
        self.assertIsNone(err)
        self.assertEqual(proc.get_returncode(), (True, 4))

    def test_wait_and_signal(self):
        proc = Coro.create_subprocess_exec(['sleep', '30'], DEVNULL, INHERIT, INHERIT)
        wait = proc.wait()
        proc.terminate()
        Coro.run(wait)
        self.assertEqual(wait.get_int(), -signal.SIGTERM)
        with self.assertRaises(GLib.Error) as cm:
            proc.kill()
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))

    def test_missing_executable(self):
        with self.assertRaises(GLib.Error) as cm:
            Coro.create_subprocess_exec(['coro-no-such-program-xyz'], PIPE, PIPE, PIPE)
        self.assertTrue(cm.exception.matches(GLib.spawn_error_quark(), GLib.SpawnError.NOENT))

    def test_communicate_timeout_kills(self):
        proc = Coro.create_subprocess_shell('echo partial; exec sleep 30', DEVNULL, PIPE, PIPE)
        fut = proc.communicate_with_timeout(None, 0.3)
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(fut)
        self.assertTrue(cm.exception.matches(Coro.error_quark(), Coro.Error.TIMEOUT))
        self.assertEqual(proc.get_returncode(), (True, -signal.SIGKILL))
        self.assertTrue(is_reaped(proc.get_pid()))
        out, err = proc.get_partial_output()
        self.assertEqual(out.get_data(), b'partial\n')
        self.assertEqual(err.get_data(), b'')


class TestSubprocessMore(CoroTestCase):
    def test_send_signal_and_get_subprocess(self):
        proc = Coro.create_subprocess_exec(['sleep', '30'], DEVNULL, INHERIT, INHERIT)
        sub = proc.get_subprocess()
        self.assertIsInstance(sub, Gio.Subprocess)
        self.assertEqual(sub.get_identifier(), str(proc.get_pid()))
        wait = proc.wait()
        self.assertTrue(proc.send_signal(signal.SIGUSR1))
        Coro.run(wait)
        self.assertEqual(wait.get_int(), -signal.SIGUSR1)
        self.assertEqual(proc.get_returncode(), (True, -signal.SIGUSR1))
        with self.assertRaises(GLib.Error) as cm:
            proc.send_signal(signal.SIGTERM)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))
        self.assertTrue(is_reaped(proc.get_pid()))

    def test_wait_with_timeout_exits_in_time(self):
        proc = Coro.create_subprocess_shell('exit 3', DEVNULL, INHERIT, INHERIT)
        wait = proc.wait_with_timeout(30)
        Coro.run(wait)
        self.assertEqual(wait.get_int(), 3)
        self.assertEqual(proc.get_returncode(), (True, 3))

    def test_wait_with_timeout_kills(self):
        proc = Coro.create_subprocess_exec(['sleep', '30'], DEVNULL, INHERIT, INHERIT)
        wait = proc.wait_with_timeout(0.2)
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(wait)
        self.assertTrue(cm.exception.matches(Coro.error_quark(), Coro.Error.TIMEOUT))
        self.assertEqual(proc.get_returncode(), (True, -signal.SIGKILL))
        self.assertTrue(is_reaped(proc.get_pid()))

    def test_exec_with_launcher(self):
        # The launcher chooses the pipes, the working directory and the environment.
        launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.STDIN_PIPE
                                              | Gio.SubprocessFlags.STDOUT_PIPE)
        launcher.set_cwd('/')
        launcher.setenv('CORO_TEST_VAR', 'from-launcher', True)
        proc = Coro.create_subprocess_exec_with_launcher(
            launcher, ['/bin/sh', '-c', 'pwd; echo "$CORO_TEST_VAR"; cat'])
        self.assertIsInstance(proc, Coro.Process)
        self.assertIsInstance(proc.get_stdin(), Coro.StreamWriter)
        self.assertIsInstance(proc.get_stdout(), Coro.StreamReader)
        self.assertIsNone(proc.get_stderr())
        fut = proc.communicate(GLib.Bytes.new(b'piped\n'))
        Coro.run(fut)
        out, err = proc.communicate_finish(fut)
        self.assertEqual(out.get_data(), b'/\nfrom-launcher\npiped\n')
        self.assertIsNone(err)
        self.assertEqual(proc.get_returncode(), (True, 0))

    def test_exec_with_launcher_not_found(self):
        launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.NONE)
        with self.assertRaises(GLib.Error) as cm:
            Coro.create_subprocess_exec_with_launcher(launcher, ['/nonexistent/coro-test'])
        self.assertTrue(cm.exception.matches(GLib.spawn_error_quark(), GLib.SpawnError.NOENT))


if __name__ == '__main__':
    run_tests()
