/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * USB Audio Class descriptor model.
 *
 * uacd_usbdesc_parse() turns the bytes GET_DESCRIPTOR(CONFIGURATION)
 * returns (wTotalLength long) into a tree the engine walks:
 *
 *   struct uacd_usbdesc                      the configuration
 *     .functions[]  struct uacd_usbdesc_function   one per AudioControl interface
 *        .entities[]  terminals, units, clocks (AudioControl)
 *        .streams[]   struct uacd_usbdesc_stream    one per AudioStreaming interface
 *           .alts[]   struct uacd_usbdesc_alt       every alternate setting
 *              .eps[] struct uacd_usbdesc_endpoint  its endpoints
 *
 * Everything is owned by the struct uacd_usbdesc and freed by
 * uacd_usbdesc_free().  The model is read-only after parsing and may be
 * shared between threads.  Indices (data_ep, fb_ep, entity sources) are
 * plain numbers into the arrays above, never pointers into the input.
 *
 * Speed: a configuration descriptor does not say at which speed the device
 * runs.  The parser records raw values (bInterval, wMaxPacketSize); the
 * helpers uacd_usbdesc_interval_us() and uacd_usbdesc_infer_speed() turn
 * them into time once the speed is known (from libusb) or guessed.
 */
#ifndef UACD_USB_DESCRIPTORS_H
#define UACD_USB_DESCRIPTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UACD_USBDESC_MAX_RATES		32u	/* UAC1 discrete rates kept per alt */
#define UACD_USBDESC_MAX_EPS		4u	/* endpoints kept per alt setting */
#define UACD_USBDESC_MAX_PINS		255u	/* unit/selector inputs */

enum uacd_usb_speed {
	UACD_USB_SPEED_UNKNOWN = 0,
	UACD_USB_SPEED_LOW,
	UACD_USB_SPEED_FULL,
	UACD_USB_SPEED_HIGH,
	UACD_USB_SPEED_SUPER,
};

/* bmAttributes bits 2-3 of an isochronous endpoint */
enum uacd_usbdesc_sync {
	UACD_USBDESC_SYNC_NONE = 0,
	UACD_USBDESC_SYNC_ASYNC = 1,
	UACD_USBDESC_SYNC_ADAPTIVE = 2,
	UACD_USBDESC_SYNC_SYNC = 3,
};

/* bmAttributes bits 4-5 */
enum uacd_usbdesc_usage {
	UACD_USBDESC_USAGE_DATA = 0,
	UACD_USBDESC_USAGE_FEEDBACK = 1,
	UACD_USBDESC_USAGE_IMPLICIT_FB = 2,	/* "implicit feedback data" */
	UACD_USBDESC_USAGE_RESERVED = 3,
};

enum uacd_usbdesc_dir {
	UACD_USBDESC_DIR_UNKNOWN = 0,
	UACD_USBDESC_DIR_PLAYBACK,	/* host to device, OUT endpoint */
	UACD_USBDESC_DIR_CAPTURE,	/* device to host, IN endpoint */
};

/* The 18-byte device descriptor. */
struct uacd_usbdesc_device {
	uint16_t bcd_usb;
	uint8_t device_class;
	uint8_t device_subclass;
	uint8_t device_protocol;
	uint8_t max_packet0;
	uint16_t vendor_id;
	uint16_t product_id;
	uint16_t bcd_device;
	uint8_t i_manufacturer;
	uint8_t i_product;
	uint8_t i_serial;
	uint8_t num_configurations;
};

struct uacd_usbdesc_endpoint {
	uint32_t offset;		/* of the endpoint descriptor in the input */
	uint8_t address;		/* bEndpointAddress; bit 7 = IN */
	uint8_t attributes;		/* bmAttributes */
	uint8_t transfer;		/* 0 control, 1 iso, 2 bulk, 3 interrupt */
	enum uacd_usbdesc_sync sync;
	enum uacd_usbdesc_usage usage;
	uint16_t max_packet_raw;	/* wMaxPacketSize as sent */
	uint16_t max_packet;		/* bits 0-10: bytes per transaction */
	uint8_t mult;			/* 1 + bits 11-12: transactions per microframe (HS) */
	uint8_t interval;		/* bInterval */
	uint8_t refresh;		/* UAC1 9-byte endpoint: bRefresh, else 0 */
	uint8_t synch_address;		/* UAC1 9-byte endpoint: bSynchAddress, else 0 */
	/* SuperSpeed endpoint companion */
	bool has_ss;
	uint8_t ss_max_burst;
	uint8_t ss_attributes;
	uint16_t ss_bytes_per_interval;
	/* class-specific AS isochronous endpoint descriptor */
	bool has_cs;
	uint8_t cs_attributes;		/* UAC1: bit0 sampling freq, bit1 pitch; bit7 max packets only */
	uint8_t cs_controls;		/* UAC2 bmControls */
	uint8_t lock_delay_units;
	uint16_t lock_delay;
	bool freq_control;		/* UAC1 sampling-frequency control present */
	bool pitch_control;
};

