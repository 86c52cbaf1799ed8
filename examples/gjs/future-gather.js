// future-gather.js: a future completed by GLib, awaited and gathered with a task
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Coro from "gi://Coro?version=1.0";
import GLib from "gi://GLib";

function functionThatReturnsAFutureObject() {
    const future = Coro.Future.new();
    GLib.timeout_add(GLib.PRIORITY_DEFAULT, 500, () => {
        if (!future.done()) // main may have been cancelled meanwhile
            future.set_string("set by a GLib timeout");
        return GLib.SOURCE_REMOVE;
    });
    return future;
}

async function someAsyncFunction() {
    await Coro.sleep(1);
    return 42;
}

async function main() {
    print(`future: ${await functionThatReturnsAFutureObject()}`);

    // this is also valid:
    const results = await Coro.gather([
        functionThatReturnsAFutureObject(),
        someAsyncFunction,
    ]);
    print(`gather: ${results[0]}, ${results[1]}`);
}

Coro.run(main);
