/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `uacctl describe`: the descriptor model, printed.
 *
 * The text form is for people: one block per audio function, its
 * AudioControl entities, then each streaming interface with every alt
 * setting on one line plus one line for its endpoints.  The JSON form is
 * for scripts and tests and is stable: field names below are a contract
 * (see man/uacctl.1): per function "uac_version"; per streaming interface
 * "interface" and "direction"; per alt setting "alt", "format", "channels",
 * "subslot_bytes", "bit_resolution", "rates"/"rate_range" (UAC1) or
 * "clock_id" (UAC2), "data_endpoint", "sync", "max_packet_size",
 * "interval", "feedback_endpoint" (null when none) and "implicit_feedback".
 * Endpoint addresses are numbers (bit 7 set = IN).
 *
 * Everything is written through stdio to a caller's FILE, so the fuzz target
 * can describe into a memory stream.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/usb/usb-describe.h"

#define MAX_FILE_BYTES	65536u	/* wTotalLength is 16 bits */

/* ---- text ---- */

static const char *terminal_type_name(uint16_t t)
{
	switch (t) {
	case 0x0101: return "USB streaming";
	case 0x01ff: return "USB vendor specific";
	case 0x0201: return "microphone";
	case 0x0202: return "desktop microphone";
	case 0x0204: return "headset microphone";
	case 0x0205: return "microphone array";
	case 0x0301: return "speaker";
	case 0x0302: return "headphones";
	case 0x0304: return "desktop speaker";
	case 0x0402: return "headset";
	case 0x0603: return "line connector";
	case 0x0605: return "S/PDIF interface";
	default: break;
	}
	switch (t >> 8) {
	case 0x02: return "input";
	case 0x03: return "output";
	case 0x04: return "bi-directional";
	case 0x05: return "telephony";
	case 0x06: return "external";
	case 0x07: return "embedded";
	default: return "unknown";
	}
}

/* Did text_entity print details before the sources? */
static bool sep(const struct uacd_usbdesc_entity *e)
{
	switch (e->type) {
	case UACD_USBDESC_INPUT_TERMINAL:
	case UACD_USBDESC_OUTPUT_TERMINAL:
	case UACD_USBDESC_CLOCK_SOURCE:
	case UACD_USBDESC_MIXER_UNIT:
	case UACD_USBDESC_PROCESSING_UNIT:
	case UACD_USBDESC_EXTENSION_UNIT:
	case UACD_USBDESC_EFFECT_UNIT:
		return true;
	default:
		return false;
	}
}

static void text_entity(FILE *f, const struct uacd_usbdesc_entity *e)
{
	fprintf(f, "    %s %u:", uacd_usbdesc_entity_name(e->type), e->id);
	switch (e->type) {
	case UACD_USBDESC_INPUT_TERMINAL:
	case UACD_USBDESC_OUTPUT_TERMINAL:
		fprintf(f, " type 0x%04x (%s)", e->terminal_type, terminal_type_name(e->terminal_type));
		if (e->type == UACD_USBDESC_INPUT_TERMINAL)
			fprintf(f, ", %u channels", e->channels);
		if (e->clock_id)
			fprintf(f, ", clock %u", e->clock_id);
		break;
	case UACD_USBDESC_CLOCK_SOURCE: {
		static const char *const kind[] = { "external", "internal fixed",
						    "internal variable", "internal programmable" };

		fprintf(f, " %s%s, controls 0x%02x", kind[e->attributes & 3],
			e->attributes & 4 ? " (SOF-synchronised)" : "", e->bm_controls);
		break;
	}
	case UACD_USBDESC_MIXER_UNIT:
		fprintf(f, " %u channels", e->channels);
		break;
	case UACD_USBDESC_PROCESSING_UNIT:
	case UACD_USBDESC_EXTENSION_UNIT:
	case UACD_USBDESC_EFFECT_UNIT:
		fprintf(f, " type 0x%04x", e->process_type);
		break;
	default:
		break;
	}
	if (e->nr_sources) {
		fprintf(f, "%sinput%s", sep(e) ? ", " : " ", e->nr_sources > 1 ? "s" : "");
		for (unsigned i = 0; i < e->nr_sources; i++)
			fprintf(f, "%s%u", i ? "," : " ", e->sources[i]);
	}
	if (e->type == UACD_USBDESC_FEATURE_UNIT) {
		for (unsigned ch = 0; ch <= e->nr_ctl_channels; ch++) {
			uint32_t c = e->controls[ch];

			if (!c)
				continue;
			fprintf(f, ", %s%.0u [", ch ? "ch" : "master", ch);
			fprintf(f, "%s%s", c & UACD_USBDESC_FU_MUTE ? "mute" : "",
				(c & UACD_USBDESC_FU_MUTE) && (c & ~UACD_USBDESC_FU_MUTE) ? " " : "");
			fprintf(f, "%s", c & UACD_USBDESC_FU_VOLUME ? "volume" : "");
			if (c & ~(UACD_USBDESC_FU_MUTE | UACD_USBDESC_FU_VOLUME))
				fprintf(f, "%s0x%x", c & UACD_USBDESC_FU_VOLUME ? " " : "",
					c & ~(UACD_USBDESC_FU_MUTE | UACD_USBDESC_FU_VOLUME));
			fprintf(f, "]");
		}
	}
	fprintf(f, "\n");
}

