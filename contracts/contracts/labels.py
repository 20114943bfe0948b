"""The Chinese label of every field a request can carry, as the forms and screens name it: an
error names the field by its label as well as its key ("出生日期（birth_date）"). A field is
looked up by its own key (the last part of a path such as unit.name or skills.2) after its full
path, so a nested field whose meaning differs can have its own line. The unit tests check that
every field of every request schema has a label here."""

LABELS = {
    # who, as on certificate B.1 (附录B.1)
    "name": "姓名", "gender": "性别", "birth_date": "出生日期", "id_number": "身份证号", "education": "学历",
    "party_join_date": "入党时间", "position": "职务", "phone": "联系方式", "home_address": "家庭住址",
    "skills": "技能特长", "other_skill": "其它技能", "service_intentions": "服务意向",
    "community_code": "报到社区代码", "community_choice": "报到社区类别", "unit_id": "工作单位编号",
    "member_id": "党员编号", "member_ids": "党员编号", "member_name": "党员姓名", "certificate_no": "报到证编号",
    "registration_id": "报到编号", "registration_ids": "报到编号", "unit_registration_id": "单位报到编号",
    # units (§3.1.1)
    "unit": "单位信息", "unit.name": "单位名称", "unit_name": "单位名称", "credit_code": "统一社会信用代码",
    "type": "类型", "unit.type": "单位党组织类型", "unit_type": "单位党组织类型", "party_org_name": "单位党组织名称",
    "address": "地址", "unit.address": "单位地址", "contact_officer": "联系人", "contact_phone": "联系电话",
    "contact": "联系方式", "resources": "可提供资源", "head_name": "负责人",
    # the tree and people of the platform
    "district_code": "县（区）代码", "street_code": "街道代码", "area_code": "区域代码", "community_codes": "社区代码",
    "code": "代码", "username": "用户名", "password": "密码", "old_password": "原密码", "new_password": "新密码",
    "display_name": "显示名称", "refresh_token": "刷新令牌", "role": "角色", "scope": "管辖范围", "disabled": "停用",
    "unlock": "解除锁定", "account_no": "账户编号", "red_account_no": "红色账户编号",
    # reports, opinions, acceptance, transfers (§3.1, §4.2)
    "decision": "意见", "officer": "经办人", "officer_phone": "经办人电话", "opinion": "意见", "opinion_date": "盖章日期",
    "opinion_id": "征求意见编号", "comment": "意见说明", "accepted_by": "接收人", "reason": "原因", "notified_on": "告知日期",
    "new_unit_id": "新工作单位编号", "new_home_address": "新家庭住址", "new_community_code": "新报到社区代码",
    "recorded_by": "登记人", "transfer_id": "转移编号", "invitation_id": "邀请函编号", "letter": "邀请函正文",
    "sent_by": "发函人", "submitted_by": "提交人", "filename": "文件名", "file_name": "文件名", "content_b64": "文件内容",
    "report": "报到信息", "year": "年度", "late": "逾期", "overdue": "逾期",
    # volunteering: posts, claims, commitments, teams, projects, activities (§3.2–§3.4)
    "post_id": "岗位编号", "claim_id": "认领编号", "commitment_id": "承诺编号", "team_id": "服务队编号",
    "studio_id": "工作室编号", "project_id": "项目编号", "activity_id": "活动编号", "household_id": "联系户编号",
    "household_ids": "联系户编号", "pairing_id": "结对编号", "co_building_pair_id": "联建编号", "title": "名称",
    "category": "类别", "description": "内容", "capacity": "人数上限", "place": "地点", "schedule": "时间安排",
    "starts_at": "开始时间", "ends_at": "结束时间", "deadline": "完成时限", "goals": "目标",
    "expected_effects": "预期效果", "links": "五联内容", "service_count": "服务次数", "service_hours": "服务时长（小时）",
    "service_mode": "服务方式", "service_items": "服务事项", "services": "服务内容", "mode": "方式",
    "organizer": "组织者", "organization": "组织", "organizations": "组织", "leader_member_id": "负责人（党员编号）",
    "members": "成员", "attendees": "参加人员", "attendee_ids": "参加人员编号", "participants": "参加人员",
    "activity_kind": "活动类别", "kind": "类别", "kinds": "类别", "tags": "标签", "purpose": "目的",
    "formation": "组建方式", "festival": "节日", "held_on": "举办日期", "hours": "时长（小时）", "minutes": "时长（分钟）",
    "visited_on": "走访日期", "resident_name": "居民姓名", "resident_category": "居民类别", "note": "备注",
    "photo_url": "照片地址", "rating_id": "评价编号", "rater": "评价人", "rated_by": "评价人", "score": "评分",
    "assessed_at": "考评时间", "subject": "对象", "target": "对象", "days": "天数", "opening_hours": "开放时间",
    "congress_date": "党员大会日期", "approved_by": "审批人", "record_approved_by": "登记审批人",
    "recorded_after_the_fact": "事后补录", "occurred_at": "发生时间", "occurred_on": "发生日期",
    "served_from": "服务开始", "served_until": "服务结束", "content": "内容",
    # scoring: points, stars, settlements, the supermarket, rules (§3.5, §3.6, §5.4)
    "points": "积分", "base_points": "基础分", "adjustment": "加减分", "max_adjustment": "加减分上限",
    "stars": "星级", "max_stars": "星级上限", "points_per_star": "每星积分", "period": "半年度",
    "settlement_id": "结算编号", "settlement_revision": "结算版本", "revision": "版本", "run_id": "结算批次编号",
    "published_by": "发布人", "reviewed_by": "审核人", "ledger_upto": "积分截止", "entry_id": "积分记录编号",
    "compensating_entry_id": "更正记录编号", "holder_id": "账户持有人编号", "holder_kind": "账户类别",
    "merit_min": "奖励分下限", "merit_max": "奖励分上限", "override_points": "调整后积分", "override_min": "调整下限",
    "override_max": "调整上限", "override_reason": "调整理由", "max_project_score": "项目得分上限",
    "ten_star_members": "十星党员", "unit_results": "单位结果", "member_lines": "党员明细",
    "goods_id": "商品编号", "goods_name": "商品名称", "price_points": "兑换积分", "stock": "库存", "quantity": "数量",
    "redemption_id": "兑换编号", "rule_version": "规则版本", "effective_from": "生效日期", "sections": "文本各节",
    "source": "来源", "status": "状态", "source_revision": "来源版本",
    # feedback (§5.3)
    "notice_id": "反馈通知编号", "comments": "社区评语", "objection_id": "异议编号", "objector_name": "提出人",
    "department": "执行部门", "assignee": "承办人", "findings": "调查情况", "decision_reason": "处理理由",
    "change_id": "变更编号", "changes": "变更内容", "fields_changed": "变更项目", "changed_by": "变更人",
    "requested_by": "提出人", "items": "条目", "rows": "明细",
    # paging, queries and operations
    "q": "查找内容", "page": "页码", "page_size": "每页条数", "sort": "排序", "limit": "条数上限", "since": "起始时间", "until": "截止时间",
    "t": "校验码", "by": "操作人", "action": "操作", "request_id": "请求编号", "event_id": "事件编号",
    "event_type": "事件类型", "job_id": "任务编号", "part": "部分", "sha256": "校验值", "caller": "调用者",
    "personal_data": "个人信息", "active": "有效", "field": "字段", "id": "编号",
}


def label_of(path):
    """The label of a field path (unit.name, skills.2, comments.0.member_id); None if unknown."""
    if not path or path == "_":
        return None
    parts = [p for p in path.split(".") if not p.isdigit()]
    for i in range(len(parts)):
        found = LABELS.get(".".join(parts[i:]))
        if found:
            return found
    return None


def labelled(problem):
    """A field's problem {field, code, rule, message} with its label, and a message that names the
    field in Chinese ("出生日期（birth_date）：应为日期……") and the clause it cites."""
    if not isinstance(problem, dict) or "label" in problem:
        return problem
    field = str(problem.get("field") or "_")
    label = label_of(field)
    message = problem.get("message") or ""
    named = f"{label}（{field}）" if label else (field if field != "_" else "")
    if named and not (label and message.startswith(label)):
        message = f"{named}：{message}" if message else named
    rule = problem.get("rule")
    if rule and rule not in ("-", "") and rule not in message:
        message = f"{message}（{rule}）"
    return {**problem, "label": label, "message": message}
