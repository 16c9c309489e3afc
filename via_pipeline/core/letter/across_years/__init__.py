"""Progress across years: what became of last year's actions (issue 14).

movements: one row per action of two consecutive years and its kind of movement;
wording: config/action_progress.yaml and the Dutch sentences; agenda: the agenda's years as a
whole; warnings: partners' mistakes the two years show; chart: status per year and theme.
"""
