// say-after-sequential.js: awaiting async functions one after the other takes 1 + 2 s
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
    print(`started at ${exampleStrftimeX()}`);

    await sayAfter(1, "hello");
    await sayAfter(2, "world");

    print(`finished at ${exampleStrftimeX()}`);
}

Coro.run(main);
