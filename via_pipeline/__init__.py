"""Werkagenda VIA monitor: CBS statistics and partner reports to warehouse tables and the letter annex."""
