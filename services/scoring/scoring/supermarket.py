"""The volunteer service supermarket (党员志愿服务超市, I3, §3.6.3).

A community lists goods and services with a price in points and a stock. A member spends the
balance of the red account: all points earned minus points spent. Balances never go below zero
and stock never below zero, however many requests arrive at once: a redemption locks the
member's account row, then takes the stock with a conditional update, in one transaction (and
CHECK constraints hold the line if code ever forgets). Spending never touches the ledger, so a
published star rating never moves. A cancellation gives the points and the stock back.
"""
from sqlalchemy import select

from contracts.errors import Conflict, InvalidState, NotFound
from toolkit.config import now

from .models import accounts, goods, redemptions

GOODS_FIELDS = ("id", "community_code", "name", "kind", "description", "price_points", "stock", "active")


def add_goods(conn, req, by):
    code = req["community_code"]
    row = conn.execute(goods.insert().values(
        community_code=code, district_code=code[:6], street_code=code[:9], name=req["name"], kind=req["kind"],
        description=req["description"], price_points=req["price_points"], stock=req["stock"], created_by=by)
        .returning(*[goods.c[f] for f in GOODS_FIELDS])).mappings().one()
    return dict(row)


def _goods(conn, community_code, goods_id, lock=False):
    stmt = select(goods).where(goods.c.id == goods_id, goods.c.community_code == community_code)
    row = conn.execute(stmt.with_for_update() if lock else stmt).mappings().first()
    if row is None:
        raise NotFound(code="goods_not_found", message=f"本社区超市没有编号为 {goods_id} 的物品或服务")
    return row


def update_goods(conn, community_code, goods_id, req):
    """Price, stock (restocking sets the count on the shelf) or whether it is offered."""
    _goods(conn, community_code, goods_id, lock=True)
    row = conn.execute(goods.update().where(goods.c.id == goods_id).values(**req)
                       .returning(*[goods.c[f] for f in GOODS_FIELDS])).mappings().one()
    return dict(row)


def catalog(conn, community_code, offered_only):
    stmt = select(*[goods.c[f] for f in GOODS_FIELDS]).where(goods.c.community_code == community_code)
    if offered_only:
        stmt = stmt.where(goods.c.active.is_(True))
    return [dict(r) for r in conn.execute(stmt.order_by(goods.c.price_points, goods.c.id)).mappings()]


def balance(conn, member_id):
    row = conn.execute(select(accounts.c.account_no, accounts.c.community_code, accounts.c.earned, accounts.c.spent)
                       .where(accounts.c.holder_kind == "member", accounts.c.holder_id == member_id)).mappings().first()
    if row is None:
        return {"member_id": member_id, "account_no": None, "community_code": None, "earned": 0, "spent": 0,
                "balance": 0}
    return {"member_id": member_id, **row, "balance": row["earned"] - row["spent"]}


def _no_red_account():
    return NotFound(code="no_red_account", message="尚未开立红色账户：报到被社区接收后才能使用志愿服务超市（§4.3.2）")


def member_community(conn, member_id):
    code = conn.execute(select(accounts.c.community_code).where(
        accounts.c.holder_kind == "member", accounts.c.holder_id == member_id)).scalar()
    if code is None:
        raise _no_red_account()
    return code


def redeem(uow, member_id, req, by):
    """Spend points on goods of the member's community; refused, changing nothing, if the balance
    or the stock does not cover it."""
    conn = uow.conn
    account = conn.execute(select(accounts).where(accounts.c.holder_kind == "member",
                                                  accounts.c.holder_id == member_id).with_for_update()
                           ).mappings().first()
    if account is None or account["community_code"] is None:
        raise _no_red_account()
    item = _goods(conn, account["community_code"], req["goods_id"])
    if not item["active"]:
        raise InvalidState(code="goods_not_offered", message=f"“{item['name']}”已下架")
    cost = item["price_points"] * req["quantity"]
    available = account["earned"] - account["spent"]
    if cost > available:
        raise Conflict(code="balance_insufficient", message=(
            f"积分余额 {available} 分，兑换“{item['name']}”×{req['quantity']} 需 {cost} 分（§3.6.3）"))
    taken = conn.execute(goods.update().where(goods.c.id == item["id"], goods.c.stock >= req["quantity"])
                         .values(stock=goods.c.stock - req["quantity"]).returning(goods.c.stock)).scalar()
    if taken is None:
        raise Conflict(code="out_of_stock", message=f"“{item['name']}”库存不足")
    conn.execute(accounts.update().where(accounts.c.holder_kind == "member", accounts.c.holder_id == member_id)
                 .values(spent=accounts.c.spent + cost))
    row = conn.execute(redemptions.insert().values(
        goods_id=item["id"], community_code=item["community_code"], member_id=member_id, quantity=req["quantity"],
        points=cost, status="redeemed", redeemed_by=by).returning(redemptions)).mappings().one()
    uow.emit("points_redeemed", _scope(item["community_code"]), redemption_id=row["id"], member_id=member_id,
             goods_id=item["id"], goods_name=item["name"], quantity=req["quantity"], points=cost)
    return dict(row, goods_name=item["name"], balance=available - cost)


def cancel(uow, community_code, redemption_id, reason, by):
    """Give the points and the stock back (the redemption is kept, marked cancelled)."""
    conn = uow.conn
    row = conn.execute(select(redemptions).where(redemptions.c.id == redemption_id,
                                                 redemptions.c.community_code == community_code)
                       .with_for_update()).mappings().first()
    if row is None:
        raise NotFound(code="redemption_not_found", message=f"本社区没有编号为 {redemption_id} 的兑换记录")
    if row["status"] != "redeemed":
        raise InvalidState(code="already_cancelled", message="该兑换已撤销")
    conn.execute(accounts.update().where(accounts.c.holder_kind == "member", accounts.c.holder_id == row["member_id"])
                 .values(spent=accounts.c.spent - row["points"]))
    conn.execute(goods.update().where(goods.c.id == row["goods_id"]).values(stock=goods.c.stock + row["quantity"]))
    done = conn.execute(redemptions.update().where(redemptions.c.id == redemption_id).values(
        status="cancelled", cancelled_by=by, cancelled_at=now(), cancel_reason=reason)
        .returning(redemptions)).mappings().one()
    uow.emit("redemption_cancelled", _scope(community_code), redemption_id=redemption_id, member_id=row["member_id"],
             points=row["points"], reason=reason)
    return dict(done)


def list_redemptions(conn, community_code=None, member_id=None, limit=200):
    stmt = select(redemptions, goods.c.name.label("goods_name")).join(goods, goods.c.id == redemptions.c.goods_id)
    if community_code:
        stmt = stmt.where(redemptions.c.community_code == community_code)
    if member_id:
        stmt = stmt.where(redemptions.c.member_id == member_id)
    return [dict(r) for r in conn.execute(stmt.order_by(redemptions.c.id.desc()).limit(limit)).mappings()]


def _scope(code):
    return {"district_code": code[:6], "street_code": code[:9], "community_code": code}
