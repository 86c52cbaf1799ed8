#!/usr/bin/python3
# test_coro.py: Coro through PyGObject
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing into the build tree and
# CORO_OVERRIDES_DIR at gir/overrides. Any exception, any GLib critical (G_DEBUG makes them
# fatal) and any future still alive after a test fails the run.

import gc
import threading
import time

from coro_testing import Coro, CoroTestCase, GLib, GObject, Gio, is_error, run_tests


class TestIssueSnippet(CoroTestCase):
    """The calls every binding must support, as written in the core issue."""

    def test_snippet(self):
        t0 = time.monotonic()
        Coro.run(Coro.sleep(0.2))
        self.assertAlmostEqual(time.monotonic() - t0, 0.2, delta=0.15)

        fut = Coro.Future.new()
        seen = []
        fut.add_done_callback(lambda f: seen.append(f.get_int()))
        Coro.Loop.get_default().call_later(0.1, lambda: fut.set_int(7))
        Coro.run(fut)
        self.assertEqual(seen, [7])
        self.assertEqual(fut.get_int(), 7)

        t0 = time.monotonic()
        Coro.run(Coro.gather([Coro.sleep(0.1), Coro.sleep(0.2)], Coro.GatherFlags.NONE))
        self.assertAlmostEqual(time.monotonic() - t0, 0.2, delta=0.15)

        with self.assertRaises(GLib.Error) as cm:
            Coro.run(Coro.wait_for(Coro.sleep(10), 0.1))
        self.assertTrue(cm.exception.matches(Coro.error_quark(), Coro.Error.TIMEOUT))

        s = Coro.sleep(10)
        self.assertTrue(s.cancel('stop') and s.cancelled() and s.done())
        del s, fut


class TestLoop(CoroTestCase):
    def test_default_and_context(self):
        self.assertIs(Coro.Loop.get_default(), self.loop)
        self.assertIs(Coro.Loop.get_for_context(None), self.loop)
        self.assertEqual(self.loop.get_context(), GLib.MainContext.default())
        ctx = GLib.MainContext.new()
        other = Coro.Loop.get_for_context(ctx)
        self.assertIsNot(other, self.loop)
        self.assertIs(Coro.Loop.get_for_context(ctx), other)
        self.assertEqual(other.get_context(), ctx)

    def test_call_soon_order_and_handle(self):
        order = []
        self.loop.call_soon(order.append, 1)
        h = self.loop.call_soon(order.append, 2)
        self.loop.call_soon(order.append, 3)
        self.assertFalse(h.cancelled())
        h.cancel()
        self.assertTrue(h.cancelled())
        Coro.run(Coro.sleep(0))
        self.assertEqual(order, [1, 3])

    def test_sleep_zero_is_one_pass(self):
        before = self.loop.get_pass_count()
        Coro.run(Coro.sleep(0))
        self.assertGreaterEqual(self.loop.get_pass_count() - before, 1)
        self.assertLessEqual(self.loop.get_pass_count() - before, 2)

    def test_timers_virtual_clock(self):
        self.virtual()
        order = []
        start = self.loop.time()
        h = self.loop.call_later(3, lambda: order.append(('later', self.loop.time() - start)))
        self.assertAlmostEqual(h.when(), start + 3, places=6)
        self.loop.call_at(start + 1, lambda: order.append(('at', self.loop.time() - start)))
        self.loop.call_later(2, lambda: order.append(('cancelled', 0))).cancel()
        t0 = time.monotonic()
        Coro.run(Coro.sleep(3600))
        self.assertLess(time.monotonic() - t0, 1.0)
        self.assertAlmostEqual(self.loop.time() - start, 3600, places=6)
        self.assertEqual([name for name, _ in order], ['at', 'later'])
        self.assertAlmostEqual(order[0][1], 1, places=6)
        self.assertAlmostEqual(order[1][1], 3, places=6)

    def test_sleep_until(self):
        self.virtual()
        start = self.loop.time()
        Coro.run(Coro.sleep_until(start + 5))
        self.assertAlmostEqual(self.loop.time(), start + 5, places=6)

    def test_call_soon_threadsafe(self):
        fut = Coro.Future.new()
        seen = []

        def deliver():
            seen.append(threading.current_thread() is threading.main_thread())
            fut.set_string('from thread')

        thread = threading.Thread(target=lambda: self.loop.call_soon_threadsafe(deliver))
        thread.start()
        Coro.run(fut)
        thread.join()
        self.assertEqual(seen, [True])
        self.assertEqual(fut.get_string(), 'from thread')


