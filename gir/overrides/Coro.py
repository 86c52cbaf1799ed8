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
#
# It also lets Coro drive Python coroutines (see "Python coroutines" below): a Coro future
# is awaitable in an `async def`, Coro.create_task() and Coro.run() take coroutines, and
# Coro.gather() takes futures and coroutines as asyncio.gather() does.

import asyncio
import builtins
import inspect

from ..module import get_introspection_module
from ..overrides import override
from gi.repository import GLib, GObject

Coro = get_introspection_module('Coro')

__all__ = []


class Future(Coro.Future):
    """A Coro future, with asyncio's done-callback signatures, awaitable from a Python
    coroutine that Coro drives (see create_task())."""

    def __await__(self):
        # The task's driver receives the future, awaits it in C, and sends its result
        # back (or throws its error in).
        try:
            return (yield self)
        except GLib.Error as e:
            original = _original_exception(self, e)
            if original is None:
                raise
            raise original from None

    def cancel(self, msg=None):
        """Cancels the future (asyncio's ``cancel(msg=None)``); False if it was done."""
        return Coro.Future.cancel(self, msg)

    def result(self):
        """The future's result as a Python value (asyncio's ``Future.result()``): what
        the setter or the task stored, a list of results for a gather; raises the
        future's error (CancelledError for a cancellation)."""
        try:
            return _result(self)
        except GLib.Error as e:
            original = _original_exception(self, e)
            if original is None:
                raise
            raise original from None

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


# Python coroutines
#
# A Python coroutine runs as a closure task (coro_create_task_closure()): each time the
# task's function runs, the driver sends the outcome of the future awaited last into the
# coroutine (or throws its error in) and hands the next future the coroutine awaits back
# to the task, which awaits it in C. When the coroutine returns, its value becomes the
# task's result; when it raises, its exception becomes the task's error.


class CancelledError(GLib.Error, asyncio.CancelledError):
    """What ``await`` raises when the awaited future (or the awaiting task) was cancelled:
    a GLib.Error (CORO_ERROR_CANCELLED or G_IO_ERROR_CANCELLED) that is also an
    asyncio.CancelledError, so either ``except`` clause catches it."""


class TimeoutError(GLib.Error, builtins.TimeoutError):
    """What ``await`` raises for a CORO_ERROR_TIMEOUT (wait_for() timing out): a
    GLib.Error that is also the builtin TimeoutError (asyncio.TimeoutError)."""


__all__ += ['CancelledError', 'TimeoutError']

_G_IO_ERROR_CANCELLED = 19


def _is_cancellation(error):
    return (error.matches(Coro.error_quark(), Coro.Error.CANCELLED)
            or (error.domain == 'g-io-error-quark' and error.code == _G_IO_ERROR_CANCELLED))


def _exception(error):
    """The exception ``await`` raises for a future failed with ``error``."""
    if isinstance(error, (CancelledError, TimeoutError)):
        return error
    if _is_cancellation(error):
        return CancelledError(error.message, error.domain, error.code)
    if error.matches(Coro.error_quark(), Coro.Error.TIMEOUT):
        return TimeoutError(error.message, error.domain, error.code)
    return error


def _original_exception(future, error):
    """The Python exception a coroutine run as ``future`` raised, if ``error`` (its
    CORO_ERROR_FAILED error) stands for one; known through the wrapper create_task()
    returned, not through other wrappers of the same task."""
    failure = getattr(future, '_coro_failure', None)
    if not failure or not error.matches(Coro.error_quark(), Coro.Error.FAILED):
        return None
    own = Coro.Future.get_error(future) if future.done() else None
    if own is None or own.message != error.message:
        return None
    return failure[0]


def _result(future):
    """The Python value of a done future, or raises its error."""
    error = Coro.Future.get_error(future)
    if error is not None:
        raise _exception(error)
    kind = Coro.Future.get_result_type(future)
    if kind == Coro.ResultType.NONE:
        return None
    if kind != Coro.ResultType.FUTURES:
        return Coro.Future.get_value(future)
    children = Coro.Future.get_futures(future)
    results = []
    for child in children:
        try:
            results.append(_result(child))
        except BaseException as e:  # a gather with RETURN_EXCEPTIONS
            results.append(e)
    return results


def _return(task, value):
    """Ends ``task`` with a Python value."""
    if value is None:
        Coro.task_return(task)
    elif isinstance(value, bool):
        Coro.task_return_boolean(task, value)
    elif isinstance(value, int) and -2 ** 63 <= value < 2 ** 63:
        Coro.task_return_int(task, value)
    elif isinstance(value, float):
        Coro.task_return_double(task, value)
    elif isinstance(value, str):
        Coro.task_return_string(task, value)
    elif isinstance(value, GObject.Object):
        Coro.task_return_object(task, value)
    else:
        Coro.task_return_value(task, GObject.Value(GObject.TYPE_PYOBJECT, value))


