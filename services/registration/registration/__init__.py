"""The registration service: reporting (报到), RULES R1–R9, §3.1, §4.2, §4.3, §5.1."""
