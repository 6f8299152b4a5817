"""Input shapes of moderation."""

from __future__ import annotations

from market.fields import Reason, Strict


class ModerationReason(Strict):
    reason: Reason


class VerifyRequest(Strict):
    verified: bool = True
