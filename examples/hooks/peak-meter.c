/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Example uacd hook: a peak meter with an optional gain.
 *
 *   hook = /usr/lib/uacd/hooks/peak-meter.so gain_db=-6
 *
 * process() applies the gain to playback (WRITE_END) and tracks the peak of
 * every channel in both directions; `uacctl hook list` shows the peaks
 * since the last time it asked, in dBFS.  The RT side only stores floats
 * with relaxed atomics; status() runs on the control thread and swaps them
 * back to zero.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uacd/io_operation.h>

#define MAX_CH 32

struct meter {
	float gain;
	uint32_t peak[2][MAX_CH];	/* float bits, [0] playback, [1] capture */
	uint32_t channels[2];
};

static int meter_init(const struct uacd_io_device *dev, const char *args, void **out)
{
	struct meter *m = calloc(1, sizeof(*m));
	double db = 0.0;

	if (!m)
		return -ENOMEM;
	if (args[0]) {
		char *end;

		if (strncmp(args, "gain_db=", 8)) {
			free(m);
			return -EINVAL;
		}
		db = strtod(args + 8, &end);
		if (end == args + 8 || *end || db > 24.0 || db < -120.0) {
			free(m);
			return -EINVAL;
		}
	}
	m->gain = (float)pow(10.0, db / 20.0);
	m->channels[0] = dev->playback_channels < MAX_CH ? dev->playback_channels : MAX_CH;
	m->channels[1] = dev->capture_channels < MAX_CH ? dev->capture_channels : MAX_CH;
	*out = m;
	return 0;
}

/* rt */
static int meter_process(void *state, enum uacd_io_operation op, struct uacd_io_buffer *b)
{
	struct meter *m = state;
	int dir = op == UACD_IO_WRITE_END ? 0 : 1;
	uint32_t c, i;

	for (c = 0; c < b->n_channels && c < MAX_CH; c++) {
		float peak, *x = b->channels[c];
		uint32_t bits = __atomic_load_n(&m->peak[dir][c], __ATOMIC_RELAXED);

		memcpy(&peak, &bits, 4);
		for (i = 0; i < b->n_frames; i++) {
			if (dir == 0)
				x[i] *= m->gain;
			if (fabsf(x[i]) > peak)
				peak = fabsf(x[i]);
		}
		memcpy(&bits, &peak, 4);
		__atomic_store_n(&m->peak[dir][c], bits, __ATOMIC_RELAXED);
	}
	return 0;
}

static int meter_status(void *state, char *buf, uint32_t len)
{
	struct meter *m = state;
	uint32_t off = 0, dir, c;

	for (dir = 0; dir < 2; dir++) {
		if (!m->channels[dir])
			continue;
		off += (uint32_t)snprintf(buf + off, len - off, "%s%s peak dBFS:", off ? "; " : "",
					  dir ? "capture" : "playback");
		for (c = 0; c < m->channels[dir] && off < len; c++) {
			uint32_t bits = __atomic_exchange_n(&m->peak[dir][c], 0, __ATOMIC_RELAXED);
			float p;

			memcpy(&p, &bits, 4);
			if (p > 0)
				off += (uint32_t)snprintf(buf + off, len - off, " %.1f", 20.0 * log10(p));
			else
				off += (uint32_t)snprintf(buf + off, len - off, " -inf");
		}
		if (off >= len)
			return (int)len;
	}
	return (int)off;
}

static void meter_destroy(void *state)
{
	free(state);
}

const struct uacd_io_hook_v1 uacd_io_hook_v1 = {
	.abi_version = UACD_IO_HOOK_ABI_VERSION,
	.name = "peak-meter",
	.init = meter_init,
	.process = meter_process,
	.destroy = meter_destroy,
	.status = meter_status,
};
