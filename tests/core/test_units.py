"""Unit names: canonical form, keys, kinds, list splitting (real lists of all five seeds), directory."""

from __future__ import annotations

import pytest

from app.core.records import Unit
from app.core.units import (
    UnitDirectory,
    match_key,
    normalize_unit_name,
    plausible_unit_name,
    split_unit_list,
    unit_kind,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("各部门(单位)", "各部门（单位）"),
        ("各部门〔单位〕", "各部门（单位）"),
        ("各部门［单位］", "各部门（单位）"),
        (" 县 民政局、", "县民政局"),
        ("縣民政局。", "县民政局"),
        ("各鄉(xiāng)鎮(zhèn)人民政府", "各乡镇人民政府"),
        ("县\u3000财政局", "县财政局"),
        ("", ""),
    ],
)
def test_normalize_unit_name(raw, expected):
    assert normalize_unit_name(raw) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("县民政局", "民政局"),
        ("区民政局", "民政局"),
        ("各部门（单位）", "各部门(单位)"),
        ("各部门〔单位〕", "各部门[单位]"),
        ("县市场监督管理局", "市场监督管理局"),
        ("县 民政局", "縣民政局"),
        ("各部门单位", "各部门（单位）"),
        ("各乡（镇）人民政府", "各乡镇人民政府"),
    ],
)
def test_match_key_equal(a, b):
    assert match_key(a) == match_key(b)


def test_match_key_keeps_names_starting_with_shi():
    assert match_key("市场监管局") == "市场监管局"
    assert match_key("市监局") == "市监局"
    assert match_key("县民政局") != match_key("县财政局")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("各乡镇人民政府", "group"),
        ("各乡（镇）人民政府", "group"),
        ("各部门（单位）", "group"),
        ("各部门(单位)", "group"),
        ("县政府各部门", "group"),
        ("各乡镇、各部门", "group"),
        ("县级各部门", "group"),
        ("政府各有关部门", "group"),
        ("其他有关部门〔单位〕", "group"),
        ("县政府相关部门", "group"),
        ("各起草单位", "group"),
        ("各乡镇（街道）", "group"),
        ("吉强镇人民政府", "township"),
        ("硝河乡", "township"),
        ("兴隆镇", "township"),
        ("街道办事处", "township"),
        ("县人民政府办公室", "department"),
        ("乡村振兴局", "department"),
        ("固原市生态环境局西吉分局", "department"),
        ("县融媒体中心", "department"),
        ("", "other"),
    ],
)
def test_unit_kind(name, kind):
    assert unit_kind(name) == kind


