// producer-consumer.js: the asyncio docs' queue example, three workers and join()
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Coro from "gi://Coro?version=1.0";
import GObject from "gi://GObject";

const loop = Coro.Loop.get_default();

// A generator function, not an async one: the workers loop forever and end when their
// tasks are cancelled, which reaches a generator at its yield (see cancel-me.js).
function* worker(name, queue) {
    for (;;) {
        // Get a "work item" out of the queue.
        const sleepFor = yield queue.get();

        // Sleep for the "sleep_for" seconds.
        yield Coro.sleep(sleepFor);

        // Notify the queue that the "work item" has been processed.
        queue.task_done();

        print(`${name} has slept for ${sleepFor.toFixed(2)} seconds`);
    }
}

async function main() {
    // Create a queue that we will use to store our "workload".
    const queue = Coro.Queue.new(0);

    // Generate random timings and put them into the queue.
    let totalSleepTime = 0;
    for (let i = 0; i < 20; i++) {
        const sleepFor = 0.05 + Math.random() * 0.95;
        totalSleepTime += sleepFor;
        const value = new GObject.Value();
        value.init(GObject.TYPE_DOUBLE);
        value.set_double(sleepFor);
        queue.put_value_nowait(value);
    }

    // Create three worker tasks to process the queue concurrently.
    const tasks = [];
    for (let i = 0; i < 3; i++)
        tasks.push(Coro.createTask(worker, `worker-${i}`, queue));

    // Wait until the queue is fully processed.
    const startedAt = loop.time();
    await queue.join();
    const totalSleptFor = loop.time() - startedAt;

    // Cancel our worker tasks.
    for (const task of tasks)
        task.cancel();
    // Wait until all worker tasks are cancelled.
    await Coro.gather(tasks, Coro.GatherFlags.RETURN_EXCEPTIONS);

    print("====");
    print(`3 workers slept in parallel for ${totalSleptFor.toFixed(2)} seconds`);
    print(`total expected sleep time: ${totalSleepTime.toFixed(2)} seconds`);
}

Coro.run(main);
