from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from rules.errors import NoProfileInForce, ProfileLocked, RuleNotDefined, RuleValidationError
from rules.keys import REGISTRY, get_key, validate


class RuleSet(models.Model):
    """A family of rule profiles: the national baseline or one locality's override set.

    A jurisdiction points at a rule set; the profile version in force on a date is looked up
    from it (rules.services.profile_in_force)."""

    code = models.CharField("代码", max_length=16, unique=True)
    name = models.CharField("名称", max_length=100)
    base = models.ForeignKey(
        "self", verbose_name="基准规则", null=True, blank=True, on_delete=models.PROTECT,
        related_name="overrides",
        help_text="地方规则未规定的事项适用的基准（通常为国家规定）",
    )

    class Meta:
        verbose_name = "规则集"
        verbose_name_plural = "规则集"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class Rule:
    """One rule as it applies: its value, citation and the profile version it came from."""

    key: str
    label: str
    value: Any
    citation: str
    note: str
    profile: RuleProfile
    inherited: bool  # True when taken from the base rule set (e.g. NAT)

    @property
    def source(self) -> str:
        return self.profile.label

    def __str__(self) -> str:
        return f"{self.label}（{self.key}）：{self.citation}，{self.source}"


class RuleProfile(models.Model):
    """One version of a rule set's values, valid for a period. Once active it is never
    rewritten: a change is a new version (rules.services.new_version)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ACTIVE = "active", "已发布"
        RETIRED = "retired", "已废止"

    rule_set = models.ForeignKey(
        RuleSet, verbose_name="规则集", on_delete=models.PROTECT, related_name="profiles"
    )
    version = models.PositiveIntegerField("版本号")
    source_document = models.CharField(
        "依据文件", max_length=300,
        help_text="文件名称及文号，如 晋环规〔2025〕2号《生态环境损害赔偿管理办法》",
    )
    effective_from = models.DateField("施行日期", null=True, blank=True,
                                      help_text="草稿可暂不填写；发布时必填")
    effective_to = models.DateField("失效日期", null=True, blank=True,
                                    help_text="留空表示长期有效；含当日")
    status = models.CharField("状态", max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    supersedes = models.ForeignKey(
        "self", verbose_name="取代的版本", null=True, blank=True, on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    change_note = models.TextField("变更说明", blank=True)

    class Meta:
        verbose_name = "规则配置版本"
        verbose_name_plural = "规则配置版本"
        ordering = ["rule_set__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "version"],
                                    name="rules_profile_unique_version"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_from__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="rules_profile_period_order",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(effective_from__isnull=False),
                name="rules_profile_published_has_start",
            ),
        ]

    # Fields that never change once a version has left draft; effective_to is closed by
    # new_version, status may go active -> retired.
    FROZEN_FIELDS = ("rule_set_id", "version", "source_document", "effective_from",
                     "supersedes_id", "change_note", "created_by_id")

    def __str__(self) -> str:
        return f"{self.label}（{self.get_status_display()}）"

    def save(self, *args, **kwargs):
        stored = (RuleProfile.objects.filter(pk=self.pk).values("status", *self.FROZEN_FIELDS)
                  .first() if self.pk else None)
        if stored and stored["status"] != self.Status.DRAFT:
            changed = [f for f in self.FROZEN_FIELDS if getattr(self, f) != stored[f]]
            if changed:
                raise ProfileLocked(
                    f"{self.label}已发布，不得改写（{'、'.join(changed)}）；"
                    "如需变更请基于此版本创建新版本。",
                    code="profile_locked",
                )
            if stored["status"] == self.Status.RETIRED and self.status != self.Status.RETIRED:
                raise ProfileLocked(f"{self.label}已废止，不能恢复。", code="profile_locked")
            if self.status == self.Status.DRAFT:
                raise ProfileLocked(f"{self.label}已发布，不能改回草稿。", code="profile_locked")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if RuleProfile.objects.filter(pk=self.pk).exclude(status=self.Status.DRAFT).exists():
            raise ProfileLocked(f"{self.label}已发布，不能删除。", code="profile_locked")
        return super().delete(*args, **kwargs)

    @property
    def label(self) -> str:
        return f"{self.rule_set.code} 第{self.version}版"

    @property
    def is_locked(self) -> bool:
        """Active and retired versions are read-only."""
        return self.status != self.Status.DRAFT

    def covers(self, day: date) -> bool:
        return (self.effective_from is not None and self.effective_from <= day
                and (self.effective_to is None or day <= self.effective_to))

    def clean(self):
        if self.status != self.Status.DRAFT and self.effective_from is None:
            raise ValidationError({"effective_from": "发布的规则配置版本必须填写施行日期。"})
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "失效日期不得早于施行日期。"})

    # --- reading rules -------------------------------------------------------------------

    def _value_map(self) -> dict[str, RuleValue]:
        cached = getattr(self, "_values_cache", None)
        if cached is None:
            cached = {v.key: v for v in self.values.all()}
            if self.is_locked:  # a draft may still change under us
                self._values_cache = cached
        return cached

    def own_keys(self) -> list[str]:
        return sorted(self._value_map())

    def rule(self, key: str, on: date | None = None) -> Rule:
        """The rule for key: this version's value, else the base rule set's profile in force
        on `on`. Default date: the one profile_in_force looked this profile up for; else
        today moved into this version's period. Pass on= (e.g. the clue's date) when the
        profile was loaded from a case."""
        spec = get_key(key)
        own = self._value_map().get(key)
        if own is not None:
            return Rule(key, spec.label, copy.deepcopy(own.value), own.citation, own.note,
                        self, False)

        if isinstance(on, datetime):
            on = timezone.localtime(on).date() if timezone.is_aware(on) else on.date()
        day = on or getattr(self, "in_force_on", None) or self._default_day()
        tried = [self.label]
        base_set = self.rule_set.base
        while base_set is not None:
            try:
                base = self._base_profile(base_set, day)
            except NoProfileInForce:
                tried.append(f"{base_set.code}（{_cn_date(day)}无生效版本）")
            else:
                found = base._value_map().get(key)
                if found is not None:
                    return Rule(key, spec.label, copy.deepcopy(found.value), found.citation,
                                found.note, base, True)
                tried.append(base.label)
            base_set = base_set.base
        raise RuleNotDefined(
            f"{'、'.join(tried)}均未规定“{spec.label}”（{key}）（适用日期{_cn_date(day)}）。"
        )

    def _base_profile(self, base_set: RuleSet, day: date) -> RuleProfile:
        from rules.services import profile_in_force

        cache = self.__dict__.setdefault("_base_profiles", {})
        if (base_set.pk, day) not in cache:
            cache[(base_set.pk, day)] = profile_in_force(base_set, day)
        return cache[(base_set.pk, day)]

    def _default_day(self) -> date:
        """Today, moved into this version's period (for a profile loaded without a date)."""
        day = timezone.localdate()
        if self.effective_from and day < self.effective_from:
            day = self.effective_from
        if self.effective_to and day > self.effective_to:
            day = self.effective_to
        return day

    def all_rules(self, on: date | None = None) -> dict[str, Rule]:
        """Every registered key this version defines or inherits, by key."""
        found = {}
        for key in REGISTRY:
            try:
                found[key] = self.rule(key, on)
            except RuleNotDefined:
                continue
        return found


