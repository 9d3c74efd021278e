"""Tables: Table 1, the safety tables and statements, the participant flow."""
