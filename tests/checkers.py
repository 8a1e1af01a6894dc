"""The checkers nobody on the team wrote: the Nu HTML checker (vnu.jar) and axe-core, both from npm."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).parents[1]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def nu_errors(pages: dict[str, str]) -> list[str]:
    """Run the Nu HTML checker once over {name: html}; return its errors as 'name:line: message'."""
    assert VNU.exists(), "vnu.jar is missing: run `make test` (it installs the npm test tools)"
    assert shutil.which("java"), "java is missing: run `make test` (it installs a Java runtime)"
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for index, (name, html) in enumerate(pages.items()):
            path = Path(folder) / f"page{index}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = name
        result = subprocess.run(["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json",
                                 *[str(Path(folder) / f"page{i}.html") for i in range(len(pages))]],
                                capture_output=True, text=True, timeout=300)
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    errors = []
    for message in report["messages"]:
        if message.get("type") == "error" or message.get("subType") == "fatal":
            url = message.get("url", "?")
            name = files.get(url.rsplit("/", 1)[-1], url)
            errors.append(f"{name}:{message.get('lastLine', '?')}: {message.get('message')}")
    return errors


AXE_RUN = """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v =>
    `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map(n => n.target.join(' ')).join(', ')}`))"""


def axe_violations(page) -> list[str]:
    """Run axe-core in a Playwright page; return its violations as readable lines."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(AXE_RUN)
