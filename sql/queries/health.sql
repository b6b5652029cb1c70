-- Health.

-- name: ping()$
-- The cheapest statement that proves the database answers.
SELECT 1;