class TestFuture(CoroTestCase):
    def test_typed_results(self):
        cases = [
            ('set_int', 'get_int', -(2 ** 40)),
            ('set_double', 'get_double', 2.5),
            ('set_boolean', 'get_boolean', True),
            ('set_string', 'get_string', 'héllo'),
        ]
        for setter, getter, value in cases:
            fut = Coro.Future.new()
            self.assertFalse(fut.done())
            self.assertTrue(getattr(fut, setter)(value))
            self.assertTrue(fut.done())
            self.assertFalse(fut.cancelled())
            self.assertEqual(getattr(fut, getter)(), value)
            self.assertIsNone(fut.get_error())
            self.assertTrue(fut.propagate())

    def test_boolean_and_double_setters(self):
        fut = Coro.Future.new()
        self.assertTrue(fut.set_boolean(False))
        self.assertIs(fut.get_boolean(), False)
        with self.assertRaises(GLib.Error) as cm:
            fut.get_double()
        self.assertTrue(is_error(cm.exception, Coro.Error.RESULT_TYPE))
        with self.assertRaises(GLib.Error) as cm:
            fut.set_double(1.0)
        self.assertTrue(is_error(cm.exception, Coro.Error.INVALID_STATE))
        fut = Coro.Future.new()
        self.assertTrue(fut.set_double(-0.125))
        self.assertEqual(fut.get_double(), -0.125)
        with self.assertRaises(GLib.Error) as cm:
            fut.set_boolean(True)
        self.assertTrue(is_error(cm.exception, Coro.Error.INVALID_STATE))

    def test_none_object_value(self):
        fut = Coro.Future.new()
        self.assertTrue(fut.set_none())
        self.assertTrue(fut.propagate())
        obj = Gio.SimpleAction.new('act', None)
        fut = Coro.Future.new_for_loop(self.loop)
        self.assertIs(fut.get_loop(), self.loop)
        fut.set_object(obj)
        self.assertIs(fut.get_object(), obj)
        fut = Coro.Future.new()
        value = GObject.Value(GObject.TYPE_UINT, 42)
        fut.set_value(value)
        self.assertEqual(fut.get_value(), 42)

    def test_wrong_type_and_state(self):
        fut = Coro.Future.new()
        with self.assertRaises(GLib.Error) as cm:
            fut.get_int()
        self.assertTrue(is_error(cm.exception, Coro.Error.INVALID_STATE))
        fut.set_int(1)
        with self.assertRaises(GLib.Error) as cm:
            fut.get_string()
        self.assertTrue(is_error(cm.exception, Coro.Error.RESULT_TYPE))
        with self.assertRaises(GLib.Error) as cm:
            fut.set_int(2)
        self.assertTrue(is_error(cm.exception, Coro.Error.INVALID_STATE))
        self.assertFalse(fut.cancel('late'))

    def test_error(self):
        fut = Coro.Future.new()
        err = GLib.Error.new_literal(Gio.io_error_quark(), 'gone', Gio.IOErrorEnum.NOT_FOUND)
        fut.set_error(err)
        self.assertTrue(fut.done())
        self.assertTrue(fut.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))
        with self.assertRaises(GLib.Error) as cm:
            fut.get_int()
        self.assertEqual(cm.exception.message, 'gone')
        with self.assertRaises(GLib.Error):
            fut.propagate()
        with self.assertRaises(GLib.Error):
            Coro.run(fut)

    def test_cancel(self):
        fut = Coro.Future.new()
        self.assertTrue(fut.cancel('because'))
        self.assertFalse(fut.cancel('again'))
        self.assertTrue(fut.cancelled() and fut.done())
        with self.assertRaises(GLib.Error) as cm:
            fut.get_double()
        self.assertTrue(is_error(cm.exception, Coro.Error.CANCELLED))
        self.assertIn('because', cm.exception.message)
        self.assertTrue(fut.get_error().matches(Coro.error_quark(), Coro.Error.CANCELLED))

    def test_callbacks_deferred_in_order_once(self):
        fut = Coro.Future.new()
        seen = []
        for i in range(3):
            fut.add_done_callback(lambda f, i=i: seen.append(i))
        fut.set_int(0)
        self.assertEqual(seen, [])  # deferred to the loop
        Coro.run(fut)
        self.assertEqual(seen, [0, 1, 2])
        fut.add_done_callback(lambda f, extra: seen.append(extra), 'late')
        Coro.run(Coro.sleep(0))
        Coro.run(Coro.sleep(0))
        self.assertEqual(seen, [0, 1, 2, 'late'])

    def test_callback_future_outlives_callback(self):
        fut = Coro.Future.new()
        kept = []
        fut.add_done_callback(kept.append)
        fut.set_string('kept')
        Coro.run(fut)
        del fut
        gc.collect()
        self.assertEqual(kept[0].get_string(), 'kept')
        del kept

    def test_remove_done_callback(self):
        fut = Coro.Future.new()
        seen = []

        def cb(f):
            seen.append('cb')

        fut.add_done_callback(cb)
        fut.add_done_callback(cb)
        other = fut.add_done_callback(lambda f: seen.append('other'))
        third = fut.add_done_callback(lambda f: seen.append('third'))
        self.assertEqual(fut.remove_done_callback(cb), 2)
        self.assertEqual(fut.remove_done_callback(cb), 0)
        self.assertEqual(fut.remove_done_callback(third), 1)
        self.assertEqual(fut.remove_done_callback(third), 0)
        self.assertGreater(other, 0)
        fut.set_none()
        Coro.run(fut)
        self.assertEqual(seen, ['other'])


