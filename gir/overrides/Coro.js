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
//
// It also joins Coro futures and JavaScript promises (see "Promises" below): a future is a
// thenable, so `await future` works in an async function, and Coro.createTask() and
// Coro.run() run async functions and promises as Coro tasks.

/* exported _init */

const {GLib, GObject} = imports.gi;

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

    // Promises
    //
    // A future is a thenable: `await future` in an async function waits for it (through a
    // done callback, so on the loop that runs the future) and gives its result, or throws
    // its GLib.Error (a cancellation rejects with the CORO_ERROR_CANCELLED error).

    // A JavaScript value that no Coro result type holds, as an object result.
    const JsValue = GObject.registerClass({GTypeName: 'CoroJsValue'},
        class JsValue extends GObject.Object {
            _init(value) {
                super._init();
                this.value = value;
            }
        });

    /**
     * The JavaScript value of a done future: what was set on it (a number, boolean,
     * string, object, any JavaScript value a task returned), an array of results for a
     * gather, undefined for no value. Throws the future's error.
     *
     * @param {Coro.Future} future a done future
     * @returns {*} its result
     */
    function result(future) {
        const error = future.get_error();
        if (error !== null)
            throw error;
        switch (future.get_result_type()) {
        case Coro.ResultType.NONE:
            return undefined;
        case Coro.ResultType.FUTURES: {
            const children = future.get_futures();
            return (Array.isArray(children[0]) ? children[0] : children).map(child => {
                try {
                    return result(child);
                } catch (e) {
                    return e; // a gather with RETURN_EXCEPTIONS
                }
            });
        }
        case Coro.ResultType.OBJECT: {
            const object = future.get_object();
            return object instanceof JsValue ? object.value : object;
        }
        default:
            return future.get_value();
        }
    }
    Coro.Future.prototype.result = function () {
        return result(this);
    };

    /**
     * A Promise settled with the future's outcome once it is done.
     *
     * @returns {Promise} the promise
     */
    Coro.Future.prototype.promise = function () {
        return new Promise((resolve, reject) => {
            const settle = future => {
                try {
                    resolve(result(future));
                } catch (e) {
                    reject(e);
                }
            };
            if (this.done())
                settle(this);
            else
                this.add_done_callback(settle);
        });
    };

    Coro.Future.prototype.then = function (onFulfilled, onRejected) {
        return this.promise().then(onFulfilled, onRejected);
    };

    Coro.Future.prototype.catch = function (onRejected) {
        return this.promise().catch(onRejected);
    };

    // Sets a plain future from a JavaScript value; false if it was done already (its
    // task was cancelled meanwhile).
    function settleValue(future, value) {
        if (future.done())
            return;
        if (value === undefined || value === null)
            future.set_none();
        else if (typeof value === 'boolean')
            future.set_boolean(value);
        else if (typeof value === 'number' && Number.isSafeInteger(value))
            future.set_int(value);
        else if (typeof value === 'number')
            future.set_double(value);
        else if (typeof value === 'string')
            future.set_string(value);
        else if (value instanceof GObject.Object)
            future.set_object(value);
        else
            future.set_object(new JsValue(value));
    }

    function toGError(e) {
        if (e instanceof GLib.Error)
            return e;
        const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        return new GLib.Error(Coro.error_quark(), Coro.Error.FAILED, message);
    }

    const createTaskClosure = Coro.create_task;

    function isGenerator(value) {
        return value !== null && typeof value === 'object' &&
            typeof value.next === 'function' && typeof value.throw === 'function';
    }

    function isGeneratorFunction(value) {
        return typeof value === 'function' && value.constructor.name === 'GeneratorFunction';
    }

    // A generator (`function*` that yields futures) driven step by step by a closure
    // task, as the Python override drives coroutines: `const x = yield future` awaits
    // future in C; its result is sent back, its error thrown in, so a cancellation of the
    // task reaches the generator at the yield it is waiting in.
    function driveGenerator(gen, state) {
        return task => {
            const awaited = Coro.task_get_awaited(task);
            let resume = 'next', arg;
            if (awaited !== null) {
                try {
                    arg = result(awaited);
                } catch (e) {
                    resume = 'throw';
                    arg = e;
                }
            }
            for (;;) {
                let step;
                try {
                    step = gen[resume](arg);
                } catch (e) {
                    state.error = e;
                    Coro.task_return_error(task, toGError(e));
                    return null;
                }
                if (step.done) {
                    state.value = step.value;
                    returnValue(task, step.value);
                    return null;
                }
                if (step.value instanceof Coro.Future)
                    return step.value;
                resume = 'throw';
                arg = new TypeError(`a Coro task cannot wait for ${step.value}; yield Coro futures`);
            }
        };
    }

    function returnValue(task, value) {
        if (value === undefined || value === null)
            Coro.task_return(task);
        else if (typeof value === 'boolean')
            Coro.task_return_boolean(task, value);
        else if (typeof value === 'number' && Number.isSafeInteger(value))
            Coro.task_return_int(task, value);
        else if (typeof value === 'number')
            Coro.task_return_double(task, value);
        else if (typeof value === 'string')
            Coro.task_return_string(task, value);
        else if (value instanceof GObject.Object)
            Coro.task_return_object(task, value);
        else
            Coro.task_return_object(task, new JsValue(value));
    }

    function startTask(what, args, state) {
        if (isGeneratorFunction(what))
            what = what(...args);
        if (isGenerator(what))
            return createTaskClosure(driveGenerator(what, state));
        return createTaskClosure(task => {
            const awaited = Coro.task_get_awaited(task);
            if (awaited !== null) {
                // The promise settled the future (or the task was cancelled while
                // waiting): that is the task's outcome.
                Coro.task_return_future(task, awaited);
                return null;
            }
            const future = Coro.Future.new();
            let promise;
            try {
                promise = typeof what === 'function' ? what(...args) : what;
            } catch (e) {
                promise = Promise.reject(e);
            }
            Promise.resolve(promise).then(value => {
                state.value = value;
                settleValue(future, value);
            }, e => {
                state.error = e;
                if (!future.done())
                    future.set_error(toGError(e));
            });
            return future;
        });
    }

    /**
     * Runs an async function (called with args when the task starts), a promise, or a
     * generator function yielding futures as a Coro task (asyncio's create_task) and
     * returns the task, a Coro.Future. The function's value becomes the task's result; a
     * thrown GLib.Error its error, any other exception a CORO_ERROR_FAILED error with
     * message "Name: message".
     *
     * Cancelling a generator's task throws the cancellation into the generator at its
     * yield, as asyncio does. Cancelling an async function's task ends the task at once,
     * cancelled: promises cannot be interrupted, so the function runs on and its outcome
     * is ignored.
     *
     * @param {Function|Promise} what an async function, a promise or a generator function
     * @param {...*} args arguments for what
     * @returns {Coro.Future} the task
     */
    Coro.createTask = function (what, ...args) {
        return startTask(what, args, {});
    };

    /**
     * Coro.create_task(func, ...) as in C: func(task) returns the next future to await,
     * or ends the task with a task_return_*() function and returns null. With an async
     * function or a promise, the same as Coro.createTask().
     *
     * @param {Function|Promise} func a step function, an async function or a promise
     * @returns {Coro.Future} the task
     */
    Coro.create_task = function (func, ...args) {
        if (typeof func === 'function' && func.constructor.name === 'Function')
            return createTaskClosure(func, ...args);
        return startTask(func, args, {});
    };

    const run = Coro.run;

    /**
     * Runs the loop until main is done (asyncio's run). A future: as coro_run(), true or
     * throws its error. An async function (called with no argument) or a promise: runs it
     * as a task and returns its value, or throws its exception (the original object).
     *
     * @param {Coro.Future|Function|Promise} main what to run
     * @returns {*} the outcome
     */
    Coro.run = function (main) {
        if (main instanceof Coro.Future)
            return run(main);
        const state = {};
        const task = startTask(main, [], state);
        try {
            run(task);
        } catch (e) {
            if ('error' in state)
                throw state.error;
            throw e;
        }
        return state.value;
    };

    const gather = Coro.gather;

    /**
     * gather([futures], flags) as in C; futures may also be async functions or
     * promises, run as tasks. With no flags, Coro.GatherFlags.NONE.
     *
     * @param {Array} futures what to wait for
     * @param {Coro.GatherFlags} flags what to do on errors
     * @returns {Coro.Future} the gather future; awaited, the array of results
     */
    Coro.gather = function (futures, flags = Coro.GatherFlags.NONE) {
        return gather(futures.map(f => f instanceof Coro.Future ? f : Coro.createTask(f)), flags);
    };

    const cancel = Coro.Future.prototype.cancel;
    Coro.Future.prototype.cancel = function (msg = null) {
        return cancel.call(this, msg);
    };

    const asFuture = what => what instanceof Coro.Future ? what : Coro.createTask(what);

    const waitFor = Coro.wait_for;
    /**
     * wait_for(future, timeout) as in C; the future may also be an async function, a
     * promise or a generator function, run as a task.
     *
     * @param {Coro.Future|Function|Promise} what what to wait for
     * @param {number} timeout seconds
     * @returns {Coro.Future} a future failing with CORO_ERROR_TIMEOUT on timeout
     */
    Coro.wait_for = function (what, timeout) {
        return waitFor(asFuture(what), timeout);
    };

    const shield = Coro.shield;
    Coro.shield = function (what) {
        return shield(asFuture(what));
    };

    // Scopes. JavaScript has no `async with`: a scope takes its body as a function, run
    // as a task, and is itself a task that does what the C scope's steps do (see
    // CoroTimeout, CoroTaskGroup): open the scope, await the body catching its error,
    // close the scope with that error. So the body runs inside the scope's task, whose
    // cancellation reaches it; an async function body cannot be interrupted (it runs on,
    // its outcome ignored), a generator function body gets the cancellation at its yield.

    function timeoutScope(timeout, body, args) {
        let bodyTask = null;
        return createTaskClosure(task => {
            if (bodyTask === null) {
                timeout.enter(task);
                bodyTask = startTask(body, [timeout, ...args], {});
                return bodyTask;
            }
            try {
                // The error to go on with: the timeout for the deadline's own
                // cancellation, else the body's error as it is.
                timeout.exit(bodyTask.get_error());
            } catch (e) {
                Coro.task_return_error(task, e);
                return null;
            }
            Coro.task_return_future(task, bodyTask);
            return null;
        });
    }

    /**
     * asyncio's `async with asyncio.timeout(delay)`: runs body (an async function, a
     * promise or a generator function, called with the Coro.Timeout and args) as a task
     * inside a scope with a deadline delay seconds from now. When the deadline passes
     * first, the scope's task is cancelled, and that cancellation, and only that one,
     * becomes a CORO_ERROR_TIMEOUT error when the body ends; a cancellation from
     * elsewhere stays one. The body may move the deadline with timeout.reschedule().
     *
     * @param {?number} delay seconds; null or Infinity for no deadline
     * @param {Function|Promise} body what runs in the scope
     * @param {...*} args further arguments for body
     * @returns {Coro.Future} the scope's task: awaited, body's value or error, or the
     *   timeout error
     */
    Coro.withTimeout = function (delay, body, ...args) {
        return timeoutScope(Coro.Timeout.new(delay ?? Infinity), body, args);
    };

    /**
     * asyncio's `async with asyncio.timeout_at(when)`: Coro.withTimeout() with a deadline
     * on the loop's clock (Coro.Loop.time()).
     *
     * @param {?number} when the deadline; null or Infinity for none
     * @param {Function|Promise} body what runs in the scope
     * @param {...*} args further arguments for body
     * @returns {Coro.Future} the scope's task
     */
    Coro.withTimeoutAt = function (when, body, ...args) {
        return timeoutScope(Coro.Timeout.new_at(when ?? Infinity), body, args);
    };

    /**
     * asyncio's `async with asyncio.TaskGroup() as tg`: runs body (an async function or a
     * generator function, called with the Coro.TaskGroup and args) as a task, then waits
     * for every task the body added with tg.createTask() or tg.add(). The first child to
     * fail cancels the others and the body; the scope then fails with one
     * CORO_ERROR_TASK_GROUP error, the children's errors read with tg.get_error(i).
     * Otherwise the scope ends as the body did.
     *
     * @param {Function} body what runs in the scope
     * @param {...*} args further arguments for body
     * @returns {Coro.Future} the scope's task: awaited, body's value or error, or the
     *   group's error
     */
    Coro.withTaskGroup = function (body, ...args) {
        let group = null, bodyTask = null, ending = null;
        return createTaskClosure(task => {
            if (group === null) {
                group = Coro.TaskGroup.new(); // its parent: this task
                bodyTask = startTask(body, [group, ...args], {});
                return bodyTask;
            }
            if (ending === null) {
                const caught = bodyTask.get_error();
                ending = caught === null ? group.join() : group.wait(caught);
                return ending;
            }
            // The group's failure or cancellation wins; else the body's outcome.
            Coro.task_return_future(task, ending.get_error() !== null ? ending : bodyTask);
            return null;
        });
    };

    /**
     * Runs what (an async function, a promise or a generator function, called with
     * args) as a task of the group, as asyncio's TaskGroup.create_task().
     *
     * @param {Function|Promise} what the child
     * @param {...*} args arguments for what
     * @returns {Coro.Future} the child task
     */
    Coro.TaskGroup.prototype.createTask = function (what, ...args) {
        const child = Coro.createTask(what, ...args);
        try {
            this.add(child);
        } catch (e) {
            child.cancel();
            throw e;
        }
        return child;
    };
}
