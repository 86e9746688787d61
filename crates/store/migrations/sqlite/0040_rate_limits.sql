-- Rate-limit counters shared by every server on the database: one row per limiter and
-- key (a client address, a token id), counting hits in a fixed window that starts with
-- the key's first hit. Times are milliseconds since 1970, compared as plain integers.
CREATE TABLE rate_limits (
    limiter TEXT NOT NULL,
    key TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (limiter, key)
);
CREATE INDEX rate_limits_by_window ON rate_limits (window_start);
