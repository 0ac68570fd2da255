"""Demo data: organizations, tracks, scenarios, rounds and the rubric of the 2021 Shanghai SOE
digital-transformation contest. Organizations and the calendar follow public reports; scenario
texts, contacts, budgets and all people are fictional."""

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0, second=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


CONTEST = {
    "slug": "sh-soe-dx-2021",
    "name": "2021上海国资国企数字化转型创新大赛",
    "name_en": "2021 Shanghai SOE Digital Transformation Innovation Contest",
    "theme": "共创数字未来",
    "description": (
        "大赛以“揭榜挂帅”方式举办：国资国企发布数字化转型真实场景需求（榜单），"
        "面向社会征集解决方案，经资格审查、初赛（线上函评）、复赛（分赛道线下路演答辩）和决赛（集中路演）"
        "评出优胜方案，由发榜单位与揭榜团队签约实施。"
    ),
    "max_team_size": 10,
    "max_co_units": 4,
    "max_entries_per_team": 3,
}

# key: (name, short name, kind, parent key)
ORGANIZATIONS = {
    "ORG-SASAC": ("上海市国有资产监督管理委员会", "市国资委", "government", None),
    "ORG-JXW": ("上海市经济和信息化委员会", "市经信委", "government", None),
    "ORG-KW": ("上海市科学技术委员会", "市科委", "government", None),
    "ORG-LG": ("上海临港经济发展（集团）有限公司", "临港集团", "soe", None),
    "ORG-SZ": ("上海投资咨询集团有限公司", "上咨集团", "soe", None),
    "ORG-XT": ("上海市信息投资股份有限公司", "上海信投", "soe", None),
    "ORG-BOS": ("上海银行股份有限公司", "上海银行", "soe", None),
    "ORG-SE": ("上海电气控股集团有限公司", "上海电气", "soe", None),
    "ORG-INESA": ("上海仪电（集团）有限公司", "上海仪电", "soe", None),
    "ORG-BL": ("百联集团有限公司", "百联集团", "soe", None),
    "ORG-CPIC": ("中国太平洋保险（集团）股份有限公司", "中国太保", "soe", None),
    "ORG-HY": ("上海华谊控股集团有限公司", "华谊集团", "soe", None),
    "ORG-CT": ("上海城投（集团）有限公司", "上海城投", "soe", None),
    "ORG-STEC": ("上海隧道工程股份有限公司", "隧道股份", "soe", "ORG-CT"),
    "ORG-SIPG": ("上海国际港务（集团）股份有限公司", "上港集团", "soe", None),
    "ORG-BM": ("光明食品（集团）有限公司", "光明食品集团", "soe", None),
    "ORG-DFGJ": ("东方国际（集团）有限公司", "东方国际", "soe", None),
    "ORG-DHLS": ("东浩兰生（集团）有限公司", "东浩兰生集团", "soe", None),
    # Fictional units of the demo teams and judges.
    "ORG-DEMO-TECH": ("上海示例智联科技有限公司", "示例智联", "enterprise", None),
    "ORG-DEMO-UNIV": ("华东示例大学", "示例大学", "university", None),
    "ORG-DEMO-INST": ("上海示例人工智能研究院", "示例AI研究院", "research", None),
    "ORG-DEMO-DATA": ("示例数据技术（上海）有限公司", "示例数据", "enterprise", None),
}

ORGANIZERS = ["ORG-SASAC", "ORG-JXW", "ORG-KW"]  # 主办
HOSTS = ["ORG-LG", "ORG-SZ", "ORG-XT", "ORG-BOS", "ORG-SE", "ORG-INESA", "ORG-BL"]  # 承办

