#!/usr/bin/python3
# run-in-executor.py: blocking work in Coro's thread pool while a coroutine ticks
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import time

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


def blocking_io(result, cancellable):
    # Runs on a worker thread (PyGObject takes the GIL for it).
    time.sleep(1)
    result.set_int(sum(range(1_000_001)))


async def ticker():
    for i in range(3):
        await Coro.sleep(0.25)
        print(f"tick {i + 1}")


async def main():
    result, _ = await Coro.gather(Coro.run_in_executor(blocking_io), ticker())
    print(f"blocking_io returned {result}")


Coro.run(main())
