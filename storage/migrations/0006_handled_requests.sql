-- Incoming updates whose handling wrote something, recorded in the same transaction as the
-- write: after a crash, an update delivered again is recognised and not saved twice.
CREATE TABLE handled_requests (
    request_id INTEGER PRIMARY KEY
);
