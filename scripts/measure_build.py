"""Time cold and warm builds in a copy of the project; run through ``scripts/measure-build``.

Every build is ``mkdocs build --strict``; what each executed is read from the
``site/build.json`` it wrote. The two cold builds run one after the other in
this one run, so their ratio is measured under the same conditions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HINTS = ROOT / "docs" / "hooks" / "page-seconds.json"
PROSE_PAGE = "docs/chapters/05-one-by-one-convolution.py"
LIBRARY_FILE = "cnnguide/gan/losses.py"


def copy_project(dest: Path) -> None:
    """The tracked and untracked-but-not-ignored files, plus the MathJax the site serves."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    shutil.copytree(ROOT / "docs" / "assets" / "mathjax", dest / "docs" / "assets" / "mathjax")


def build(project: Path, label: str, keep: Path | None = None, **env) -> dict:
    """One strict build of ``project``; its wall time and report (copied into ``keep``, if given)."""
    environment = {**os.environ, **env}
    environment.pop("CNNGUIDE_NO_CACHE", None)
    start = time.perf_counter()
    done = subprocess.run(["mkdocs", "build", "--strict", "--clean"], cwd=project, env=environment,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    slug = "".join(c if c.isalnum() else "-" for c in label)
    log = project.parent / f"{slug}.log"
    log.write_text(done.stdout + done.stderr)
    if done.returncode:
        sys.exit(f"{label}: the build failed; log in {log}\n{done.stderr[-3000:]}")
    report = json.loads((project / "site" / "build.json").read_text())
    report["build_seconds"] = round(seconds, 1)
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / f"{slug}.json").write_text(json.dumps(report, indent=1))
    executed = sorted(Path(p["page"]).stem for p in report["pages"] if p["status"] == "executed")
    print(f"{label}: {seconds:.1f} s, {len(executed)} of {len(report['pages'])} pages executed"
          + (f": {', '.join(executed)}" if 0 < len(executed) < len(report["pages"]) else ""), flush=True)
    return {"seconds": seconds, "report": report, "executed": executed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save-hints", action="store_true", help=f"write {HINTS.relative_to(ROOT)}")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep each build's report (build.json) in DIR")
    args = parser.parse_args()
    keep = args.keep.resolve() if args.keep else None
    cores = os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="cnnguide-measure-") as tmp:
        project = Path(tmp) / "project"
        copy_project(project)
        one = build(project, "cold, 1 worker", keep, CNNGUIDE_WORKERS="1", CNNGUIDE_CACHE_DIR=f"{tmp}/cache-1")
        per_page = {Path(p["page"]).stem: p["seconds"] for p in one["report"]["pages"]}
        if args.save_hints:
            ids = {Path(p["page"]).stem: p["page"] for p in one["report"]["pages"]}
            hints = {os.path.splitext(ids[name])[0].replace("/", "--"): round(s, 1) for name, s in per_page.items()}
            HINTS.write_text(json.dumps(hints, indent=1, sort_keys=True) + "\n")
            print(f"wrote {HINTS.relative_to(ROOT)}")
        default = build(project, "cold, default workers", keep, CNNGUIDE_CACHE_DIR=f"{tmp}/cache")
        workers = default["report"]["workers"]
        longest = max(per_page.values())
        print(f"\nratio cold({workers} workers x {default['report']['threads_per_worker']} threads) / "
              f"cold(1 worker x {one['report']['threads_per_worker']} threads): "
              f"{default['seconds'] / one['seconds']:.2f}")
        print(f"pages executed one by one: {sum(per_page.values()):.0f} s of execution; the longest page "
              f"({max(per_page, key=per_page.get)}) {longest:.0f} s: with a worker per page (16 cores or more) "
              f"the execution would take about that long, plus the rendering\n")

        build(project, "warm, nothing changed", keep, CNNGUIDE_CACHE_DIR=f"{tmp}/cache")
        page = project / PROSE_PAGE
        page.write_text(page.read_text().replace("# %% [markdown]\n", "# %% [markdown]\n# An edited sentence.\n#\n", 1))
        build(project, "warm, prose edit of chapter 5", keep, CNNGUIDE_CACHE_DIR=f"{tmp}/cache")
        with open(project / LIBRARY_FILE, "a") as f:
            f.write("\n\ndef _measure_build_probe():\n    return None\n")
        build(project, f"warm, function appended to {LIBRARY_FILE}", keep, CNNGUIDE_CACHE_DIR=f"{tmp}/cache")
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"machine: {cores} cores, load average at the end {load}; {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
