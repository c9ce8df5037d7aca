SELECT o.id, o.address->* FROM orders o EMIT CHANGES;
