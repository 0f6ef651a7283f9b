# tests/integration: see tests/local.mk
