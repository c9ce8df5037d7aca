CREATE STREAM pageviews (viewtime BIGINT, user_id VARCHAR KEY, page_id STRING) WITH (kafka_topic='pageviews', value_format='JSON', partitions=1);
