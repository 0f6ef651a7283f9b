/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ALSA control plugin for uacd: `amixer -D uac`, `alsamixer -D uac`.
 *
 * What uacd exposes through UACD_MSG_CONTROL becomes these controls:
 *
 *   "Master Playback Volume"   integer, "volume": the device's feature unit
 *                              (or uacd's software volume) in its own
 *                              1/256 dB values (GET_MIN..GET_MAX), with a
 *                              DB_MINMAX TLV so amixer shows and steps dB
 *                              exactly.  The DSP chain's Main fader follows
 *                              it, as in CamillaDSP.
 *   "Master Playback Switch"   boolean, "mute": 1 = sound (not muted).
 *   "DSP Aux1 Playback Volume" .. "DSP Aux4 Playback Volume"
 *                              integer, "aux1".."aux4": the DSP faders
 *                              Aux1..Aux4, 1/256 dB with their own TLV;
 *                              listed only while the loaded DSP config has
 *                              a Volume/Loudness filter on that fader.
 *   "Latency"                  read-only integer, "latency": microseconds
 *                              from the ring to the DAC.
 *   "Xruns"                    read-only integer, "xruns": the device's
 *                              xrun count.
 *
 * A control the daemon lacks (-ENOENT at open) is not listed.  Every read
 * and write is one request to the daemon: the plugin caches nothing, so
 * two mixers always agree.  One connection per open ctl; no events
 * (poll_fd -1), alsa-lib polls by re-reading.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <alsa/asoundlib.h>
#include <alsa/control_external.h>

#include <uacd/protocol.h>

#include "alsa-plugin/plugin-conf.h"
#include "engine/client/uacd-client.h"

enum {
	KEY_VOLUME = 0,
	KEY_SWITCH,
	KEY_AUX1,
	KEY_AUX4 = KEY_AUX1 + 3,
	KEY_LATENCY,
	KEY_XRUNS,
	KEY_COUNT
};

static const char *const elem_names[KEY_COUNT] = {
	[KEY_VOLUME] = "Master Playback Volume",
	[KEY_SWITCH] = "Master Playback Switch",
	[KEY_AUX1] = "DSP Aux1 Playback Volume",
	[KEY_AUX1 + 1] = "DSP Aux2 Playback Volume",
	[KEY_AUX1 + 2] = "DSP Aux3 Playback Volume",
	[KEY_AUX4] = "DSP Aux4 Playback Volume",
	[KEY_LATENCY] = "Latency",
	[KEY_XRUNS] = "Xruns",
};

/* uacd's name of each control (UACD_MSG_CONTROL). */
static const char *const ctl_names[KEY_COUNT] = {
	[KEY_VOLUME] = "volume",
	[KEY_SWITCH] = "mute",
	[KEY_AUX1] = "aux1",
	[KEY_AUX1 + 1] = "aux2",
	[KEY_AUX1 + 2] = "aux3",
	[KEY_AUX4] = "aux4",
	[KEY_LATENCY] = "latency",
	[KEY_XRUNS] = "xruns",
};

static bool key_is_db(unsigned key)
{
	return key == KEY_VOLUME || (key >= KEY_AUX1 && key <= KEY_AUX4);
}

static bool key_is_readonly(unsigned key)
{
	return key == KEY_LATENCY || key == KEY_XRUNS;
}

struct uac_ctl {
	snd_ctl_ext_t ext;	/* first: alsa-lib hands us &ext */
	struct uacd_client client;
	char device[UACD_NAME_MAX];
	bool has[KEY_COUNT];
	unsigned keys[KEY_COUNT];	/* listed element -> key */
	unsigned n_keys;
	int32_t min[KEY_COUNT], max[KEY_COUNT];	/* integer range, as uacd said at open */
};

static void uac_ctl_free(struct uac_ctl *u)
{
	if (!u)
		return;
	uacd_client_close(&u->client);
	free(u);
}

/* One CONTROL request: 0 or -errno; the reply's text goes to SNDERR on failure. */
static int control(struct uac_ctl *u, const char *name, bool set, int32_t *value, int32_t *min,
		   int32_t *max, bool quiet_enoent)
{
	struct uacd_control_req req;
	struct uacd_control_reply rep;
	ssize_t n;
	int ret;

	memset(&req, 0, sizeof(req));
	req.hdr.type = UACD_MSG_CONTROL;
	snprintf(req.device, sizeof(req.device), "%s", u->device);
	snprintf(req.control, sizeof(req.control), "%s", name);
	req.op = set ? UACD_CTL_SET : UACD_CTL_GET;
	req.value = *value;
	n = uacd_client_exchange(&u->client, &req, sizeof(req), &rep, sizeof(rep), NULL);
	if (n < 0) {
		char why[128];

		SNDERR("uac: %s", uacd_client_strerror(&u->client, (int)n, why, sizeof(why)));
		return (int)n;
	}
	ret = rep.hdr.result;
	if (ret < 0) {
		rep.text[sizeof(rep.text) - 1] = '\0';
		if (ret == -ENODEV && !rep.text[0])
			SNDERR("uac: %s: device disconnected", u->device[0] ? u->device : "default device");
		else if (!(quiet_enoent && ret == -ENOENT))
			SNDERR("uac: %s", rep.text[0] ? rep.text : strerror(-ret));
		return ret;
	}
	*value = rep.value;
	if (min)
		*min = rep.min;
	if (max)
		*max = rep.max;
	return 0;
}

static void uac_ctl_close(snd_ctl_ext_t *ext)
{
	uac_ctl_free(ext->private_data);
}

static int uac_elem_count(snd_ctl_ext_t *ext)
{
	struct uac_ctl *u = ext->private_data;

	return (int)u->n_keys;
}

static int uac_elem_list(snd_ctl_ext_t *ext, unsigned int offset, snd_ctl_elem_id_t *id)
{
	struct uac_ctl *u = ext->private_data;

	if (offset >= u->n_keys)
		return -EINVAL;
	snd_ctl_elem_id_set_interface(id, SND_CTL_ELEM_IFACE_MIXER);
	snd_ctl_elem_id_set_name(id, elem_names[u->keys[offset]]);
	return 0;
}

static snd_ctl_ext_key_t uac_find_elem(snd_ctl_ext_t *ext, const snd_ctl_elem_id_t *id)
{
	struct uac_ctl *u = ext->private_data;
	const char *name = snd_ctl_elem_id_get_name(id);
	unsigned k;

	if (snd_ctl_elem_id_get_numid(id)) {
		unsigned numid = snd_ctl_elem_id_get_numid(id);

		return numid <= u->n_keys ? u->keys[numid - 1] : SND_CTL_EXT_KEY_NOT_FOUND;
	}
	for (k = 0; k < KEY_COUNT; k++)
		if (u->has[k] && !strcmp(name, elem_names[k]))
			return k;
	return SND_CTL_EXT_KEY_NOT_FOUND;
}

static int uac_get_attribute(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, int *type,
			     unsigned int *acc, unsigned int *count)
{
	(void)ext;
	if (key >= KEY_COUNT)
		return -EINVAL;
	*type = key == KEY_SWITCH ? SND_CTL_ELEM_TYPE_BOOLEAN : SND_CTL_ELEM_TYPE_INTEGER;
	if (key_is_readonly(key))
		*acc = SND_CTL_EXT_ACCESS_READ | SND_CTL_EXT_ACCESS_VOLATILE;
	else
		*acc = SND_CTL_EXT_ACCESS_READWRITE;
	if (key_is_db(key))
		*acc |= SND_CTL_EXT_ACCESS_TLV_READ | SND_CTL_EXT_ACCESS_TLV_CALLBACK;
	*count = 1;
	return 0;
}

static int uac_get_integer_info(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *imin, long *imax,
				long *istep)
{
	struct uac_ctl *u = ext->private_data;

	if (key >= KEY_COUNT || key == KEY_SWITCH)
		return -EINVAL;
	*imin = u->min[key];
	*imax = u->max[key];
	*istep = 0;
	return 0;
}

/* 1/256 dB to the 1/100 dB of a TLV, rounded to nearest. */
static unsigned int tlv_db(int32_t v)
{
	return (unsigned int)(int)((v * 100 + (v < 0 ? -128 : 128)) / 256);
}

/* The DB_MINMAX TLV of a dB control, from the range uacd gave at open. */
static int uac_tlv(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, int op_flag, unsigned int numid,
		   unsigned int *tlv, unsigned int tlv_size)
{
	struct uac_ctl *u = ext->private_data;

	(void)numid;
	if (op_flag != 0)
		return -ENXIO;	/* read-only TLV */
	if (key >= KEY_COUNT || !key_is_db(key))
		return -EINVAL;
	if (tlv_size < 4 * sizeof(unsigned int))
		return -ENOMEM;
	tlv[0] = SND_CTL_TLVT_DB_MINMAX;
	tlv[1] = 2 * sizeof(unsigned int);
	tlv[2] = tlv_db(u->min[key]);
	tlv[3] = tlv_db(u->max[key]);
	return (int)(4 * sizeof(unsigned int));
}

static int uac_read_integer(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *value)
{
	struct uac_ctl *u = ext->private_data;
	int32_t v = 0;
	int ret;

	if (key >= KEY_COUNT)
		return -EINVAL;
	ret = control(u, ctl_names[key], false, &v, NULL, NULL, false);
	if (ret < 0)
		return ret;
	*value = key == KEY_SWITCH ? !v : v;
	return 0;
}

/* Returns 1 when the value changed, as alsa-lib expects. */
static int uac_write_integer(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *value)
{
	struct uac_ctl *u = ext->private_data;
	int32_t old = 0, v;
	int ret;

	if (key >= KEY_COUNT)
		return -EINVAL;
	if (key_is_readonly(key))
		return -EPERM;
	ret = control(u, ctl_names[key], false, &old, NULL, NULL, false);
	if (ret < 0)
		return ret;
	if (key == KEY_SWITCH) {
		v = *value ? 0 : 1;	/* switch on = not muted */
	} else {
		if (*value < u->min[key] || *value > u->max[key])
			return -EINVAL;
		v = (int32_t)*value;
	}
	if (v == old)
		return 0;
	ret = control(u, ctl_names[key], true, &v, NULL, NULL, false);
	return ret < 0 ? ret : 1;
}

static int uac_read_event(snd_ctl_ext_t *ext, snd_ctl_elem_id_t *id, unsigned int *event_mask)
{
	(void)ext;
	(void)id;
	(void)event_mask;
	return -EAGAIN;
}

static const snd_ctl_ext_callback_t uac_ctl_callbacks = {
	.close = uac_ctl_close,
	.elem_count = uac_elem_count,
	.elem_list = uac_elem_list,
	.find_elem = uac_find_elem,
	.get_attribute = uac_get_attribute,
	.get_integer_info = uac_get_integer_info,
	.read_integer = uac_read_integer,
	.write_integer = uac_write_integer,
	.read_event = uac_read_event,
};

static int connect_daemon(struct uac_ctl *u, const char *path, int timeout_ms)
{
	int32_t v = 0, min = 0, max = 0;
	char comm[64], err[256];
	unsigned k;
	int ret;

	ret = uacd_client_connect_timeout(&u->client, path, timeout_ms, err, sizeof(err));
	if (ret < 0) {
		SNDERR("uac: %s", err);
		return ret;
	}
	uacd_client_comm(comm, sizeof(comm), "alsa");
	/* HELLO's reply carries the connection's wake pipe: the ctl has no use for it. */
	ret = uacd_client_hello(&u->client, comm, NULL);
	if (ret == -ETIMEDOUT) {
		SNDERR("uac: uacd at %s did not answer within %d ms", u->client.path,
		       u->client.timeout_ms);
		return ret;
	}
	if (ret < 0) {
		char why[256];

		/* a limit's refusal names the limit */
		SNDERR("uac: uacd at %s refused us: %s", u->client.path,
		       uacd_client_strerror(&u->client, ret, why, sizeof(why)));
		return ret;
	}

	/* List what uacd has, in key order; -ENOENT = the daemon lacks it. */
	for (k = 0; k < KEY_COUNT; k++) {
		ret = control(u, ctl_names[k], false, &v, &min, &max, true);
		if (ret == -ENOENT)
			continue;
		if (ret < 0)
			return ret;
		if (min > max)
			continue;
		u->has[k] = true;
		u->min[k] = min;
		u->max[k] = max;
		u->keys[u->n_keys++] = k;
	}
	return 0;
}

SND_CTL_PLUGIN_DEFINE_FUNC(uac)
{
	const char *device, *sock;
	struct uac_ctl *u;
	int ret, timeout_ms;

	(void)root;
	ret = uac_conf_parse(conf, &device, &sock, &timeout_ms);
	if (ret < 0)
		return ret;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->client.sock = -1;
	snprintf(u->device, sizeof(u->device), "%s", device);
	ret = connect_daemon(u, uacd_client_socket_path(sock), timeout_ms);
	if (ret < 0)
		goto err_free;

	u->ext.version = SND_CTL_EXT_VERSION;
	u->ext.card_idx = 0;
	snprintf(u->ext.id, sizeof(u->ext.id), "uac");
	snprintf(u->ext.driver, sizeof(u->ext.driver), "uacd");
	snprintf(u->ext.name, sizeof(u->ext.name), "uacd %s", device[0] ? device : "default");
	snprintf(u->ext.longname, sizeof(u->ext.longname), "uacd user-space USB audio (%s)",
		 device[0] ? device : "default device");
	snprintf(u->ext.mixername, sizeof(u->ext.mixername), "uacd");
	u->ext.poll_fd = -1;
	u->ext.callback = &uac_ctl_callbacks;
	u->ext.private_data = u;
	u->ext.tlv.c = uac_tlv;
	ret = snd_ctl_ext_create(&u->ext, name, mode);
	if (ret < 0)
		goto err_free;
	*handlep = u->ext.handle;
	return 0;

err_free:
	uac_ctl_free(u);
	return ret;
}

SND_CTL_PLUGIN_SYMBOL(uac);
