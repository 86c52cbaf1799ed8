#!/usr/bin/python3
# asyncio_bench.py: the benchmark workloads on Python's asyncio, on uvloop if it imports
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: asyncio_bench.py W1|W2|W2b|W3|W4|W5a|W5b|W6 [N] [--smoke] [--no-uvloop]
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
    stats = {'sum': 0.0, 'max': 0.0, 'first': None, 'last': 0.0}

    async def sleeper(delay):
        now = time.monotonic()
        if stats['first'] is None:
            stats['first'] = now
        stats['last'] = now
        deadline = now + delay
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
                      'start_span_ms': (stats['last'] - stats['first']) * 1e3,
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


async def w5_pair(handler):
    server = await asyncio.start_server(handler, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    return server, reader, writer


async def w5_close(server, writer):
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


async def w5a(n, impl):
    """64-byte echo round trips on TCP loopback, both ends in this loop."""
    async def echo(reader, writer):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()

    server, reader, writer = await w5_pair(echo)
    message = bytes(64)
    start = time.perf_counter()
    for _ in range(n):
        writer.write(message)
        await reader.readexactly(64)
    report('W5a', impl, n, 'us_per_op', (time.perf_counter() - start) * 1e6 / n)
    await w5_close(server, writer)


async def w5b(n, impl):
    """n MiB in 64 KiB writes, each followed by drain(), to a reader that counts them."""
    total = n * 1024 * 1024
    done = asyncio.get_running_loop().create_future()

    async def sink(reader, writer):
        got = 0
        while data := await reader.read(65536):
            got += len(data)
            if got == total:
                done.set_result(time.perf_counter())
        writer.close()

    server, reader, writer = await w5_pair(sink)
    chunk = bytes(65536)
    start = time.perf_counter()
    for _ in range(total // len(chunk)):
        writer.write(chunk)
        await writer.drain()
    end = await done
    report('W5b', impl, n, 'mib_per_s', n / (end - start))
    await w5_close(server, writer)


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
             'W3': (w3, 100000), 'W4': (w4, 1000000), 'W5a': (w5a, 100000),
             'W5b': (w5b, 1024), 'W6': (w6, 100000)}
SMOKE_N = {'W5b': 8}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    if not args or args[0] not in WORKLOADS:
        print('usage: asyncio_bench.py W1|W2|W2b|W3|W4|W5a|W5b|W6 [N] [--smoke] [--no-uvloop]',
              file=sys.stderr)
        return 2
    func, n = WORKLOADS[args[0]]
    if len(args) > 1:
        n = int(args[1])
    elif '--smoke' in sys.argv:
        n = SMOKE_N.get(args[0], 1000)
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
