"""Rendering the model forms to PDF: median time and file size per form.

Builds one case with several obligors (two organisations and a natural person) walked through
both approvals of form [1], the investigation and both approvals of form [3] (forms [1]–[3]),
and a second case with the same obligors walked through the negotiation services — notice,
service, reply, two meetings, a signed agreement with restoration, instalment and punitive
terms, a confirmed judicial confirmation and an enforcement application (forms [4]–[7]) —,
then renders each registered form N times through documents.rendering (the service the
views use) and prints the median and the size. The first render of the process (font
configuration, fontconfig cache) is reported apart.

Each form is rendered two ways, interleaved: as served (the embedded fonts compacted by
documents/fontsubset.py) and WeasyPrint's own output (`compact=False`), the reference measured
in the same run. The last PDF of each way is compared: the text (pypdf) and, when poppler's
`pdftoppm` is installed, every page pixel by pixel at `--dpi` (Pillow ImageChops).

`--no-harfbuzz` runs the same in a child process in which WeasyPrint believes
libharfbuzz-subset is missing (`weasyprint.pdf.fonts.harfbuzz_subset = None`), so it subsets
the fonts with fontTools, as on a machine without Debian's libharfbuzz-subset0 (where the
fonts are not compacted either).
`--out DIR` also writes each PDF there (a per-obligor form once per obligor).

    .venv/bin/python bench/documents_render.py --runs 20 --no-harfbuzz
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecoclaim_bench \\
      .venv/bin/python bench/documents_render.py
"""

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.demo import build_org  # noqa: E402
from accounts.roles import Role  # noqa: E402
from cases.models import Case, CaseObligor, Evidence, Investigation  # noqa: E402
from documents import registry  # noqa: E402
from documents.rendering import render_pdf  # noqa: E402
from documents.services import build_data  # noqa: E402
from negotiation import services as negotiation  # noqa: E402
from negotiation.models import Instalment, PaymentTerm, RestorationTerm  # noqa: E402
from parties.models import Party  # noqa: E402
from parties.validators import (  # noqa: E402
    credit_code_check_char,
    id_number_check_char,
    organisation_code_check_char,
)
from workflow import approvals, transitions  # noqa: E402
from workflow.attachments import attach  # noqa: E402
from workflow.audit import acting_as  # noqa: E402

BENCH_NUMBER = "BENCH-DOC-0001"
BENCH_NEGOTIATION_NUMBER = "BENCH-DOC-0002"


def _credit_code(n: int) -> str:
    body = f"{n:08d}"
    first17 = "91140100" + body + organisation_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def _id_number(seq: int) -> str:
    first17 = f"14010519750312{seq:03d}"
    return first17 + id_number_check_char(first17)


def _party(officer, **fields) -> Party:
    code = fields.get("credit_code") or fields.get("id_number")
    party = Party.objects.by_code(code).first()
    return party or Party.objects.create(created_by=officer, **fields)