class TestCombinators(CoroTestCase):
    def test_gather_results_in_order(self):
        self.virtual()
        a, b = Coro.Future.new(), Coro.Future.new()
        self.loop.call_later(2, lambda: a.set_int(1))
        self.loop.call_later(1, lambda: b.set_string('two'))
        g = Coro.gather([a, b], Coro.GatherFlags.NONE)
        Coro.run(g)
        children = g.get_futures()
        self.assertEqual([children[0].get_int(), children[1].get_string()], [1, 'two'])

    def test_gather_errors(self):
        self.virtual()
        bad = Coro.Future.new()
        bad.set_error(GLib.Error.new_literal(Coro.error_quark(), 'bad', Coro.Error.FAILED))
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(Coro.gather([Coro.sleep(1), bad], Coro.GatherFlags.NONE))
        self.assertEqual(cm.exception.message, 'bad')
        g = Coro.gather([Coro.sleep(1), bad], Coro.GatherFlags.RETURN_EXCEPTIONS)
        Coro.run(g)
        children = g.get_futures()
        self.assertIsNone(children[0].get_error())
        self.assertEqual(children[1].get_error().message, 'bad')
        slow = Coro.sleep(100)
        with self.assertRaises(GLib.Error):
            Coro.run(Coro.gather([slow, bad], Coro.GatherFlags.CANCEL_ON_ERROR))
        Coro.run(Coro.sleep(0))
        self.assertTrue(slow.cancelled())

    def test_gather_cancel_cancels_children(self):
        child = Coro.sleep(10)
        g = Coro.gather([child], Coro.GatherFlags.NONE)
        self.assertTrue(g.cancel(None))
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(g)
        self.assertTrue(is_error(cm.exception, Coro.Error.CANCELLED))
        self.assertTrue(child.cancelled())

    def test_wait_for(self):
        self.virtual()
        start = self.loop.time()
        inner = Coro.sleep(10)
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(Coro.wait_for(inner, 2))
        self.assertTrue(is_error(cm.exception, Coro.Error.TIMEOUT))
        self.assertTrue(inner.cancelled())
        self.assertAlmostEqual(self.loop.time() - start, 2, places=6)
        fut = Coro.Future.new()
        self.loop.call_later(1, lambda: fut.set_int(5))
        w = Coro.wait_for(fut, 2)
        Coro.run(w)
        self.assertEqual(w.get_int(), 5)

    def test_shield(self):
        self.virtual()
        inner = Coro.Future.new()
        shield = Coro.shield(inner)
        self.assertTrue(shield.cancel('outer'))
        with self.assertRaises(GLib.Error):
            Coro.run(shield)
        self.assertFalse(inner.cancelled())
        inner.set_int(3)
        shield = Coro.shield(inner)
        Coro.run(shield)
        self.assertEqual(shield.get_int(), 3)

    def test_run_in_executor(self):
        def blocking(result, cancellable, factor):
            result.set_int(6 * factor)

        job = Coro.run_in_executor(blocking, 7)
        Coro.run(job)
        self.assertEqual(job.get_int(), 42)

        def failing(result, cancellable):
            result.set_error(GLib.Error.new_literal(Coro.error_quark(), 'nope', Coro.Error.FAILED))

        with self.assertRaises(GLib.Error) as cm:
            Coro.run(Coro.run_in_executor(failing))
        self.assertEqual(cm.exception.message, 'nope')


