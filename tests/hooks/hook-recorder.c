/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test hook: records op, sample_time, host_time, n_frames and a checksum of
 * every buffer into a preallocated table (no I/O on the RT thread) and
 * writes it as text to the file named by its argument at destroy().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uacd/io_operation.h>

#define MAX_RECORDS (1u << 20)

struct rec {
	uint32_t op, frames, channels;
	uint64_t sample_time, host_time;
	uint64_t sum;
};

struct state {
	char path[512];
	uint32_t rate;
	struct rec *r;
	uint32_t n;
};

static int rec_init(const struct uacd_io_device *dev, const char *args, void **out)
{
	struct state *s = calloc(1, sizeof(*s));

	if (!s)
		return -12;
	snprintf(s->path, sizeof(s->path), "%s", args);
	s->rate = dev->rate;
	s->r = calloc(MAX_RECORDS, sizeof(*s->r));
	if (!s->r) {
		free(s);
		return -12;
	}
	*out = s;
	return 0;
}

static int rec_process(void *state, enum uacd_io_operation op, struct uacd_io_buffer *b)
{
	struct state *s = state;
	struct rec *r;
	uint64_t sum = 0;
	uint32_t c, i;

	if (s->n >= MAX_RECORDS)
		return -1;
	for (c = 0; c < b->n_channels; c++)
		for (i = 0; i < b->n_frames; i++) {
			uint32_t bits;

			memcpy(&bits, &b->channels[c][i], 4);
			sum = sum * 31 + bits;
		}
	r = &s->r[s->n++];
	r->op = op;
	r->frames = b->n_frames;
	r->channels = b->n_channels;
	r->sample_time = b->sample_time;
	r->host_time = b->host_time;
	r->sum = sum;
	return 0;
}

static void rec_destroy(void *state)
{
	struct state *s = state;
	FILE *f = fopen(s->path, "w");
	uint32_t i;

	if (f) {
		fprintf(f, "# op sample_time host_time frames channels checksum (rate %u)\n", s->rate);
		for (i = 0; i < s->n; i++)
			fprintf(f, "%s %llu %llu %u %u %016llx\n",
				s->r[i].op == UACD_IO_WRITE_END ? "W" : "R",
				(unsigned long long)s->r[i].sample_time,
				(unsigned long long)s->r[i].host_time, s->r[i].frames, s->r[i].channels,
				(unsigned long long)s->r[i].sum);
		fclose(f);
	}
	free(s->r);
	free(s);
}

const struct uacd_io_hook_v1 uacd_io_hook_v1 = {
	.abi_version = UACD_IO_HOOK_ABI_VERSION,
	.name = "recorder",
	.init = rec_init,
	.process = rec_process,
	.destroy = rec_destroy,
};
