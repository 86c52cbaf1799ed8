// testCombinators.js: wait, as_completed, timeout scopes and task groups through GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by meson like testCoro.js. Most tests use sleeps and futures the test completes
// itself; those that need a running task write its steps as closures (Coro.create_task).

import Coro from 'gi://Coro?version=1.0';
import GLib from 'gi://GLib';
import {assert, assertEq, assertNear, assertThrowsCoro, configure, done, elapsed, isCoroError, loop,
    test} from './harness.js';

configure({virtualClock: true});

function later(delay, value, message) {
    const fut = Coro.Future.new();
    loop.call_later(delay, () => {
        if (fut.done())
            return;
        if (message !== undefined)
            fut.set_error(new GLib.Error(Coro.error_quark(), Coro.Error.FAILED, message));
        else
            fut.set_int(value);
    });
    return fut;
}

test('wait: FIRST_COMPLETED, FIRST_EXCEPTION, timeout, empty', () => {
    const t0 = loop.time();
    const slow = Coro.sleep(10);
    let w = Coro.wait([slow, later(1, 2)], -1, Coro.WaitMode.FIRST_COMPLETED);
    Coro.run(w);
    assertEq(loop.time() - t0, 1, 'ended after 1 s');
    assertEq(w.get_done_futures()[0].get_int(), 2, 'done set');
    assertEq(w.get_pending_futures().length, 1, 'pending set');
    assert(!slow.done(), 'nothing cancelled');

    const bad = later(1, 0, 'bad');
    w = Coro.wait([bad, Coro.sleep(5)], -1, Coro.WaitMode.FIRST_EXCEPTION);
    Coro.run(w);
    assertEq(w.get_done_futures().length, 1, 'first exception');
    assertEq(bad.get_error().message, 'bad', 'its error');

    w = Coro.wait([slow], 2, Coro.WaitMode.ALL_COMPLETED);
    Coro.run(w);
    assertEq(w.get_done_futures().length, 0, 'timed out');
    slow.cancel(null);

    assertThrowsCoro(Coro.Error.INVALID_STATE,
        () => Coro.run(Coro.wait([], -1, Coro.WaitMode.ALL_COMPLETED)), 'empty');
});

test('as_completed: completion order, timeout, end', () => {
    const forever = Coro.sleep(100);
    const it = Coro.as_completed([later(3, 3), later(1, 1), later(2, 2), forever], 5);
    const got = [];
    while (it.has_next()) {
        const next = it.next();
        try {
            Coro.run(next);
            got.push(next.get_future().get_int());
        } catch (e) {
            assert(e.matches(Coro.error_quark(), Coro.Error.TIMEOUT), 'timeout error');
            got.push('timeout');
        }
    }
    assertEq(got.join(), '1,2,3,timeout', 'order');
    assertEq(it.next(), null, 'end');
    forever.cancel(null);
});

test('timeout objects: when, expired, reschedule before enter', () => {
    const t = Coro.Timeout.new(10);
    assertEq(t.when(), loop.time() + 10, 'when');
    assert(!t.expired(), 'not expired');
    const e = assertThrowsCoro(Coro.Error.INVALID_STATE, () => t.reschedule(5), 'reschedule');
    assert(e.message.includes('not been entered'), e.message);
    assertThrowsCoro(Coro.Error.INVALID_STATE, () => t.enter(null), 'no task');
    assertEq(Coro.Timeout.new(Infinity).when(), Infinity, 'no deadline');
});

test('task group: success, failure cancels the others, errors one by one', () => {
    let g = Coro.TaskGroup.new();
    g.add(Coro.sleep(1));
    Coro.run(g.join());
    assertEq(g.get_n_errors(), 0, 'no error');
    assertThrowsCoro(Coro.Error.INVALID_STATE, () => g.add(Coro.sleep(1)), 'finished');

    g = Coro.TaskGroup.new();
    const slow = Coro.sleep(10);
    g.add(slow);
    g.add(later(1, 0, 'one'));
    const e = assertThrowsCoro(Coro.Error.TASK_GROUP, () => Coro.run(g.join()), 'fails');
    assert(e.message.includes('1 sub-error'), e.message);
    assert(slow.cancelled(), 'sibling cancelled');
    assertEq(g.get_error(0).message, 'one', 'child error');
});

test('as_completed counts the futures left to give', () => {
    const it = Coro.as_completed([later(2, 2), later(1, 1)], -1);
    assertEq(it.get_n_left(), 2, 'two left');
    let next = it.next();
    assertEq(it.get_n_left(), 1, 'one left once next() gave one');
    Coro.run(next);
    assertEq(next.get_future().get_int(), 1, 'first done');
    next = it.next();
    assertEq(it.get_n_left(), 0, 'none left');
    Coro.run(next);
    assertEq(next.get_future().get_int(), 2, 'second done');
    assert(!it.has_next(), 'over');
});

test('timeout_at: an absolute deadline', () => {
    const when = loop.time() + 7;
    const t = Coro.Timeout.new_at(when);
    assertEq(t.when(), when, 'when');
    assert(!t.expired(), 'not expired');
    assertThrowsCoro(Coro.Error.INVALID_STATE, () => t.enter(null), 'no task');
    let scope = null;
    const fired = Coro.create_task(task => {
        const awaited = Coro.task_get_awaited(task);
        if (awaited === null) {
            scope = Coro.Timeout.new_at(loop.time() + 2);
            scope.enter(task);
            return Coro.sleep(10);
        }
        try {
            scope.exit(awaited.get_error());
        } catch (e) {
            Coro.task_return_boolean(task, isCoroError(e, Coro.Error.TIMEOUT) && scope.expired());
            return null;
        }
        Coro.task_return_boolean(task, false);
        return null;
    });
    Coro.run(fired);
    assertNear(elapsed(), 2, 1e-6, 'ended at the deadline');
    assert(fired.get_boolean(), 'the deadline made the scope\'s cancellation a timeout');
    scope = null;
});

test('task group: parent, pending count, wait', () => {
    let g = Coro.TaskGroup.new();
    assertEq(g.get_parent(), null, 'no parent outside a task');
    g.add(later(1, 1));
    g.add(later(2, 2));
    assertEq(g.get_n_tasks(), 2, 'two pending');
    Coro.run(Coro.sleep(1));
    assertEq(g.get_n_tasks(), 1, 'one pending');
    const w = g.wait(null);
    Coro.run(w);
    assert(w.done() && w.get_error() === null, 'succeeded');
    assertEq(g.get_n_tasks(), 0, 'none pending');
    assertThrowsCoro(Coro.Error.INVALID_STATE, () => Coro.run(g.wait(null)), 'second wait');

    g = Coro.TaskGroup.new();
    g.add(later(1, 0, 'child'));
    assertThrowsCoro(Coro.Error.TASK_GROUP, () => Coro.run(g.wait(null)), 'a child failed');
    assertEq(g.get_error(0).message, 'child', 'its error');

    const parent = Coro.create_task(task => {
        const found = Coro.TaskGroup.new().get_parent();
        Coro.task_return_string(task, found === null ? 'none' : Coro.task_get_name(found));
        return null;
    });
    Coro.task_set_name(parent, 'the parent');
    Coro.run(parent);
    assertEq(parent.get_string(), 'the parent', 'a group made in a task has it as its parent');
});

done();