@transaction.atomic
def build_case() -> Case:
    """The bench case (built once per database; found again on later runs)."""
    existing = Case.objects.filter(number=BENCH_NUMBER).first()
    if existing is not None:
        return existing
    org = build_org()
    officer, division, head = (org.users[Role.OFFICER], org.users[Role.DIVISION_HEAD],
                               org.users[Role.DEPARTMENT_HEAD])
    department = officer.department
    with acting_as(officer):
        case = Case.objects.create(
            number=BENCH_NUMBER, jurisdiction=department.jurisdiction, department=department,
            rule_profile=department.jurisdiction.rule_profile_on(date(2026, 3, 1)),
            source="日常监管、执法巡查发现",
            cause="某化工园区企业违法倾倒危险废物致周边土壤及地下水污染",
            summary=("2026年3月，执法人员在巡查中发现园区东侧空地堆放、填埋废酸渣及废包装桶约"
                     "120吨，周边土壤及浅层地下水检出重金属及有机污染物超标。经初步核查，涉及"
                     "三名赔偿义务人，造成的生态环境损害符合启动索赔的条件，建议启动索赔。"),
            damage_place="太原市小店区某化工园区东侧", estimated_amount=Decimal("1230000.00"),
            appraised_amount=Decimal("1186500.00"), fees_amount=Decimal("86000.00"),
            restorability=Case.Restorability.PARTLY, restorable_area="园区东侧约12亩受污染土壤",
            restoration_requirements="清挖受污染土壤并无害化处置，修复后达到建设用地第二类用地筛选值。",
            created_by=officer)
        parties = [
            _party(officer, kind=Party.Kind.ORGANISATION, name="山西某化工科技有限公司",
                   credit_code=_credit_code(71001), legal_representative="王某某",
                   representative_title="执行董事", address="太原市小店区某化工园区8号",
                   phone="0351-0000001"),
            _party(officer, kind=Party.Kind.ORGANISATION, name="太原某物流运输有限公司",
                   credit_code=_credit_code(71002), legal_representative="赵某",
                   representative_title="总经理", address="太原市晋源区某路66号"),
            _party(officer, kind=Party.Kind.PERSON, name="刘某某", id_number=_id_number(17),
                   work_unit="个体运输户", address="太原市迎泽区某街12号"),
        ]
        for party, role in zip(parties, ("principal", "joint", "joint_several"), strict=True):
            CaseObligor.objects.create(case=case, party=party, role=role)
        approvals.request_approval(case, "case_initiation", by=officer,
                                   summary="经初步核查，应当启动索赔。")
    for user, opinion in ((division, "同意启动索赔，报局领导审定。"), (head, "同意。")):
        with acting_as(user):
            approvals.decide(approvals.pending_step(user, case),
                             by=user, approve=True, opinion=opinion)
    case.refresh_from_db()
    with acting_as(officer):
        investigation = Investigation.objects.get(case=case)
        investigation.process = (
            "调查组于2026年3月12日至4月20日采取现场勘查、采样监测、询问调查等方式，对堆放点及"
            "周边500米范围开展调查，制作勘验笔录3份、询问笔录6份。")
        investigation.damage_facts = (
            "2025年8月至2026年2月，赔偿义务人将生产过程中产生的废酸渣等危险废物交由无资质的运输"
            "单位非法转移，倾倒、填埋于园区东侧空地，致约12亩土壤及浅层地下水受到污染。")
        investigation.causation = "污染物特征与山西某化工科技有限公司生产工艺产生的废物一致。"
        investigation.legal_basis = (
            "《中华人民共和国民法典》第一千二百三十四条、第一千二百三十五条；《生态环境损害赔偿"
            "管理规定》；《山西省生态环境损害赔偿制度改革实施方案》。")
        investigation.suggestion = "建议开展索赔磋商，由三名赔偿义务人共同承担修复责任及相关费用。"
        investigation.save()
        investigation.team.set([officer])
        Evidence.objects.create(case=case, kind="inspection", title="现场勘验笔录",
                                collected_on=date(2026, 3, 12), recorded_by=officer)
        Evidence.objects.create(case=case, kind="monitoring", title="土壤及地下水监测报告",
                                collected_on=date(2026, 4, 2), recorded_by=officer)
        case = transitions.perform(case, "conclude_investigation", by=officer)
        approvals.request_approval(
            case, "case_termination", by=officer,
            summary="赔偿义务人已自行完成修复并经评估达到修复目标，终止索赔。")
    for user, opinion in ((division, "同意终止。"), (head, "同意。")):
        with acting_as(user):
            approvals.decide(approvals.pending_step(user, case),
                             by=user, approve=True, opinion=opinion)
    return Case.objects.get(pk=case.pk)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%bench\n", content_type="application/pdf")


