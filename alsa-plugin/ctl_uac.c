/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ALSA control plugin for uacd: `amixer -D uac`, `alsamixer -D uac`.
 *
 * The device's feature unit volume and mute, as uacd's transport exposes
 * them through UACD_MSG_CONTROL ("volume" in 1/256 dB, "mute" 0/1), become
 * two controls:
 *
 *   "Master Playback Volume"   integer, the device's own 1/256 dB values
 *                              (GET_MIN..GET_MAX), with a DB_MINMAX TLV so
 *                              amixer shows and steps dB exactly;
 *   "Master Playback Switch"   boolean, 1 = sound (not muted).
 *
 * A control the device lacks (-ENOENT at open) is not listed.  Every read
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
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <alsa/asoundlib.h>
#include <alsa/control_external.h>

#include <uacd/protocol.h>

#include "alsa-plugin/plugin-conf.h"

enum { KEY_VOLUME = 0, KEY_SWITCH = 1, KEY_COUNT };

static const char *const elem_names[KEY_COUNT] = {
	[KEY_VOLUME] = "Master Playback Volume",
	[KEY_SWITCH] = "Master Playback Switch",
};

struct uac_ctl {
	snd_ctl_ext_t ext;	/* first: alsa-lib hands us &ext */
	int sock;
	uint32_t seq;
	char device[UACD_NAME_MAX];
	char socket_path[108];
	bool has[KEY_COUNT];
	unsigned keys[KEY_COUNT];	/* listed element -> key */
	unsigned n_keys;
	int32_t vol_min, vol_max;
	unsigned int tlv[4];
};

static void uac_ctl_free(struct uac_ctl *u)
{
	if (!u)
		return;
	if (u->sock >= 0)
		close(u->sock);
	free(u);
}

