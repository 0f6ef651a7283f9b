/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uacd-dsp: run a dsp.yml over a sound file with exactly the chain code the
 * daemon runs (libuacdsp), or check a config and print the compiled
 * pipeline.  Files go through libsndfile as float; the chain is fed in
 * blocks of --chunk frames (default devices.chunksize), which is how the
 * RT thread calls it too.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/uacdsp.h"

#define DESCRIBE_MAX	(1u << 20)

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: uacd-dsp --config FILE [OPTIONS] IN OUT\n"
		"       uacd-dsp --check FILE [--rate HZ] [--chunk FRAMES]\n"
		"Run a uacd DSP config (CamillaDSP vocabulary) over a sound file.\n\n"
		"  -c, --config FILE   the DSP config (dsp.yml)\n"
		"  -C, --check FILE    validate FILE, print notes and the compiled pipeline\n"
		"  -r, --rate HZ       sample rate to build the chain for (default: the\n"
		"                      input file's rate, or devices.samplerate)\n"
		"  -k, --chunk FRAMES  block size and Conv partition size (default:\n"
		"                      devices.chunksize)\n"
		"  -v, --volume DB     the volume Volume/Loudness filters follow (default 0)\n"
		"  -f, --float         write 32-bit float output (default: input's format)\n"
		"  -h, --help          this text\n"
		"  -V, --version       print the version\n");
}

