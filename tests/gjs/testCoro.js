// testCoro.js: Coro through GJS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by meson as `gjs -m testCoro.js` with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing
// into the build tree and GJS_PATH at gir/ (for overrides/Coro.js). Any exception, any
// GLib critical (G_DEBUG makes them fatal) and any future still alive after a test fails
// the run. Executor jobs are not tested here: GJS cannot run JavaScript on a worker thread.

import Coro from 'gi://Coro?version=1.0';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import System from 'system';
import {assert, assertEq, assertJson, assertNear, assertThrows, assertThrowsCoro, done, loop, now, settle,
    test, virtual} from './harness.js';

test('the snippet of the core issue', () => {
    let t0 = now();
    Coro.run(Coro.sleep(0.2));
    assertNear(now() - t0, 0.2, 0.15, 'sleep(0.2)');

    const fut = Coro.Future.new();
    const seen = [];
    fut.add_done_callback(f => seen.push(f.get_int()));
    Coro.Loop.get_default().call_later(0.1, () => fut.set_int(7));
    Coro.run(fut);
    assertEq(seen.length, 1, 'callbacks');
    assertEq(seen[0], 7, 'callback saw');
    assertEq(fut.get_int(), 7, 'result');

    t0 = now();
    Coro.run(Coro.gather([Coro.sleep(0.1), Coro.sleep(0.2)], Coro.GatherFlags.NONE));
    assertNear(now() - t0, 0.2, 0.15, 'gather');

    assertThrowsCoro(Coro.Error.TIMEOUT, () => Coro.run(Coro.wait_for(Coro.sleep(10), 0.1)),
        'wait_for');

    const s = Coro.sleep(10);
    assert(s.cancel('stop') && s.cancelled() && s.done(), 'cancel a sleep');
});

test('loop identity and contexts', () => {
    assert(Coro.Loop.get_default() === loop, 'default loop is a singleton');
    assert(Coro.Loop.get_for_context(null) === loop, 'null context is the default');
    const ctx = GLib.MainContext.new();
    const other = Coro.Loop.get_for_context(ctx);
    assert(other !== loop, 'another context has another loop');
    assert(Coro.Loop.get_for_context(ctx) === other, 'one loop per context');
});

test('call_soon runs in order; a cancelled handle does not run', () => {
    const order = [];
    loop.call_soon(() => order.push(1));
    const h = loop.call_soon(() => order.push(2));
    loop.call_soon(() => order.push(3));
    assert(!h.cancelled(), 'not cancelled yet');
    h.cancel();
    assert(h.cancelled(), 'cancelled');
    Coro.run(Coro.sleep(0));
    assertEq(order.join(), '1,3', 'order');
});

test('call_soon_threadsafe from the loop\'s own thread', () => {
    const seen = [];
    const h = loop.call_soon_threadsafe(() => seen.push('safe'));
    const dropped = loop.call_soon_threadsafe(() => seen.push('cancelled'));
    assert(!h.cancelled(), 'pending');
    dropped.cancel();
    assert(dropped.cancelled(), 'cancelled');
    assertEq(seen.length, 0, 'not run at once');
    Coro.run(Coro.sleep(0));
    assertEq(seen.join(), 'safe', 'run by the loop, the cancelled one not');
});

test('timers on the virtual clock', () => {
    virtual();
    const order = [];
    const start = loop.time();
    const h = loop.call_later(3, () => order.push(`later@${loop.time() - start}`));
    assertNear(h.when(), start + 3, 1e-6, 'when');
    loop.call_at(start + 1, () => order.push(`at@${loop.time() - start}`));
    loop.call_later(2, () => order.push('cancelled')).cancel();
    const t0 = now();
    Coro.run(Coro.sleep(3600));
    assert(now() - t0 < 1, 'no real time passes');
    assertNear(loop.time() - start, 3600, 1e-6, 'loop time');
    assertEq(order.join(), 'at@1,later@3', 'timer order');
    Coro.run(Coro.sleep_until(loop.time() + 5));
    assertNear(loop.time() - start, 3605, 1e-6, 'sleep_until');
});

test('sleep(0) takes one pass', () => {
    const before = loop.get_pass_count();
    Coro.run(Coro.sleep(0));
    const passes = loop.get_pass_count() - before;
    assert(passes >= 1 && passes <= 2, `passes ${passes}`);
});

