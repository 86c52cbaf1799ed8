/* bench-floor.c: the plain-C floor the benchmarks compare against
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The least a callback scheduler can do: a ring buffer of function pointers, a binary
 * heap of timers and epoll_wait for sleeping; no error handling, no cancellation, no
 * reference counting. Usage: bench-floor W1|W2|W2b|W3|W4|W6 [N] [--smoke]
 */
#include <stdint.h>
#include <sys/epoll.h>

#include "bench-common.h"

typedef void (*Func) (void *data);

typedef struct
{
  Func  func;
  void *data;
} Entry;

static Entry *ring;
static size_t ring_head, ring_len, ring_cap;

static void
push (Func  func,
      void *data)
{
  if (ring_len == ring_cap)
    {
      size_t cap = ring_cap ? ring_cap * 2 : 1024;
      Entry *grown = malloc (cap * sizeof (Entry));

      for (size_t i = 0; i < ring_len; i++)
        grown[i] = ring[(ring_head + i) % ring_cap];
      free (ring);
      ring = grown;
      ring_cap = cap;
      ring_head = 0;
    }
  ring[(ring_head + ring_len++) % ring_cap] = (Entry) { func, data };
}

typedef struct
{
  double when;
  Func   func;
  void  *data;
} Timer;

static Timer *heap;
static size_t heap_len, heap_cap;

static void
heap_push (Timer t)
{
  size_t i;

  if (heap_len == heap_cap)
    {
      heap_cap = heap_cap ? heap_cap * 2 : 1024;
      heap = realloc (heap, heap_cap * sizeof (Timer));
    }
  i = heap_len++;
  while (i > 0 && heap[(i - 1) / 2].when > t.when)
    {
      heap[i] = heap[(i - 1) / 2];
      i = (i - 1) / 2;
    }
  heap[i] = t;
}

static Timer
heap_pop (void)
{
  Timer top = heap[0], last = heap[--heap_len];
  size_t i = 0;

  for (;;)
    {
      size_t c = 2 * i + 1;

      if (c >= heap_len)
        break;
      if (c + 1 < heap_len && heap[c + 1].when < heap[c].when)
        c++;
      if (last.when <= heap[c].when)
        break;
      heap[i] = heap[c];
      i = c;
    }
  if (heap_len > 0)
    heap[i] = last;
  return top;
}

static int epfd;
static int running;

static void
run (void)
{
  while (running)
    {
      size_t n = ring_len;
      double now = bench_now ();

      while (heap_len > 0 && heap[0].when <= now)
        {
          Timer t = heap_pop ();

          push (t.func, t.data);
        }
      n = ring_len;
      while (n-- > 0)
        {
          Entry e = ring[ring_head];

          ring_head = (ring_head + 1) % ring_cap;
          ring_len--;
          e.func (e.data);
        }
      if (ring_len == 0 && heap_len > 0 && running)
        {
          struct epoll_event ev;
          double wait = heap[0].when - bench_now ();
          int ms = wait > 0 ? (int) (wait * 1000 + 0.999) : 0;

          epoll_wait (epfd, &ev, 1, ms);
        }
      else if (ring_len == 0 && heap_len == 0)
        break;
    }
}

/* W1 */
typedef struct
{
  long  value;
  long *remaining;
} Task;

static void
task_run (void *data)
{
  Task *t = data;

  t->value++;
  if (--*t->remaining == 0)
    running = 0;
}

