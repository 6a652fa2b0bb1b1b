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


def build_report(engine: Engine, execution_seconds: float | None) -> dict:
    s = engine.settings
    return {
        "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": engine.machine,
        "workers": s.workers, "threads_per_worker": s.threads,
        "execution_seconds": None if execution_seconds is None else round(execution_seconds, 1),
        "pages": [page_record(state) for state in engine.states.values()],
    }


def write_report(report: dict, site_dir: Path) -> Path:
    path = Path(site_dir) / "build.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return path


def _versions(report: dict) -> str:
    envs = [p["key"]["environment"] for p in report["pages"] if p["key"].get("environment")]
    if not envs:
        return "not known yet"
    newest = max(envs, key=lambda e: json.dumps(e, sort_keys=True))
    shown = ("python", "torch", "torchvision", "numpy", "matplotlib", "nbclient", "jupytext", "nbconvert",
             "mkdocs-jupyter")
    return ", ".join(f"{name} {newest[name]}" for name in shown if name in newest)


def report_markdown(report: dict, page_urls: dict[str, str]) -> str:
    """The build page's tables, from the report (Markdown)."""
    m = report["machine"]
    pages = report["pages"]
    executed = [p for p in pages if p["status"] == "executed"]
    total = sum(p["seconds"] or 0 for p in pages)
    lines = [
        f"This build: **{report['built_at'][:10]}**, on {m['cores']} cores ({m['cpu']}, {m['system']}), "
        f"{report['workers']} worker{'s' if report['workers'] != 1 else ''} of "
        f"{report['threads_per_worker']} thread{'s' if report['threads_per_worker'] != 1 else ''}. "
        f"{len(executed)} of {len(pages)} executable pages were executed in this build, the others "
        f"came from the cache. Versions: {_versions(report)}.",
        "",
    ]
    if report.get("execution_seconds") is not None and executed:
        lines += [f"Executing took {report['execution_seconds']:.0f} s of wall time in this build; "
                  f"the pages' own execution times add up to {total:.0f} s.", ""]
    # Six short columns: the table must fit the text column at 1280 px.
    lines += ["| page | this build | seconds | executed (UTC) | worker × threads | files read |",
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
