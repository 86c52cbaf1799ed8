/* test-gio.vala: Vala's yield on Coro futures and on a Coro-backed async pair
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A C library's async pair whose implementation is a Coro coroutine (coro-backed.c). */
[CCode (cname = "slow_square_async", finish_name = "slow_square_finish")]
extern async int64 slow_square (int64 n, GLib.Cancellable? cancellable = null) throws GLib.Error;

async void run_tests (MainLoop main_loop) {
    try {
        /* yield on a Coro future */
        var sleep = Coro.sleep (0.01);
        assert (yield sleep.wait_async (null));
        assert (sleep.done ());

        var future = new Coro.Future ();
        Timeout.add (10, () => {
            try {
                future.set_string ("set later");
            } catch (Error e) {
                assert_not_reached ();
            }
            return Source.REMOVE;
        });
        yield future.wait_async (null);
        assert (future.get_string () == "set later");

        /* yield on a coroutine behind a standard async pair */
        int64 square = yield slow_square (2);
        assert (square == 4);

        try {
            yield slow_square (-1);
            assert_not_reached ();
        } catch (IOError.INVALID_ARGUMENT e) {
            assert (e.message == "negative");
        }

        var cancellable = new Cancellable ();
        Idle.add (() => {
            cancellable.cancel ();
            return Source.REMOVE;
        });
        try {
            yield slow_square (3, cancellable);
            assert_not_reached ();
        } catch (IOError.CANCELLED e) {
        }
    } catch (Error e) {
        error ("unexpected error: %s", e.message);
    }
    main_loop.quit ();
}

int main () {
    var main_loop = new MainLoop ();
    run_tests.begin (main_loop);
    main_loop.run ();
    print ("ok: Vala yielded on Coro futures and on a Coro-backed async pair\n");
    return 0;
}
