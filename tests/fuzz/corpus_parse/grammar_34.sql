SET 'ksql.streams.num.stream.threads' = 4;
