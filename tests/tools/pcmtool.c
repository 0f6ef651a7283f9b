/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pcmtool: test signals and bit-exact comparison of raw PCM files.
 *
 *   pcmtool noise FORMAT CHANNELS FRAMES SEED OUT   white noise (full scale / 2),
 *                                                    valid for FORMAT (S24_LE sign-extended)
 *   pcmtool sine FORMAT CHANNELS FRAMES RATE HZ AMP OUT
 *   pcmtool cmp FORMAT CHANNELS REF OUT [--invert] [--sum REF2] [--channels-out N]
 *        find REF inside OUT (any offset) and check every frame of REF,
 *        with OUT's expected value: REF (default), -REF saturated (--invert),
 *        REF + REF2 (--sum, same offset).  Prints one line; exit 0 only
 *        when every frame matches.
 *   pcmtool frames FORMAT CHANNELS FILE              print the frame count
 *   pcmtool jump S16_LE CHANNELS FILE FROM TO        largest |second difference|
 *        (full scale 1.0) between frames FROM and TO, counted from the first
 *        non-silent frame: a click shows as a jump far
 *        above what a smooth signal can do; also prints RMS of the last second
 *
 * FORMAT: S16_LE S24_LE S24_3LE S32_LE FLOAT_LE.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned bps_of(const char *f)
{
	if (!strcmp(f, "S16_LE"))
		return 2;
	if (!strcmp(f, "S24_3LE"))
		return 3;
	if (!strcmp(f, "S24_LE") || !strcmp(f, "S32_LE") || !strcmp(f, "FLOAT_LE"))
		return 4;
	return 0;
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: reproducible across runs and machines */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

/* Sample as a signed 64-bit integer (floats: their bit pattern). */
static int64_t get(const char *fmt, const uint8_t *p)
{
	if (!strcmp(fmt, "S16_LE"))
		return (int16_t)(p[0] | p[1] << 8);
	if (!strcmp(fmt, "S24_3LE") || !strcmp(fmt, "S24_LE"))
		return (int32_t)((uint32_t)p[0] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 24) >> 8;
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

static void put(const char *fmt, uint8_t *p, int64_t v)
{
	unsigned i, n = bps_of(fmt);

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	if (!strcmp(fmt, "S24_LE"))
		p[3] = v < 0 ? 0xff : 0;
}

static int64_t fullscale(const char *fmt)
{
	if (!strcmp(fmt, "S16_LE"))
		return 32768;
	if (!strcmp(fmt, "S24_3LE") || !strcmp(fmt, "S24_LE"))
		return 8388608;
	return 2147483648ll;
}

/* Every loaded file stays until exit; free them then, for LeakSanitizer. */
static void *loaded[8];
static unsigned n_loaded;

static void free_loaded(void)
{
	while (n_loaded)
		free(loaded[--n_loaded]);
}

static uint8_t *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f) {
		fprintf(stderr, "pcmtool: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "pcmtool: %s: read error\n", path);
		exit(2);
	}
	fclose(f);
	*len = (size_t)n;
	if (!n_loaded)
		atexit(free_loaded);
	if (n_loaded < sizeof(loaded) / sizeof(loaded[0]))
		loaded[n_loaded++] = buf;
	return buf;
}

static int cmd_noise(char **a)
{
	const char *fmt = a[0];
	unsigned ch = (unsigned)atoi(a[1]), bps = bps_of(fmt);
	uint64_t frames = strtoull(a[2], NULL, 10), i;
	FILE *f;
	uint8_t s[4];

	rng_state = strtoull(a[3], NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
	f = fopen(a[4], "wb");
	if (!f || !bps)
		return 2;
	for (i = 0; i < frames * ch; i++) {
		if (!strcmp(fmt, "FLOAT_LE")) {
			/* values on a 2^-24 grid in [-0.5, 0.5): exact in float */
			float x = (float)((int64_t)(rng() >> 40) - (1 << 23)) / 16777216.0f;

			memcpy(s, &x, 4);
		} else {
			int64_t fs = fullscale(fmt);
			int64_t v = (int64_t)(rng() % (uint64_t)fs) - fs / 2;

			put(fmt, s, v);
		}
		fwrite(s, 1, bps, f);
	}
	return fclose(f) ? 2 : 0;
}

static int cmd_sine(char **a)
{
	const char *fmt = a[0];
	unsigned ch = (unsigned)atoi(a[1]), bps = bps_of(fmt), c;
	uint64_t frames = strtoull(a[2], NULL, 10), i;
	double rate = atof(a[3]), hz = atof(a[4]), amp = atof(a[5]);
	FILE *f = fopen(a[6], "wb");
	uint8_t s[4];

	if (!f || !bps)
		return 2;
	for (i = 0; i < frames; i++) {
		double x = amp * sin(2 * M_PI * hz * (double)i / rate);

		for (c = 0; c < ch; c++) {
			if (!strcmp(fmt, "FLOAT_LE")) {
				float fx = (float)x;

				memcpy(s, &fx, 4);
			} else {
				put(fmt, s, (int64_t)llround(x * (double)(fullscale(fmt) - 1)));
			}
			fwrite(s, 1, bps, f);
		}
	}
	return fclose(f) ? 2 : 0;
}

static int64_t expect(const char *fmt, int64_t r, int64_t r2, int invert, int sum)
{
	int64_t fs = fullscale(fmt), v;

	if (!strcmp(fmt, "FLOAT_LE")) {
		float x, y;
		int32_t b = (int32_t)r, b2 = (int32_t)r2;

		memcpy(&x, &b, 4);
		memcpy(&y, &b2, 4);
		if (invert)
			x = -x;
		if (sum)
			x += y;
		memcpy(&b, &x, 4);
		return b;
	}
	v = r;
	if (invert)
		v = -v;
	if (sum)
		v += r2;
	if (v > fs - 1)
		v = fs - 1;
	if (v < -fs)
		v = -fs;
	return v;
}

static int cmd_cmp(int argc, char **a)
{
	const char *fmt = a[0];
	unsigned ch = (unsigned)atoi(a[1]), bps = bps_of(fmt), c, och;
	size_t rlen, olen, r2len = 0;
	uint8_t *ref = load(a[2], &rlen), *out = load(a[3], &olen), *ref2 = NULL;
	uint64_t rframes, oframes, off, i, first_nz = 0;
	int invert = 0, sum = 0, k;

	och = ch;
	for (k = 4; k < argc; k++) {
		if (!strcmp(a[k], "--invert"))
			invert = 1;
		else if (!strcmp(a[k], "--sum") && k + 1 < argc) {
			sum = 1;
			ref2 = load(a[++k], &r2len);
		} else if (!strcmp(a[k], "--channels-out") && k + 1 < argc)
			och = (unsigned)atoi(a[++k]);
		else {
			fprintf(stderr, "pcmtool: cmp: unknown option %s\n", a[k]);
			return 2;
		}
	}
	if (!bps || !ch || och < ch)
		return 2;
	rframes = rlen / (bps * ch);
	oframes = olen / (bps * och);
	if (sum && r2len / (bps * ch) < rframes)
		rframes = r2len / (bps * ch);
	/* Anchor on the first reference frame that is not silence. */
	for (first_nz = 0; first_nz < rframes; first_nz++) {
		for (c = 0; c < ch; c++)
			if (get(fmt, ref + (first_nz * ch + c) * bps))
				break;
		if (c < ch)
			break;
	}
	if (first_nz == rframes) {
		printf("FAIL: reference is all silence\n");
		return 1;
	}
	for (off = first_nz; off + rframes - first_nz <= oframes; off++) {
		uint64_t match = 0;

		/* candidate: OUT[off] == expected(REF[first_nz]) for 64 frames */
		for (i = first_nz; i < rframes && i < first_nz + 64; i++) {
			for (c = 0; c < ch; c++) {
				int64_t e = expect(fmt, get(fmt, ref + (i * ch + c) * bps),
						   sum ? get(fmt, ref2 + (i * ch + c) * bps) : 0, invert, sum);
				int64_t o = get(fmt, out + ((off + i - first_nz) * och + c) * bps);

				if (e != o)
					break;
			}
			if (c < ch)
				break;
			match++;
		}
		if (match < 64 && i < rframes)
			continue;
		/* Found the alignment: check every frame. */
		for (i = first_nz; i < rframes; i++) {
			uint64_t oi = off + i - first_nz;

			for (c = 0; c < ch; c++) {
				int64_t e = expect(fmt, get(fmt, ref + (i * ch + c) * bps),
						   sum ? get(fmt, ref2 + (i * ch + c) * bps) : 0, invert, sum);
				int64_t o = get(fmt, out + (oi * och + c) * bps);

				if (e != o) {
					printf("FAIL: %s %u ch: %llu of %llu frames match, then frame %llu channel %u: expected %lld, got %lld (offset %lld)\n",
					       fmt, ch, (unsigned long long)(i - first_nz),
					       (unsigned long long)(rframes - first_nz), (unsigned long long)i, c,
					       (long long)e, (long long)o, (long long)(off - first_nz));
					return 1;
				}
			}
			for (c = ch; c < och; c++)
				if (get(fmt, out + (oi * och + c) * bps)) {
					printf("FAIL: frame %llu: channel %u should be silent\n",
					       (unsigned long long)i, c);
					return 1;
				}
		}
		printf("ok: %s %u ch: all %llu frames bit-exact at offset %lld\n", fmt, ch,
		       (unsigned long long)(rframes - first_nz), (long long)(off - first_nz));
		return 0;
	}
	printf("FAIL: %s %u ch: reference (%llu frames) not found in output (%llu frames)\n", fmt, ch,
	       (unsigned long long)rframes, (unsigned long long)oframes);
	return 1;
}

static int cmd_jump(char **a)
{
	unsigned ch = (unsigned)atoi(a[1]), c;
	size_t len;
	uint8_t *buf = load(a[2], &len);
	uint64_t frames = len / (2 * ch), from = strtoull(a[3], NULL, 10), to = strtoull(a[4], NULL, 10), i, at = 0;
	double worst = 0, sq = 0;
	uint64_t nsq = 0;

	if (strcmp(a[0], "S16_LE") || !ch)
		return 2;
	/* FROM and TO count from the first non-silent frame. */
	for (i = 0; i < frames && !get("S16_LE", buf + i * ch * 2); i++)
		;
	from += i;
	to += i;
	if (to > frames)
		to = frames;
	for (i = from + 2; i < to; i++)
		for (c = 0; c < ch; c++) {
			double x0 = get("S16_LE", buf + ((i - 2) * ch + c) * 2) / 32768.0;
			double x1 = get("S16_LE", buf + ((i - 1) * ch + c) * 2) / 32768.0;
			double x2 = get("S16_LE", buf + (i * ch + c) * 2) / 32768.0;
			double d = fabs(x2 - 2 * x1 + x0);

			if (d > worst) {
				worst = d;
				at = i;
			}
			if (i + 48000 >= to) {
				sq += x2 * x2;
				nsq++;
			}
		}
	printf("max second difference %.5f at frame %llu; rms of the last second %.5f\n", worst,
	       (unsigned long long)at, nsq ? sqrt(sq / (double)nsq) : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 7 && !strcmp(argv[1], "jump"))
		return cmd_jump(argv + 2);
	if (argc >= 7 && !strcmp(argv[1], "noise"))
		return cmd_noise(argv + 2);
	if (argc >= 9 && !strcmp(argv[1], "sine"))
		return cmd_sine(argv + 2);
	if (argc >= 6 && !strcmp(argv[1], "cmp"))
		return cmd_cmp(argc - 2, argv + 2);
	if (argc >= 5 && !strcmp(argv[1], "frames")) {
		size_t len;
		unsigned bps = bps_of(argv[2]);
		uint8_t *b = load(argv[4], &len);

		(void)b;
		if (!bps)
			return 2;
		printf("%zu\n", len / (bps * (unsigned)atoi(argv[3])));
		return 0;
	}
	fprintf(stderr, "usage: pcmtool noise|sine|cmp|frames ... (see the source)\n");
	return 2;
}