SPLITS = [
    # 000 责任单位 / 配合单位
    ("县民政局、医保局", ["县民政局", "县医保局"]),
    ("县人民政府办公室、县融媒体中心", ["县人民政府办公室", "县融媒体中心"]),
    ("园区管委会、县商务工业信息化局、审批服务管理局", ["园区管委会", "县商务工业信息化局", "县审批服务管理局"]),
    ("各部门（单位）、各乡镇（镇）人民政府", ["各部门（单位）", "各乡镇（镇）人民政府"]),
    ("各部门(单位)、各乡镇(镇)人民政府", ["各部门（单位）", "各乡镇（镇）人民政府"]),
    ("各部门（单位）、各乡（镇）人民政府", ["各部门（单位）", "各乡（镇）人民政府"]),
    ("硝河乡、兴隆镇、震湖乡", ["硝河乡", "兴隆镇", "震湖乡"]),
    (
        ("县发展改革局、教育体育局、公安局、民政局、司法局、人力资源社会保障局、自然资源局、住房城乡建设局、"
        "水务局、农业农村局、卫生健康局、乡村振兴局、审批服务管理局、固原市生态环境局西吉分局；各乡镇人民政府"),
        ["县发展改革局", "县教育体育局", "县公安局", "县民政局", "县司法局", "县人力资源社会保障局", "县自然资源局",
         "县住房城乡建设局", "县水务局", "县农业农村局", "县卫生健康局", "县乡村振兴局", "县审批服务管理局",
         "固原市生态环境局西吉分局", "各乡镇人民政府"],
    ),
    ("县发展改革局、教育体育局、自然资源局、应急管理局;吉强镇人民政府",
     ["县发展改革局", "县教育体育局", "县自然资源局", "县应急管理局", "吉强镇人民政府"]),
    # 001 责任单位
    ("县发改局、县工信局、县农业农村局、县交通运输局、县住建局、县经合局、县商务局等相关部门",
     ["县发改局", "县工信局", "县农业农村局", "县交通运输局", "县住建局", "县经合局", "县商务局"]),
    ("县人社局、县教体局、县卫健局、县医保局、县民政局、盐亭生态环境局、县住建局、县应急管理局等相关部门，各乡镇（街道），经开区",
     ["县人社局", "县教体局", "县卫健局", "县医保局", "县民政局", "盐亭生态环境局", "县住建局", "县应急管理局",
      "各乡镇（街道）", "经开区"]),
    ("县级各部门，各乡镇（街道），经开区", ["县级各部门", "各乡镇（街道）", "经开区"]),
    ("县政府办、县融媒体中心、县公安局、县卫健局、县司法局等相关部门，各乡镇（街道），经开区",
     ["县政府办", "县融媒体中心", "县公安局", "县卫健局", "县司法局", "各乡镇（街道）", "经开区"]),
    # 002 (…牵头落实,…负责落实,…)
    ("县政府办公室牵头落实", ["县政府办公室"]),
    ("各乡镇、部门〔单位〕按照工作职能负责落实", ["各乡镇", "各部门（单位）"]),
    ("县档案局、文化旅游广电局、政务服务中心负责落实", ["县档案局", "县文化旅游广电局", "县政务服务中心"]),
    ("县编办、县政府法制办负责落实", ["县编办", "县政府法制办"]),
    ("县政务服务中心、政府法制办负责落实", ["县政务服务中心", "县政府法制办"]),
    ("县委宣传部、网络安全和信息化办公室、县政府各部门〔单位〕按照工作职能负责落实",
     ["县委宣传部", "县网络安全和信息化办公室", "县政府各部门（单位）"]),
    ("县发展和改革局、商务和经济技术合作局负责落实", ["县发展和改革局", "县商务和经济技术合作局"]),
    ("县教育体育局、民政局、环境保护局、文化旅游广电局、卫生和计划生育局、市场监督管理局、安全生产监督管理局等部门〔单位〕按照工作职能负责落实",
     ["县教育体育局", "县民政局", "县环境保护局", "县文化旅游广电局", "县卫生和计划生育局", "县市场监督管理局",
      "县安全生产监督管理局"]),
    ("县发展和改革局、财政局、环境保护局、扶贫办等部门〔单位〕按照工作职能负责落实",
     ["县发展和改革局", "县财政局", "县环境保护局", "县扶贫办"]),
    ("其他有关部门〔单位〕按照工作职能负责落实", ["其他有关部门（单位）"]),
    ("县发展和改革局、人力资源和社会保障局、住房和城乡建设局、工业和信息化局",
     ["县发展和改革局", "县人力资源和社会保障局", "县住房和城乡建设局", "县工业和信息化局"]),
    # 003 (牵头部门:…,责任部门:…) — a district: no 县 prefix to share
    ("商服中心、发改局、商合局", ["商服中心", "发改局", "商合局"]),
    ("政府各部门、各乡镇人民政府、街道办事处", ["政府各部门", "各乡镇人民政府", "街道办事处"]),
    ("民政局、各乡镇街道", ["民政局", "各乡镇街道"]),
    ("財政局、發(fā)改局", ["财政局", "发改局"]),
    # 004 ［…］
    ("县发改局、市监局牵头落实", ["县发改局", "县市监局"]),
    ("各乡（镇）人民政府和县政府各部门按工作职能负责落实", ["各乡（镇）人民政府", "县政府各部门"]),
    ("县政府办公室、县文广局及政府相关部门负责落实", ["县政府办公室", "县文广局", "政府相关部门"]),
    ("县政府办公室及县政府相关部门负责落实", ["县政府办公室", "县政府相关部门"]),
    ("县政府各部门按照各自工作职责负责落实", ["县政府各部门"]),
    ("文广局、网络信息中心按照职责分工牵头落实", ["文广局", "网络信息中心"]),
    ("县政府办公室、扶贫办、财政局牵头落实", ["县政府办公室", "县扶贫办", "县财政局"]),
    ("县文广局、档案局、政务服务中心牵头负责", ["县文广局", "县档案局", "县政务服务中心"]),
    ("县发改局、建环局、国土局、农牧局、水利局、林业局、交通局、教育局、文广局、卫计局、政务服务中心等部门按工作职能牵头落实",
     ["县发改局", "县建环局", "县国土局", "县农牧局", "县水利局", "县林业局", "县交通局", "县教育局", "县文广局",
      "县卫计局", "县政务服务中心"]),
    ("县发改局、财政局等部门负责落实", ["县发改局", "县财政局"]),
    ("各乡（镇）和各部门（单位）", ["各乡（镇）", "各部门（单位）"]),
    # odds and ends
    ("按工作职能", []),
    ("", []),
    ("县民政局、县民政局", ["县民政局"]),
    ("<p>县政府办</p>", ["县政府办"]),
    ("<p>县政府办</p> <p>县财政局</p>", ["县政府办", "县财政局"]),
    ("县级各部门，各乡镇\n(街道)，经开区", ["县级各部门", "各乡镇（街道）", "经开区"]),
    ("县政府办（大数据中心、政务服务中心）、县财政局", ["县政府办（大数据中心、政务服务中心）", "县财政局"]),
    ("各乡镇（街道），经开区；县民政局\n县财政局", ["各乡镇（街道）", "经开区", "县民政局", "县财政局"]),
]


