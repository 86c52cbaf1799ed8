#!/usr/bin/python3
# asyncio_bench.py: the benchmark workloads on Python's asyncio, on uvloop if it imports
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: asyncio_bench.py W1|W2|W2b|W3|W4|W6 [N] [--smoke] [--no-uvloop]
#
#   --smoke      N = 1000 unless N is given
#   --no-uvloop  the stock asyncio loop even when uvloop is importable
# Prints one JSON line, like the C benchmark programs.

import asyncio
import json
import os
import resource
import sys
import time

SEED = 0x9E3779B97F4A7C15
MASK = (1 << 64) - 1


def xorshift(state):
    """The same fixed-seed generator as bench-common.h."""
    state ^= (state << 13) & MASK
    state ^= state >> 7
    state ^= (state << 17) & MASK
    return state, (state >> 11) * (1.0 / 9007199254740992.0)


def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGESIZE')


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def report(workload, impl, n, metric, value):
    print(json.dumps({'workload': workload, 'impl': impl, 'n': n, metric: value}), flush=True)


async def leaf(i):
    return i


async def w1(n, impl):
    start = time.perf_counter()
    await asyncio.gather(*[asyncio.create_task(leaf(i)) for i in range(n)])
    report('W1', impl, n, 'ns_per_op', (time.perf_counter() - start) * 1e9 / n)


async def w2(n, impl):
    start = time.perf_counter()
    for _ in range(n):
        await asyncio.sleep(0)
    report('W2', impl, n, 'ns_per_op', (time.perf_counter() - start) * 1e9 / n)


async def w2b(n, impl):
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(1)
    start = time.perf_counter()
    for _ in range(n):
        await fut
    report('W2b', impl, n, 'ns_per_op', (time.perf_counter() - start) * 1e9 / n)


async def w3(n, impl):
    stats = {'sum': 0.0, 'max': 0.0}

    async def sleeper(delay):
        deadline = time.monotonic() + delay
        await asyncio.sleep(delay)
        late = time.monotonic() - deadline
        stats['sum'] += late
        stats['max'] = max(stats['max'], late)

    state, delays = SEED, []
    for _ in range(n):
        state, d = xorshift(state)
        delays.append(d)
    start = cpu()
    await asyncio.gather(*[asyncio.create_task(sleeper(d)) for d in delays])
    print(json.dumps({'workload': 'W3', 'impl': impl, 'n': n, 'cpu_s': cpu() - start,
                      'mean_late_ms': stats['sum'] / n * 1e3, 'max_late_ms': stats['max'] * 1e3,
                      'n_gsources': 0}), flush=True)


async def w4(n, impl):
    ping, pong = asyncio.Queue(), asyncio.Queue()

    async def server():
        for _ in range(n):
            await pong.put(await ping.get())

    async def client():
        for i in range(n):
            await ping.put(i)
            await pong.get()

    start = time.perf_counter()
    await asyncio.gather(server(), client())
    report('W4', impl, n, 'ns_per_op', (time.perf_counter() - start) * 1e9 / n)


async def w6(n, impl):
    before = rss()
    tasks = [asyncio.create_task(asyncio.sleep(3600)) for _ in range(n)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    report('W6', impl, n, 'bytes_per_task', (rss() - before) / n)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


WORKLOADS = {'W1': (w1, 1000000), 'W2': (w2, 1000000), 'W2b': (w2b, 10000000),
             'W3': (w3, 100000), 'W4': (w4, 1000000), 'W6': (w6, 100000)}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    if not args or args[0] not in WORKLOADS:
        print('usage: asyncio_bench.py W1|W2|W2b|W3|W4|W6 [N] [--smoke] [--no-uvloop]',
              file=sys.stderr)
        return 2
    func, n = WORKLOADS[args[0]]
    if len(args) > 1:
        n = int(args[1])
    elif '--smoke' in sys.argv:
        n = 1000
    impl = 'asyncio'
    if '--no-uvloop' not in sys.argv:
        try:
            import uvloop
        except ImportError:
            pass
        else:
            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
            impl = 'uvloop'
    asyncio.run(func(n, impl))
    return 0

if __name__ == '__main__':
    sys.exit(main())
