/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The USB transport: a USB Audio Class 1 or 2 device, streamed with
 * isochronous transfers from the device's RT thread.
 *
 * Selection (control thread).  The configuration descriptor is parsed into
 * the model of usb-descriptors.h; in the first supported audio function the
 * playback alt setting is the one that matches the spec's format, channels
 * and rate (by default the first PCM alt with 2 channels that offers
 * 48 kHz, else the first PCM alt); capture takes an alt with the same
 * format (the engine has one device format).  An implicit-feedback
 * playback endpoint forces the capture interface and alt it names, even
 * when its samples are not wanted: its packet sizes are what pace playback.
 * The rate is set with UAC1 endpoint SAMPLING_FREQ SET_CUR (a stall is
 * harmless: devices with one rate, QEMU's among them, stall it and the
 * kernel ignores that too) or with UAC2 clock source CUR through the clock
 * selectors on the way, then the clock's validity is checked.
 *
 * Streaming (RT thread).  The thread owns the libusb event loop of the
 * device's own libusb context: it blocks in handle_events (RCU-offline),
 * and every completion only marks its transfer done (an atomic flag: a
 * synchronous control request on the control thread may run libusb's event
 * loop, and with it our callbacks, for a moment).  After each wake-up the
 * thread processes what completed, IN before OUT so the freshest feedback
 * and capture sizes size the next playback packets:
 *
 *   capture IN     packets -> contiguous frames -> uacd_dev_capture();
 *                  each packet's frame count also feeds the implicit
 *                  feedback queue when playback is paced by it;
 *   feedback IN    uacd_fb_decode() -> uacd_pktsched_set_feedback();
 *   playback OUT   packet sizes from the scheduler (nominal for adaptive
 *                  and synchronous endpoints, the feedback value for async
 *                  ones, the capture packet sizes for implicit feedback),
 *                  one uacd_dev_play() for the whole transfer (iso packets
 *                  are contiguous in the transfer buffer), resubmit;
 *
 * then uacd_dev_cycle_end() reports the quiescent state.  The stream runs
 * from start to stop whether clients play or not (silence), as the sim's
 * does: no start-up transient when a client starts, and an unplug is seen
 * at once.  d->rt.queued counts the playback frames in flight.
 *
 * Unplug.  A transfer that completes with LIBUSB_TRANSFER_NO_DEVICE (or a
 * submit that fails with -ENODEV) ends every stream with -ENODEV, once;
 * nothing is resubmitted after it, and a byte on the "gone" pipe tells the
 * control thread, which removes the device from the server and closes its
 * USB side (hotplug.c).  Other errors are counted and the transfer is
 * resubmitted: a stall (-EPIPE) or a failed packet costs those frames,
 * never the stream.
 *
 * I/O goes through struct uacd_usb_io_ops: usb-io-libusb.c implements it
 * with libusb, tests/usbfake with a scripted device.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libusb.h>

#include "engine/device.h"
#include "engine/format.h"
#include "engine/log.h"
#include "engine/packet.h"
#include "engine/transport-libusb.h"
#include "engine/usb-control.h"

#define DEFAULT_TRANSFERS	4u
#define DEFAULT_PACKETS_MS	8u	/* per transfer, in milliseconds of packets */
#define FB_TRANSFERS		2u
#define IMPLICIT_QUEUE		512u	/* capture packet sizes kept, power of two */
#define EVENT_TIMEOUT_MS	100
#define STOP_DRAIN_MS		2000
#define MAX_SLOTS		(3u * UACD_USB_MAX_TRANSFERS)

enum xfer_kind { XFER_OUT, XFER_IN, XFER_FB };

struct xfer {
	struct libusb_transfer *t;
	struct usbt *u;
	enum xfer_kind kind;
	bool inflight;		/* RT thread only */
	int done;		/* atomic: set by the callback, cleared by the RT thread */
	uint32_t frames;	/* OUT: frames it carries */
	uint8_t *buf;
	uint32_t buf_len;
};

struct usbt {
	struct uacd_device *d;
	char spec_str[512];
	struct uacd_usb_spec spec;

	/* the bound USB instance (NULL ops = dormant) */
	const struct uacd_usb_io_ops *ops;
	void *io;
	struct uacd_usbdesc *desc;
	struct uacd_usbdesc_device devdesc;
	uint8_t bus, address;
	enum uacd_usb_speed speed;
	const struct uacd_usbdesc_function *fn;
	const struct uacd_usbdesc_alt *play_alt, *cap_alt;
	uint8_t play_iface, cap_iface;
	bool cap_deliver;	/* capture frames go to clients (else only sizing) */
	bool claimed_ac, claimed_play, claimed_cap;
	uint32_t fb_play, fb_cap;	/* bytes per frame */
	uint32_t max_pkt_play, max_pkt_cap, max_pkt_fb;
	uint32_t interval_us;

	/* volume/mute */
	uint8_t fu_id;
	uint32_t vol_chmask, mute_chmask;	/* see fu_chmask() */
	bool has_vol, has_mute;
	int32_t vol_min, vol_max, vol_res;
	int32_t vol_cur, mute_cur;
	bool vol_known;

	/* transfers */
	struct xfer x[MAX_SLOTS];
	unsigned nx;

	/* RT state */
	struct uacd_pktsched sched;
	struct uacd_fb_decoder fbdec;
	bool use_fb, implicit;
	uint32_t imp[IMPLICIT_QUEUE];
	uint64_t imp_w, imp_r;
	uint8_t *cap_buf;
	bool rt_stopping;

	/* gone */
	int gone_fd[2];
	int gone;		/* atomic */
	struct uacd_usb_info info;	/* counters: RT writes relaxed */
};

static const struct uacd_transport_ops usb_ops;

/* ---- spec (control thread) ---------------------------------------------- */

