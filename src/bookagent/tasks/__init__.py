"""Thin task functions (ids in, one domain call, idempotent) and the one registry of names."""
