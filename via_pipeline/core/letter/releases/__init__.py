"""The letter as sent (issue 22): approving a year's annex as a release, keeping its files
read-only under <VIA_DATA_DIR>/sent/<year>/, verifying them, and reporting every figure of a
sent letter that has been revised since (docs/letter-outputs.md, "Sent letters").

records.py: the letter.release* tables; files.py: the files on disk; figures.py: the figures
a letter states; approve.py: the approval and its refusals; verify.py: the sent files against
their record.
"""
