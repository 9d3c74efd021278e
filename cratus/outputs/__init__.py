"""Outputs: the presentation deck, the HTML report, exports, and the code behind an output."""