# key: (name, English name, hosts (first is the lead host))
TRACKS = {
    "TRK-BASE": ("数字底座", "Digital foundation", ["ORG-LG", "ORG-XT", "ORG-SZ"]),
    "TRK-FIN": ("数字金融", "Digital finance", ["ORG-BOS"]),
    "TRK-MFG": ("数字智造", "Digital manufacturing", ["ORG-SE"]),
    "TRK-CITY": ("数字城市", "Digital city", ["ORG-INESA"]),
    "TRK-TRADE": ("数字商贸", "Digital commerce", ["ORG-BL"]),
}

DEFAULT_CONDITIONS = (
    "牵头单位须为依法注册的企事业单位或科研院所，具备相关领域的技术积累和落地案例；"
    "方案须符合国家数据安全与个人信息保护要求，知识产权清晰。"
)

SCENARIOS = [
    {
        "code": "SC-01",
        "track": "TRK-BASE",
        "publisher": "ORG-LG",
        "budget_wan": 300,
        "months": 12,
        "contact": "顾工",
        "title": "临港新片区产业园区数字孪生底座与运营驾驶舱",
        "need": "园区楼宇、能耗、安防、招商数据分散在十余个系统，缺少统一空间底座和实时运营视图",
        "goals": ["接入≥10类园区系统", "三维模型覆盖≥2平方公里", "事件定位≤5秒"],
        "background": "临港新片区产业园区已建成楼宇自控、能源管理、视频安防、招商服务等系统，但数据口径不一、"
        "空间坐标不统一，管理人员需要在多个系统间切换才能掌握园区运行状况。希望建设统一的数字孪生底座，"
        "实现园区“一屏观全域、一网管全园”。",
        "resources": "园区BIM/GIS模型数据、主要业务系统接口文档、测试环境及园区现场试点区域",
    },
    {
        "code": "SC-02",
        "track": "TRK-BASE",
        "publisher": "ORG-XT",
        "budget_wan": 200,
        "months": 9,
        "contact": "沈工",
        "title": "城市级数据资源目录与数据质量智能治理工具",
        "need": "数据资源目录人工维护、质量问题发现滞后",
        "goals": ["自动编目准确率≥90%", "质量规则≥200条", "问题发现时延≤1天"],
        "background": "城市级数据资源已汇聚数百个部门系统的数万张数据表，目录编制和元数据维护主要依靠人工，"
        "数据重复、缺失、口径冲突等质量问题往往在业务使用时才被发现。",
        "resources": "脱敏元数据样本、历史数据质量问题台账、测试环境",
    },
    {
        "code": "SC-03",
        "track": "TRK-BASE",
        "publisher": "ORG-SZ",
        "budget_wan": 150,
        "months": 8,
        "contact": "陆工",
        "title": "政府投资项目可研报告AI辅助审查助手",
        "need": "可研报告审查依赖专家人工比对规范与历史项目",
        "goals": ["常见问题识别召回率≥85%", "单份初审≤30分钟"],
        "background": "上咨集团每年承担大量政府投资项目可行性研究报告评估，评审专家需逐项比对规范标准、"
        "投资估算指标和历史同类项目，工作量大、评审尺度难以统一。",
        "resources": "脱敏历史可研报告及评审意见样本、规范标准库、评审专家咨询支持",
    },
    {
        "code": "SC-04",
        "track": "TRK-BASE",
        "publisher": "ORG-DHLS",
        "budget_wan": 120,
        "months": 6,
        "contact": "程工",
        "title": "集团统一身份认证与数据安全分级分类平台",
        "need": "子公司账号体系各自为政、敏感数据识别靠人工",
        "goals": ["统一登录覆盖≥30个系统", "敏感字段自动识别准确率≥95%"],
        "background": "集团下属会展、人力资源、国际贸易等板块子公司各自建设账号体系，员工需记忆多套口令，"
        "离职人员权限回收不及时；客户与员工敏感数据分布在数十个系统中，分级分类依靠人工梳理。",
        "resources": "主要应用系统清单及接口说明、测试账号、脱敏样例数据",
    },
    {
        "code": "SC-05",
        "track": "TRK-FIN",
        "publisher": "ORG-BOS",
        "budget_wan": 300,
        "months": 12,
        "contact": "钱经理",
        "title": "基于开放银行OpenAPI的产业链供应链金融场景服务",
        "need": "上海银行已服务线上个人客户超4000万户、对外开放500余个OpenAPI，供应链金融服务企业数年增超256%。"
        "现需面向核心企业上下游中小微企业，把开户、融资申请、确权、放款、回款嵌入产业平台，解决链上企业"
        "信息不对称、确权难、线下材料多的问题",
        "goals": [
            "链上企业线上融资申请到放款≤1个工作日",
            "接入≥3个产业平台/核心企业",
            "贸易背景真实性自动核验覆盖率≥90%",
        ],
        "background": "",
        "conditions": "具备银行或产业平台API对接经验；符合金融数据安全与个人信息保护要求",
        "resources": "沙箱环境、OpenAPI文档、脱敏样例数据",
    },
    {
        "code": "SC-06",
        "track": "TRK-FIN",
        "publisher": "ORG-BOS",
        "budget_wan": 250,
        "months": 10,
        "contact": "钱经理",
        "title": "风控“魔镜”风险大脑企业关联图谱与早期预警增强",
        "need": "集团客户关联关系与隐性担保链识别不足",
        "goals": ["关联关系识别覆盖≥95%", "风险预警提前期≥90天", "误报率≤10%"],
        "background": "上海银行已建成“魔镜”风险大脑，对公客户风险监测覆盖主要业务条线，但对集团客户复杂股权、"
        "担保和资金往来关系的穿透识别仍不充分，隐性担保圈、资金闭环等风险难以及早发现。",
        "resources": "脱敏企业工商、担保及交易样例数据，图计算测试环境",
    },
    {
        "code": "SC-07",
        "track": "TRK-FIN",
        "publisher": "ORG-BOS",
        "budget_wan": 180,
        "months": 8,
        "contact": "钱经理",
        "title": "RPA+OCR运营流程自动化扩面与智能单据识别",
        "need": "在已上线197个RPA流程基础上扩展到非结构化单据场景",
        "goals": ["新增自动化流程≥50个", "单据关键字段识别准确率≥98%"],
        "background": "上海银行运营条线已上线197个RPA流程，覆盖对账、报表报送等结构化场景；企业财务报表、合同、"
        "发票、回单等非结构化单据仍需人工录入和核对，是流程自动化继续扩面的主要瓶颈。",
        "resources": "RPA平台测试环境、脱敏单据样本（财务报表、发票、回单等）",
    },
    {
        "code": "SC-08",
        "track": "TRK-FIN",
        "publisher": "ORG-CPIC",
        "budget_wan": 200,
        "months": 9,
        "contact": "邵经理",
        "title": "车险理赔影像智能定损与反欺诈识别",
        "need": "小额案件定损人工占比高、欺诈识别滞后",
        "goals": ["小额案件自动定损率≥60%", "欺诈线索命中率提升≥30%"],
        "background": "车险年报案量大，小额案件仍需查勘员现场或远程逐案定损；团伙欺诈、重复索赔等线索"
        "多依靠人工经验事后发现。",
        "resources": "脱敏理赔影像与定损结果样本、反欺诈规则库、测试环境",
    },
    {
        "code": "SC-09",
        "track": "TRK-MFG",
        "publisher": "ORG-SE",
        "budget_wan": 280,
        "months": 12,
        "contact": "冯工",
        "title": "发电机组关键设备预测性维护",
        "need": "关键辅机故障靠定期检修发现",
        "goals": ["故障提前预警≥7天", "非计划停机下降≥20%"],
        "background": "电站板块给水泵、磨煤机、引风机等关键辅机的故障仍主要依靠定期检修和人工点检发现，"
        "非计划停机造成较大发电损失。",
        "resources": "典型机组历史运行与检修数据（脱敏）、试点电厂现场支持",
    },
    {
        "code": "SC-10",
        "track": "TRK-MFG",
        "publisher": "ORG-SE",
        "budget_wan": 220,
        "months": 10,
        "contact": "冯工",
        "title": "离散制造车间智能排产与数字孪生仿真",
        "need": "多品种小批量订单排产靠经验",
        "goals": ["排产计算≤10分钟", "设备综合效率提升≥10%"],
        "background": "下属离散制造工厂订单呈多品种、小批量特点，排产依赖计划员经验和电子表格，"
        "插单、设备故障时调整困难，设备利用率不高。",
        "resources": "试点车间工艺路线、设备清单与历史订单数据，MES系统接口",
    },
    {
        "code": "SC-11",
        "track": "TRK-MFG",
        "publisher": "ORG-HY",
        "budget_wan": 160,
        "months": 8,
        "contact": "严工",
        "title": "化工装置智能巡检与泄漏视觉识别",
        "need": "人工巡检频次与覆盖受限",
        "goals": ["巡检点覆盖≥95%", "泄漏识别≤60秒"],
        "background": "化工装置区域大、巡检点位多，人工巡检受频次、夜间和恶劣天气等因素限制，"
        "跑冒滴漏等异常发现不及时，存在安全环保隐患。",
        "resources": "试点装置现场、视频监控接入、历史巡检记录与泄漏事件样本",
    },
    {
        "code": "SC-12",
        "track": "TRK-MFG",
        "publisher": "ORG-SE",
        "budget_wan": 150,
        "months": 6,
        "contact": "冯工",
        "title": "工业互联网平台设备协议自适应解析与接入",
        "need": "存量设备协议种类多、接入开发周期长",
        "goals": ["支持协议≥30种", "单类设备接入≤3天"],
        "background": "工业互联网平台需接入大量存量设备，PLC、数控系统和仪表协议种类繁多，"
        "每类设备接入都需定制开发驱动，周期长、成本高。",
        "resources": "工业互联网平台测试环境、典型设备与协议样本、现场调试支持",
    },
    {
        "code": "SC-13",
        "track": "TRK-CITY",
        "publisher": "ORG-INESA",
        "budget_wan": 260,
        "months": 12,
        "contact": "汪工",
        "title": "城市运行“一网统管”多源感知事件智能分拨",
        "need": "视频、物联感知与12345工单事件重复派单、分拨靠人工",
        "goals": ["事件自动分拨准确率≥90%", "重复工单合并率≥80%"],
        "background": "城市运行“一网统管”平台汇聚视频、物联感知和12345热线工单等多源事件，同一事件常被"
        "多渠道重复上报，分拨派单主要依靠人工研判，处置效率受影响。",
        "resources": "脱敏事件与工单样本数据、平台接口文档、试点街道场景",
    },
    {
        "code": "SC-14",
        "track": "TRK-CITY",
        "publisher": "ORG-CT",
        "budget_wan": 200,
        "months": 10,
        "contact": "许工",
        "title": "排水管网液位监测与内涝风险预警",
        "need": "汛期积水点预警依赖人工巡查",
        "goals": ["预警提前量≥60分钟", "监测点在线率≥98%"],
        "background": "中心城区排水管网规模庞大，汛期短历时强降雨易造成局部积水，积水点预警目前主要依靠"
        "人工巡查和事后报告。",
        "resources": "试点片区管网GIS数据、历史液位与降雨数据、现场安装条件",
    },
    {
        "code": "SC-15",
        "track": "TRK-CITY",
        "publisher": "ORG-STEC",
        "budget_wan": 180,
        "months": 12,
        "contact": "唐工",
        "title": "越江隧道结构健康监测与养护决策",
        "need": "结构病害数据分散、养护计划经验化",
        "goals": ["病害自动识别准确率≥90%", "养护计划生成≤1天"],
        "background": "运营养护的多条越江隧道，结构裂缝、渗漏水、沉降等病害检测数据分散在多个系统，"
        "养护计划主要依据经验编制。",
        "resources": "隧道结构检测历史数据、巡检图像样本、试点隧道现场",
    },
    {
        "code": "SC-16",
        "track": "TRK-CITY",
        "publisher": "ORG-SIPG",
        "budget_wan": 220,
        "months": 9,
        "contact": "潘工",
        "title": "集装箱码头智能闸口与集卡预约调度",
        "need": "高峰时段集卡排队拥堵",
        "goals": ["闸口平均通行≤30秒", "高峰排队时长下降≥30%"],
        "background": "集装箱码头日均集卡进出量大，高峰时段闸口排队严重，集卡预约与码头作业计划衔接不够紧密。",
        "resources": "闸口作业与预约历史数据（脱敏）、码头操作系统接口、试点闸口",
    },
    {
        "code": "SC-17",
        "track": "TRK-TRADE",
        "publisher": "ORG-BL",
        "budget_wan": 250,
        "months": 10,
        "contact": "姚经理",
        "title": "全渠道会员数据中台与精准营销",
        "need": "百货、超市、便利店会员数据割裂",
        "goals": ["会员ID打通率≥85%", "营销转化率提升≥15%"],
        "background": "旗下百货、超市、便利店等业态会员体系各自独立，同一顾客在不同业态拥有多个账号，"
        "难以形成统一画像开展精准营销。",
        "resources": "脱敏会员与交易样例数据、营销平台接口、试点门店",
    },
    {
        "code": "SC-18",
        "track": "TRK-TRADE",
        "publisher": "ORG-BL",
        "budget_wan": 180,
        "months": 8,
        "contact": "姚经理",
        "title": "商超生鲜需求预测与自动补货",
        "need": "生鲜损耗高、补货靠店长经验",
        "goals": ["预测准确率≥85%", "损耗率下降≥20%"],
        "background": "旗下超市生鲜品类周转快、保质期短，补货量主要依靠店长经验确定，缺货与报损并存。",
        "resources": "试点门店历史销售、库存与损耗数据，天气与促销日历",
    },
    {
        "code": "SC-19",
        "track": "TRK-TRADE",
        "publisher": "ORG-BM",
        "budget_wan": 160,
        "months": 8,
        "contact": "金经理",
        "title": "乳品冷链全程温控与质量追溯",
        "need": "冷链断链难以及时发现与追责",
        "goals": ["温度采集间隔≤5分钟", "一品一码追溯覆盖100%"],
        "background": "乳品冷链覆盖工厂、冷库、干线运输和门店配送多个环节，温度记录分散、采集间隔长。",
        "resources": "冷链车辆与冷库温控数据样本、产品编码规则、试点线路",
    },
    {
        "code": "SC-20",
        "track": "TRK-TRADE",
        "publisher": "ORG-DFGJ",
        "budget_wan": 120,
        "months": 6,
        "contact": "范经理",
        "title": "跨境贸易单证智能审核",
        "need": "信用证与报关单证人工审核耗时",
        "goals": ["单证字段抽取准确率≥97%", "单票审核≤10分钟"],
        "background": "外贸业务涉及大量信用证、提单、发票、装箱单和报关单，单证一致性审核依靠人工逐项核对，"
        "耗时长且易出错。",
        "resources": "脱敏单证样本、审单规则清单、测试环境",
    },
]

