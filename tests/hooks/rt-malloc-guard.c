/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LD_PRELOAD guard: any malloc/calloc/realloc/free on a thread whose name
 * starts with "uacd-rt" (the device RT threads name themselves so) prints
 * one line to stderr and aborts.  The check uses only prctl(), which does
 * not allocate.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

static void check(const char *what)
{
	char name[17] = "";

	prctl(PR_GET_NAME, name, 0, 0, 0);
	if (!strncmp(name, "uacd-rt", 7)) {
		/* One write(), so that no log line of uacd lands inside it. */
		char line[96];
		size_t n = 0;
		const char *parts[] = { "rt-malloc-guard: ", what, " on RT thread ", name, "\n" };
		unsigned i;

		for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			size_t k = strlen(parts[i]);

			if (n + k > sizeof(line))
				k = sizeof(line) - n;
			memcpy(line + n, parts[i], k);
			n += k;
		}
		write(2, line, n);
		abort();
	}
}

/*
 * dlsym's own calloc while real_calloc is being looked up: a small static
 * arena.  Only that nested call uses it; the program's first calloc (of any
 * size) goes to the real one.
 */
static char boot[4096];
static size_t boot_used;
static int resolving;

void *malloc(size_t n)
{
	check("malloc");
	if (!real_malloc)
		real_malloc = dlsym(RTLD_NEXT, "malloc");
	return real_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	if (!real_calloc) {
		void *p;

		if (resolving) {
			if (boot_used + a * b > sizeof(boot))
				return NULL;
			p = boot + boot_used;
			boot_used += (a * b + 15) & ~(size_t)15;
			return p;
		}
		resolving = 1;
		real_calloc = dlsym(RTLD_NEXT, "calloc");
		resolving = 0;
	}
	check("calloc");
	return real_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	check("realloc");
	if (!real_realloc)
		real_realloc = dlsym(RTLD_NEXT, "realloc");
	return real_realloc(p, n);
}

void free(void *p)
{
	if (!p || ((char *)p >= boot && (char *)p < boot + sizeof(boot)))
		return;
	check("free");
	if (!real_free)
		real_free = dlsym(RTLD_NEXT, "free");
	real_free(p);
}