static int parse_num(const char *key, const char *v, long lo, long hi, int base, long *out,
		     char *err, size_t errlen)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, base);
	if (errno || end == v || *end || x < lo || x > hi) {
		snprintf(err, errlen, "usb: %s=%s: expected %s from %ld to %ld", key, v,
			 base == 16 ? "a hexadecimal number" : "an integer", lo, hi);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

int uacd_usb_spec_parse(const char *spec, struct uacd_usb_spec *s, char *err, size_t errlen)
{
	char buf[512], *opts, *sel, *tok, *save = NULL;
	long v;
	int ret;

	memset(s, 0, sizeof(*s));
	s->priority = -1;
	if (strncmp(spec, "usb", 3) || (spec[3] && spec[3] != ':' && spec[3] != ',')) {
		snprintf(err, errlen, "not a usb device spec: %s", spec);
		return -EINVAL;
	}
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "usb: device spec too long");
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", spec + 3);
	opts = strchr(buf, ',');
	if (opts)
		*opts++ = '\0';
	sel = buf[0] == ':' ? buf + 1 : buf;
	if (!*sel) {
		s->any = true;
	} else if (!strncmp(sel, "path=", 5)) {
		const char *p = sel + 5;

		if (!*p || strlen(p) >= sizeof(s->path) || strspn(p, "0123456789-.") != strlen(p) ||
		    !strchr(p, '-')) {
			snprintf(err, errlen, "usb: path=%s: expected BUS-PORT[.PORT...], e.g. 1-2.3", p);
			return -EINVAL;
		}
		snprintf(s->path, sizeof(s->path), "%s", p);
	} else {
		char *vid = sel, *pid = strchr(sel, ':'), *serial = NULL;

		if (!pid) {
			snprintf(err, errlen, "usb:%s: expected usb, usb:VID:PID[:SERIAL] or usb:path=BUS-PORT", sel);
			return -EINVAL;
		}
		*pid++ = '\0';
		serial = strchr(pid, ':');
		if (serial)
			*serial++ = '\0';
		ret = parse_num("vendor", vid, 0, 0xffff, 16, &v, err, errlen);
		if (ret)
			return ret;
		s->vid = (uint16_t)v;
		ret = parse_num("product", pid, 0, 0xffff, 16, &v, err, errlen);
		if (ret)
			return ret;
		s->pid = (uint16_t)v;
		s->has_id = true;
		if (serial) {
			if (!*serial || strlen(serial) >= sizeof(s->serial)) {
				snprintf(err, errlen, "usb: bad serial '%s'", serial);
				return -EINVAL;
			}
			snprintf(s->serial, sizeof(s->serial), "%s", serial);
		}
	}
	for (tok = opts ? strtok_r(opts, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *key = tok, *val;

		if (!eq) {
			snprintf(err, errlen, "usb: option '%s' needs a value (key=value)", tok);
			return -EINVAL;
		}
		*eq = '\0';
		val = eq + 1;
		ret = 0;
		if (!strcmp(key, "rate")) {
			ret = parse_num(key, val, 8000, 768000, 10, &v, err, errlen);
			s->rate = (uint32_t)v;
		} else if (!strcmp(key, "channels")) {
			ret = parse_num(key, val, 1, UACD_MAX_CHANNELS, 10, &v, err, errlen);
			s->channels = (uint32_t)v;
		} else if (!strcmp(key, "format")) {
			s->format = uacd_format_parse(val);
			if (!s->format || s->format == UACD_FMT_FLOAT_LE) {
				snprintf(err, errlen, "usb: format=%s: expected S16_LE, S24_3LE, S24_LE or S32_LE", val);
				return -EINVAL;
			}
		} else if (!strcmp(key, "transfers")) {
			ret = parse_num(key, val, 2, UACD_USB_MAX_TRANSFERS, 10, &v, err, errlen);
			s->transfers = (unsigned)v;
		} else if (!strcmp(key, "packets")) {
			ret = parse_num(key, val, 1, UACD_USB_MAX_PACKETS, 10, &v, err, errlen);
			s->packets = (unsigned)v;
		} else if (!strcmp(key, "priority")) {
			ret = parse_num(key, val, 0, 99, 10, &v, err, errlen);
			s->priority = (int)v;
		} else if (!strcmp(key, "name")) {
			if (!*val || strlen(val) >= sizeof(s->name) || strpbrk(val, " \t/:,")) {
				snprintf(err, errlen, "usb: name=%s: 1 to %zu characters, no spaces, '/', ':' or ','",
					 val, sizeof(s->name) - 1);
				return -EINVAL;
			}
			snprintf(s->name, sizeof(s->name), "%s", val);
		} else {
			snprintf(err, errlen,
				 "usb: unknown option '%s' (known: rate, channels, format, transfers, packets, priority, name)",
				 key);
			return -EINVAL;
		}
		if (ret)
			return ret;
	}
	return 0;
}

bool uacd_usb_spec_match(const struct uacd_usb_spec *s, const struct uacd_usb_probe *p)
{
	if (s->has_id && (p->dev.vendor_id != s->vid || p->dev.product_id != s->pid))
		return false;
	if (s->serial[0] && strcmp(s->serial, p->serial))
		return false;
	if (s->path[0] && strcmp(s->path, p->bus_path))
		return false;
	return true;
}

/* ---- selection (control thread) ----------------------------------------- */

static uint32_t alt_format(const struct uacd_usbdesc_alt *a)
{
	uint32_t f;

	if (!a->has_format || a->format_type != 1 || a->data_ep < 0 || !a->alsa_format)
		return 0;
	f = uacd_format_parse(a->alsa_format);
	return f == UACD_FMT_FLOAT_LE ? 0 : f;
}

/* UAC1: does the alt list the rate?  UAC2 alts say nothing (the clock decides). */
static bool alt_has_rate(const struct uacd_usbdesc_function *f, const struct uacd_usbdesc_alt *a,
			 uint32_t rate)
{
	unsigned i;

	if (f->uac_version != 1)
		return true;
	if (a->rate_continuous)
		return rate >= a->rate_min && rate <= a->rate_max;
	for (i = 0; i < a->nr_rates; i++)
		if (a->rates[i] == rate)
			return true;
	return false;
}

/*
 * The best alt of a stream: must match the format/channels/rate asked for
 * (0 = any); among the rest, 2 channels and 48 kHz are preferred, then the
 * descriptor's order.
 */
static const struct uacd_usbdesc_alt *pick_alt(const struct uacd_usbdesc_function *f,
					       const struct uacd_usbdesc_stream *st,
					       uint32_t format, uint32_t channels, uint32_t rate)
{
	const struct uacd_usbdesc_alt *best = NULL;
	int best_score = -1;
	unsigned i;

	for (i = 0; i < st->nr_alts; i++) {
		const struct uacd_usbdesc_alt *a = &st->alts[i];
		uint32_t af = alt_format(a);
		int score = 0;

		if (!af || a->alt == 0 || a->channels == 0 || a->channels > UACD_MAX_CHANNELS)
			continue;
		if ((format && af != format) || (channels && a->channels != channels) ||
		    (rate && !alt_has_rate(f, a, rate)))
			continue;
		if (a->channels == 2)
			score += 2;
		if (alt_has_rate(f, a, 48000))
			score += 1;
		if (score > best_score) {
			best = a;
			best_score = score;
		}
	}
	return best;
}

static const struct uacd_usbdesc_alt *find_alt(const struct uacd_usbdesc_function *f, uint8_t iface,
					       uint8_t alt, const struct uacd_usbdesc_stream **st_out)
{
	unsigned i, k;

	for (i = 0; i < f->nr_streams; i++) {
		if (f->streams[i].iface != iface)
			continue;
		for (k = 0; k < f->streams[i].nr_alts; k++)
			if (f->streams[i].alts[k].alt == alt) {
				*st_out = &f->streams[i];
				return &f->streams[i].alts[k];
			}
	}
	return NULL;
}

/*
 * Where a feature unit has a control: bit 0 = the master channel, else
 * bit n = logical channel n.  QEMU's device, for one, has master mute but
 * volume only on channels 1 and 2 (it stalls a master volume request).
 */
static uint32_t fu_chmask(const struct uacd_usbdesc_entity *fu, uint32_t ctl)
{
	uint32_t mask = 0;
	unsigned ch;

	if (fu->controls[0] & ctl)
		return 1;
	for (ch = 1; ch <= fu->nr_ctl_channels && ch < 32; ch++)
		if (fu->controls[ch] & ctl)
			mask |= 1u << ch;
	return mask;
}

/*
 * The feature unit on the playback path: walk downstream from the input
 * terminal the playback alt is linked to; else any feature unit with
 * volume or mute.
 */
static void pick_feature_unit(struct usbt *u)
{
	const struct uacd_usbdesc_function *f = u->fn;
	const struct uacd_usbdesc_entity *fu = NULL;
	uint8_t id = u->play_alt ? u->play_alt->terminal_link : 0;
	unsigned hops, i, k;

	for (hops = 0; id && hops < 16 && !fu; hops++) {
		uint8_t next = 0;

		for (i = 0; i < f->nr_entities && !next; i++) {
			const struct uacd_usbdesc_entity *e = &f->entities[i];

			for (k = 0; k < e->nr_sources; k++)
				if (e->sources[k] == id && e->type != UACD_USBDESC_CLOCK_SOURCE &&
				    e->type != UACD_USBDESC_CLOCK_SELECTOR &&
				    e->type != UACD_USBDESC_CLOCK_MULTIPLIER) {
					next = e->id;
					if (e->type == UACD_USBDESC_FEATURE_UNIT)
						fu = e;
					break;
				}
		}
		id = next;
	}
	for (i = 0; !fu && i < f->nr_entities; i++)
		if (f->entities[i].type == UACD_USBDESC_FEATURE_UNIT)
			fu = &f->entities[i];
	u->fu_id = 0;
	u->has_vol = u->has_mute = false;
	if (!fu || !fu->controls)
		return;
	u->fu_id = fu->id;
	u->vol_chmask = fu_chmask(fu, UACD_USBDESC_FU_VOLUME);
	u->mute_chmask = fu_chmask(fu, UACD_USBDESC_FU_MUTE);
	u->has_vol = u->vol_chmask != 0;
	u->has_mute = u->mute_chmask != 0;
}

static int ctl_xfer(void *arg, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
		    uint8_t *data, uint16_t len)
{
	struct usbt *u = arg;

	return u->ops->control(u->io, type, req, value, index, data, len);
}

static struct uacd_usbctl usbctl(struct usbt *u)
{
	struct uacd_usbctl c = { .xfer = ctl_xfer, .io = u };

	return c;
}

static int clock_rates(struct usbt *u, uint32_t *rates, unsigned max)
{
	struct uacd_usbctl c = usbctl(u);
	const struct uacd_usbdesc_alt *a = u->play_alt ? u->play_alt : u->cap_alt;

	if (u->fn->uac_version == 1) {
		unsigned n = 0, i;

		if (a->rate_continuous) {
			static const uint32_t std[] = { 8000, 11025, 16000, 22050, 32000, 44100, 48000,
							88200, 96000, 176400, 192000 };

			for (i = 0; i < sizeof(std) / sizeof(std[0]) && n < max; i++)
				if (std[i] >= a->rate_min && std[i] <= a->rate_max)
					rates[n++] = std[i];
		} else {
			for (i = 0; i < a->nr_rates && n < max; i++)
				rates[n++] = a->rates[i];
		}
		return (int)n;
	}
	return uacd_uac2_clock_rates(&c, u->fn->ac_iface, a->clock_source_id, rates, max);
}

/* UAC2: route the alt's clock through selectors to its clock source. */
static int uac2_route_clock(struct usbt *u, uint8_t id, uint8_t target, unsigned depth)
{
	const struct uacd_usbdesc_entity *e = uacd_usbdesc_find_entity(u->fn, id);
	struct uacd_usbctl c = usbctl(u);
	unsigned i;

	if (!e || depth > 8)
		return -ENOENT;
	if (id == target)
		return 0;
	if (e->type == UACD_USBDESC_CLOCK_MULTIPLIER)
		return e->nr_sources ? uac2_route_clock(u, e->sources[0], target, depth + 1) : -ENOENT;
	if (e->type != UACD_USBDESC_CLOCK_SELECTOR)
		return -ENOENT;
	for (i = 0; i < e->nr_sources; i++)
		if (uac2_route_clock(u, e->sources[i], target, depth + 1) == 0) {
			int ret = uacd_uac2_set_clock_selector(&c, u->fn->ac_iface, id, (uint8_t)(i + 1));

			/* read-only selectors stall: fine if it already points there */
			return ret == -EPIPE ? 0 : ret;
		}
	return -ENOENT;
}

static int set_rate_hw(struct usbt *u, uint32_t rate, char *err, size_t errlen)
{
	struct uacd_usbctl c = usbctl(u);
	const struct uacd_usbdesc_alt *alts[2] = { u->play_alt, u->cap_alt };
	int ret, i;

	if (u->fn->uac_version == 1) {
		for (i = 0; i < 2; i++) {
			const struct uacd_usbdesc_alt *a = alts[i];

			if (!a)
				continue;
			ret = uacd_uac1_set_ep_rate(&c, a->eps[a->data_ep].address, rate);
			if (ret == -EPIPE) {
				uacd_dbg("usb: endpoint 0x%02x stalled SAMPLING_FREQ (fixed rate): ignored",
					 a->eps[a->data_ep].address);
				continue;
			}
			if (ret) {
				snprintf(err, errlen, "usb: cannot set %u Hz on endpoint 0x%02x: %s", rate,
					 a->eps[a->data_ep].address, strerror(-ret));
				return ret;
			}
		}
		return 0;
	}
	for (i = 0; i < 2; i++) {
		const struct uacd_usbdesc_alt *a = alts[i];

		if (!a || (i == 1 && u->play_alt && a->clock_source_id == u->play_alt->clock_source_id))
			continue;
		ret = uac2_route_clock(u, a->clock_id, a->clock_source_id, 0);
		if (ret && ret != -ENOENT) {
			snprintf(err, errlen, "usb: cannot select clock %u: %s", a->clock_source_id, strerror(-ret));
			return ret;
		}
		ret = uacd_uac2_set_clock_rate(&c, u->fn->ac_iface, a->clock_source_id, rate);
		if (ret && ret != -EPIPE) {
			snprintf(err, errlen, "usb: cannot set clock %u to %u Hz: %s", a->clock_source_id, rate,
				 strerror(-ret));
			return ret;
		}
		ret = uacd_uac2_clock_valid(&c, u->fn->ac_iface, a->clock_source_id);
		if (ret == 0) {
			snprintf(err, errlen, "usb: clock %u is not valid at %u Hz", a->clock_source_id, rate);
			return -EIO;
		}
	}
	return 0;
}

/* ---- volume (control thread) -------------------------------------------- */

static uint32_t fu_mask(struct usbt *u, uint8_t cs)
{
	return cs == UACD_FU_VOLUME_CONTROL ? u->vol_chmask : u->mute_chmask;
}

/* Reads the first channel that has the control (all are set alike). */
static int fu_get(struct usbt *u, uint8_t cs, enum uacd_usbctl_req req, int32_t *v)
{
	struct uacd_usbctl c = usbctl(u);
	uint32_t mask = fu_mask(u, cs);
	uint8_t ch = 0;

	while (ch < 31 && !(mask & (1u << ch)))
		ch++;
	return uacd_fu_get(&c, u->fn->uac_version, u->fn->ac_iface, u->fu_id, cs, ch, req, v);
}

static int fu_set(struct usbt *u, uint8_t cs, int32_t v)
{
	struct uacd_usbctl c = usbctl(u);
	uint32_t mask = fu_mask(u, cs);
	unsigned ch;
	int ret;

	for (ch = 0; ch < 32; ch++) {
		if (!(mask & (1u << ch)))
			continue;
		ret = uacd_fu_set(&c, u->fn->uac_version, u->fn->ac_iface, u->fu_id, cs, (uint8_t)ch, v);
		if (ret)
			return ret;
	}
	return 0;
}

static int read_volume_range(struct usbt *u)
{
	int ret;

	ret = fu_get(u, UACD_FU_VOLUME_CONTROL, UACD_REQ_MIN, &u->vol_min);
	if (!ret)
		ret = fu_get(u, UACD_FU_VOLUME_CONTROL, UACD_REQ_MAX, &u->vol_max);
	if (!ret)
		ret = fu_get(u, UACD_FU_VOLUME_CONTROL, UACD_REQ_RES, &u->vol_res);
	if (ret)
		return ret;
	if (u->vol_min > u->vol_max)
		return -EPROTO;
	if (u->vol_res <= 0)
		u->vol_res = 1;
	return 0;
}

/*
 * Start at unity: uacd puts the feature unit at the top of its range and
 * unmutes it (or restores what a client set before a re-plug).  The
 * kernel leaves the device's own default, which on QEMU's device is about
 * 0.5 dB below its unity gain (raw 0x0800 = +8 dB is unity there).
 */
static void apply_initial_volume(struct usbt *u)
{
	int ret;

	if (!u->fu_id)
		return;
	if (u->has_vol) {
		ret = read_volume_range(u);
		if (ret) {
			uacd_warn("%s: feature unit %u: cannot read the volume range: %s", u->d->name,
				  u->fu_id, strerror(-ret));
			u->has_vol = false;
		} else {
			if (!u->vol_known)
				u->vol_cur = u->vol_max;
			ret = fu_set(u, UACD_FU_VOLUME_CONTROL, u->vol_cur);
			if (ret)
				uacd_warn("%s: cannot set the volume: %s", u->d->name, strerror(-ret));
		}
	}
	if (u->has_mute) {
		if (!u->vol_known)
			u->mute_cur = 0;
		ret = fu_set(u, UACD_FU_MUTE_CONTROL, u->mute_cur);
		if (ret)
			uacd_warn("%s: cannot set mute: %s", u->d->name, strerror(-ret));
	}
	u->vol_known = true;
}

static int usb_control(struct uacd_device *d, const char *name, bool set, int32_t *value,
		       int32_t *min, int32_t *max, int32_t *res)
{
	struct usbt *u = d->tp;
	int ret;

	if (!u->ops || __atomic_load_n(&u->gone, __ATOMIC_ACQUIRE))
		return -ENODEV;
	if (!strcmp(name, "volume")) {
		if (!u->has_vol)
			return -ENOENT;
		if (set) {
			if (*value < u->vol_min || *value > u->vol_max)
				return -EINVAL;
			ret = fu_set(u, UACD_FU_VOLUME_CONTROL, *value);
			if (ret)
				return ret;
			u->vol_cur = *value;
		}
		ret = fu_get(u, UACD_FU_VOLUME_CONTROL, UACD_REQ_CUR, value);
		if (ret)
			return ret;
		*min = u->vol_min;
		*max = u->vol_max;
		*res = u->vol_res;
		return 0;
	}
	if (!strcmp(name, "mute")) {
		if (!u->has_mute)
			return -ENOENT;
		if (set) {
			if (*value != 0 && *value != 1)
				return -EINVAL;
			ret = fu_set(u, UACD_FU_MUTE_CONTROL, *value);
			if (ret)
				return ret;
			u->mute_cur = *value;
		}
		ret = fu_get(u, UACD_FU_MUTE_CONTROL, UACD_REQ_CUR, value);
		if (ret)
			return ret;
		*value = *value ? 1 : 0;
		*min = 0;
		*max = 1;
		*res = 1;
		return 0;
	}
	return -ENOENT;
}

/* ---- binding a USB instance (control thread) ---------------------------- */

static void free_transfers(struct usbt *u)
{
	unsigned i;

	for (i = 0; i < u->nx; i++) {
		if (u->x[i].t)
			u->ops->free_transfer(u->io, u->x[i].t);
		free(u->x[i].buf);
		memset(&u->x[i], 0, sizeof(u->x[i]));
	}
	u->nx = 0;
	free(u->cap_buf);
	u->cap_buf = NULL;
}

static void LIBUSB_CALL xfer_done(struct libusb_transfer *t)
{
	struct xfer *x = t->user_data;

	/* May run on the control thread (see the top): only publish. */
	__atomic_store_n(&x->done, 1, __ATOMIC_RELEASE);
}

static int add_xfer(struct usbt *u, enum xfer_kind kind, uint8_t ep, unsigned packets,
		    uint32_t pkt_bytes)
{
	struct xfer *x = &u->x[u->nx];

	if (u->nx >= MAX_SLOTS)
		return -ENOSPC;
	x->t = u->ops->alloc_transfer(u->io, (int)packets);
	x->buf_len = packets * pkt_bytes;
	x->buf = calloc(1, x->buf_len ? x->buf_len : 1);
	if (!x->t || !x->buf)
		return -ENOMEM;
	x->u = u;
	x->kind = kind;
	libusb_fill_iso_transfer(x->t, NULL, ep, x->buf, (int)x->buf_len, (int)packets, xfer_done, x,
				 0);
	libusb_set_iso_packet_lengths(x->t, pkt_bytes);
	u->nx++;
	return 0;
}

static void release_all(struct usbt *u)
{
	/*
	 * A device that has gone is not touched: closing the handle releases
	 * everything, and libusb 1.0.26 returns from
	 * libusb_set_interface_alt_setting() on a disconnected device with the
	 * handle's lock still held (fixed in 1.0.27), so the libusb_close()
	 * that follows would abort.
	 */
	if (__atomic_load_n(&u->gone, __ATOMIC_ACQUIRE)) {
		u->claimed_play = u->claimed_cap = u->claimed_ac = false;
		return;
	}
	/*
	 * Streaming interfaces first, AudioControl last: releasing the AC
	 * interface gives it back to snd-usb-audio (auto-detach), whose probe
	 * then claims the streaming interfaces: they must be free by then.
	 */
	if (u->claimed_play) {
		u->ops->set_alt(u->io, u->play_iface, 0);
		u->ops->release(u->io, u->play_iface);
	}
	if (u->claimed_cap) {
		u->ops->set_alt(u->io, u->cap_iface, 0);
		u->ops->release(u->io, u->cap_iface);
	}
	if (u->claimed_ac)
		u->ops->release(u->io, u->fn->ac_iface);
	u->claimed_play = u->claimed_cap = u->claimed_ac = false;
}

static void unbind(struct usbt *u)
{
	if (!u->ops)
		return;
	release_all(u);
	free_transfers(u);
	u->ops->close(u->io);
	u->ops = NULL;
	u->io = NULL;
	uacd_usbdesc_free(u->desc);
	u->desc = NULL;
	u->fn = NULL;
	u->play_alt = u->cap_alt = NULL;
	u->bus = u->address = 0;
}

static const char *speed_name(enum uacd_usb_speed s)
{
	return uacd_usbdesc_speed_name(s);
}

/*
 * Parse, select and claim.  When `d` already has a format (re-plug into a
 * dormant device) the selection must give the same format, channels and
 * buffer size: -EBUSY otherwise.
 */
static int bind(struct usbt *u, const struct uacd_usb_probe *p, const struct uacd_usb_io_ops *ops,
		void *io, bool rebind, char *err, size_t errlen)
{
	struct uacd_device *d = u->d;
	const struct uacd_usbdesc_stream *pst = NULL, *cst = NULL;
	const struct uacd_usbdesc_alt *pa = NULL, *ca = NULL;
	uint32_t format = u->spec.format, rate = u->spec.rate, rates[UACD_MAX_RATES];
	unsigned i, packets, transfers, max_frames;
	int n_rates, ret;

	u->ops = ops;
	u->io = io;
	u->devdesc = p->dev;
	u->bus = p->bus;
	u->address = p->address;
	ret = uacd_usbdesc_parse(p->cfg, p->cfg_len, &u->desc, err, errlen);
	if (ret)
		goto err_unbind;
	for (i = 0; i < u->desc->nr_functions; i++)
		if (u->desc->functions[i].supported && u->desc->functions[i].nr_streams) {
			u->fn = &u->desc->functions[i];
			break;
		}
	if (!u->fn) {
		snprintf(err, errlen, "usb %04x:%04x: no supported USB audio function%s%s",
			 p->dev.vendor_id, p->dev.product_id,
			 u->desc->nr_functions ? ": " : "",
			 u->desc->nr_functions ? u->desc->functions[0].note : "");
		ret = -ENODEV;
		goto err_unbind;
	}
	u->speed = p->speed ? p->speed : uacd_usbdesc_infer_speed(&p->dev, u->desc);

	/* playback */
	for (i = 0; i < u->fn->nr_streams && !pa; i++) {
		if (u->fn->streams[i].dir != UACD_USBDESC_DIR_PLAYBACK)
			continue;
		pa = pick_alt(u->fn, &u->fn->streams[i], format, u->spec.channels, rate);
		if (pa)
			pst = &u->fn->streams[i];
	}
	if (pa)
		format = alt_format(pa);
	/* capture: the implicit feedback source if there is one, else the best with our format */
	if (pa && pa->implicit_fb) {
		ca = find_alt(u->fn, pa->implicit_fb_iface, pa->implicit_fb_alt, &cst);
		if (!ca) {
			snprintf(err, errlen, "usb: implicit feedback source interface %u alt %u not found",
				 pa->implicit_fb_iface, pa->implicit_fb_alt);
			ret = -ENODEV;
			goto err_unbind;
		}
	} else {
		for (i = 0; i < u->fn->nr_streams && !ca; i++) {
			if (u->fn->streams[i].dir != UACD_USBDESC_DIR_CAPTURE)
				continue;
			ca = pick_alt(u->fn, &u->fn->streams[i], format, pa ? 0 : u->spec.channels, rate);
			if (!ca && pa)
				ca = pick_alt(u->fn, &u->fn->streams[i], format, 0, 0);
			if (ca)
				cst = &u->fn->streams[i];
		}
	}
	if (!pa && !ca) {
		snprintf(err, errlen, "usb %04x:%04x: no streaming alt setting matches%s%s%s",
			 p->dev.vendor_id, p->dev.product_id,
			 u->spec.format ? " format " : "", u->spec.format ? uacd_format_name(u->spec.format) : "",
			 u->spec.channels || u->spec.rate ? " (channels/rate as asked)" : "");
		ret = -ENODEV;
		goto err_unbind;
	}
	if (!pa)
		format = alt_format(ca);
	u->play_alt = pa;
	u->cap_alt = ca;
	u->play_iface = pst ? pst->iface : 0;
	u->cap_iface = cst ? cst->iface : 0;
	u->cap_deliver = ca && alt_format(ca) == format;
	u->implicit = pa && pa->implicit_fb && ca;

	/* claim: AudioControl first (that detaches snd-usb-audio from all of them) */
	ret = ops->claim(io, u->fn->ac_iface);
	if (ret) {
		snprintf(err, errlen, "usb %04x:%04x: cannot claim interface %u: %s", p->dev.vendor_id,
			 p->dev.product_id, u->fn->ac_iface, strerror(-ret));
		goto err_unbind;
	}
	u->claimed_ac = true;
	if (pa) {
		ret = ops->claim(io, u->play_iface);
		if (ret) {
			snprintf(err, errlen, "usb: cannot claim interface %u: %s", u->play_iface, strerror(-ret));
			goto err_unbind;
		}
		u->claimed_play = true;
	}
	if (ca) {
		ret = ops->claim(io, u->cap_iface);
		if (ret) {
			snprintf(err, errlen, "usb: cannot claim interface %u: %s", u->cap_iface, strerror(-ret));
			goto err_unbind;
		}
		u->claimed_cap = true;
	}

	/* rates */
	n_rates = clock_rates(u, rates, UACD_MAX_RATES);
	if (n_rates <= 0) {
		snprintf(err, errlen, "usb: cannot read the sample rates: %s",
			 n_rates ? strerror(-n_rates) : "none offered");
		ret = n_rates ? n_rates : -ENODEV;
		goto err_unbind;
	}
	if (rebind)
		rate = d->rate;
	if (!rate) {
		rate = rates[0];
		for (i = 0; i < (unsigned)n_rates; i++)
			if (rates[i] == 48000)
				rate = 48000;
	}
	for (i = 0; i < (unsigned)n_rates && rates[i] != rate; i++)
		;
	if (i == (unsigned)n_rates) {
		snprintf(err, errlen, "usb %04x:%04x: rate %u Hz not offered", p->dev.vendor_id,
			 p->dev.product_id, rate);
		ret = -EINVAL;
		goto err_unbind;
	}

	/* geometry */
	u->fb_play = pa ? uacd_format_bytes(format) * pa->channels : 0;
	u->fb_cap = ca ? (uint32_t)ca->subslot * ca->channels : 0;
	if (pa) {
		const struct uacd_usbdesc_endpoint *ep = &pa->eps[pa->data_ep];

		u->interval_us = uacd_usbdesc_interval_us(ep->interval, u->speed);
		u->max_pkt_play = uacd_usbdesc_ep_bytes_per_interval(ep);
	}
	if (ca) {
		const struct uacd_usbdesc_endpoint *ep = &ca->eps[ca->data_ep];

		if (!pa)
			u->interval_us = uacd_usbdesc_interval_us(ep->interval, u->speed);
		u->max_pkt_cap = uacd_usbdesc_ep_bytes_per_interval(ep);
	}
	if (!u->interval_us || 1000000u % u->interval_us) {
		snprintf(err, errlen, "usb: unsupported endpoint interval");
		ret = -EINVAL;
		goto err_unbind;
	}
	if (rebind && (format != d->format || (pa ? pa->channels : 0) != d->play_ch ||
		       (u->cap_deliver ? ca->channels : 0) != d->cap_ch)) {
		snprintf(err, errlen, "usb: the re-plugged device offers another format");
		ret = -EBUSY;
		goto err_unbind;
	}
	transfers = u->spec.transfers ? u->spec.transfers : DEFAULT_TRANSFERS;
	packets = u->spec.packets ? u->spec.packets :
		  DEFAULT_PACKETS_MS * 1000u / u->interval_us;
	if (packets > UACD_USB_MAX_PACKETS)
		packets = UACD_USB_MAX_PACKETS;
	if (!packets)
		packets = 1;
	max_frames = packets * ((pa ? u->max_pkt_play / u->fb_play : 0) > (ca ? u->max_pkt_cap / u->fb_cap : 0) ?
				pa ? u->max_pkt_play / u->fb_play : 0 : ca ? u->max_pkt_cap / u->fb_cap : 0);
	if (rebind && max_frames > d->max_frames) {
		snprintf(err, errlen, "usb: the re-plugged device has larger packets");
		ret = -EBUSY;
		goto err_unbind;
	}

	/* fill the engine's view */
	if (!rebind) {
		d->format = format;
		d->rate = rate;
		d->n_rates = (uint32_t)n_rates;
		memcpy(d->rates, rates, sizeof(rates[0]) * (size_t)n_rates);
		d->play_ch = pa ? pa->channels : 0;
		d->cap_ch = u->cap_deliver ? ca->channels : 0;
		d->max_frames = max_frames;
	}
	d->latency_frames = rate / 1000u;
	d->usb.cls = 1;
	d->usb.subcls = 1;
	d->usb.vid = p->dev.vendor_id;
	d->usb.pid = p->dev.product_id;
	snprintf(d->usb.serial, sizeof(d->usb.serial), "%s", p->serial);
	snprintf(d->usb.bus_path, sizeof(d->usb.bus_path), "%s", p->bus_path);

	ret = set_rate_hw(u, rate, err, errlen);
	if (ret)
		goto err_unbind;

	/* transfers */
	if (pa) {
		const struct uacd_usbdesc_endpoint *ep = &pa->eps[pa->data_ep];
		uint8_t fb_addr = pa->fb_ep >= 0 ? pa->eps[pa->fb_ep].address : pa->fb_address;

		for (i = 0; i < transfers && !ret; i++)
			ret = add_xfer(u, XFER_OUT, ep->address, packets, u->max_pkt_play);
		u->use_fb = false;
		if (!ret && !u->implicit && fb_addr && (fb_addr & 0x80)) {
			u->max_pkt_fb = pa->fb_ep >= 0 ? uacd_usbdesc_ep_bytes_per_interval(&pa->eps[pa->fb_ep]) : 4;
			if (!u->max_pkt_fb || u->max_pkt_fb > 8)
				u->max_pkt_fb = 4;
			for (i = 0; i < FB_TRANSFERS && !ret; i++)
				ret = add_xfer(u, XFER_FB, fb_addr, packets, u->max_pkt_fb);
			u->use_fb = true;
		}
		u->info.play_ep = ep->address;
		u->info.fb_ep = u->use_fb ? fb_addr : 0;
		u->info.play_sync = ep->sync;
	}
	if (ca && !ret) {
		for (i = 0; i < transfers && !ret; i++)
			ret = add_xfer(u, XFER_IN, ca->eps[ca->data_ep].address, packets, u->max_pkt_cap);
		u->cap_buf = calloc((size_t)packets, u->max_pkt_cap);
		if (!u->cap_buf)
			ret = -ENOMEM;
		u->info.cap_ep = ca->eps[ca->data_ep].address;
	}
	if (ret) {
		snprintf(err, errlen, "usb: cannot allocate transfers: %s", strerror(-ret));
		goto err_unbind;
	}
	u->info.uac_version = u->fn->uac_version;
	u->info.play_iface = u->play_iface;
	u->info.play_alt = pa ? pa->alt : 0;
	u->info.cap_iface = u->cap_iface;
	u->info.cap_alt = ca ? ca->alt : 0;
	u->info.implicit_fb = u->implicit;
	u->info.interval_us = u->interval_us;
	u->info.max_packet = u->max_pkt_play;
	u->info.transfers = transfers;
	u->info.packets = packets;
	pick_feature_unit(u);
	u->info.fu_id = u->fu_id;
	__atomic_store_n(&u->gone, 0, __ATOMIC_RELEASE);
	uacd_info("usb %04x:%04x at %s (%s speed, UAC%d): playback %s%s%u ch alt %u ep 0x%02x %s%s, capture %s alt %u, %u Hz",
		  p->dev.vendor_id, p->dev.product_id, p->bus_path[0] ? p->bus_path : "?", speed_name(u->speed),
		  u->fn->uac_version, pa ? uacd_format_name(format) : "none", pa ? " " : "", d->play_ch,
		  u->info.play_alt, u->info.play_ep, pa ? uacd_usbdesc_sync_name(pa->eps[pa->data_ep].sync) : "-",
		  u->implicit ? " (implicit feedback)" : u->use_fb ? " (explicit feedback)" : "",
		  ca ? (u->cap_deliver ? "yes" : "sizing only") : "none", u->info.cap_alt, rate);
	return 0;

err_unbind:
	if (u->ops) {
		release_all(u);
		free_transfers(u);
	}
	uacd_usbdesc_free(u->desc);
	u->desc = NULL;
	u->fn = NULL;
	u->ops = NULL;
	u->io = NULL;
	return ret;
}

/* ---- the RT loop --------------------------------------------------------- */

/* rt */
static void mark_gone(struct usbt *u)
{
	static const uint8_t one = 1;
	ssize_t r;

	if (__atomic_load_n(&u->gone, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&u->gone, 1, __ATOMIC_RELEASE);
	u->info.gone = true;
	uacd_dev_fail_streams(u->d, -ENODEV);
	uacd_rtlog(UACD_LOG_WARNING, u->d->name, "device disconnected; streams ended", 0, 0, 0);
	r = write(u->gone_fd[1], &one, 1);
	(void)r;
}

/* rt: sizes and data of an OUT transfer. */
static void fill_out(struct usbt *u, struct xfer *x, uint64_t now)
{
	struct libusb_transfer *t = x->t;
	uint32_t total = 0;
	int p;

	for (p = 0; p < t->num_iso_packets; p++) {
		uint32_t n;

		if (u->implicit && u->imp_w != u->imp_r)
			n = u->imp[u->imp_r++ & (IMPLICIT_QUEUE - 1)];
		else
			n = uacd_pktsched_next(&u->sched);
		if (n * u->fb_play > u->max_pkt_play)
			n = u->max_pkt_play / u->fb_play;
		t->iso_packet_desc[p].length = n * u->fb_play;
		total += n;
	}
	uacd_dev_play(u->d, x->buf, total, now);
	t->length = (int)(total * u->fb_play);
	x->frames = total;
}

/* rt: submit; -ENODEV marks the device gone. */
static void submit(struct usbt *u, struct xfer *x)
{
	int ret;

	if (x->kind == XFER_OUT)
		u->d->rt.queued += x->frames;
	ret = u->ops->submit(u->io, x->t);
	if (ret == 0) {
		x->inflight = true;
		return;
	}
	if (x->kind == XFER_OUT)
		u->d->rt.queued -= x->frames;
	if (ret == -ENODEV) {
		mark_gone(u);
		return;
	}
	__atomic_fetch_add(&u->info.resubmit_failures, 1, __ATOMIC_RELAXED);
	uacd_rtlog(UACD_LOG_WARNING, u->d->name, "cannot submit a transfer (errno %lld); retrying",
		   -ret, 0, 0);
}

/* rt: submit every idle transfer (start, and retries of failed submits). */
static void submit_idle(struct usbt *u, uint64_t now)
{
	unsigned i;
	int k;

	for (k = 0; k < 3; k++)	/* IN and feedback first: they pace OUT */
		for (i = 0; i < u->nx; i++) {
			struct xfer *x = &u->x[i];
			struct libusb_transfer *t = x->t;
			int p;

			if (x->inflight || __atomic_load_n(&x->done, __ATOMIC_ACQUIRE) ||
			    (k == 0 && x->kind != XFER_IN) || (k == 1 && x->kind != XFER_FB) ||
			    (k == 2 && x->kind != XFER_OUT))
				continue;
			if (__atomic_load_n(&u->gone, __ATOMIC_RELAXED) || u->rt_stopping)
				return;
			if (x->kind == XFER_OUT) {
				fill_out(u, x, now);
			} else {
				for (p = 0; p < t->num_iso_packets; p++)
					t->iso_packet_desc[p].length = x->kind == XFER_IN ? u->max_pkt_cap : u->max_pkt_fb;
				t->length = (int)x->buf_len;
			}
			submit(u, x);
		}
}

/* rt: a completed capture transfer. */
static void complete_in(struct usbt *u, struct xfer *x, uint64_t now)
{
	struct libusb_transfer *t = x->t;
	uint32_t total = 0, off = 0;
	int p;

	for (p = 0; p < t->num_iso_packets; p++) {
		const struct libusb_iso_packet_descriptor *pd = &t->iso_packet_desc[p];
		uint32_t n = 0;

		if (pd->status == LIBUSB_TRANSFER_COMPLETED && pd->actual_length <= u->max_pkt_cap) {
			n = pd->actual_length / u->fb_cap;
			if (u->cap_deliver)
				memcpy(u->cap_buf + (size_t)total * u->fb_cap, x->buf + off,
				       (size_t)n * u->fb_cap);
			total += n;
		} else {
			__atomic_fetch_add(&u->info.errors, 1, __ATOMIC_RELAXED);
			/* a lost packet still took an interval: pace playback nominally */
			n = (uint32_t)(((uint64_t)u->d->rate * u->interval_us + 500000u) / 1000000u);
		}
		if (u->implicit) {
			/* drop the oldest when playback does not keep up */
			if (u->imp_w - u->imp_r >= IMPLICIT_QUEUE)
				u->imp_r++;
			u->imp[u->imp_w++ & (IMPLICIT_QUEUE - 1)] = n;
		}
		off += pd->length;
	}
	__atomic_fetch_add(&u->info.in_packets, (uint64_t)t->num_iso_packets, __ATOMIC_RELAXED);
	if (u->cap_deliver && total)
		uacd_dev_capture(u->d, u->cap_buf, total, now);
}

/* rt: a completed feedback transfer: the last value that decodes wins. */
static void complete_fb(struct usbt *u, struct xfer *x)
{
	struct libusb_transfer *t = x->t;
	uint32_t off = 0, q16;
	int p;

	for (p = 0; p < t->num_iso_packets; p++) {
		const struct libusb_iso_packet_descriptor *pd = &t->iso_packet_desc[p];

		if (pd->status == LIBUSB_TRANSFER_COMPLETED && pd->actual_length &&
		    uacd_fb_decode(&u->fbdec, x->buf + off, (int)pd->actual_length, &q16) == 0) {
			uacd_pktsched_set_feedback(&u->sched, q16);
			__atomic_store_n(&u->info.fb_q16, q16, __ATOMIC_RELAXED);
		}
		off += pd->length;
	}
	__atomic_fetch_add(&u->info.fb_packets, (uint64_t)t->num_iso_packets, __ATOMIC_RELAXED);
}

/* rt: handle one completed transfer; true when it should be resubmitted. */
static bool complete(struct usbt *u, struct xfer *x, uint64_t now)
{
	struct libusb_transfer *t = x->t;

	x->inflight = false;
	if (x->kind == XFER_OUT) {
		u->d->rt.queued -= x->frames;
		__atomic_fetch_add(&u->info.out_packets, (uint64_t)t->num_iso_packets, __ATOMIC_RELAXED);
	}
	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		/* unplugged: end the streams once, resubmit nothing */
		mark_gone(u);
		return false;
	case LIBUSB_TRANSFER_CANCELLED:
		/* we are stopping */
		return false;
	case LIBUSB_TRANSFER_STALL:
		/* -EPIPE: the frames in it are lost, the stream is not */
		__atomic_fetch_add(&u->info.stalls, 1, __ATOMIC_RELAXED);
		return true;
	default:
		/* ERROR, TIMED_OUT, OVERFLOW: count, carry on */
		__atomic_fetch_add(&u->info.errors, 1, __ATOMIC_RELAXED);
		return true;
	}
	if (x->kind == XFER_IN)
		complete_in(u, x, now);
	else if (x->kind == XFER_FB)
		complete_fb(u, x);
	return true;
}

/* rt: one wait for completions and everything that follows from them. */
static int rt_iterate(struct usbt *u, int timeout_ms)
{
	struct uacd_device *d = u->d;
	uint64_t now;
	unsigned i;
	int k;

	now = uacd_now_ns();
	submit_idle(u, now);
	rcu_thread_offline();
	u->ops->handle_events(u->io, timeout_ms);
	rcu_thread_online();
	d->rt.cycle_start_ns = now = uacd_now_ns();
	for (k = 0; k < 2; k++)	/* IN and feedback first, then OUT */
		for (i = 0; i < u->nx; i++) {
			struct xfer *x = &u->x[i];

			if ((k == 0) != (x->kind != XFER_OUT))
				continue;
			if (!__atomic_load_n(&x->done, __ATOMIC_ACQUIRE))
				continue;
			__atomic_store_n(&x->done, 0, __ATOMIC_RELAXED);
			if (!complete(u, x, now) || __atomic_load_n(&u->gone, __ATOMIC_RELAXED) ||
			    u->rt_stopping)
				continue;
			if (x->kind == XFER_OUT) {
				fill_out(u, x, now);
			} else {
				int p;

				for (p = 0; p < x->t->num_iso_packets; p++)
					x->t->iso_packet_desc[p].length =
						x->kind == XFER_IN ? u->max_pkt_cap : u->max_pkt_fb;
				x->t->length = (int)x->buf_len;
			}
			submit(u, x);
		}
	uacd_dev_cycle_end(d);
	return __atomic_load_n(&u->gone, __ATOMIC_RELAXED) ? -ENODEV : 0;
}

static unsigned inflight(struct usbt *u)
{
	unsigned i, n = 0;

	for (i = 0; i < u->nx; i++)
		if (u->x[i].inflight)
			n++;
	return n;
}

/* rt (or a test thread): cancel everything and collect the completions. */
static void rt_drain(struct usbt *u)
{
	uint64_t until = uacd_now_ns() + STOP_DRAIN_MS * 1000000ull;
	unsigned i;

	u->rt_stopping = true;
	for (i = 0; i < u->nx; i++)
		if (u->x[i].inflight)
			u->ops->cancel(u->io, u->x[i].t);
	while (inflight(u) && uacd_now_ns() < until) {
		rcu_thread_offline();
		u->ops->handle_events(u->io, 50);
		rcu_thread_online();
		for (i = 0; i < u->nx; i++)
			if (__atomic_load_n(&u->x[i].done, __ATOMIC_ACQUIRE)) {
				__atomic_store_n(&u->x[i].done, 0, __ATOMIC_RELAXED);
				u->x[i].inflight = false;
				if (u->x[i].kind == XFER_OUT)
					u->d->rt.queued -= u->x[i].frames;
			}
		uacd_dev_cycle_end(u->d);
	}
	if (inflight(u))
		uacd_rtlog(UACD_LOG_WARNING, u->d->name, "%lld transfers did not come back at stop",
			   inflight(u), 0, 0);
}

static void *usb_rt_main(void *arg)
{
	struct uacd_device *d = arg;
	struct usbt *u = d->tp;

	uacd_dev_rt_enter(d);
	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE))
		rt_iterate(u, EVENT_TIMEOUT_MS);
	rt_drain(u);
	uacd_dev_rt_leave(d);
	return NULL;
}

