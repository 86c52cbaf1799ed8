// nested.js: an async function awaited directly, and as a task
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Coro from "gi://Coro?version=1.0";

async function nested() {
    return 42;
}

async function main() {
    // Unlike a Python coroutine, calling an async function runs it (up to its first
    // await); the seed's "nested()" that does nothing has no JavaScript equivalent.

    // Await it:
    print(await nested()); // will print "42".

    // Schedule nested() to run soon concurrently with "main()"; "task" can now be used
    // to cancel "nested()", or can simply be awaited to wait until it is complete:
    const task = Coro.createTask(nested);
    await task;
}

Coro.run(main);
