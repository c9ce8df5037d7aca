-- IoT: sensor readings averaged per device in 1-minute tumbling windows.
-- A reading may arrive late by up to 10 seconds (the grace period) and
-- still count; later than that it is dropped (and counted as late, see
-- DESCRIBE EXTENDED avg_temperature).  In the input, the reading at 59 s
-- arrives after one at 61 s and still counts; the one at 50 s arrives when
-- stream time is 80 s, after the 0-60 s window closed at 70 s, and is
-- dropped.  RETENTION keeps a week of windows in the table for pull
-- queries; without it a window leaves the table once stream time is its
-- size plus grace past its start, as in ksqlDB.
CREATE STREAM readings (device STRING KEY, temperature DOUBLE)
  WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=1);

CREATE TABLE avg_temperature AS
  SELECT device, AVG(temperature) AS avg_temp, COUNT(*) AS readings
  FROM readings
  WINDOW TUMBLING (SIZE 1 MINUTE, RETENTION 7 DAYS, GRACE PERIOD 10 SECONDS)
  GROUP BY device;
