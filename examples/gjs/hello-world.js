// hello-world.js: the seed's first program, an async function run by Coro
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Coro from "gi://Coro?version=1.0";

async function main() {
    print("hello");
    await Coro.sleep(1);
    print("world");
}

Coro.run(main);
