#!/usr/bin/python3
# say-after-sequential.py: awaiting coroutines one after the other takes 1 + 2 seconds
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

# The examples print the wall-clock time they started at plus the loop time elapsed
# since (as examples/example-clock.h does), so that CORO_VIRTUAL_CLOCK=1 gives exact times.
_loop = Coro.Loop.get_default()
_wall_start, _loop_start = time.time(), _loop.time()


def example_time():
    """time.time() on the loop clock."""
    return _wall_start + (_loop.time() - _loop_start)


def example_strftime_x():
    """time.strftime("%X") on the loop clock."""
    return time.strftime("%H:%M:%S", time.localtime(example_time()))


async def say_after(delay, what):
    await Coro.sleep(delay)
    print(what)


async def main():
    print(f"started at {example_strftime_x()}")

    await say_after(1, "hello")
    await say_after(2, "world")

    print(f"finished at {example_strftime_x()}")


Coro.run(main())