@transaction.atomic
def build_negotiation_case(claim: Case) -> Case:
    """The bench case of forms [4]–[7]: the obligors of `claim`, taken through the negotiation
    and court services (built once per database; found again on later runs)."""
    existing = Case.objects.filter(number=BENCH_NEGOTIATION_NUMBER).first()
    if existing is not None:
        return existing
    officer = claim.created_by
    fields = {f: getattr(claim, f) for f in (
        "jurisdiction", "department", "rule_profile", "source", "cause", "summary",
        "damage_place", "estimated_amount", "appraised_amount", "fees_amount", "restorability",
        "restorable_area", "restoration_requirements")}
    with acting_as(officer):
        case = Case.objects.create(number=BENCH_NEGOTIATION_NUMBER, stage=Case.Stage.CONCLUDED,
                                   investigation_started_on=date(2026, 3, 12),
                                   investigation_ended_on=date(2026, 4, 20), created_by=officer,
                                   **fields)
        for link in claim.obligor_links.order_by("id"):
            CaseObligor.objects.create(case=case, party=link.party, role=link.role)
        source = Investigation.objects.get(case=claim)
        Investigation.objects.update_or_create(case=case, defaults={
            f: getattr(source, f) for f in ("process", "damage_facts", "causation",
                                            "legal_basis", "suggestion")})
        case = transitions.perform(case, "start_negotiation", by=officer)
        round_ = negotiation.current_round(case)
        round_.plan_feasibility = "清挖异位处置技术成熟可行"
        round_.plan_cost = "修复费用约八十六万元"
        round_.plan_obligor_capacity = "赔偿义务人经营正常，具备赔偿能力"
        round_.group_own = "太原市生态环境局：法规科张明、土壤科李某"
        round_.group_invited = "太原市人民检察院；生态环境损害鉴定评估专家二名"
        round_.first_meeting_at = datetime(2026, 10, 20, 1, 30, tzinfo=UTC)  # 9:30 in Taiyuan
        round_.first_meeting_place = "太原市生态环境局三楼会议室"
        round_.reply_due = date(2026, 10, 15)
        round_.other_matters = "参加磋商的，请携带营业执照（身份证）复印件；委托他人参加的，请出具授权委托书。"
        round_.notice_issued_on = date(2026, 9, 28)
        round_.save()
        round_ = negotiation.issue_notice(round_, by=officer)
        for link in round_.obligors():
            negotiation.record_service(round_, obligor=link, method="direct",
                                       attempted_on=date(2026, 9, 30), succeeded=True,
                                       recipient="张某", by=officer)
        round_ = negotiation.record_reply(negotiation.current_round(case), reply="agreed",
                                          replied_on=date(2026, 10, 8), by=officer)
        for day in (date(2026, 10, 20), date(2026, 10, 22)):
            negotiation.record_meeting(round_, held_on=day, place="太原市生态环境局三楼会议室",
                                       attendees="法规科、土壤科、市人民检察院", by=officer,
                                       obligor_attendance="in_person", minutes="就修复方案交换意见。")
        agreement = negotiation.draft_agreement(round_, by=officer)
        agreement.evidence = ("1. 现场勘验笔录（2026年3月12日）\n2. 土壤及地下水监测报告（2026年4月2日）\n"
                              "3. 生态环境损害鉴定评估报告")
        agreement.liability = "三名赔偿义务人对园区东侧土壤及地下水污染造成的生态环境损害承担连带赔偿责任。"
        agreement.performance = ("山西某化工科技有限公司负责委托第三方修复受污染土壤；各赔偿义务人按下列约定"
                                 "缴纳服务功能损失及调查、鉴定评估等费用。")
        agreement.assessment_method = "修复完成后委托第三方评估机构开展修复效果评估"
        agreement.assessment_due = date(2027, 9, 30)
        agreement.breach_liability = "逾期未履行的，每日按未履行金额的万分之五支付违约金，并可申请人民法院强制执行。"
        agreement.other_terms = "本协议经司法确认后具有强制执行效力。本协议一式六份，各方各执一份。"
        agreement.deposit_amount = Decimal("100000.00")
        agreement.punitive_claimed = True
        agreement.punitive_base = Decimal("1186500.00")
        agreement.punitive_factors = ["malice", "duration", "sanctions"]
        agreement.signed_on, agreement.signed_place = date(2026, 10, 25), "太原市生态环境局"
        agreement.save()
        first, second, third = agreement.obligors.order_by("id")
        RestorationTerm.objects.create(
            agreement=agreement, obligor=first, item="园区东侧约12亩受污染土壤清挖及无害化处置",
            mode="third_party", target="达到建设用地第二类用地筛选值",
            estimated_cost=Decimal("860000.00"), start_by=date(2026, 12, 1),
            finish_by=date(2027, 6, 30), assessment_by=date(2027, 9, 30))
        PaymentTerm.objects.create(agreement=agreement, obligor=first, kind="service_loss",
                                   amount=Decimal("123000.00"), due_on=date(2026, 12, 31))
        fees = PaymentTerm.objects.create(agreement=agreement, obligor=second, kind="fees",
                                          amount=Decimal("86000.00"),
                                          guarantee="由太原某融资担保有限公司提供连带责任保证")
        Instalment.objects.create(term=fees, sequence=1, amount=Decimal("50000.00"),
                                  due_on=date(2026, 12, 31))
        Instalment.objects.create(term=fees, sequence=2, amount=Decimal("36000.00"),
                                  due_on=date(2027, 3, 31))
        PaymentTerm.objects.create(agreement=agreement, obligor=third, kind="punitive",
                                   amount=Decimal("59325.00"), due_on=date(2026, 12, 31))
        agreement = negotiation.sign_agreement(agreement, by=officer)
        confirmation = negotiation.start_confirmation(case, by=officer)
        confirmation.court = "太原市中级人民法院"
        confirmation.applied_on = date(2026, 11, 3)
        confirmation.agreement_file = attach(confirmation, _pdf("协议.pdf"), by=officer)
        confirmation.appraisal_report = attach(confirmation, _pdf("报告.pdf"), by=officer)
        confirmation.save()
        confirmation = negotiation.file_confirmation(confirmation, by=officer)
        negotiation.record_ruling(confirmation, confirmed=True, ruling_number="（2026）晋01民特1号",
                                  ruling_date=date(2026, 11, 10), by=officer)
        enforcement = negotiation.start_enforcement(case, by=officer)
        enforcement.agent = "张明，太原市生态环境局法规科科员"
        enforcement.contact = "0351-0000000"
        enforcement.applied_on = date(2026, 11, 18)
        enforcement.non_performance = "山西某化工科技有限公司逾期未缴纳服务功能损失123,000.00元，亦未开工修复"
        enforcement.save()
        negotiation.apply_enforcement(enforcement, by=officer)
    return Case.objects.get(pk=case.pk)


