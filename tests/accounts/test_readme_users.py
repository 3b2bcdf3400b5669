"""README lists every demo user once, with role and department (issue 17)."""

import re
from pathlib import Path

from accounts.demo import DEMO_USERS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_demo_user_once_with_role_and_department():
    rows = re.findall(r"^\| `(\w+)` \| (\S+) \| (.+) \|$", README.read_text(), re.M)
    names = [name for name, _, _ in rows]
    assert sorted(names) == sorted(username for username, *_ in DEMO_USERS)
    assert len(names) == len(set(names))
    listed = {name: (role, department) for name, role, department in rows}
    for username, _full, role, _short, _title in DEMO_USERS:
        assert listed[username][0] == role.label, username
