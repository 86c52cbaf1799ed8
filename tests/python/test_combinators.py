#!/usr/bin/python3
# test_combinators.py: wait, as_completed, timeout scopes and task groups through PyGObject
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson like test_coro.py. Python cannot write task steps yet, so these tests use
# sleeps and futures the test completes itself.

import math

from coro_testing import Coro, CoroTestCase, GLib, is_error, run_tests


class CombinatorTestCase(CoroTestCase):
    virtual_clock = True

    def later(self, delay, value=None, error=None):
        fut = Coro.Future.new()

        def fire():
            if not fut.done():
                if error is not None:
                    fut.set_error(GLib.Error.new_literal(Coro.error_quark(), error, Coro.Error.FAILED))
                else:
                    fut.set_int(value)
        self.loop.call_later(delay, fire)
        return fut


class TestWait(CombinatorTestCase):
    def test_first_completed(self):
        t0 = self.loop.time()
        a, b = Coro.sleep(10), self.later(1, 2)
        w = Coro.wait([a, b], -1, Coro.WaitMode.FIRST_COMPLETED)
        Coro.run(w)
        self.assertAlmostEqual(self.loop.time() - t0, 1)
        done, pending = w.get_done_futures(), w.get_pending_futures()
        self.assertEqual([f.get_int() for f in done], [2])
        self.assertEqual(len(pending), 1)
        self.assertFalse(pending[0].done())
        pending[0].cancel(None)

    def test_all_and_first_exception(self):
        bad = self.later(1, error='bad')
        w = Coro.wait([Coro.sleep(2), bad, Coro.sleep(5)], -1, Coro.WaitMode.FIRST_EXCEPTION)
        Coro.run(w)
        self.assertEqual(w.get_done_futures(), [bad])
        self.assertEqual(len(w.get_pending_futures()), 2)
        self.assertEqual(bad.get_error().message, 'bad')
        w = Coro.wait([Coro.sleep(1), Coro.sleep(2)], -1, Coro.WaitMode.ALL_COMPLETED)
        Coro.run(w)
        self.assertEqual(len(w.get_done_futures()), 2)

    def test_timeout_cancels_nothing(self):
        t0 = self.loop.time()
        s = Coro.sleep(10)
        w = Coro.wait([s], 3, Coro.WaitMode.ALL_COMPLETED)
        Coro.run(w)
        self.assertAlmostEqual(self.loop.time() - t0, 3)
        self.assertEqual(w.get_done_futures(), [])
        self.assertFalse(s.done())
        s.cancel(None)

    def test_empty_and_wrong_future(self):
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(Coro.wait([], -1, Coro.WaitMode.ALL_COMPLETED))
        self.assertTrue(is_error(cm.exception, Coro.Error.INVALID_STATE))
        with self.assertRaises(GLib.Error) as cm:
            Coro.Future.new().get_done_futures()
        self.assertTrue(is_error(cm.exception, Coro.Error.INVALID_STATE))


class TestAsCompleted(CombinatorTestCase):
    def test_order_and_timeout(self):
        fs = [self.later(3, 3), self.later(1, 1), self.later(2, 2), Coro.sleep(100)]
        it = Coro.as_completed(fs, 5)
        got = []
        while it.has_next():
            nxt = it.next()
            try:
                Coro.run(nxt)
                got.append(nxt.get_future().get_int())
            except GLib.Error as e:
                self.assertTrue(is_error(e, Coro.Error.TIMEOUT))
                got.append('timeout')
        self.assertEqual(got, [1, 2, 3, 'timeout'])
        self.assertIsNone(it.next())
        self.assertEqual(it.get_n_left(), 0)
        self.assertFalse(fs[3].done())
        fs[3].cancel(None)

    def test_originals(self):
        a = self.later(1, 7)
        it = Coro.as_completed([a], -1)
        nxt = it.next()
        Coro.run(nxt)
        self.assertEqual(nxt.get_future(), a)
        self.assertEqual(nxt.get_future().get_int(), 7)


class TestTimeout(CombinatorTestCase):
    def test_when_expired_reschedule(self):
        t = Coro.Timeout.new(10)
        self.assertAlmostEqual(t.when(), self.loop.time() + 10)
        self.assertFalse(t.expired())
        with self.assertRaises(GLib.Error) as cm:
            t.reschedule(5)
        self.assertTrue(is_error(cm.exception, Coro.Error.INVALID_STATE))
        self.assertIn('not been entered', cm.exception.message)
        with self.assertRaises(GLib.Error) as cm:
            t.enter(None)
        self.assertIn('task', cm.exception.message)
        with self.assertRaises(GLib.Error) as cm:
            t.exit(GLib.Error.new_literal(Coro.error_quark(), 'x', Coro.Error.FAILED))
        self.assertIn('not been entered', cm.exception.message)
        self.assertTrue(math.isinf(Coro.Timeout.new(math.inf).when()))
        self.assertEqual(Coro.Timeout.new_at(42.0).when(), 42.0)


class TestTaskGroup(CombinatorTestCase):
    def test_success(self):
        g = Coro.TaskGroup.new()
        self.assertIsNone(g.get_parent())
        g.add(Coro.sleep(1))
        g.add(Coro.sleep(2))
        self.assertEqual(g.get_n_tasks(), 2)
        Coro.run(g.join())
        self.assertEqual(g.get_n_errors(), 0)
        with self.assertRaises(GLib.Error) as cm:
            g.add(Coro.sleep(1))
        self.assertTrue(is_error(cm.exception, Coro.Error.INVALID_STATE))

    def test_failure_cancels_and_reports(self):
        g = Coro.TaskGroup.new()
        slow = Coro.sleep(10)
        g.add(slow)
        g.add(self.later(1, error='one'))
        g.add(self.later(1, error='two'))
        w = g.join()
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(w)
        self.assertTrue(is_error(cm.exception, Coro.Error.TASK_GROUP))
        self.assertIn('2 sub-errors', cm.exception.message)
        self.assertTrue(slow.cancelled())
        self.assertEqual([g.get_error(i).message for i in range(g.get_n_errors())], ['one', 'two'])

    def test_body_error(self):
        g = Coro.TaskGroup.new()
        s = Coro.sleep(10)
        g.add(s)
        body = GLib.Error.new_literal(Coro.error_quark(), 'body', Coro.Error.FAILED)
        with self.assertRaises(GLib.Error):
            Coro.run(g.wait(body))
        self.assertTrue(s.cancelled())
        self.assertEqual(g.get_error(0).message, 'body')


if __name__ == '__main__':
    run_tests()
