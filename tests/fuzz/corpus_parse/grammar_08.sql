INSERT INTO orders VALUES ('o1', 12.50, ARRAY['a', 'b'], MAP('k' := 1), STRUCT(x := 1));
