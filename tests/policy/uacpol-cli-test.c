/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test driver: `uacpol-cli-test policy check ...` runs what `uacctl policy
 * check ...` runs, without uacctl. */
#include "config.h"

#include "entitlement-policy/uacpol.h"

int main(int argc, char **argv)
{
	return uacpol_cli_main(argc - 1, argv + 1);
}
