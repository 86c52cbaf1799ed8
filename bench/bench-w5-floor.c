/* bench-w5-floor.c: the floor of W5: plain C, non-blocking TCP loopback sockets, epoll
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What an event loop cannot beat: one thread, both ends in one epoll set (level-triggered),
 * every wait an epoll_wait () as a loop would do it, no allocation.
 *
 * Usage: bench-w5-floor W5a|W5b [N] [--smoke]   (as bench-w5-echo)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "bench-common.h"

#define MESSAGE 64
#define CHUNK (64 * 1024)

static void
die (const char *what)
{
  perror (what);
  exit (1);
}

static void
setup (int *client,
       int *server)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int one = 1;
  int listener = socket (AF_INET, SOCK_STREAM, 0);

  if (listener < 0 || bind (listener, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      listen (listener, 1) < 0 || getsockname (listener, (struct sockaddr *) &addr, &len) < 0)
    die ("listen");
  *client = socket (AF_INET, SOCK_STREAM, 0);
  if (connect (*client, (struct sockaddr *) &addr, sizeof addr) < 0)
    die ("connect");
  *server = accept (listener, NULL, NULL);
  if (*server < 0)
    die ("accept");
  close (listener);
  for (int i = 0; i < 2; i++)
    {
      int fd = i == 0 ? *client : *server;

      fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
}

/* Waits until @fd is ready for @events. */
static void
wait_for (int      ep,
          int      fd,
          uint32_t events)
{
  struct epoll_event ev = { .events = events, .data.fd = fd }, out[2];

  if (epoll_ctl (ep, EPOLL_CTL_MOD, fd, &ev) < 0)
    die ("epoll_ctl");
  for (;;)
    {
      int k = epoll_wait (ep, out, 2, -1);

      for (int i = 0; i < k; i++)
        if (out[i].data.fd == fd)
          return;
    }
}

static void
echo (long n)
{
  int client, server, ep = epoll_create1 (0);
  char msg[MESSAGE] = { 0 }, buf[CHUNK];
  struct epoll_event ev = { .events = 0 };
  double start;

  setup (&client, &server);
  ev.data.fd = client;
  epoll_ctl (ep, EPOLL_CTL_ADD, client, &ev);
  ev.data.fd = server;
  epoll_ctl (ep, EPOLL_CTL_ADD, server, &ev);

  start = bench_now ();
  for (long i = 0; i < n; i++)
    {
      ssize_t got = 0, k;

      if (write (client, msg, MESSAGE) != MESSAGE)
        die ("write");
      wait_for (ep, server, EPOLLIN);
      k = read (server, buf, sizeof buf);
      if (k <= 0 || write (server, buf, k) != k)
        die ("echo");
      while (got < MESSAGE)
        {
          wait_for (ep, client, EPOLLIN);
          k = read (client, buf, MESSAGE - got);
          if (k <= 0)
            die ("read");
          got += k;
        }
    }
  bench_report ("W5a", "floor", n, "us_per_op", (bench_now () - start) * 1e6 / n);
  close (client);
  close (server);
  close (ep);
}

static void
bulk (long mib)
{
  int client, server, ep = epoll_create1 (0);
  static char chunk[CHUNK], buf[CHUNK];
  long long total = (long long) mib * 1024 * 1024, sent = 0, received = 0;
  struct epoll_event ev = { .events = EPOLLIN }, out[2];
  double start;

  setup (&client, &server);
  ev.data.fd = server;
  epoll_ctl (ep, EPOLL_CTL_ADD, server, &ev);
  ev.events = EPOLLOUT;
  ev.data.fd = client;
  epoll_ctl (ep, EPOLL_CTL_ADD, client, &ev);

  start = bench_now ();
  while (received < total)
    {
      int k = epoll_wait (ep, out, 2, -1);

      for (int i = 0; i < k; i++)
        {
          if (out[i].data.fd == client && sent < total)
            {
              ssize_t w = write (client, chunk + sent % CHUNK, CHUNK - sent % CHUNK);

              if (w < 0 && errno != EAGAIN)
                die ("write");
              if (w > 0)
                sent += w;
              if (sent == total)
                {
                  ev.events = 0;
                  ev.data.fd = client;
                  epoll_ctl (ep, EPOLL_CTL_MOD, client, &ev);
                }
            }
          else if (out[i].data.fd == server)
            {
              ssize_t r = read (server, buf, sizeof buf);

              if (r < 0 && errno != EAGAIN)
                die ("read");
              if (r > 0)
                received += r;
            }
        }
    }
  bench_report ("W5b", "floor", mib, "mib_per_s", mib / (bench_now () - start));
  close (client);
  close (server);
  close (ep);
}

int
main (int    argc,
      char **argv)
{
  if (argc < 2 || (strcmp (argv[1], "W5a") != 0 && strcmp (argv[1], "W5b") != 0))
    {
      fprintf (stderr, "usage: %s W5a|W5b [N] [--smoke]\n", argv[0]);
      return 2;
    }
  if (strcmp (argv[1], "W5a") == 0)
    echo (bench_args (argc, argv, 2, 100000, 1000));
  else
    bulk (bench_args (argc, argv, 2, 1024, 8));
  return 0;
}