# Two more scenarios so the publisher and the organizer have work when they sign in:
# a draft of Bank of Shanghai (to edit and submit) and one pending review (to approve or reject).
EXTRA_SCENARIOS = [
    {
        "code": "SC-21",
        "track": "TRK-FIN",
        "publisher": "ORG-BOS",
        "budget_wan": 150,
        "months": 8,
        "contact": "钱经理",
        "title": "手机银行智能客服与适老化远程视频辅助",
        "status": "draft",
        "need": "热线与在线客服咨询量持续增长，老年客户使用手机银行困难",
        "goals": ["智能客服意图识别准确率≥92%", "人工转接率下降≥25%", "适老化远程视频辅助平均接通≤30秒"],
        "background": "上海银行手机银行与95594热线咨询量逐年增长，常见问题重复度高；老年客户在转账、"
        "缴费等环节需要人工协助。",
        "resources": "脱敏客服对话语料、知识库样本、测试环境",
    },
    {
        "code": "SC-22",
        "track": "TRK-MFG",
        "publisher": "ORG-SE",
        "budget_wan": 200,
        "months": 10,
        "contact": "冯工",
        "title": "燃煤机组锅炉燃烧优化智能控制",
        "status": "pending_review",
        "need": "煤种多变，燃烧调整依赖运行人员经验，效率与排放难以兼顾",
        "goals": ["锅炉效率提升≥0.5个百分点", "NOx排放降低≥10%"],
        "background": "电站锅炉燃用煤种经常变化，配风与燃烧调整主要依靠运行人员经验，难以在效率和排放之间"
        "持续保持最优。",
        "resources": "试点机组DCS历史数据、燃烧试验报告、现场调试支持",
    },
]

