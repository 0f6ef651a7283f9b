/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CHECK(cond, fmt, ...): the assertions of the plain-C tests in tests/dsp.
 * A failed check prints where and why and counts in `fails`; the test goes
 * on, so one run reports every bad value, and main() exits non-zero when
 * fails is not 0.
 */
#ifndef UACD_TESTS_DSP_CHECK_H
#define UACD_TESTS_DSP_CHECK_H

#include <stdio.h>

static int fails;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		printf("FAIL %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
		fails++; \
	} \
} while (0)

#endif /* UACD_TESTS_DSP_CHECK_H */
