"""Reading and writing contact files: vCard 2.1/3.0/4.0 and CSV (imdesk, Outlook, Google, Thunderbird).

Pure Python over byte streams: no database, no Qt. ``reader.read_contacts`` turns a file into
``ContactRecord``s plus flags for values that do not validate; ``plan.plan_import`` says which
records are new and which duplicate contacts already in the book; the writers export. Third-party
parsers (vobject, phonenumbers, email-validator) are imported on first use, never at start-up.
"""