# The real calendar (Asia/Shanghai). Round 1 takes the first submissions (揭榜): registration
# and submission until 2021-06-20 23:59:59, then the formal review (形式审查).
ROUNDS = [
    {
        "sequence": 1,
        "name": "资格审查",
        "name_en": "Qualification review",
        "kind": "qualification",
        "submission_opens_at": at(2021, 5, 20, 10),
        "submission_deadline": at(2021, 6, 20, 23, 59, 59),
        "judging_opens_at": at(2021, 6, 21),
        "judging_closes_at": at(2021, 6, 26),
        "publish_at": None,
        "required_documents": ["proposal", "commitment", "license"],
        "judges_per_solution": 1,
        "min_reviews": 1,
        "aggregation_method": "mean",
        "advancement_scope": "contest",
        "advancement_kind": "none",
        "advancement_value": 0,
        "blind_review": False,
        "max_upload_bytes": 200 * 1024 * 1024,
    },
    {
        "sequence": 2,
        "name": "初赛（线上函评）",
        "name_en": "Preliminary (online review)",
        "kind": "scored",
        "submission_opens_at": None,
        "submission_deadline": None,
        "judging_opens_at": at(2021, 6, 28, 9),
        "judging_closes_at": at(2021, 7, 9, 18),
        "publish_at": at(2021, 7, 12, 10),
        "required_documents": [],
        "judges_per_solution": 5,
        "min_reviews": 3,
        "aggregation_method": "trimmed_mean",
        "advancement_scope": "track",
        "advancement_kind": "top_n",
        "advancement_value": 8,
        "blind_review": True,
        "max_upload_bytes": 200 * 1024 * 1024,
    },
    {
        "sequence": 3,
        "name": "复赛（分赛道路演答辩）",
        "name_en": "Semifinal (roadshow per track)",
        "kind": "scored",
        "submission_opens_at": at(2021, 7, 12, 10),
        "submission_deadline": at(2021, 7, 18, 23, 59, 59),
        "judging_opens_at": at(2021, 7, 19, 9),
        "judging_closes_at": at(2021, 8, 6, 18),
        "publish_at": at(2021, 8, 10, 10),
        "required_documents": ["slides"],
        "judges_per_solution": 5,
        "min_reviews": 3,
        "aggregation_method": "trimmed_mean",
        "advancement_scope": "track",
        "advancement_kind": "top_n",
        "advancement_value": 3,
        "blind_review": False,
        "max_upload_bytes": 200 * 1024 * 1024,
    },
    {
        "sequence": 4,
        "name": "决赛（集中路演）",
        "name_en": "Final (roadshow)",
        "kind": "scored",
        "submission_opens_at": at(2021, 8, 10, 10),
        "submission_deadline": at(2021, 9, 20, 23, 59, 59),
        "judging_opens_at": at(2021, 9, 24, 9),
        "judging_closes_at": at(2021, 9, 24, 18),
        "publish_at": at(2021, 9, 26, 9),
        "required_documents": ["slides"],
        "judges_per_solution": 7,
        "min_reviews": 3,
        "aggregation_method": "trimmed_mean",
        "advancement_scope": "contest",
        "advancement_kind": "none",
        "advancement_value": 0,
        "blind_review": False,
        "max_upload_bytes": 200 * 1024 * 1024,
    },
]

