#!/usr/bin/python3
# future-gather.py: a future completed by GLib, awaited and gathered with a coroutine
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
from gi.repository import GLib  # noqa: E402


def function_that_returns_a_future_object():
    future = Coro.Future.new()

    def complete():
        if not future.done():  # main may have been cancelled meanwhile
            future.set_string("set by a GLib timeout")
        return GLib.SOURCE_REMOVE

    GLib.timeout_add(500, complete)
    return future


async def some_python_coroutine():
    await Coro.sleep(1)
    return 42


async def main():
    print(f"future: {await function_that_returns_a_future_object()}")

    # this is also valid:
    results = await Coro.gather(
        function_that_returns_a_future_object(),
        some_python_coroutine()
    )
    print(f"gather: {results[0]}, {results[1]}")


Coro.run(main())
