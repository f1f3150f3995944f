"""Reference vocabularies seeded into every database (editable by administrators afterwards)."""

# 主题分类: (code, name, parent code)
CATEGORIES = [
    ("org", "机构职能", None), ("leaders", "领导信息", None), ("policy", "政策法规", None),
    ("policy-county", "县政府文件", "policy"), ("policy-dept", "部门文件", "policy"), ("policy-interp", "政策解读", "policy"),
    ("plans", "计划规划", None), ("personnel", "人事信息", None), ("recruit", "人事招考", "personnel"),
    ("finance", "财政资金", None), ("budget", "财政预决算", "finance"), ("funds", "专项资金", "finance"),
    ("procurement", "政府采购招标", None), ("approval", "行政审批", None), ("projects", "建设项目", None),
    ("land", "征地拆迁", None), ("housing", "住房保障", None), ("environment", "环境保护", None),
    ("food", "食品安全", None), ("prices", "价格收费", None), ("education", "教育", None), ("health", "医疗卫生", None),
    ("social", "社会保障", None), ("safety", "安全生产", None), ("emergency", "应急管理", None),
    ("statistics", "统计信息", None), ("news", "工作动态", None),
]  # fmt: skip

# 体裁分类: (code, name, annual report row)
GENRES = [
    ("rule", "规章", "rule"), ("normative", "行政规范性文件", "normative"), ("document", "其他文件", ""),
    ("notice", "通知公告", ""), ("plan", "计划规划", ""), ("report", "工作总结报告", ""),
    ("budget", "财政预决算", ""), ("personnel", "人事信息", ""), ("procurement", "政府采购", ""),
    ("licensing", "行政许可结果", "licensing"), ("penalty", "行政处罚结果", "penalty"),
    ("enforcement", "行政强制结果", "enforcement"), ("fee", "行政事业性收费", "fee"),
    ("statistics", "统计数据", ""), ("interpretation", "政策解读", ""), ("other", "其他", ""),
]  # fmt: skip
