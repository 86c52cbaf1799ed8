// cancel-me.js: cancelling a task throws the cancellation into it
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Coro from "gi://Coro?version=1.0";

function isCancelled(e) {
    return e.matches?.(Coro.error_quark(), Coro.Error.CANCELLED);
}

// A generator function, not an async one: cancelling its task throws the cancellation in
// at the yield it waits in, as asyncio throws CancelledError into a coroutine. An async
// function cannot be interrupted (its task would end at once, the function sleeping on).
function* cancelMe() {
    print("cancel_me(): before sleep");

    try {
        // Wait for 1 hour
        yield Coro.sleep(3600);
    } catch (e) {
        if (isCancelled(e))
            print("cancel_me(): cancel sleep");
        throw e;
    } finally {
        print("cancel_me(): after sleep");
    }
}

async function main() {
    // Create a "cancel_me" Task
    const task = Coro.createTask(cancelMe);

    // Wait for 1 second
    await Coro.sleep(1);

    task.cancel();
    try {
        await task;
    } catch (e) {
        if (!isCancelled(e))
            throw e;
        print("main(): cancel_me is cancelled now");
    }
}

Coro.run(main);
