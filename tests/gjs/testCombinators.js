// testCombinators.js: wait, as_completed, timeout scopes and task groups through GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by meson like testCoro.js. JavaScript cannot write task steps yet, so these tests
// use sleeps and futures the test completes itself.

import Coro from 'gi://Coro?version=1.0';
import GLib from 'gi://GLib';
import {assert, assertEq, assertThrowsCoro, configure, done, loop, test} from './harness.js';

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

done();
