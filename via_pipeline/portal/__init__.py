"""The partner portal: a Starlette shell over core.portal and the intake's own checks (docs/portal.md)."""
