"""The HTML brief in a real headless Chromium: it renders to a PNG with no console
message (no script error, no blocked load), and every image is loaded.

Skips, saying so, where chromium is missing (CI installs it: ``.ci/run``)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
A4_WINDOW = "1240,1754"  # A4 at 150 dpi
PROBE = """<script>
window.__errors = [];
window.addEventListener("error", e => __errors.push(String(e.message || (e.target && e.target.src))), true);
const originalError = console.error;
console.error = (...parts) => { __errors.push(parts.join(" ")); originalError(...parts); };
window.addEventListener("load", () => {
  const images = [...document.images].map(i => i.complete && i.naturalWidth > 0);
  const report = document.createElement("pre");
  report.id = "riskengine-probe";
  report.textContent = JSON.stringify({images, errors: __errors});
  document.body.appendChild(report);
});
</script>"""

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is missing: install Debian's chromium (apt-get install chromium) "
    "to render the HTML brief in a real browser",
)


def _chromium(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_brief_renders_to_a_png_without_console_messages(quickstart_run, tmp_path):
    _, out = quickstart_run
    screenshot = tmp_path / "brief.png"
    result = _chromium(
        "--enable-logging=stderr",
        "--v=0",
        f"--screenshot={screenshot}",
        f"--window-size={A4_WINDOW}",
        (out / "brief.html").as_uri(),
    )
    assert screenshot.exists(), result.stderr
    header = screenshot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(header[16:20], "big") == 1240
    console = [line for line in result.stderr.splitlines() if re.search(r":CONSOLE[:(]", line)]
    assert not console, "\n".join(console)


def test_every_image_of_the_brief_loads(quickstart_run, tmp_path):
    """The brief's own policy forbids scripts, so a copy with the probe script in its
    head (and without the policy) reports what the browser loaded."""
    _, out = quickstart_run
    html = (out / "brief.html").read_text(encoding="utf-8")
    probed = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    probed = probed.replace("</head>", PROBE + "\n</head>", 1)
    assert probed != html
    page = tmp_path / "probed.html"
    page.write_text(probed, encoding="utf-8")
    result = _chromium("--virtual-time-budget=10000", "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="riskengine-probe">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stderr[-2000:]
    report = json.loads(found.group(1).replace("&quot;", '"'))
    assert report["errors"] == []
    assert len(report["images"]) == html.count("<img ") >= 4
    assert all(report["images"]), report
