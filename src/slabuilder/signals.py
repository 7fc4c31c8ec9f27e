"""The scoring signals of DOMAIN section 4: engagement points a lead earns or loses, and the
optional fit points some teams add.

An MQL must fit the profile (hard filters, never points by default), have no disqualifier, and
reach the engagement threshold. Fit points exist only for teams that add them to one combined
score; they are coherent only when the threshold is above all that fit can give.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_SIGNALS", "DEFAULT_SIGNAL_IDS", "DEFAULT_THRESHOLD", "FIT_SIGNALS",
           "KNOWN_SIGNAL_IDS", "Signal"]


@dataclass(frozen=True)
class Signal:
    id: str
    label: str
    points: int
    kind: str
    """``fit``, ``behaviour`` or ``negative``."""
    example: str = ""
    """The signal as a noun a sentence can use (``a demo or trial request``)."""


DEFAULT_THRESHOLD = 25
"""One high-intent act (a demo request) qualifies; low-intent activity alone practically never
does."""

DEFAULT_SIGNALS: tuple[Signal, ...] = (
    Signal("demo_request", "Requested a demo or trial", 25, "behaviour",
           "a demo or trial request"),
    Signal("pricing_page", "Visited the pricing page", 15, "behaviour",
           "a pricing-page visit"),
    Signal("high_intent_content",
           "High-intent content (case study, ROI calculator, comparison guide), each", 10,
           "behaviour", "a case study or the ROI calculator"),
    Signal("repeat_visits", "Came back: 3 or more sessions in 7 days", 10, "behaviour",
           "three visits in a week"),
    Signal("intent_surge",
           "Third-party intent: the account is researching a topic we sell", 10, "behaviour",
           "an intent surge on the account"),
    Signal("email_engagement", "Engaged by e-mail: 3 or more opens in 30 days", 5, "behaviour",
           "three e-mail opens"),
    Signal("low_intent_content", "Low-intent content (blog post, social post), each", 2,
           "behaviour"),
    Signal("competitor", "Works for a competitor", -50, "negative"),
    Signal("unsubscribed", "Unsubscribed from our e-mail", -30, "negative"),
    Signal("personal_email", "Student, or a personal e-mail address", -20, "negative"),
    Signal("inactivity", "No engagement: each week after 30 days of silence", -5, "negative"),
)
"""The engagement points table every model starts from."""

FIT_SIGNALS: tuple[Signal, ...] = (
    Signal("title_match", "Job title matches the ICP", 20, "fit"),
    Signal("company_size_match", "Company size matches the ICP", 15, "fit"),
    Signal("industry_match", "Industry matches the ICP", 10, "fit"),
    Signal("geography_match", "Located in a target market", 5, "fit"),
)
"""Fit points a team may add (``scoring.signals.title_match: 20``); off unless given."""

DEFAULT_SIGNAL_IDS = tuple(signal.id for signal in DEFAULT_SIGNALS)
KNOWN_SIGNAL_IDS = DEFAULT_SIGNAL_IDS + tuple(signal.id for signal in FIT_SIGNALS)
