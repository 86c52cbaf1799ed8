// Coro.js: GJS override for Coro-1.0
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// GJS loads it as overrides/Coro.js from its search path (installed next to GJS's own
// overrides' search directory, or found through GJS_PATH in the build tree). It makes done
// callbacks behave as in asyncio:
//
// - the callback receives the wrapper the callback was added through, which owns a
//   reference to the future, so keeping it after the callback returns is safe (the future
//   argument of the C callback is only borrowed for the duration of the call);
// - remove_done_callback() accepts the function itself, like asyncio, or the id that
//   add_done_callback() returned, and returns how many registrations it removed.

/* exported _init */

// Pending registrations of each wrapper: [callback, id] pairs.
const _registrations = new WeakMap();
// The wrapper of each pending registration, by id.
const _owners = new Map();

function _forget(future, id) {
    const list = _registrations.get(future);
    if (!list)
        return;
    const kept = list.filter(([, registered]) => registered !== id);
    if (kept.length > 0)
        _registrations.set(future, kept);
    else
        _registrations.delete(future);
}

function _init() {
    const Coro = this;
    const addDoneCallback = Coro.Future.prototype.add_done_callback;
    const removeDoneCallbackById = Coro.Future.prototype.remove_done_callback;

    // GJS 1.74 keeps the gboolean return of a throwing function with an out argument
    // even when it is annotated (skip); return the value alone, as PyGObject does.
    const getValue = Coro.Future.prototype.get_value;
    Coro.Future.prototype.get_value = function () {
        const result = getValue.call(this);
        return Array.isArray(result) ? result[result.length - 1] : result;
    };

    /**
     * Calls callback(future, ...args) from the loop once the future is done.
     *
     * @param {Function} callback the function to call
     * @param {...*} args more arguments for callback
     * @returns {number} an id that remove_done_callback() also accepts
     */
    Coro.Future.prototype.add_done_callback = function (callback, ...args) {
        if (typeof callback !== 'function')
            throw new TypeError('add_done_callback: callback must be a function');
        // The wrapper is found through _owners rather than captured by the closure, so
        // that nothing keeps it once the callback ran, even if GJS keeps the closure.
        const id = addDoneCallback.call(this, () => {
            const owner = _owners.get(id);
            _owners.delete(id);
            _forget(owner, id);
            callback(owner, ...args);
        });
        _owners.set(id, this);
        const list = _registrations.get(this) ?? [];
        list.push([callback, id]);
        _registrations.set(this, list);
        return id;
    };

    /**
     * Removes every registration of callback (a function or an id from
     * add_done_callback()).
     *
     * @param {Function|number} callback what to remove
     * @returns {number} how many registrations were removed
     */
    Coro.Future.prototype.remove_done_callback = function (callback) {
        if (typeof callback === 'number') {
            const removed = removeDoneCallbackById.call(this, callback);
            if (removed > 0)
                _owners.delete(callback);
            _forget(this, callback);
            return removed;
        }
        let removed = 0;
        for (const [registered, id] of _registrations.get(this) ?? []) {
            if (registered === callback) {
                removed += removeDoneCallbackById.call(this, id);
                _owners.delete(id);
                _forget(this, id);
            }
        }
        return removed;
    };
}
