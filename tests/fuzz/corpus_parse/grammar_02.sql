CREATE OR REPLACE STREAM raw (k BYTES KEY, v STRING, trace BYTES HEADER('trace-id'), hdrs ARRAY<STRUCT<key STRING, value BYTES>> HEADERS) WITH (kafka_topic='raw', format='KAFKA');
