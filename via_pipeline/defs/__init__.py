"""Dagster definitions, one package per domain; definitions.py loads them all from here."""
