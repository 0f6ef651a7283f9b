/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uacctl: the control CLI.  Talks to uacd over its socket for everything
 * that concerns the running daemon; `describe` and `policy` work offline on
 * files.  See uacctl(1).
 *
 * Exit status: 0 success, 1 the daemon said no / failed, 2 usage error,
 * 3 cannot reach uacd, 4 the policy denied it (uacctl.h).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uacd/protocol.h>

#include "engine/client/uacd-client.h"
#include "engine/uacctl/uacctl.h"
#include "engine/usb/usb-describe.h"
#include "engine/usb/usb-read.h"
#include "entitlement-policy/uacpol.h"

const char *uacctl_socket_path;
int uacctl_json;
int uacctl_timeout_ms = UACD_CLIENT_TIMEOUT_MS;
/* Why the last request never got through (UACCTL_ENOCONN), for --json. */
static char conn_error[384];

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: uacctl [--socket PATH] [--timeout MS] [--json] COMMAND [ARGS]\n"
		"Control and inspect uacd, the user-space USB audio driver.\n"
		"\n"
		"Commands:\n"
		"  devices                 list devices with format, rate, channels, streams\n"
		"  status [DEVICE]         per device and stream: frames, xruns, latency, feedback,\n"
		"                          RT priority, CPU\n"
		"  stats [DEVICE] [--watch] [--interval S] [--count N]\n"
		"                          live meters: one refresh, or one every S seconds\n"
		"  hook list [DEVICE]      loaded processing hooks with call/error counts\n"
		"  hook load DEVICE PATH [ARGS]  load a hook (.so, absolute path) into a running device\n"
		"  hook unload DEVICE NAME unload a hook by its name (see hook list)\n"
		"  volume [DEVICE] [DB]    show or set the playback volume in dB (e.g. -6, +1.5)\n"
		"  mute [DEVICE] [on|off]  show or set mute\n"
		"  reload                  reload hooks, DSP and policy (like SIGHUP)\n"
		"  describe [--json] FILE  print the USB audio model of a configuration descriptor\n"
		"  describe [--json] --device SPEC  the same, read from a plugged-in device\n"
		"  policy check|lint ...   explain a policy decision, validate a policy file\n"
		"                          (uacctl policy --help)\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH       uacd socket (default $" UACD_SOCKET_ENV " or " UACD_DEFAULT_SOCKET ")\n"
		"  -t, --timeout MS        wait at most MS milliseconds for each answer of uacd\n"
		"                          (default %d); then exit 3, \"uacd did not answer\"\n"
		"  -j, --json              machine-readable output, for every command\n"
		"  -h, --help              show this help and exit\n"
		"  -V, --version           show the version and exit\n"
		"\n"
		"Exit status: 0 ok, 1 failed, 2 usage error, 3 cannot reach uacd, 4 denied by the\n"
		"policy; policy check: 0 allowed, 1 denied, 2 error.\n", UACD_CLIENT_TIMEOUT_MS);
}

void uacctl_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void uacctl_clean_text(char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f)
			*s = '?';
}

void uacctl_clean_field(char *s, size_t n)
{
	s[n - 1] = '\0';
	uacctl_clean_text(s);
}

int uacctl_fail(const char *what, int ret, const char *text)
{
	char msg[UACD_ERRTEXT_MAX + 128];
	int status;

	if (ret == UACCTL_ENOCONN)
		status = EXIT_NO_DAEMON;
	else if (ret == -EACCES)	/* the policy; -EPERM is uacd's own refusal */
		status = EXIT_DENIED;
	else
		status = EXIT_FAILED;
	if (ret == UACCTL_ENOCONN)
		snprintf(msg, sizeof(msg), "%s", conn_error);
	else
		snprintf(msg, sizeof(msg), "%s", text && text[0] ? text : strerror(-ret));
	/* uacctl_call() already said why on stderr */
	if (ret != UACCTL_ENOCONN) {
		char shown[sizeof(msg)];

		snprintf(shown, sizeof(shown), "%s", msg);
		uacctl_clean_text(shown);
		fprintf(stderr, "uacctl: %s: %s\n", what, shown);
	}
	if (uacctl_json) {
		printf("{\"error\":");
		uacctl_json_string(stdout, msg);
		printf(",\"exit\":%d}\n", status);
	}
	return status;
}

