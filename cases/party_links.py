from parties.history import register_party_link

from .models import Case

# A case names its obligors (索赔启动登记表); agreements, court records and fund obligations
# name them through the case's obligor links, so the case stands for them. A case is opened on
# damage the verification found (SX 第九条), so every case of an obligor is a damage event for
# CQ 四(二); SX 第十一条(二); it is the same event as the clues it came from.
register_party_link(Case, "obligor_links__party", label="案件", date_field="opened_on",
                    url_name="cases:case_detail", same_event="clues")
