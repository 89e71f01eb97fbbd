"""Provinces by their one-character short names (沪 for 上海, 鄂 for 湖北), as documents write them."""

import re

_SHORT_NAMES = {
    "北京": "京", "上海": "沪", "天津": "津", "重庆": "渝", "河北": "冀", "山西": "晋", "内蒙古": "蒙",
    "辽宁": "辽", "江苏": "苏", "浙江": "浙", "安徽": "皖", "福建": "闽", "江西": "赣", "山东": "鲁",
    "河南": "豫", "湖北": "鄂", "湖南": "湘", "广东": "粤", "广西": "桂", "海南": "琼", "四川": "川蜀",
    "贵州": "黔", "云南": "滇", "西藏": "藏", "陕西": "陕", "甘肃": "陇",
}  # 吉, 黑, 宁, 青, 新, 云, 贵, 甘 are left out: as single characters they are mostly other words
_SUFFIX = re.compile(r"(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)$")
_MOVING = "返来在抵赴离驻留回援"  # 返沪, 来京, 在浙, 援鄂; not 进, 入, 出 (推进藏…, 融入粤港澳)


def by_short_name(name: str, document: str) -> bool:
    """Whether the document names the province `name` (上海市, 内蒙古自治区) by its short name
    after a verb of coming, going or being; elsewhere the character is often part of another
    word (津贴, 苏醒)."""
    short = _SHORT_NAMES.get(_SUFFIX.sub("", name))
    return bool(short) and re.search(f"[{_MOVING}][{short}]", document) is not None
