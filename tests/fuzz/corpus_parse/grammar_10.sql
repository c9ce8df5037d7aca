INSERT INTO all_orders WITH (query_id='INSERT_EU') SELECT id, amount FROM eu_orders EMIT CHANGES;