/* ---- transport ops (control thread) ------------------------------------- */

static int prepare_stream(struct usbt *u)
{
	struct uacd_device *d = u->d;
	uint32_t max_pkt_frames = u->fb_play ? u->max_pkt_play / u->fb_play : 0;
	bool hs = u->speed >= UACD_USB_SPEED_HIGH;
	unsigned i;
	int ret;

	ret = uacd_pktsched_init(&u->sched, d->rate, u->interval_us, max_pkt_frames);
	if (ret)
		return ret;
	ret = uacd_fb_decoder_init(&u->fbdec, d->rate, u->interval_us, hs);
	if (ret && u->use_fb)
		return ret;
	u->imp_w = u->imp_r = 0;
	u->rt_stopping = false;
	d->rt.queued = 0;
	for (i = 0; i < u->nx; i++) {
		u->x[i].inflight = false;
		u->x[i].done = 0;
		u->x[i].frames = 0;
	}
	if (u->play_alt) {
		ret = u->ops->set_alt(u->io, u->play_iface, u->play_alt->alt);
		if (ret)
			return ret;
	}
	if (u->cap_alt) {
		ret = u->ops->set_alt(u->io, u->cap_iface, u->cap_alt->alt);
		if (ret)
			return ret;
	}
	return 0;
}

