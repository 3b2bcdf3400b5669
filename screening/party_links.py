from parties.history import register_party_link

from .models import Clue

register_party_link(Clue, "suspected_obligors", label="线索", date_field="found_on",
                    url_name="screening:clue_detail")
