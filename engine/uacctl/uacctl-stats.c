/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uacctl status and uacctl stats: what the running daemon is doing.
 *
 * Human `status` prints the daemon's own text (STATUS), which includes
 * what each transport has to say.  Everything machine-readable, and the
 * live meters of `stats`, come from the structured STATS reply instead, so
 * uacctl never parses human text: one STATS request per device, the
 * device list from LIST (whose lines are tab-separated, a machine format).
 *
 * stats: one refresh, or with --watch/--count a refresh every --interval
 * seconds.  On a terminal each refresh redraws the screen (cursor home,
 * clear); otherwise each refresh is a block of lines ending in an empty
 * line, or with --json one JSON object per line, so that a script or a
 * test can read them.  The CPU share of each device's RT thread is
 * measured by the daemon between two STATS requests, i.e. over the
 * refresh interval.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uacd/protocol.h>

#include "engine/core/format-name.h"
#include "engine/uacctl/uacctl.h"

#define MAX_DEVICES 16
#define INTERVAL_MAX_S 3600.0

struct dev_list {
	char name[MAX_DEVICES][UACD_NAME_MAX];
	unsigned n;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Names of the devices uacd serves, from LIST ("NAME\t..." per line). */
static int list_devices(struct dev_list *l, char *err, size_t errlen)
{
	struct uacd_msg_hdr req = { .type = UACD_MSG_LIST, .seq = 1, .size = sizeof(req) };
	struct uacd_text *rep = calloc(1, sizeof(*rep));
	char *line, *save = NULL;
	int n, ret;

	if (!rep)
		return -ENOMEM;
	l->n = 0;
	n = uacctl_call(&req, sizeof(req), rep, sizeof(*rep) - 1);
	if (n < 0) {
		free(rep);
		return n;
	}
	((char *)rep)[n] = '\0';
	ret = rep->hdr.result;
	if (ret < 0) {
		snprintf(err, errlen, "%.200s", rep->text[0] ? rep->text : strerror(-ret));
		free(rep);
		return ret;
	}
	for (line = strtok_r(rep->text, "\n", &save); line && l->n < MAX_DEVICES;
	     line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\t")] = '\0';
		snprintf(l->name[l->n++], UACD_NAME_MAX, "%s", line);
	}
	free(rep);
	return 0;
}

/* STATS for one device into r (UACD_STATS_REPLY_MAX bytes). */
static int get_stats(const char *device, struct uacd_stats_reply *r, char *err, size_t errlen)
{
	struct uacd_device_req req;
	int n;

	memset(&req, 0, sizeof(req));
	req.hdr.type = UACD_MSG_STATS;
	req.hdr.seq = 1;
	req.hdr.size = sizeof(req);
	snprintf(req.device, sizeof(req.device), "%s", device);
	memset(r, 0, UACD_STATS_REPLY_MAX);
	n = uacctl_call(&req, sizeof(req), r, UACD_STATS_REPLY_MAX);
	if (n < 0)
		return n;
	if (r->hdr.result < 0) {
		const struct uacd_text *t = (const struct uacd_text *)r;

		snprintf(err, errlen, "%.*s", (int)((size_t)n - sizeof(t->hdr)), t->text);
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(-r->hdr.result));
		return r->hdr.result;
	}
	/* A daemon from before STATS answers -ENOSYS above; a shorter reply is a bug. */
	if ((size_t)n < sizeof(*r) || r->size < sizeof(*r) || r->stream_size < sizeof(struct uacd_stats_stream) ||
	    (size_t)n < r->size + (size_t)r->n_streams * r->stream_size) {
		snprintf(err, errlen, "malformed STATS reply (%d bytes)", n);
		return -EPROTO;
	}
	return 0;
}

static const struct uacd_stats_stream *stream_at(const struct uacd_stats_reply *r, unsigned i)
{
	return (const struct uacd_stats_stream *)((const char *)r + r->size + (size_t)i * r->stream_size);
}

static const char *client_state_name(uint32_t st)
{
	switch (st) {
	case UACD_CS_STOPPED: return "stopped";
	case UACD_CS_RUNNING: return "running";
	case UACD_CS_DRAINING: return "draining";
	case UACD_CS_PAUSED: return "paused";
	default: return "unknown";
	}
}

static double feedback_hz(const struct uacd_stats_reply *r)
{
	return r->packet_us ? r->feedback_q16 / 65536.0 * 1e6 / r->packet_us : 0.0;
}

