SELECT id, amount * 1.1 AS gross FROM orders WHERE region IN ('eu', 'us') AND NOT cancelled PARTITION BY id EMIT CHANGES;
