from .core import AppendOnlyQuerySet, Attachment, AuditEvent, NumberSequence, attachment_path

__all__ = ["AppendOnlyQuerySet", "Attachment", "AuditEvent", "NumberSequence", "attachment_path"]
from .approvals import ApprovalRequest, ApprovalStep  # noqa: E402

__all__ += ["ApprovalRequest", "ApprovalStep"]
from .deadlines import (  # noqa: E402
    Deadline,
    DeadlineAlert,
    DeadlineChange,
    DeadlineKind,
    DeadlinePause,
    DeadlineQuerySet,
)
from .notifications import Notification, NotificationPreference  # noqa: E402

__all__ += ["Deadline", "DeadlineAlert", "DeadlineChange", "DeadlineKind", "DeadlinePause",
            "DeadlineQuerySet", "Notification", "NotificationPreference"]
