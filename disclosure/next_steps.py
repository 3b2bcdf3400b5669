"""信息公开's part of the case page's 下一步 (cases/next_steps.py): a publication in draft is to be
submitted for approval (SX 第三十八条), with the conditions it still lacks."""

from __future__ import annotations

from cases.next_steps import Context, NextStep, provider, transition_steps


@provider
def disclosure_steps(ctx: Context) -> list[NextStep]:
    if not ctx.can_handle or not ctx.user.has_perm("disclosure.view_publication"):
        return []
    steps = []
    for publication in ctx.case.publications.filter(state="draft"):
        steps += transition_steps(publication, ctx.user, url=publication.get_absolute_url(),
                                  where=f"{publication.get_kind_display()}：{publication.title}",
                                  hidden=True)
    return steps
