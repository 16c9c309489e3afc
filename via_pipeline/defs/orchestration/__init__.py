"""Schedules, sensors, automation and freshness: when assets run, and who hears of failures."""
