CREATE TABLE IF NOT EXISTS users (id STRING PRIMARY KEY, name STRING, address STRUCT<street STRING, zip INT>) WITH (kafka_topic='users', value_format='JSON');
