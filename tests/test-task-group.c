#include "coro-test.h"
int
main (int argc, char *argv[])
{
  coro_test_init (&argc, &argv);
  return g_test_run ();
}
