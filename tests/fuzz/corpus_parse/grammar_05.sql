CREATE TABLE views_per_page AS SELECT page_id, COUNT(viewtime) AS views FROM pageviews WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY page_id EMIT CHANGES;
