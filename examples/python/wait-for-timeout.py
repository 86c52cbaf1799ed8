#!/usr/bin/python3
# wait-for-timeout.py: wait_for cancels a coroutine that takes too long
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


async def eternity():
    # Sleep for one hour
    await Coro.sleep(3600)
    print("yay!")


async def main():
    # Wait for at most 1 second
    try:
        await Coro.wait_for(eternity(), timeout=1.0)
    except Coro.TimeoutError:
        print("timeout!")


Coro.run(main())
