/* coro-error.c: the CORO_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "coro.h"

/**
 * coro_error_quark:
 *
 * Gets the quark of the Coro error domain.
 *
 * Returns: the quark of the %CORO_ERROR domain
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (coro-error-quark, coro_error)
