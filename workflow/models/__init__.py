from .core import AppendOnlyQuerySet, Attachment, AuditEvent, NumberSequence, attachment_path

__all__ = ["AppendOnlyQuerySet", "Attachment", "AuditEvent", "NumberSequence", "attachment_path"]
