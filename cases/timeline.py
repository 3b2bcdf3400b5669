"""The case page's timeline (办理记录): the audit events of the case and of its parts, newest
first, a page at a time (keyset on (at, id): the oldest event of a long history is reachable
and a page costs the same at any depth), filtered by kind.

One query per page: an OR over the (content_type, object_id) pairs of the case and its parts,
served by the `audit_subject` index (content_type, object_id, -at)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from workflow.models import ApprovalRequest, ApprovalStep, AuditEvent
from workflow.pagination import KeysetPage, keyset_page

PAGE_SIZE = 50

# Approval requests and their steps are one kind to a reader: 审批.
_GROUPED = {ApprovalRequest: ("approval", "审批"), ApprovalStep: ("approval", "审批")}
_ACTIONS = [(f"action:{value}", label) for value, label in (
    (AuditEvent.Action.TRANSITION, "状态变更"), (AuditEvent.Action.UPDATE, "修改"),
    (AuditEvent.Action.CREATE, "新建"), (AuditEvent.Action.DELETE, "删除"))]


@dataclass
class Timeline:
    case: object
    subjects: dict  # kind -> (label, [(content type, [object ids])])

    @classmethod
    def of(cls, case, parts: dict) -> Timeline:
        subjects: dict = {"record:case": ("案件", [(ContentType.objects.get_for_model(case),
                                                     [str(case.pk)])])}
        for model, pks in parts.items():
            keys = [str(pk) for pk in pks]
            if not keys:
                continue
            key, label = _GROUPED.get(model, (model._meta.label_lower,
                                              str(model._meta.verbose_name)))
            entry = subjects.setdefault(f"record:{key}", (label, []))
            entry[1].append((ContentType.objects.get_for_model(model), keys))
        return cls(case, subjects)

    def kinds(self) -> list:
        """The filter's choices: by action, then by the records the case has."""
        records = [(kind, label) for kind, (label, _) in self.subjects.items()]
        return [("", "全部"), ("操作", _ACTIONS), ("记录", records)]

    def events(self, kind: str = ""):
        chosen = self.subjects
        if kind.startswith("record:") and kind in self.subjects:
            chosen = {kind: self.subjects[kind]}
        condition = Q()
        for _, pairs in chosen.values():
            for content_type, keys in pairs:
                condition |= (Q(content_type=content_type, object_id=keys[0]) if len(keys) == 1
                              else Q(content_type=content_type, object_id__in=keys))
        events = AuditEvent.objects.filter(condition)
        if kind in dict(_ACTIONS):
            events = events.filter(action=kind.removeprefix("action:"))
        # content_type comes from ContentType's cache (see `page`), the actor from actor_name
        return events.defer("approval")

    def page(self, kind: str = "", after: str | None = None,
             size: int | None = None) -> KeysetPage:
        page = keyset_page(self.events(kind), key="at", after=after, size=size or PAGE_SIZE)
        for event in page.rows:  # cached: no query per event
            event.content_type = ContentType.objects.get_for_id(event.content_type_id)
        return page


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类别", required=False, widget=forms.Select(
        attrs={"class": "form-select form-select-sm"}))

    def __init__(self, data, timeline: Timeline):
        super().__init__(data)
        self.fields["kind"].choices = timeline.kinds()

    @property
    def chosen(self) -> str:
        return self.cleaned_data.get("kind", "") if self.is_valid() else ""