int uacctl_call(void *req, size_t req_size, void *rep, size_t rep_size)
{
	struct uacd_client c;
	char err[256];
	ssize_t n;

	if (uacd_client_connect_timeout(&c, uacctl_socket_path, uacctl_timeout_ms, err,
					sizeof(err)) < 0) {
		snprintf(conn_error, sizeof(conn_error), "cannot connect to uacd at %s",
			 uacctl_socket_path);
		fprintf(stderr, "uacctl: %s\n", err);
		return UACCTL_ENOCONN;
	}
	n = uacd_client_exchange(&c, req, req_size, rep, rep_size, NULL);
	if (n == -ETIMEDOUT) {
		/* A daemon that is stopped or hung: as good as not there. */
		snprintf(conn_error, sizeof(conn_error), "uacd at %s did not answer within %d ms",
			 uacctl_socket_path, c.timeout_ms);
		fprintf(stderr, "uacctl: %s\n", conn_error);
		n = UACCTL_ENOCONN;
	}
	uacd_client_close(&c);
	return (int)n;
}

/*
 * One request, one text reply (terminated) in *rep, which the caller frees.
 * Returns the reply's result, or a -errno of the exchange (rep NULL).
 */
static int request_text(void *req, size_t req_size, struct uacd_text **rep)
{
	int n;

	*rep = calloc(1, sizeof(**rep));
	if (!*rep)
		return -ENOMEM;
	n = uacctl_call(req, req_size, *rep, sizeof(**rep) - 1);
	if (n < 0) {
		free(*rep);
		*rep = NULL;
		return n;
	}
	((char *)*rep)[n] = '\0';
	return (*rep)->hdr.result;
}

static int request_device_text(uint32_t type, const char *device, struct uacd_text **rep)
{
	struct uacd_device_req req;

	memset(&req, 0, sizeof(req));
	req.hdr.type = type;
	req.hdr.seq = 1;
	req.hdr.size = sizeof(req);
	snprintf(req.device, sizeof(req.device), "%s", device ? device : "");
	return request_text(&req, sizeof(req), rep);
}

/* Report a failed text request and free its reply: the exit status. */
static int text_fail(const char *what, int ret, struct uacd_text *rep)
{
	int status = uacctl_fail(what, ret, rep ? rep->text : NULL);

	free(rep);
	return status;
}

/* Device state from STATS, for devices --json ("" when the daemon cannot say). */
static const char *device_state(const char *name)
{
	struct uacd_device_req req;
	struct uacd_stats_reply *r = calloc(1, UACD_STATS_REPLY_MAX);
	const char *st = NULL;
	int n;

	if (!r)
		return NULL;
	memset(&req, 0, sizeof(req));
	req.hdr.type = UACD_MSG_STATS;
	req.hdr.seq = 1;
	req.hdr.size = sizeof(req);
	snprintf(req.device, sizeof(req.device), "%s", name);
	n = uacctl_call(&req, sizeof(req), r, UACD_STATS_REPLY_MAX);
	if (n >= (int)sizeof(*r) && r->hdr.result == 0)
		st = r->state == UACD_DEV_RUNNING ? "running" : "idle";
	free(r);
	return st;
}

/* devices: the daemon sends one tab-separated line per device. */
static int cmd_devices(int argc)
{
	struct uacd_msg_hdr req = { .type = UACD_MSG_LIST, .seq = 1, .size = sizeof(req) };
	struct uacd_text *rep;
	char *line, *save = NULL;
	int ret, first = 1;

	if (argc) {
		fprintf(stderr, "uacctl: devices: takes no arguments\n");
		return EXIT_USAGE;
	}
	ret = request_text(&req, sizeof(req), &rep);
	if (ret < 0)
		return text_fail("devices", ret, rep);
	if (!uacctl_json) {
		uacctl_clean_text(rep->text);
		printf("%s", rep->text);
		free(rep);
		return 0;
	}
	printf("[");
	for (line = strtok_r(rep->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64], kind[16], fmt[16];
		unsigned rate, play, cap, streams;
		const char *st;

		if (sscanf(line, "%63[^\t]\t%15[^\t]\t%15[^\t]\t%u Hz\tplayback %u ch\tcapture %u ch\tstreams %u",
			   name, kind, fmt, &rate, &play, &cap, &streams) != 7)
			continue;
		st = device_state(name);
		printf("%s{\"name\":", first ? "" : ",");
		uacctl_json_string(stdout, name);
		printf(",\"kind\":");
		uacctl_json_string(stdout, kind);
		printf(",\"state\":");
		if (st)
			uacctl_json_string(stdout, st);
		else
			printf("null");
		printf(",\"format\":");
		uacctl_json_string(stdout, fmt);
		printf(",\"rate\":%u,\"playback_channels\":%u,\"capture_channels\":%u,\"streams\":%u}",
		       rate, play, cap, streams);
		first = 0;
	}
	printf("]\n");
	free(rep);
	return 0;
}

