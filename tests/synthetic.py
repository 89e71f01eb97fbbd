"""Synthetic Chinese county documents for tests: varied sentences, figures with 万/亿 units."""

import random
from pathlib import Path

_PLACES = ["青禾县经济技术开发区", "柳湾镇", "南岔镇", "东坪镇", "石桥镇", "芦村镇"]
_INDUSTRIES = ["镁合金新材料", "小杂粮加工", "氢能", "红色文旅", "煤层气", "光伏发电", "现代物流"]
_VERBS = ["建设", "扩建", "引进", "规划", "改造"]


def sentence(rng: random.Random, i: int) -> str:
    place, industry, verb = rng.choice(_PLACES), rng.choice(_INDUSTRIES), rng.choice(_VERBS)
    amount = rng.randint(2, 90) / 2
    capacity = rng.randint(1, 60)
    forms = [
        f"第{i}号{industry}项目位于{place}，总投资{amount}亿元，计划{verb}年产{capacity}万吨的生产线。",
        f"{place}今年{verb}{industry}园区，新增就业岗位{capacity * 10}个，带动周边农户增收{amount}万元。",
        f"截至{rng.randint(1, 12)}月底，{industry}产业链已签约企业{capacity}家，引资{amount}亿元！",
        f"县政府对{industry}企业给予用地、用电和融资支持；符合条件的企业可申请{capacity}万元奖励。",
    ]
    return rng.choice(forms)


def write_docs(folder: Path, count: int, sentences: int = 30, seed: int = 7) -> list[Path]:
    """Write `count` UTF-8 text files, each a title line and a few paragraphs."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        paragraphs, line = [], ""
        for i in range(sentences):
            line += sentence(rng, n * 100 + i)
            if i % 5 == 4:
                paragraphs.append(line)
                line = ""
        title = f"青禾县{rng.choice(_INDUSTRIES)}招商资料{n:03d}"
        path = folder / f"doc_{n:03d}.txt"
        path.write_text("\n\n".join([title, *paragraphs, line]).strip() + "\n", encoding="utf-8")
        paths.append(path)
    return paths
