"""Partner submissions: registry, file format, reading, rules, archive, feedback, templates.

Plain Python without Dagster; `intake` ties the pieces to the warehouse.
"""
