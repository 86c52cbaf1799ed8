#!/usr/bin/python3
# test_lowloop.py: the low-level loop API through PyGObject: exception handler, fd
# watches, signals, executors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import os
import subprocess
import sys

from coro_testing import Coro, CoroTestCase, GLib, Gio, run_tests


class TestExceptionHandler(CoroTestCase):
    def test_unretrieved_future(self):
        reports = []

        def handler(loop, message, error, future):
            self.assertIs(loop, self.loop)
            reports.append((message, error.message, error.code, future is not None))

        self.loop.set_exception_handler(handler)
        fut = Coro.Future.new()
        fut.set_error(GLib.Error.new_literal(Gio.io_error_quark(), 'gone',
                                             Gio.IOErrorEnum.NOT_FOUND))
        self.assertEqual(reports, [])
        del fut
        gc.collect()
        # A handler set by the program runs in the next pass.
        self.assertEqual(reports, [])
        Coro.run(Coro.sleep(0))
        self.assertEqual(reports, [('Future exception was never retrieved', 'gone',
                                    Gio.IOErrorEnum.NOT_FOUND, True)])

        # Retrieved or cancelled: never reported.
        fut = Coro.Future.new()
        fut.set_error(GLib.Error.new_literal(Coro.error_quark(), 'seen', Coro.Error.FAILED))
        self.assertEqual(fut.get_error().message, 'seen')
        cancelled = Coro.Future.new()
        cancelled.cancel(None)
        del fut, cancelled
        gc.collect()
        Coro.run(Coro.sleep(0))
        self.assertEqual(len(reports), 1)

    def test_call_and_default(self):
        reports = []
        self.loop.set_exception_handler(lambda loop, message, error, future, extra:
                                        reports.append((message, error.message, future, extra)),
                                        'x')
        # PyGObject 3.42 does not accept None for a nullable GError argument.
        err = GLib.Error.new_literal(Coro.error_quark(), 'direct', Coro.Error.FAILED)
        self.loop.call_exception_handler('hello', err, None)
        self.assertEqual(reports, [('hello', 'direct', None, 'x')])

        # A task that fails with nobody reading it: a C-driven path with a None future
        # is above; here the report names the task through the future it hands over.
        fut = Coro.Future.new()
        fut.set_error(err)
        names = []
        self.loop.set_exception_handler(
            lambda loop, message, error, future: names.append(
                (message, future.is_task(), future.done())))
        del fut
        gc.collect()
        Coro.run(Coro.sleep(0))
        self.assertEqual(names, [('Future exception was never retrieved', False, True)])
        self.loop.set_exception_handler(None)
        self.assertEqual(len(reports), 1)


class TestFdWatches(CoroTestCase):
    def test_reader_pipe(self):
        r, w = os.pipe()
        try:
            got = []
            done = Coro.Future.new()

            def on_readable(fd):
                got.append(os.read(fd, 100))
                self.assertTrue(self.loop.remove_reader(fd))
                done.set_none()

            self.loop.add_reader(r, on_readable, r)
            os.write(w, b'ping')
            Coro.run(done)
            self.assertEqual(got, [b'ping'])
            self.assertFalse(self.loop.remove_reader(r))
        finally:
            os.close(r)
            os.close(w)

    def test_writer_and_replace(self):
        r, w = os.pipe()
        try:
            calls = []
            done = Coro.Future.new()
            self.loop.add_writer(w, lambda: calls.append('old'))
            # Replacing drops the old closure; the new one runs.

            def on_writable():
                calls.append('new')
                self.loop.remove_writer(w)
                done.set_none()

            self.loop.add_writer(w, on_writable)
            Coro.run(done)
            self.assertEqual(calls, ['new'])
            self.assertFalse(self.loop.remove_writer(w))
        finally:
            os.close(r)
            os.close(w)


    def test_wait_readable(self):
        r, w = os.pipe()
        try:
            wait = self.loop.wait_readable(r)
            self.assertFalse(wait.done())
            os.write(w, b'x')
            Coro.run(wait)
            self.assertTrue(wait.done() and not wait.cancelled())
            self.assertFalse(self.loop.remove_reader(r))
            del wait
        finally:
            os.close(r)
            os.close(w)