static void text_ep(FILE *f, const char *what, const struct uacd_usbdesc_endpoint *ep)
{
	fprintf(f, "%s EP 0x%02x %s %s %s, %u bytes", what, ep->address,
		ep->address & 0x80 ? "IN" : "OUT", uacd_usbdesc_sync_name(ep->sync),
		uacd_usbdesc_usage_name(ep->usage), ep->max_packet);
	if (ep->mult > 1)
		fprintf(f, " x%u", ep->mult);
	if (ep->has_ss)
		fprintf(f, " (SS burst %u, %u bytes/interval)", ep->ss_max_burst + 1,
			ep->ss_bytes_per_interval);
	fprintf(f, ", bInterval %u", ep->interval);
}

static void text_alt(FILE *f, const struct uacd_usbdesc_function *fn, const struct uacd_usbdesc_alt *a)
{
	fprintf(f, "    alt %u:", a->alt);
	if (!a->has_general && !a->has_format && a->data_ep < 0) {
		fprintf(f, " zero bandwidth\n");
		return;
	}
	if (a->alsa_format)
		fprintf(f, " %s", a->alsa_format);
	else if (a->format_type != 1)
		fprintf(f, " format type %u (not PCM)", a->format_type);
	else
		fprintf(f, " unsupported type I format 0x%x", a->formats);
	fprintf(f, " %uch, %u-byte subslot, %u bits", a->channels, a->subslot, a->bit_resolution);
	if (fn->uac_version == 1) {
		if (a->rate_continuous)
			fprintf(f, ", %u-%u Hz", a->rate_min, a->rate_max);
		for (unsigned i = 0; i < a->nr_rates; i++)
			fprintf(f, "%s%u", i ? "," : ", rates ", a->rates[i]);
	} else {
		fprintf(f, ", clock %u", a->clock_id);
		if (a->clock_source_id && a->clock_source_id != a->clock_id)
			fprintf(f, " (source %u)", a->clock_source_id);
	}
	fprintf(f, ", terminal %u\n", a->terminal_link);
	if (a->data_ep >= 0) {
		const struct uacd_usbdesc_endpoint *ep = &a->eps[a->data_ep];

		text_ep(f, "      data", ep);
		if (ep->freq_control)
			fprintf(f, ", rate control");
		if (a->fb_address)
			fprintf(f, "; feedback EP 0x%02x", a->fb_address);
		else if (a->fb_ep >= 0)
			fprintf(f, "; feedback EP 0x%02x ignored (%s endpoint)", a->eps[a->fb_ep].address,
				uacd_usbdesc_sync_name(ep->sync));
		if (a->implicit_fb)
			fprintf(f, "; implicit feedback from EP 0x%02x (interface %u alt %u)",
				a->implicit_fb_address, a->implicit_fb_iface, a->implicit_fb_alt);
		fprintf(f, "\n");
	}
}

