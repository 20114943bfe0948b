"""The caller of an RPC, as the gateway put it in the context (contracts.access.Caller).

    class RegistrationService:
        caller = CallerOf()

        @rpc
        def get_unit(self, unit_id):
            guard.unit(self.caller, conn, unit_id)   # Forbidden if the caller may not

`self.caller` is None when the message carried no caller (or a malformed one): every check then
refuses, so a call that bypassed the gateway gets nothing. A tool calling the services itself
signs at each call: `ClusterRpcProxy(config, context_data=SignedAtEachCall(caller))`.
"""
import logging

from nameko.extensions import DependencyProvider

from contracts.access import CONTEXT_KEY, CONTEXT_SECRET_ENV, Caller, require_context_secret

log = logging.getLogger(__name__)


class SignedAtEachCall(dict):
    """The context data of a standalone proxy (a script, a test, a bench) that calls as `caller`
    for longer than a signature lives (contracts.access.CONTEXT_TTL: seconds). nameko copies a
    proxy's context data into each message it sends (WorkerContext.context_data); this copy signs
    the caller afresh, so every call carries a signature made as it is sent (and none is made
    before: it may be built at import, before RPC_CONTEXT_SECRET is set).

        with ClusterRpcProxy(config, context_data=SignedAtEachCall(caller)) as rpc: ...
    """

    def __init__(self, caller, **data):
        super().__init__(data)
        self.caller = caller

    def copy(self):
        data = dict(self)
        if self.caller is not None:
            data[CONTEXT_KEY] = self.caller.to_context()
        return data


class CallerOf(DependencyProvider):
    def setup(self):
        require_context_secret()  # fail at start, not at every call

    def get_dependency(self, worker_ctx):
        context = worker_ctx.data.get(CONTEXT_KEY)
        caller = Caller.from_context(context)
        if caller is None and context:
            # forged, replayed, or (the likelier at 3 a.m.) the gateway and this service do not
            # share the secret: every such call is refused
            log.warning("%s.%s: caller context refused (unsigned, bad signature or expired; is %s the same "
                        "on the gateway and this service?)", worker_ctx.service_name,
                        worker_ctx.entrypoint.method_name, CONTEXT_SECRET_ENV)
        return caller
