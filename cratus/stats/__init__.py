"""Statistics from summary numbers: between arms, within an arm, power, multiplicity."""
