from django.dispatch import Signal

# Sent in the signing transaction with agreement= and by=: the restoration stage opens the
# projects and fund obligations of the agreement's terms.
agreement_signed = Signal()
