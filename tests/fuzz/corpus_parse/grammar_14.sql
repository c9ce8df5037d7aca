SELECT p.*, u.name FROM pageviews p LEFT JOIN users u ON p.user_id = u.id EMIT CHANGES;