static void text_write(FILE *f, const struct uacd_usbdesc *d, const struct uacd_usbdesc_device *dev)
{
	fprintf(f, "configuration %u: wTotalLength %u, %u interfaces, %u audio function%s",
		d->config_value, d->total_length, d->num_interfaces, d->nr_functions,
		d->nr_functions == 1 ? "" : "s");
	if (d->nr_skipped)
		fprintf(f, ", %u other interface setting%s skipped", d->nr_skipped,
			d->nr_skipped == 1 ? "" : "s");
	fprintf(f, "\n");
	if (dev)
		fprintf(f, "device %04x:%04x, USB %x.%02x\n", dev->vendor_id, dev->product_id,
			dev->bcd_usb >> 8, dev->bcd_usb & 0xff);
	fprintf(f, "speed (guessed from descriptors): %s\n",
		uacd_usbdesc_speed_name(uacd_usbdesc_infer_speed(dev, d)));
	for (unsigned i = 0; i < d->nr_functions; i++) {
		const struct uacd_usbdesc_function *fn = &d->functions[i];

		fprintf(f, "function %u: UAC%d, AudioControl interface %u", i, fn->uac_version,
			fn->ac_iface);
		if (fn->bcd_adc)
			fprintf(f, ", bcdADC %x.%02x", fn->bcd_adc >> 8, fn->bcd_adc & 0xff);
		fprintf(f, "\n");
		if (fn->note[0])
			fprintf(f, "  note: %s\n", fn->note);
		if (fn->nr_entities)
			fprintf(f, "  entities:\n");
		for (unsigned e = 0; e < fn->nr_entities; e++)
			text_entity(f, &fn->entities[e]);
		for (unsigned s = 0; s < fn->nr_streams; s++) {
			const struct uacd_usbdesc_stream *st = &fn->streams[s];

			fprintf(f, "  interface %u: %s, %u alt setting%s\n", st->iface,
				uacd_usbdesc_dir_name(st->dir), st->nr_alts, st->nr_alts == 1 ? "" : "s");
			for (unsigned k = 0; k < st->nr_alts; k++)
				text_alt(f, fn, &st->alts[k]);
		}
	}
}

/* ---- JSON ---- */

static void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_u8_or_null(FILE *f, const char *key, unsigned v, bool present)
{
	if (present)
		fprintf(f, ",\"%s\":%u", key, v);
	else
		fprintf(f, ",\"%s\":null", key);
}

static void json_ep(FILE *f, const struct uacd_usbdesc_endpoint *ep)
{
	fprintf(f, "{\"address\":%u,\"direction\":\"%s\",\"transfer\":%u,\"sync\":\"%s\",\"usage\":\"%s\""
		",\"max_packet_size\":%u,\"mult\":%u,\"bytes_per_interval\":%u,\"interval\":%u",
		ep->address, ep->address & 0x80 ? "in" : "out", ep->transfer,
		uacd_usbdesc_sync_name(ep->sync), uacd_usbdesc_usage_name(ep->usage), ep->max_packet,
		ep->mult, uacd_usbdesc_ep_bytes_per_interval(ep), ep->interval);
	if (ep->refresh || ep->synch_address)
		fprintf(f, ",\"refresh\":%u,\"synch_address\":%u", ep->refresh, ep->synch_address);
	if (ep->has_ss)
		fprintf(f, ",\"ss_max_burst\":%u,\"ss_attributes\":%u,\"ss_bytes_per_interval\":%u",
			ep->ss_max_burst, ep->ss_attributes, ep->ss_bytes_per_interval);
	if (ep->has_cs)
		fprintf(f, ",\"sampling_freq_control\":%s,\"pitch_control\":%s"
			",\"lock_delay_units\":%u,\"lock_delay\":%u",
			ep->freq_control ? "true" : "false", ep->pitch_control ? "true" : "false",
			ep->lock_delay_units, ep->lock_delay);
	fputc('}', f);
}

static void json_alt(FILE *f, const struct uacd_usbdesc_function *fn, const struct uacd_usbdesc_alt *a)
{
	const struct uacd_usbdesc_endpoint *ep = a->data_ep >= 0 ? &a->eps[a->data_ep] : NULL;

	fprintf(f, "{\"alt\":%u,\"format\":", a->alt);
	json_str(f, a->alsa_format);
	fprintf(f, ",\"format_type\":%u,\"formats\":%u,\"channels\":%u,\"subslot_bytes\":%u"
		",\"bit_resolution\":%u,\"terminal_link\":%u",
		a->format_type, a->formats, a->channels, a->subslot, a->bit_resolution,
		a->terminal_link);
	if (fn->uac_version == 1 && a->has_format && a->nr_rates) {
		fprintf(f, ",\"rates\":[");
		for (unsigned i = 0; i < a->nr_rates; i++)
			fprintf(f, "%s%u", i ? "," : "", a->rates[i]);
		fprintf(f, "]");
	} else {
		fprintf(f, ",\"rates\":null");
	}
	if (fn->uac_version == 1 && a->rate_continuous)
		fprintf(f, ",\"rate_range\":{\"min\":%u,\"max\":%u}", a->rate_min, a->rate_max);
	else
		fprintf(f, ",\"rate_range\":null");
	json_u8_or_null(f, "clock_id", a->clock_id, fn->uac_version == 2 && a->has_general);
	json_u8_or_null(f, "clock_source_id", a->clock_source_id, a->clock_source_id != 0);
	json_u8_or_null(f, "data_endpoint", ep ? ep->address : 0, ep != NULL);
	fprintf(f, ",\"sync\":");
	json_str(f, ep ? uacd_usbdesc_sync_name(ep->sync) : NULL);
	json_u8_or_null(f, "max_packet_size", ep ? ep->max_packet : 0, ep != NULL);
	json_u8_or_null(f, "mult", ep ? ep->mult : 0, ep != NULL);
	json_u8_or_null(f, "interval", ep ? ep->interval : 0, ep != NULL);
	json_u8_or_null(f, "feedback_endpoint", a->fb_address, a->fb_address != 0);
	json_u8_or_null(f, "feedback_endpoint_ignored", a->fb_ep >= 0 ? a->eps[a->fb_ep].address : 0,
			a->fb_ep >= 0 && !a->fb_address);
	fprintf(f, ",\"implicit_feedback\":%s", a->implicit_fb ? "true" : "false");
	json_u8_or_null(f, "implicit_feedback_endpoint", a->implicit_fb_address, a->implicit_fb);
	json_u8_or_null(f, "implicit_feedback_interface", a->implicit_fb_iface, a->implicit_fb);
	json_u8_or_null(f, "implicit_feedback_alt", a->implicit_fb_alt, a->implicit_fb);
	fprintf(f, ",\"endpoints\":[");
	for (unsigned i = 0; i < a->nr_eps; i++) {
		if (i)
			fputc(',', f);
		json_ep(f, &a->eps[i]);
	}
	fprintf(f, "]}");
}

