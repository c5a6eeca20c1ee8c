"""Named search spaces shipped with autost, one TOML file each (package data)."""
