"""The post-incident review pack (filled in below)."""
