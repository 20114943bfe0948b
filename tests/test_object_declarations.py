"""No RPC names an object that its service does not check (toolkit.objects): every argument and
every request field that holds an id is declared with `@guard.objects`, or is the call's scope,
or is listed here with the reason it needs no check. A new RPC with a new id fails this test
until someone decides which."""
import inspect
import re

import pytest
from marshmallow import fields

from contracts import feedback, registration, scoring, volunteering
from documents.service import DocumentsService
from feedback.service import FeedbackService
from registration.service import RegistrationService
from scoring.service import ScoringService
from toolkit.objects import SCOPE_NAMES, declared_objects, scope_of
from volunteering.service import VolunteeringService

CONTRACTS = {"c": registration, "v": volunteering, "s": scoring, "f": feedback}
# ids that are not objects of a scope, with the reason
NOT_SCOPED = {
    ("registration", "report_member", "unit_id"): "a member's work unit may sit anywhere in the city (§3.1.2); "
                                                  "the report's statement refuses a unit that does not exist",
    ("registration", "record_transfer", "new_unit_id"): "the member's new work unit, anywhere in the city (R7); "
                                                         "the transfer refuses one that does not exist",
    ("registration", "report_members", "reports"): "each item is a report_member, checked as one",
    ("registration", "accept_registrations", "registration_ids"): "each is accepted as accept_registration accepts "
                                                                   "one: a registration of that community, or 404 "
                                                                   "for that item",
    ("registration", "give_unit_opinions", "registration_ids"): "each as give_unit_opinion: a registration of that "
                                                                 "unit, or 404 for that item",
    ("registration", "accepted_members", "after_registration_id"): "a page's cursor, the city's whole list",
    ("registration", "community_certificates", "after_id"): "a page's cursor within the community's own list",
    ("scoring", "record_merit", "unit_id"): "the member's work unit, which may sit anywhere: record_merit "
                                            "refuses any but their red account's (§5.4.1)",
    ("registration", "feedback_rosters", "unit_ids"): "units anywhere in the city, by name and where they sit "
                                                      "(nothing personal; unknown ones left out); their members only "
                                                      "for units in the caller's own communities",
    ("feedback", "notice_preview", "unit_id"): "a unit with members in the district's communities: only those "
                                               "lines are read, and a unit with none there is 404",
    ("feedback", "release_notices", "unit_id"): "as notice_preview: the district's own lines of the unit, or 404",
    ("feedback", "released_notices", "unit_ids"): "only the notices the district itself released are read (by "
                                                  "the district's code): a unit it sent none is left out",
    ("feedback", "write_comments", "comments.member_id"): "each must be a member of the community's published "
                                                          "half year (notices.write_comments), or 404",
    ("feedback", "raise_objection", "entry_id"): "scoring.ledger_entry, asked as the caller, answers only for an "
                                                 "entry of theirs (a unit's: its members'), or 404",
    ("feedback", "request_opinion", "member_id"): "registration.member_current, asked as the unit's officer, "
                                                 "answers only for the unit's own member, or 404",
    ("feedback", "report_detail_change", "member_id"): "as request_opinion: the unit's own member (a member "
                                                       "reports for themself only), or 404",
    ("scoring", "compensate", "objection_id"): "the feedback service's objection the entry is made for: its "
                                               "name, not an object of scoring's (the entry's source, once)",
    ("scoring", "honour_certificate", "member_id"): "open to every account like the honour list (§3.6.2): "
                                                    "the published results of that community are its only source, "
                                                    "so it says nothing of members who are not on them",
    # the documents service owns no business data: it asks the owner as the caller, with the scope
    ("documents", "certificate_pdf", "registration_id"): "registration.get_certificate, asked as the caller with "
                                                         "the community, declares it: that community's, or 404",
    ("documents", "receipt_pdf", "registration_id"): "registration.get_receipt declares it, as certificate_pdf",
    ("documents", "register_d1_pdf", "member_id"): "scoring.register_d1, asked as the caller, declares it "
                                                   "(member_of_record of that community), or 404",
    ("documents", "agreement_pdf", "project_id"): "volunteering.get_project, asked as the caller with the "
                                                  "community, declares it (a project of that community), or 404",
    ("documents", "notice_file", "notice_id"): "feedback.read_notice, asked as the caller, declares it (a notice "
                                               "of that unit), or 404",
    ("documents", "job", "job_id"): "its own jobs: jobs.status answers only for a job of the area named, or 404",
    ("documents", "job_file", "job_id"): "as job",
}


def _rpcs(service):
    for name, method in inspect.getmembers(service, inspect.isfunction):
        if any(type(e).__name__ == "Rpc" for e in getattr(method, "nameko_entrypoints", ())):
            yield name, method


def _request_fields(method):
    """Fields of the contract schema the method loads its `request` with (by its source)."""
    source = inspect.getsource(inspect.unwrap(method))
    found = re.search(r"load\((\w)\.(\w+), (request|\{\*\*request[^}]*\})", source)
    if not found:
        return []
    supplied = set(re.findall(r'"(\w+)":', found.group(3)))  # by the method itself, not the caller
    return [n for n in _names(getattr(CONTRACTS[found.group(1)], found.group(2))()) if n not in supplied]


def _names(schema, prefix=""):
    for key, field in schema.fields.items():
        if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            yield from _names(field.inner.schema, f"{prefix}{key}.")
        else:
            yield prefix + key


def _names_an_object(name):
    return re.search(r"_ids?$", name.rsplit(".", 1)[-1]) is not None


@pytest.mark.parametrize("service", [RegistrationService, VolunteeringService, ScoringService,
                                     FeedbackService, DocumentsService], ids=lambda s: s.name)
def test_every_id_an_rpc_takes_is_checked_or_its_scope(service):
    unchecked, checked = [], 0
    for name, method in _rpcs(service):
        params = [p for p in inspect.signature(method).parameters if p != "self"]
        names = params + [f for f in _request_fields(method) if f not in params]
        declared = declared_objects(method)
        heads = {d.partition(".")[0] for d in declared}
        scope_name, _ = scope_of({n: 1 for n in names if n.partition(".")[0] not in heads}, ())
        if scope_name is None:
            scope_name, _ = scope_of({n: 1 for n in names}, ())
        for n in names:
            if not _names_an_object(n):
                continue
            if n in declared or n == scope_name or (service.name, name, n) in NOT_SCOPED:
                checked += 1
                continue
            unchecked.append(f"{service.name}.{name}: {n}")
    assert checked > 0
    assert unchecked == [], "ids no guard checks (declare them with @guard.objects):\n" + "\n".join(unchecked)


def test_the_scope_names_are_the_ones_routes_use():
    assert {"community_code", "unit_id", "member_id"} <= set(SCOPE_NAMES)
