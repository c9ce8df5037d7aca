SELECT o.id, s.tracking FROM orders o INNER JOIN shipments s WITHIN (1 HOUR, 2 DAYS) GRACE PERIOD 15 MINUTES ON o.id = s.order_id EMIT CHANGES;
