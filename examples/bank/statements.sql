-- Event sourcing: a bank account's events are the source of truth, and the
-- balance is a table folded from them.  A mistaken deposit is not edited:
-- a correcting event is published instead, and the balance follows.
-- (tests/e2e/test_examples.sh also deletes the state and rebuilds the same
-- balances from the log.)
CREATE STREAM account_events (account STRING KEY, type STRING, amount DOUBLE)
  WITH (KAFKA_TOPIC='account_events', VALUE_FORMAT='JSON', PARTITIONS=1);

CREATE TABLE balances AS
  SELECT account,
         SUM(CASE WHEN type = 'withdrawn' THEN -amount
                  WHEN type = 'opened' THEN 0E0
                  ELSE amount END) AS balance,
         COUNT(*) AS events
  FROM account_events
  GROUP BY account;