static int usb_start(struct uacd_device *d)
{
	struct usbt *u = d->tp;
	int ret;

	if (!u->ops)
		return -ENODEV;
	ret = prepare_stream(u);
	if (ret) {
		uacd_err("%s: cannot select the streaming alt settings: %s", d->name, strerror(-ret));
		return ret;
	}
	return uacd_dev_spawn_rt(d, usb_rt_main);
}

static void usb_stop(struct uacd_device *d)
{
	struct usbt *u = d->tp;

	if (d->thread_running) {
		__atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
		if (u->ops)
			u->ops->interrupt(u->io);
		pthread_join(d->thread, NULL);
		d->thread_running = false;
	}
	if (u->ops && !__atomic_load_n(&u->gone, __ATOMIC_ACQUIRE)) {
		if (u->play_alt)
			u->ops->set_alt(u->io, u->play_iface, 0);
		if (u->cap_alt)
			u->ops->set_alt(u->io, u->cap_iface, 0);
	}
}

static int usb_set_rate(struct uacd_device *d, uint32_t rate)
{
	struct usbt *u = d->tp;
	bool running = d->thread_running;
	char err[256];
	unsigned i;
	int ret;

	if (!u->ops)
		return -ENODEV;
	for (i = 0; i < d->n_rates && d->rates[i] != rate; i++)
		;
	if (i == d->n_rates)
		return -EINVAL;
	if (u->play_alt && !alt_has_rate(u->fn, u->play_alt, rate))
		return -EINVAL;
	if (running)
		usb_stop(d);
	ret = set_rate_hw(u, rate, err, sizeof(err));
	if (ret)
		uacd_err("%s: %s", d->name, err);
	else
		d->rate = d->io_info.rate = rate;
	d->latency_frames = d->rate / 1000u;
	if (running)
		usb_start(d);
	return ret;
}

