/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef UACD_TRANSPORT_SIM_H
#define UACD_TRANSPORT_SIM_H

#include <stddef.h>
#include <stdint.h>

struct uacd_device;

/*
 * Control thread: create a sim device from a spec such as
 * "sim:rate=48000,channels=2,format=S24_3LE,mode=loopback,drift_ppm=50".
 * Returns 0 or -errno with the reason in err.
 */
int uacd_sim_create(const char *spec, struct uacd_device **out, char *err, size_t errlen);

/*
 * Tests: run `cycles` 1 ms cycles of the model on the calling thread, with
 * no sleeping (fast virtual time).  The device must not be started.  The
 * caller must be a registered RCU reader.
 */
void uacd_sim_step(struct uacd_device *d, unsigned cycles, uint64_t *host_time);

#endif /* UACD_TRANSPORT_SIM_H */
