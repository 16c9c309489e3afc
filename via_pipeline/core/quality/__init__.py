"""Data quality: Great Expectations suites as data, and the gap rules checks need at load."""
