// testCoroutines.js: async functions, promises and generators driven by Coro (closure
// tasks, gir/overrides/Coro.js)
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by meson like testCoro.js. Any exception, any GLib critical (G_DEBUG makes them
// fatal) and any future still alive after a test fails the run.

import Coro from 'gi://Coro?version=1.0';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import {assert, assertEq, assertJson, assertNear, configure, done, elapsed, isCoroError, loop,
    settle, test} from './harness.js';

configure({virtualClock: true});

test('run an async function: its value, after its sleeps', () => {
    const value = Coro.run(async () => {
        await Coro.sleep(1);
        return 42;
    });
    assertEq(value, 42, 'value');
    assertNear(elapsed(), 1, 1e-6, 'elapsed');
});

test('run a promise and a future', () => {
    assertEq(Coro.run((async () => 'p')()), 'p', 'promise');
    assertEq(Coro.run(Coro.sleep(0)), true, 'future: as coro_run');
});

test('run throws the original exception', () => {
    let caught = null;
    try {
        Coro.run(async () => {
            await Coro.sleep(1);
            throw new RangeError('out');
        });
    } catch (e) {
        caught = e;
    }
    assert(caught instanceof RangeError, 'RangeError');
    assertEq(caught.message, 'out', 'message');
});

test('await futures of every result type', () => {
    const obj = Gio.SimpleAction.new('a', null);
    const made = [
        f => f.set_int(7), f => f.set_double(2.5), f => f.set_boolean(true),
        f => f.set_string('text'), f => f.set_none(), f => f.set_object(obj),
    ];
    const got = Coro.run(async () => {
        const out = [];
        for (const set of made) {
            const f = Coro.Future.new();
            loop.call_later(1, () => set(f));
            out.push(await f);
        }
        return out;
    });
    assertJson(got.slice(0, 5), [7, 2.5, true, 'text', undefined], 'values');
    assert(got[5] === obj, 'object');
    assertNear(elapsed(), 6, 1e-6, 'one second each');
});

test('await a failed future throws its GLib.Error; a cancelled one rejects', () => {
    const bad = Coro.Future.new();
    bad.set_error(new GLib.Error(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND, 'gone'));
    const gone = Coro.Future.new();
    gone.cancel('why');
    const seen = Coro.run(async () => {
        const out = [];
        for (const f of [bad, gone]) {
            try {
                await f;
            } catch (e) {
                out.push(e instanceof GLib.Error ? `${e.code}:${e.message}` : 'other');
            }
        }
        return out;
    });
    assertJson(seen, [`${Gio.IOErrorEnum.NOT_FOUND}:gone`, `${Coro.Error.CANCELLED}:why`], 'errors');
});

test('promise() and then() of a future', () => {
    const f = Coro.Future.new();
    const order = [];
    f.promise().then(v => order.push(`promise ${v}`));
    f.then(v => order.push(`then ${v}`));
    loop.call_later(1, () => f.set_int(3));
    Coro.run(f);
    settle();
    assertJson(order, ['promise 3', 'then 3'], 'both settled');
    assertEq(f.result(), 3, 'result()');
});

test('createTask: a Coro task with the function\'s value', () => {
    const [value, task] = Coro.run(async () => {
        const t = Coro.createTask(async (a, b) => {
            await Coro.sleep(2);
            return a + b;
        }, 20, 22);
        assert(t.is_task(), 'a task');
        assert(!t.done(), 'pending');
        return [await t, t];
    });
    assertEq(value, 42, 'value');
    assertEq(task.get_int(), 42, 'readable as a typed result');
    assertNear(elapsed(), 2, 1e-6, 'elapsed');
});

test('return types', () => {
    const obj = Gio.SimpleAction.new('a', null);
    const values = [undefined, true, 0, -5, 1.5, 'str', obj, {k: [1, 2]}, [1, 'two']];
    const got = Coro.run(async () => {
        const tasks = values.map(v => Coro.createTask(async () => v));
        return Promise.all(tasks.map(t => t.promise()));
    });
    assertJson(got.slice(0, 6), values.slice(0, 6), 'plain values');
    assert(got[6] === obj, 'GObject');
    assertJson(got.slice(7), values.slice(7), 'JavaScript objects');
});

test('errors become the task\'s error', () => {
    const seen = Coro.run(async () => {
        const out = [];
        const tasks = [
            Coro.createTask(async () => {
                throw new GLib.Error(Coro.error_quark(), Coro.Error.LIMIT_OVERRUN, 'mine');
            }),
            Coro.createTask(async () => {
                throw new TypeError('boom');
            }),
        ];
        for (const t of tasks) {
            try {
                await t;
            } catch (e) {
                out.push([e.code, e.message]);
            }
        }
        return out;
    });
    assertJson(seen, [[Coro.Error.LIMIT_OVERRUN, 'mine'], [Coro.Error.FAILED, 'TypeError: boom']],
        'errors');
});

test('cancelling an async function\'s task ends it at once', () => {
    const seen = [];
    Coro.run(async () => {
        const never = Coro.Future.new();
        const t = Coro.createTask(async () => {
            try {
                await never;
            } catch (e) {
                seen.push('inner rejected');
            }
        });
        await Coro.sleep(1);
        t.cancel('stop');
        try {
            await t;
        } catch (e) {
            seen.push(isCoroError(e, Coro.Error.CANCELLED) ? `cancelled ${e.message}` : 'other');
        }
        assert(t.cancelled(), 'task cancelled');
        never.cancel(null); // what the function awaits is left to the caller
    });
    settle();
    assertJson(seen, ['cancelled stop', 'inner rejected'], 'order');
});

test('cancelling a generator\'s task throws into it', () => {
    const seen = [];
    const [task] = Coro.run(async () => {
        const t = Coro.createTask(function* () {
            try {
                yield Coro.sleep(3600);
            } catch (e) {
                seen.push(isCoroError(e, Coro.Error.CANCELLED) ? 'cancelled' : 'other');
                throw e;
            } finally {
                seen.push('finally');
            }
        });
        await Coro.sleep(1);
        t.cancel();
        try {
            await t;
        } catch (e) {
            seen.push('main');
        }
        return [t]; // not t itself: an async function's promise would adopt the task
    });
    assertJson(seen, ['cancelled', 'finally', 'main'], 'order');
    assert(task.cancelled(), 'cancelled');
    assertNear(elapsed(), 1, 1e-6, 'elapsed');
});

test('generators: results sent in, errors thrown in, values returned', () => {
    const value = Coro.run(function* (a) {
        const x = yield Coro.createTask(async () => a * 2);
        let caught = null;
        try {
            yield Coro.wait_for(Coro.sleep(10), 1);
        } catch (e) {
            caught = isCoroError(e, Coro.Error.TIMEOUT);
        }
        try {
            yield 'not a future';
        } catch (e) {
            caught = caught && e instanceof TypeError;
        }
        return {x, caught};
    });
    assertJson(value, {x: null, caught: true}, 'no argument from run: a is undefined, x NaN');
    const t = Coro.createTask(function* (a) {
        return (yield Coro.createTask(async () => a * 2)) + 1;
    }, 20);
    Coro.run(t);
    assertEq(t.get_int(), 41, 'sent in');
});

test('a task cancelled before it starts never runs', () => {
    let ran = false;
    const t = Coro.createTask(async () => {
        ran = true;
    });
    t.cancel();
    let caught = null;
    try {
        Coro.run(t);
    } catch (e) {
        caught = e;
    }
    assert(isCoroError(caught, Coro.Error.CANCELLED), 'cancelled');
    assert(!ran, 'never ran');
});

test('gather of async functions, promises, tasks and futures', () => {
    const results = Coro.run(async () => {
        const after = async (delay, value) => {
            await Coro.sleep(delay);
            return value;
        };
        return Coro.gather([() => after(1, 1), after(2, 'p'), Coro.createTask(after, 3, true),
            Coro.sleep(1)]);
    });
    assertJson(results, [1, 'p', true, undefined], 'results in order');
    assertNear(elapsed(), 3, 1e-6, 'concurrently');
});

test('gather with RETURN_EXCEPTIONS', () => {
    const results = Coro.run(async () => Coro.gather([
        async () => 'good',
        async () => {
            throw new GLib.Error(Coro.error_quark(), Coro.Error.FAILED, 'bad');
        },
    ], Coro.GatherFlags.RETURN_EXCEPTIONS));
    assertEq(results[0], 'good', 'good');
    assert(results[1] instanceof GLib.Error && results[1].message === 'bad', 'bad');
});

test('wait_for and shield take async functions', () => {
    const got = Coro.run(async () => {
        const quick = await Coro.wait_for(async () => 7, 5);
        let timedOut = false;
        try {
            await Coro.wait_for(function* () {
                yield Coro.sleep(3600);
            }, 1);
        } catch (e) {
            timedOut = isCoroError(e, Coro.Error.TIMEOUT);
        }
        const inner = Coro.createTask(async () => {
            await Coro.sleep(1);
            return 'kept';
        });
        const shielded = Coro.shield(inner);
        shielded.cancel();
        return [quick, timedOut, await inner];
    });
    assertJson(got, [7, true, 'kept'], 'results');
});

test('the C-style closure form of create_task', () => {
    const calls = [];
    const t = Coro.create_task(task => {
        const awaited = Coro.task_get_awaited(task);
        calls.push(awaited === null ? 'first' : awaited.done());
        if (awaited === null)
            return Coro.sleep(1);
        Coro.task_return_string(task, 'done');
        return null;
    });
    Coro.run(t);
    assertEq(t.get_string(), 'done', 'result');
    assertJson(calls, ['first', true], 'calls');
    const bad = Coro.create_task(() => null);
    let caught = null;
    try {
        Coro.run(bad);
    } catch (e) {
        caught = e;
    }
    assert(isCoroError(caught, Coro.Error.INVALID_STATE), 'returning null without a result');
});

test('closure tasks end with every task_return_* type', () => {
    const obj = Gio.SimpleAction.new('a', null);
    const value = new GObject.Value();
    value.init(GObject.TYPE_STRING);
    value.set_string('held');
    const cases = [
        [t => Coro.task_return(t), f => f.propagate() && f.get_error() === null],
        [t => Coro.task_return_int(t, -7), f => f.get_int() === -7],
        [t => Coro.task_return_double(t, 0.25), f => f.get_double() === 0.25],
        [t => Coro.task_return_boolean(t, true), f => f.get_boolean() === true],
        [t => Coro.task_return_object(t, obj), f => f.get_object() === obj],
        [t => Coro.task_return_value(t, value), f => f.get_value() === 'held'],
        [t => Coro.task_return_error(t, new GLib.Error(Coro.error_quark(), Coro.Error.LIMIT_OVERRUN,
            'over')), f => f.get_error().matches(Coro.error_quark(), Coro.Error.LIMIT_OVERRUN) &&
            f.get_error().message === 'over'],
    ];
    cases.forEach(([end, check], i) => {
        const t = Coro.create_task(task => {
            if (Coro.task_get_awaited(task) === null)
                return Coro.sleep(1);
            end(task);
            return null;
        });
        try {
            Coro.run(t);
        } catch (e) {
            assert(i === cases.length - 1, `case ${i} threw ${e}`);
        }
        assert(t.done() && check(t), `case ${i}`);
    });
    assertNear(elapsed(), cases.length, 1e-6, 'one sleep each');
});

test('task_new makes a task that waits for task_start', () => {
    const calls = [];
    const t = Coro.task_new(task => {
        calls.push(loop.time());
        Coro.task_return_int(task, 3);
        return null;
    });
    Coro.run(Coro.sleep(1));
    assertEq(calls.length, 0, 'not started by the loop');
    assert(!t.done(), 'pending');
    Coro.task_start(t);
    Coro.run(t);
    assertEq(t.get_int(), 3, 'result');
    assertJson(calls, [loop.time()], 'ran once, after the start');
});

test('a task\'s name, cancellation requests and GCancellable', () => {
    const seen = [];
    const t = Coro.create_task(task => {
        const awaited = Coro.task_get_awaited(task);
        if (awaited === null)
            return Coro.sleep(10);
        seen.push(awaited.cancelled(), Coro.task_cancelling(task));
        seen.push(Coro.task_uncancel(task), Coro.task_cancelling(task));
        Coro.task_return_string(task, 'caught');
        return null;
    });
    assert(/^Task-\d+$/.test(Coro.task_get_name(t)), `default name ${Coro.task_get_name(t)}`);
    Coro.task_set_name(t, 'worker');
    assertEq(Coro.task_get_name(t), 'worker', 'name');
    const cancellable = Coro.task_get_cancellable(t);
    assert(cancellable instanceof Gio.Cancellable && !cancellable.is_cancelled(), 'cancellable');
    assertEq(Coro.task_cancelling(t), 0, 'no request');
    loop.call_later(1, () => {
        seen.push(Coro.task_cancel(t, 'stop'), Coro.task_cancelling(t), cancellable.is_cancelled());
    });
    Coro.run(t);
    assertEq(t.get_string(), 'caught', 'the step caught the cancellation');
    assertJson(seen, [true, 1, true, true, 1, 0, 0], 'seen by the canceller, then by the step');
    assert(!Coro.task_cancel(t, 'late'), 'cancel a done task');
    assertNear(elapsed(), 1, 1e-6, 'ended by the cancellation, not the sleep');
});

test('closures are released: no future outlives the suite', () => {
    settle();
    assertEq(loop.get_n_futures(), 0, 'live futures at the end');
});

done();
