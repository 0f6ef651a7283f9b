/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wavcmp: the host-side judge of the real-USB VM tests.
 *
 * QEMU's usb-audio device writes what it receives into a WAV file on the
 * host.  The VM tests play a known signal in the guest and ask this program
 * whether the recording holds that signal bit for bit.
 *
 *   wavcmp gen OUT.wav SECONDS [--seed N] [--tail-ms MS] [--channels N]
 *	White noise, S16_LE 48 kHz, stereo unless told (1..8), uniformly distributed over the full
 *	16-bit range, from a fixed-seed xorshift64* generator (same seed, same
 *	file, on every machine).  --tail-ms appends MS of digital silence: QEMU
 *	drops what it still buffers when a stream stops (96-336 frames, see
 *	VM-NOTES.md), so the PLAYED file carries a silent tail and the
 *	comparison uses the file without it.
 *
 *   wavcmp cmp REF.wav REC.wav [--allow-truncated] [--skip FRAMES]
 *	Finds where REF's first frames sit inside REC (the recording starts
 *	with however much silence QEMU wrote before the stream began), then
 *	walks both frame by frame.  At a mismatch it tries to resynchronise
 *	within RESYNC_RANGE frames, which tells lost frames (REF skips ahead),
 *	repeated frames (REF goes back) and inserted frames (REC skips ahead)
 *	apart from corrupted ones.  Prints key=value lines for the test log.
 *	Exit 0 only when every REF frame was found, in order, unchanged;
 *	--allow-truncated accepts a recording that stops early (the stream was
 *	cut by a hot-unplug) as long as everything up to there is exact;
 *	--skip starts the search after FRAMES of REC (an earlier stream).
 *
 *   wavcmp gain REF.wav REC.wav [--skip FRAMES] [--expect DB --tol DB]
 *	RMS level of the first stream in REC after FRAMES (from its first
 *	non-zero frame to the first 10 ms of digital silence) relative to
 *	REF's, in dB.  White noise makes this a precise gain measurement
 *	without any alignment.  With --expect, exit 1 when off by more than tol.
 *
 * Exit 2 on usage or I/O errors.  Frames are compared as whole S16 frames
 * of any channel count (both files must agree on it).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#define GEN_RATE	48000
#define MAX_CHANNELS	8
/* frames of REF that must match to call a position an alignment */
#define MATCH_WINDOW	32
/* how far (frames) a resync looks around a mismatch */
#define RESYNC_RANGE	4800
/* give up resynchronising (just count) after this many bad frames in a row */
#define MAX_BAD_RUN	2000
/* how far into REF to look for a first alignment if its head is missing */
#define HEAD_SEARCH	48000
/* zero frames that end a stream for `gain` (10 ms; never in white noise) */
#define GAP_FRAMES	480

struct wav {
	int16_t *s;		/* interleaved samples */
	int64_t frames;
	int channels;
	int rate;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: wavcmp gen OUT.wav SECONDS [--seed N] [--tail-ms MS] [--channels N]\n"
		"       wavcmp cmp REF.wav REC.wav [--allow-truncated] [--skip FRAMES]\n"
		"       wavcmp gain REF.wav REC.wav [--skip FRAMES] [--expect DB --tol DB]\n");
}

static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 0);
	if (errno || end == s || *end)
		return -EINVAL;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end)
		return -EINVAL;
	return 0;
}

static void wav_free(struct wav *w)
{
	free(w->s);
	w->s = NULL;
}

static int wav_read(const char *path, struct wav *w)
{
	SF_INFO info;
	SNDFILE *f;
	sf_count_t got;

	memset(&info, 0, sizeof(info));
	memset(w, 0, sizeof(*w));
	f = sf_open(path, SFM_READ, &info);
	if (!f) {
		fprintf(stderr, "wavcmp: %s: %s\n", path, sf_strerror(NULL));
		return -EIO;
	}
	if (info.channels < 1 || info.channels > MAX_CHANNELS) {
		fprintf(stderr, "wavcmp: %s: %d channels\n", path, info.channels);
		goto err_close;
	}
	w->channels = info.channels;
	w->rate = info.samplerate;
	w->s = calloc((size_t)info.frames + 1, sizeof(int16_t) * (size_t)info.channels);
	if (!w->s)
		goto err_close;
	got = sf_readf_short(f, w->s, info.frames);
	if (got < 0)
		goto err_free;
	w->frames = got;
	sf_close(f);
	return 0;

err_free:
	wav_free(w);
err_close:
	sf_close(f);
	return -EIO;
}

