"""Start the server for tests: a real index built from Chinese fixture documents in a tmp folder,
served by uvicorn on 127.0.0.1 at a free port from a background thread.

Also runnable by hand to look at the app: `python -m tests.ui_server [--staff] [--port N]`.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from app.answering.assistant import Assistant
from app.server import create_app
from app.settings import Settings
from app.staff.approved import ApprovedLibrary
from app.staff.auth import hash_password
from app.staff.state import AppState, open_state
from ingest.sync import sync

STAFF_USER = "zhangsan"
STAFF_PASSWORD = "correct horse 青禾县"

COUNTY_NAME, COUNTY_NAME_EN = "青禾县", "Qinghe County"  # invented, as are all the facts below
COUNTY_TITLE = "青禾县产业发展与招商概况"
COUNTY_FIGURE = "青禾县目前每年可生产金属镁8万吨、镁合金15万吨，开采白云岩60万吨。"
COUNTY = f"""{COUNTY_TITLE}

一、产业基础
{COUNTY_FIGURE}今年前九个月，全县新签约项目6个，到位资金26亿元，新落户企业7家。

二、重点项目
4月16日，青禾县同河北恒泰铸造有限公司签订合同，由该公司投资建设年产5万吨球墨铸管项目。6月3日，县考察团到太原理工大学洽谈共建镁合金检测中心。

三、配套设施
青禾县有一座通用机场，位于县城西北的柳湾镇，主要承担农林作业和应急救援飞行。园区内建有职工公寓和共享实验室，并开设了集政策咨询、证照办理、法律援助于一体的企业服务驿站。园区管委会实行一站式服务，审批时限比法定时限压缩一半以上。
"""

INTERNAL_TITLE = "荞麦客商跟踪内部资料"
INTERNAL_PHRASE = "荞麦深加工项目的意向投资方为晋北丰收食品公司"
INTERNAL = f"""{INTERNAL_TITLE}

{INTERNAL_PHRASE}，预计投资额8亿元，尚在保密洽谈阶段。对方要求县里提供蓝莓种植基地配套用地。
"""

HOSTILE_TITLE = "<script>window.__pwned='title'</script>红枣<img src=x onerror=\"window.__pwned='img'\">资料"
HOSTILE_SENTENCE = ("青禾县红枣种植面积达到12万亩<img src=x onerror=\"alert('body')\">，"
                    "年产红枣3万吨<script>alert('body')</script>。")
HOSTILE = f"""{HOSTILE_TITLE}

{HOSTILE_SENTENCE}红枣加工企业可以享受用地优惠。
"""

UPLOAD_TITLE = "青禾县氢能产业发展规划"
UPLOAD_FIGURE = "青禾县规划建设年产2万吨绿氢项目，总投资45亿元。"
UPLOAD = f"""{UPLOAD_TITLE}

{UPLOAD_FIGURE}绿氢项目配套建设加氢站5座，服务重型卡车运输。
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_index(root: Path) -> Path:
    """A store with a public county document, an internal one and one holding HTML/script."""
    public, internal = root / "public", root / "internal"
    public.mkdir(parents=True, exist_ok=True)
    internal.mkdir(parents=True, exist_ok=True)
    (public / "county.txt").write_text(COUNTY, encoding="utf-8")
    (public / "hostile<b>.txt").write_text(HOSTILE, encoding="utf-8")
    (internal / "荞麦客商跟踪表.txt").write_text(INTERNAL, encoding="utf-8")
    store = root / "store"
    settings = Settings(_env_file=None, store=store, embed_model="bundled")
    for folder, visibility in ((public, "public"), (internal, "internal")):
        report = sync(settings, [folder], visibility=visibility)
        assert not report.failed, report.failed
    return store


def settings_for(store: Path, staff: bool = True, port: int | None = None, **extra) -> Settings:
    users = {STAFF_USER: hash_password(STAFF_PASSWORD)} if staff else {}
    extra = {"county_name": COUNTY_NAME, "county_name_en": COUNTY_NAME_EN, **extra}
    return Settings(_env_file=None, store=store, embed_model="bundled", staff_users=users,
                    host="127.0.0.1", port=port or free_port(), uploads_dir=store.parent / "uploads",
                    **extra)


@dataclass
class Server:
    url: str
    settings: Settings
    state: AppState
    assistant: Assistant

    @property
    def library(self) -> ApprovedLibrary:
        return self.state.library

    @property
    def staff_url(self) -> str:
        return f"{self.url}staff/"


@contextmanager
def serve(settings: Settings, assistant: Assistant | None = None) -> Iterator[Server]:
    """The server (app.server.create_app under uvicorn) on settings.host:settings.port until the
    block ends; its app database is the settings' (by default SQLite in the store folder)."""
    assistant = assistant or Assistant.open(settings)
    state = open_state(settings)
    config = uvicorn.Config(create_app(settings, assistant, state), host=settings.host,
                            port=settings.port, log_level="warning", proxy_headers=True,
                            forwarded_allow_ips=settings.trusted_proxies,
                            timeout_graceful_shutdown=3)  # clients' open streams (heartbeats) end
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="county-rag-test-server", daemon=True)
    thread.start()
    url = f"http://{settings.host}:{settings.port}/"
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"the app did not start at {url}")
            time.sleep(0.05)
        yield Server(url, settings, state, assistant)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        state.close()


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--staff", action="store_true", help="configure a staff login")
    parser.add_argument("--port", type=int, default=7861)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="county-rag-ui-"))
    settings = settings_for(build_index(root), staff=args.staff, port=args.port)
    with serve(settings) as server:
        print(f"{server.url}  (staff {server.staff_url}; store {settings.store}; "
              f"staff {STAFF_USER!r} / {STAFF_PASSWORD!r})")
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