def _pages(pdf: bytes, folder: Path, name: str, dpi: int) -> list[Path]:
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(folder / name)],
                   check=True, timeout=120)
    return sorted(folder.glob(f"{name}-*.png"))


def compare(reference: bytes, compacted: bytes, dpi: int) -> dict:
    """The text (pypdf) and the pages (poppler's pdftoppm, pixel by pixel with Pillow) of the
    reference and the compacted PDF."""
    from pypdf import PdfReader

    def text(pdf: bytes) -> str:
        return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)

    result = {"same_text": text(reference) == text(compacted), "pixels": None}
    if shutil.which("pdftoppm"):
        from PIL import Image, ImageChops

        with tempfile.TemporaryDirectory() as folder:
            before = _pages(reference, Path(folder), "reference", dpi)
            after = _pages(compacted, Path(folder), "compacted", dpi)
            differing = len(before) != len(after)
            for a, b in zip(before, after, strict=False):
                differing += ImageChops.difference(Image.open(a).convert("RGB"),
                                                   Image.open(b).convert("RGB")).getbbox() is not None
            result["pixels"] = "identical" if not differing else f"{differing} pages differ"
            result["pages"] = len(after)
    return result


def measure(runs: int, out: str | None, dpi: int = 150) -> dict:
    """Each form rendered `runs` times as WeasyPrint writes it (`compact=False`, the
    reference) and as the app serves it (fonts compacted), the two interleaved so that other
    load on the machine falls on both alike."""
    case = build_case()
    later = build_negotiation_case(case)
    pairs = [(form, case) for form in registry.available_for(case)]
    pairs += [(form, later) for form in registry.available_for(later)
              if form.code not in {f.code for f, _ in pairs}]
    forms = [form for form, _ in pairs]
    start = time.perf_counter()  # the process's first render builds the font configuration
    render_pdf(forms[0].template, build_data(forms[0], case))
    first = time.perf_counter() - start
    results = {}
    for form, case in pairs:
        parties = [link.party for link in case.obligor_links.order_by("id")]
        obligor = parties[0] if form.per_obligor else None
        data = build_data(form, case, obligor)
        times = {False: [], True: []}
        cpu = {False: [], True: []}
        pdfs = {}
        for _ in range(runs):
            for compact in (False, True):
                start, start_cpu = time.perf_counter(), time.process_time()
                pdfs[compact] = render_pdf(form.template, data, compact=compact)
                times[compact].append(time.perf_counter() - start)
                cpu[compact].append(time.process_time() - start_cpu)
        pdf = pdfs[True]
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            (Path(out) / f"form_{form.code}.pdf").write_bytes(pdf)
            for n, party in enumerate(parties[1:] if form.per_obligor else [], start=2):
                (Path(out) / f"form_{form.code}_obligor{n}.pdf").write_bytes(
                    render_pdf(form.template, build_data(form, case, party)))
        results[form.label] = {
            "reference_ms": statistics.median(times[False]) * 1000,
            "median_ms": statistics.median(times[True]) * 1000,
            "min_ms": min(times[True]) * 1000,
            "reference_cpu_ms": statistics.median(cpu[False]) * 1000,
            "cpu_ms": statistics.median(cpu[True]) * 1000,
            "reference_kb": len(pdfs[False]) / 1024, "kb": len(pdf) / 1024,
            "runs": runs, **(compare(pdfs[False], pdf, dpi) if dpi else {})}
    return {"first_ms": first * 1000, "forms": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--dpi", type=int, default=150,
                        help="resolution of the pixel comparison (pdftoppm); 0 to skip")
    parser.add_argument("--no-harfbuzz", action="store_true",
                        help="also measure with fontTools subsetting (a child process)")
    parser.add_argument("--no-harfbuzz-runs", type=int, default=3)
    parser.add_argument("--out", help="write the PDFs to this folder")
    parser.add_argument("--child-no-harfbuzz", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_no_harfbuzz:
        import weasyprint.pdf.fonts

        from documents import fontsubset

        weasyprint.pdf.fonts.harfbuzz_subset = None
        fontsubset._harfbuzz = lambda: None  # nor does the compaction find it
        print(json.dumps(measure(args.runs, None, 0)))
        return

    call_command("migrate", verbosity=0)
    # As in production: hashed static names under STATIC_ROOT (the fetcher's second source).
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"database: {connection.vendor}; {args.runs} runs per form and way, interleaved, "
          "after one warm-up render")
    report = [("HarfBuzz subsetting", measure(args.runs, args.out, args.dpi))]
    if args.no_harfbuzz:
        child = subprocess.run(
            [sys.executable, __file__, "--child-no-harfbuzz", "--runs",
             str(args.no_harfbuzz_runs)], capture_output=True, text=True, check=True,
            env={**os.environ})
        report.append(("fontTools subsetting (no libharfbuzz-subset: no compaction either)",
                       json.loads(child.stdout.strip().splitlines()[-1])))
    for title, result in report:
        print(f"\n{title}: first render of the process {result['first_ms']:.0f} ms")
        print("  reference = WeasyPrint's own output (compact=False); compacted = as served")
        print("  (p50 wall clock and p50 CPU time of the process, per render)")
        print(f"  {'form':<24} {'ref p50 ms':>10} {'p50 ms':>7} {'min ms':>7} {'ref CPU':>7} "
              f"{'CPU':>5} {'ref KB':>7} {'KB':>6} {'runs':>4}  text  pages "
              f"(pdftoppm {args.dpi} dpi)")
        for label, r in result["forms"].items():
            print(f"  {label:<20} {r['reference_ms']:>10.0f} {r['median_ms']:>7.0f} "
                  f"{r['min_ms']:>7.0f} {r['reference_cpu_ms']:>7.0f} {r['cpu_ms']:>5.0f} "
                  f"{r['reference_kb']:>7.1f} {r['kb']:>6.1f} "
                  f"{r['runs']:>4}  {'same' if r.get('same_text', True) else 'DIFFERS':<5} "
                  f"{r.get('pixels') or '-'}")


if __name__ == "__main__":
    main()
