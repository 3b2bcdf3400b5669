from .history import register_party_link
from .models import HistoricalRecord

# 历史记录 are damage events for CQ 四(二); SX 第十一条(二) (parties/historical.py).
register_party_link(HistoricalRecord, "party", label="历史记录", date_field="event_date",
                    url_name="parties:historical_detail", kind_field="kind")
