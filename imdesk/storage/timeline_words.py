"""The words of the timeline's full-text index, kept in a table of their own (SQLite), so that a
prefix longer than the index's prefix indexes ("cert", "chec") becomes the words it begins.

FTS5 answers such a prefix by merging the postings of every word it begins before it returns
the first hit: work in proportion to how often those words occur, on every search. The same
words ORed ("certificate" OR "certs") are read lazily, newest first, and stop at the page.
`timeline_fts_words` holds every word of the entries up to `timeline_fts_words_upto.upto`
(migration 0022 filled it from the index); `catch_up` adds the words of the entries written
since, tokenized by FTS5 itself (a temporary table with the index's tokenizer), so the words are
exactly the index's."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

MAX_EXPANSION = 64  # a prefix that begins more words than this stays a prefix
REBUILD_FROM = 100_000  # more entries than this behind: read every word from the index instead
TOKENIZER = "unicode61 remove_diacritics 2"  # timeline_fts's (migration 0002)


def _ends(session: Session) -> tuple[int, int]:
    """The newest entry's id and how far the word table reaches (0: not yet)."""
    row = session.execute(text(
        "SELECT coalesce((SELECT max(id) FROM timeline_entry), 0), "
        "coalesce((SELECT upto FROM timeline_fts_words_upto WHERE id = 1), 0)")).one()
    return int(row[0]), int(row[1])


def behind(session: Session) -> int:
    """How many entries (by id) were written after the last word taken in: 0 when complete in
    this transaction's snapshot."""
    top, upto = _ends(session)
    return max(0, top - upto)


def catch_up(session: Session) -> int:
    """Take in the words of every entry written since the last catch-up (inside the caller's
    write transaction); the number of entries read."""
    top, start = _ends(session)
    if top <= start:
        return 0
    if top - start > REBUILD_FROM:
        session.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.timeline_fts_terms "
                             "USING fts5vocab(main, timeline_fts, row)"))
        session.execute(text("INSERT OR IGNORE INTO timeline_fts_words (term) "
                             "SELECT term FROM temp.timeline_fts_terms"))
    else:
        session.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.imdesk_tokenize "
                             f"USING fts5(text, tokenize='{TOKENIZER}')"))
        session.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.imdesk_tokenize_terms "
                             "USING fts5vocab(temp, imdesk_tokenize, row)"))
        session.execute(text("INSERT INTO temp.imdesk_tokenize (text) SELECT text FROM "
                             "timeline_entry WHERE id > :start AND id <= :top"),
                        {"start": start, "top": top})
        session.execute(text("INSERT OR IGNORE INTO timeline_fts_words (term) "
                             "SELECT term FROM temp.imdesk_tokenize_terms"))
        session.execute(text("DELETE FROM temp.imdesk_tokenize"))
    session.execute(text("INSERT INTO timeline_fts_words_upto (id, upto) VALUES (1, :top) "
                         "ON CONFLICT (id) DO UPDATE SET upto = excluded.upto"), {"top": top})
    return top - start


def words_beginning(session: Session, prefix: str) -> list[str] | None:
    """The index's words that begin with PREFIX (a folded, lower-case word), or None when there
    are more than MAX_EXPANSION of them."""
    found = [str(r[0]) for r in session.execute(text(
        "SELECT term FROM timeline_fts_words WHERE term >= :lo AND term < :hi LIMIT :cap"),
        {"lo": prefix, "hi": prefix[:-1] + chr(ord(prefix[-1]) + 1), "cap": MAX_EXPANSION + 1})]
    return None if len(found) > MAX_EXPANSION else found