static void json_entity(FILE *f, const struct uacd_usbdesc_entity *e)
{
	fprintf(f, "{\"id\":%u,\"type\":", e->id);
	json_str(f, uacd_usbdesc_entity_name(e->type));
	fprintf(f, ",\"offset\":%u,\"sources\":[", e->offset);
	for (unsigned i = 0; i < e->nr_sources; i++)
		fprintf(f, "%s%u", i ? "," : "", e->sources[i]);
	fprintf(f, "]");
	if (e->type == UACD_USBDESC_INPUT_TERMINAL || e->type == UACD_USBDESC_OUTPUT_TERMINAL)
		fprintf(f, ",\"terminal_type\":%u,\"assoc_terminal\":%u,\"channels\":%u,\"clock_id\":%u",
			e->terminal_type, e->assoc_terminal, e->channels, e->clock_id);
	if (e->type == UACD_USBDESC_CLOCK_SOURCE || e->type == UACD_USBDESC_CLOCK_SELECTOR ||
	    e->type == UACD_USBDESC_CLOCK_MULTIPLIER)
		fprintf(f, ",\"attributes\":%u,\"controls\":%u", e->attributes, e->bm_controls);
	if (e->type == UACD_USBDESC_FEATURE_UNIT) {
		fprintf(f, ",\"channel_controls\":[");
		for (unsigned ch = 0; ch <= e->nr_ctl_channels; ch++)
			fprintf(f, "%s%u", ch ? "," : "", e->controls[ch]);
		fprintf(f, "]");
	}
	fputc('}', f);
}

static void json_write(FILE *f, const struct uacd_usbdesc *d, const struct uacd_usbdesc_device *dev)
{
	fprintf(f, "{\"configuration\":{\"value\":%u,\"total_length\":%u,\"num_interfaces\":%u"
		",\"attributes\":%u,\"max_power\":%u,\"skipped_interfaces\":%u}",
		d->config_value, d->total_length, d->num_interfaces, d->attributes, d->max_power,
		d->nr_skipped);
	if (dev)
		fprintf(f, ",\"device\":{\"vendor_id\":%u,\"product_id\":%u,\"bcd_usb\":%u"
			",\"bcd_device\":%u,\"class\":%u,\"num_configurations\":%u}",
			dev->vendor_id, dev->product_id, dev->bcd_usb, dev->bcd_device,
			dev->device_class, dev->num_configurations);
	else
		fprintf(f, ",\"device\":null");
	fprintf(f, ",\"speed_guess\":\"%s\",\"functions\":[",
		uacd_usbdesc_speed_name(uacd_usbdesc_infer_speed(dev, d)));
	for (unsigned i = 0; i < d->nr_functions; i++) {
		const struct uacd_usbdesc_function *fn = &d->functions[i];

		fprintf(f, "%s{\"control_interface\":%u,\"uac_version\":%d,\"bcd_adc\":%u,\"supported\":%s,\"note\":",
			i ? "," : "", fn->ac_iface, fn->uac_version, fn->bcd_adc,
			fn->supported ? "true" : "false");
		json_str(f, fn->note[0] ? fn->note : NULL);
		fprintf(f, ",\"entities\":[");
		for (unsigned e = 0; e < fn->nr_entities; e++) {
			if (e)
				fputc(',', f);
			json_entity(f, &fn->entities[e]);
		}
		fprintf(f, "],\"streams\":[");
		for (unsigned s = 0; s < fn->nr_streams; s++) {
			const struct uacd_usbdesc_stream *st = &fn->streams[s];

			fprintf(f, "%s{\"interface\":%u,\"direction\":\"%s\",\"uac_version\":%d,\"alts\":[",
				s ? "," : "", st->iface, uacd_usbdesc_dir_name(st->dir), fn->uac_version);
			for (unsigned k = 0; k < st->nr_alts; k++) {
				if (k)
					fputc(',', f);
				json_alt(f, fn, &st->alts[k]);
			}
			fprintf(f, "]}");
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]}\n");
}