class RuleValue(models.Model):
    """One rule of a profile version, with the article it comes from."""

    profile = models.ForeignKey(
        RuleProfile, verbose_name="规则配置版本", on_delete=models.CASCADE, related_name="values"
    )
    key = models.CharField("规则键", max_length=64)
    value = models.JSONField("取值")
    citation = models.CharField("依据条款", max_length=100, help_text="如 SX 第十条")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "规则值"
        verbose_name_plural = "规则值"
        ordering = ["profile", "key"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "key"], name="rules_value_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"

    def save(self, *args, **kwargs):
        self._check_profile_open()
        self.value = validate(self.key, self.value)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_profile_open()
        return super().delete(*args, **kwargs)

    def _check_profile_open(self):
        if self.profile_id and RuleProfile.objects.filter(
            pk=self.profile_id
        ).exclude(status=RuleProfile.Status.DRAFT).exists():
            raise ProfileLocked(
                f"{self.profile.label}已发布，其规则值不得修改；请基于此版本创建新版本。",
                code="profile_locked",
            )

    def clean(self):
        errors = {}
        try:
            self.value = validate(self.key, self.value)
        except RuleValidationError as error:
            errors["key" if error.code == "unknown_rule_key" else "value"] = error.messages
        if not (self.citation or "").strip():
            errors["citation"] = ["请注明依据条款，如“SX 第十条”。"]
        if errors:
            raise ValidationError(errors)


class CalendarDay(models.Model):
    """An administrator's entry for a holiday or make-up working day. Overrides and extends
    the chinese-calendar package (rules.calendar.day_info)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("节日名称", max_length=50, blank=True, help_text="如 国庆节")
    note = models.TextField("备注", blank=True, help_text="如 国务院办公厅通知文号")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{_cn_date(self.date)} {self.name or ''}{self.get_kind_display()}"


class CalendarYear(models.Model):
    """Marks a year whose holiday schedule has been entered completely in CalendarDay, so
    that its ordinary weekdays and weekends count as confirmed."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("依据", max_length=200,
                              help_text="如 国务院办公厅关于2027年部分节假日安排的通知")
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = "已完整录入的节假日年度"
        verbose_name_plural = "已完整录入的节假日年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