static uint64_t frames_us(uint64_t frames, uint32_t rate)
{
	return rate ? frames * 1000000u / rate : 0;
}

static void json_device(FILE *f, const struct uacd_stats_reply *r)
{
	unsigned i;

	fprintf(f, "{\"name\":");
	uacctl_json_string(f, r->device);
	fprintf(f, ",\"kind\":");
	uacctl_json_string(f, r->kind);
	fprintf(f, ",\"state\":\"%s\",\"format\":\"%s\",\"rate\":%u,\"playback_channels\":%u,"
		"\"capture_channels\":%u,\"rt_policy\":\"%s\",\"rt_priority\":%d,",
		r->state == UACD_DEV_RUNNING ? "running" : "idle", uacd_format_name(r->format), r->rate,
		r->playback_channels, r->capture_channels, r->rt_priority > 0 ? "SCHED_FIFO" : "SCHED_OTHER",
		r->rt_priority);
	if (r->feedback_q16)
		fprintf(f, "\"feedback\":{\"frames_per_packet\":%.4f,\"packet_us\":%u,\"rate_hz\":%.2f},",
			r->feedback_q16 / 65536.0, r->packet_us, feedback_hz(r));
	else
		fprintf(f, "\"feedback\":null,");
	fprintf(f, "\"latency_frames\":%u,\"latency_us\":%llu,\"cycles\":%llu,\"playback_frames\":%llu,"
		"\"capture_frames\":%llu,\"xruns\":%llu,\"rejected_clients\":%llu,\"cycle_us_max\":%llu,"
		"\"cycle_us_avg\":%llu,\"cpu_percent\":%.2f,\"cpu_ns\":%llu,",
		r->latency_frames, (unsigned long long)frames_us(r->latency_frames, r->rate),
		(unsigned long long)r->cycles, (unsigned long long)r->playback_frames,
		(unsigned long long)r->capture_frames, (unsigned long long)r->xruns,
		(unsigned long long)r->bad_clients, (unsigned long long)r->cycle_ns_max / 1000,
		(unsigned long long)r->cycle_ns_avg / 1000, r->cpu_permille / 10.0,
		(unsigned long long)r->cpu_ns);
	if (r->wake_measured)
		fprintf(f, "\"wake_late_us_max\":%llu,\"late_cycles\":%llu,",
			(unsigned long long)r->wake_late_ns_max / 1000, (unsigned long long)r->late_cycles);
	else
		fprintf(f, "\"wake_late_us_max\":null,\"late_cycles\":null,");
	fprintf(f, "\"streams_total\":%u,\"streams\":[", r->n_streams_total);
	for (i = 0; i < r->n_streams; i++) {
		const struct uacd_stats_stream *s = stream_at(r, i);

		fprintf(f, "%s{\"id\":%u,\"direction\":\"%s\",\"format\":\"%s\",\"channels\":%u,"
			"\"buffer_frames\":%u,\"period_frames\":%u,\"state\":\"%s\",\"frames\":%llu,"
			"\"xruns\":%u,\"latency_frames\":%u,\"latency_us\":%llu,\"error\":%d,\"client\":",
			i ? "," : "", s->id, s->direction == UACD_DIR_CAPTURE ? "capture" : "playback",
			uacd_format_name(s->format), s->channels, s->buffer_frames, s->period_frames,
			client_state_name(s->client_state), (unsigned long long)s->frames, s->xruns,
			s->latency_frames, (unsigned long long)frames_us(s->latency_frames, r->rate), s->error);
		uacctl_json_string(f, s->client);
		fprintf(f, ",\"pid\":%d}", s->pid);
	}
	fprintf(f, "]}");
}
/* For text output: names (a stream's is its client's choice) cannot drive the terminal. */
static void clean_names(struct uacd_stats_reply *r)
{
	unsigned i;

	uacctl_clean_field(r->device, sizeof(r->device));
	uacctl_clean_field(r->kind, sizeof(r->kind));
	for (i = 0; i < r->n_streams; i++)
		uacctl_clean_field(((struct uacd_stats_stream *)stream_at(r, i))->client,
				   sizeof(((struct uacd_stats_stream *)0)->client));
}

