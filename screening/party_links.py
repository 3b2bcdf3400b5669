from django.db.models import Q

from parties.history import register_party_link

from .models import Clue

# CQ 四(二); SX 第十一条(二) count earlier damage only: a clue concluded as 经初步核查未造成
# 生态环境损害 (SX 第九条) is no damage event.
NO_DAMAGE = Q(decision=Clue.Decision.NOT_START, decision_reason=Clue.NotStartReason.NO_DAMAGE,
              state__in=[Clue.State.NOT_STARTED, Clue.State.CLOSED])

# Until verified (SX 第九条) a clue's damage is not established; a referred one (also once
# closed) is verified by the department that receives it.
UNDECIDED = Q(state__in=[Clue.State.REGISTERED, Clue.State.VERIFYING,
                         Clue.State.AWAITING_APPROVAL, Clue.State.REFERRED]) | Q(
    state=Clue.State.CLOSED, referrals__isnull=False)

# A clue received on referral (移送, SX 第八条) is the same damage as the clue it came from.
register_party_link(Clue, "suspected_obligors", label="线索", date_field="found_on",
                    url_name="screening:clue_detail", damage_filter=~NO_DAMAGE,
                    undecided_filter=UNDECIDED,
                    same_event="received_from__clue")
