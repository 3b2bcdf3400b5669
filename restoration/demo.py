"""Demo restoration and fund activity, on the cases the negotiation demo signed an agreement
for (their projects, obligations and deposits were opened by the signing itself):

- 某石料厂越界开采 (agreement signed): restoration in progress under supervision (plan,
  expert review, filing, a site visit with the procuratorate), the deposit received, the fees
  paid and half of the service-function loss paid;
- 某养殖场粪污直排 (agreement judicially confirmed): restoration passed its effect assessment,
  everything paid, the deposit refunded, compensation funds spent on a project of the
  alternative-restoration library after the finance department's review, and a second
  spending request waiting for 市财政局.

Plus the city's alternative-restoration library. Walked through the real services, dates
counted back from today; a second run finds the library and does nothing."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case
from parties.validators import credit_code_check_char, organisation_code_check_char
from workflow.audit import acting_as
from workflow.demo_clock import Story

from . import services
from .models import AlternativeProject, FundObligation, RestorationProject

LIBRARY = [
    ("汾河太原城区段滩涂湿地补植", "汾河小店区段东岸", AlternativeProject.Kind.WETLAND,
     Decimal("800000.00"), Decimal("120"), "亩"),
    ("晋阳湖增殖放流", "晋阳湖", AlternativeProject.Kind.RELEASE, Decimal("300000.00"),
     Decimal("500000"), "尾"),
    ("西山废弃矿山生态修复", "万柏林区西山", AlternativeProject.Kind.MINE,
     Decimal("2000000.00"), None, ""),
]
IN_PROGRESS_CASE = "某石料厂越界开采，破坏山体植被约20亩。"
PASSED_CASE = "某养殖场粪污直排，下游坑塘水体富营养化。"


def _pdf(name: str):
    return SimpleUploadedFile(name, b"%PDF-1.4\n% EcoClaim demo\n", "application/pdf")


def _third_party_code() -> str:
    body = "MA0DEM08"
    first17 = f"91140100{body}{organisation_code_check_char(body)}"
    return first17 + credit_code_check_char(first17)


def _case(summary: str) -> Case | None:
    return Case.objects.filter(clues__summary=summary, stage=Case.Stage.PERFORMING).first()


def _restore(project: RestorationProject, officer, story: Story, *,
             to_passed: bool) -> RestorationProject:
    _day = story.day
    with story.on(_day(71)):
        if project.mode == "third_party" and project.executor_id is None:
            services.set_executor(project, name="山西绿源生态修复工程有限公司",
                                  credit_code=_third_party_code(), by=officer)
    with story.on(_day(70)):
        project = services.record_plan(project, summary="清理受损区域，覆土并补植乡土植被，设置截排水沟。",
                                   drafted_on=_day(70), plan_file=_pdf("修复方案.pdf"),
                                   place=project.place or "受损区域", by=officer)
    with story.on(_day(68)):
        project = services.record_review(project, reviewed_on=_day(68),
                                         experts="省环科院张某、太原理工大学李某、市林业局王某",
                                         opinion="方案技术可行，修复目标明确，同意实施。", by=officer)
    with story.on(_day(66)):
        project = services.file_plan(project, filed_on=_day(66),
                                     filing_number=f"并环修备〔{_day(66).year}〕8号", by=officer)
    with story.on(_day(60)):
        project = services.start_restoration(project, started_on=_day(60), by=officer)
    with story.on(_day(30)):
        services.record_site_visit(project, visited_on=_day(30), visitors="市生态环境局张明、市检察院陈静",
                               findings="清理工作已完成，正在覆土补植，未发现二次污染。", progress=60,
                               procuratorate_present=True, photos=[_pdf("现场照片.pdf")],
                               by=officer)
    if not to_passed:
        return project
    with story.on(_day(20)):
        project = services.report_completion(RestorationProject.objects.get(pk=project.pk),
                                             reported_on=_day(20), by=officer,
                                             note="补植完成，成活率经自查达到90%。",
                                             completion_file=_pdf("完工通报.pdf"))
    with story.on(_day(15)):
        services.start_assessment(project, assessor="山西省生态环境科学研究院",
                                  started_on=_day(15), by=officer)
    with story.on(_day(5)):
        return services.conclude_assessment(
        RestorationProject.objects.get(pk=project.pk), passed=True, concluded_on=_day(5),
        conclusion="植被覆盖度和水质指标均达到修复方案确定的修复目标。",
        report=_pdf("修复效果评估报告.pdf"), by=officer)


def _pay_all(case: Case, officer, story: Story, prefix: str, *, half_of: str = "",
             days_ago: int = 40) -> None:
    for index, obligation in enumerate(case.fund_obligations.filter(
            status=FundObligation.Status.OPEN).order_by("id"), start=1):
        amount = obligation.outstanding
        if obligation.kind == half_of:
            amount = (amount / 2).quantize(Decimal("0.01"))
        paid_on = story.day(max(days_ago - index, 0))
        with story.on(paid_on):
            services.record_payment(obligation, paid_on=paid_on, amount=amount,
                                    receipt_number=f"{prefix}-{index:04d}", by=officer,
                                    receipt_file=_pdf("非税收入缴款书.pdf"))


def load(org):
    if AlternativeProject.objects.filter(name=LIBRARY[0][0]).exists():
        return
    officer = org.by_username["jingban"]
    finance = org.by_username["caizheng"]
    department = org.departments["市生态环境局"]
    story = Story(org.now)
    with story.on(story.day(200)), acting_as(officer):
        library = [AlternativeProject.objects.create(
            jurisdiction=department.jurisdiction, department=department, name=name, place=place,
            kind=kind, budget=budget, capacity=capacity, capacity_unit=unit, created_by=officer,
            description="纳入本市替代修复项目库，优先安排群众获得感强的项目（CQ 十三）。")
            for name, place, kind, budget, capacity, unit in LIBRARY]

    case = _case(IN_PROGRESS_CASE)
    if case is not None:
        story = Story(org.now)
        with acting_as(officer):
            _deposit(case, officer, story, "BZJ-0011")
            project = case.restoration_projects.order_by("sequence").first()
            if project is not None and project.state == RestorationProject.State.PLANNING:
                _restore(project, officer, story, to_passed=False)
            _pay_all(case, officer, story, "FS-0011", half_of="service_loss", days_ago=28)

    case = _case(PASSED_CASE)
    if case is None:
        return
    story = Story(org.now)
    with acting_as(officer):
        deposit = _deposit(case, officer, story, "BZJ-0012")
        project = case.restoration_projects.order_by("sequence").first()
        if project is not None and project.state == RestorationProject.State.PLANNING:
            _restore(project, officer, story, to_passed=True)
        _pay_all(case, officer, story, "FS-0012", days_ago=5)
        if deposit is not None:
            with story.on(story.day(1)):
                services.refund_deposit(case, on=story.day(1), reference="TK-0003", by=officer,
                                        note="修复经效果评估达到修复目标，保证金按实退还。")
        account = case.fund_accounts.filter(fund="compensation").first()
        if account is None:
            return
        with story.on(story.day(1)):
            spent = services.draft_spending(
                case, account=account, purpose_kind="alternative",
                alternative_project=library[0], purpose="统筹用于汾河城区段滩涂湿地补植（替代修复）。",
                budget=Decimal("80000.00"), budget_file=_pdf("支出预算.pdf"), by=officer)
            services.submit_spending(spent, by=officer)
            waiting = services.draft_spending(
                case, account=account, purpose_kind="other", budget=Decimal("30000.00"),
                purpose="修复区域后期管护及回访监测。", by=officer)
            services.submit_spending(waiting, by=officer)
    with story.on(story.today), acting_as(finance):
        services.review_spending(spent, approve=True, opinion="经审核，预算依据充分，同意支出。",
                                 by=finance)
        services.pay_spending(spent, paid_on=story.today, voucher_number="ZF-0456", by=finance)


def _deposit(case: Case, officer, story: Story, reference: str):
    """The agreed deposit received 72 days before the load, or None without one."""
    deposit = getattr(case, "deposit", None)
    if deposit is None or not deposit.agreed_amount:
        return None
    with story.on(story.day(72)):
        services.receive_deposit(case, on=story.day(72), amount=deposit.agreed_amount,
                                 reference=reference, by=officer)
    return deposit
