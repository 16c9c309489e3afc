"""Plain Python for the pipeline's logic: no dagster import here, so it is tested as functions."""
