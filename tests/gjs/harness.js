// harness.js: the runner and assertions every GJS binding test imports
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Each test*.js imports it as `./harness.js` (gjs -m resolves that from the test file, so
// meson may run the tests from any directory). A test fails on any exception and on any
// future it leaves alive; the file prints TAP (`ok N - name`, then the plan `1..N`) for
// meson's `protocol: 'tap'` and exits 1 when a test failed.

import Coro from 'gi://Coro?version=1.0';
import GLib from 'gi://GLib';
import System from 'system';

export const loop = Coro.Loop.get_default();

let failures = 0;
let count = 0;
let start = 0;
let virtualClock = false;

// Sets how the tests after it run. virtualClock: each test starts on the virtual clock
// (every test ends on the real one either way).
export function configure({virtualClock: virtual = false} = {}) {
    virtualClock = virtual;
}

export function assert(condition, what) {
    if (!condition)
        throw new Error(`assertion failed: ${what}`);
}

export function assertEq(actual, expected, what) {
    if (actual !== expected)
        throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

// For values that === does not compare: arrays, objects.
export function assertJson(actual, expected, what) {
    assertEq(JSON.stringify(actual), JSON.stringify(expected), what);
}

export function assertNear(actual, expected, delta, what) {
    if (Math.abs(actual - expected) > delta)
        throw new Error(`${what}: expected ${expected} ± ${delta}, got ${actual}`);
}

export function isGError(e, domain, code) {
    return e instanceof GLib.Error && e.matches(domain, code);
}

export function isCoroError(e, code) {
    return isGError(e, Coro.error_quark(), code);
}

export function assertGError(e, domain, code, what) {
    if (!isGError(e, domain, code))
        throw new Error(`${what}: wrong error ${e}`);
}

// Returns what func threw, whatever it is.
export function assertThrows(func, what) {
    try {
        func();
    } catch (e) {
        return e;
    }
    throw new Error(`${what}: did not throw`);
}

// Returns the GError func threw, which must be domain's code. The error is checked here
// rather than handed to assertGError(): with the JIT on, that kept dead futures of
// testCoro.js reachable across System.gc() and failed its leak checks.
export function assertThrowsGError(domain, code, func, what) {
    try {
        func();
    } catch (e) {
        if (!(e instanceof GLib.Error) || !e.matches(domain, code))
            throw new Error(`${what}: wrong error ${e}`);
        return e;
    }
    throw new Error(`${what}: did not throw`);
}

export function assertThrowsCoro(code, func, what) {
    return assertThrowsGError(Coro.error_quark(), code, func, what);
}

// The real time in seconds, for the few tests that cannot use the virtual clock.
export function now() {
    return GLib.get_monotonic_time() / 1e6;
}

// Switches the current test to the virtual clock.
export function virtual() {
    loop.set_virtual_clock(true);
    assert(loop.get_virtual_clock(), 'virtual clock on');
}

// Loop time since the current test began.
export function elapsed() {
    return loop.time() - start;
}

export function text(bytes) {
    return new TextDecoder().decode(bytes.toArray());
}

// Collects garbage and runs what is ready until nothing changes, creating no future.
export function settle() {
    const context = GLib.MainContext.default();
    for (let i = 0; i < 3; i++) {
        System.gc();
        while (context.iteration(false))
            ;
    }
}

function restoreLoop() {
    loop.set_exception_handler(null);
    loop.set_virtual_clock(false);
}

// Runs func as test number count+1 and prints its TAP line. Before the futures are counted,
// the callbacks the test queued run and its garbage is collected: with the default exception
// handler back, so that a late report does not reach the test's, but still on its clock.
export function test(name, func) {
    settle();
    const baseline = loop.get_n_futures();
    count++;
    loop.set_virtual_clock(virtualClock);
    start = loop.time();
    try {
        func();
        loop.set_exception_handler(null);
        Coro.run(Coro.sleep(0));
        settle();
        restoreLoop();
        assertEq(loop.get_n_futures(), baseline, 'live futures after the test');
        print(`ok ${count} - ${name}`);
    } catch (e) {
        restoreLoop();
        failures++;
        print(`not ok ${count} - ${name}`);
        printerr(`# ${name}: ${e}\n${e.stack ?? ''}`);
    }
}

// Runs an async test function on a GLib main loop, as a GNOME application would.
export function testAsync(name, func) {
    test(name, () => {
        const mainLoop = new GLib.MainLoop(null, false);
        let error = null;
        func().catch(e => {
            error = e;
        }).finally(() => mainLoop.quit());
        mainLoop.run();
        if (error)
            throw error;
    });
}

// Prints the TAP plan and exits, with 1 when a test failed.
export function done() {
    print(`1..${count}`);
    System.exit(failures > 0 ? 1 : 0);
}