struct uacd_usbdesc_alt {
	uint8_t alt;			/* bAlternateSetting */
	uint8_t num_endpoints;		/* bNumEndpoints as declared */
	uint8_t iface_class, iface_subclass, iface_protocol;
	bool has_general;		/* AS_GENERAL present */
	bool has_format;		/* FORMAT_TYPE present */
	uint8_t terminal_link;
	uint16_t format_tag;		/* UAC1 wFormatTag */
	uint32_t formats;		/* UAC2 bmFormats; UAC1: 1 << (wFormatTag - 1) for type I */
	uint8_t format_type;		/* bFormatType: 1 = type I */
	uint8_t channels;
	uint32_t channel_config;
	uint8_t subslot;		/* bytes per sample slot */
	uint8_t bit_resolution;
	const char *alsa_format;	/* "S16_LE", ... or NULL if not PCM we can stream */
	/* rates: UAC1 only; UAC2 asks the clock (GET_RANGE) */
	bool rate_continuous;
	uint8_t nr_rates;		/* discrete rates kept (<= UACD_USBDESC_MAX_RATES) */
	uint32_t rates[UACD_USBDESC_MAX_RATES];
	uint32_t rate_min, rate_max;
	/* UAC2: terminal's bCSourceID, and the clock source it leads to */
	uint8_t clock_id;
	uint8_t clock_source_id;
	/* endpoints */
	uint8_t nr_eps;
	struct uacd_usbdesc_endpoint eps[UACD_USBDESC_MAX_EPS];
	int data_ep;			/* index in eps[], -1 = none */
	int fb_ep;			/* explicit feedback endpoint index, -1 = none */
	uint8_t fb_address;		/* explicit feedback address (maybe only from bSynchAddress), 0 = none */
	bool implicit_fb;		/* playback paced by a capture data endpoint */
	uint8_t implicit_fb_address;	/* that capture endpoint */
	uint8_t implicit_fb_iface;	/* and its interface */
	uint8_t implicit_fb_alt;	/* and the alt setting that runs it */
};

struct uacd_usbdesc_stream {
	uint8_t iface;			/* bInterfaceNumber */
	enum uacd_usbdesc_dir dir;
	uint8_t nr_alts;
	struct uacd_usbdesc_alt *alts;
};

enum uacd_usbdesc_entity_type {
	UACD_USBDESC_INPUT_TERMINAL = 1,
	UACD_USBDESC_OUTPUT_TERMINAL,
	UACD_USBDESC_MIXER_UNIT,
	UACD_USBDESC_SELECTOR_UNIT,
	UACD_USBDESC_FEATURE_UNIT,
	UACD_USBDESC_PROCESSING_UNIT,
	UACD_USBDESC_EXTENSION_UNIT,
	UACD_USBDESC_EFFECT_UNIT,
	UACD_USBDESC_CLOCK_SOURCE,
	UACD_USBDESC_CLOCK_SELECTOR,
	UACD_USBDESC_CLOCK_MULTIPLIER,
	UACD_USBDESC_SAMPLE_RATE_CONVERTER,
};

/* One AudioControl terminal, unit or clock entity. */
struct uacd_usbdesc_entity {
	uint32_t offset;
	enum uacd_usbdesc_entity_type type;
	uint8_t id;
	uint16_t terminal_type;		/* terminals */
	uint8_t assoc_terminal;
	uint8_t clock_id;		/* UAC2 terminals: bCSourceID; multiplier: bCSourceID */
	uint8_t channels;		/* terminals, mixer units */
	uint32_t channel_config;
	uint16_t process_type;		/* processing/extension/effect units */
	uint8_t nr_sources;		/* audio or clock inputs */
	uint8_t *sources;
	/*
	 * feature unit: controls[0] master, controls[1..nr_ctl_channels] per
	 * channel, one bit per control present (UACD_USBDESC_FU_*); writable[]
	 * the same for controls the host may set (UAC2 "read/write"; UAC1: all).
	 * writable points into the controls allocation.
	 */
	uint8_t nr_ctl_channels;
	uint32_t *controls;
	uint32_t *writable;
	uint32_t attributes;		/* clock source bmAttributes */
	uint32_t bm_controls;		/* clock entities, terminals (UAC2) */
};

/* Feature unit control bits, normalised to UAC1 numbering (bit 0 mute, 1 volume, ...). */
#define UACD_USBDESC_FU_MUTE	(1u << 0)
#define UACD_USBDESC_FU_VOLUME	(1u << 1)

