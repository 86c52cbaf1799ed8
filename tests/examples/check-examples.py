#!/usr/bin/python3
# check-examples.py: checks that an example prints the seed's lines at the seed's times
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: check-examples.py EXECUTABLE NAME [--virtual] [--interpreter=COMMAND]
#
# With --interpreter, EXECUTABLE is a script that COMMAND (split on spaces: "python3",
# "gjs -m") runs: the Python and GJS ports of the examples are held to the same lines and
# times as the C ones.
#
# CORO_EXAMPLE_WRAPPER, when set, is a command (split on spaces) to run the example under
# in --virtual mode; the valgrind test setup sets it to memcheck.
#
# Without --virtual the example runs in real time; every line must match its pattern and
# arrive within TOLERANCE seconds of the time the seed prints it at (on a busy machine a
# late run is tried twice more before it fails). With --virtual it runs
# with CORO_VIRTUAL_CLOCK=1, so sleeps take no time: the lines must match in the same
# order, and the times the example prints (which follow the loop clock) must differ by
# exactly the seed's durations.

import datetime
import os
import re
import subprocess
import sys
import time

TOLERANCE = 0.15

EPOCH = r'(\d+\.\d+)'
CLOCK = r'(\d\d:\d\d:\d\d)'

# name: [(pattern, seconds after start)]
EXPECTED = {
    'hello-world': [
        (r'hello', 0),
        (r'world', 1),
    ],
    'say-after-sequential': [
        (r'started at ' + CLOCK, 0),
        (r'hello', 1),
        (r'world', 3),
        (r'finished at ' + CLOCK, 3),
    ],
    'say-after-tasks': [
        (r'started at ' + CLOCK, 0),
        (r'hello', 1),
        (r'world', 2),
        (r'finished at ' + CLOCK, 2),
    ],
    'nested': [
        (r'42', 0),
    ],
    'gather-factorial': [
        (r'Task A: Compute factorial\(2\)\.\.\.', 0),
        (r'Task B: Compute factorial\(2\)\.\.\.', 0),
        (r'Task C: Compute factorial\(2\)\.\.\.', 0),
        (r'Task A: factorial\(2\) = 2', 1),
        (r'Task B: Compute factorial\(3\)\.\.\.', 1),
        (r'Task C: Compute factorial\(3\)\.\.\.', 1),
        (r'Task B: factorial\(3\) = 6', 2),
        (r'Task C: Compute factorial\(4\)\.\.\.', 2),
        (r'Task C: factorial\(4\) = 24', 3),
    ],
    'wait-for-timeout': [
        (r'timeout!', 1),
    ],
    'cancel-me': [
        (r'cancel_me\(\): before sleep', 0),
        (r'cancel_me\(\): cancel sleep', 1),
        (r'cancel_me\(\): after sleep', 1),
        (r'main\(\): cancel_me is cancelled now', 1),
    ],
    'done-callback': [
        (r'start calculate at ' + EPOCH, 0),
        (r'start calculate at ' + EPOCH, 0),
        (r'finished', 3),
        (r'finished callback', 3),
        (r'result is 7', 3),
        (r'now is ' + EPOCH, 3),
        (r'finished', 5),
        (r'finished callback', 5),
        (r'result is 4', 5),
        (r'now is ' + EPOCH, 5),
        (r'total time is ' + EPOCH, 5),
    ],
    'future-gather': [
        (r'future: set by a GLib timeout', 0.5),
        (r'gather: set by a GLib timeout, 42', 1.5),
    ],
    'run-in-executor': [
        (r'tick 1', 0.25),
        (r'tick 2', 0.5),
        (r'tick 3', 0.75),
        (r'blocking_io returned 500000500000', 1),
    ],
    'gio-bridge': [
        (r'wrote the file', 0),
        (r'read back: hello from coro', 0),
        (r'connected', 0),
        (r'server got: ping', 0),
        (r'client got: pong', 0),
        (r'GIO caller: slow_square \(7\) = 49', 0.5),
    ],
    'gtk-style': [
        (r'main loop running', 0),
        (r'timeout: starting a coroutine', 0.25),
        (r'coroutine: started from a timeout, sleeping 0\.5 s', 0.25),
        (r'coroutine: awake', 0.75),
        (r'done callback: all done, quitting the main loop', 0.75),
        (r'main loop quit', 0.75),
    ],
    # streams: no sleeps, every line at once
    'unix-echo': [
        (r"Send: 'Hello over a Unix socket\\n'", 0),
        (r"Server received 'Hello over a Unix socket\\n'", 0),
        (r"Received: 'Hello over a Unix socket\\n'", 0),
        (r'Server closed', 0),
    ],
    'fetch-http-head': [
        (r'HTTP header> HTTP/1.0 200 OK', 0),
        (r'HTTP header> Content-Type: text/html; charset=utf-8', 0),
        (r'HTTP header> Content-Length: 42', 0),
        (r'HTTP header> Server: Coro example', 0),
    ],
    # tcp-echo-server runs with --once on a port the system picks; then tcp-echo-client
    # (given with --client) talks to it: its lines follow the server's first one.
    'tcp-echo-server': [
        (r"Serving on \('127\.0\.0\.1', (\d+)\)", 0),
        (r"Received 'Hello World!' from \('127\.0\.0\.1', \d+\)", 0),
        (r"Send: 'Hello World!'", 0),
        (r'Close the connection', 0),
    ],
    'tcp-echo-client': [
        (r"Send: 'Hello World!'", 0),
        (r"Received: 'Hello World!'", 0),
        (r'Close the connection', 0),
    ],
}