# Where "today" falls in the shifted calendar: inside round 1's submission window.
ANCHOR_DAY = dt.date(2021, 6, 6)

RUBRIC_STEP = "0.5"
# key, name, English name, maximum, guidance
CRITERIA = [
    ("innovation", "创新性", "Innovation", 25, "技术路线或商业模式的新颖程度，与现有方案相比的突破。"),
    ("feasibility", "技术可行性", "Technical feasibility", 25, "技术方案成熟度、关键指标可达性、实施计划的合理性。"),
    ("value", "场景契合与应用价值", "Fit and value", 20, "对发榜单位痛点的针对性，目标指标的覆盖程度。"),
    ("benefit", "经济与社会效益", "Economic and social benefit", 15, "降本增效、安全与社会效益的量化预期。"),
    ("team", "团队能力与落地保障", "Team and delivery", 15, "团队经验、同类案例、资源投入与落地保障措施。"),
]

DEMO_PASSWORD = "Jiebang-2021"  # noqa: S105  (printed demo login, never used outside the demo)

# key: (username, full name, organization key, contest roles, extra flags); a role is
# (role, organization key), or ("track_host", track key) for a track host.
USERS = {
    "admin": ("admin", "系统管理员", None, [], {"is_staff": True, "is_superuser": True}),
    "organizer": ("organizer", "周组委（示例）", "ORG-SASAC", [("organizer", None)], {}),
    "publisher_bos": ("publisher_bos", "钱经理（示例）", "ORG-BOS", [("publisher", "ORG-BOS")], {}),
    "publisher_se": ("publisher_se", "冯工（示例）", "ORG-SE", [("publisher", "ORG-SE")], {}),
    "captain": ("captain", "张三", "ORG-DEMO-TECH", [], {}),
    "member": ("member", "李四", "ORG-DEMO-UNIV", [], {}),
    "judge1": ("judge1", "王五（评委）", "ORG-DEMO-UNIV", [("judge", None)], {}),
    "judge2": ("judge2", "赵六（评委）", "ORG-DEMO-INST", [("judge", None)], {}),
    "judge3": ("judge3", "孙七（评委）", "ORG-DEMO-DATA", [("judge", None)], {}),
    "judge4": ("judge4", "周八（评委）", "ORG-DEMO-INST", [("judge", None)], {}),
    "judge5": ("judge5", "吴九（评委）", "ORG-DEMO-UNIV", [("judge", None)], {}),
    "judge6": ("judge6", "郑十（评委）", "ORG-DEMO-DATA", [("judge", None)], {}),
    # A judge from a scenario publisher: the conflict-of-interest checks keep them off its solutions.
    "judge7": ("judge7", "陈一（评委）", "ORG-BOS", [("judge", None)], {}),
    # 承办 staff of 上海电气 running the judging of 数字智造 (and of 智能制造 in the past edition).
    "host_mfg": ("host_mfg", "褚工（承办）", "ORG-SE", [("track_host", "TRK-MFG")], {}),
}
ROLE_LABELS = {
    "admin": "site admin (superuser)",
    "organizer": "organizer 主办",
    "publisher_bos": "publisher 发榜单位 上海银行",
    "publisher_se": "publisher 发榜单位 上海电气",
    "captain": "team captain 队长",
    "member": "team member 队员",
    "host_mfg": "track host 承办 数字智造 (no scores)",
}
