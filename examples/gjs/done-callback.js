// done-callback.js: done callbacks on tasks read their results
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

async function calculateTask(a, b, t) {
    print(`start calculate at ${exampleTime().toFixed(6)}`);
    await Coro.sleep(t);
    print("finished");
    return a + b;
}

function doneCallback(...args) {
    print("finished callback");
    const r = args[0].result();
    print(`result is ${r}`);
    print(`now is ${exampleTime().toFixed(6)}`);
}

async function main() {
    const task1 = Coro.createTask(calculateTask, 1, 3, 5);
    const task2 = Coro.createTask(calculateTask, 1, 6, 3);
    task1.add_done_callback(doneCallback);
    task2.add_done_callback(doneCallback);
    await task1;
    await task2;
}

const t = exampleTime();
Coro.run(main);
print(`total time is ${(exampleTime() - t).toFixed(6)}`);
