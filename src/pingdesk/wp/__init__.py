"""The WordPress data layer: tables, reading and moderation. No UI, no network."""
