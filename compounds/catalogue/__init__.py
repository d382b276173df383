"""The catalogue: the whole content as one file, exported and imported.

    file_format.py   what a catalogue file holds, kind by kind (JSON and CSV)
    export.py        the working copies or the live content, streamed as a file
    archives.py      the files of an upload (a file, a zip archive, a directory), bounded
    read.py          read(files)            -> Parsed: the file's objects, or what stops it;
                     Catalogue(sources).items(): the same, streamed from the files
    check.py         check(parsed)          -> Plan: per object created / updated /
                                               unchanged, and every issue
    apply.py         apply(plan, user, ...) -> the ImportBatch, in one transaction,
                     written set-based a chunk at a time (Writer)
    batches.py       the same three steps for a file of any size (the command line):
                     read through once for its keys, checked a batch at a time into a
                     spool on disk, the spool written in one transaction
    issues.py        what an import says is wrong, and where
    admin.py         the admin's import, export and import-batch pages

Objects are matched by slug (summaries by their compound's and condition's
slugs). Every change is booked as an editor's save is (workflow.record_edit: a
draft, one revision on, the editor noted) and, when asked, submitted for review
through workflow.submit_many: nothing an import writes is live until an advisor
approves it. An object whose revision in the database differs from the one in
the file was changed since the file was exported: it is refused, not overwritten.

Values are checked by the models themselves (full_clean: field validators,
clean(), constraints), so a file is held to the same rules as the admin's forms
and says so in the same words.
"""