static int parse_uint(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (end == s || *end || errno || v > UINT_MAX || s[0] == '-')
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int describe(const struct uacdsp_chain *chain)
{
	char *buf = malloc(DESCRIBE_MAX);
	int n;

	if (!buf)
		return -ENOMEM;
	n = uacdsp_chain_describe(chain, buf, DESCRIBE_MAX);
	if (n >= 0)
		fputs(buf, stdout);
	free(buf);
	return n < 0 ? n : 0;
}

static int run(struct uacdsp_chain *chain, SNDFILE *in, SNDFILE *out, unsigned chunk)
{
	unsigned inch = uacdsp_chain_in_channels(chain);
	unsigned outch = uacdsp_chain_out_channels(chain);
	unsigned maxch = uacdsp_chain_max_channels(chain);
	float *inter = malloc((size_t)chunk * (inch > outch ? inch : outch) * sizeof(float));
	float *planes = malloc((size_t)chunk * maxch * sizeof(float));
	float **bufs = calloc(maxch, sizeof(float *));
	int ret = 0;
	unsigned c;

	if (!inter || !planes || !bufs) {
		ret = -ENOMEM;
		goto out;
	}
	for (c = 0; c < maxch; c++)
		bufs[c] = planes + (size_t)c * chunk;
	for (;;) {
		sf_count_t n = sf_readf_float(in, inter, chunk);
		sf_count_t i;

		if (n <= 0)
			break;
		for (c = 0; c < inch; c++)
			for (i = 0; i < n; i++)
				bufs[c][i] = inter[i * inch + c];
		uacdsp_chain_process(chain, bufs, (unsigned)n);
		for (c = 0; c < outch; c++)
			for (i = 0; i < n; i++)
				inter[i * outch + c] = bufs[c][i];
		if (sf_writef_float(out, inter, n) != n) {
			fprintf(stderr, "uacd-dsp: write error: %s\n", sf_strerror(out));
			ret = -EIO;
			break;
		}
	}
out:
	free(inter);
	free(planes);
	free(bufs);
	return ret;
}

struct args {
	const char *cfgpath;
	unsigned rate, chunk;
	bool check, force_float;
	float volume;
};

/* The options into *a: -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", required_argument, NULL, 'C' },
		{ "rate", required_argument, NULL, 'r' },
		{ "chunk", required_argument, NULL, 'k' },
		{ "volume", required_argument, NULL, 'v' },
		{ "float", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:C:r:k:v:fhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			a->cfgpath = optarg;
			break;
		case 'C':
			a->cfgpath = optarg;
			a->check = true;
			break;
		case 'r':
			if (parse_uint(optarg, &a->rate) < 0 || a->rate == 0) {
				fprintf(stderr, "uacd-dsp: --a->rate: not a a->rate: '%s'\n", optarg);
				return 2;
			}
			break;
		case 'k':
			if (parse_uint(optarg, &a->chunk) < 0 || a->chunk == 0 || a->chunk > 65536) {
				fprintf(stderr, "uacd-dsp: --a->chunk: must be 1..65536, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'v': {
			char *end;

			a->volume = strtof(optarg, &end);
			if (end == optarg || *end) {
				fprintf(stderr, "uacd-dsp: --a->volume: not a number: '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'f':
			a->force_float = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("uacd-dsp %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!a->cfgpath || (a->check && optind != argc) || (!a->check && optind + 2 != argc)) {
		usage(stderr);
		return 2;
	}

	return -1;
}

int main(int argc, char **argv)
{
	const char *inpath, *outpath;
	struct args args = { 0 };
	struct uacdsp_config *cfg = NULL;
	struct uacdsp_chain *chain = NULL;
	SF_INFO iinfo = { 0 }, oinfo = { 0 };
	SNDFILE *in = NULL, *out = NULL;
	const char *cfgpath;
	unsigned rate, chunk;
	bool check, force_float;
	float volume;
	char err[1024];
	int ret;

	ret = parse_args(argc, argv, &args);
	if (ret >= 0)
		return ret;
	cfgpath = args.cfgpath;
	rate = args.rate;
	chunk = args.chunk;
	check = args.check;
	force_float = args.force_float;
	volume = args.volume;

	ret = uacdsp_config_load(cfgpath, &cfg, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "uacd-dsp: %s\n", err);
		return 1;
	}
	fputs(uacdsp_config_notes(cfg), stderr);
	if (chunk)
		uacdsp_config_set_chunksize(cfg, chunk);
	chunk = uacdsp_config_chunksize(cfg);

	if (check) {
		ret = uacdsp_chain_new(cfg, rate, chunk, &chain, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "uacd-dsp: %s\n", err);
			uacdsp_config_free(cfg);
			return 1;
		}
		printf("%s: OK\n", cfgpath);
		ret = describe(chain);
		uacdsp_chain_free(chain);
		uacdsp_config_free(cfg);
		return ret < 0 ? 1 : 0;
	}

	inpath = argv[optind];
	outpath = argv[optind + 1];
	in = sf_open(inpath, SFM_READ, &iinfo);
	if (!in) {
		fprintf(stderr, "uacd-dsp: %s: %s\n", inpath, sf_strerror(NULL));
		ret = -EINVAL;
		goto out;
	}
	if (rate && (unsigned)iinfo.samplerate != rate) {
		fprintf(stderr, "uacd-dsp: %s is %d Hz but --rate is %u (uacd-dsp does not "
			"resample)\n", inpath, iinfo.samplerate, rate);
		ret = -EINVAL;
		goto out;
	}
	rate = (unsigned)iinfo.samplerate;
	ret = uacdsp_chain_new(cfg, rate, chunk, &chain, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "uacd-dsp: %s\n", err);
		goto out;
	}
	if ((unsigned)iinfo.channels != uacdsp_chain_in_channels(chain)) {
		fprintf(stderr, "uacd-dsp: %s has %d channels but the config's capture has %u\n",
			inpath, iinfo.channels, uacdsp_chain_in_channels(chain));
		ret = -EINVAL;
		goto out;
	}
	uacdsp_chain_set_volume(chain, volume);
	oinfo.samplerate = iinfo.samplerate;
	oinfo.channels = (int)uacdsp_chain_out_channels(chain);
	oinfo.format = force_float ? (iinfo.format & SF_FORMAT_TYPEMASK) | SF_FORMAT_FLOAT :
		       iinfo.format;
	if (!sf_format_check(&oinfo))
		oinfo.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
	out = sf_open(outpath, SFM_WRITE, &oinfo);
	if (!out) {
		fprintf(stderr, "uacd-dsp: %s: %s\n", outpath, sf_strerror(NULL));
		ret = -EIO;
		goto out;
	}
	/* float output must not be clipped or normalised by libsndfile */
	sf_command(out, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
	sf_command(out, SFC_SET_CLIPPING, NULL, SF_TRUE);
	ret = run(chain, in, out, chunk);
out:
	if (out)
		sf_close(out);
	if (in)
		sf_close(in);
	uacdsp_chain_free(chain);
	uacdsp_config_free(cfg);
	return ret < 0 ? 1 : 0;
}
