"""The default scoring signals (DOMAIN section 4): engagement points a lead earns or loses."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Signal:
    id: str
    label: str
    points: int
    kind: str
    """``fit``, ``behaviour`` or ``negative``."""


DEFAULT_SIGNALS: tuple[Signal, ...] = (
    Signal("title_match", "Job title matches the ICP", 20, "fit"),
    Signal("company_size_match", "Company size matches the ICP", 15, "fit"),
    Signal("industry_match", "Industry matches the ICP", 10, "fit"),
    Signal("geography_match", "Located in a target market", 5, "fit"),
    Signal("demo_request", "Requested a demo or trial", 25, "behaviour"),
    Signal("pricing_page", "Visited the pricing page", 15, "behaviour"),
    Signal("high_intent_content",
           "High-intent content (case study, ROI calculator, comparison guide), each", 10,
           "behaviour"),
    Signal("repeat_visits", "Came back: 3 or more sessions in 7 days", 10, "behaviour"),
    Signal("email_engagement", "Engaged by e-mail: 3 or more opens in 30 days", 5, "behaviour"),
    Signal("low_intent_content", "Low-intent content (blog post, social post), each", 2,
           "behaviour"),
    Signal("competitor", "Works for a competitor", -50, "negative"),
    Signal("unsubscribed", "Unsubscribed from our e-mail", -30, "negative"),
    Signal("personal_email", "Student, or a personal e-mail address", -20, "negative"),
    Signal("inactivity", "No engagement: each week after 30 days of silence", -5, "negative"),
)
DEFAULT_SIGNAL_IDS = tuple(signal.id for signal in DEFAULT_SIGNALS)
