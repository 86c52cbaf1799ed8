// gather-factorial.js: three factorial async functions run concurrently under gather
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Coro from "gi://Coro?version=1.0";

async function factorial(name, number) {
    let f = 1;
    for (let i = 2; i <= number; i++) {
        print(`Task ${name}: Compute factorial(${i})...`);
        await Coro.sleep(1);
        f *= i;
    }
    print(`Task ${name}: factorial(${number}) = ${f}`);
}

async function main() {
    // Schedule three calls *concurrently*:
    await Coro.gather([
        () => factorial("A", 2),
        () => factorial("B", 3),
        () => factorial("C", 4),
    ]);
}

Coro.run(main);
