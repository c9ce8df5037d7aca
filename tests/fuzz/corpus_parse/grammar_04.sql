CREATE STREAM big_orders WITH (kafka_topic='big') AS SELECT * FROM orders WHERE amount > 100 EMIT CHANGES;