test('typed results', () => {
    let f = Coro.Future.new();
    assert(!f.done(), 'pending');
    f.set_int(-1099511627776);
    assert(f.done() && !f.cancelled(), 'done');
    assertEq(f.get_int(), -1099511627776, 'int');
    assert(f.get_error() === null, 'no error');
    assert(f.propagate(), 'propagate');
    f = Coro.Future.new();
    f.set_double(2.5);
    assertEq(f.get_double(), 2.5, 'double');
    f = Coro.Future.new();
    f.set_boolean(true);
    assertEq(f.get_boolean(), true, 'boolean');
    f = Coro.Future.new();
    f.set_string('héllo');
    assertEq(f.get_string(), 'héllo', 'string');
    f = Coro.Future.new();
    f.set_none();
    assert(f.propagate(), 'none');
    f = Coro.Future.new_for_loop(loop);
    assert(f.get_loop() === loop, 'loop');
    const action = Gio.SimpleAction.new('act', null);
    f.set_object(action);
    assert(f.get_object() === action, 'object');
    f = Coro.Future.new();
    const value = new GObject.Value();
    value.init(GObject.TYPE_UINT);
    value.set_uint(42);
    f.set_value(value);
    assertEq(f.get_value(), 42, 'value');
});

test('invalid state and result type', () => {
    const f = Coro.Future.new();
    assertThrowsCoro(Coro.Error.INVALID_STATE, () => f.get_int(), 'get on pending');
    f.set_int(1);
    assertThrowsCoro(Coro.Error.RESULT_TYPE, () => f.get_string(), 'wrong type');
    assertThrowsCoro(Coro.Error.INVALID_STATE, () => f.set_int(2), 'set twice');
    assert(!f.cancel('late'), 'cancel after done');
});

test('errors and cancellation', () => {
    let f = Coro.Future.new();
    f.set_error(new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND, 'gone'));
    assert(f.get_error().matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND), 'get_error');
    const e = assertThrows(() => f.get_int(), 'get_int on failed');
    assertEq(e.message, 'gone', 'message');
    assertThrows(() => Coro.run(f), 'run a failed future');

    f = Coro.Future.new();
    assert(f.cancel('because'), 'cancel');
    assert(!f.cancel('again'), 'cancel twice');
    const c = assertThrowsCoro(Coro.Error.CANCELLED, () => f.get_double(), 'get on cancelled');
    assert(c.message.includes('because'), 'message kept');
});

test('done callbacks: deferred, in order, once; the future outlives the callback', () => {
    const f = Coro.Future.new();
    const seen = [];
    for (let i = 0; i < 3; i++)
        f.add_done_callback(() => seen.push(i));
    let kept = null;
    f.add_done_callback(fut => {
        kept = fut;
    });
    f.set_string('kept');
    assertEq(seen.length, 0, 'deferred');
    Coro.run(f);
    assertEq(seen.join(), '0,1,2', 'order');
    f.add_done_callback((fut, extra) => seen.push(extra), 'late');
    Coro.run(Coro.sleep(0));
    Coro.run(Coro.sleep(0));
    assertEq(seen.join(), '0,1,2,late', 'added after done');
    System.gc();
    assertEq(kept.get_string(), 'kept', 'kept future');
    // GJS may keep the last closure it invoked, and with it this scope: drop the wrapper.
    kept = null;
});

test('remove_done_callback by function and by id', () => {
    const f = Coro.Future.new();
    const seen = [];
    const cb = () => seen.push('cb');
    f.add_done_callback(cb);
    f.add_done_callback(cb);
    const other = f.add_done_callback(() => seen.push('other'));
    const third = f.add_done_callback(() => seen.push('third'));
    assertEq(f.remove_done_callback(cb), 2, 'removed both');
    assertEq(f.remove_done_callback(cb), 0, 'nothing left');
    assertEq(f.remove_done_callback(third), 1, 'by id');
    assertEq(f.remove_done_callback(third), 0, 'id gone');
    assert(other > 0, 'ids are positive');
    f.set_none();
    Coro.run(f);
    assertEq(seen.join(), 'other', 'only the kept callback ran');
});

