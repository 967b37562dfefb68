"""pingdesk's own SQLite file (the user data dir): the journal of every action, with
what undo and restore need, and the Akismet reports waiting to be sent."""