class TestDebug(CoroTestCase):
    def test_slow_callback_report(self):
        import time
        reports = []
        self.loop.set_exception_handler(
            lambda loop, message, error, future: reports.append(message))
        self.loop.set_slow_callback_duration(0.05)
        self.loop.set_debug(True)
        try:
            self.assertTrue(self.loop.get_debug())
            self.loop.call_soon(lambda: time.sleep(0.1))
            Coro.run(Coro.sleep(0))
        finally:
            self.loop.set_debug(False)
            self.loop.set_slow_callback_duration(0.1)
        self.assertEqual(len(reports), 1)
        self.assertTrue(reports[0].startswith('Executing callback'), reports[0])
        self.assertTrue(reports[0].endswith(' seconds'), reports[0])


class TestSignals(CoroTestCase):
    def test_signal_handler(self):
        import signal
        done = Coro.Future.new()
        seen = []

        def on_usr1(tag):
            seen.append(tag)
            done.set_none()

        self.assertTrue(self.loop.add_signal_handler(signal.SIGUSR1, on_usr1, 'usr1'))
        os.kill(os.getpid(), signal.SIGUSR1)
        Coro.run(done)
        self.assertEqual(seen, ['usr1'])
        self.assertTrue(self.loop.remove_signal_handler(signal.SIGUSR1))
        self.assertFalse(self.loop.remove_signal_handler(signal.SIGUSR1))

        with self.assertRaises(GLib.Error) as cm:
            self.loop.add_signal_handler(signal.SIGKILL, on_usr1, None)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(),
                                             Gio.IOErrorEnum.INVALID_ARGUMENT))


class TestExecutors(CoroTestCase):
    def test_executor_submit_and_shutdown(self):
        import threading
        executor = Coro.Executor.new(2)
        self.assertEqual(executor.get_max_workers(), 2)
        main = threading.get_ident()
        threads = []

        def job(result, cancellable, n):
            threads.append(threading.get_ident())
            result.set_int(n * n)

        jobs = [executor.submit(job, n) for n in range(5)]
        Coro.run(Coro.gather(jobs, Coro.GatherFlags.NONE))
        self.assertEqual([j.get_int() for j in jobs], [0, 1, 4, 9, 16])
        self.assertNotIn(main, threads)
        executor.shutdown(True, False)
        self.assertTrue(executor.is_shutdown())
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(executor.submit(job, 1))
        self.assertTrue(cm.exception.matches(Coro.error_quark(), Coro.Error.INVALID_STATE))
        del jobs

    def test_shutdown_default_executor(self):
        def job(result, cancellable):
            result.set_string('done')

        first = Coro.run_in_executor(job)
        Coro.run(self.loop.shutdown_default_executor())
        self.assertEqual(first.get_string(), 'done')
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(Coro.run_in_executor(job))
        self.assertTrue(cm.exception.matches(Coro.error_quark(), Coro.Error.INVALID_STATE))
        self.loop.set_default_executor(None)
        again = Coro.run_in_executor(job)
        Coro.run(again)
        self.assertEqual(again.get_string(), 'done')
        del first, again


