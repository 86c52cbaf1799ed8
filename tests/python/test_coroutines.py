#!/usr/bin/python3
# test_coroutines.py: Python coroutines driven by Coro (closure tasks, gir/overrides/Coro.py)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson like test_coro.py. Any exception, any GLib critical (G_DEBUG makes them
# fatal) and any future still alive after a test fails the run.

import asyncio
import gc
import warnings
import weakref

from coro_testing import Coro, CoroTestCase, GLib, GObject, Gio, is_error, run_tests


class Marker:
    """Something a coroutine holds, to see when its closure is released."""


class CoroutineTestCase(CoroTestCase):
    virtual_clock = True


class TestRun(CoroutineTestCase):
    def test_run_returns_the_value(self):
        async def main():
            await Coro.sleep(1)
            return 42

        self.assertEqual(Coro.run(main()), 42)
        self.assertAlmostEqual(self.elapsed(), 1, places=6)

    def test_run_raises_the_exception_itself(self):
        class Boom(Exception):
            pass

        async def main():
            await Coro.sleep(1)
            raise Boom('boom')

        with self.assertRaises(Boom) as cm:
            Coro.run(main())
        self.assertEqual(str(cm.exception), 'boom')

    def test_run_of_a_future_is_unchanged(self):
        self.assertTrue(Coro.run(Coro.sleep(0)))

    def test_run_raises_glib_errors(self):
        async def main():
            await Coro.wait_for(Coro.sleep(10), 1)

        with self.assertRaises(Coro.TimeoutError) as cm:
            Coro.run(main())
        self.assertTrue(is_error(cm.exception, Coro.Error.TIMEOUT))
        self.assertIsInstance(cm.exception, TimeoutError)

    def test_run_rejects_what_is_not_a_coroutine(self):
        async def main():
            pass

        with self.assertRaises(TypeError):
            Coro.run(42)
        with self.assertRaisesRegex(TypeError, 'call it'):
            Coro.run(main)
        with self.assertRaisesRegex(TypeError, 'call it'):
            Coro.create_task(main)


class TestAwait(CoroutineTestCase):
    def test_await_futures_of_every_result_type(self):
        obj = Gio.SimpleAction.new('a', None)
        values = [7, 2.5, True, 'text', None, obj]

        def future_of(value):
            f = Coro.Future.new()
            setters = {int: f.set_int, float: f.set_double, bool: f.set_boolean,
                       str: f.set_string}
            if value is None:
                f.set_none()
            elif isinstance(value, GObject.Object):
                f.set_object(value)
            else:
                setters[type(value)](value)
            return f

        async def main():
            return [await future_of(v) for v in values]

        got = Coro.run(main())
        self.assertEqual(got, values)
        self.assertIs(got[5], obj)

    def test_await_future_completed_later(self):
        fut = Coro.Future.new()
        self.loop.call_later(2, lambda: fut.set_string('late'))

        async def main():
            return await fut

        self.assertEqual(Coro.run(main()), 'late')
        self.assertAlmostEqual(self.elapsed(), 2, places=6)

    def test_await_error_raises_it(self):
        fut = Coro.Future.new()
        fut.set_error(GLib.Error.new_literal(Gio.io_error_quark(), 'gone', Gio.IOErrorEnum.NOT_FOUND))

        async def main():
            try:
                await fut
            except GLib.Error as e:
                return (e.domain, e.code, e.message)

        self.assertEqual(Coro.run(main()), ('g-io-error-quark', Gio.IOErrorEnum.NOT_FOUND, 'gone'))

    def test_await_cancelled_future(self):
        fut = Coro.Future.new()
        fut.cancel('why')

        async def main():
            try:
                await fut
            except asyncio.CancelledError as e:
                self.assertIsInstance(e, GLib.Error)
                self.assertIsInstance(e, Coro.CancelledError)
                return e.message

        self.assertEqual(Coro.run(main()), 'why')

    def test_await_done_future_takes_no_pass(self):
        async def main():
            passes = self.loop.get_pass_count()
            for i in range(100):
                f = Coro.Future.new()
                f.set_int(i)
                await f
            return self.loop.get_pass_count() - passes

        self.assertEqual(Coro.run(main()), 0)

    def test_await_what_coro_cannot_wait_for(self):
        class Odd:
            def __await__(self):
                yield 'not a future'

        async def main():
            try:
                await Odd()
            except TypeError as e:
                return str(e)

        self.assertIn('cannot await', Coro.run(main()))

    def test_nested_coroutines(self):
        async def leaf(n):
            await Coro.sleep(1)
            return n

        async def middle(n):
            return await leaf(n) + await leaf(n)

        async def main():
            return await middle(3) + await Coro.create_task(middle(4))

        self.assertEqual(Coro.run(main()), 14)
        self.assertAlmostEqual(self.elapsed(), 4, places=6)

    def test_future_result(self):
        f = Coro.Future.new()
        f.set_int(3)
        self.assertEqual(f.result(), 3)
        g = Coro.Future.new()
        g.cancel()
        with self.assertRaises(Coro.CancelledError):
            g.result()


