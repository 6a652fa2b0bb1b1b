"""The build report: ``site/build.json`` and the page "How this site was built".

One record per executable page: ``executed`` (in this build) or ``cached``
(``queued``/``running``/``failed`` only while ``mkdocs serve`` executes), the
seconds its execution took, when and where it ran (worker, threads, machine),
and the key's inputs (code key, environment, every input with its digest).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .engine import Engine, PageState


def page_record(state: PageState) -> dict:
    entry = state.entry or {}
    record = {
        "page": state.src_path, "status": state.status, "seconds": entry.get("seconds"),
        "cpu_seconds": entry.get("cpu_seconds"), "worker": entry.get("worker"), "threads": entry.get("threads"),
        "executed_at": entry.get("executed_at"), "machine": entry.get("machine"),
        "key": {"code": state.key, "environment": entry.get("environment"), "inputs": entry.get("inputs")},
    }
    if state.status != "cached" and state.status != "executed":
        record["reason"] = state.reason
    if state.error:
        record["error"] = state.error
    return record


def build_report(engine: Engine, execution_seconds: float | None, translations: dict[str, str] | None = None) -> dict:
    """The report of one build; ``translations`` maps each translated page to the page whose outputs it shows."""
    s = engine.settings
    return {
        "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": engine.machine,
        "workers": s.workers, "threads_per_worker": s.threads,
        "execution_seconds": None if execution_seconds is None else round(execution_seconds, 1),
        "pages": [page_record(state) for state in engine.states.values()],
        # Rendered with their original's outputs, never executed.
        "translations": [{"page": page, "outputs_of": original} for page, original in sorted((translations or {}).items())],
    }


def write_report(report: dict, site_dir: Path) -> Path:
    path = Path(site_dir) / "build.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return path


def _versions(report: dict) -> str | None:
    envs = [p["key"]["environment"] for p in report["pages"] if p["key"].get("environment")]
    if not envs:
        return None
    newest = max(envs, key=lambda e: json.dumps(e, sort_keys=True))
    shown = ("python", "torch", "torchvision", "numpy", "matplotlib", "nbclient", "jupytext", "nbconvert",
             "mkdocs-jupyter")
    return ", ".join(f"{name} {newest[name]}" for name in shown if name in newest)


# The report's sentences in each edition's language; the statuses ("executed",
# "cached") stay as build.json writes them, and the Chinese text explains them.
_WORDS = {
    "en": {
        "build": "This build: **{date}**, on {cores} cores ({cpu}, {system}), {workers} worker{workers_s} of "
                 "{threads} thread{threads_s}. {executed} of {pages} executable pages were executed in this "
                 "build, the others came from the cache. Versions: {versions}.",
        "translations": "The {count} translated pages (under `zh/`) were not executed: each shows the outputs "
                        "of the page it translates, from this build.",
        "seconds": "Executing took {wall:.0f} s of wall time in this build; the pages' own execution times "
                   "add up to {total:.0f} s.",
        "header": "| page | this build | seconds | executed (UTC) | worker × threads | files read |",
        "unknown": "not known yet",
    },
    "zh": {
        "build": "本次构建：**{date}**，{cores} 核（{cpu}，{system}），{workers} 个工作进程，每个 {threads} 个线程。"
                 "{pages} 个可执行页面中有 {executed} 个在本次构建中执行，其余取自缓存。版本：{versions}。",
        "translations": "{count} 个翻译页面（位于 `zh/` 下）没有执行：每一页显示的是它所翻译的英文页面在本次构建中的输出。",
        "seconds": "本次构建的执行用了 {wall:.0f} 秒墙钟时间；各页面自身的执行时间加起来是 {total:.0f} 秒。",
        "header": "| 页面 | 本次构建 | 秒 | 执行时间（UTC） | 工作进程 × 线程 | 读取的文件数 |",
        "unknown": "尚不知道",
    },
}


def report_markdown(report: dict, page_urls: dict[str, str], language: str = "en") -> str:
    """The build page's tables, from the report (Markdown), in ``language`` ("en" or "zh")."""
    words = _WORDS[language]
    m = report["machine"]
    pages = report["pages"]
    executed = [p for p in pages if p["status"] == "executed"]
    total = sum(p["seconds"] or 0 for p in pages)
    versions = _versions(report)
    lines = [
        words["build"].format(
            date=report["built_at"][:10], cores=m["cores"], cpu=m["cpu"], system=m["system"],
            workers=report["workers"], workers_s="s" if report["workers"] != 1 else "",
            threads=report["threads_per_worker"], threads_s="s" if report["threads_per_worker"] != 1 else "",
            executed=len(executed), pages=len(pages),
            versions=words["unknown"] if versions is None else versions),
        "",
    ]
    if report.get("translations"):
        lines += [words["translations"].format(count=len(report["translations"])), ""]
    if report.get("execution_seconds") is not None and executed:
        lines += [words["seconds"].format(wall=report["execution_seconds"], total=total), ""]
    lines += [words["header"],
              "| --- | --- | ---: | --- | :---: | ---: |"]
    for p in sorted(pages, key=lambda p: p["page"]):
        name = Path(p["page"]).stem
        link = f"[{name}]({page_urls[p['page']]})" if p["page"] in page_urls else name
        seconds = f"{p['seconds']:.1f}" if p["seconds"] is not None else "–"
        when = (p["executed_at"] or "–")[:16].replace("T", " ")
        inputs = len(p["key"]["inputs"]) if p["key"].get("inputs") is not None else "–"
        worker = f"{p['worker']} × {p['threads']}" if p["worker"] else "–"
        lines.append(f"| {link} | {p['status']} | {seconds} | {when} | {worker} | {inputs} |")
    return "\n".join(lines) + "\n"
