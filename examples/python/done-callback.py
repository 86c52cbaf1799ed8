#!/usr/bin/python3
# done-callback.py: done callbacks on tasks read their results
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


async def calculate_task(a, b, t):
    print("start calculate at {}".format(example_time()))
    await Coro.sleep(t)
    print("finished")
    return a + b


def done_callback(*args):
    print("finished callback")
    r = args[0].result()
    print("result is {}".format(r))
    print("now is {}".format(example_time()))


async def main():
    task1 = Coro.create_task(calculate_task(1, 3, 5))
    task2 = Coro.create_task(calculate_task(1, 6, 3))
    try:
        task1.add_done_callback(done_callback)
        task2.add_done_callback(done_callback)
        await task1
        await task2
    except Coro.CancelledError:
        print("main(): cancel_me is cancelled now")


t = example_time()
Coro.run(main())
print("total time is {}".format(example_time() - t))
