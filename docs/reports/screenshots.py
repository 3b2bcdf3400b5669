"""Regenerate this folder's images from a running demo (`make run`, or runserver after
`manage.py load_demo`): the coordinator's dashboard, and the first two pages of the annual
report's draft PDF (pdftoppm, 60 dpi). Debian's chromium through Playwright, as the browser
tests do.

    python docs/reports/screenshots.py http://127.0.0.1:8000 [username]
"""

import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000"
USER = sys.argv[2] if len(sys.argv) > 2 else "shengting"  # 省生态环境厅: both cities
PASSWORD = "EcoClaim-2026"

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{BASE}/accounts/login/")
    page.fill('input[name="username"]', USER)
    page.fill('input[name="password"]', PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.goto(f"{BASE}/oversight/")
    page.screenshot(path=str(HERE / "dashboard.png"), full_page=True)
    pdf = context.request.get(f"{BASE}/oversight/reports/annual.pdf?year={datetime.now(ZoneInfo('Asia/Shanghai')).year}",
                              timeout=120_000)
    assert pdf.ok, pdf.status
    content = pdf.body()
    browser.close()

with tempfile.TemporaryDirectory() as tmp:
    source = Path(tmp) / "annual.pdf"
    source.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "2", "-png", str(source),
                    str(Path(tmp) / "p")], check=True)
    for n, name in ((1, "annual-report-p1.png"), (2, "annual-report-p2.png")):
        (Path(tmp) / f"p-{n}.png").replace(HERE / name)
