/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small reader of `lsusb -v` text for tests/usb/test-usb-descriptors: it
 * knows nothing of the parser under test, only what lsusb prints.
 */
#ifndef UACD_TESTS_LSUSB_READER_H
#define UACD_TESTS_LSUSB_READER_H

#include <stdbool.h>

#define MAX_LIFS	256
#define MAX_LEPS	4
#define MAX_LENTS	128

struct lep {
	unsigned addr, mps, interval, transfer;	/* transfer: 1 iso */
	int sync, usage;			/* -1 = not seen */
};

struct lif {
	unsigned num, alt, cls, sub, proto;
	unsigned channels, subslot, bits;
	unsigned chcfg, link;			/* AS_GENERAL bmChannelConfig, bTerminalLink */
	bool has_rates, continuous;
	unsigned nr_rates, rates[64], rmin, rmax;
	unsigned bcd_adc;
	unsigned nr_eps;
	struct lep eps[MAX_LEPS];
};

/* one AudioControl terminal/unit/clock as lsusb prints it */
struct lent {
	unsigned ac_iface;
	unsigned subtype, id, type, channels, clock;
	unsigned chcfg;				/* wChannelConfig / bmChannelConfig */
	unsigned nr_sources, sources[16];
	int ch;				/* current bmaControls(ch), -1 = none yet */
	unsigned nr_ch;			/* bmaControls lines */
	unsigned mute, vol, mute_rw, vol_rw;	/* bit per channel */
};

struct lsusb {
	unsigned vid, pid, bcd_usb, total_length;
	unsigned nr;
	struct lif ifs[MAX_LIFS];
	unsigned nr_ents;
	struct lent ents[MAX_LENTS];
};

/* Read the first configuration of the lsusb -v dump at path into *l. */
void read_lsusb(const char *path, struct lsusb *l);

#endif
