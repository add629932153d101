"""Rules that need the GPU catalog (filled in with the catalog)."""