struct uacd_usbdesc_function {
	uint8_t ac_iface;		/* AudioControl bInterfaceNumber */
	uint8_t protocol;		/* AC bInterfaceProtocol: 0, 0x20, 0x30 */
	int uac_version;		/* 1, 2 or 3 */
	uint16_t bcd_adc;
	bool supported;			/* false for UAC3 (BADD or full) */
	char note[96];			/* why not, for people */
	uint8_t nr_as_ifaces;		/* UAC1 header baInterfaceNr[] / IAD range */
	uint8_t as_ifaces[32];
	uint16_t nr_entities;
	struct uacd_usbdesc_entity *entities;
	uint8_t nr_streams;
	struct uacd_usbdesc_stream *streams;
};

struct uacd_usbdesc {
	uint16_t total_length;		/* wTotalLength */
	uint8_t num_interfaces;
	uint8_t config_value;
	uint8_t attributes;
	uint8_t max_power;		/* raw bMaxPower */
	bool has_ss_companions;		/* some endpoint carries one */
	uint8_t nr_functions;
	struct uacd_usbdesc_function *functions;
	uint16_t nr_skipped;		/* non-audio interfaces (alts) skipped */
};

/*
 * Parse a configuration descriptor set of `len` bytes.
 * Returns 0 and a new model in *out, or a negative errno with a message in
 * err (errlen bytes, always NUL-terminated when errlen > 0) of the form
 * "offset N: problem":
 *   -EINVAL  malformed descriptors (including loops in the unit or clock graph)
 *   -ENOMEM  out of memory
 * A configuration without any audio function parses (nr_functions == 0).
 */
int uacd_usbdesc_parse(const uint8_t *cfg, size_t len, struct uacd_usbdesc **out,
		       char *err, size_t errlen);

/* Free a model; accepts NULL. */
void uacd_usbdesc_free(struct uacd_usbdesc *d);

/*
 * Parse the 18-byte device descriptor.  Returns 0, or -EINVAL with a
 * message in err.
 */
int uacd_usbdesc_parse_device(const uint8_t *buf, size_t len, struct uacd_usbdesc_device *out,
			      char *err, size_t errlen);

/*
 * Guess the bus speed when the transport cannot say: bcdUSB < 2.00 means
 * full speed; SuperSpeed companions mean SuperSpeed; a high-bandwidth
 * multiplier, an isochronous packet above 1023 bytes, a UAC2 function, or
 * an audio data endpoint with bInterval above 1 (the audio class requires 1
 * at full speed) mean high speed;
 * otherwise full speed.  dev may be NULL.
 */
enum uacd_usb_speed uacd_usbdesc_infer_speed(const struct uacd_usbdesc_device *dev,
					     const struct uacd_usbdesc *d);

/*
 * Isochronous service interval in microseconds for bInterval at speed:
 * 2^(bInterval-1) frames (1 ms) at full speed, microframes (125 us) at high
 * and super speed.  Returns 0 for bInterval out of 1..16.
 */
uint32_t uacd_usbdesc_interval_us(uint8_t b_interval, enum uacd_usb_speed speed);

/* Bytes an endpoint may move per service interval (max packet x mult x burst). */
uint32_t uacd_usbdesc_ep_bytes_per_interval(const struct uacd_usbdesc_endpoint *ep);

/* Lower-case names for output: "async", "adaptive", "sync", "none"; "data", ...;
 * "playback", "capture"; "full", "high", ... */
const char *uacd_usbdesc_sync_name(enum uacd_usbdesc_sync s);
const char *uacd_usbdesc_usage_name(enum uacd_usbdesc_usage u);
const char *uacd_usbdesc_dir_name(enum uacd_usbdesc_dir d);
const char *uacd_usbdesc_speed_name(enum uacd_usb_speed s);
const char *uacd_usbdesc_entity_name(enum uacd_usbdesc_entity_type t);

/* Find an entity by ID in a function, or NULL. */
/*
 * Spatial positions of alt a's channels as UAC2 bmChannelConfig bits (bit 0
 * front left, 1 front right, 2 front centre, 3 LFE, 4/5 back left/right,
 * ...; UAC1 wChannelConfig shares the first 12), from AS_GENERAL or, on
 * UAC1, the linked terminal's cluster.  0: none declared.
 */
uint32_t uacd_usbdesc_alt_chmap(const struct uacd_usbdesc_function *f,
				const struct uacd_usbdesc_alt *a);
const struct uacd_usbdesc_entity *uacd_usbdesc_find_entity(const struct uacd_usbdesc_function *f,
							   uint8_t id);

#endif /* UACD_USB_DESCRIPTORS_H */