int uacd_describe_write(FILE *f, const struct uacd_usbdesc *d,
			const struct uacd_usbdesc_device *dev, bool json)
{
	if (json)
		json_write(f, d, dev);
	else
		text_write(f, d, dev);
	return ferror(f) ? -EIO : 0;
}

/* ---- command line ---- */

static void usage(FILE *f)
{
	fputs("Usage: uacctl describe [--json] [--device-descriptor DEVFILE] FILE\n"
	      "Print the USB Audio Class model of a configuration descriptor.\n"
	      "\n"
	      "  FILE                     raw configuration descriptor (wTotalLength bytes,\n"
	      "                           as GET_DESCRIPTOR(CONFIGURATION) returns it)\n"
	      "  --device-descriptor F    the 18-byte device descriptor, for bcdUSB and IDs\n"
	      "  --json                   print JSON instead of text\n"
	      "  -h, --help               show this help\n"
	      "\n"
	      "Exit status: 0 ok, 1 unreadable or malformed descriptor, 2 usage error.\n", f);
}

/* Read a whole small file; returns bytes read or a negative errno. */
static long read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	int err;

	if (!f)
		return -errno;
	n = fread(buf, 1, cap, f);
	err = ferror(f) ? -EIO : 0;
	if (!err && n == cap && fgetc(f) != EOF)
		err = -EFBIG;
	fclose(f);
	return err ? err : (long)n;
}

int uacd_describe_main(int argc, char **argv)
{
	const char *file = NULL, *devfile = NULL;
	struct uacd_usbdesc_device dev;
	struct uacd_usbdesc *d = NULL;
	uint8_t *buf;
	bool json = false;
	char err[160];
	long n;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--device-descriptor")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "describe: --device-descriptor needs a file\n");
				return 2;
			}
			devfile = argv[++i];
		} else if (!strncmp(argv[i], "--device-descriptor=", 20)) {
			devfile = argv[i] + 20;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "describe: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		} else if (file) {
			fprintf(stderr, "describe: only one FILE, got '%s' and '%s'\n", file, argv[i]);
			return 2;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		fprintf(stderr, "describe: no descriptor FILE given\n");
		usage(stderr);
		return 2;
	}
	buf = malloc(MAX_FILE_BYTES);
	if (!buf) {
		fprintf(stderr, "describe: out of memory\n");
		return 1;
	}
	ret = 1;
	if (devfile) {
		n = read_file(devfile, buf, MAX_FILE_BYTES);
		if (n < 0) {
			fprintf(stderr, "describe: %s: %s\n", devfile, strerror((int)-n));
			goto out_free_buf;
		}
		if (uacd_usbdesc_parse_device(buf, (size_t)n, &dev, err, sizeof(err))) {
			fprintf(stderr, "describe: %s: %s\n", devfile, err);
			goto out_free_buf;
		}
	}
	n = read_file(file, buf, MAX_FILE_BYTES);
	if (n < 0) {
		fprintf(stderr, "describe: %s: %s\n", file, strerror((int)-n));
		goto out_free_buf;
	}
	if (uacd_usbdesc_parse(buf, (size_t)n, &d, err, sizeof(err))) {
		fprintf(stderr, "describe: %s: %s\n", file, err);
		goto out_free_buf;
	}
	if (uacd_describe_write(stdout, d, devfile ? &dev : NULL, json) || fflush(stdout)) {
		fprintf(stderr, "describe: cannot write output\n");
		goto out_free_model;
	}
	ret = 0;
out_free_model:
	uacd_usbdesc_free(d);
out_free_buf:
	free(buf);
	return ret;
}
