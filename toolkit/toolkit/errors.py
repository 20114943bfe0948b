"""Typed remote errors across nameko RPC.

nameko rebuilds an exception raised by a remote worker as its own class only if the class is in
`nameko.exceptions.registry` under its module path; otherwise the caller gets a RemoteError with
the class name as text. Services and the gateway call `register_remote_errors()` once, so a
`contracts.errors.NotFound` raised in a service arrives as a NotFound at the gateway.
"""
from nameko.exceptions import get_module_path, registry

from contracts import errors

from . import nameko_fixes  # noqa: F401  (every service and the gateway import this module)


def register_remote_errors():
    for exc_type in errors.ALL:
        registry[get_module_path(exc_type)] = exc_type


register_remote_errors()


def rpc(fn):
    """nameko's @rpc, with the contract errors marked as expected: a refused request is logged
    as a warning, not as a failure of the service."""
    from nameko.rpc import rpc as nameko_rpc
    return nameko_rpc(expected_exceptions=errors.DomainError)(fn)
