CREATE STREAM inferred WITH (kafka_topic='t', value_format='AVRO');
