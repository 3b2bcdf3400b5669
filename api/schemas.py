"""The API's documented shapes (OpenAPI components). Field names follow the clue form's, so
that a field error names the field the sender sent."""

import datetime
import re
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from screening.models import Clue

# A NUL cannot be stored in a PostgreSQL text column and a lone surrogate cannot be encoded
# in UTF-8: refused here as a field error (422) rather than failing in the database (500).
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _storable(value: str) -> str:
    if _UNSTORABLE.search(value):
        raise PydanticCustomError("text_unstorable", "含有无法保存的字符（空字符或不成对的代理字符）。")
    return value


Text = Annotated[str, AfterValidator(_storable)]
"""Every text the API takes in (body fields, path and query parameters, headers)."""


class ErrorOut(Schema):
    detail: str = Field(description="中文说明")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="逐字段的中文错误，键为字段路径（如 parties[0].credit_code）")


class PartyIn(Schema):
    kind: Literal["organisation", "person"] = Field(
        description="organisation：单位（填统一社会信用代码）；person：自然人（填身份证号码）")
    name: Text = Field(max_length=200, description="名称或姓名")
    credit_code: Text = Field("", max_length=40, description="统一社会信用代码（单位）")
    id_number: Text = Field("", max_length=40, description="公民身份号码（自然人）")


class AttachmentIn(Schema):
    filename: Text = Field(min_length=1, max_length=255, description="文件名，含扩展名")
    content_base64: Text = Field(description="文件内容，Base64 编码")
    description: Text = Field("", max_length=200)


class ClueIn(Schema):
    channel: Text = Field(max_length=40, description="线索渠道代码，如 penalty_case（行政处罚案件）、"
                                                    "procuratorate（检察机关移送）")
    source_reference: Text = Field(min_length=1, max_length=100,
                                  description="来源文号：移送函、执法文书的文号；同一客户端据此识别重复报送")
    source_organisation: Text = Field("", max_length=100, description="来源单位")
    referring_procuratorate: Text = Field(
        "", max_length=100, description="移送线索的检察机关名称（渠道为检察机关移送时必填）")
    found_on: datetime.date = Field(description="发现日期，YYYY-MM-DD")
    place: Text = Field("", max_length=12, description="发生地的行政区划代码（区县）")
    place_detail: Text = Field("", max_length=200, description="具体地点")
    summary: Text = Field(min_length=1, max_length=5000, description="线索概要")
    damage_type: Clue.DamageType = Field(description="损害类型")
    estimated_amount: Text = Field("", max_length=20, description="估算损害数额（元），如 \"12000.50\"")
    in_protected_area: bool = False
    rectification: Clue.Rectification = Clue.Rectification.UNKNOWN
    parties: list[PartyIn] = Field(default_factory=list, max_length=50,
                                   description="涉嫌赔偿义务人")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20,
                                            description="材料（Base64）")


class DeadlineOut(Schema):
    kind: str
    title: str
    due: datetime.date
    status: str
    status_label: str
    explanation: str
    citation: str


class ApprovalStepOut(Schema):
    role_label: str
    decision: str
    decision_label: str
    decided_at: datetime.datetime | None
    opinion: str


class DecisionOut(Schema):
    title: str = Field(description="审批事项，如“启动索赔”")
    status: str
    status_label: str
    requested_at: datetime.datetime
    closed_at: datetime.datetime | None
    steps: list[ApprovalStepOut]


class CaseRef(Schema):
    number: str
    stage: str
    stage_label: str


class ReferralOut(Schema):
    to_department: str
    sent_on: datetime.date
    received_clue: str | None


class FeedbackOut(Schema):
    sent_on: datetime.date
    content: str


class ClueResult(Schema):
    decision: str = Field(description="核查结论：open_case、not_start 或空")
    decision_label: str
    decision_reason: str
    decision_reason_label: str
    decision_note: str
    decided_on: datetime.date | None
    cases: list[CaseRef]
    referrals: list[ReferralOut]
    feedbacks: list[FeedbackOut] = Field(description="向移送检察机关的反馈（CQ 三；SX 第八条）")


class ClueStatus(Schema):
    kind: Literal["clue"] = "clue"
    number: str
    state: str
    state_label: str
    department: str
    channel: str
    source_reference: str
    found_on: datetime.date
    registered_on: datetime.date
    next_deadline: DeadlineOut | None
    decisions: list[DecisionOut]
    result: ClueResult


class CaseResult(Schema):
    closed: bool
    terminated: bool
    termination_reason: str
    classification: str
    estimated_amount: str | None
    appraised_amount: str | None


class CaseStatus(Schema):
    kind: Literal["case"] = "case"
    number: str
    stage: str
    stage_label: str
    department: str
    opened_on: datetime.date
    clues: list[str]
    next_deadline: DeadlineOut | None
    decisions: list[DecisionOut]
    result: CaseResult


class Count(Schema):
    code: str
    label: str
    count: int


class ScreeningProgress(Schema):
    clues_registered: int = Field(description="期间内登记的线索数")
    by_state: list[Count] = Field(description="期间内登记的线索，按当前状态")
    by_channel: list[Count] = Field(description="期间内登记的线索，按渠道")
    decided: list[Count] = Field(description="期间内作出核查结论的线索，按结论")


class CaseProgress(Schema):
    cases_opened: int = Field(description="期间内启动的案件数")
    by_stage: list[Count] = Field(description="期间内启动的案件，按当前阶段")
    open_now: int = Field(description="期间末以前启动、目前尚未结案或终止的案件数")


class JurisdictionOut(Schema):
    code: str
    name: str


class ProgressReport(Schema):
    schema_version: Literal["1"] = "1"
    jurisdiction: JurisdictionOut
    period_start: datetime.date
    period_end: datetime.date
    generated_at: datetime.datetime
    screening: ScreeningProgress
    cases: CaseProgress
