"""Ingestion: read report files, parse them, check their sums, store and index them."""
