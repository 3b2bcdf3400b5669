"""Receivers: a signed agreement (or a signed correction) opens or updates the restoration
projects, fund obligations and deposit of the version in force, in the signing transaction."""

from django.dispatch import receiver

from negotiation.signals import agreement_signed


@receiver(agreement_signed, dispatch_uid="restoration_agreement_signed")
def agreement_signed_received(sender, agreement, by, **kwargs):
    from .services import sync_agreement

    sync_agreement(agreement, by=by)
