// say-after-tasks.js: the same async functions as tasks run concurrently, in 2 seconds
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Coro from "gi://Coro?version=1.0";
import GLib from "gi://GLib";

// The examples print the wall-clock time they started at plus the loop time elapsed
// since (as examples/example-clock.h does), so that CORO_VIRTUAL_CLOCK=1 gives exact times.
const loop = Coro.Loop.get_default();
const wallStart = GLib.get_real_time() / 1e6;
const loopStart = loop.time();

// time.time() on the loop clock
function exampleTime() {
    return wallStart + (loop.time() - loopStart);
}

// time.strftime("%X") on the loop clock
function exampleStrftimeX() {
    return GLib.DateTime.new_from_unix_local(Math.floor(exampleTime())).format("%H:%M:%S");
}

async function sayAfter(delay, what) {
    await Coro.sleep(delay);
    print(what);
}

async function main() {
    const task1 = Coro.createTask(sayAfter, 1, "hello");

    const task2 = Coro.createTask(sayAfter, 2, "world");

    print(`started at ${exampleStrftimeX()}`);

    // Wait until both tasks are completed (should take around 2 seconds.)
    await task1;
    await task2;

    print(`finished at ${exampleStrftimeX()}`);
}

Coro.run(main);