static int usb_status(struct uacd_device *d, char *buf, size_t len)
{
	struct usbt *u = d->tp;
	struct uacd_usb_info in;

	uacd_usb_get_info(d, &in);
	if (!u->ops)
		return snprintf(buf, len, "  usb: %s: not connected (waiting for re-plug)\n", u->spec_str);
	return snprintf(buf, len,
			"  usb: %04x:%04x at %s, %s speed, UAC%d; playback alt %u ep 0x%02x %s%s, capture alt %u ep 0x%02x; "
			"%u transfers x %u packets of %u us; feedback %.4f frames/packet; packets out %llu in %llu fb %llu; "
			"errors %llu, stalls %llu, failed submits %llu%s\n",
			d->usb.vid, d->usb.pid, d->usb.bus_path[0] ? d->usb.bus_path : "?",
			speed_name(u->speed), in.uac_version, in.play_alt, in.play_ep,
			u->play_alt ? uacd_usbdesc_sync_name(in.play_sync) : "-",
			in.implicit_fb ? " implicit-fb" : in.fb_ep ? " explicit-fb" : "",
			in.cap_alt, in.cap_ep, in.transfers, in.packets, in.interval_us, in.fb_q16 / 65536.0,
			(unsigned long long)in.out_packets, (unsigned long long)in.in_packets,
			(unsigned long long)in.fb_packets, (unsigned long long)in.errors,
			(unsigned long long)in.stalls, (unsigned long long)in.resubmit_failures,
			in.gone ? "; DISCONNECTED" : "");
}

