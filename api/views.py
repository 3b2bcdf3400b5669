"""/api/v1/: thin operations over the services; the scoping rule is the pages' one, applied to
the client's service user (request.user). OpenAPI 3 at /api/openapi.json, Swagger UI at
/api/docs/ from django-ninja's bundled files (ninja is in INSTALLED_APPS, so no CDN)."""

import datetime
import json
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Header, NinjaAPI, Query, Router, Schema, Status
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from accounts.models import Jurisdiction
from cases.models import Case
from screening.models import Clue

from . import errors
from .auth import ClientRateThrottle, ClientToken, as_client
from .errors import ApiError
from .intake import intake_clue
from .models import Operation
from .reports import progress_report
from .schemas import CaseStatus, ClueIn, ClueStatus, ErrorOut, ProgressReport, Text
from .status import case_status, clue_status


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="EcoClaim 对外接口", version="1",
    description="生态环境损害赔偿案件管理系统的对外接口：线索报送、办理情况查询、进展报表。"
                "说明见 docs/api.md。",
    urls_namespace="api", openapi_url="/openapi.json", docs_url="/docs/",
    renderer=ChineseJSONRenderer())
errors.install(api)

v1 = Router(auth=ClientToken(), throttle=ClientRateThrottle())
v1.add_decorator(as_client)

DENIALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def require(request, operation: Operation, permission: str) -> None:
    """The client must be allowed the operation, and its role the page's permission."""
    client, user = request.auth, request.user
    if not client.allows(operation):
        raise PermissionDenied(f"本客户端未获准“{operation.label}”操作。")
    if not user.has_perm(permission):
        raise PermissionDenied(f"本客户端的角色（{client.get_role_display()}）无权“{operation.label}”。")


@v1.post("/clues", response={200: ClueStatus, 201: ClueStatus, 400: ErrorOut, 409: ErrorOut, **DENIALS},
         summary="报送线索", tags=["线索"])
def create_clue(request, payload: ClueIn,
                idempotency_key: Annotated[Text | None,
                                           Header(alias="Idempotency-Key", max_length=150)] = None):
    """行政执法衔接（CQ 十一）、检察机关移送（NAT 十六）的线索登记为本部门的线索，与页面登记相同
    （编号、初步核查期限、待办线索）。以 Idempotency-Key（未提供时以来源文号）识别重复报送：
    重复报送返回首次的结果（200），不新建记录。"""
    require(request, Operation.CREATE_CLUE, "screening.add_clue")
    body, created = intake_clue(request.auth, payload, key=idempotency_key)
    return Status(201 if created else 200, body)


@v1.get("/clues/{number}", response={200: ClueStatus, **DENIALS}, summary="线索办理情况",
        tags=["线索"])
def get_clue(request, number: Text):
    """阶段、下一期限、审批决定和结果（启动的案件、移送、向检察机关的反馈）。"""
    require(request, Operation.READ_STATUS, "screening.view_clue")
    clue = get_object_or_404(
        Clue.objects.visible_to(request.user).select_related("department", "channel"),
        number=number)
    return clue_status(clue, request.user)


@v1.get("/cases/{number}", response={200: CaseStatus, **DENIALS}, summary="案件办理情况",
        tags=["案件"])
def get_case(request, number: Text):
    require(request, Operation.READ_STATUS, "cases.view_case")
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related("department"),
                             number=number)
    return case_status(case, request.user)


class Period(Schema):
    jurisdiction: Text
    start: datetime.date
    end: datetime.date


def _report(request, period: Period) -> dict:
    require(request, Operation.READ_REPORT, "screening.export_screening_report")
    if period.end < period.start:
        raise ApiError(422, errors={"end": ["结束日期不能早于开始日期。"]})
    own = request.user.department.jurisdiction
    jurisdiction = get_object_or_404(Jurisdiction, code=period.jurisdiction,
                                     path__startswith=own.path)
    return progress_report(request.user, jurisdiction, period.start, period.end)


@v1.get("/reports/progress", response={200: ProgressReport, **DENIALS},
        summary="筛查和案件进展报表（SX 第四十条）", tags=["报表"])
def get_progress(request, period: Query[Period]):
    """jurisdiction：行政区划代码（本部门所在行政区或其下级）；start、end：期间首末日（含）。"""
    return _report(request, period)


@v1.get("/reports/progress/download", response={200: ProgressReport, **DENIALS},
        summary="筛查和案件进展报表（JSON 文件下载）", tags=["报表"])
def download_progress(request, period: Query[Period]):
    report = ProgressReport.model_validate(_report(request, period)).model_dump(mode="json")
    response = HttpResponse(
        json.dumps(report, cls=NinjaJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8")
    name = f"progress-{period.jurisdiction}-{period.start}-{period.end}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


api.add_router("/v1/", v1)
