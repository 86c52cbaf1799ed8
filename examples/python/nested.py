#!/usr/bin/python3
# nested.py: a coroutine awaited directly, and as a task
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


async def nested():
    return 42


async def main():
    # Nothing happens if we just call "nested()": a coroutine object is created but not
    # awaited, so it *won't run at all* (the seed does this too; close it to keep Python
    # from warning that it was never awaited).
    nested().close()

    # Let's do it differently now and await it:
    print(await nested())  # will print "42".

    # Schedule nested() to run soon concurrently with "main()"; "task" can now be used
    # to cancel "nested()", or can simply be awaited to wait until it is complete:
    task = Coro.create_task(nested())
    await task


Coro.run(main())
