"""Thin Telegram adapters over bot/; the only package (with its app builder) that imports telegram."""