static int call(struct uac_ctl *u, void *req, size_t req_size, void *rep, size_t rep_size)
{
	struct uacd_msg_hdr *h = req, *rh = rep;
	ssize_t n;

	h->seq = ++u->seq;
	h->size = (uint32_t)req_size;
	h->result = 0;
	if (send(u->sock, req, req_size, MSG_NOSIGNAL) != (ssize_t)req_size)
		return errno ? -errno : -EIO;
	do {
		n = recv(u->sock, rep, rep_size, 0);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n == 0 ? -ECONNRESET : -errno;
	if ((size_t)n < sizeof(*rh) || rh->type != h->type || rh->seq != h->seq)
		return -EPROTO;
	if ((size_t)n < rep_size)
		memset((char *)rep + n, 0, rep_size - (size_t)n);
	return rh->result;
}

/* One CONTROL request: 0 or -errno; the reply's text goes to SNDERR on failure. */
static int control(struct uac_ctl *u, const char *name, bool set, int32_t *value, int32_t *min,
		   int32_t *max, bool quiet_enoent)
{
	struct uacd_control_req req;
	struct uacd_control_reply rep;
	int ret;

	memset(&req, 0, sizeof(req));
	req.hdr.type = UACD_MSG_CONTROL;
	snprintf(req.device, sizeof(req.device), "%s", u->device);
	snprintf(req.control, sizeof(req.control), "%s", name);
	req.op = set ? UACD_CTL_SET : UACD_CTL_GET;
	req.value = *value;
	ret = call(u, &req, sizeof(req), &rep, sizeof(rep));
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
	*type = key == KEY_VOLUME ? SND_CTL_ELEM_TYPE_INTEGER : SND_CTL_ELEM_TYPE_BOOLEAN;
	*acc = SND_CTL_EXT_ACCESS_READWRITE;
	if (key == KEY_VOLUME)
		*acc |= SND_CTL_EXT_ACCESS_TLV_READ;
	*count = 1;
	return 0;
}

static int uac_get_integer_info(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *imin, long *imax,
				long *istep)
{
	struct uac_ctl *u = ext->private_data;

	if (key != KEY_VOLUME)
		return -EINVAL;
	*imin = u->vol_min;
	*imax = u->vol_max;
	*istep = 0;
	return 0;
}

static int uac_read_integer(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *value)
{
	struct uac_ctl *u = ext->private_data;
	int32_t v = 0;
	int ret;

	if (key >= KEY_COUNT)
		return -EINVAL;
	ret = control(u, key == KEY_VOLUME ? "volume" : "mute", false, &v, NULL, NULL, false);
	if (ret < 0)
		return ret;
	*value = key == KEY_VOLUME ? v : !v;
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
	ret = control(u, key == KEY_VOLUME ? "volume" : "mute", false, &old, NULL, NULL, false);
	if (ret < 0)
		return ret;
	if (key == KEY_VOLUME) {
		if (*value < u->vol_min || *value > u->vol_max)
			return -EINVAL;
		v = (int32_t)*value;
	} else {
		v = *value ? 0 : 1;	/* switch on = not muted */
	}
	if (v == old)
		return 0;
	ret = control(u, key == KEY_VOLUME ? "volume" : "mute", true, &v, NULL, NULL, false);
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

static int connect_daemon(struct uac_ctl *u)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct uacd_hello hello, hrep;
	int32_t v = 0, min = 0, max = 0;
	char comm[64] = "alsa";
	FILE *f;
	int ret;

	u->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (u->sock < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", u->socket_path);
	if (connect(u->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		SNDERR("uac: cannot connect to uacd at %s: %s", u->socket_path, strerror(errno));
		return ret;
	}
	memset(&hello, 0, sizeof(hello));
	hello.hdr.type = UACD_MSG_HELLO;
	hello.version = UACD_PROTO_VERSION;
	f = fopen("/proc/self/comm", "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(hello.name, sizeof(hello.name), "%s", comm);
	ret = call(u, &hello, sizeof(hello), &hrep, sizeof(hrep));
	if (ret < 0) {
		SNDERR("uac: uacd at %s refused us: %s", u->socket_path, strerror(-ret));
		return ret;
	}
	/* HELLO's reply carries the connection's wake pipe: the ctl has no use for it. */

	ret = control(u, "volume", false, &v, &min, &max, true);
	if (ret == 0 && min <= max) {
		u->has[KEY_VOLUME] = true;
		u->vol_min = min;
		u->vol_max = max;
		u->keys[u->n_keys++] = KEY_VOLUME;
	} else if (ret != -ENOENT) {
		return ret ? ret : -EPROTO;
	}
	ret = control(u, "mute", false, &v, NULL, NULL, true);
	if (ret == 0) {
		u->has[KEY_SWITCH] = true;
		u->keys[u->n_keys++] = KEY_SWITCH;
	} else if (ret != -ENOENT) {
		return ret;
	}
	/* dB in 1/100 dB from 1/256 dB, rounded to nearest */
	u->tlv[0] = SND_CTL_TLVT_DB_MINMAX;
	u->tlv[1] = 2 * sizeof(unsigned int);
	u->tlv[2] = (unsigned int)(int)((u->vol_min * 100 + (u->vol_min < 0 ? -128 : 128)) / 256);
	u->tlv[3] = (unsigned int)(int)((u->vol_max * 100 + (u->vol_max < 0 ? -128 : 128)) / 256);
	return 0;
}

SND_CTL_PLUGIN_DEFINE_FUNC(uac)
{
	const char *device, *sock;
	struct uac_ctl *u;
	int ret;

	(void)root;
	ret = uac_conf_parse(conf, &device, &sock);
	if (ret < 0)
		return ret;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->sock = -1;
	snprintf(u->device, sizeof(u->device), "%s", device);
	uac_socket_path(u->socket_path, sizeof(u->socket_path), sock);
	ret = connect_daemon(u);
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
	u->ext.tlv.p = u->tlv;
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
