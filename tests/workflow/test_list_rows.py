"""The rows of the three long lists are written in Python (workflow/rows.py, issue 14 §4): each
column shows what the template's cells showed, escaped the same way, a row links to its record,
the filter bars' inputs are Django's HTML, and another department's records never appear."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.forms.renderers import DjangoTemplates
from django.template import engines

from accounts.models import Department
from cases.badges import annotate
from cases.forms import CaseFilterForm
from cases.models import Case
from screening.forms import ClueFilterForm
from screening.models import Clue, SourceChannel
from workflow.models import Deadline
from workflow.views_deadlines import DeadlineFilterForm

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 30)
HOSTILE = '<b>"毒"</b> & \'x\''

# The cells as the templates wrote them before (templates/*/…_list.html at 9ce78f4).
OLD_CLUE_ROW = """<tr>
  <td><a href="{% url 'screening:clue_detail' clue.pk %}">{{ clue.number }}</a></td>
  <td>{{ clue.registered_on|cn_date }}</td>
  <td>{{ clue.channel }}</td>
  <td>{{ clue.get_damage_type_display }}</td>
  <td>{{ clue.place|default:"" }} {{ clue.place_detail }}</td>
  <td>{{ clue.department }}</td>
  <td><span class="badge text-bg-light border">{{ clue.get_state_display }}</span></td>
</tr>"""
OLD_CASE_ROW = """<tr><td><a href="{{ case.get_absolute_url }}">{{ case.number }}</a></td><td>{{ case.cause|truncatechars:40 }}</td>
    <td>{{ case.opened_on|cn_date }}</td><td>{{ case.department }}</td>
    <td>{{ case.get_classification_display }}</td>
    <td><span class="badge text-bg-light border">{{ case.get_stage_display }}</span>{% for b in case.badges %} <span class="badge {{ b.style }}" title="{{ b.title }}" data-badge="{{ b.code }}">{{ b.label }}</span>{% endfor %}</td></tr>"""
OLD_DUE = """<span class="text-nowrap{% if not d.confirmed %} unconfirmed{% endif %}">{{ d.due|cn_date }}</span>
{% if not d.confirmed %}<span class="badge text-bg-warning" title="所涉年度的节假日安排尚未录入，按周末推算" data-testid="unconfirmed">待确认</span>{% endif %}
{% with r=d.remaining %}<span class="badge text-bg-{{ r.1 }}{% if r.1 == 'light' %} border{% endif %}">{{ r.0 }}</span>{% endwith %}"""
OLD_DEADLINE_ROW = """<tr data-testid="deadline-row">
  <td>""" + OLD_DUE + """</td>
  <td><a href="{% url 'workflow:deadline_detail' d.pk %}">{{ d.title }}</a><div class="small text-body-secondary">{{ d.get_kind_display }}</div></td>
  <td>{% if d.subject_url %}<a href="{{ d.subject_url }}">{{ d.subject_label }}</a>{% else %}{{ d.subject_label }}{% endif %}</td>
  <td>{{ d.department }}</td>
  <td>{{ d.responsible|default:"" }}</td>
  <td class="small">{{ d.explanation|cite:"hover" }}</td>
</tr>"""


def squeeze(html: str) -> str:
    """Whitespace between tags and runs of it do not show."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def old_rows(row_template: str, name: str, records) -> list[str]:
    template = engines["django"].from_string(row_template)
    return [squeeze(template.render({name: r})) for r in records]


def new_rows(response) -> list[str]:
    body = response.content.decode()
    tbody = body[body.index("<tbody>") + 7:body.index("</tbody>")]
    return [squeeze(row) for row in re.findall(r"<tr.*?</tr>", tbody, re.S)]


@pytest.fixture
def rows(demo_org):
    """Records of two departments of the city and of another city, with every column set
    (some to text that needs escaping)."""
    officer = demo_org.by_username["jingban"]
    channel = SourceChannel.objects.get(code="supervision")
    ct = ContentType.objects.get_for_model(Department)
    made = []
    for i, short in enumerate(("市生态环境局", "市水务局", "大同市水务局")):
        d = demo_org.departments[short]
        day = TODAY - timedelta(days=i)
        profile = d.jurisdiction.rule_profile_on(day)
        clue = Clue.objects.create(
            number=f"ROW-C-{i}", jurisdiction=d.jurisdiction, department=d, channel=channel,
            found_on=day, registered_on=day, summary="列表测试", damage_type="soil",
            place_detail=HOSTILE if i == 1 else "河段下游", state=Clue.State.VERIFYING,
            registered_by=officer, rule_profile=profile)
        case = Case.objects.create(
            number=f"ROW-K-{i}", jurisdiction=d.jurisdiction, department=d,
            cause=("某化工企业" * 12) if i == 0 else HOSTILE, opened_on=day, created_by=officer,
            rule_profile=profile, classification="major" if i else "",
            stage=Case.Stage.INVESTIGATING)
        deadline = Deadline.objects.create(
            content_type=ct, object_id=d.pk, subject_label=HOSTILE if i == 1 else "某案件",
            subject_url="/cases/1/?a=1&b=2" if i == 0 else "", kind="negotiation_reply",
            title="磋商告知书答复期限", start_event="送达", start_date=day, days=30, due=day,
            confirmed=bool(i), department=d, responsible=officer if i != 1 else None,
            explanation="依据 SX 第十八条计算；" + HOSTILE,
            status=Deadline.Status.OVERDUE if i % 2 else Deadline.Status.OPEN)
        made.append((clue, case, deadline))
    return made


