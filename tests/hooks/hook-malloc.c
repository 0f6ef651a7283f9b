/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Negative control for the RT malloc guard: a hook that breaks the rule and
 * allocates on the RT thread.  The guard must catch it.
 */
#include <stdlib.h>

#include <uacd/io_operation.h>

static int bad_process(void *state, enum uacd_io_operation op, struct uacd_io_buffer *b)
{
	void *volatile p = malloc(64);

	(void)state;
	(void)op;
	(void)b;
	free(p);
	return 0;
}

const struct uacd_io_hook_v1 uacd_io_hook_v1 = {
	.abi_version = UACD_IO_HOOK_ABI_VERSION,
	.name = "malloc-in-rt",
	.process = bad_process,
};
