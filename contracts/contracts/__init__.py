"""The published language of the 双报到 platform.

Producers and consumers both import this package: event names and payload schemas
(`contracts.events`), RPC request schemas per service (`contracts.registration`, ...), the
remote error types (`contracts.errors`) and the field rules they share (`contracts.rules`).
It imports nothing heavier than marshmallow.
"""
