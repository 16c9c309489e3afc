"""The names of the letter checks: light (no pandas), so the code location declares its check
specs without importing the suites of core/letter/quality.py."""

KEY_FIGURES_CHECK = "sentences_complete_without_minus_signs"
THEME_PROGRESS_CHECK = "status_counts_add_up"
PARTNER_REPORTING_CHECK = "one_row_per_partner_with_consistent_dates"
ACTION_PROGRESS_CHECK = "one_row_per_action_with_statuses_of_reporting_partners"
# Non-blocking, on letter/annex: the year's sent files are still as sent (issue 22).
SENT_FILES_CHECK = "sent_files_unchanged"
# Non-blocking, on letter/annex: no sent figure revised by revision_warning_pp or more.
REVISION_SIZE_CHECK = "sent_figures_not_revised_much"