class TestLowLoopMore(CoroTestCase):
    def test_wait_writable(self):
        r, w = os.pipe()
        try:
            wait = self.loop.wait_writable(w)
            Coro.run(wait)
            self.assertTrue(wait.done() and not wait.cancelled())
            self.assertFalse(self.loop.remove_writer(w))
            del wait
        finally:
            os.close(r)
            os.close(w)

    def test_wait_readable_cancel(self):
        r, w = os.pipe()
        try:
            wait = self.loop.wait_readable(r)
            self.assertTrue(wait.cancel(None))
            self.assertTrue(wait.cancelled())
            Coro.run(Coro.sleep(0))
            self.assertFalse(self.loop.remove_reader(r))
            del wait
        finally:
            os.close(r)
            os.close(w)

    def test_add_writer_args(self):
        r, w = os.pipe()
        try:
            got = []
            done = Coro.Future.new()

            def on_writable(tag):
                got.append(tag)
                self.assertTrue(self.loop.remove_writer(w))
                done.set_none()

            self.loop.add_writer(w, on_writable, 'w')
            Coro.run(done)
            self.assertEqual(got, ['w'])
        finally:
            os.close(r)
            os.close(w)

    def test_debug_getters_setters(self):
        self.assertFalse(self.loop.get_debug())
        old = self.loop.get_slow_callback_duration()
        self.assertAlmostEqual(old, 0.1)
        self.loop.set_slow_callback_duration(0.25)
        self.assertAlmostEqual(self.loop.get_slow_callback_duration(), 0.25)
        self.loop.set_slow_callback_duration(old)
        self.loop.set_debug(True)
        self.assertTrue(self.loop.get_debug())
        self.loop.set_debug(False)
        self.assertFalse(self.loop.get_debug())

    def test_context_and_counters(self):
        ctx = self.loop.get_context()
        self.assertIsInstance(ctx, GLib.MainContext)
        self.assertIs(Coro.Loop.get_for_context(ctx), self.loop)
        before = self.loop.get_pass_count()
        Coro.run(Coro.sleep(0))
        self.assertGreater(self.loop.get_pass_count(), before)

    def test_call_later_and_at_virtual(self):
        self.loop.set_virtual_clock(True)
        self.assertTrue(self.loop.get_virtual_clock())
        order = []
        t0 = self.loop.time()
        h1 = self.loop.call_later(2.0, lambda: order.append('later'))
        h2 = self.loop.call_at(t0 + 1.0, lambda: order.append('at'))
        h3 = self.loop.call_later(0.5, lambda: order.append('cancelled'))
        self.assertAlmostEqual(h1.when(), t0 + 2.0, places=3)
        self.assertAlmostEqual(h2.when(), t0 + 1.0, places=3)
        h3.cancel()
        self.assertTrue(h3.cancelled())
        self.assertFalse(h1.cancelled())
        Coro.run(Coro.sleep(3.0))
        self.assertEqual(order, ['at', 'later'])
        self.assertGreaterEqual(self.loop.time() - t0, 3.0)
        # A handle whose callback already ran reports cancelled (it can no longer run).
        self.assertTrue(h1.cancelled())

    def test_call_soon_threadsafe(self):
        import threading
        done = Coro.Future.new()
        seen = []

        def from_thread():
            self.loop.call_soon_threadsafe(lambda: (seen.append(threading.get_ident()),
                                                    done.set_none()))

        t = threading.Thread(target=from_thread)
        t.start()
        Coro.run(done)
        t.join()
        self.assertEqual(seen, [threading.get_ident()])

    def test_signal_remove_without_add_and_invalid(self):
        import signal
        self.assertFalse(self.loop.remove_signal_handler(signal.SIGUSR2))
        with self.assertRaises(GLib.Error) as cm:
            self.loop.add_signal_handler(signal.SIGSTOP, lambda: None)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(),
                                             Gio.IOErrorEnum.INVALID_ARGUMENT))

    def test_exception_handler_reset_to_default(self):
        reports = []
        self.loop.set_exception_handler(lambda loop, message, error, future:
                                        reports.append(message))
        err = GLib.Error.new_literal(Coro.error_quark(), 'x', Coro.Error.FAILED)
        self.loop.call_exception_handler('first', err, None)
        self.loop.set_exception_handler(None)
        self.loop.call_exception_handler('second', err, None)
        self.assertEqual(reports, ['first'])

    def test_default_exception_handler_logs_a_warning(self):
        # Another process: the warning goes to its standard error.
        script = (
            'from coro_testing import Coro, GLib\n'
            'err = GLib.Error.new_literal(Coro.error_quark(), "the reason", Coro.Error.FAILED)\n'
            'fut = Coro.Future.new()\n'
            'Coro.Loop.get_default().default_exception_handler("Something failed", err, fut)\n'
            'fut.cancel(None)\n')
        child = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                               cwd=os.path.dirname(os.path.abspath(__file__)), timeout=60)
        self.assertEqual(child.returncode, 0, child.stderr)
        self.assertIn('Coro-WARNING', child.stderr)
        self.assertRegex(child.stderr,
                         r'Something failed: Future .*: the reason \(coro-error-quark, 0\)')
        self.assertEqual(child.stderr.count('Something failed'), 1)

    def test_executor_single_worker_order(self):
        executor = Coro.Executor.new(1)
        self.assertEqual(executor.get_max_workers(), 1)
        self.assertFalse(executor.is_shutdown())
        order = []

        def job(result, cancellable, n):
            order.append(n)
            result.set_int(n)

        jobs = [executor.submit(job, n) for n in range(4)]
        Coro.run(Coro.gather(jobs, Coro.GatherFlags.NONE))
        self.assertEqual(order, [0, 1, 2, 3])
        executor.shutdown(True, False)
        self.assertTrue(executor.is_shutdown())
        del jobs


if __name__ == '__main__':
    run_tests()
