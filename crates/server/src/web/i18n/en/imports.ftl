# Cartera: interface texts in English, imports. The keys are the same as in es/imports.ftl and
# appear in no other file.

import-title = Import
import-lead = Bring in customers from Excel or CSV: check the columns and a preview before anything is written.
import-upload = Upload a file
import-kind = Import into
import-locale = Dates and numbers
import-locale-es = Spanish (22/11/2026, 1.234,50)
import-locale-en = English (11/22/2026, 1,234.50)
import-drop = Drop a file here or choose one
import-formats = Excel (XLSX, XLS), OpenDocument (ODS) or CSV, up to 64 MB
import-read = Read the file
import-upload-failed = The file could not be read.
import-recent = Recent imports
import-file = File
import-status = Status
import-result = Result
import-counts = { $created } created · { $updated } updated · { $skipped } skipped · { $rejected } rejected
import-status-draft = Ready to check
import-status-queued = Waiting
import-status-running = Importing
import-status-checked = Preview ready
import-status-done = Imported
import-status-failed = Not imported
import-status-undone = Undone
import-status-undoing = Undoing
import-status-expired = Expired
import-mode = When a row has problems
import-mode-dry_run = Preview
import-mode-skip_bad_rows = Import the good rows
import-mode-skip_bad_rows-help = and list the others to fix
import-mode-all_or_nothing = All or nothing
import-mode-all_or_nothing-help = one bad row and nothing is imported
import-progress = Progress
import-progress-of = { $done } of { $total } rows
import-progress-rows = { $done } rows read
import-outcome = Result
import-outcome-created = New
import-outcome-updated = Updated
import-outcome-skipped = Skipped
import-outcome-rejected = Rejected
import-download-rejected = Download rejected rows (Excel)
import-undo = Undo this import
import-undo-progress = { $done } of { $total } records put back
import-stalled = No progress for a while. If the server running this import stopped, the import goes on by itself from its last saved step after { $until }.
import-expired-note = This file waited too long without being imported, so it was deleted.
import-upload-again = Upload it again
import-see-records = See the records
import-reload-when-done = This page updates by itself; you can leave it and come back.
import-mapping = Columns
import-mapping-help = Each column of the file fills a field; change what was guessed.
import-column = Column in the file
import-field = Field
import-sample = First values
import-skip-column = — do not import —
import-options = Duplicates and mode
import-match-on = Recognise existing records by
import-match-email = Email
import-match-tax_id = Tax id (CUIT)
import-match-external_id = Code from the other system
import-on-match = When a record already exists
import-on-skip = Leave it as it is
import-on-update = Update it with the file
import-on-create = Create another one
import-preview = Preview
import-run = Import
import-preview-title = What the import would do
import-rows-title = Row by row
import-problems = Problems
import-problem-not_a_date = '{ $value }' is not a date; write it as { $example }.
import-problem-no_such_day = '{ $value }' is not a date: its month has no such day.
import-problem-no_such_month = '{ $value }' is not a date: there is no such month.
import-problem-not_a_number = '{ $value }' is not a number; write it as { $example }.
import-problem-not_yes_no = '{ $value }' is not yes or no.
import-problem-bad_encoding = The row has bytes that are not { $value }; choose the file's encoding.
import-problem-cell_count = The row has { $cells } cells; the header has { $columns } columns.
import-problem-nul_cell = The row has a NUL character in column '{ $value }', which cannot be stored.
import-problem-same_key-named = A record has the same { $key ->
    [tax_id] tax ID
    [external_id] ID in the other system
   *[email] email
}: { $kind } '{ $name }'.
import-problem-same_key-hidden = A record outside your view has the same { $key ->
    [tax_id] tax ID
    [external_id] ID in the other system
   *[email] email
}.
import-problem-repeats_row = Repeats the { $key ->
    [tax_id] tax ID
    [external_id] ID in the other system
   *[email] email
} of row { $row }.
import-problem-repeats_row-named = Repeats the { $key ->
    [tax_id] tax ID
    [external_id] ID in the other system
   *[email] email
} of row { $row }: { $kind } '{ $name }'.
import-problem-repeats_row-hidden = Repeats the { $key ->
    [tax_id] tax ID
    [external_id] ID in the other system
   *[email] email
} of row { $row }, a record outside your view.
import-problem-already_updated = Row { $row } already updates the same record.
import-problem-nothing_new = The file says nothing new about this record.
