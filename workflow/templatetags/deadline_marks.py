"""{{ d|deadline_due }}: a deadline's due date with its marks (workflow/rows.py), the same on
the board's rows and wherever a deadline shows (workflow/_deadline_due.html)."""

from django import template

from workflow.rows import deadline_due

register = template.Library()
register.filter("deadline_due", deadline_due)
