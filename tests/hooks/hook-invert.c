/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test hook: inverts the polarity of one operation's data ("write_end" or "begin_read"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uacd/io_operation.h>

static int inv_init(const struct uacd_io_device *dev, const char *args, void **out)
{
	int *op = malloc(sizeof(*op));

	(void)dev;
	if (!op)
		return -ENOMEM;
	if (!strcmp(args, "write_end"))
		*op = UACD_IO_WRITE_END;
	else if (!strcmp(args, "begin_read"))
		*op = UACD_IO_BEGIN_READ;
	else {
		free(op);
		return -EINVAL;
	}
	*out = op;
	return 0;
}

static int inv_process(void *state, enum uacd_io_operation op, struct uacd_io_buffer *b)
{
	uint32_t c, i;

	if ((int)op != *(int *)state)
		return 0;
	for (c = 0; c < b->n_channels; c++)
		for (i = 0; i < b->n_frames; i++)
			b->channels[c][i] = -b->channels[c][i];
	return 0;
}

static void inv_destroy(void *state)
{
	free(state);
}

const struct uacd_io_hook_v1 uacd_io_hook_v1 = {
	.abi_version = UACD_IO_HOOK_ABI_VERSION,
	.name = "invert",
	.init = inv_init,
	.process = inv_process,
	.destroy = inv_destroy,
};
