from django.apps import AppConfig


class NegotiationConfig(AppConfig):
    name = "negotiation"
    verbose_name = "磋商与司法确认"
