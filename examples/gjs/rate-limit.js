// rate-limit.js: a semaphore bounding concurrent async functions
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Coro from "gi://Coro?version=1.0";

const loop = Coro.Loop.get_default();
const startTime = loop.time();

function elapsed() {
    return (loop.time() - startTime).toFixed(2);
}

async function job(n, semaphore) {
    await semaphore.acquire(); // async with semaphore:
    try {
        print(`job ${n} started at ${elapsed()} s`);
        await Coro.sleep(1);
        print(`job ${n} done at ${elapsed()} s`);
    } finally {
        semaphore.release();
    }
}

async function main() {
    const semaphore = Coro.Semaphore.new(3);
    await Coro.gather([...Array(10).keys()].map(n => job(n, semaphore)));
    print(`10 jobs in ${elapsed()} s, at most 3 at a time`);
}

Coro.run(main);
