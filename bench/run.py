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

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# workload: default N (the sizes)
SIZES = {'W1': 1000000, 'W2': 1000000, 'W2b': 10000000, 'W4': 1000000, 'W6': 100000}
W3_SIZES = [10000, 100000, 300000]
SMOKE = 1000


def build(builddir):
    if not os.path.exists(os.path.join(builddir, 'build.ninja')):
        subprocess.run(['meson', 'setup', builddir, '--buildtype=release', '-Dtests=false',
                        '-Dintrospection=false'], cwd=TOP, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(['meson', 'compile', '-C', builddir], cwd=TOP, check=True,
                   stdout=subprocess.DEVNULL)


def have_uvloop():
    return subprocess.run(['/usr/bin/python3', '-c', 'import uvloop'],
                          stderr=subprocess.DEVNULL).returncode == 0


def commands(builddir):
    bench = os.path.join(builddir, 'bench')
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(builddir, 'src'))
    script = os.path.join(TOP, 'bench', 'asyncio_bench.py')
    impls = {
        'coro': ([os.path.join(bench, 'bench-coro')], env),
        'floor': ([os.path.join(bench, 'bench-floor')], env),
        'glib': ([os.path.join(bench, 'bench-glib')], env),
        'asyncio': (['/usr/bin/python3', script], env),
    }
    if have_uvloop():
        impls['uvloop'] = (['/usr/bin/python3', script, '--uvloop'], env)
    return impls


def run_one(cmd, env, workload, n):
    out = subprocess.run(cmd + [workload, str(n)], env=env, check=True, capture_output=True,
                         text=True, timeout=900).stdout
    return json.loads(out.strip().splitlines()[-1])


def median_of(results, key):
    return statistics.median(r[key] for r in results)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--smoke', action='store_true')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--builddir', default=os.path.join(TOP, '_build', 'bench'))
    args = parser.parse_args()
    runs = 1 if args.smoke else args.runs

    build(args.builddir)
    impls = commands(args.builddir)
    jobs = [(w, SMOKE if args.smoke else n) for w, n in SIZES.items()]
    jobs += [('W3', SMOKE if args.smoke else n) for n in W3_SIZES]

    figures = {}  # (workload, n) -> impl -> results
    for workload, n in jobs:
        for impl, (cmd, env) in impls.items():
            if impl == 'glib' and workload == 'W2b':
                continue  # GLib has no future to await
            results = [run_one(cmd, env, workload, n) for _ in range(runs)]
            figures.setdefault((workload, n), {})[impl] = results
            print('# %s N=%d %s done' % (workload, n, impl), file=sys.stderr, flush=True)

    cpu = next((line.split(':', 1)[1].strip() for line in open('/proc/cpuinfo')
                if line.startswith('model name')), platform.processor())
    print('Machine: %s, %d CPUs, Linux %s; %s; medians of %d run%s.\n'
          % (cpu, os.cpu_count(), platform.release(), 'smoke run' if args.smoke else 'release build',
             runs, '' if runs == 1 else 's'))
    names = [i for i in ('coro', 'floor', 'glib', 'asyncio', 'uvloop') if i in impls]
    print('| workload | N | ' + ' | '.join({'coro': 'Coro', 'floor': 'C floor', 'glib': 'GLib',
                                              'asyncio': 'asyncio', 'uvloop': 'uvloop'}[i] for i in names)
          + ' | ratio | target |')
    print('|' + '---|' * (len(names) + 4))
    ok = True
    for (workload, n), by_impl in figures.items():
        if workload == 'W3':
            key, unit = 'cpu_s', 's CPU'
        elif workload == 'W6':
            key, unit = 'bytes_per_task', 'B'
        else:
            key, unit = 'ns_per_op', 'ns'
        med = {impl: median_of(res, key) for impl, res in by_impl.items()}
        cells = ['%.3g %s' % (med[i], unit) if i in med else '–' for i in names]
        ratio, target = ratio_and_target(workload, n, med, by_impl)
        print('| %s | %d | %s | %s | %s |' % (workload, n, ' | '.join(cells), ratio, target))
        if workload == 'W3':
            late = {i: (median_of(r, 'mean_late_ms'), median_of(r, 'max_late_ms'), median_of(r, 'n_sources'))
                    for i, r in by_impl.items()}
            cells = ['%.2g / %.3g ms, %d src' % late[i] if i in late else '–' for i in names]
            print('| W3 lateness (mean / max), sources | %d | %s | | mean ≤ 1 ms, max ≤ 10 ms, sources constant |'
                  % (n, ' | '.join(cells)))
    return 0 if ok else 1


def ratio_and_target(workload, n, med, by_impl):
    def r(a, b):
        return med[a] / med[b] if a in med and b in med and med[b] else float('nan')

    if workload == 'W1':
        return ('Coro/floor %.2f×, asyncio/Coro %.1f×' % (r('coro', 'floor'), r('asyncio', 'coro')),
                'Coro/floor ≤ 5×, asyncio/Coro ≥ 20×')
    if workload == 'W2':
        return 'Coro/GLib %.3f×' % r('coro', 'glib'), '≤ 0.2×'
    if workload == 'W2b':
        return 'Coro %.2f ns, no loop pass' % med['coro'], '≤ 10 ns'
    if workload == 'W3':
        return ('Coro/floor %.2f×, GLib/Coro %.1f×' % (r('coro', 'floor'), r('glib', 'coro')),
                'at 100 k: Coro/floor ≤ 3×, GLib/Coro ≥ 6×')
    if workload == 'W4':
        return 'Coro/GLib %.3f×' % r('coro', 'glib'), '≤ 0.25×'
    if workload == 'W6':
        return 'Coro %.0f B' % med['coro'], '≤ 256 B'
    return '', ''


if __name__ == '__main__':
    sys.exit(main())