class TestTasks(CoroTestCase):
    def test_no_current_task_outside(self):
        self.assertIsNone(Coro.current_task())
        self.assertEqual(Coro.all_tasks(), [])

    def test_errors_enum(self):
        self.assertEqual(Coro.Error.quark(), Coro.error_quark())
        for name in ('FAILED', 'CANCELLED', 'TIMEOUT', 'INVALID_STATE', 'RESULT_TYPE'):
            self.assertTrue(hasattr(Coro.Error, name), name)
        self.assertEqual(int(Coro.GatherFlags.RETURN_EXCEPTIONS), 1)
        self.assertEqual(int(Coro.GatherFlags.CANCEL_ON_ERROR), 2)


class TestLocks(CoroTestCase):
    def test_lock(self):
        lock = Coro.Lock.new()
        first = lock.acquire()
        self.assertTrue(first.done() and lock.locked())
        second = lock.acquire()
        self.assertFalse(second.done())
        window = []

        def release():
            lock.release()
            # Handed to the waiter, which has not looked yet: free, as asyncio shows it,
            # yet the waiter's (a second release fails).
            window.append(lock.locked())
            try:
                lock.release()
            except GLib.Error as e:
                window.append(is_error(e, Coro.Error.INVALID_STATE))

        self.loop.call_later(0.05, release)
        Coro.run(second)
        self.assertEqual(window, [False, True])
        self.assertTrue(lock.locked())
        lock.release()
        self.assertFalse(lock.locked())
        with self.assertRaises(GLib.Error) as cm:
            lock.release()
        self.assertTrue(is_error(cm.exception, Coro.Error.INVALID_STATE))
        del first, second

    def test_lock_wait_for_timeout(self):
        self.virtual()
        lock = Coro.Lock()
        held = lock.acquire()
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(Coro.wait_for(lock.acquire(), 1))
        self.assertTrue(is_error(cm.exception, Coro.Error.TIMEOUT))
        lock.release()
        self.assertFalse(lock.locked())
        del held

    def test_event(self):
        event = Coro.Event.new()
        self.assertFalse(event.is_set())
        waits = [event.wait(), event.wait()]
        self.loop.call_soon(event.set)
        Coro.run(Coro.gather(waits, Coro.GatherFlags.NONE))
        self.assertTrue(all(w.get_boolean() for w in waits))
        self.assertTrue(event.wait().done())
        event.clear()
        self.assertFalse(event.is_set())
        late = event.wait()
        event.set()
        self.assertTrue(event.is_set())
        Coro.run(late)
        self.assertTrue(late.get_boolean())

    def test_condition(self):
        cond = Coro.Condition.new(None)
        self.assertIsInstance(cond.get_lock(), Coro.Lock)
        Coro.run(cond.acquire())
        wait = cond.wait()

        def notify():
            # The wait released the lock: it is taken at once.
            self.assertTrue(cond.acquire().done())
            cond.notify(1)
            cond.release()

        self.loop.call_later(0.05, notify)
        Coro.run(wait)
        self.assertTrue(wait.get_boolean())
        self.assertTrue(cond.locked())
        cond.notify_all()
        cond.release()
        with self.assertRaises(GLib.Error):
            cond.notify(1)

    def test_condition_wait_for(self):
        cond = Coro.Condition.new(Coro.Lock.new())
        state = {'n': 0}

        def bump():
            self.assertTrue(cond.acquire().done())
            state['n'] += 1
            cond.notify_all()
            cond.release()
            if state['n'] < 3:
                self.loop.call_later(0.01, bump)

        Coro.run(cond.acquire())
        self.loop.call_later(0.01, bump)
        Coro.run(cond.wait_for(lambda: state['n'] >= 3))
        self.assertEqual(state['n'], 3)
        cond.release()

    def test_semaphores(self):
        sem = Coro.Semaphore.new(1)
        a = sem.acquire()
        self.assertTrue(a.done() and sem.locked())
        self.assertEqual(sem.get_value(), 0)
        sem.release()
        sem.release()
        self.assertEqual(sem.get_value(), 2)
        bounded = Coro.BoundedSemaphore.new(1)
        self.assertIsInstance(bounded, Coro.Semaphore)
        with self.assertRaises(GLib.Error) as cm:
            bounded.release()
        self.assertTrue(is_error(cm.exception, Coro.Error.INVALID_STATE))
        del a

    def test_barrier(self):
        barrier = Coro.Barrier.new(2)
        self.assertEqual(barrier.get_parties(), 2)
        first = barrier.wait()
        self.assertEqual(barrier.get_n_waiting(), 1)
        second = barrier.wait()
        self.assertEqual((first.get_int(), second.get_int()), (0, 1))
        waiting = barrier.wait()
        barrier.abort()
        self.assertTrue(barrier.get_broken())
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(waiting)
        self.assertTrue(is_error(cm.exception, Coro.Error.BROKEN_BARRIER))
        barrier.reset()
        self.assertFalse(barrier.get_broken())


