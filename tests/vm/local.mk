# tests/vm: see tests/local.mk
