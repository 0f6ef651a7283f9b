/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mmapclient: plays or records a raw S16_LE file through alsa-lib's mmap
 * interface the way PipeWire and JACK do, with every commit pattern
 * alsa-lib allows, so the plugin's position bookkeeping is tested on what
 * arrives (issue 14, item 1):
 *
 *   mmapclient play|rec PCM CHANNELS RATE FILE FRAMES PATTERN
 *
 * PATTERN (a pseudo-random sequence, the same every run):
 *   full     commit everything mmap_begin offers
 *   partial  commit 0..offered frames (zero included)
 *   twice    partial, and call mmap_begin a second time before committing
 *   rewind   (play) partial, and rewind a part of what was committed now and
 *            then, writing it again
 * The buffer is 9600 frames in periods of 960, so alsa-lib's offsets wrap
 * at a point that is not the plugin's (power-of-two) ring size.
 * rec writes FRAMES frames to FILE; play reads FILE.  Prints one line with
 * the counts; exits 1 on any error or xrun.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <alsa/asoundlib.h>

static unsigned long lcg = 12345;

static unsigned long next_rand(void)
{
	lcg = lcg * 1103515245ul + 12345ul;
	return (lcg >> 8) & 0xffffff;
}

static snd_pcm_t *open_pcm(const char *name, snd_pcm_stream_t dir, unsigned ch, unsigned rate)
{
	snd_pcm_t *pcm;
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t buffer = 9600, period = 960;
	int err;

	if ((err = snd_pcm_open(&pcm, name, dir, 0)) < 0) {
		fprintf(stderr, "mmapclient: open %s: %s\n", name, snd_strerror(err));
		exit(1);
	}
	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_hw_params_any(pcm, hw);
	if ((err = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_MMAP_INTERLEAVED)) < 0 ||
	    (err = snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE)) < 0 ||
	    (err = snd_pcm_hw_params_set_channels(pcm, hw, ch)) < 0 ||
	    (err = snd_pcm_hw_params_set_rate(pcm, hw, rate, 0)) < 0 ||
	    (err = snd_pcm_hw_params_set_period_size(pcm, hw, period, 0)) < 0 ||
	    (err = snd_pcm_hw_params_set_buffer_size(pcm, hw, buffer)) < 0 ||
	    (err = snd_pcm_hw_params(pcm, hw)) < 0) {
		fprintf(stderr, "mmapclient: hw_params: %s\n", snd_strerror(err));
		exit(1);
	}
	snd_pcm_sw_params_alloca(&sw);
	snd_pcm_sw_params_current(pcm, sw);
	snd_pcm_sw_params_set_start_threshold(pcm, sw, dir == SND_PCM_STREAM_PLAYBACK ? buffer / 2 : 1);
	snd_pcm_sw_params_set_avail_min(pcm, sw, period);
	if ((err = snd_pcm_sw_params(pcm, sw)) < 0) {
		fprintf(stderr, "mmapclient: sw_params: %s\n", snd_strerror(err));
		exit(1);
	}
	return pcm;
}

static void die(const char *what, long err)
{
	fprintf(stderr, "mmapclient: %s: %s\n", what, snd_strerror((int)err));
	exit(1);
}

/* How many of the `offered` frames to commit this time. */
static snd_pcm_uframes_t choose(const char *pattern, snd_pcm_uframes_t offered)
{
	if (!strcmp(pattern, "full"))
		return offered;
	return next_rand() % (offered + 1);
}

