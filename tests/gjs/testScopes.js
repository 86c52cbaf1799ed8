// testScopes.js: the scopes C writes with CoroTimeout and CoroTaskGroup and Python with
// `async with`, as GJS writes them: Coro.withTimeout(), withTimeoutAt(), withTaskGroup()
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by meson like testCoro.js. Any exception, any GLib critical (G_DEBUG makes them
// fatal) and any future still alive after a test fails the run.

import Coro from 'gi://Coro?version=1.0';
import GLib from 'gi://GLib';
import System from 'system';

const loop = Coro.Loop.get_default();
let failures = 0;
let count = 0;
let start = 0;

function assert(condition, what) {
    if (!condition)
        throw new Error(`assertion failed: ${what}`);
}

function assertEq(actual, expected, what) {
    if (actual !== expected)
        throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

function assertJson(actual, expected, what) {
    assertEq(JSON.stringify(actual), JSON.stringify(expected), what);
}

function assertNear(actual, expected, what) {
    if (Math.abs(actual - expected) > 1e-6)
        throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

function isCoroError(e, code) {
    return e instanceof GLib.Error && e.matches(Coro.error_quark(), code);
}

function elapsed() {
    return loop.time() - start;
}

function settle() {
    const context = GLib.MainContext.default();
    for (let i = 0; i < 3; i++) {
        System.gc();
        while (context.iteration(false))
            ;
    }
}

function test(name, func) {
    settle();
    const baseline = loop.get_n_futures();
    count++;
    loop.set_virtual_clock(true);
    start = loop.time();
    try {
        func();
        settle();
        loop.set_virtual_clock(false);
        assertEq(loop.get_n_futures(), baseline, 'live futures after the test');
        print(`ok ${count} - ${name}`);
    } catch (e) {
        loop.set_virtual_clock(false);
        failures++;
        print(`not ok ${count} - ${name}`);
        printerr(`# ${name}: ${e}\n${e.stack ?? ''}`);
    }
}

function expectCoroError(func, code, what) {
    let caught = null;
    try {
        func();
    } catch (e) {
        caught = e;
    }
    assert(isCoroError(caught, code), `${what}: got ${caught}`);
    return caught;
}

// Timeouts

test('withTimeout: a body done in time gives its value', () => {
    const value = Coro.run(async () => await Coro.withTimeout(5, async timeout => {
        assert(timeout instanceof Coro.Timeout, 'the scope is given');
        await Coro.sleep(1);
        return 'done';
    }));
    assertEq(value, 'done', 'value');
    assertNear(elapsed(), 1, 'elapsed');
});

test('withTimeout: the deadline turns its cancellation into the timeout error', () => {
    let expired = null;
    expectCoroError(() => Coro.run(async () => {
        await Coro.withTimeout(1, async timeout => {
            expired = timeout;
            await Coro.sleep(10);
        });
    }), Coro.Error.TIMEOUT, 'timeout');
    assertNear(elapsed(), 1, 'at the deadline');
    assert(expired.expired(), 'expired()');
});

test('withTimeout: a generator body gets the cancellation at its yield', () => {
    const seen = [];
    const outcome = Coro.run(async () => {
        try {
            await Coro.withTimeout(2, function* () {
                try {
                    yield Coro.sleep(10);
                } catch (e) {
                    seen.push(isCoroError(e, Coro.Error.CANCELLED) ? 'cancelled' : `${e}`);
                    throw e;
                } finally {
                    seen.push('finally');
                }
            });
        } catch (e) {
            return isCoroError(e, Coro.Error.TIMEOUT) ? 'timeout' : `${e}`;
        }
        return 'no timeout';
    });
    assertEq(outcome, 'timeout', 'outcome');
    assertJson(seen, ['cancelled', 'finally'], 'the body saw');
    assertNear(elapsed(), 2, 'at the deadline');
});

test('withTimeout: a cancellation from elsewhere stays a cancellation', () => {
    const outcome = Coro.run(async () => {
        const scope = Coro.withTimeout(10, function* () {
            yield Coro.sleep(5);
        });
        loop.call_later(1, () => scope.cancel('from outside'));
        try {
            await scope;
        } catch (e) {
            return isCoroError(e, Coro.Error.CANCELLED) ? e.message : `${e}`;
        }
        return 'not cancelled';
    });
    assertEq(outcome, 'from outside', 'cancelled, not timed out');
    assertNear(elapsed(), 1, 'when cancelled');
});

test('withTimeout: the body\'s own errors go on unchanged', () => {
    const outcome = Coro.run(async () => {
        const out = [];
        try {
            await Coro.withTimeout(5, async () => {
                throw new RangeError('bad');
            });
        } catch (e) {
            out.push(isCoroError(e, Coro.Error.FAILED) ? e.message : `${e}`);
        }
        try {
            // A timeout of an inner wait_for, not of the scope.
            await Coro.withTimeout(5, () => Coro.wait_for(Coro.sleep(10), 1));
        } catch (e) {
            out.push(isCoroError(e, Coro.Error.TIMEOUT) ? 'inner timeout' : `${e}`);
        }
        return out;
    });
    assertJson(outcome, ['RangeError: bad', 'inner timeout'], 'errors');
    assertNear(elapsed(), 1, 'the inner timeout');
});

test('withTimeout: reschedule, no deadline, withTimeoutAt', () => {
    const times = Coro.run(async () => {
        const out = [];
        try {
            await Coro.withTimeout(1, function* (timeout) {
                timeout.reschedule(loop.time() + 3);
                yield Coro.sleep(10);
            });
        } catch (e) {
            out.push(isCoroError(e, Coro.Error.TIMEOUT) ? elapsed() : `${e}`);
        }
        await Coro.withTimeout(null, async timeout => {
            assertEq(timeout.when(), Infinity, 'no deadline');
            await Coro.sleep(1);
        });
        out.push(elapsed());
        try {
            await Coro.withTimeoutAt(loop.time() + 2, function* () {
                yield Coro.sleep(10);
            });
        } catch (e) {
            out.push(isCoroError(e, Coro.Error.TIMEOUT) ? elapsed() : `${e}`);
        }
        return out.map(t => Math.round(t * 1e6) / 1e6);
    });
    assertJson(times, [3, 4, 6], 'deadlines');
});

test('withTimeout: nested scopes each convert their own', () => {
    const outcome = Coro.run(async () => await Coro.withTimeout(10, function* () {
        try {
            yield Coro.withTimeout(1, function* () {
                yield Coro.sleep(5);
            });
        } catch (e) {
            return isCoroError(e, Coro.Error.TIMEOUT) ? 'inner timed out' : `${e}`;
        }
        return 'no timeout';
    }));
    assertEq(outcome, 'inner timed out', 'the outer scope goes on');
    assertNear(elapsed(), 1, 'elapsed');
});

// Task groups

test('withTaskGroup: waits for every child', () => {
    const results = [];
    const value = Coro.run(async () => await Coro.withTaskGroup(async tg => {
        assert(tg instanceof Coro.TaskGroup, 'the group is given');
        for (const d of [2, 1]) {
            tg.createTask(async () => {
                await Coro.sleep(d);
                results.push(d);
            });
        }
        await Coro.sleep(0.5);
        return 'body';
    }));
    assertEq(value, 'body', 'the body\'s value');
    assertJson(results, [1, 2], 'children');
    assertNear(elapsed(), 2, 'until the last child');
});

test('withTaskGroup: the first failure cancels the others and the body', () => {
    const seen = [];
    let group = null;
    expectCoroError(() => Coro.run(async () => {
        await Coro.withTaskGroup(function* (tg) {
            group = tg;
            tg.createTask(function* () {
                try {
                    yield Coro.sleep(5);
                } finally {
                    seen.push('sibling stopped');
                }
            });
            tg.createTask(async () => {
                await Coro.sleep(1);
                throw new GLib.Error(Coro.error_quark(), Coro.Error.FAILED, 'child failed');
            });
            try {
                yield Coro.sleep(10);
            } finally {
                seen.push('body stopped');
            }
        });
    }), Coro.Error.TASK_GROUP, 'the group\'s error');
    assertNear(elapsed(), 1, 'at the failure');
    assertJson(seen.sort(), ['body stopped', 'sibling stopped'], 'cancelled');
    assertEq(group.get_n_errors(), 1, 'one error');
    assertEq(group.get_error(0).message, 'child failed', 'the child\'s error');
});

test('withTaskGroup: a body that fails aborts the group', () => {
    let stopped = false;
    let group = null;
    expectCoroError(() => Coro.run(async () => {
        await Coro.withTaskGroup(async tg => {
            group = tg;
            tg.createTask(function* () {
                try {
                    yield Coro.sleep(5);
                } finally {
                    stopped = true;
                }
            });
            await Coro.sleep(1);
            throw new GLib.Error(Coro.error_quark(), Coro.Error.FAILED, 'body failed');
        });
    }), Coro.Error.TASK_GROUP, 'the group\'s error');
    assert(stopped, 'the child was cancelled');
    assertNear(elapsed(), 1, 'at once');
    assertEq(group.get_error(group.get_n_errors() - 1).message, 'body failed', 'reported');
});

test('withTaskGroup: cancelled from outside, children first', () => {
    let stopped = false;
    const outcome = Coro.run(async () => {
        const scope = Coro.withTaskGroup(function* (tg) {
            tg.createTask(function* () {
                try {
                    yield Coro.sleep(5);
                } finally {
                    stopped = true;
                }
            });
            yield Coro.sleep(5);
        });
        loop.call_later(1, () => scope.cancel(null));
        try {
            await scope;
        } catch (e) {
            return isCoroError(e, Coro.Error.CANCELLED) ? 'cancelled' : `${e}`;
        }
        return 'not cancelled';
    });
    assertEq(outcome, 'cancelled', 'outcome');
    assert(stopped, 'the child was cancelled');
});

test('withTaskGroup inside withTimeout', () => {
    expectCoroError(() => Coro.run(async () => {
        await Coro.withTimeout(1, () => Coro.withTaskGroup(function* (tg) {
            tg.createTask(() => Coro.sleep(10));
            yield Coro.sleep(10);
        }));
    }), Coro.Error.TIMEOUT, 'the scope timed out');
    assertNear(elapsed(), 1, 'at the deadline');
});

test('closures are released: no future outlives the suite', () => {
    settle();
    assertEq(loop.get_n_futures(), 0, 'live futures at the end');
});

print(`1..${count}`);
System.exit(failures > 0 ? 1 : 0);
