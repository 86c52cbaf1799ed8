#!/usr/bin/python3
# producer-consumer.py: the asyncio docs' queue example, three workers and join()
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import random

import os
import sys

import gi
import gi.overrides

# In the build tree the override comes from the source tree (see examples/meson.build).
if os.environ.get("CORO_OVERRIDES_DIR"):
    gi.overrides.__path__.insert(0, os.environ["CORO_OVERRIDES_DIR"])
gi.require_version("Coro", "1.0")
from gi.repository import Coro  # noqa: E402

sys.stdout.reconfigure(line_buffering=True)

loop = Coro.Loop.get_default()


async def worker(name, queue):
    while True:
        # Get a "work item" out of the queue.
        sleep_for = await queue.get()

        # Sleep for the "sleep_for" seconds.
        await Coro.sleep(sleep_for)

        # Notify the queue that the "work item" has been processed.
        queue.task_done()

        print(f"{name} has slept for {sleep_for:.2f} seconds")


async def main():
    # Create a queue that we will use to store our "workload".
    queue = Coro.Queue.new(0)

    # Generate random timings and put them into the queue.
    total_sleep_time = 0
    for _ in range(20):
        sleep_for = random.uniform(0.05, 1.0)
        total_sleep_time += sleep_for
        queue.put_value_nowait(sleep_for)  # queue.put_nowait(sleep_for)

    # Create three worker tasks to process the queue concurrently.
    tasks = []
    for i in range(3):
        task = Coro.create_task(worker(f"worker-{i}", queue))
        tasks.append(task)

    # Wait until the queue is fully processed.
    started_at = loop.time()
    await queue.join()
    total_slept_for = loop.time() - started_at

    # Cancel our worker tasks.
    for task in tasks:
        task.cancel()
    # Wait until all worker tasks are cancelled.
    await Coro.gather(*tasks, return_exceptions=True)

    print("====")
    print(f"3 workers slept in parallel for {total_slept_for:.2f} seconds")
    print(f"total expected sleep time: {total_sleep_time:.2f} seconds")


Coro.run(main())
