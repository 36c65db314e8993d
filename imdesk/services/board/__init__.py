"""The awareness board: a static HTML status page for the business (collect, page, write)."""
