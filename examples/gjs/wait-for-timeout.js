// wait-for-timeout.js: wait_for cancels a task that takes too long
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Coro from "gi://Coro?version=1.0";

// A generator function, not an async one: cancelling its task (as wait_for does on
// timeout) throws the cancellation in at its yield, as asyncio does. A promise cannot be
// interrupted: an async eternity() would sleep on after the timeout.
function* eternity() {
    // Sleep for one hour
    yield Coro.sleep(3600);
    print("yay!");
}

async function main() {
    // Wait for at most 1 second
    try {
        await Coro.wait_for(eternity, 1.0);
    } catch (e) {
        if (!e.matches(Coro.error_quark(), Coro.Error.TIMEOUT))
            throw e;
        print("timeout!");
    }
}

Coro.run(main);