class TestTasks(CoroutineTestCase):
    def test_create_task_is_a_coro_task(self):
        async def child():
            self.assertIsNotNone(Coro.current_task())
            await Coro.sleep(1)
            return 'child'

        async def main():
            task = Coro.create_task(child(), name='kid')
            self.assertTrue(task.is_task())
            self.assertEqual(Coro.task_get_name(task), 'kid')
            self.assertFalse(task.done())
            result = await task
            self.assertTrue(task.done())
            return result, task.get_string()

        self.assertEqual(Coro.run(main()), ('child', 'child'))

    def test_return_types(self):
        obj = Gio.SimpleAction.new('a', None)
        values = [None, True, False, 0, -5, 2 ** 62, 2 ** 70, 1.5, 'str', obj,
                  {'k': [1, 2]}, (1, 'two')]

        async def give(value):
            await Coro.sleep(0)
            return value

        async def main():
            tasks = [Coro.create_task(give(v)) for v in values]
            return [await t for t in tasks], tasks

        got, tasks = Coro.run(main())
        self.assertEqual(got, values)
        self.assertIs(got[9], obj)
        # The typed results are readable from C's point of view too.
        self.assertEqual(tasks[4].get_int(), -5)
        self.assertEqual(tasks[7].get_double(), 1.5)
        self.assertEqual(tasks[8].get_string(), 'str')
        self.assertTrue(tasks[1].get_boolean())
        self.assertIs(tasks[9].get_object(), obj)
        self.assertEqual(tasks[6].result(), 2 ** 70)
        del tasks

    def test_errors_become_the_task_error(self):
        async def glib_error():
            await Coro.sleep(0)
            raise GLib.Error.new_literal(Coro.error_quark(), 'mine', Coro.Error.LIMIT_OVERRUN)

        async def value_error():
            raise ValueError('boom')

        async def main():
            t1 = Coro.create_task(glib_error())
            t2 = Coro.create_task(value_error())
            out = []
            for t in (t1, t2):
                try:
                    await t
                except GLib.Error as e:
                    out.append((e.code, e.message))
                except ValueError as e:
                    self.assertEqual(str(e), 'boom')
                    self.assertEqual(t.get_error().message, 'ValueError: boom')
            return out

        self.assertEqual(Coro.run(main()), [(Coro.Error.LIMIT_OVERRUN, 'mine')])

    def test_original_exception_through_the_task(self):
        class Boom(Exception):
            pass

        async def boom():
            await Coro.sleep(0)
            raise Boom('boom')

        async def main():
            task = Coro.create_task(boom())
            try:
                await task
            except Boom as e:
                first = str(e)
            with self.assertRaises(Boom):
                task.result()
            # Another view of the task (from gather) only has the GLib.Error.
            results = await Coro.gather(task, return_exceptions=True)
            return first, results[0].code, results[0].message

        self.assertEqual(Coro.run(main()), ('boom', Coro.Error.FAILED, 'Boom: boom'))

    def test_cancel_while_awaiting_throws_into_the_coroutine(self):
        seen = []

        async def sleeper():
            try:
                await Coro.sleep(3600)
            except asyncio.CancelledError as e:
                seen.append(('cancelled', e.message))
                raise
            finally:
                seen.append('finally')

        async def main():
            task = Coro.create_task(sleeper())
            await Coro.sleep(1)
            self.assertTrue(task.cancel('stop'))
            try:
                await task
            except Coro.CancelledError as e:
                seen.append(('main', e.message))
            return task

        task = Coro.run(main())
        self.assertEqual(seen, [('cancelled', 'stop'), 'finally', ('main', 'stop')])
        self.assertTrue(task.cancelled())
        self.assertAlmostEqual(self.elapsed(), 1, places=6)
        del task

    def test_cancel_caught_and_carried_on(self):
        async def stubborn():
            try:
                await Coro.sleep(3600)
            except asyncio.CancelledError:
                Coro.task_uncancel(Coro.current_task())
            await Coro.sleep(1)
            return 'carried on'

        async def main():
            task = Coro.create_task(stubborn())
            await Coro.sleep(1)
            task.cancel()
            return await task

        self.assertEqual(Coro.run(main()), 'carried on')
        self.assertAlmostEqual(self.elapsed(), 2, places=6)

    def test_cancel_before_start_never_runs(self):
        ran = []

        async def never():
            ran.append(True)

        async def main():
            task = Coro.create_task(never())
            task.cancel()
            with self.assertRaises(Coro.CancelledError):
                await task

        with warnings.catch_warnings():
            warnings.simplefilter('error')  # no "coroutine was never awaited"
            Coro.run(main())
            gc.collect()
        self.assertEqual(ran, [])

    def test_cancel_from_c_side_gather(self):
        async def slow():
            await Coro.sleep(10)

        async def main():
            g = Coro.gather(slow(), slow())
            self.loop.call_later(1, lambda: g.cancel('all'))
            try:
                await g
            except Coro.CancelledError:
                return 'cancelled'

        self.assertEqual(Coro.run(main()), 'cancelled')

    def test_coroutine_raising_cancelled_error_itself(self):
        async def quitter():
            raise asyncio.CancelledError('self')

        async def main():
            task = Coro.create_task(quitter())
            try:
                await task
            except Coro.CancelledError as e:
                return task.cancelled(), e.message

        self.assertEqual(Coro.run(main()), (True, 'self'))

    def test_run_cancels_what_is_left(self):
        seen = []

        async def forever():
            try:
                await Coro.sleep(3600)
            finally:
                seen.append('cleaned up')

        async def main():
            Coro.create_task(forever())
            await Coro.sleep(1)

        Coro.run(main())
        self.assertEqual(seen, ['cleaned up'])

    def test_closure_task_function_form(self):
        calls = []

        def step(task, label):
            awaited = Coro.task_get_awaited(task)
            calls.append(label if awaited is None else awaited.done())
            if awaited is None:
                return Coro.sleep(1)
            Coro.task_return_int(task, 9)
            return None

        task = Coro.create_task(step, 'first')
        Coro.run(task)
        self.assertEqual((task.get_int(), calls), (9, ['first', True]))
        lazy = Coro.task_new(step, 'lazy')
        self.assertFalse(lazy.done())
        Coro.task_start(lazy)
        Coro.run(lazy)
        self.assertEqual(lazy.get_int(), 9)
        del task, lazy

    def test_closure_task_return_types(self):
        obj = Gio.SimpleAction.new('a', None)
        inner = Coro.Future.new()
        cases = [
            (lambda t: Coro.task_return_boolean(t, True), lambda f: f.get_boolean() is True),
            (lambda t: Coro.task_return_double(t, 0.25), lambda f: f.get_double() == 0.25),
            (lambda t: Coro.task_return_object(t, obj), lambda f: f.get_object() is obj),
            (lambda t: Coro.task_return_future(t, inner), lambda f: f.get_string() == 'inner'),
        ]
        for end, check in cases:
            def step(task):
                if Coro.task_get_awaited(task) is None:
                    return Coro.sleep(1)
                end(task)
                return None

            task = Coro.create_task(step)
            if end is cases[-1][0]:
                self.loop.call_later(2, inner.set_string, 'inner')
            Coro.run(task)
            self.assertTrue(check(task))
        self.assertAlmostEqual(self.elapsed(), 5, places=6)  # the future took 2 s more
        del task, step

    def test_closure_task_cancel_cancelling_cancellable(self):
        seen = []

        def step(task):
            awaited = Coro.task_get_awaited(task)
            if awaited is None:
                return Coro.sleep(10)
            seen.extend([awaited.cancelled(), Coro.task_cancelling(task),
                         Coro.task_uncancel(task)])
            Coro.task_return_int(task, 1)
            return None

        task = Coro.create_task(step)
        cancellable = Coro.task_get_cancellable(task)
        self.assertIsInstance(cancellable, Gio.Cancellable)
        self.assertFalse(cancellable.is_cancelled())
        self.assertEqual(Coro.task_cancelling(task), 0)

        def cancel():
            seen.extend([Coro.task_cancel(task, 'stop'), Coro.task_cancelling(task),
                         cancellable.is_cancelled()])
        self.loop.call_later(1, cancel)
        Coro.run(task)
        self.assertEqual(task.get_int(), 1)
        self.assertEqual(seen, [True, 1, True, True, 1, 0])
        self.assertFalse(Coro.task_cancel(task, 'late'))
        self.assertAlmostEqual(self.elapsed(), 1, places=6)
        del task, step

    def test_closure_task_returning_none_fails(self):
        task = Coro.create_task(lambda task: None)
        with self.assertRaises(GLib.Error) as cm:
            Coro.run(task)
        self.assertTrue(is_error(cm.exception, Coro.Error.INVALID_STATE))
        del task


