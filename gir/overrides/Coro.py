# Coro.py: PyGObject override for Coro-1.0
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Installed as gi/overrides/Coro.py next to PyGObject's own overrides. It makes done
# callbacks behave as in asyncio:
#
# - the callback receives the Python wrapper the callback was added through, which owns a
#   reference to the future, so keeping it after the callback returns is safe (the future
#   argument of the C callback is only borrowed for the duration of the call);
# - remove_done_callback() accepts the callable itself, like asyncio, or the id that
#   add_done_callback() returned, and returns how many registrations it removed.

from ..module import get_introspection_module
from ..overrides import override

Coro = get_introspection_module('Coro')

__all__ = []


class Future(Coro.Future):
    """A Coro future, with asyncio's done-callback signatures."""

    def add_done_callback(self, callback, *user_data):
        """Calls ``callback(future, *user_data)`` from the loop once the future is done.

        Returns an id that remove_done_callback() also accepts.
        """
        if not callable(callback):
            raise TypeError('callback must be callable, not %s' % type(callback).__name__)
        owner = self
        key = hash(self)  # the C pointer: the same for every wrapper of this future

        def trampoline(_borrowed, *_ignored):
            registrations = _registrations.get(key)
            if registrations is not None:
                registrations[:] = [r for r in registrations if r[1] != callback_id]
                if not registrations:
                    del _registrations[key]
            callback(owner, *user_data)

        callback_id = Coro.Future.add_done_callback(self, trampoline)
        _registrations.setdefault(key, []).append((callback, callback_id))
        return callback_id

    def remove_done_callback(self, callback):
        """Removes every registration of ``callback`` (a callable or an id from
        add_done_callback()) and returns how many were removed."""
        if isinstance(callback, int) and not isinstance(callback, bool):
            removed = Coro.Future.remove_done_callback(self, callback)
            registrations = _registrations.get(hash(self))
            if registrations is not None:
                registrations[:] = [r for r in registrations if r[1] != callback]
                if not registrations:
                    del _registrations[hash(self)]
            return removed
        registrations = _registrations.get(hash(self), [])
        removed = 0
        kept = []
        for registration in registrations:
            if registration[0] == callback:
                removed += Coro.Future.remove_done_callback(self, registration[1])
            else:
                kept.append(registration)
        if kept:
            _registrations[hash(self)] = kept
        else:
            _registrations.pop(hash(self), None)
        return removed


# Pending registrations by future (keyed by its C pointer, which is what hash() of a
# boxed wrapper gives), so that remove_done_callback(callable) can find the ids;
# an entry lives as long as its callback is registered.
_registrations = {}

Future = override(Future)
__all__.append('Future')
