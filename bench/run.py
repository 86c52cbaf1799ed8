#!/usr/bin/python3
# run.py: builds the benchmarks in release mode, runs every workload on every
# implementation, and prints a Markdown table of medians and ratios.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: bench/run.py [--smoke] [--runs N] [--builddir DIR]
#
#   --smoke     tiny N and one run each: checks that every program works (used by CI)
#   --runs N    runs per figure, the median is reported (default 5)
#   --builddir  the build tree to use (default _build/bench, configured --buildtype=release)
#
# Exits non-zero if the build or any benchmark program fails.  Only the Python standard
# library is used.

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMOKE_N = 1000
SMOKE_N_OF = {'W5b': 8}  # MiB

# (workload, N, metric, unit, label)
JOBS = [
    ('W1', 1000000, 'ns_per_op', 'ns', 'W1 spawn + gather, ns/task'),
    ('W2', 1000000, 'ns_per_op', 'ns', 'W2 suspend/resume (sleep 0), ns'),
    ('W2b', 10000000, 'ns_per_op', 'ns', 'W2b await a done future, ns'),
    ('W3', 10000, 'cpu_s', 's', 'W3 10 k sleepers, CPU s'),
    ('W3', 100000, 'cpu_s', 's', 'W3 100 k sleepers, CPU s'),
    ('W3', 300000, 'cpu_s', 's', 'W3 300 k sleepers, CPU s'),
    ('W4', 1000000, 'ns_per_op', 'ns', 'W4 queue ping-pong, ns/round trip'),
    ('W5a', 100000, 'us_per_op', 'µs', 'W5a TCP echo of 64 B, µs/round trip'),
    ('W5b', 1024, 'mib_per_s', 'MiB/s', 'W5b TCP bulk 1 GiB in 64 KiB writes, MiB/s'),
    ('W6', 100000, 'bytes_per_task', 'B', 'W6 pending task, B/task'),
]

CORO_PROGRAMS = {'W1': 'bench-w1-spawn', 'W2': 'bench-w2-suspend', 'W2b': 'bench-w2b-await-done',
                 'W3': 'bench-w3-sleepers', 'W4': 'bench-w4-queue', 'W6': 'bench-w6-memory'}
# Programs that take the workload as their first argument.
CORO_PROGRAMS_BY_NAME = {'W5a': 'bench-w5-echo', 'W5b': 'bench-w5-echo'}
FLOOR_PROGRAMS = {'W5a': 'bench-w5-floor', 'W5b': 'bench-w5-floor'}
IMPLS = ['coro', 'floor', 'glib', 'asyncio']
GLIB_WORKLOADS = {'W1', 'W2', 'W3', 'W4', 'W6'}  # GLib has no future to await


