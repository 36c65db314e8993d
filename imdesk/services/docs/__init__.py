"""Runbooks and documents per service or team: versions, review, import/export, the desk settings
for documents and the awareness board."""
