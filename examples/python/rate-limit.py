#!/usr/bin/python3
# rate-limit.py: a semaphore bounding concurrent coroutines
#
# SPDX-License-Identifier: LGPL-2.1-or-later

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
start_time = loop.time()


def elapsed():
    return loop.time() - start_time


async def job(n, semaphore):
    await semaphore.acquire()  # async with semaphore:
    try:
        print(f"job {n} started at {elapsed():.2f} s")
        await Coro.sleep(1)
        print(f"job {n} done at {elapsed():.2f} s")
    finally:
        semaphore.release()


async def main():
    semaphore = Coro.Semaphore.new(3)
    await Coro.gather(*(job(n, semaphore) for n in range(10)))
    print(f"10 jobs in {elapsed():.2f} s, at most 3 at a time")


Coro.run(main())
