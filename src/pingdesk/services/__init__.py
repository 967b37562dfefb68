"""The use cases both front ends share: the Desk (reading, moderating, undoing),
which blog to open (locate), verifying sources, Akismet, stored evidence, and one
vocabulary for what the moderator reads (words)."""
