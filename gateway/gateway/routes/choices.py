"""The values a form offers (性别, 学历, 技能特长, 单位类型…), from the contracts the API checks
against: a screen or another system builds its choices from this answer, never from a copy.
Each coded choice comes as [[code, 中文], ...]; the API accepts either."""
from contracts import registration as rc, volunteering as vc

from .common import Route, V1


def _coded(mapping):
    return [[code, name] for code, name in mapping.items()]


CHOICES = {
    "genders": _coded(rc.GENDERS),
    "education": list(rc.EDUCATION),
    "skills": list(rc.SKILLS),
    "unit_types": _coded(rc.UNIT_TYPES),
    "community_choices": _coded(rc.COMMUNITY_CHOICES),
    "transfer_reasons": _coded(rc.TRANSFER_REASONS),
    "decisions": _coded(rc.DECISIONS),
    "visit_kinds": list(vc.VISIT_KINDS),
    "resident_categories": list(vc.RESIDENT_CATEGORIES),
    "pairing_modes": _coded(vc.PAIRING_MODES),
    "organization_life_kinds": _coded(vc.ORGANIZATION_LIFE_KINDS),
    "festivals": _coded(vc.FESTIVALS),
    "team_formations": _coded(vc.TEAM_FORMATIONS),
}


def choices(call):
    return CHOICES


ROUTES = [
    Route("GET", f"{V1}/choices", choices, "表单的可选值：性别、学历、技能特长、单位类型、报到社区类别、走访内容等（代码与中文均可提交）",
          "any", tag="账号"),
]