class _Driver:
    """Runs one Python coroutine as the function of a closure task."""

    __slots__ = ('coro', 'value', 'exception', 'failure')

    def __init__(self, coro):
        self.coro = coro
        self.value = None
        self.exception = None
        # The exception a GLib.Error stands for, shared with the task's wrapper (not the
        # driver itself, which holds the coroutine).
        self.failure = []

    def __call__(self, task, *_):
        awaited = Coro.task_get_awaited(task)
        if awaited is None:
            resume, arg = self.coro.send, None
        else:
            try:
                resume, arg = self.coro.send, _result(awaited)
            except BaseException as e:
                resume, arg = self.coro.throw, e
        while True:
            try:
                yielded = resume(arg)
            except StopIteration as stop:
                self.value = stop.value
                _return(task, stop.value)
                return None
            except GLib.Error as e:
                self.exception = e
                Coro.task_return_error(task, e)
                return None
            except asyncio.CancelledError as e:  # raised by the coroutine itself
                self.exception = e
                Coro.task_return_error(task, GLib.Error.new_literal(
                    Coro.error_quark(), str(e.args[0]) if e.args else 'Task was cancelled',
                    Coro.Error.CANCELLED))
                return None
            except BaseException as e:
                self.exception = e
                if isinstance(e, Exception):
                    self.failure.append(e)
                Coro.task_return_error(task, GLib.Error.new_literal(
                    Coro.error_quark(), '%s: %s' % (type(e).__name__, e), Coro.Error.FAILED))
                return None
            if isinstance(yielded, Coro.Future):
                return yielded
            # Something Coro cannot wait for (an asyncio future, a bare yield): raise in
            # the coroutine, as asyncio does for what it cannot await.
            resume, arg = self.coro.throw, TypeError(
                'a Coro task cannot await %r; await Coro futures and coroutines' % (yielded,))

    def __del__(self):
        # A coroutine that never ran (its task was cancelled first or dropped) is closed
        # without the "never awaited" warning.
        try:
            self.coro.close()
        except Exception:
            pass


def _start(coro, name=None):
    if inspect.iscoroutinefunction(coro):
        raise TypeError('a coroutine was expected, got the coroutine function %s; call it'
                        % getattr(coro, '__qualname__', coro))
    if not inspect.iscoroutine(coro):
        if inspect.isawaitable(coro):
            coro = _await(coro)
        else:
            raise TypeError('a coroutine was expected, got %r' % (coro,))
    driver = _Driver(coro)
    task = _create_task_closure(driver)
    if name is not None:
        Coro.task_set_name(task, name)
    task._coro_failure = driver.failure  # see _original_exception()
    return task, driver


async def _await(awaitable):
    return await awaitable


_create_task_closure = Coro.create_task


def create_task(coro, *args, name=None):
    """Runs the coroutine ``coro`` as a Coro task (asyncio's ``create_task``) and
    returns the task, a Coro.Future: await it, gather it, cancel it.

    The coroutine's return value becomes the task's result (None, bool, int, float and
    str as the typed results, a GObject as an object result, anything else as a GValue
    holding the Python object); an exception becomes the task's error: a GLib.Error as
    itself, a CancelledError as a cancellation, anything else as CORO_ERROR_FAILED with
    message "Type: message" (awaiting or result() of the returned object raise the
    original exception; other wrappers of the task, from gather for instance, raise the
    GLib.Error).

    For the C-level API, ``create_task(func, *user_data)`` with a function (not a
    coroutine) is coro_create_task_closure(): ``func(task, *user_data)`` returns the next
    future to await, or ends the task with a task_return_*() function and returns None.
    """
    if callable(coro) and not inspect.isawaitable(coro) \
            and not inspect.iscoroutinefunction(coro):
        return _create_task_closure(coro, *args)
    if args:
        raise TypeError('create_task() takes one coroutine')
    return _start(coro, name)[0]


__all__.append('create_task')

_run = Coro.run


def run(main):
    """Runs ``main`` to completion on the loop (asyncio's ``run``).

    With a coroutine, returns its return value (the Python object itself) or raises its
    exception (the Python exception itself). With a Coro future, behaves as
    coro_run(): returns True or raises the future's GLib.Error.
    """
    if isinstance(main, Coro.Future):
        return _run(main)
    task, driver = _start(main)
    try:
        _run(task)
    except GLib.Error as e:
        if driver.exception is not None:
            raise driver.exception from None
        raise _exception(e) from None
    return driver.value


__all__.append('run')

_gather = Coro.gather