def rate_limit_lines():
    """Ten one-second jobs, three at a time; a freed unit goes to the next job in line."""
    lines = [(r'job %d started at (\d+\.\d\d) s' % n, 0) for n in range(3)]
    running = [0, 1, 2]
    waiting = list(range(3, 10))
    t = 0
    while running:
        t += 1
        started = []
        for n in running:
            lines.append((r'job %d done at (\d+\.\d\d) s' % n, t))
            if waiting:
                started.append(waiting.pop(0))
        lines += [(r'job %d started at (\d+\.\d\d) s' % n, t) for n in started]
        running = started
    lines.append((r'10 jobs in (\d+\.\d\d) s, at most 3 at a time', t))
    return lines


EXPECTED['rate-limit'] = rate_limit_lines()

# The subprocess examples: every line comes as soon as the child answers, which takes the
# child's start-up time (a Python interpreter's, for subprocess-date) on a busy machine.
SLOW_START = {'subprocess-date': 5.0, 'subprocess-pipe': 2.0}
EXPECTED['subprocess-date'] = [
    (r'Current date: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?)', 0),
]
EXPECTED['subprocess-pipe'] = [
    (r'cat echoed: line one', 0),
    (r'cat echoed: line two', 0),
    (r'cat echoed: line three', 0),
    (r'then 0 more bytes', 0),
    (r'cat exited with 0', 0),
]

# Examples whose lines depend on random durations: checked by check_producer_consumer.
WORKER_LINE = r'worker-[0-2] has slept for (\d+\.\d\d) seconds'