test('gather: results in order, errors, cancellation', () => {
    virtual();
    const a = Coro.Future.new();
    const b = Coro.Future.new();
    loop.call_later(2, () => a.set_int(1));
    loop.call_later(1, () => b.set_string('two'));
    let g = Coro.gather([a, b], Coro.GatherFlags.NONE);
    Coro.run(g);
    const children = g.get_futures();
    assertEq(children[0].get_int(), 1, 'first');
    assertEq(children[1].get_string(), 'two', 'second');

    const bad = Coro.Future.new();
    bad.set_error(new GLib.Error(Coro.Error, Coro.Error.FAILED, 'bad'));
    const e = assertThrows(() => Coro.run(Coro.gather([Coro.sleep(1), bad], Coro.GatherFlags.NONE)),
        'gather fails');
    assertEq(e.message, 'bad', 'first error');
    g = Coro.gather([Coro.sleep(1), bad], Coro.GatherFlags.RETURN_EXCEPTIONS);
    Coro.run(g);
    assertEq(g.get_futures()[1].get_error().message, 'bad', 'returned exception');

    const child = Coro.sleep(10);
    g = Coro.gather([child], Coro.GatherFlags.NONE);
    assert(g.cancel(null), 'cancel the gather');
    assertThrowsCoro(Coro.Error.CANCELLED, () => Coro.run(g), 'cancelled gather');
    assert(child.cancelled(), 'child cancelled');
});

test('wait_for and shield', () => {
    virtual();
    const start = loop.time();
    const inner = Coro.sleep(10);
    assertThrowsCoro(Coro.Error.TIMEOUT, () => Coro.run(Coro.wait_for(inner, 2)), 'timeout');
    assert(inner.cancelled(), 'inner cancelled');
    assertNear(loop.time() - start, 2, 1e-6, 'timed out at 2 s');
    const f = Coro.Future.new();
    loop.call_later(1, () => f.set_int(5));
    const w = Coro.wait_for(f, 2);
    Coro.run(w);
    assertEq(w.get_int(), 5, 'in time');

    const protectedFuture = Coro.Future.new();
    let shield = Coro.shield(protectedFuture);
    assert(shield.cancel('outer'), 'cancel the shield');
    assertThrows(() => Coro.run(shield), 'shield cancelled');
    assert(!protectedFuture.cancelled(), 'inner survives');
    protectedFuture.set_int(3);
    shield = Coro.shield(protectedFuture);
    Coro.run(shield);
    assertEq(shield.get_int(), 3, 'shield result');
});

test('tasks and errors from JavaScript', () => {
    assertEq(Coro.current_task(), null, 'no current task');
    assertEq(Coro.all_tasks().length, 0, 'no tasks');
    assertEq(Coro.Error.quark(), Coro.error_quark(), 'quark');
    assertEq(Coro.GatherFlags.CANCEL_ON_ERROR, 2, 'flags');
});

test('Lock, Event, Condition', () => {
    const lock = Coro.Lock.new();
    const first = lock.acquire();
    assert(first.done() && lock.locked(), 'free lock taken at once');
    const second = lock.acquire();
    assert(!second.done(), 'second waits');
    const window = [];
    loop.call_later(0.05, () => {
        lock.release();
        // Handed to the waiter, which has not looked yet: free, as asyncio shows it.
        window.push(lock.locked());
        assertThrowsCoro(Coro.Error.INVALID_STATE, () => lock.release(), 'release in the window');
    });
    Coro.run(second);
    assertJson(window, [false], 'free until the waiter looks');
    assert(lock.locked(), 'handed over');
    lock.release();
    assertThrowsCoro(Coro.Error.INVALID_STATE, () => lock.release(), 'release unlocked');

    const event = new Coro.Event();
    const waits = [event.wait(), event.wait()];
    loop.call_soon(() => event.set());
    Coro.run(Coro.gather(waits, Coro.GatherFlags.NONE));
    assert(waits.every(w => w.get_boolean()), 'woken');
    assert(event.is_set() && event.wait().done(), 'set event does not wait');
    event.clear();
    assert(!event.is_set(), 'cleared');

    const cond = Coro.Condition.new(null);
    Coro.run(cond.acquire());
    const wait = cond.wait();
    loop.call_later(0.05, () => {
        assert(cond.acquire().done(), 'lock free while waiting');
        cond.notify(1);
        cond.release();
    });
    Coro.run(wait);
    assert(wait.get_boolean() && cond.locked(), 'notified and holding the lock');
    let n = 0;
    const bump = () => {
        cond.acquire();
        n++;
        cond.notify_all();
        cond.release();
        if (n < 3)
            loop.call_later(0.01, bump);
    };
    cond.release();
    Coro.run(cond.acquire());
    loop.call_later(0.01, bump);
    Coro.run(cond.wait_for(() => n >= 3));
    assertEq(n, 3, 'predicate');
    cond.release();
    assertThrowsCoro(Coro.Error.INVALID_STATE, () => cond.notify(1), 'notify unlocked');
});

