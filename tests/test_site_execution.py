"""The execution hook (docs/hooks/execute_pages.py) in real MkDocs runs of a small site.

A strict build fails on a failing cell and names the page and the cell;
``mkdocs serve`` serves at once, shows a notice on a page whose execution has
not ended, and fills it in when it ends; a strict build never shows a notice.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOOK = ROOT / "docs" / "hooks" / "execute_pages.py"


def small_site(tmp_path: Path, pages: dict[str, str]) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    for name, text in pages.items():
        (tmp_path / "docs" / name).write_text(text)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: small\nhooks:\n"
        f"  - {HOOK}\n"
        "plugins:\n  - mkdocs-jupyter:\n      include: ['*.py']\n      kernel_name: python3\n"
        "      allow_errors: false\n")
    return tmp_path


def environment(tmp_path: Path, **extra) -> dict:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CNNGUIDE_CACHE_DIR": str(tmp_path / "cache"), **extra}
    env.pop("CNNGUIDE_NO_CACHE", None)
    env.pop("MPLBACKEND", None)
    return env


def mkdocs(*args) -> list[str]:
    return [sys.executable, "-m", "mkdocs", *args]


@pytest.mark.slow
def test_a_failing_cell_fails_the_strict_build_naming_page_and_cell(tmp_path):
    site = small_site(tmp_path, {
        "good.py": "# %% [markdown]\n# # Good\n\n# %%\nprint('fine')\n",
        "broken.py": "# %% [markdown]\n# # Broken\n\n# %%\nx = 1\n\n# %%\nlimit = 3\nassert x > limit, 'x too small'\n",
    })
    done = subprocess.run(mkdocs("build", "--strict"), cwd=site, env=environment(tmp_path, CNNGUIDE_NO_CACHE="1"),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "broken.py failed at code cell 2 (limit = 3)" in done.stderr
    assert "AssertionError: x too small" in done.stderr


@pytest.mark.slow
def test_a_build_reports_each_page_and_a_rebuild_executes_nothing(tmp_path):
    site = small_site(tmp_path, {"page.py": "# %% [markdown]\n# # Page\n\n# %%\nprint(6 * 7)\n"})
    env = environment(tmp_path)
    first = subprocess.run(mkdocs("build", "--strict"), cwd=site, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "executed page in" in first.stderr
    report = json.loads((site / "site" / "build.json").read_text())
    assert [(p["page"], p["status"]) for p in report["pages"]] == [("page.py", "executed")]
    assert "42" in (site / "site" / "page" / "index.html").read_text()

    (site / "docs" / "page.py").write_text("# %% [markdown]\n# # Page, retitled\n\n# %%\nprint(6 * 7)\n")
    second = subprocess.run(mkdocs("build", "--strict"), cwd=site, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "cached page" in second.stderr and "executed page" not in second.stderr
    html = (site / "site" / "page" / "index.html").read_text()
    assert "retitled" in html and "42" in html and "Not executed yet" not in html


@pytest.mark.slow
def test_pages_left_out_by_exclude_docs_are_not_executed(tmp_path):
    # mkdocs-jupyter's wrapper drops the exclusion mark; a build once executed excluded pages.
    site = small_site(tmp_path, {"page.py": "# %% [markdown]\n# # Page\n\n# %%\nprint(6 * 7)\n"})
    (site / "docs" / "drafts").mkdir()
    (site / "docs" / "drafts" / "page.py").write_text("# %% [markdown]\n# # Draft\n\n# %%\nraise SystemExit('ran')\n")
    config = (site / "mkdocs.yml").read_text().replace("include: ['*.py']", "include: ['*.py', 'drafts/*.py']")
    (site / "mkdocs.yml").write_text(config + "exclude_docs: |\n  drafts/\n")
    done = subprocess.run(mkdocs("build", "--strict"), cwd=site, env=environment(tmp_path), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads((site / "site" / "build.json").read_text())
    assert [p["page"] for p in report["pages"]] == ["page.py"]
    assert not (site / "site" / "drafts").exists()


TWO_LANGUAGES = ("extra:\n  alternate:\n    - {name: English, link: ./, lang: en}\n"
                 "    - {name: 中文, link: zh/, lang: zh}\n")


def translated_site(tmp_path: Path, translated_code: str) -> Path:
    # The English page prints its kernel's process id: the Chinese page must show the same one.
    site = small_site(tmp_path, {"page.py": "# %% [markdown]\n# # Page\n\n# %%\nimport os\nprint('pid', os.getpid())\n"})
    (site / "docs" / "zh").mkdir()
    (site / "docs" / "zh" / "index.md").write_text("# 首页\n")
    (site / "docs" / "zh" / "page.py").write_text(f"# %% [markdown]\n# # 页面\n\n# %%\n{translated_code}\n")
    config = (site / "mkdocs.yml").read_text().replace("include: ['*.py']", "include: ['*.py', 'zh/*.py']")
    (site / "mkdocs.yml").write_text(config + TWO_LANGUAGES)
    return site


@pytest.mark.slow
def test_a_translated_page_shows_the_english_outputs_and_is_never_executed(tmp_path):
    site = translated_site(tmp_path, "import os\nprint('pid', os.getpid())")
    done = subprocess.run(mkdocs("build", "--strict"), cwd=site, env=environment(tmp_path), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads((site / "site" / "build.json").read_text())
    assert [p["page"] for p in report["pages"]] == ["page.py"]
    assert report["translations"] == [{"page": "zh/page.py", "outputs_of": "page.py"}]
    english = (site / "site" / "page" / "index.html").read_text()
    chinese = (site / "site" / "zh" / "page" / "index.html").read_text()
    pids = [re.search(r"pid (\d+)", html).group(1) for html in (english, chinese)]
    assert pids[0] == pids[1]
    assert "页面" in chinese and "Not executed yet" not in chinese


@pytest.mark.slow
def test_a_translation_whose_code_differs_fails_the_build_naming_it(tmp_path):
    site = translated_site(tmp_path, "print('something else')")
    done = subprocess.run(mkdocs("build", "--strict"), cwd=site, env=environment(tmp_path), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode != 0
    assert "zh/page.py: its code cells differ from page.py" in done.stderr
    assert "translations.py sync" in done.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


@pytest.mark.slow
def test_serve_shows_the_page_at_once_and_fills_it_in(tmp_path):
    site = small_site(tmp_path, {"slow.py": "# %% [markdown]\n# # Slow\n\n# %%\nimport time\ntime.sleep(8)\n"
                                            "print('the answer is', 6 * 7)\n"})
    port = free_port()
    server = subprocess.Popen(mkdocs("serve", "--dev-addr", f"127.0.0.1:{port}"), cwd=site,
                              env=environment(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        page = None
        while time.time() < deadline and page is None:
            try:
                page = fetch(f"http://127.0.0.1:{port}/slow/")
            except OSError:
                time.sleep(0.3)
        assert page is not None, "the server did not answer"
        assert "Not executed yet" in page and "the answer is 42" not in page
        while time.time() < deadline and "the answer is 42" not in page:
            time.sleep(1)
            page = fetch(f"http://127.0.0.1:{port}/slow/")
        assert "the answer is 42" in page and "Not executed yet" not in page
    finally:
        server.terminate()
        server.wait(timeout=30)