/* hook list [DEVICE]: lines "DEVICE\tNAME\tcalls=N errors=N\tSTATUS". */
static int cmd_hook_list(int argc, char **argv)
{
	struct uacd_text *rep;
	char *line, *save = NULL;
	int ret, first = 1;

	if (argc > 1) {
		fprintf(stderr, "uacctl: hook list: expected [DEVICE]\n");
		return EXIT_USAGE;
	}
	ret = request_device_text(UACD_MSG_HOOKS, argc ? argv[0] : NULL, &rep);
	if (ret < 0)
		return text_fail("hook list", ret, rep);
	if (!uacctl_json) {
		uacctl_clean_text(rep->text);
		ret = (int)strlen(rep->text);
		printf("%s%s", rep->text, ret && rep->text[ret - 1] != '\n' ? "\n" : "");
		free(rep);
		return 0;
	}
	printf("[");
	for (line = strtok_r(rep->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *dev = line, *name, *counts, *status;
		unsigned long long calls, errors;

		name = strchr(dev, '\t');
		counts = name ? strchr(name + 1, '\t') : NULL;
		status = counts ? strchr(counts + 1, '\t') : NULL;
		if (!status)
			continue;
		*name++ = '\0';
		*counts++ = '\0';
		*status++ = '\0';
		if (sscanf(counts, "calls=%llu errors=%llu", &calls, &errors) != 2)
			continue;
		printf("%s{\"device\":", first ? "" : ",");
		uacctl_json_string(stdout, dev);
		printf(",\"name\":");
		uacctl_json_string(stdout, name);
		printf(",\"calls\":%llu,\"errors\":%llu,\"status\":", calls, errors);
		uacctl_json_string(stdout, status);
		printf("}");
		first = 0;
	}
	printf("]\n");
	free(rep);
	return 0;
}

/* reload: what the daemon says it reloaded. */
static int cmd_reload(int argc)
{
	struct uacd_msg_hdr req = { .type = UACD_MSG_RELOAD, .seq = 1, .size = sizeof(req) };
	struct uacd_text *rep;
	int ret;

	if (argc) {
		fprintf(stderr, "uacctl: reload: takes no arguments\n");
		return EXIT_USAGE;
	}
	ret = request_text(&req, sizeof(req), &rep);
	if (ret < 0)
		return text_fail("reload", ret, rep);
	if (uacctl_json) {
		printf("{\"reloaded\":true,\"message\":");
		uacctl_json_string(stdout, rep->text);
		printf("}\n");
	} else if (rep->text[0]) {
		uacctl_clean_text(rep->text);
		printf("%s%s", rep->text, rep->text[strlen(rep->text) - 1] != '\n' ? "\n" : "");
	}
	free(rep);
	return 0;
}

static int control(const char *device, const char *name, bool set, int32_t value,
		   struct uacd_control_reply *r)
{
	struct uacd_control_req req;
	int n;

	memset(&req, 0, sizeof(req));
	req.hdr.type = UACD_MSG_CONTROL;
	req.hdr.seq = 1;
	req.hdr.size = sizeof(req);
	snprintf(req.device, sizeof(req.device), "%s", device);
	snprintf(req.control, sizeof(req.control), "%s", name);
	req.op = set ? UACD_CTL_SET : UACD_CTL_GET;
	req.value = value;
	memset(r, 0, sizeof(*r));
	n = uacctl_call(&req, sizeof(req), r, sizeof(*r));
	if (n < 0)
		return n;
	r->text[sizeof(r->text) - 1] = '\0';
	return r->hdr.result;
}

/* volume [DEVICE] [DB] / mute [DEVICE] [on|off] */
static int cmd_control(const char *what, int argc, char **argv)
{
	struct uacd_control_reply r;
	const char *device = "", *val = NULL;
	bool vol = !strcmp(what, "volume"), set = false;
	int32_t value = 0;
	char *end;
	int ret;

	if (argc > 2) {
		fprintf(stderr, "uacctl: %s: expected [DEVICE] [%s]\n", what, vol ? "DB" : "on|off");
		return EXIT_USAGE;
	}
	if (argc == 2) {
		device = argv[0];
		val = argv[1];
	} else if (argc == 1) {
		double x = strtod(argv[0], &end);

		(void)x;
		if ((vol && end != argv[0] && !*end) ||
		    (!vol && (!strcmp(argv[0], "on") || !strcmp(argv[0], "off"))))
			val = argv[0];
		else
			device = argv[0];
	}
	if (val) {
		set = true;
		if (vol) {
			double db = strtod(val, &end);

			/* The device knows its range (a USB feature unit may go above 0 dB). */
			if (end == val || *end || db > 127.0 || db < -128.0) {
				fprintf(stderr, "uacctl: volume %s: expected a level in dB, e.g. -6\n", val);
				return EXIT_USAGE;
			}
			value = (int32_t)(db * 256.0 + (db < 0 ? -0.5 : 0.5));
		} else if (!strcmp(val, "on") || !strcmp(val, "off")) {
			value = !strcmp(val, "on");
		} else {
			fprintf(stderr, "uacctl: mute %s: expected on or off\n", val);
			return EXIT_USAGE;
		}
	}
	ret = control(device, what, set, value, &r);
	if (ret < 0)
		return uacctl_fail(what, ret, r.text);
	if (uacctl_json) {
		if (vol)
			printf("{\"control\":\"volume\",\"db\":%.2f,\"min_db\":%.2f,\"max_db\":%.2f}\n",
			       r.value / 256.0, r.min / 256.0, r.max / 256.0);
		else
			printf("{\"control\":\"mute\",\"mute\":%s}\n", r.value ? "true" : "false");
	} else if (vol) {
		printf("volume %.2f dB (range %.2f to %.2f dB)\n", r.value / 256.0, r.min / 256.0,
		       r.max / 256.0);
	} else {
		printf("mute %s\n", r.value ? "on" : "off");
	}
	return 0;
}

/*
 * describe --device SPEC [--json]: read a plugged-in device's descriptors
 * (without claiming it) and describe them like a file.
 */
static int cmd_describe_device(int argc, char **argv)
{
	struct uacd_usbdesc_device dev;
	struct uacd_usbdesc *model = NULL;
	const char *spec = NULL;
	uint8_t *cfg = NULL;
	size_t len = 0;
	char err[256];
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--device") && i + 1 < argc)
			spec = argv[++i];
		else if (!strcmp(argv[i], "--device"))
			break;	/* no spec: said below */
		else if (!strncmp(argv[i], "--device=", 9))
			spec = argv[i] + 9;
		else if (!strcmp(argv[i], "--json"))
			uacctl_json = 1;
		else {
			fprintf(stderr, "uacctl: describe: unexpected '%s' (describe [--json] FILE|--device SPEC)\n",
				argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!spec) {
		fprintf(stderr, "uacctl: describe: --device needs a spec (usb, usb:VID:PID, usb:path=BUS-PORT)\n");
		return EXIT_USAGE;
	}
	ret = uacd_usb_read_descriptors(spec, &cfg, &len, &dev, err, sizeof(err));
	if (ret)
		return uacctl_fail("describe", ret < 0 ? ret : -EIO, err);
	ret = uacd_usbdesc_parse(cfg, len, &model, err, sizeof(err));
	free(cfg);
	if (ret) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s: %s", spec, err);
		return uacctl_fail("describe", -EINVAL, msg);
	}
	ret = uacd_describe_write(stdout, model, &dev, uacctl_json);
	uacd_usbdesc_free(model);
	return ret ? EXIT_FAILED : 0;
}

/* hook load DEVICE PATH [ARGS] / hook unload DEVICE NAME */
static int cmd_hook(const char *verb, int argc, char **argv)
{
	struct uacd_hook_req req;
	struct uacd_text *rep;
	bool load = !strcmp(verb, "load");
	char what[32];
	int ret;

	snprintf(what, sizeof(what), "hook %s", verb);
	if (argc < 2 || argc > (load ? 3 : 2)) {
		fprintf(stderr, "uacctl: hook %s: expected DEVICE %s\n", verb, load ? "PATH [ARGS]" : "NAME");
		return EXIT_USAGE;
	}
	memset(&req, 0, sizeof(req));
	req.hdr.type = load ? UACD_MSG_HOOK_LOAD : UACD_MSG_HOOK_UNLOAD;
	req.hdr.seq = 1;
	req.hdr.size = sizeof(req);
	snprintf(req.device, sizeof(req.device), "%s", argv[0]);
	snprintf(req.path, sizeof(req.path), "%s", argv[1]);
	if (argc > 2)
		snprintf(req.args, sizeof(req.args), "%s", argv[2]);
	ret = request_text(&req, sizeof(req), &rep);
	if (ret < 0)
		return text_fail(what, ret, rep);
	if (uacctl_json) {
		printf("{\"device\":");
		uacctl_json_string(stdout, argv[0]);
		printf(",\"%s\":true,\"message\":", load ? "loaded" : "unloaded");
		uacctl_json_string(stdout, rep->text);
		printf("}\n");
	} else {
		uacctl_clean_text(rep->text);
		printf("%s\n", rep->text);
	}
	free(rep);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	char *end;
	long ms;
	int opt;

	uacctl_socket_path = uacd_client_socket_path(NULL);
	/* '+': stop at the command, whose own options follow it. */
	while ((opt = getopt_long(argc, argv, "+s:t:jhV", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			uacctl_socket_path = optarg;
			break;
		case 'j':
			uacctl_json = 1;
			break;
		case 't':
			errno = 0;
			ms = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || ms <= 0 || ms > 3600000) {
				fprintf(stderr, "uacctl: --timeout: expected milliseconds (1 to 3600000), not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			uacctl_timeout_ms = (int)ms;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("uacctl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	if (!strcmp(cmd, "devices"))
		return cmd_devices(argc - optind - 1);
	if (!strcmp(cmd, "status"))
		return uacctl_status(argc - optind - 1, argv + optind + 1);
	if (!strcmp(cmd, "stats"))
		return uacctl_stats(argc - optind - 1, argv + optind + 1);
	if (!strcmp(cmd, "hook") && optind + 1 < argc &&
	    (!strcmp(argv[optind + 1], "load") || !strcmp(argv[optind + 1], "unload")))
		return cmd_hook(argv[optind + 1], argc - optind - 2, argv + optind + 2);
	if (!strcmp(cmd, "hook")) {
		if (optind + 1 >= argc || strcmp(argv[optind + 1], "list")) {
			fprintf(stderr, "uacctl: hook: expected 'hook list|load|unload ...'\n");
			return EXIT_USAGE;
		}
		return cmd_hook_list(argc - optind - 2, argv + optind + 2);
	}
	if (!strcmp(cmd, "volume") || !strcmp(cmd, "mute"))
		return cmd_control(cmd, argc - optind - 1, argv + optind + 1);
	if (!strcmp(cmd, "reload"))
		return cmd_reload(argc - optind - 1);
	if (!strcmp(cmd, "describe")) {
		int k;

		for (k = optind + 1; k < argc; k++)
			if (!strcmp(argv[k], "--device") || !strncmp(argv[k], "--device=", 9))
				return cmd_describe_device(argc - optind - 1, argv + optind + 1);
	}
	if (!strcmp(cmd, "describe")) {
		/* uacd_describe_main parses its own options; pass --json through. */
		char *args[16];
		int n = 0, i;

		args[n++] = "describe";
		if (uacctl_json)
			args[n++] = "--json";
		for (i = optind + 1; i < argc && n < 15; i++)
			args[n++] = argv[i];
		args[n] = NULL;
		return uacd_describe_main(n, args);
	}
	if (!strcmp(cmd, "policy")) {
		char *args[32];
		int n = 0, i;

		args[n++] = "policy";
		for (i = optind + 1; i < argc && n < 30; i++)
			args[n++] = argv[i];
		if (uacctl_json && n < 31)
			args[n++] = "--json";
		args[n] = NULL;
		return uacpol_cli_main(n, args);
	}
	fprintf(stderr, "uacctl: unknown command '%s' (uacctl --help lists them)\n", cmd);
	return EXIT_USAGE;
}
