"""Issue 10, item 1: a visibility chosen for a run applies to every file it writes; without a
choice, indexed files keep theirs and new ones get the default; nothing becomes more public
without a choice. Checked on a real index, through retrieval as investors and staff see it."""

import json
from pathlib import Path

from app.answering.assistant import Assistant
from app.settings import Settings
from ingest.store import IndexStore
from ingest.sync import Written, sync

from .test_ingest_cli import run_cli
from .test_sync import snapshot

POLICY = "青禾县土地政策\n\n工业用地出让起始价按所在地土地等级对应的最低价标准执行，鼓励以租赁方式供应工业用地。"
SECRET = "拟向晋北丰收食品公司协议出让青禾县东区工业用地三百亩，价格尚在保密谈判中。"
QUESTION = "青禾县东区工业用地协议出让给哪家公司？"


def settings_for(store: Path, **extra) -> Settings:
    return Settings(_env_file=None, store=store, embed_model="bundled", **extra)


def sources_seen(settings: Settings, question: str, role: str) -> set[str]:
    passages = Assistant.open(settings).ask(question, role=role).retrieved
    return {p.meta["source"] for p in passages if SECRET[:12] in p.text}


def test_cli_ingest_of_a_changed_file_applies_the_chosen_visibility(tmp_path: Path):
    """The case as found: `ingest --visibility internal` on a changed file kept it public."""
    docs, store = tmp_path / "docs", tmp_path / "store"
    docs.mkdir()
    policy = docs / "land_policy.txt"
    policy.write_text(POLICY, encoding="utf-8")
    assert run_cli("ingest", str(docs), "--store", str(store), "--visibility", "public").returncode == 0

    policy.write_text(POLICY + "\n" + SECRET, encoding="utf-8")
    done = run_cli("ingest", str(docs), "--store", str(store), "--visibility", "internal")
    assert done.returncode == 0, done.stderr
    assert "land_policy.txt: updated · internal" in done.stdout.splitlines()
    metas = [m for _, m in snapshot(settings_for(store)).values()]
    assert {m["visibility"] for m in metas} == {"internal"}

    investor = json.loads(run_cli("ask", QUESTION, "--json", "--store", str(store)).stdout)
    assert not any(SECRET[:12] in p["text"] for p in investor["retrieved"] + investor["citations"])
    staff = json.loads(run_cli("ask", QUESTION, "--json", "--store", str(store), "--role", "staff").stdout)
    assert any(SECRET[:12] in p["text"] for p in staff["retrieved"])


def test_an_explicit_choice_relabels_unchanged_files_in_place(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "land_policy.txt").write_text(POLICY + "\n" + SECRET, encoding="utf-8")
    (docs / "other.txt").write_text("青禾县红枣种植面积达到12万亩。", encoding="utf-8")
    settings = settings_for(tmp_path / "store")
    sync(settings, [docs], visibility="public")
    assert sources_seen(settings, QUESTION, "investor") == {"land_policy.txt"}
    before = snapshot(settings)

    report = sync(settings, [docs / "land_policy.txt"], visibility="internal")
    assert report.unchanged == ["land_policy.txt"] and report.relabelled == ["land_policy.txt"]
    assert report.written == [Written("land_policy.txt", "relabelled", "internal")]
    assert (report.tokens, report.chunks) == (0, 0)  # nothing re-embedded
    after = snapshot(settings)
    assert after.keys() == before.keys()  # the same chunks, changed in place
    assert {after[i][1]["visibility"] for i in after if after[i][1]["source"] == "land_policy.txt"} == {"internal"}
    assert {after[i][1]["visibility"] for i in after if after[i][1]["source"] == "other.txt"} == {"public"}
    assert sources_seen(settings, QUESTION, "investor") == set()
    assert sources_seen(settings, QUESTION, "staff") == {"land_policy.txt"}
    assert "unchanged 1 (visibility changed 1)" in report.summary()

    # the same choice again changes nothing and reports nothing written
    again = sync(settings, [docs / "land_policy.txt"], visibility="internal")
    assert again.written == [] and again.relabelled == []


def test_without_a_choice_indexed_files_keep_theirs_and_new_files_get_the_default(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    policy = docs / "land_policy.txt"
    policy.write_text(POLICY, encoding="utf-8")
    settings = settings_for(tmp_path / "store", default_visibility="internal")
    sync(settings, [docs], visibility="internal")

    policy.write_text(POLICY + "\n" + SECRET, encoding="utf-8")  # changed, no choice: stays internal
    (docs / "fresh.txt").write_text("青禾县新建物流园区一座。", encoding="utf-8")  # new: the default
    report = sync(settings_for(tmp_path / "store", default_visibility="public"), [docs])
    assert sorted(report.written) == [Written("fresh.txt", "added", "public"),
                                      Written("land_policy.txt", "updated", "internal")]
    docs_now = {d.source: d.visibility for d in IndexStore(settings, create=False).docs().values()}
    assert docs_now == {"land_policy.txt": "internal", "fresh.txt": "public"}
    assert sources_seen(settings, QUESTION, "investor") == set()
