/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The names of uacd's sample formats ("S16_LE" ...), header-only and pure
 * (no engine code, no library), so that uacctl and the USB spec parser
 * can use them without linking the RT engine.  format.h includes it.
 */
#ifndef UACD_FORMAT_NAME_H
#define UACD_FORMAT_NAME_H

#include <stddef.h>
#include <stdint.h>
#include <strings.h>

#include <uacd/protocol.h>

/* "S16_LE" etc.; NULL when unknown. */
static inline const char *uacd_format_name(uint32_t fmt)
{
	switch (fmt) {
	case UACD_FMT_S16_LE: return "S16_LE";
	case UACD_FMT_S24_LE: return "S24_LE";
	case UACD_FMT_S24_3LE: return "S24_3LE";
	case UACD_FMT_S32_LE: return "S32_LE";
	case UACD_FMT_FLOAT_LE: return "FLOAT_LE";
	default: return NULL;
	}
}

/* Returns the format for an ALSA-style name (case-insensitive), or UACD_FMT_UNKNOWN. */
static inline uint32_t uacd_format_parse(const char *name)
{
	uint32_t f;

	for (f = 1; f < UACD_FMT_COUNT; f++)
		if (uacd_format_name(f) && !strcasecmp(uacd_format_name(f), name))
			return f;
	if (!strcasecmp(name, "FLOAT"))
		return UACD_FMT_FLOAT_LE;
	return UACD_FMT_UNKNOWN;
}

#endif /* UACD_FORMAT_NAME_H */