@pytest.mark.parametrize(("text", "expected"), SPLITS)
def test_split_unit_list(text, expected):
    assert split_unit_list(text) == expected


def test_split_unit_list_over_seed_000_columns(seed_path):
    lines = seed_path("000").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line[:1].isdigit() and line.count("\t") >= 6]
    names = {n for row in rows for cell in (row[4], row[5]) for n in split_unit_list(cell)}
    assert "县人民政府办公室" in names and "县市场监督管理局" in names and "县医保局" in names
    assert all("、" not in n and ";" not in n and "；" not in n for n in names)
    # no "county" prefix glued onto a unit of another level
    assert "县固原市生态环境局西吉分局" not in names
    assert not any(n.startswith(("县县", "县各")) for n in names)


def _directory() -> UnitDirectory:
    return UnitDirectory(
        [
            Unit("县人民政府办公室"),
            Unit("县发展改革局"),
            Unit("县人力资源社会保障局"),
            Unit("县市场监督管理局"),
            Unit("县住房和城乡建设局"),
            Unit("县民政局"),
            Unit("各部门（单位）", kind="group"),
            Unit("县融媒体中心", aliases=["融媒中心"]),
        ]
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("县人民政府办公室", "县人民政府办公室"),
        ("县政府办", "县人民政府办公室"),
        ("政府办", "县人民政府办公室"),
        ("县府办", "县人民政府办公室"),
        ("发改局", "县发展改革局"),
        ("县发展和改革局", "县发展改革局"),
        ("人社局", "县人力资源社会保障局"),
        ("县人力资源和社会保障局", "县人力资源社会保障局"),
        ("市监局", "县市场监督管理局"),
        ("县市监局", "县市场监督管理局"),
        ("市场监管局", "县市场监督管理局"),
        ("住建局", "县住房和城乡建设局"),
        ("县住房城乡建设局", "县住房和城乡建设局"),
        ("民政局", "县民政局"),
        ("縣民政局", "县民政局"),
        ("各部门(单位)", "各部门（单位）"),
        ("各部门〔单位〕", "各部门（单位）"),
        ("融媒中心", "县融媒体中心"),
        ("县卫健局", None),  # the full name is not in the directory: no guess
        ("县民证局", None),  # a typo is never resolved, only suggested
        ("", None),
    ],
)
def test_directory_resolve(name, expected):
    assert _directory().resolve(name) == expected


def test_directory_builtin_alias_ambiguous_gives_none():
    d = UnitDirectory([Unit("县发展改革局"), Unit("县发改委")])
    assert d.resolve("发改局") is None