int main(int argc, char **argv)
{
	const char *pattern;
	snd_pcm_t *pcm;
	unsigned ch, rate, fb;
	unsigned long long total, done = 0, commits = 0, zero = 0, twice = 0, rewound = 0;
	unsigned char *data;
	bool play;
	FILE *f;

	if (argc != 8) {
		fprintf(stderr, "usage: mmapclient play|rec PCM CHANNELS RATE FILE FRAMES full|partial|twice|rewind\n");
		return 2;
	}
	play = !strcmp(argv[1], "play");
	ch = (unsigned)atoi(argv[3]);
	rate = (unsigned)atoi(argv[4]);
	total = strtoull(argv[6], NULL, 10);
	pattern = argv[7];
	fb = 2 * ch;
	data = calloc(total, fb);
	if (!data)
		return 1;
	if (play) {
		f = fopen(argv[5], "rb");
		if (!f || fread(data, fb, total, f) != total) {
			fprintf(stderr, "mmapclient: cannot read %llu frames from %s\n", total, argv[5]);
			return 1;
		}
		fclose(f);
	}
	pcm = open_pcm(argv[2], play ? SND_PCM_STREAM_PLAYBACK : SND_PCM_STREAM_CAPTURE, ch, rate);
	if (!play && snd_pcm_start(pcm) < 0)
		die("start", -EIO);
	while (done < total) {
		const snd_pcm_channel_area_t *areas;
		snd_pcm_uframes_t off, frames, off2, frames2, k;
		snd_pcm_sframes_t avail = snd_pcm_avail_update(pcm), r;
		unsigned char *ring;

		if (avail < 0)
			die(avail == -EPIPE ? "xrun" : "avail_update", avail);
		if ((snd_pcm_uframes_t)avail < 64 && !(play && snd_pcm_state(pcm) == SND_PCM_STATE_PREPARED)) {
			if ((r = snd_pcm_wait(pcm, 1000)) < 0)
				die("wait", r);
			continue;
		}
		frames = (snd_pcm_uframes_t)avail;
		if ((r = snd_pcm_mmap_begin(pcm, &areas, &off, &frames)) < 0)
			die("mmap_begin", r);
		if (!strcmp(pattern, "twice")) {
			frames2 = (snd_pcm_uframes_t)avail;
			if ((r = snd_pcm_mmap_begin(pcm, &areas, &off2, &frames2)) < 0)
				die("second mmap_begin", r);
			if (off2 != off) {
				fprintf(stderr, "mmapclient: second mmap_begin moved the offset %lu -> %lu\n",
					(unsigned long)off, (unsigned long)off2);
				return 1;
			}
			twice++;
		}
		k = choose(pattern, frames);
		if (k > total - done)
			k = total - done;
		ring = (unsigned char *)areas[0].addr + (areas[0].first + areas[0].step * off) / 8;
		if (play)
			memcpy(ring, data + done * fb, k * fb);
		else
			memcpy(data + done * fb, ring, k * fb);
		r = snd_pcm_mmap_commit(pcm, off, k);
		if (r < 0 || (snd_pcm_uframes_t)r != k)
			die("mmap_commit", r < 0 ? r : -EIO);
		commits++;
		zero += !k;
		done += k;
		if (play && !strcmp(pattern, "rewind") && k && next_rand() % 4 == 0) {
			snd_pcm_sframes_t n = snd_pcm_rewindable(pcm);

			if (n > (snd_pcm_sframes_t)k)
				n = (snd_pcm_sframes_t)k;
			if (n > 0 && (n = snd_pcm_rewind(pcm, (snd_pcm_uframes_t)n)) > 0) {
				done -= (unsigned long long)n;	/* written again below */
				rewound += (unsigned long long)n;
			}
		}
		if (play && snd_pcm_state(pcm) == SND_PCM_STATE_PREPARED &&
		    snd_pcm_avail_update(pcm) <= 9600 / 2 && (r = snd_pcm_start(pcm)) < 0)
			die("start", r);
	}
	if (play) {
		if (snd_pcm_state(pcm) == SND_PCM_STATE_PREPARED)
			snd_pcm_start(pcm);
		snd_pcm_drain(pcm);
	} else {
		f = fopen(argv[5], "wb");
		if (!f || fwrite(data, fb, total, f) != total || fclose(f))
			return 1;
	}
	snd_pcm_close(pcm);
	printf("%s %s: %llu frames in %llu commits (%llu of zero, %llu double begins, %llu frames rewound)\n",
	       argv[1], pattern, total, commits, zero, twice, rewound);
	free(data);
	return 0;
}
