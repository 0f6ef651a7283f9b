/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test hook: stalls the RT thread for ARGS milliseconds (default 250) at
 * every WRITE_END, so that the sim device falls behind its bus clock and
 * queues RT log warnings all the time, up to the moment the daemon stops.
 * Never load it outside the tests: sleeping on the RT thread is exactly
 * what a hook must not do.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <uacd/io_operation.h>

static int stall_init(const struct uacd_io_device *dev, const char *args, void **out)
{
	long *ms = malloc(sizeof(*ms));
	char *end;

	(void)dev;
	if (!ms)
		return -ENOMEM;
	*ms = args && *args ? strtol(args, &end, 10) : 250;
	if (*ms <= 0 || *ms > 10000) {
		free(ms);
		return -EINVAL;
	}
	*out = ms;
	return 0;
}

static int stall_process(void *state, enum uacd_io_operation op, struct uacd_io_buffer *b)
{
	long ms = *(long *)state;
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	(void)b;
	if (op == UACD_IO_WRITE_END)
		nanosleep(&ts, NULL);
	return 0;
}

static void stall_destroy(void *state)
{
	free(state);
}

const struct uacd_io_hook_v1 uacd_io_hook_v1 = {
	.abi_version = UACD_IO_HOOK_ABI_VERSION,
	.name = "stall",
	.init = stall_init,
	.process = stall_process,
	.destroy = stall_destroy,
};
