/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The USB transport's volume and mute (control thread): which feature unit
 * they live on, and the "volume"/"mute" controls on it.  Split from
 * usb-bind.c, which picks the unit when it binds.
 *
 * Volume.  The feature unit downstream of the playback terminal (none for a
 * capture-only device); a control is addressed on the master channel when
 * the unit has it there, else on every logical channel that has it (QEMU's device: mute on master, volume
 * on channels 1 and 2 only).  Values are the device's 1/256 dB.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "engine/core/transport.h"
#include "engine/core/log.h"
#include "engine/usb/transport-libusb-private.h"
#include "engine/usb/usb-control.h"

/* ---- the feature unit (control thread) ---------------------------------- */

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
 * terminal the playback alt is linked to.  None without playback: a
 * microphone's gain is not what "Master Playback Volume" means, and uacd
 * must not turn it to the top.
 */
void uacd_usbt_pick_feature_unit(struct usbt *u)
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

/* ---- volume (control thread) -------------------------------------------- */

static uint32_t fu_mask(struct usbt *u, uint8_t cs)
{
	return cs == UACD_FU_VOLUME_CONTROL ? u->vol_chmask : u->mute_chmask;
}

/* Reads the first channel that has the control (all are set alike). */
static int fu_get(struct usbt *u, uint8_t cs, enum uacd_usbctl_req req, int32_t *v)
{
	struct uacd_usbctl c = uacd_usbt_ctl(u);
	uint32_t mask = fu_mask(u, cs);
	uint8_t ch = 0;

	while (ch < 31 && !(mask & (1u << ch)))
		ch++;
	return uacd_fu_get(&c, u->fn->uac_version, u->fn->ac_iface, u->fu_id, cs, ch, req, v);
}

static int fu_set(struct usbt *u, uint8_t cs, int32_t v)
{
	struct uacd_usbctl c = uacd_usbt_ctl(u);
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
void uacd_usbt_apply_volume(struct usbt *u)
{
	int ret;

	if (!u->fu_id)
		return;
	if (u->has_vol) {
		ret = read_volume_range(u);
		if (ret) {
			uacd_warn("%s: feature unit %u: cannot read the volume range: %s", uacd_dev_name(u->d),
				  u->fu_id, strerror(-ret));
			u->has_vol = false;
		} else {
			if (!u->vol_known)
				u->vol_cur = u->vol_max;
			ret = fu_set(u, UACD_FU_VOLUME_CONTROL, u->vol_cur);
			if (ret)
				uacd_warn("%s: cannot set the volume: %s", uacd_dev_name(u->d), strerror(-ret));
		}
	}
	if (u->has_mute) {
		if (!u->vol_known)
			u->mute_cur = 0;
		ret = fu_set(u, UACD_FU_MUTE_CONTROL, u->mute_cur);
		if (ret)
			uacd_warn("%s: cannot set mute: %s", uacd_dev_name(u->d), strerror(-ret));
	}
	u->vol_known = true;
}

int uacd_usbt_control(struct uacd_device *d, const char *name, bool set, int32_t *value,
		      int32_t *min, int32_t *max, int32_t *res)
{
	struct usbt *u = uacd_dev_transport(d);
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