def build(builddir):
    if not os.path.exists(os.path.join(builddir, 'build.ninja')):
        subprocess.run(['meson', 'setup', builddir, '--buildtype=release', '-Dtests=false',
                        '-Dintrospection=false'], cwd=TOP, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(['meson', 'compile', '-C', builddir], cwd=TOP, check=True,
                   stdout=subprocess.DEVNULL)


def command(builddir, impl, workload, n):
    bench = os.path.join(builddir, 'bench')
    if impl == 'coro' and workload in CORO_PROGRAMS_BY_NAME:
        return [os.path.join(bench, CORO_PROGRAMS_BY_NAME[workload]), workload, str(n)]
    if impl == 'coro':
        return [os.path.join(bench, CORO_PROGRAMS[workload]), str(n)]
    if impl == 'floor':
        return [os.path.join(bench, FLOOR_PROGRAMS.get(workload, 'bench-floor')), workload, str(n)]
    if impl == 'glib':
        return [os.path.join(bench, 'bench-glib'), workload, str(n)]
    return ['/usr/bin/python3', os.path.join(TOP, 'bench', 'asyncio_bench.py'), workload, str(n)]


def run_one(cmd, env):
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError('%s exited with %d: %s' % (' '.join(cmd), proc.returncode,
                                                      proc.stderr.strip()[-500:]))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def fmt(value, unit):
    if value is None:
        return '–'
    return '%.3g %s' % (value, unit)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(value):
    return '–' if value is None else '%.2f×' % value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--smoke', action='store_true')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--builddir', default=os.path.join(TOP, '_build', 'bench'))
    args = parser.parse_args()
    runs = 1 if args.smoke else args.runs
    builddir = os.path.abspath(args.builddir)

    try:
        build(builddir)
    except subprocess.CalledProcessError as e:
        print('build failed: %s' % e, file=sys.stderr)
        return 1
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(builddir, 'src'))

    jobs = []
    for workload, n, metric, unit, label in JOBS:
        if args.smoke:
            n = SMOKE_N_OF.get(workload, SMOKE_N)
            label = label.replace('10 k ', '').replace('100 k ', '').replace('300 k ', '')
        if (workload, n) not in [(j[0], j[1]) for j in jobs]:
            jobs.append((workload, n, metric, unit, label))

    started = time.monotonic()
    failures = []
    figures = {}  # (workload, n) -> impl -> [results]
    asyncio_impl = 'asyncio'
    # The implementations take turns, run by run, so that a slow moment of a shared machine
    # falls on all of them rather than on the five runs of one.
    for workload, n, metric, unit, label in jobs:
        impls = [impl for impl in IMPLS if impl != 'glib' or workload in GLIB_WORKLOADS]
        failed = set()
        for _ in range(runs):
            for impl in impls:
                if impl in failed:
                    continue
                try:
                    result = run_one(command(builddir, impl, workload, n), env)
                except (OSError, RuntimeError, subprocess.TimeoutExpired, ValueError, IndexError) as e:
                    failures.append('%s %s N=%d: %s' % (impl, workload, n, e))
                    failed.add(impl)
                    continue
                figures.setdefault((workload, n), {}).setdefault(impl, []).append(result)
                if impl == 'asyncio':
                    asyncio_impl = result.get('impl', 'asyncio')
        for impl in impls:
            print('# %s N=%d %s: %d run(s)'
                  % (workload, n, impl, len(figures.get((workload, n), {}).get(impl, []))),
                  file=sys.stderr, flush=True)

    def med(workload, n, impl, key):
        results = figures.get((workload, n), {}).get(impl)
        if not results:
            return None
        return statistics.median(r[key] for r in results)

    print('Machine: %s; nproc %d; Linux %s; Python %s (%s); %s; median of %d run%s.\n'
          % (cpu_model(), os.cpu_count(), platform.release(), platform.python_version(),
             asyncio_impl, 'smoke run, N = %d' % SMOKE_N if args.smoke else 'release build',
             runs, '' if runs == 1 else 's'))
    print('| workload | Coro | C floor | GLib | asyncio (%s) | Coro/floor | asyncio/Coro | GLib/Coro |'
          % asyncio_impl)
    print('|---|---|---|---|---|---|---|---|')
    for workload, n, metric, unit, label in jobs:
        m = {impl: med(workload, n, impl, metric) for impl in IMPLS}
        print('| %s | %s | %s | %s | %s | %s | %s | %s |'
              % (label, fmt(m['coro'], unit), fmt(m['floor'], unit), fmt(m['glib'], unit),
                 fmt(m['asyncio'], unit), fmt_ratio(ratio(m['coro'], m['floor'])),
                 fmt_ratio(ratio(m['asyncio'], m['coro'])), fmt_ratio(ratio(m['glib'], m['coro']))))

    print('\nW3 lateness (mean / max ms), the span over which the sleeps started (the pass that '
          'runs every sleeper\'s first step) and GSources attached with every sleeper waiting:\n')
    print('| N | Coro | C floor | GLib | asyncio (%s) |' % asyncio_impl)
    print('|---|---|---|---|---|')
    for workload, n, metric, unit, label in jobs:
        if workload != 'W3':
            continue
        cells = []
        for impl in IMPLS:
            mean = med(workload, n, impl, 'mean_late_ms')
            if mean is None:
                cells.append('–')
                continue
            cells.append('%.3g / %.3g ms, started over %.3g ms, %d src'
                         % (mean, med(workload, n, impl, 'max_late_ms'),
                            med(workload, n, impl, 'start_span_ms'),
                            med(workload, n, impl, 'n_gsources')))
        print('| %d | %s |' % (n, ' | '.join(cells)))

    print('\nTargets (ratios against baselines measured in this run, and the absolute bounds):\n')
    w3n = SMOKE_N if args.smoke else 100000

    def n_of(workload):
        return [j[1] for j in jobs if j[0] == workload][0]
    checks = [
        ('W1 Coro/floor ≤ 5×', ratio(med('W1', jobs[0][1], 'coro', 'ns_per_op'),
                                     med('W1', jobs[0][1], 'floor', 'ns_per_op')), lambda r: r <= 5),
        ('W1 asyncio/Coro ≥ 20×', ratio(med('W1', jobs[0][1], 'asyncio', 'ns_per_op'),
                                         med('W1', jobs[0][1], 'coro', 'ns_per_op')), lambda r: r >= 20),
        ('W2 Coro/GLib iteration ≤ 0.2×', ratio(med('W2', jobs[1][1], 'coro', 'ns_per_op'),
                                                 med('W2', jobs[1][1], 'glib', 'ns_per_op')),
         lambda r: r <= 0.2),
        ('W2b Coro ≤ 10 ns', med('W2b', jobs[2][1], 'coro', 'ns_per_op'), lambda r: r <= 10),
        ('W3 (N = %d) CPU Coro/floor ≤ 3×' % w3n, ratio(med('W3', w3n, 'coro', 'cpu_s'),
                                                        med('W3', w3n, 'floor', 'cpu_s')),
         lambda r: r <= 3),
        ('W3 (N = %d) CPU GLib/Coro ≥ 6×' % w3n, ratio(med('W3', w3n, 'glib', 'cpu_s'),
                                                       med('W3', w3n, 'coro', 'cpu_s')),
         lambda r: r >= 6),
    ]
    w3_ns = [j[1] for j in jobs if j[0] == 'W3']
    for n in w3_ns:
        checks.append(('W3 (N = %d) mean lateness ≤ 1 ms' % n,
                       med('W3', n, 'coro', 'mean_late_ms'), lambda r: r <= 1))
        checks.append(('W3 (N = %d) max lateness ≤ 10 ms' % n,
                       med('W3', n, 'coro', 'max_late_ms'), lambda r: r <= 10))
    sources = [med('W3', n, 'coro', 'n_gsources') for n in w3_ns]
    checks.append(('W3 GSources attached at the largest N = at the smallest',
                   sources[-1], lambda r: r == sources[0]))
    checks += [
        ('W4 Coro/GLib idle round trip ≤ 0.25×', ratio(med('W4', n_of('W4'), 'coro', 'ns_per_op'),
                                                       med('W4', n_of('W4'), 'glib', 'ns_per_op')),
         lambda r: r <= 0.25),
        ('W5a echo Coro/floor ≤ 1.3×', ratio(med('W5a', n_of('W5a'), 'coro', 'us_per_op'),
                                             med('W5a', n_of('W5a'), 'floor', 'us_per_op')),
         lambda r: r <= 1.3),
        ('W5b bulk throughput Coro/floor ≥ 0.75×',
         ratio(med('W5b', n_of('W5b'), 'coro', 'mib_per_s'),
               med('W5b', n_of('W5b'), 'floor', 'mib_per_s')),
         lambda r: r >= 0.75),
        ('W6 Coro ≤ 256 B/task', med('W6', n_of('W6'), 'coro', 'bytes_per_task'),
         lambda r: r <= 256),
    ]
    print('| target | measured | met |')
    print('|---|---|---|')
    for name, value, ok in checks:
        print('| %s | %s | %s |' % (name, '–' if value is None else '%.3g' % value,
                                    '–' if value is None else ('yes' if ok(value) else 'no')))
    if args.smoke:
        print('\n(Smoke run: N is too small for these figures to mean anything.)')
    print('\nWall time of the run: %.0f s.' % (time.monotonic() - started))

    if failures:
        print('\nFailures:', file=sys.stderr)
        for f in failures:
            print('  ' + f, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
