# coro_testing.py: the setup, test case and runner every Python binding test imports
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Each test_*.py imports it by name: python3 puts the script's own directory first on
# sys.path, so meson may run the tests from any directory. Importing it loads Coro's
# override from CORO_OVERRIDES_DIR (the source tree, as the installed one would be) before
# anything imports gi.repository.Coro; the test files take Coro, GLib, GObject and Gio from
# here. Any exception, any GLib critical (G_DEBUG makes them fatal) and any future still
# alive after a test fails the run.

import gc
import os
import sys
import unittest

import gi
import gi.overrides

if os.environ.get('CORO_OVERRIDES_DIR'):
    gi.overrides.__path__.insert(0, os.environ['CORO_OVERRIDES_DIR'])

gi.require_version('Coro', '1.0')
gi.require_version('GLib', '2.0')
gi.require_version('GObject', '2.0')
gi.require_version('Gio', '2.0')
from gi.repository import Coro, GLib, GObject, Gio  # noqa: E402

__all__ = ['Coro', 'GLib', 'GObject', 'Gio', 'CoroTestCase', 'is_error', 'run_tests']


def is_error(e, code):
    """Whether e is the GLib.Error ``code`` of Coro's error domain."""
    return isinstance(e, GLib.Error) and e.matches(Coro.error_quark(), code)


class CoroTestCase(unittest.TestCase):
    """Fails a test that leaves a future alive, and gives the next one the loop's defaults
    back: the real clock and the default exception handler."""

    # True: each test starts on the virtual clock; otherwise on the real one, and may switch
    # with virtual().
    virtual_clock = False
    # Before counting the futures, iterate the default main context until they are back to
    # the baseline (at most 1000 times): a cancelled GIO call may still be on its way back.
    wait_for_gio = False

    def setUp(self):
        self.loop = Coro.Loop.get_default()
        self.loop.set_virtual_clock(self.virtual_clock)
        gc.collect()
        self.baseline = self.loop.get_n_futures()
        self.start = self.loop.time()

    def tearDown(self):
        # The default handler first, so that a late report does not reach the test's.
        self.loop.set_exception_handler(None)
        # Let callbacks queued by the test run, then collect what they dropped, twice: the
        # first pass may release futures whose callbacks queue more.
        for _ in range(2):
            gc.collect()
            Coro.run(Coro.sleep(0))
        gc.collect()
        self.loop.set_virtual_clock(False)
        if self.wait_for_gio:
            context = GLib.MainContext.default()
            for _ in range(1000):
                if self.loop.get_n_futures() == self.baseline:
                    break
                context.iteration(False)
        self.assertEqual(self.loop.get_n_futures(), self.baseline, 'a future leaked')

    def virtual(self):
        """Switches the current test to the virtual clock."""
        self.loop.set_virtual_clock(True)
        self.assertTrue(self.loop.get_virtual_clock())

    def elapsed(self):
        """Loop time since the current test began."""
        return self.loop.time() - self.start


def run_tests():
    """Runs the calling module's tests and exits 1 when one failed."""
    result = unittest.main(module='__main__', verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)
