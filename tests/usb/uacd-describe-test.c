/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `uacctl describe` without the rest of uacctl, for tests. */
#include "config.h"

#include "engine/usb/usb-describe.h"

int main(int argc, char **argv)
{
	return uacd_describe_main(argc, argv);
}
