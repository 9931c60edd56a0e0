-- Reports: indexes that cover every aggregation of storage/reports.py, so a chat with 500,000
-- attempts is counted from index pages alone ("USING COVERING INDEX" in the query plans).

-- Counts per company x outcome come from attempts_by_company (chat, company, outcome, called_at).
-- The runs of attempts until someone answered: a window per company ordered by called_at, id.
-- id is named before outcome so that the index order is the window order (no sort).
CREATE INDEX attempts_company_time ON attempts (chat_id, company_id, called_at, id, outcome);
-- Anything over a period: one range seek on called_at (attempts per local day, totals, who
-- logged how much).  Over all time, totals and loggers use attempts_by_logger (chat, logger).
CREATE INDEX attempts_by_time ON attempts (chat_id, called_at, outcome, company_id, logged_by);

-- Promises made in the period per company: status counts, overdue at now, automatic breaks,
-- moved deadlines and callback delays.
CREATE INDEX promises_company_made ON promises
    (chat_id, company_id, made_at, status, due_at, resolved_at, auto_broken, previous_id);
-- Promises broken per local day.
CREATE INDEX promises_resolved ON promises (chat_id, status, resolved_at, company_id);
-- Who logged how many promises in the period.
CREATE INDEX promises_logger_made ON promises (chat_id, logged_by, made_at, status);
