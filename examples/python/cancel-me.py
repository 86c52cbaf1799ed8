#!/usr/bin/python3
# cancel-me.py: cancelling a task throws CancelledError into its coroutine
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


async def cancel_me():
    print("cancel_me(): before sleep")

    try:
        # Wait for 1 hour
        await Coro.sleep(3600)
    except Coro.CancelledError:
        print("cancel_me(): cancel sleep")
        raise
    finally:
        print("cancel_me(): after sleep")


async def main():
    # Create a "cancel_me" Task
    task = Coro.create_task(cancel_me())

    # Wait for 1 second
    await Coro.sleep(1)

    task.cancel()
    try:
        await task
    except Coro.CancelledError:
        print("main(): cancel_me is cancelled now")


Coro.run(main())