class TestQueues(CoroTestCase):
    def test_queue(self):
        queue = Coro.Queue.new(2)
        self.assertEqual(queue.get_maxsize(), 2)
        Coro.run(queue.put_int(1))
        queue.put_string_nowait('two')
        self.assertTrue(queue.full())
        with self.assertRaises(GLib.Error) as cm:
            queue.put_int_nowait(3)
        self.assertTrue(is_error(cm.exception, Coro.Error.QUEUE_FULL))
        self.assertEqual(queue.qsize(), 2)
        first = queue.get()
        Coro.run(first)
        self.assertEqual(first.get_int(), 1)
        self.assertEqual(queue.get_nowait().get_string(), 'two')
        self.assertTrue(queue.empty())
        with self.assertRaises(GLib.Error) as cm:
            queue.get_nowait()
        self.assertTrue(is_error(cm.exception, Coro.Error.QUEUE_EMPTY))

    def test_queue_handed_item_keeps_its_place(self):
        queue = Coro.Queue.new(1)
        getter = queue.get()
        queue.put_int_nowait(1)
        # Handed straight to the getter: not in qsize, but it holds its place until seen.
        self.assertEqual(queue.qsize(), 0)
        self.assertTrue(queue.full())
        with self.assertRaises(GLib.Error) as cm:
            queue.put_int_nowait(2)
        self.assertTrue(is_error(cm.exception, Coro.Error.QUEUE_FULL))
        self.assertEqual(getter.get_int(), 1)
        self.assertFalse(queue.full())
        queue.put_int_nowait(2)
        self.assertEqual(queue.qsize(), 1)

    def test_string_and_value_items(self):
        queue = Coro.Queue.new(2)
        value = GObject.Value(GObject.TYPE_UINT, 42)
        self.assertTrue(queue.put_string('text').done())
        Coro.run(queue.put_value(value))
        self.assertEqual(queue.qsize(), 2)
        blocked = queue.put_string('late')
        self.assertFalse(blocked.done())
        self.assertEqual(queue.get_nowait().get_string(), 'text')
        Coro.run(blocked)
        self.assertEqual(queue.get_nowait().get_value(), 42)
        self.assertEqual(queue.get_nowait().get_string(), 'late')
        self.assertTrue(queue.empty())

    def test_handoff_join_shutdown(self):
        queue = Coro.Queue.new(0)
        getter = queue.get()
        self.loop.call_later(0.05, lambda: queue.put_value_nowait(GObject.Value(GObject.TYPE_STRING, 'v')))
        Coro.run(getter)
        self.assertEqual(getter.get_value(), 'v')
        join = queue.join()
        self.assertFalse(join.done())
        queue.task_done()
        Coro.run(join)
        with self.assertRaises(GLib.Error):
            queue.task_done()
        waiting = queue.get()
        queue.shutdown(False)
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(waiting)
        self.assertTrue(is_error(cm.exception, Coro.Error.QUEUE_SHUT_DOWN))
        with self.assertRaises(GLib.Error):
            queue.put_int_nowait(1)

    def test_priority_and_lifo(self):
        pq = Coro.PriorityQueue.new(0)
        for n in (5, 1, 3):
            pq.put_int_nowait(n)
        self.assertEqual([pq.get_nowait().get_int() for _ in range(3)], [1, 3, 5])
        lifo = Coro.LifoQueue.new(0)
        for n in (1, 2, 3):
            lifo.put_int_nowait(n)
        self.assertEqual([lifo.get_nowait().get_int() for _ in range(3)], [3, 2, 1])
        pq.shutdown(True)

    def test_priority_values(self):
        # asyncio's put((priority, item)): the priority first, then arrival order
        pq = Coro.PriorityQueue.new(2)
        put = pq.put_value_with_priority(5, 'low')
        self.assertTrue(put.done())
        self.assertTrue(pq.put_value_with_priority_nowait(-1, 'urgent'))
        with self.assertRaises(GLib.Error) as caught:
            pq.put_value_with_priority_nowait(0, 'refused')
        self.assertTrue(is_error(caught.exception, Coro.Error.QUEUE_FULL))
        waiting = pq.put_value_with_priority(5, 'later')
        self.assertFalse(waiting.done())
        self.assertEqual([pq.get_nowait().get_value() for _ in range(3)],
                         ['urgent', 'low', 'later'])
        self.assertTrue(waiting.done())