def check_producer_consumer(lines, arrivals, virtual, interpreted=False):
    """The asyncio docs' queue example: 20 jobs of random length on three workers."""
    problems = []
    if len(lines) != 23:
        return ['%d lines, expected 23' % len(lines)]
    durations = []
    for i, line in enumerate(lines[:20]):
        m = re.fullmatch(WORKER_LINE, line)
        if not m:
            problems.append('line %d: %r does not match %r' % (i + 1, line, WORKER_LINE))
            continue
        durations.append(float(m.group(1)))
    tail = [r'====', r'3 workers slept in parallel for (\d+\.\d\d) seconds',
            r'total expected sleep time: (\d+\.\d\d) seconds']
    matches = [re.fullmatch(p, line) for p, line in zip(tail, lines[20:])]
    if problems or not all(matches):
        return problems + ['the summary does not match %r' % tail]
    parallel, total = float(matches[1].group(1)), float(matches[2].group(1))
    if abs(sum(durations) - total) > 0.01 * 20:
        problems.append('the durations add up to %.2f, not %.2f' % (sum(durations), total))
    # Three workers: at least a third of the total, at most a third plus the longest job.
    if not total / 3 - 0.01 <= parallel <= total / 3 + max(durations) + 0.01:
        problems.append('parallel time %.2f does not fit a total of %.2f on 3 workers'
                        % (parallel, total))
    if interpreted:
        # The first line comes when the shortest of the first three jobs is done.
        arrivals = [arrival - (arrivals[0] - durations[0]) for arrival in arrivals]
    if not virtual and abs(arrivals[21] - parallel) > TOLERANCE:
        problems.append('the summary came at %.3f s, not at %.2f s' % (arrivals[21], parallel))
    return problems


def clock_seconds(text):
    t = datetime.datetime.strptime(text, '%H:%M:%S')
    return t.hour * 3600 + t.minute * 60 + t.second


def check_printed_times(name, lines, virtual):
    """The times an example prints must differ as the seed's do."""
    problems = []
    if name.startswith('say-after-'):
        started = clock_seconds(re.fullmatch(EXPECTED[name][0][0], lines[0]).group(1))
        finished = clock_seconds(re.fullmatch(EXPECTED[name][-1][0], lines[-1]).group(1))
        expected = EXPECTED[name][-1][1]
        elapsed = (finished - started) % 86400
        # Whole seconds of a clock: exact on the virtual clock, ±1 s in real time.
        if (elapsed != expected) if virtual else abs(elapsed - expected) > 1:
            problems.append('finished - started is %d s, expected %d s' % (elapsed, expected))
    elif name == 'rate-limit':
        tolerance = 0.005 if virtual else TOLERANCE
        for (p, when), line in zip(EXPECTED[name], lines):
            printed = float(re.fullmatch(p, line).group(1))
            if abs(printed - when) > tolerance:
                problems.append('%r: printed %.2f s, expected %g s' % (line, printed, when))
    elif name == 'subprocess-date':
        # The child's wall clock, read a moment ago.
        printed = datetime.datetime.fromisoformat(re.fullmatch(EXPECTED[name][0][0], lines[0]).group(1))
        if abs((datetime.datetime.now() - printed).total_seconds()) > 60:
            problems.append('the child printed %s, not the current date' % printed)
    elif name == 'done-callback':
        values = [float(re.fullmatch(p, line).group(1))
                  for (p, _), line in zip(EXPECTED[name], lines) if EPOCH in p]
        start1, start2, now1, now2, total = values
        tolerance = 1e-5 if virtual else TOLERANCE
        for what, got, want in (('second start', start2 - start1, 0),
                                ('first now', now1 - start1, 3),
                                ('second now', now2 - start1, 5),
                                ('total time', total, 5)):
            if abs(got - want) > tolerance:
                problems.append('%s is %.6f s, expected %g s' % (what, got, want))
    return problems


def check_echo_client(client, serving_line, wrapper, env):
    """Runs tcp-echo-client against the port tcp-echo-server printed."""
    m = re.fullmatch(EXPECTED['tcp-echo-server'][0][0], serving_line.rstrip('\n'))
    if not m:
        return ['the server printed %r first' % serving_line]
    out = subprocess.run(wrapper + [client, m.group(1)], stdout=subprocess.PIPE, env=env,
                         text=True, timeout=60)
    lines = out.stdout.splitlines()
    problems = []
    if out.returncode != 0:
        problems.append('client exit status %d' % out.returncode)
    expected = [p for p, _ in EXPECTED['tcp-echo-client']]
    if len(lines) != len(expected):
        problems.append('client: %d lines, expected %d' % (len(lines), len(expected)))
    for i, (pattern, line) in enumerate(zip(expected, lines)):
        print('# client   %s' % line)
        if not re.fullmatch(pattern, line):
            problems.append('client line %d: %r does not match %r' % (i + 1, line, pattern))
    return problems