test('Semaphore, BoundedSemaphore, Barrier', () => {
    const sem = Coro.Semaphore.new(1);
    const a = sem.acquire();
    assert(a.done() && sem.locked(), 'taken');
    sem.release();
    assertEq(sem.get_value(), 1, 'value');
    const bounded = Coro.BoundedSemaphore.new(1);
    assert(bounded instanceof Coro.Semaphore, 'subclass');
    assertThrowsCoro(Coro.Error.INVALID_STATE, () => bounded.release(), 'bounded');

    const barrier = Coro.Barrier.new(2);
    const first = barrier.wait();
    const second = barrier.wait();
    assertEq(first.get_int(), 0, 'first index');
    assertEq(second.get_int(), 1, 'second index');
    const waiting = barrier.wait();
    barrier.abort();
    assert(barrier.get_broken(), 'broken');
    assert(waiting.get_error().matches(Coro.error_quark(), Coro.Error.BROKEN_BARRIER), 'aborted wait');
    barrier.reset();
    assertEq(barrier.get_n_waiting(), 0, 'reset');
});

test('Queue, PriorityQueue, LifoQueue', () => {
    const queue = Coro.Queue.new(2);
    Coro.run(queue.put_int(1));
    queue.put_string_nowait('two');
    assert(queue.full(), 'full');
    assertThrowsCoro(Coro.Error.QUEUE_FULL, () => queue.put_int_nowait(3), 'put_nowait');
    const first = queue.get();
    Coro.run(first);
    assertEq(first.get_int(), 1, 'first item');
    assertEq(queue.get_nowait().get_string(), 'two', 'second item');
    assertThrowsCoro(Coro.Error.QUEUE_EMPTY, () => queue.get_nowait(), 'empty');

    const getter = queue.get();
    loop.call_later(0.05, () => queue.put_int_nowait(9));
    Coro.run(getter);
    assertEq(getter.get_int(), 9, 'handed over');
    queue.task_done();
    queue.task_done();
    queue.task_done();
    assert(queue.join().done(), 'joined');
    assertThrowsCoro(Coro.Error.INVALID_STATE, () => queue.task_done(), 'too many task_done');
    queue.shutdown(false);
    assertThrowsCoro(Coro.Error.QUEUE_SHUT_DOWN, () => queue.put_int_nowait(1), 'shut down');

    const pq = Coro.PriorityQueue.new(0);
    [5, 1, 3].forEach(v => pq.put_int_nowait(v));
    assertEq([0, 1, 2].map(() => pq.get_nowait().get_int()).join(), '1,3,5', 'priority order');
    const lifo = Coro.LifoQueue.new(0);
    [1, 2, 3].forEach(v => lifo.put_int_nowait(v));
    assertEq([0, 1, 2].map(() => lifo.get_nowait().get_int()).join(), '3,2,1', 'lifo order');
});

test('Queue: a handed item holds its place until seen', () => {
    const queue = Coro.Queue.new(1);
    const getter = queue.get();
    queue.put_int_nowait(1);
    assertEq(queue.qsize(), 0, 'not in qsize');
    assert(queue.full(), 'but it holds its place');
    assertThrowsCoro(Coro.Error.QUEUE_FULL, () => queue.put_int_nowait(2), 'put_nowait waits for it');
    assertEq(getter.get_int(), 1, 'seen');
    assert(!queue.full(), 'place freed');
    queue.put_int_nowait(2);
    assertEq(queue.qsize(), 1, 'put');
});

test('PriorityQueue: values with a priority', () => {
    // asyncio's put((priority, item)): the priority first, then arrival order
    const pq = Coro.PriorityQueue.new(2);
    const put = pq.put_value_with_priority(5, 'low');
    assert(put.done(), 'put with room is done');
    assert(pq.put_value_with_priority_nowait(-1, 'urgent'), 'put_nowait');
    assertThrowsCoro(Coro.Error.QUEUE_FULL,
        () => pq.put_value_with_priority_nowait(0, 'refused'), 'full');
    const waiting = pq.put_value_with_priority(5, 'later');
    assert(!waiting.done(), 'put waits for room');
    assertEq([0, 1, 2].map(() => pq.get_nowait().get_value()).join(), 'urgent,low,later',
        'priority, then arrival');
    assert(waiting.done(), 'the waiting put went in');
});