static void
w1 (long n)
{
  long remaining = n;
  Task **tasks = malloc (n * sizeof (Task *));
  double start = bench_now ();

  running = 1;
  for (long i = 0; i < n; i++)
    {
      tasks[i] = malloc (sizeof (Task));
      *tasks[i] = (Task) { i, &remaining };
      push (task_run, tasks[i]);
    }
  run ();
  for (long i = 0; i < n; i++)
    free (tasks[i]);
  bench_report ("W1", "floor", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
  free (tasks);
}

/* W2: a task that re-queues itself; W2b: a direct call through a function pointer */
static long loops;

static void
yielder (void *data)
{
  if (--loops > 0)
    push (yielder, data);
  else
    running = 0;
}

static void (*volatile continuation) (long *);

static void
step (long *counter)
{
  (*counter)++;
}

static void
w2 (long n,
    int  done_future)
{
  double start = bench_now ();

  if (done_future)
    {
      long counter = 0;

      for (long i = 0; i < n; i++)
        continuation (&counter);
      bench_report ("W2b", "floor", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
      return;
    }
  loops = n;
  running = 1;
  push (yielder, NULL);
  run ();
  bench_report ("W2", "floor", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
}

/* W3 */
typedef struct
{
  double deadline;
  double delay;
} Sleeper;

static double late_sum, late_max;
static long sleepers_left;

static void
sleeper_woke (void *data)
{
  Sleeper *s = data;
  double late = bench_now () - s->deadline;

  late_sum += late;
  if (late > late_max)
    late_max = late;
  if (--sleepers_left == 0)
    running = 0;
}

static void
sleeper_start (void *data)
{
  Sleeper *s = data;

  s->deadline = bench_now () + s->delay;
  bench_sleep_started (s->deadline - s->delay);
  heap_push ((Timer) { s->deadline, sleeper_woke, s });
}

static void
w3 (long n)
{
  unsigned long long state = BENCH_SEED;
  Sleeper *sleepers = malloc (n * sizeof (Sleeper));
  double cpu = bench_cpu ();

  running = 1;
  sleepers_left = n;
  for (long i = 0; i < n; i++)
    {
      sleepers[i].delay = bench_random (&state);
      push (sleeper_start, &sleepers[i]);
    }
  run ();
  bench_report_sleepers ("floor", n, bench_cpu () - cpu, late_sum / n * 1e3, late_max * 1e3,
                         bench_start_span_ms (), 1);
  free (sleepers);
}

/* W4: two tasks passing a value through a one-slot mailbox each */
typedef struct Player Player;
struct Player
{
  long    remaining;
  long    box;
  Player *peer;
};

static void
player_run (void *data)
{
  Player *p = data;

  if (p->remaining-- == 0)
    {
      running = 0;
      return;
    }
  p->peer->box = p->box;
  push (player_run, p->peer);
}

static void
w4 (long n)
{
  Player a = { n, 1, NULL }, b = { n, 0, &a };
  double start = bench_now ();

  a.peer = &b;
  running = 1;
  push (player_run, &a);
  run ();
  bench_report ("W4", "floor", n, "ns_per_op", (bench_now () - start) * 1e9 / n);
}

/* W6: a pending task is its struct plus a heap slot */
static void
w6 (long n)
{
  long before = bench_rss ();
  Sleeper **tasks = malloc (n * sizeof (Sleeper *));

  for (long i = 0; i < n; i++)
    {
      tasks[i] = malloc (sizeof (Sleeper));
      tasks[i]->delay = 3600;
      sleeper_start (tasks[i]);
    }
  bench_report ("W6", "floor", n, "bytes_per_task", (double) (bench_rss () - before) / n);
  for (long i = 0; i < n; i++)
    free (tasks[i]);
  free (tasks);
}

int
main (int    argc,
      char **argv)
{
  const char *workload = argc > 1 ? argv[1] : "";

  epfd = epoll_create1 (0);
  continuation = step;
  if (strcmp (workload, "W1") == 0)
    w1 (bench_args (argc, argv, 2, 1000000, BENCH_SMOKE_N));
  else if (strcmp (workload, "W2") == 0)
    w2 (bench_args (argc, argv, 2, 1000000, BENCH_SMOKE_N), 0);
  else if (strcmp (workload, "W2b") == 0)
    w2 (bench_args (argc, argv, 2, 10000000, BENCH_SMOKE_N), 1);
  else if (strcmp (workload, "W3") == 0)
    w3 (bench_args (argc, argv, 2, 100000, BENCH_SMOKE_N));
  else if (strcmp (workload, "W4") == 0)
    w4 (bench_args (argc, argv, 2, 1000000, BENCH_SMOKE_N));
  else if (strcmp (workload, "W6") == 0)
    w6 (bench_args (argc, argv, 2, 100000, BENCH_SMOKE_N));
  else
    {
      fprintf (stderr, "usage: %s W1|W2|W2b|W3|W4|W6 [N] [--smoke]\n", argv[0]);
      return 2;
    }
  return 0;
}
