"""Annex A, the organization chart of party-member volunteering (党员志愿服务组织运行图). The standard
gives no picture (RULES.md: Annex A has no content in the source), so it is drawn from the
platform's own structure, for one community: the city's and the district's organization
departments, the street's committee, the community's Party organization (its service center),
and beneath it what runs the volunteering (teams, studios, posts) with the units paired to it
(党建联建) and its in-service members, each with how many there are."""

SHOW = 4  # names shown in a box; the rest counted


def _names(items, key):
    names = [i[key] for i in items if i.get(key)]
    return names[:SHOW] + ([f"等 {len(names)} 个"] if len(names) > SHOW else [])


def community(names, database, units, posts, board, year):
    """`names`: the district's, the street's and the community's; the rest as the owners answer."""
    return {
        "year": year, "city": "中共郑州市委组织部", "district": f"{names['district']}委组织部",
        "street": f"{names['street']}党（工）委", "community": f"{names['community']}党组织（党群服务中心）",
        "teams": {"count": len(board["teams"]), "names": _names(board["teams"], "name")},
        "studios": {"count": len(board["studios"]), "names": _names(board["studios"], "name")},
        "posts": {"count": len(posts), "names": _names(posts, "title")},
        "units": {"count": len(units), "names": _names(units, "party_org_name")
                  or _names(units, "unit_name")},
        "projects": len(board["projects"]),
        "members": {"reported": database["members"]["reported"], "accepted": database["members"]["accepted"]},
    }
