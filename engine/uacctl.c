/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uacctl: the control CLI.  Talks to uacd over its socket for everything
 * that concerns the running daemon; `describe` and `policy` work offline on
 * files.  See uacctl(1).
 *
 * Exit status: 0 success, 1 the daemon (or the policy) said no / failed,
 * 2 usage error, 3 cannot reach uacd.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <uacd/protocol.h>

#include "engine/transport-libusb.h"
#include "engine/usb-describe.h"
#include "entitlement-policy/uacpol.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_NO_DAEMON 3

static const char *socket_path;
static int json;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: uacctl [--socket PATH] [--json] COMMAND [ARGS]\n"
		"Control and inspect uacd, the user-space USB audio driver.\n"
		"\n"
		"Commands:\n"
		"  devices                 list devices with format, rate, channels, streams\n"
		"  status [DEVICE]         per device and stream: positions, xruns, cycle times\n"
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
		"  -j, --json              machine-readable output (devices, volume, mute, describe,\n"
		"                          policy check)\n"
		"  -h, --help              show this help and exit\n"
		"  -V, --version           show the version and exit\n"
		"\n"
		"Exit status: 0 ok, 1 failed or denied, 2 usage error, 3 cannot reach uacd.\n");
}

static int connect_daemon(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", socket_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "uacctl: cannot connect to uacd at %s: %s\n", socket_path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* One request, one text reply.  Returns the reply's result or -errno. */
static int request_text(uint32_t type, const char *device, char *out, size_t outlen)
{
	struct uacd_device_req req;
	struct uacd_text *rep;
	int fd, ret;
	ssize_t n;

	fd = connect_daemon();
	if (fd < 0)
		return -ECONNREFUSED;
	memset(&req, 0, sizeof(req));
	req.hdr.type = type;
	req.hdr.seq = 1;
	req.hdr.size = sizeof(req);
	snprintf(req.device, sizeof(req.device), "%s", device ? device : "");
	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		close(fd);
		return -ENOMEM;
	}
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req)) {
		ret = -errno;
		goto out;
	}
	n = recv(fd, rep, sizeof(*rep) - 1, 0);
	if (n < (ssize_t)sizeof(rep->hdr)) {
		ret = n < 0 ? -errno : -EPROTO;
		goto out;
	}
	((char *)rep)[n] = '\0';
	snprintf(out, outlen, "%s", rep->text);
	ret = rep->hdr.result;
out:
	free(rep);
	close(fd);
	return ret;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* devices: the daemon sends one tab-separated line per device. */
static int cmd_devices(void)
{
	char buf[UACD_MSG_MAX], *line, *save = NULL;
	int ret = request_text(UACD_MSG_LIST, NULL, buf, sizeof(buf)), first = 1;

	if (ret == -ECONNREFUSED)
		return EXIT_NO_DAEMON;
	if (ret < 0) {
		fprintf(stderr, "uacctl: devices: %s\n", buf[0] ? buf : strerror(-ret));
		return EXIT_FAILED;
	}
	if (!json) {
		printf("%s", buf);
		return 0;
	}
	printf("[");
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64], kind[16], fmt[16];
		unsigned rate, play, cap, streams;

		if (sscanf(line, "%63[^\t]\t%15[^\t]\t%15[^\t]\t%u Hz\tplayback %u ch\tcapture %u ch\tstreams %u",
			   name, kind, fmt, &rate, &play, &cap, &streams) != 7)
			continue;
		printf("%s{\"name\":", first ? "" : ",");
		json_string(name);
		printf(",\"kind\":");
		json_string(kind);
		printf(",\"format\":");
		json_string(fmt);
		printf(",\"rate\":%u,\"playback_channels\":%u,\"capture_channels\":%u,\"streams\":%u}",
		       rate, play, cap, streams);
		first = 0;
	}
	printf("]\n");
	return 0;
}

static int cmd_text(uint32_t type, const char *what, const char *device)
{
	char buf[UACD_MSG_MAX];
	int ret;

	if (json) {
		fprintf(stderr, "uacctl: %s has no JSON output yet\n", what);
		return EXIT_USAGE;
	}
	ret = request_text(type, device, buf, sizeof(buf));
	if (ret == -ECONNREFUSED)
		return EXIT_NO_DAEMON;
	if (ret < 0) {
		fprintf(stderr, "uacctl: %s: %s\n", what, buf[0] ? buf : strerror(-ret));
		return EXIT_FAILED;
	}
	printf("%s%s", buf, buf[0] && buf[strlen(buf) - 1] != '\n' ? "\n" : "");
	return 0;
}

static int control(const char *device, const char *name, bool set, int32_t value,
		   struct uacd_control_reply *r)
{
	struct uacd_control_req req;
	int fd;
	ssize_t n;