class TestCombinators(CoroutineTestCase):
    def test_gather_of_coroutines_and_tasks(self):
        async def after(delay, value):
            await Coro.sleep(delay)
            return value

        async def main():
            t = Coro.create_task(after(2, 'task'))
            return await Coro.gather(after(1, 1), t, Coro.sleep(3), after(0, 2.5))

        self.assertEqual(Coro.run(main()), [1, 'task', None, 2.5])
        self.assertAlmostEqual(self.elapsed(), 3, places=6)

    def test_gather_errors(self):
        async def bad():
            await Coro.sleep(1)
            raise GLib.Error.new_literal(Coro.error_quark(), 'bad', Coro.Error.FAILED)

        async def good():
            await Coro.sleep(2)
            return 'good'

        async def main():
            try:
                await Coro.gather(good(), bad())
            except GLib.Error as e:
                first = e.message
            results = await Coro.gather(good(), bad(), return_exceptions=True)
            return first, results[0], results[1].message

        self.assertEqual(Coro.run(main()), ('bad', 'good', 'bad'))

    def test_gather_c_form_still_works(self):
        async def main():
            return await Coro.gather([Coro.sleep(1), Coro.create_task(self.seven())],
                                     Coro.GatherFlags.NONE)

        self.assertEqual(Coro.run(main()), [None, 7])

    async def seven(self):
        return 7

    def test_wait_for_coroutine(self):
        cleaned = []

        async def eternity():
            try:
                await Coro.sleep(3600)
            finally:
                cleaned.append(True)

        async def main():
            try:
                await Coro.wait_for(eternity(), timeout=1.0)
            except TimeoutError:
                return 'timeout'

        self.assertEqual(Coro.run(main()), 'timeout')
        self.assertEqual(cleaned, [True])
        self.assertAlmostEqual(self.elapsed(), 1, places=6)

        async def quick():
            return await Coro.wait_for(self.seven(), 5)

        self.assertEqual(Coro.run(quick()), 7)

    def test_shield_coroutine(self):
        async def inner():
            await Coro.sleep(2)
            return 'kept'

        async def main():
            task = Coro.create_task(inner())
            shielded = Coro.shield(task)
            shielded.cancel()
            with self.assertRaises(Coro.CancelledError):
                await shielded
            return await task

        self.assertEqual(Coro.run(main()), 'kept')