def gather(*aws, return_exceptions=False, flags=None):
    """A future that completes when every one of ``aws`` (futures or coroutines, the
    latter run as tasks) has (asyncio's ``gather``); awaited, it gives the list of their
    results. ``return_exceptions`` and ``flags`` (Coro.GatherFlags) select the behaviour
    on errors. The C form ``gather([futures], flags)`` is accepted as well."""
    if len(aws) in (1, 2) and isinstance(aws[0], (list, tuple)) \
            and (len(aws) == 1 or isinstance(aws[1], Coro.GatherFlags)):
        futures = list(aws[0])
        if len(aws) == 2:
            flags = aws[1]
    else:
        futures = list(aws)
    if flags is None:
        flags = Coro.GatherFlags.NONE
    if return_exceptions:
        flags |= Coro.GatherFlags.RETURN_EXCEPTIONS
    futures = [f if isinstance(f, Coro.Future) else create_task(f) for f in futures]
    return _gather(futures, flags)


__all__.append('gather')

_wait_for = Coro.wait_for


def wait_for(aw, timeout):
    """Coro.wait_for() that also takes a coroutine (run as a task), as asyncio's does;
    ``timeout`` None waits without limit. Awaited, it raises Coro.TimeoutError on
    timeout, after cancelling ``aw``."""
    if timeout is None:
        return aw if isinstance(aw, Coro.Future) else create_task(aw)
    return _wait_for(aw if isinstance(aw, Coro.Future) else create_task(aw), timeout)


_shield = Coro.shield


def shield(aw):
    """Coro.shield() that also takes a coroutine (run as a task)."""
    return _shield(aw if isinstance(aw, Coro.Future) else create_task(aw))


__all__ += ['wait_for', 'shield']


# Scopes: `async with Coro.timeout (d):` and `async with Coro.TaskGroup () as tg:`, for
# coroutines Coro drives. Both end with the C scope's exit, given the body's exception as
# a GLib.Error.

def _as_error(exc):
    """The GLib.Error a scope's C exit is given for the body's exception ``exc``."""
    if isinstance(exc, GLib.Error):
        return exc
    if isinstance(exc, asyncio.CancelledError):
        return GLib.Error.new_literal(Coro.error_quark(),
                                      str(exc.args[0]) if exc.args else 'Task was cancelled',
                                      Coro.Error.CANCELLED)
    return GLib.Error.new_literal(Coro.error_quark(), '%s: %s' % (type(exc).__name__, exc),
                                  Coro.Error.FAILED)


# PyGObject 3.42 cannot pass None for a GError argument: a body that succeeded is told to
# the C exit as an error that is no cancellation, which the exit treats the same way.
_NO_ERROR = GLib.Error.new_literal(Coro.error_quark(), 'no error', Coro.Error.FAILED)


class Timeout(Coro.Timeout):
    """asyncio.Timeout: ``async with Coro.timeout (delay):`` cancels the running task when
    the deadline passes and turns that cancellation into Coro.TimeoutError (a
    TimeoutError) at the end of the block; reschedule(), when() and expired() as in
    asyncio (when() is infinity for no deadline)."""

    async def __aenter__(self):
        self.enter(None)
        return self

    async def __aexit__(self, exc_type, exc, tb):
        passed = _NO_ERROR if exc is None else _as_error(exc)
        try:
            self.exit(passed)
        except GLib.Error as e:
            if e.matches(Coro.error_quark(), Coro.Error.TIMEOUT):
                raise TimeoutError(e.message, e.domain, e.code) from exc
            if (e.domain, e.code, e.message) != (passed.domain, passed.code, passed.message):
                raise  # the scope was misused: not entered, or exited twice
        return False  # the body's own exception, if any, goes on


Timeout = override(Timeout)


def timeout(delay):
    """asyncio.timeout(): a scope with a deadline ``delay`` seconds from now (None: none)."""
    return Timeout.new(float('inf') if delay is None else delay)


def timeout_at(when):
    """asyncio.timeout_at(): a scope with a deadline on the loop's clock (None: none)."""
    return Timeout.new_at(float('inf') if when is None else when)


class TaskGroup(Coro.TaskGroup):
    """asyncio.TaskGroup: ``async with Coro.TaskGroup () as tg: tg.create_task (coro)``.
    The first child to fail cancels the others and the task running the block; the block
    then raises a GLib.Error with code TASK_GROUP whose children's errors are
    get_error (i) for i in range (get_n_errors ())."""

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        await (self.join() if exc is None else self.wait(_as_error(exc)))
        return False

    def create_task(self, coro, name=None):
        """Runs the coroutine ``coro`` as a task of the group, and returns the task."""
        task = _start(coro, name)[0]
        try:
            self.add(task)
        except GLib.Error:
            task.cancel()
            raise
        return task


TaskGroup = override(TaskGroup)
__all__ += ['Timeout', 'timeout', 'timeout_at', 'TaskGroup']
