/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RT contract of uacdsp_chain_process(): no heap use.  This program
 * interposes malloc/calloc/realloc/free/aligned_alloc/posix_memalign (glibc:
 * forwarding to __libc_*) and counts calls made while the chain processes.
 * The chain has one of every block, Volume and Loudness ramps in flight,
 * Conv fed partial blocks, and reload crossfades (biquad, Conv) running; the count must
 * be exactly 0.  Another thread changes the volume meanwhile (the lock-free
 * setter).
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/uacdsp.h"

#ifdef __SANITIZE_ADDRESS__
int main(void)
{
	printf("SKIP: AddressSanitizer owns malloc in this build; run without --enable-sanitizers\n");
	return 77;
}
#else

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t a, size_t n);
extern void __libc_free(void *p);

static _Thread_local volatile int in_rt;	/* volatile: malloc is a builtin GCC assumes reads no globals */
static atomic_int rt_calls;

void *malloc(size_t n)
{
	if (in_rt)
		atomic_fetch_add(&rt_calls, 1);
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	if (in_rt)
		atomic_fetch_add(&rt_calls, 1);
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	if (in_rt)
		atomic_fetch_add(&rt_calls, 1);
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (in_rt && p)
		atomic_fetch_add(&rt_calls, 1);
	__libc_free(p);
}

void *aligned_alloc(size_t a, size_t n)
{
	if (in_rt)
		atomic_fetch_add(&rt_calls, 1);
	return __libc_memalign(a, n);
}

int posix_memalign(void **out, size_t a, size_t n)
{
	if (in_rt)
		atomic_fetch_add(&rt_calls, 1);
	*out = __libc_memalign(a, n);
	return *out ? 0 : 12;
}

static const char cfg_text[] =
	"devices: {samplerate: 48000, chunksize: 128, capture: {channels: 2}, playback: {channels: 3}}\n"
	"filters:\n"
	"  eq: {type: Biquad, parameters: {type: Peaking, freq: %s, q: 2, gain: 3}}\n"
	"  lr: {type: BiquadCombo, parameters: {type: LinkwitzRileyLowpass, freq: 2000, order: 4}}\n"
	"  fir: {type: Conv, parameters: {type: Values, values: [0.5, 0.3, 0.1, 0.05, %s]}}\n"
	"  d: {type: Delay, parameters: {delay: 3.3, unit: ms, subsample: true}}\n"
	"  g: {type: Gain, parameters: {gain: %s}}\n"
	"  v: {type: Volume, parameters: {ramp_time: 30}}\n"
	"  l: {type: Loudness, parameters: {reference_level: -10, ramp_time: 30}}\n"
	"  lim: {type: Limiter, parameters: {clip_limit: -1, soft_clip: true}}\n"
	"  de: {type: DiffEq, parameters: {a: [1, -0.5], b: [0.5]}}\n"
	"  di: {type: Dither, parameters: {type: ShibataHigh48, bits: 16}}\n"
	"mixers:\n  up:\n    channels: {in: 2, out: 3}\n    mapping:\n"
	"      - {dest: 0, sources: [{channel: 0}]}\n"
	"      - {dest: 1, sources: [{channel: 1}]}\n"
	"      - {dest: 2, sources: [{channel: 0, gain: -6}, {channel: 1, gain: -6}]}\n"
	"processors:\n  c: {type: Compressor, parameters: {channels: 3, attack: 0.01, release: 0.1, "
	"threshold: -20, factor: 3}}\n"
	"pipeline:\n"
	"  - {type: Filter, names: [eq, fir, d, g, v, l]}\n"
	"  - {type: Mixer, name: up}\n"
	"  - {type: Filter, channels: [2], names: [lr, de]}\n"
	"  - {type: Processor, name: c}\n"
	"  - {type: Filter, names: [lim, di]}\n";

static struct uacdsp_chain *build(const char *freq, const char *tap, const char *gain)
{
	char text[4096], err[512];
	struct uacdsp_config *cfg;
	struct uacdsp_chain *c;

	snprintf(text, sizeof(text), cfg_text, freq, tap, gain);
	if (uacdsp_config_parse(text, strlen(text), "rt.yml", &cfg, err, sizeof(err)) < 0) {
		printf("parse: %s\n", err);
		return NULL;
	}
	if (uacdsp_chain_new(cfg, 0, 128, &c, err, sizeof(err)) < 0) {
		printf("chain: %s\n", err);
		c = NULL;
	}
	uacdsp_config_free(cfg);
	return c;
}

static atomic_int stop;

static void *volume_thread(void *arg)
{
	struct uacdsp_chain *c = arg;
	int i = 0;

	while (!atomic_load(&stop))
		uacdsp_chain_set_volume(c, (float)(-(i++ % 40)));
	return NULL;
}

int main(void)
{
	static const unsigned sizes[] = { 128, 1, 77, 128, 50, 128, 3, 100 };
	struct uacdsp_chain *a = build("1000", "0.02", "-3"), *b = build("1500", "0.04", "-5");
	float planes[3][128], *bufs[3] = { planes[0], planes[1], planes[2] };
	unsigned blk, i, k, calls;
	pthread_t t;

	if (!a || !b)
		return 1;
	/* the interposition works: a heap call in "RT" is counted */
	{
		void *volatile probe;

		in_rt = 1;
		probe = malloc(16);
		free(probe);
		in_rt = 0;
	}
	if (atomic_load(&rt_calls) != 2) {
		printf("malloc interposition not active (%d calls seen)\n", atomic_load(&rt_calls));
		return 99;
	}
	atomic_store(&rt_calls, 0);
	for (blk = 0; blk < 200; blk++) {
		unsigned n = sizes[blk % 8];

		for (k = 0; k < 2; k++)
			for (i = 0; i < n; i++)
				planes[k][i] = (float)((int)((blk * 131 + i * 17 + k * 7) % 200) - 100) / 120.0f;
		if (blk == 20)
			uacdsp_chain_set_volume(a, -25.0f);
		if (blk == 60) {
			/* reload: b takes over a's state and crossfades its changed eq */
			uacdsp_chain_inherit(b, a);
			if (pthread_create(&t, NULL, volume_thread, b) != 0)
				return 99;
		}
		in_rt = 1;
		uacdsp_chain_process(blk < 60 ? a : b, bufs, n);
		in_rt = 0;
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	calls = (unsigned)atomic_load(&rt_calls);
	uacdsp_chain_free(a);
	uacdsp_chain_free(b);
	printf("heap calls during 200 uacdsp_chain_process() calls: %u (want 0)\n", calls);
	return calls ? 1 : 0;
}
#endif /* __SANITIZE_ADDRESS__ */