def test_directory_suggest_is_fuzzy_and_ranked():
    d = _directory()
    hits = d.suggest("县人力资源社会保证局")
    assert hits and hits[0][0] == "县人力资源社会保障局" and 80 <= hits[0][1] < 100
    assert d.suggest("县公安局") == []
    assert d.resolve("县人力资源社会保证局") is None  # never merged silently
    assert len(d.suggest("县民政局", limit=1)) == 1


def test_directory_add_alias():
    d = _directory()
    d.add_alias("县民政局", "民政和社会事务局")
    assert d.resolve("县民政和社会事务局") == "县民政局"
    assert "民政和社会事务局" in d.get("县民政局").aliases
    with pytest.raises(KeyError):
        d.add_alias("县不存在局", "x")
    with pytest.raises(ValueError):
        d.add_alias("县民政局", "县发展改革局")


def test_directory_basics():
    d = _directory()
    assert len(d) == 8 and "县民政局" in d
    assert d.add(Unit("县民政局", kind="other")).kind == "department"  # existing record kept
    assert d.names()[0] == "县人民政府办公室"


def test_bracket_repeating_the_previous_character_is_a_typo_for_the_same_group() -> None:
    """Seed 000 writes 各乡镇（镇）人民政府, 各乡（镇）人民政府 and 各乡镇人民政府 for one group."""
    directory = UnitDirectory()
    assert directory.canonical("各乡镇人民政府") == "各乡镇人民政府"
    assert directory.canonical("各乡镇（镇）人民政府") == "各乡镇人民政府"
    assert directory.canonical("各乡（镇）人民政府") == "各乡镇人民政府"
    assert directory.get("各乡镇人民政府").aliases == ["各乡镇（镇）人民政府", "各乡（镇）人民政府"]
    assert match_key("县民政局（社会救助）") != match_key("县民政局")


@pytest.mark.parametrize(
    ("known", "asked", "expected"),
    [
        ("县民政局", "民政局", "县民政局"),
        ("民政局", "县民政局", "民政局"),
        ("县委宣传部", "市委宣传部", None),
        ("县政府办公室", "市政府办公室", None),
        ("县财政局", "区财政局", None),
        ("县发展改革局", "发改局", "县发展改革局"),
        ("县发展改革局", "市发改局", None),
        ("县市场监督管理局", "市场监管局", "县市场监督管理局"),
    ],
)
def test_level_prefix_matches_its_bare_name_but_never_another_level(known, asked, expected) -> None:
    directory = UnitDirectory([Unit(known)])
    assert directory.resolve(asked) == expected


def test_bare_name_is_ambiguous_between_two_levels() -> None:
    directory = UnitDirectory([Unit("县财政局"), Unit("市财政局")])
    assert directory.resolve("财政局") is None
    assert directory.resolve("县财政局") == "县财政局"
    assert directory.resolve("市财政局") == "市财政局"
    assert {name for name, _score in directory.suggest("财政局")} == {"县财政局", "市财政局"}


# --- issue 11 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["县财政局", "各股室", "执法监察大队", "县住房和城乡建设局", "各乡镇（街道）", "规划股",
                                  "县政府政务公开办公室", "经开区", "县供电公司"])
def test_plausible_unit_names(name):
    assert plausible_unit_name(name)


@pytest.mark.parametrize("name", ["由各部门", "建设政务服务中心", "按季度公开执法检查情况。执法监察大队", "曹文杰", "宁夏", "县",
                                  "各乡镇、各部门要明确政务公开工作机构"])
def test_implausible_unit_names(name):
    assert not plausible_unit_name(name)


def test_fenbie_is_never_part_of_a_name():
    assert split_unit_list("县财政局、县农业农村局分别负责") == ["县财政局", "县农业农村局"]
    assert split_unit_list("各乡镇分别") == ["各乡镇"]


@pytest.mark.parametrize("name", ["县水务局（", "）", "（县林业站"])
def test_a_piece_cut_out_of_a_bracket_is_no_unit_name(name):
    assert not plausible_unit_name(name)
