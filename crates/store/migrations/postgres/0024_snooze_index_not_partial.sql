-- Nothing changes on PostgreSQL. SQLite's 0024 made the snooze sweeper's index whole because a
-- partial index made SQLite re-prepare the conversation list's statement on every execution;
-- PostgreSQL's generic plans do not re-plan on a parameter's value, so its partial index
-- (0006) stays. This file keeps both backends' migration lists the same.
SELECT 1;
