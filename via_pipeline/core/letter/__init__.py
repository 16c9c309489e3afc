"""The progress letter's outputs: key-figure sentences, letter tables, charts and the annex files.

Plain Python: matplotlib, python-docx and openpyxl are imported inside the rendering functions
only, so importing the code location never loads them.
"""