test('Future.get_result_type and result()', () => {
    const pending = Coro.Future.new();
    assertEq(pending.get_result_type(), Coro.ResultType.INVALID, 'pending');
    pending.set_none();
    assertEq(pending.get_result_type(), Coro.ResultType.NONE, 'no value');
    assertEq(pending.result(), undefined, 'no value as undefined');

    const kinds = [
        [f => f.set_int(0), Coro.ResultType.INT, 0],
        [f => f.set_double(0.5), Coro.ResultType.DOUBLE, 0.5],
        [f => f.set_boolean(false), Coro.ResultType.BOOLEAN, false],
        [f => f.set_string(''), Coro.ResultType.STRING, ''],
    ];
    for (const [set, kind, value] of kinds) {
        const future = Coro.Future.new();
        set(future);
        assertEq(future.get_result_type(), kind, `type of ${value}`);
        assertEq(future.result(), value, `result ${value}`);
    }
    const action = Gio.SimpleAction.new('act', null);
    const withObject = Coro.Future.new();
    withObject.set_object(action);
    assertEq(withObject.get_result_type(), Coro.ResultType.OBJECT, 'object');
    assertEq(withObject.result(), action, 'object result');

    const failed = Coro.Future.new();
    failed.set_error(new GLib.Error(Coro.error_quark(), Coro.Error.FAILED, 'no'));
    assertEq(failed.get_result_type(), Coro.ResultType.INVALID, 'failed');
    assert(failed.get_error() !== null, 'failed error');
    const cancelled = Coro.Future.new();
    cancelled.cancel(null);
    assertEq(cancelled.get_result_type(), Coro.ResultType.INVALID, 'cancelled');

    const gather = Coro.gather([Coro.sleep(0), Coro.sleep(0)], Coro.GatherFlags.NONE);
    Coro.run(gather);
    assertEq(gather.get_result_type(), Coro.ResultType.FUTURES, 'gather');
    assertEq(JSON.stringify(gather.result()), '[null,null]', 'gather result');
});

test('Queue sizes and items of every kind', () => {
    const queue = Coro.Queue.new(3);
    assertEq(queue.get_maxsize(), 3, 'maxsize');
    assert(queue.empty(), 'empty at first');
    assertEq(queue.qsize(), 0, 'qsize at first');
    const put = queue.put_string('text');
    assert(put.done(), 'room: put at once');
    const value = new GObject.Value();
    value.init(GObject.TYPE_UINT);
    value.set_uint(42);
    Coro.run(queue.put_value(value));
    queue.put_value_nowait(value);
    assertEq(queue.qsize(), 3, 'qsize');
    assert(!queue.empty() && queue.full(), 'full');
    const blocked = queue.put_string('late');
    assert(!blocked.done(), 'a full queue makes the putter wait');
    assertThrowsCoro(Coro.Error.QUEUE_FULL, () => queue.put_value_nowait(value),
        'put_value_nowait');
    assertEq(queue.get_nowait().get_string(), 'text', 'string item');
    Coro.run(blocked);
    assertEq(queue.get_nowait().get_value(), 42, 'value item');
    assertEq(queue.get_nowait().get_value(), 42, 'value item, nowait');
    assertEq(queue.get_nowait().get_string(), 'late', 'the waiting putter\'s item');
    assert(queue.empty(), 'empty again');
    assertEq(Coro.Queue.new(0).get_maxsize(), 0, 'unbounded');
});

test('Event.new, Condition.get_lock, Barrier.get_parties', () => {
    const event = Coro.Event.new();
    assert(event instanceof Coro.Event && !event.is_set(), 'a new event is clear');
    const waiter = event.wait();
    event.set();
    Coro.run(waiter);
    assert(waiter.get_boolean(), 'woken');

    const lock = Coro.Lock.new();
    const cond = Coro.Condition.new(lock);
    assert(cond.get_lock() === lock, 'the lock it was given');
    Coro.run(cond.acquire());
    assert(lock.locked(), 'acquiring the condition takes its lock');
    cond.release();
    assert(!lock.locked(), 'and releases it');
    const own = Coro.Condition.new(null).get_lock();
    assert(own instanceof Coro.Lock && own !== lock, 'a lock of its own');

    const barrier = Coro.Barrier.new(3);
    assertEq(barrier.get_parties(), 3, 'parties');
    const waits = [barrier.wait(), barrier.wait()];
    assertEq(barrier.get_n_waiting(), 2, 'waiting');
    assert(!waits[0].done(), 'two of three wait');
    waits.push(barrier.wait());
    Coro.run(Coro.gather(waits, Coro.GatherFlags.NONE));
    assertEq(waits.map(w => w.get_int()).join(), '0,1,2', 'indices');
    assertEq(barrier.get_parties(), 3, 'parties after a round');
});

test('no future outlives the suite', () => {
    settle();
    assertEq(loop.get_n_futures(), 0, 'live futures at the end');
});

done();
