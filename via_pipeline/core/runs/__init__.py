"""Run bookkeeping: the write lease, run records, failure causes, input versions and alerts."""