class TestRelease(CoroutineTestCase):
    def test_closure_released_after_each_ending(self):
        async def holder(marker, how):
            await Coro.sleep(1)
            if how == 'raise':
                raise ValueError(marker)
            return None

        async def main(refs):
            for how in ('return', 'raise', 'cancel', 'never'):
                marker = Marker()
                refs.append(weakref.ref(marker))
                task = Coro.create_task(holder(marker, how))
                del marker
                if how == 'cancel':
                    await Coro.sleep(0)
                    task.cancel()
                elif how == 'never':
                    task.cancel()
                try:
                    await task
                except (GLib.Error, ValueError):
                    pass
                del task

        refs = []
        Coro.run(main(refs))
        gc.collect()
        self.assertEqual([r() for r in refs], [None] * 4)

    def test_task_dropped_before_it_runs(self):
        marker = Marker()
        ref = weakref.ref(marker)

        async def holder(m):
            return m

        task = Coro.task_new(lambda t, m: None, marker)
        coro = holder(marker)
        del marker
        coro.close()
        del coro, task
        gc.collect()
        self.assertIsNone(ref())


class TestScopes(CoroutineTestCase):
    """async with Coro.timeout () / Coro.timeout_at () / Coro.TaskGroup ()."""

    def test_timeout_fires(self):
        async def main():
            async with Coro.timeout(1) as cm:
                await Coro.sleep(10)
            return 'not reached'

        with self.assertRaises(TimeoutError) as cm:
            Coro.run(main())
        self.assertTrue(is_error(cm.exception, Coro.Error.TIMEOUT))
        self.assertAlmostEqual(self.elapsed(), 1, places=6)

    def test_timeout_in_time_and_expired(self):
        async def main():
            async with Coro.timeout(5) as cm:
                await Coro.sleep(1)
            return cm.expired(), cm.when()

        expired, when = Coro.run(main())
        self.assertFalse(expired)
        self.assertAlmostEqual(when - self.start, 5, places=6)

    def test_timeout_none_and_reschedule(self):
        async def main():
            async with Coro.timeout(None) as cm:
                self.assertEqual(cm.when(), float('inf'))
                cm.reschedule(self.loop.time() + 2)
                await Coro.sleep(10)

        with self.assertRaises(TimeoutError):
            Coro.run(main())
        self.assertAlmostEqual(self.elapsed(), 2, places=6)

    def test_timeout_at(self):
        async def main():
            async with Coro.timeout_at(self.loop.time() + 3):
                await Coro.sleep(10)

        with self.assertRaises(TimeoutError):
            Coro.run(main())
        self.assertAlmostEqual(self.elapsed(), 3, places=6)

    def test_nested_inner_fires(self):
        async def main():
            seen = []
            async with Coro.timeout(10):
                try:
                    async with Coro.timeout(1):
                        await Coro.sleep(3)
                except TimeoutError:
                    seen.append('inner')
                await Coro.sleep(1)
            return seen

        self.assertEqual(Coro.run(main()), ['inner'])
        self.assertAlmostEqual(self.elapsed(), 2, places=6)

    def test_outer_cancel_stays_a_cancellation(self):
        async def body():
            async with Coro.timeout(10):
                await Coro.sleep(3600)

        async def main():
            task = Coro.create_task(body())
            await Coro.sleep(1)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                return 'cancelled'

        self.assertEqual(Coro.run(main()), 'cancelled')

    def test_other_errors_pass_through(self):
        async def main():
            async with Coro.timeout(1):
                raise KeyError('k')

        with self.assertRaises(KeyError):
            Coro.run(main())

    def test_timeout_outside_a_task(self):
        with self.assertRaises(GLib.Error) as cm:
            Coro.timeout(1).enter(None)
        self.assertTrue(is_error(cm.exception, Coro.Error.INVALID_STATE))

    def test_task_group_waits_for_all(self):
        async def child(delay, value):
            await Coro.sleep(delay)
            return value

        async def main():
            async with Coro.TaskGroup() as tg:
                a = tg.create_task(child(1, 'a'))
                b = tg.create_task(child(2, 'b'))
            return a.result(), b.result(), self.elapsed()

        self.assertEqual(Coro.run(main())[:2], ('a', 'b'))
        self.assertAlmostEqual(self.elapsed(), 2, places=6)

    def test_task_group_failure_cancels_siblings_and_body(self):
        async def child(delay, value):
            await Coro.sleep(delay)
            return value

        async def boom():
            await Coro.sleep(0.5)
            raise ValueError('boom')

        async def main():
            tg = Coro.TaskGroup()
            try:
                async with tg:
                    slow = tg.create_task(child(5, 'slow'))
                    tg.create_task(boom())
                    await Coro.sleep(10)  # cancelled when boom fails
            except GLib.Error as e:
                return (is_error(e, Coro.Error.TASK_GROUP), tg.get_n_errors(),
                        tg.get_error(0).message, slow.cancelled())

        self.assertEqual(Coro.run(main()), (True, 1, 'ValueError: boom', True))
        self.assertAlmostEqual(self.elapsed(), 0.5, places=6)

    def test_task_group_closed_refuses_tasks(self):
        async def noop():
            return None

        async def main():
            async with Coro.TaskGroup() as tg:
                pass
            late = noop()
            try:
                tg.create_task(late)
            except GLib.Error as e:
                return is_error(e, Coro.Error.INVALID_STATE)

        self.assertTrue(Coro.run(main()))


if __name__ == '__main__':
    run_tests()
