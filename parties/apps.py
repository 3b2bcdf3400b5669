from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PartiesConfig(AppConfig):
    name = "parties"
    verbose_name = "当事人"

    def ready(self):
        # Each stage app's party_links.py registers the records that name parties
        # (parties/history.py).
        autodiscover_modules("party_links")
