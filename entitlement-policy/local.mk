# entitlement-policy: build fragment included by the top-level Makefile.am