static void human_device(FILE *f, const struct uacd_stats_reply *r)
{
	unsigned i;

	fprintf(f, "%s (%s): %s, %s %u Hz, rt %s priority %d, cpu %.1f%%\n", r->device, r->kind,
		r->state == UACD_DEV_RUNNING ? "running" : "idle", uacd_format_name(r->format), r->rate,
		r->rt_priority > 0 ? "SCHED_FIFO" : "SCHED_OTHER", r->rt_priority, r->cpu_permille / 10.0);
	if (r->feedback_q16)
		fprintf(f, "  feedback %.4f frames/packet (%.2f Hz), latency to the DAC %u frames (%.2f ms)\n",
			r->feedback_q16 / 65536.0, feedback_hz(r), r->latency_frames,
			r->rate ? r->latency_frames * 1000.0 / r->rate : 0.0);
	else
		fprintf(f, "  feedback none, latency to the DAC %u frames (%.2f ms)\n", r->latency_frames,
			r->rate ? r->latency_frames * 1000.0 / r->rate : 0.0);
	fprintf(f, "  frames playback %llu capture %llu, xruns %llu, cycles %llu, cycle avg %llu us max %llu us\n",
		(unsigned long long)r->playback_frames, (unsigned long long)r->capture_frames,
		(unsigned long long)r->xruns, (unsigned long long)r->cycles,
		(unsigned long long)r->cycle_ns_avg / 1000, (unsigned long long)r->cycle_ns_max / 1000);
	if (r->wake_measured)
		fprintf(f, "  scheduling: max wake-up delay %llu us, %llu cycles began over 1 ms late\n",
			(unsigned long long)r->wake_late_ns_max / 1000, (unsigned long long)r->late_cycles);
	for (i = 0; i < r->n_streams; i++) {
		const struct uacd_stats_stream *s = stream_at(r, i);

		fprintf(f, "  stream %u %s %s (pid %d): %s, frames %llu, xruns %u, latency %u frames (%.2f ms)\n",
			s->id, s->direction == UACD_DIR_CAPTURE ? "capture" : "playback", s->client, s->pid,
			s->error ? "ended" : client_state_name(s->client_state), (unsigned long long)s->frames,
			s->xruns, s->latency_frames, r->rate ? s->latency_frames * 1000.0 / r->rate : 0.0);
	}
	if (r->n_streams < r->n_streams_total)
		fprintf(f, "  (%u more streams)\n", r->n_streams_total - r->n_streams);
}

/*
 * One refresh over the devices: {"devices":[...]} (json) or a block of
 * lines per device.  Every device is asked first, so a failure prints
 * nothing but the error.  0 or an exit status.
 */
static int refresh(const struct dev_list *l, bool json, const char *what)
{
	char err[UACD_ERRTEXT_MAX] = "", *buf = malloc(UACD_STATS_REPLY_MAX * MAX_DEVICES);
	unsigned i;
	int ret = 0;

	if (!buf)
		return EXIT_FAILED;
	for (i = 0; i < l->n && ret == 0; i++)
		ret = get_stats(l->name[i], (struct uacd_stats_reply *)(buf + i * UACD_STATS_REPLY_MAX),
				err, sizeof(err));
	if (ret < 0) {
		free(buf);
		return uacctl_fail(what, ret, err);
	}
	if (json)
		printf("{\"devices\":[");
	for (i = 0; i < l->n; i++) {
		const struct uacd_stats_reply *r = (const struct uacd_stats_reply *)(buf + i * UACD_STATS_REPLY_MAX);

		if (json) {
			if (i)
				putchar(',');
			json_device(stdout, r);
		} else {
			clean_names((struct uacd_stats_reply *)(buf + i * UACD_STATS_REPLY_MAX));
			human_device(stdout, r);
		}
	}
	if (json)
		printf("]}\n");
	free(buf);
	return 0;
}

/* The devices to show: one by name, or all that uacd serves. */
static int pick_devices(const char *device, struct dev_list *l, const char *what)
{
	char err[UACD_ERRTEXT_MAX] = "";
	int ret;

	if (device) {
		l->n = 1;
		snprintf(l->name[0], UACD_NAME_MAX, "%s", device);
		return 0;
	}
	ret = list_devices(l, err, sizeof(err));
	if (ret < 0)
		return uacctl_fail(what, ret, err);
	return 0;
}

