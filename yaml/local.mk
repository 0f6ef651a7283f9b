# yaml: build fragment included by the top-level Makefile.am
#
# libuacdyaml: the strict YAML reader (libyaml underneath) that dsp/ and
# entitlement-policy/ both load their files with.  Its own folder because
# neither of them may depend on the other or on engine/ (engine/README.md,
# "Outside engine/"); it includes nothing of uacd but config.h.
noinst_LTLIBRARIES += yaml/libuacdyaml.la
yaml_libuacdyaml_la_SOURCES = yaml/strict-yaml.h yaml/strict-yaml.c
yaml_libuacdyaml_la_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS)
yaml_libuacdyaml_la_LIBADD = $(YAML_LIBS) -lm

include $(srcdir)/tests/yaml/local.mk