@pytest.mark.parametrize("username", ["shuiwu", "qiantou"])
def test_each_column_shows_what_the_templates_showed(client, demo_org, rows, username):
    user = demo_org.by_username[username]
    client.force_login(user)
    with time_machine.travel(TODAY, tick=False):
        clues = client.get("/screening/clues/")
        cases = client.get("/cases/")
        board = client.get("/workflow/deadlines/")
        expected_clues = list(Clue.objects.visible_to(user).select_related(
            "department", "channel", "place").order_by("-registered_on", "-pk"))
        expected_cases = list(Case.objects.visible_to(user).select_related(
            "department", "jurisdiction").order_by("-opened_on", "-pk"))
        annotate(expected_cases)
        expected_deadlines = list(Deadline.objects.visible_to(user).filter(
            status__in=("open", "overdue")).select_related("department", "responsible")
            .order_by("-due", "-pk"))
        assert new_rows(clues) == old_rows(OLD_CLUE_ROW, "clue", expected_clues)
        assert new_rows(cases) == old_rows(OLD_CASE_ROW, "case", expected_cases)
        assert new_rows(board) == old_rows(OLD_DEADLINE_ROW, "d", expected_deadlines)
    assert expected_clues and expected_cases and expected_deadlines


def test_rows_escape_text_link_their_record_and_keep_other_departments_out(
        client, demo_org, rows):
    client.force_login(demo_org.by_username["shuiwu"])  # 市水务局
    with time_machine.travel(TODAY, tick=False):
        clues = client.get("/screening/clues/").content.decode()
        cases = client.get("/cases/").content.decode()
        board = client.get("/workflow/deadlines/").content.decode()
    (_, _, _), (clue, case, deadline), (other_clue, other_case, _) = rows
    escaped = "&lt;b&gt;&quot;毒&quot;&lt;/b&gt; &amp; &#x27;x&#x27;"
    for page in (clues, cases, board):
        assert escaped in page and HOSTILE not in page
    assert f'<a href="/screening/clues/{clue.pk}/">ROW-C-1</a>' in clues
    assert f'<a href="/cases/{case.pk}/">ROW-K-1</a>' in cases
    assert f'<a href="/workflow/deadlines/{deadline.pk}/">磋商告知书答复期限</a>' in board
    assert '<td>土壤污染</td>' in clues and "初步核查中</span>" in clues
    assert "<td>重大</td>" in cases
    assert '<abbr class="cite"' in board and "逾期" in board
    for page, other in ((clues, "ROW-C-0"), (clues, "ROW-C-2"), (cases, "ROW-K-0"),
                        (cases, "ROW-K-2")):
        assert other not in page
    assert other_clue.number not in clues and other_case.number not in cases
    assert board.count('data-testid="deadline-row"') == 1


def test_sorting_and_filters_still_choose_the_rows(client, demo_org, rows):
    client.force_login(demo_org.by_username["qiantou"])
    with time_machine.travel(TODAY, tick=False):
        by_number = client.get("/screening/clues/?sort=number").content.decode()
        assert by_number.index("ROW-C-0") < by_number.index("ROW-C-1")
        newest_first = client.get("/screening/clues/").content.decode()
        assert newest_first.index("ROW-C-0") < newest_first.index("ROW-C-1")
        assert "ROW-C-" not in client.get("/screening/clues/?damage_type=water").content.decode()
        filtered = client.get("/cases/?classification=major").content.decode()
        assert "ROW-K-1" in filtered and "ROW-K-0" not in filtered
        overdue = client.get("/workflow/deadlines/?view=overdue").content.decode()
        assert overdue.count('data-testid="deadline-row"') == 1
        empty = client.get("/screening/clues/?q=没有这样的线索").content.decode()
        assert "没有符合条件的线索。" in empty


@pytest.mark.parametrize("form_class", [ClueFilterForm, CaseFilterForm, DeadlineFilterForm])
def test_the_filter_bars_inputs_are_djangos_html(demo_org, form_class):
    user = demo_org.by_username["qiantou"]
    data = {"q": HOSTILE, "mine": "on", "on": "2026-09-30", "jurisdiction": "1",
            "registered_from": "2026-01-01", "outcome": "x\"y"}
    kwargs = {} if form_class is ClueFilterForm else {"user": user}
    quick, plain = form_class(data, **kwargs), form_class(data, renderer=DjangoTemplates(),
                                                          **kwargs)
    quick.is_valid(), plain.is_valid()
    fields = list(quick.fields)
    assert len(fields) > 3
    for name in fields:
        assert str(quick[name]) == str(plain[name]), name