def main():
    # A real-time run is a measurement on a machine that may be busy: a late line gets two
    # more runs. The lines themselves are checked on the virtual clock, never retried.
    attempts = 1 if '--virtual' in sys.argv[3:] else 3
    for attempt in range(attempts):
        status = run_and_check()
        if status == 0:
            return 0
        if attempt + 1 < attempts:
            print('# real-time run %d of %d failed; running again' % (attempt + 1, attempts))
    return status


def run_and_check():
    if len(sys.argv) < 3:
        print('usage: check-examples.py EXECUTABLE NAME [--virtual] [--interpreter=COMMAND]',
              file=sys.stderr)
        return 2
    exe, name = sys.argv[1], sys.argv[2]
    virtual = '--virtual' in sys.argv[3:]
    interpreter = [arg.split('=', 1)[1].split() for arg in sys.argv[3:]
                   if arg.startswith('--interpreter=')]
    interpreter = interpreter[-1] if interpreter else []
    expected = EXPECTED.get(name)

    env = dict(os.environ)
    if virtual:
        env['CORO_VIRTUAL_CLOCK'] = '1'
    else:
        env.pop('CORO_VIRTUAL_CLOCK', None)

    # Under the valgrind test setup, the example runs under memcheck (virtual clock only:
    # memcheck is too slow for the real-time bounds).
    # Not under an interpreter, which memcheck would report on rather than Coro.
    wrapper = (os.environ.get('CORO_EXAMPLE_WRAPPER', '').split()
               if virtual and not interpreter else [])

    start = time.monotonic()
    args = [exe]
    client = None
    if name == 'tcp-echo-server':
        args += ['0', '--once']
        client = sys.argv[sys.argv.index('--client') + 1]
    proc = subprocess.Popen(wrapper + interpreter + args, stdout=subprocess.PIPE, env=env,
                            text=True, bufsize=1)
    lines, arrivals = [], []
    problems = []
    for line in proc.stdout:
        arrivals.append(time.monotonic() - start)
        lines.append(line.rstrip('\n'))
        if client is not None:
            problems += check_echo_client(client, line, wrapper, env)
            client = None
    status = proc.wait(timeout=60)

    # An interpreter takes a while to start and load Coro: for its ports the clock starts
    # when the first line is due, as the first line's arrival says.
    if interpreter and arrivals and expected:
        offset = arrivals[0] - expected[0][1]
        arrivals = [arrival - offset for arrival in arrivals]

    if status != 0:
        problems.append('exit status %d' % status)
    if name == 'producer-consumer':
        problems += check_producer_consumer(lines, arrivals, virtual, bool(interpreter))
    elif len(lines) != len(expected):
        problems.append('%d lines, expected %d' % (len(lines), len(expected)))
    for i, ((pattern, when), line, arrival) in enumerate(zip(expected or [], lines, arrivals)):
        if not re.fullmatch(pattern, line):
            problems.append('line %d: %r does not match %r' % (i + 1, line, pattern))
        elif not virtual and abs(arrival - when) > SLOW_START.get(name, TOLERANCE):
            problems.append('line %d: %r at %.3f s, expected at %g s'
                            % (i + 1, line, arrival, when))
    if not problems and expected is not None:
        problems += check_printed_times(name, lines, virtual)

    for line, arrival in zip(lines, arrivals):
        print('# %7.3f s  %s' % (arrival, line))
    if problems:
        for problem in problems:
            print('FAIL %s: %s' % (name, problem))
        return 1
    print('PASS %s (%s clock)' % (name, 'virtual' if virtual else 'real'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
