"""The bottom line: one reading per efficacy endpoint, and its display."""
