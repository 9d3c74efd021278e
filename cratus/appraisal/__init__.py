"""The critical appraisal: views, tables, text and charts, and the audit of the printed numbers."""
