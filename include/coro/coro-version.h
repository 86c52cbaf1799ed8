/* coro-version.h: version and symbol visibility macros
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(CORO_INSIDE) && !defined(CORO_COMPILATION)
# error "Only <coro.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * CORO_MAJOR_VERSION:
 *
 * The major version of the Coro headers.
 *
 * Since: 1.0
 */
#define CORO_MAJOR_VERSION 1

/**
 * CORO_MINOR_VERSION:
 *
 * The minor version of the Coro headers.
 *
 * Since: 1.0
 */
#define CORO_MINOR_VERSION 0

/**
 * CORO_MICRO_VERSION:
 *
 * The micro version of the Coro headers.
 *
 * Since: 1.0
 */
#define CORO_MICRO_VERSION 0

/**
 * CORO_CHECK_VERSION:
 * @major: required major version
 * @minor: required minor version
 * @micro: required micro version
 *
 * Checks at compile time that the Coro headers are at least the given version.
 *
 * Returns: %TRUE if the headers are recent enough
 *
 * Since: 1.0
 */
#define CORO_CHECK_VERSION(major, minor, micro)                                       \
  (CORO_MAJOR_VERSION > (major)                                                     \
   || (CORO_MAJOR_VERSION == (major) && CORO_MINOR_VERSION > (minor))               \
   || (CORO_MAJOR_VERSION == (major) && CORO_MINOR_VERSION == (minor)               \
       && CORO_MICRO_VERSION >= (micro)))

#if defined(CORO_COMPILATION) && defined(__GNUC__)
# define _CORO_EXTERN __attribute__((visibility ("default"))) extern
#else
# define _CORO_EXTERN extern
#endif

#define CORO_AVAILABLE_IN_ALL _CORO_EXTERN

G_END_DECLS