static void usb_free(struct uacd_device *d)
{
	struct usbt *u = d->tp;

	if (!u)
		return;
	unbind(u);
	if (u->gone_fd[0] >= 0)
		close(u->gone_fd[0]);
	if (u->gone_fd[1] >= 0)
		close(u->gone_fd[1]);
	free(u);
	d->tp = NULL;
}

static const struct uacd_transport_ops usb_ops = {
	.kind = "usb",
	.start = usb_start,
	.stop = usb_stop,
	.set_rate = usb_set_rate,
	.status = usb_status,
	.control = usb_control,
	.free = usb_free,
};

/* ---- public (control thread) -------------------------------------------- */

int uacd_usb_create_io(const char *spec, const struct uacd_usb_probe *p,
		       const struct uacd_usb_io_ops *ops, void *io,
		       struct uacd_device **out, char *err, size_t errlen)
{
	struct uacd_device *d;
	struct usbt *u;
	int ret;

	d = calloc(1, sizeof(*d));
	u = calloc(1, sizeof(*u));
	if (!d || !u) {
		free(d);
		free(u);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	u->gone_fd[0] = u->gone_fd[1] = -1;
	d->ops = &usb_ops;
	d->tp = u;
	u->d = d;
	d->usb.cls = d->usb.subcls = -1;
	snprintf(u->spec_str, sizeof(u->spec_str), "%s", spec);
	ret = uacd_usb_spec_parse(spec, &u->spec, err, errlen);
	if (ret)
		goto err_free;
	if (pipe2(u->gone_fd, O_CLOEXEC | O_NONBLOCK) < 0) {
		ret = -errno;
		snprintf(err, errlen, "usb: pipe: %s", strerror(errno));
		goto err_free;
	}
	if (u->spec.name[0])
		snprintf(d->name, sizeof(d->name), "%s", u->spec.name);
	else
		snprintf(d->name, sizeof(d->name), "usb-%04x-%04x", p->dev.vendor_id, p->dev.product_id);
	d->rt_priority = u->spec.priority > 0 ? u->spec.priority : 0;
	ret = bind(u, p, ops, io, false, err, errlen);
	if (ret)
		goto err_free;
	ret = uacd_dev_init(d);
	if (ret) {
		snprintf(err, errlen, "usb: cannot allocate buffers: %s", strerror(-ret));
		goto err_unbind;
	}
	apply_initial_volume(u);
	*out = d;
	return 0;

err_unbind:
	/* the caller keeps io on failure: give it back without closing it */
	release_all(u);
	free_transfers(u);
	uacd_usbdesc_free(u->desc);
	u->desc = NULL;
	u->ops = NULL;
err_free:
	usb_free(d);
	free(d);
	return ret;
}

bool uacd_usb_is_usb(const struct uacd_device *d)
{
	return d && d->ops == &usb_ops;
}

int uacd_usb_gone_fd(const struct uacd_device *d)
{
	const struct usbt *u = d->tp;

	return u->gone_fd[0];
}

bool uacd_usb_gone(const struct uacd_device *d)
{
	const struct usbt *u = d->tp;

	return __atomic_load_n(&u->gone, __ATOMIC_ACQUIRE);
}

void uacd_usb_gone_ack(struct uacd_device *d)
{
	struct usbt *u = d->tp;
	uint8_t b[16];

	while (read(u->gone_fd[0], b, sizeof(b)) > 0)
		;
}

void uacd_usb_close(struct uacd_device *d, bool vanished)
{
	struct usbt *u = d->tp;

	if (vanished) {
		__atomic_store_n(&u->gone, 1, __ATOMIC_RELEASE);
		u->info.gone = true;
	}
	unbind(u);
}

bool uacd_usb_is_open(const struct uacd_device *d)
{
	const struct usbt *u = d->tp;

	return u->ops != NULL;
}

const char *uacd_usb_spec_string(const struct uacd_device *d)
{
	const struct usbt *u = d->tp;

	return u->spec_str;
}

void uacd_usb_location(const struct uacd_device *d, uint8_t *bus, uint8_t *address)
{
	const struct usbt *u = d->tp;

	*bus = u->bus;
	*address = u->address;
}

int uacd_usb_rebind(struct uacd_device *d, const struct uacd_usb_probe *p,
		    const struct uacd_usb_io_ops *ops, void *io, char *err, size_t errlen)
{
	struct usbt *u = d->tp;
	int ret;

	if (u->ops)
		return -EBUSY;
	if (!uacd_usb_spec_match(&u->spec, p)) {
		snprintf(err, errlen, "usb: device %04x:%04x does not match %s", p->dev.vendor_id,
			 p->dev.product_id, u->spec_str);
		return -ENODEV;
	}
	ret = bind(u, p, ops, io, true, err, errlen);
	if (ret)
		return ret;
	uacd_usb_gone_ack(d);
	apply_initial_volume(u);
	return 0;
}

void uacd_usb_get_info(const struct uacd_device *d, struct uacd_usb_info *info)
{
	const struct usbt *u = d->tp;

	*info = u->info;
	info->out_packets = __atomic_load_n(&u->info.out_packets, __ATOMIC_RELAXED);
	info->in_packets = __atomic_load_n(&u->info.in_packets, __ATOMIC_RELAXED);
	info->fb_packets = __atomic_load_n(&u->info.fb_packets, __ATOMIC_RELAXED);
	info->errors = __atomic_load_n(&u->info.errors, __ATOMIC_RELAXED);
	info->stalls = __atomic_load_n(&u->info.stalls, __ATOMIC_RELAXED);
	info->resubmit_failures = __atomic_load_n(&u->info.resubmit_failures, __ATOMIC_RELAXED);
	info->fb_q16 = __atomic_load_n(&u->info.fb_q16, __ATOMIC_RELAXED);
	info->gone = __atomic_load_n(&u->gone, __ATOMIC_ACQUIRE);
}

int uacd_usb_iterate(struct uacd_device *d, int timeout_ms)
{
	struct usbt *u = d->tp;

	if (!u->ops)
		return -ENODEV;
	if (!u->rt_stopping && u->nx && !u->sched.rate) {
		int ret = prepare_stream(u);

		if (ret)
			return ret;
	}
	return rt_iterate(u, timeout_ms);
}

void uacd_usb_drain(struct uacd_device *d)
{
	struct usbt *u = d->tp;

	if (u->ops)
		rt_drain(u);
}
