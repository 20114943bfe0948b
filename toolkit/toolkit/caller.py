"""The caller of an RPC, as the gateway put it in the context (contracts.access.Caller).

    class RegistrationService:
        caller = CallerOf()

        @rpc
        def get_unit(self, unit_id):
            guard.unit(self.caller, conn, unit_id)   # Forbidden if the caller may not

`self.caller` is None when the message carried no caller (or a malformed one): every check then
refuses, so a call that bypassed the gateway gets nothing.
"""
from nameko.extensions import DependencyProvider

from contracts.access import CONTEXT_KEY, Caller


class CallerOf(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return Caller.from_context(worker_ctx.data.get(CONTEXT_KEY))
