from django.core.exceptions import ValidationError
from django.db import transaction

from workflow.numbering import next_number, reserve_numbers

from .deadlines import open_verification, open_verifications
from .models import Clue
from .models.clues import referral_errors


def register_clue(clue: Clue, *, by, participants=(), obligors=(), profile=None) -> Clue:
    """Give a new clue its number (jurisdiction, year, sequence; never reused) and save it.
    A clue referred by a procuratorate names it (SX 第八条) and the procuratorate takes part
    in the clue: its 检察联络员 follows it, read-only (accounts/scoping.py). `profile`: the
    jurisdiction's rule profile in force on found_on, when the caller has looked it up already
    (an import, once per day for the whole file)."""
    errors = referral_errors(clue)
    if errors:
        raise ValidationError(errors)
    procuratorate = clue.referring_procuratorate if clue.referring_procuratorate_id else None
    if procuratorate is not None and not clue.source_organisation:
        clue.source_organisation = procuratorate.name
    with transaction.atomic():
        year = clue.registered_on.year
        seq = next_number(f"clue:{clue.jurisdiction.code}", year)
        clue.number = f"{clue.jurisdiction.code}-{year}-XS{seq:05d}"
        clue.registered_by = by
        clue.rule_profile = profile or clue.jurisdiction.rule_profile_on(clue.found_on)
        clue.save()
        if procuratorate is not None:
            participants = [*participants, procuratorate]
        if participants:
            clue.participants.set(participants)
        if obligors:
            clue.suspected_obligors.set(obligors)
        open_verification(clue, by=by)
    return clue


def register_clues(clues: list[Clue], *, by, obligors=None, profiles=None) -> list[Clue]:
    """register_clue for many new clues at once (an import): the same numbers (in the order
    given, reserved per jurisdiction and year under the same lock), rule profiles, participants,
    obligors, audit events and verification deadlines, in a few statements whatever the count.
    `obligors`: a list of parties per clue; `profiles`: the rule profile per clue, when the
    caller has looked them up (else once per jurisdiction and day here)."""
    from workflow.audit import create_audited

    if not clues:
        return clues
    errors = [referral_errors(clue) for clue in clues]
    for found in errors:
        if found:
            raise ValidationError(found)
    found_profiles: dict = {}

    def profile_of(clue):
        key = (clue.jurisdiction_id, clue.found_on)
        if key not in found_profiles:
            found_profiles[key] = clue.jurisdiction.rule_profile_on(clue.found_on)
        return found_profiles[key]

    by_scope: dict[tuple[str, int], list[Clue]] = {}
    for i, clue in enumerate(clues):
        procuratorate = clue.referring_procuratorate if clue.referring_procuratorate_id else None
        if procuratorate is not None and not clue.source_organisation:
            clue.source_organisation = procuratorate.name
        clue.registered_by = by
        clue.rule_profile = (profiles[i] if profiles and profiles[i] is not None
                             else profile_of(clue))
        by_scope.setdefault((clue.jurisdiction.code, clue.registered_on.year), []).append(clue)
    Participant = Clue.participants.through
    Obligor = Clue.suspected_obligors.through
    with transaction.atomic():
        for (code, year), group in by_scope.items():
            numbers = reserve_numbers(f"clue:{code}", year, len(group))
            for clue, seq in zip(group, numbers, strict=True):
                clue.number = f"{code}-{year}-XS{seq:05d}"
        create_audited(Clue, clues)
        Participant.objects.bulk_create([
            Participant(clue_id=clue.pk, department_id=clue.referring_procuratorate_id)
            for clue in clues if clue.referring_procuratorate_id])
        links, seen = [], set()
        for i, clue in enumerate(clues):
            for party in (obligors[i] if obligors else ()):
                if (clue.pk, party.pk) not in seen:  # set() keeps one link per party
                    seen.add((clue.pk, party.pk))
                    links.append(Obligor(clue_id=clue.pk, party_id=party.pk))
        Obligor.objects.bulk_create(links)
        open_verifications(clues, by=by)
    return clues


def follow_referring_procuratorate(clue: Clue, *, previous_id) -> None:
    """After an edit: the referring procuratorate named now takes part in the clue instead of
    the one named before (SX 第八条)."""
    if clue.referring_procuratorate_id == previous_id:
        return
    if previous_id is not None:
        clue.participants.remove(previous_id)
    if clue.referring_procuratorate_id is not None:
        clue.participants.add(clue.referring_procuratorate_id)


def refer_clue(clue: Clue, *, to_department, note: str, copy_to=None, by,
               seen_state: str | None = None):
    """移送 (SX 第八条; NT 三(二)): the clue goes with its evidence; a copy to the procuratorate
    makes it a participant, so it can follow the clue."""
    from workflow import transitions

    from .models import Referral

    with transaction.atomic():
        clue = transitions.perform(clue, "refer", by=by, reason=note, expected_state=seen_state)
        referral = Referral.objects.create(
            clue=clue, from_department=clue.department, to_department=to_department,
            sent_by=by, note=note, copy_to=copy_to)
        if copy_to is not None:
            clue.participants.add(copy_to)
    return referral


def receive_referral(referral, *, by) -> Clue:
    """The receiving department registers the clue as its own; its verification clock starts
    on receipt (NT 三(二)). Evidence files are shared, not copied."""
    from django.utils import timezone

    from workflow.attachments import attachments_of, link_copy

    from .models import Referral, SourceChannel

    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.received_clue_id:
            return referral.received_clue
        source = referral.clue
        department = referral.to_department
        today = timezone.localdate()
        received = register_clue(Clue(
            jurisdiction=department.jurisdiction, department=department,
            channel=SourceChannel.objects.get(code="department_referral"),
            found_on=source.found_on, registered_on=today,
            source_organisation=str(referral.from_department),
            source_reference=source.number, summary=source.summary, place=source.place,
            place_detail=source.place_detail, damage_type=source.damage_type,
            estimated_amount=source.estimated_amount,
            in_protected_area=source.in_protected_area, rectification=source.rectification,
        ), by=by)
        if hasattr(source, "suspected_obligors"):
            received.suspected_obligors.set(source.suspected_obligors.all())
        for attachment in attachments_of(source):
            link_copy(attachment, received, by=by)
        referral.received_on, referral.received_by = today, by
        referral.received_clue = received
        referral.save()
    return received


def record_feedback(clue: Clue, *, procuratorate: str, sent_on, content: str, file=None, by):
    """CQ 三; SX 第八条: the feedback that lets a not-started referred clue close."""
    from workflow.attachments import attach

    from .models import ProcuratorateFeedback

    with transaction.atomic():
        attachment = attach(clue, file, by=by, kind="检察反馈") if file else None
        return ProcuratorateFeedback.objects.create(
            clue=clue, procuratorate=procuratorate, sent_on=sent_on, content=content,
            attachment=attachment, recorded_by=by)
