"""The partner portal's logic: links, sessions, uploads and the audit log (docs/portal.md).

Plain Python over the intake's own code (core.partners); the web shell is via_pipeline/portal/.
"""
