"""Many investors at once on the HTTP API: errors, time to first token and total time (p50/p95)
for N concurrent streamed questions against one investor alone, with a local fake
OpenAI-compatible LLM that streams each answer for a few seconds, then the same in extractive
mode; and N API clients asking 3 questions each.

The server runs in its own process (`create_app` under uvicorn, as `serve` runs it), the fake
LLM and the clients (the `openai` client, async) in this one. Without --store, a small index of
the test documents (tests/ui_server.py) is built in a temporary folder.

Usage: python benchmarks/concurrency.py [--store DIR --questions FILE.jsonl] [--investors 20]
       [--llm-seconds 5] [--out benchmarks/results/concurrency.json]
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import openai

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.llm_server import FakeLLM, Reply  # noqa: E402
from tests.ui_server import build_index, free_port  # noqa: E402

# Our own questions about the test documents (tests/ui_server.py); --questions for another index.
QUESTIONS = ["兴县电解铝的产业规模有多大？", "兴县今年成功签约了几个项目？", "兴县的法兰项目由哪家企业投资？",
             "北京航空航天大学和兴县有什么交流？", "兴县为企业配套建设了哪些设施？", "兴县年产红枣多少吨？"]
ROUNDS_ALONE = 5  # one investor alone, this many times in a row (after one question to warm up)
QUESTIONS_PER_CLIENT = 3
LLM_PIECES = 50


def serve(args: argparse.Namespace) -> None:
    """The whole server (app.server.create_app, as `serve` builds it: the API beside the web
    chat), in this process, until killed (started by `main` as a subprocess)."""
    import uvicorn

    from app.answering.assistant import Assistant
    from app.server import create_app
    from app.settings import Settings
    from app.staff.state import open_state

    settings = Settings(_env_file=None, store=args.store, embed_model="bundled",
                        database_url=args.database, llm_base_url=args.llm or None, llm_model="fake")
    app = create_app(settings, Assistant.open(settings), open_state(settings))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


class Server:
    """The API in a subprocess, for the length of a `with` block."""

    def __init__(self, store: Path, database: str, llm: str = ""):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.command = [sys.executable, __file__, "--serve", "--store", str(store), "--database", database,
                        "--port", str(self.port), "--llm", llm]

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(self.command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{self.url}/models", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the API server did not start")
            time.sleep(0.3)

    def __exit__(self, *_) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


async def streamed(client: openai.AsyncOpenAI, question: str) -> dict:
    """One streamed question: seconds to the first piece of text and to the end, or the error."""
    started = time.perf_counter()
    first, answered = None, None
    try:
        stream = await client.chat.completions.create(
            model="county-rag", messages=[{"role": "user", "content": question}], stream=True)
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content and first is None:
                first = time.perf_counter() - started
            if chunk.choices and chunk.choices[0].finish_reason:
                answered = chunk.model_extra.get("answered")
    except openai.OpenAIError as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    if answered is None:
        return {"error": "the stream ended without its last chunk"}
    return {"first": first, "total": time.perf_counter() - started, "answered": answered}


async def plain(client: openai.AsyncOpenAI, questions: list[str]) -> list[dict]:
    """A client asking its questions one after another (no streaming)."""
    out = []
    for question in questions:
        started = time.perf_counter()
        try:
            reply = await client.chat.completions.create(
                model="county-rag", messages=[{"role": "user", "content": question}])
            out.append({"total": time.perf_counter() - started,
                        "answered": reply.model_extra.get("answered")})
        except openai.OpenAIError as exc:
            out.append({"error": f"{type(exc).__name__}: {exc}"})
    return out


def clients(url: str, n: int) -> list[openai.AsyncOpenAI]:
    return [openai.AsyncOpenAI(base_url=url, api_key="unused", max_retries=0, timeout=120)
            for _ in range(n)]


def summary(results: list[dict]) -> dict:
    ok = [r for r in results if "error" not in r]
    out = {"requests": len(results), "errors": len(results) - len(ok),
           "answered": sum(bool(r.get("answered")) for r in ok)}
    for key in ("first", "total"):
        values = [r[key] for r in ok if r.get(key) is not None]
        if values:
            out[f"{key}_p50"] = round(float(np.percentile(values, 50)), 3)
            out[f"{key}_p95"] = round(float(np.percentile(values, 95)), 3)
    examples = sorted({r["error"] for r in results if "error" in r})[:3]
    return {**out, "error_examples": examples} if examples else out


async def alone_and_together(url: str, questions: list[str], investors: int) -> dict:
    await streamed(clients(url, 1)[0], questions[-1])  # first use: lazy loading, caches
    alone = []
    for i in range(ROUNDS_ALONE):
        alone.append(await streamed(clients(url, 1)[0], questions[i % len(questions)]))
    together = await asyncio.gather(*(streamed(c, questions[i % len(questions)])
                                      for i, c in enumerate(clients(url, investors))))
    result = {"alone": summary(alone), "together": summary(list(together))}
    if "total_p95" in result["together"] and "total_p95" in result["alone"]:
        result["p95_total_ratio"] = round(result["together"]["total_p95"] / result["alone"]["total_p95"], 2)
    return result


async def many_clients(url: str, questions: list[str], n: int) -> dict:
    asked = [[questions[(i + j) % len(questions)] for j in range(QUESTIONS_PER_CLIENT)] for i in range(n)]
    results = await asyncio.gather(*(plain(c, qs) for c, qs in zip(clients(url, n), asked)))
    return summary([r for rs in results for r in rs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--questions", type=Path, help="JSONL with a question field (with --store)")
    parser.add_argument("--investors", type=int, default=20)
    parser.add_argument("--llm-seconds", type=float, default=5.0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--llm", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return

    questions = QUESTIONS
    if args.questions:
        lines = args.questions.read_text(encoding="utf-8").splitlines()
        questions = [json.loads(line)["question"] for line in lines if line.strip()]
    started_load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or build_index(Path(tmp) / "index")
        database = f"sqlite:///{Path(tmp) / 'app.db'}"
        pause = args.llm_seconds / LLM_PIECES
        with FakeLLM() as llm:
            llm.reply = Reply(pieces=["根据资料[1]，"] + ["兴县投资环境良好。"] * (LLM_PIECES - 1), pause=pause)
            with Server(store, database, llm.base_url) as server:
                llm_mode = asyncio.run(alone_and_together(server.url, questions, args.investors))
        with Server(store, database) as server:
            extractive = asyncio.run(alone_and_together(server.url, questions, args.investors))
            api_clients = asyncio.run(many_clients(server.url, questions, args.investors))
    report = {
        "machine": {"cpus": os.cpu_count(), "load_before": [round(x, 2) for x in started_load],
                    "load_after": [round(x, 2) for x in os.getloadavg()]},
        "investors": args.investors, "llm_stream_seconds": args.llm_seconds,
        "llm": llm_mode, "extractive": extractive,
        f"{args.investors}_clients_x_{QUESTIONS_PER_CLIENT}_questions_extractive": api_clients,
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
