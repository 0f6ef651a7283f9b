# tests/fuzz: see tests/local.mk
