"""Scoring (评星 · 激励): the points ledger, half-year stars and what they buy."""
