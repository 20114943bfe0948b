"""The route table: every HTTP route of the platform, as data, one module per service.

Each route names its method and path, the scope its path sits under (city, district, street,
community or unit: the node of the administrative tree whose people may use it; `member` for a
member's own records, `any` for every signed-in account, `public` for no login), the roles that
may call it, the schemas of its body and query, and a handler. The gateway checks role and scope
before the handler runs (gateway.service); the OpenAPI document and the permission test
(tests/test_permissions.py) are generated from the one table ROUTES gathered here, so a new route
is documented and covered without anyone remembering to. A new service's routes go in a module
of its own, added to ROUTES below.
"""
from . import accounts, choices, documents, feedback, registration, scoring, volunteering
from .common import AREA, READERS, SCOPE_PARAMS, SCOPES, V1, Route  # noqa: F401

ROUTES = [*accounts.ROUTES, *choices.ROUTES, *registration.ROUTES, *volunteering.ROUTES, *scoring.ROUTES, *feedback.ROUTES,
          *documents.ROUTES]
