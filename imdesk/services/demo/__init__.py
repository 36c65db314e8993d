"""Demo and benchmark data: the believable month of history behind imdesk --demo, its contact book, and
the bulk seeder for big databases."""