static uint64_t xorshift64s(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static int cmd_gen(int argc, char **argv)
{
	long seconds, seed = 1, tail_ms = 0, channels = 2;
	uint64_t state;
	int16_t buf[GEN_RATE / 10 * MAX_CHANNELS];
	SF_INFO info;
	SNDFILE *f;
	long i, n;
	int k;

	if (argc < 2 || parse_long(argv[1], &seconds) || seconds <= 0)
		return usage(), 2;
	for (k = 2; k < argc; k++) {
		if (!strcmp(argv[k], "--seed") && k + 1 < argc) {
			if (parse_long(argv[++k], &seed))
				return usage(), 2;
		} else if (!strcmp(argv[k], "--tail-ms") && k + 1 < argc) {
			if (parse_long(argv[++k], &tail_ms) || tail_ms < 0)
				return usage(), 2;
		} else if (!strcmp(argv[k], "--channels") && k + 1 < argc) {
			if (parse_long(argv[++k], &channels) || channels < 1 ||
			    channels > MAX_CHANNELS)
				return usage(), 2;
		} else {
			return usage(), 2;
		}
	}
	memset(&info, 0, sizeof(info));
	info.samplerate = GEN_RATE;
	info.channels = (int)channels;
	info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	f = sf_open(argv[0], SFM_WRITE, &info);
	if (!f) {
		fprintf(stderr, "wavcmp: %s: %s\n", argv[0], sf_strerror(NULL));
		return 2;
	}
	/* a zero seed would stick xorshift at zero */
	state = (uint64_t)seed * 0x9e3779b97f4a7c15ULL + 1;
	for (n = 0; n < seconds * 10; n++) {
		for (i = 0; i < GEN_RATE / 10 * channels; i++)
			buf[i] = (int16_t)(xorshift64s(&state) >> 48);
		if (sf_writef_short(f, buf, GEN_RATE / 10) != GEN_RATE / 10)
			goto err_close;
	}
	memset(buf, 0, sizeof(buf));
	for (n = (long)GEN_RATE * tail_ms / 1000; n > 0; n -= GEN_RATE / 10) {
		sf_count_t chunk = n < GEN_RATE / 10 ? n : GEN_RATE / 10;

		if (sf_writef_short(f, buf, chunk) != chunk)
			goto err_close;
	}
	if (sf_close(f))
		return 2;
	return 0;

err_close:
	fprintf(stderr, "wavcmp: %s: %s\n", argv[0], sf_strerror(f));
	sf_close(f);
	return 2;
}

static bool frame_eq(const struct wav *a, int64_t i, const struct wav *b, int64_t j)
{
	return !memcmp(a->s + i * a->channels, b->s + j * b->channels,
		       sizeof(int16_t) * (size_t)a->channels);
}

/* do n frames of a from i equal n frames of b from j (both in range)? */
static bool run_eq(const struct wav *a, int64_t i, const struct wav *b, int64_t j, int64_t n)
{
	if (i < 0 || j < 0 || i + n > a->frames || j + n > b->frames)
		return false;
	return !memcmp(a->s + i * a->channels, b->s + j * b->channels,
		       sizeof(int16_t) * (size_t)(a->channels * n));
}

static int64_t window(const struct wav *ref, int64_t i)
{
	return ref->frames - i < MATCH_WINDOW ? ref->frames - i : MATCH_WINDOW;
}

/* first position in rec from `from` where ref[i..i+window) occurs, or -1 */
static int64_t find_in_rec(const struct wav *ref, int64_t i, const struct wav *rec,
			   int64_t from, int64_t to)
{
	int64_t n = window(ref, i), j;

	if (from < 0)
		from = 0;
	for (j = from; j <= to && j + n <= rec->frames; j++)
		if (frame_eq(ref, i, rec, j) && run_eq(ref, i, rec, j, n))
			return j;
	return -1;
}

/* What cmd_cmp counts while it walks REF and REC side by side. */
struct cmp_counts {
	int64_t matched, lost, repeated, inserted, corrupt, missing_tail;
	int64_t first_mismatch, first_mismatch_rec;
};

/*
 * Walk REF from `head` and REC from off + head: count matching frames and
 * resynchronise after lost, repeated, inserted or corrupt ones.
 */
static void cmp_walk(const struct wav *ref, const struct wav *rec, int64_t head, int64_t off,
		     struct cmp_counts *c)
{
	int64_t i, j, d, bad_run = 0;

	i = head;
	j = off + head;
	while (i < ref->frames) {
		if (j >= rec->frames) {
			c->missing_tail = ref->frames - i;
			break;
		}
		if (frame_eq(ref, i, rec, j)) {
			c->matched++;
			i++;
			j++;
			bad_run = 0;
			continue;
		}
		if (c->first_mismatch < 0) {
			c->first_mismatch = i;
			c->first_mismatch_rec = j;
		}
		if (bad_run < MAX_BAD_RUN) {
			int64_t n = window(ref, i);

			/* REC continues elsewhere in REF: lost (d > 0) or
			 * repeated (d < 0) frames; nearest first. */
			for (d = 1; d <= RESYNC_RANGE; d++) {
				if (run_eq(ref, i + d, rec, j, n))
					break;
				if (run_eq(ref, i - d, rec, j, n)) {
					d = -d;
					break;
				}
			}
			if (d <= RESYNC_RANGE) {
				if (d > 0)
					c->lost += d;
				else
					c->repeated += -d;
				i += d;
				continue;
			}
			/* REF continues later in REC: frames inserted */
			d = find_in_rec(ref, i, rec, j + 1, j + RESYNC_RANGE);
			if (d >= 0) {
				c->inserted += d - j;
				j = d;
				continue;
			}
		}
		c->corrupt++;
		bad_run++;
		i++;
		j++;
	}
}

static int cmd_cmp(int argc, char **argv)
{
	bool allow_truncated = false, found = false;
	struct wav ref, rec;
	long skip = 0;
	struct cmp_counts c = { .first_mismatch = -1, .first_mismatch_rec = -1 };
	int64_t head, off = -1, j;
	int rc = 2, k;

	if (argc < 2)
		return usage(), 2;
	for (k = 2; k < argc; k++) {
		if (!strcmp(argv[k], "--allow-truncated")) {
			allow_truncated = true;
		} else if (!strcmp(argv[k], "--skip") && k + 1 < argc) {
			if (parse_long(argv[++k], &skip) || skip < 0)
				return usage(), 2;
		} else {
			return usage(), 2;
		}
	}
	if (wav_read(argv[0], &ref))
		return 2;
	if (wav_read(argv[1], &rec))
		goto out_ref;
	if (ref.channels != rec.channels || ref.rate != rec.rate) {
		fprintf(stderr, "wavcmp: format differs: ref %d ch %d Hz, rec %d ch %d Hz\n",
			ref.channels, ref.rate, rec.channels, rec.rate);
		goto out_rec;
	}
	printf("ref_frames=%" PRId64 " rec_frames=%" PRId64 " channels=%d rate=%d\n",
	       ref.frames, rec.frames, ref.channels, ref.rate);

	/* Alignment: REF's first window, or a later one if the head was lost. */
	for (head = 0; head < ref.frames && head < HEAD_SEARCH; head += MATCH_WINDOW) {
		j = find_in_rec(&ref, head, &rec, skip, rec.frames);
		if (j >= 0) {
			off = j - head;
			found = true;
			break;
		}
	}
	if (!found) {
		printf("offset=none\nresult=FAIL: the reference signal does not occur in the recording "
		       "(%s); wrong gain or not this signal\n",
		       rec.frames ? "recording not silent" : "recording empty");
		rc = 1;
		goto out_rec;
	}
	printf("offset=%" PRId64 " head_lost=%" PRId64 "\n", off, head);
	c.lost = head;
	cmp_walk(&ref, &rec, head, off, &c);

	printf("compared=%" PRId64 " matched=%" PRId64 " lost=%" PRId64 " repeated=%" PRId64
	       " inserted=%" PRId64 " corrupt=%" PRId64 " missing_tail=%" PRId64 "\n",
	       ref.frames, c.matched, c.lost, c.repeated, c.inserted, c.corrupt, c.missing_tail);
	if (c.first_mismatch >= 0)
		printf("first_mismatch=ref:%" PRId64 " rec:%" PRId64 " (%.3f s into the reference)\n",
		       c.first_mismatch, c.first_mismatch_rec, (double)c.first_mismatch / ref.rate);
	else
		printf("first_mismatch=none\n");

	if (c.matched == ref.frames && c.first_mismatch < 0 && head == 0 && !c.missing_tail) {
		printf("result=bit-exact: all %" PRId64 " frames match at offset %" PRId64 "\n",
		       c.matched, off);
		rc = 0;
	} else if (allow_truncated && c.first_mismatch < 0 && head == 0 && c.matched > 0) {
		printf("result=bit-exact-prefix: the first %" PRId64 " of %" PRId64
		       " frames match at offset %" PRId64 ", then the recording ends\n",
		       c.matched, ref.frames, off);
		rc = 0;
	} else {
		printf("result=FAIL: %" PRId64 " of %" PRId64 " frames match\n", c.matched, ref.frames);
		rc = 1;
	}
out_rec:
	wav_free(&rec);
out_ref:
	wav_free(&ref);
	return rc;
}

static double rms_db(const struct wav *w, int64_t from, int64_t to)
{
	double acc = 0.0;
	int64_t k;

	for (k = from * w->channels; k < to * w->channels; k++)
		acc += (double)w->s[k] * w->s[k];
	if (to <= from || acc == 0.0)
		return -INFINITY;
	return 10.0 * log10(acc / (double)((to - from) * w->channels) / (32768.0 * 32768.0));
}

static bool frame_zero(const struct wav *w, int64_t i)
{
	int c;

	for (c = 0; c < w->channels; c++)
		if (w->s[i * w->channels + c])
			return false;
	return true;
}

static int cmd_gain(int argc, char **argv)
{
	double expect = NAN, tol = 0.05, ref_db, rec_db, gain;
	struct wav ref, rec;
	long skip = 0;
	int64_t a, b;
	int rc = 2, k;

	if (argc < 2)
		return usage(), 2;
	for (k = 2; k < argc; k++) {
		if (!strcmp(argv[k], "--expect") && k + 1 < argc) {
			if (parse_double(argv[++k], &expect))
				return usage(), 2;
		} else if (!strcmp(argv[k], "--tol") && k + 1 < argc) {
			if (parse_double(argv[++k], &tol))
				return usage(), 2;
		} else if (!strcmp(argv[k], "--skip") && k + 1 < argc) {
			if (parse_long(argv[++k], &skip) || skip < 0)
				return usage(), 2;
		} else {
			return usage(), 2;
		}
	}
	if (wav_read(argv[0], &ref))
		return 2;
	if (wav_read(argv[1], &rec))
		goto out_ref;
	for (a = skip < rec.frames ? skip : rec.frames; a < rec.frames && frame_zero(&rec, a); a++)
		;
	/* the stream ends where GAP_FRAMES zero frames in a row begin */
	for (b = a, k = 0; b < rec.frames && k < GAP_FRAMES; b++)
		k = frame_zero(&rec, b) ? k + 1 : 0;
	b -= k;
	ref_db = rms_db(&ref, 0, ref.frames);
	rec_db = rms_db(&rec, a, b);
	gain = rec_db - ref_db;
	printf("ref_rms_dbfs=%.3f rec_rms_dbfs=%.3f rec_active_frames=%" PRId64 " gain_db=%.3f\n",
	       ref_db, rec_db, b - a, gain);
	rc = 0;
	if (!isnan(expect)) {
		if (fabs(gain - expect) <= tol) {
			printf("result=ok: gain %.3f dB, expected %.3f +- %.3f dB\n", gain, expect, tol);
		} else {
			printf("result=FAIL: gain %.3f dB, expected %.3f +- %.3f dB\n", gain, expect, tol);
			rc = 1;
		}
	}
	wav_free(&rec);
out_ref:
	wav_free(&ref);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 2;
	}
	if (!strcmp(argv[1], "gen"))
		return cmd_gen(argc - 2, argv + 2);
	if (!strcmp(argv[1], "cmp"))
		return cmd_cmp(argc - 2, argv + 2);
	if (!strcmp(argv[1], "gain"))
		return cmd_gain(argc - 2, argv + 2);
	usage();
	return 2;
}