	fd = connect_daemon();
	if (fd < 0)
		return -ECONNREFUSED;
	memset(&req, 0, sizeof(req));
	req.hdr.type = UACD_MSG_CONTROL;
	req.hdr.seq = 1;
	req.hdr.size = sizeof(req);
	snprintf(req.device, sizeof(req.device), "%s", device);
	snprintf(req.control, sizeof(req.control), "%s", name);
	req.op = set ? UACD_CTL_SET : UACD_CTL_GET;
	req.value = value;
	memset(r, 0, sizeof(*r));
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req)) {
		close(fd);
		return -errno;
	}
	n = recv(fd, r, sizeof(*r), 0);
	close(fd);
	if (n < (ssize_t)sizeof(r->hdr))
		return n < 0 ? -errno : -EPROTO;
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
		} else {
			value = !strcmp(val, "on");
		}
	}
	ret = control(device, what, set, value, &r);
	if (ret == -ECONNREFUSED)
		return EXIT_NO_DAEMON;
	if (ret < 0) {
		fprintf(stderr, "uacctl: %s: %s\n", what, r.text[0] ? r.text : strerror(-ret));
		return EXIT_FAILED;
	}
	if (json) {
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
			json = 1;
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
	if (ret) {
		fprintf(stderr, "uacctl: describe: %s\n", err);
		return EXIT_FAILED;
	}
	ret = uacd_usbdesc_parse(cfg, len, &model, err, sizeof(err));
	free(cfg);
	if (ret) {
		fprintf(stderr, "uacctl: describe: %s: %s\n", spec, err);
		return EXIT_FAILED;
	}
	ret = uacd_describe_write(stdout, model, &dev, json);
	uacd_usbdesc_free(model);
	return ret ? EXIT_FAILED : 0;
}

/* hook load DEVICE PATH [ARGS] / hook unload DEVICE NAME */
static int cmd_hook(const char *verb, int argc, char **argv)
{
	struct uacd_hook_req req;
	struct uacd_text *rep;
	bool load = !strcmp(verb, "load");
	int fd, ret;
	ssize_t n;

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
	fd = connect_daemon();
	if (fd < 0)
		return EXIT_NO_DAEMON;
	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		close(fd);
		return EXIT_FAILED;
	}
	ret = send(fd, &req, sizeof(req), MSG_NOSIGNAL) == (ssize_t)sizeof(req) ? 0 : -errno;
	n = ret ? -1 : recv(fd, rep, sizeof(*rep) - 1, 0);
	close(fd);
	if (n < (ssize_t)sizeof(rep->hdr)) {
		fprintf(stderr, "uacctl: hook %s: no answer from uacd\n", verb);
		free(rep);
		return EXIT_FAILED;
	}
	((char *)rep)[n] = '\0';
	ret = rep->hdr.result;
	if (ret < 0)
		fprintf(stderr, "uacctl: hook %s: %s\n", verb, rep->text[0] ? rep->text : strerror(-ret));
	else
		printf("%s\n", rep->text);
	free(rep);
	return ret < 0 ? EXIT_FAILED : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd, *env;
	int opt;

	env = getenv(UACD_SOCKET_ENV);
	socket_path = env && *env ? env : UACD_DEFAULT_SOCKET;
	/* '+': stop at the command, whose own options follow it. */
	while ((opt = getopt_long(argc, argv, "+s:jhV", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			socket_path = optarg;
			break;
		case 'j':
			json = 1;
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
		return cmd_devices();
	if (!strcmp(cmd, "status"))
		return cmd_text(UACD_MSG_STATUS, "status", optind + 1 < argc ? argv[optind + 1] : NULL);
	if (!strcmp(cmd, "hook") && optind + 1 < argc &&
	    (!strcmp(argv[optind + 1], "load") || !strcmp(argv[optind + 1], "unload")))
		return cmd_hook(argv[optind + 1], argc - optind - 2, argv + optind + 2);
	if (!strcmp(cmd, "hook")) {
		if (optind + 1 >= argc || strcmp(argv[optind + 1], "list")) {
			fprintf(stderr, "uacctl: hook: expected 'hook list|load|unload ...'\n");
			return EXIT_USAGE;
		}
		return cmd_text(UACD_MSG_HOOKS, "hook list", optind + 2 < argc ? argv[optind + 2] : NULL);
	}
	if (!strcmp(cmd, "volume") || !strcmp(cmd, "mute"))
		return cmd_control(cmd, argc - optind - 1, argv + optind + 1);
	if (!strcmp(cmd, "reload"))
		return cmd_text(UACD_MSG_RELOAD, "reload", NULL);
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
		if (json)
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
		if (json && n < 31)
			args[n++] = "--json";
		args[n] = NULL;
		return uacpol_cli_main(n, args);
	}
	fprintf(stderr, "uacctl: unknown command '%s' (uacctl --help lists them)\n", cmd);
	return EXIT_USAGE;
}