/* status [DEVICE]: the daemon's text, or with --json the STATS of each device. */
int uacctl_status(int argc, char **argv)
{
	struct uacd_device_req req;
	struct uacd_text *rep;
	struct dev_list l;
	int n, ret;

	if (argc > 1) {
		fprintf(stderr, "uacctl: status: expected [DEVICE]\n");
		return EXIT_USAGE;
	}
	if (uacctl_json) {
		ret = pick_devices(argc ? argv[0] : NULL, &l, "status");
		return ret ? ret : refresh(&l, true, "status");
	}
	memset(&req, 0, sizeof(req));
	req.hdr.type = UACD_MSG_STATUS;
	req.hdr.seq = 1;
	req.hdr.size = sizeof(req);
	snprintf(req.device, sizeof(req.device), "%s", argc ? argv[0] : "");
	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return EXIT_FAILED;
	n = uacctl_call(&req, sizeof(req), rep, sizeof(*rep) - 1);
	if (n < 0) {
		free(rep);
		return uacctl_fail("status", n, "");
	}
	((char *)rep)[n] = '\0';
	if (rep->hdr.result < 0) {
		ret = uacctl_fail("status", rep->hdr.result, rep->text);
		free(rep);
		return ret;
	}
	/* the stream lines carry client names, which clients chose */
	uacctl_clean_text(rep->text);
	n = (int)strlen(rep->text);
	printf("%s%s", rep->text, n && rep->text[n - 1] != '\n' ? "\n" : "");
	free(rep);
	return 0;
}

static int parse_positive(const char *opt, const char *v, double max, double *out)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (end == v || *end || errno || !(x > 0.0) || x > max) {
		fprintf(stderr, "uacctl: stats: %s %s: expected a number above 0 and at most %g\n", opt, v, max);
		return EXIT_USAGE;
	}
	*out = x;
	return 0;
}

/* stats [DEVICE] [--watch] [--interval S] [--count N] [--json] */
int uacctl_stats(int argc, char **argv)
{
	const char *device = NULL;
	double interval = 1.0, count = 0.0;
	bool watch = false, tty;
	struct sigaction sa;
	struct dev_list l;
	unsigned long k, limit;
	int i, ret;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = NULL;

		if (!strcmp(a, "--watch") || !strcmp(a, "-w")) {
			watch = true;
		} else if (!strcmp(a, "--json")) {
			uacctl_json = 1;
		} else if (!strcmp(a, "--interval") || !strcmp(a, "--count") ||
			   !strncmp(a, "--interval=", 11) || !strncmp(a, "--count=", 8)) {
			bool is_count = !strncmp(a, "--count", 7);

			v = strchr(a, '=');
			if (v) {
				v++;
			} else if (i + 1 < argc) {
				v = argv[++i];
			} else {
				fprintf(stderr, "uacctl: stats: %s needs a value\n", a);
				return EXIT_USAGE;
			}
			ret = is_count ? parse_positive("--count", v, 1e9, &count) :
			      parse_positive("--interval", v, INTERVAL_MAX_S, &interval);
			if (ret)
				return ret;
			if (is_count && count != floor(count)) {
				fprintf(stderr, "uacctl: stats: --count %s: expected a whole number\n", v);
				return EXIT_USAGE;
			}
		} else if (a[0] == '-' || device) {
			fprintf(stderr, "uacctl: stats: unexpected '%s' (stats [DEVICE] [--watch] "
				"[--interval S] [--count N])\n", a);
			return EXIT_USAGE;
		} else {
			device = a;
		}
	}
	/* Plain stats: one refresh; --watch: until interrupted; --count N: N refreshes. */
	limit = count > 0 ? (unsigned long)count : watch ? 0 : 1;
	ret = pick_devices(device, &l, "stats");
	if (ret)
		return ret;
	tty = !uacctl_json && isatty(STDOUT_FILENO);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (k = 0; !interrupted && (!limit || k < limit); k++) {
		struct timespec ts;

		if (k) {
			ts.tv_sec = (time_t)interval;
			ts.tv_nsec = (long)((interval - (double)ts.tv_sec) * 1e9);
			while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !interrupted)
				;
			if (interrupted)
				break;
		}
		if (tty)
			fputs("\033[H\033[J", stdout);
		ret = refresh(&l, uacctl_json, "stats");
		if (ret)
			return ret;
		if (!uacctl_json && !tty)
			putchar('\n');
		fflush(stdout);
	}
	return 0;
}
