"""Pictures people would rather look at than read: the vanguard board (先锋榜, §3.5.6) and the
honour certificate of a ten-star member (§3.6.2), as SVG drawn from published results.

Only names, points and stars appear: nothing personal (no phone, address or identity number)."""
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

RED, GOLD, INK = "#c0161c", "#f4c542", "#3a2a1a"
FONT = "font-family='Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, WenQuanYi Micro Hei, sans-serif'"


def _svg(width, height, body):
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
           f"viewBox='0 0 {width} {height}' {FONT}>{body}</svg>")
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=300"})


def _stars(count, x, y, size=16):
    return "".join(f"<text x='{x + i * (size + 2)}' y='{y}' font-size='{size}' fill='{GOLD}'>★</text>"
                   for i in range(count))


def _points(value):
    """105.0 -> 105, 37.5 -> 37.5 (members' points are whole; organizations' may have a half)."""
    text = f"{value}"
    return text[:-2] if text.endswith(".0") else text


def _half(period):
    return f"{period[:4]}年{'上' if period.endswith('1') else '下'}半年"


def board(data):
    """The top of a board: rank, name, points and stars, one row each."""
    rows = data["items"]
    kind = "党员" if data["kind"] == "member" else "党组织"
    height = 150 + 44 * max(len(rows), 1)
    body = ["<rect width='100%' height='100%' fill='#fff8f0'/>",
            f"<rect width='100%' height='96' fill='{RED}'/>",
            f"<text x='360' y='52' font-size='34' fill='{GOLD}' text-anchor='middle' font-weight='bold'>先 锋 榜</text>",
            f"<text x='360' y='82' font-size='16' fill='#fff' text-anchor='middle'>"
            f"{escape(data['area_code'])} · {_half(data['period'])} · {kind}志愿服务积分评星（已公布）</text>"]
    if not rows:
        body.append(f"<text x='360' y='150' font-size='18' fill='{INK}' text-anchor='middle'>本期评星结果尚未公布</text>")
    for i, row in enumerate(rows):
        y = 136 + 44 * i
        if i % 2 == 0:
            body.append(f"<rect x='20' y='{y - 28}' width='680' height='44' fill='#fdeee0'/>")
        medal = RED if row["rank"] <= 3 else INK
        body.append(f"<text x='56' y='{y}' font-size='22' fill='{medal}' text-anchor='middle' "
                    f"font-weight='bold'>{row['rank']}</text>")
        body.append(f"<text x='100' y='{y}' font-size='20' fill='{INK}'>{escape(row['name'] or '—')}</text>")
        body.append(f"<text x='330' y='{y}' font-size='18' fill='{INK}'>{_points(row['points'])} 分</text>")
        body.append(_stars(int(row["stars"]), 430, y, 20))
    body.append(f"<text x='360' y='{height - 16}' font-size='12' fill='#8a7a6a' text-anchor='middle'>"
                f"共 {data['holders']} 名 · {data['communities_published']} 个社区已公布 · 每 10 分一星，最高十星（§3.5.5）</text>")
    return _svg(720, height, "".join(body))


def certificate(data):
    """The honour certificate of a ten-star member volunteer."""
    body = (f"<rect width='100%' height='100%' fill='#fffaf0'/>"
            f"<rect x='16' y='16' width='808' height='548' fill='none' stroke='{RED}' stroke-width='10'/>"
            f"<rect x='34' y='34' width='772' height='512' fill='none' stroke='{GOLD}' stroke-width='3'/>"
            f"<text x='420' y='130' font-size='48' fill='{RED}' text-anchor='middle' font-weight='bold'>荣 誉 证 书</text>"
            f"<text x='120' y='220' font-size='28' fill='{INK}'>{escape(data['name'] or '')} 同志：</text>"
            f"<text x='160' y='280' font-size='22' fill='{INK}'>在{_half(data['period'])}在职党员志愿服务中积分 "
            f"{_points(data['points'])} 分，</text>"
            f"<text x='120' y='320' font-size='22' fill='{INK}'>经党员群众代表大会审议公布，评为</text>"
            f"<text x='420' y='385' font-size='34' fill='{RED}' text-anchor='middle' font-weight='bold'>十星级党员志愿者</text>"
            + _stars(10, 262, 440, 28) +
            f"<text x='700' y='500' font-size='20' fill='{INK}' text-anchor='end'>社区党组织 {escape(data['community_code'])}</text>"
            f"<text x='700' y='530' font-size='16' fill='{INK}' text-anchor='end'>"
            f"{data['published_at'].strftime('%Y年%m月%d日') if hasattr(data['published_at'], 'strftime') else ''}</text>")
    return _svg(840, 580, body)