class TestResultType(CoroTestCase):
    """Coro.Future.get_result_type(): which getter reads a done future."""

    def test_result_types(self):
        fut = Coro.Future.new()
        self.assertEqual(fut.get_result_type(), Coro.ResultType.INVALID)
        fut.set_none()
        self.assertEqual(fut.get_result_type(), Coro.ResultType.NONE)
        for setter, value, kind in (('set_int', 3, Coro.ResultType.INT),
                                    ('set_double', 0.5, Coro.ResultType.DOUBLE),
                                    ('set_boolean', False, Coro.ResultType.BOOLEAN),
                                    ('set_string', 'x', Coro.ResultType.STRING),
                                    ('set_object', Gio.SimpleAction.new('a', None),
                                     Coro.ResultType.OBJECT),
                                    ('set_value', GObject.Value(GObject.TYPE_UINT, 4),
                                     Coro.ResultType.VALUE)):
            fut = Coro.Future.new()
            getattr(fut, setter)(value)
            self.assertEqual(fut.get_result_type(), kind)
        fut = Coro.Future.new()
        fut.set_error(GLib.Error.new_literal(Coro.error_quark(), 'no', Coro.Error.FAILED))
        self.assertEqual(fut.get_result_type(), Coro.ResultType.INVALID)
        self.assertIsNotNone(fut.get_error())
        fut = Coro.Future.new()
        fut.cancel(None)
        self.assertEqual(fut.get_result_type(), Coro.ResultType.INVALID)
        gather = Coro.gather([Coro.sleep(0), Coro.sleep(0)], Coro.GatherFlags.NONE)
        Coro.run(gather)
        self.assertEqual(gather.get_result_type(), Coro.ResultType.FUTURES)

    def test_await_results(self):
        # The override reads results by their type: no value is None, a gather a list.
        async def main():
            none = Coro.Future.new()
            none.set_none()
            falsy = Coro.Future.new()
            falsy.set_int(0)
            return [await none, await falsy,
                    await Coro.gather([Coro.sleep(0), Coro.sleep(0)], Coro.GatherFlags.NONE)]

        self.assertEqual(Coro.run(main()), [None, 0, [None, None]])


if __name__ == '__main__':
    run_tests()
