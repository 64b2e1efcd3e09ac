SELECT count(*) AS "n!" FROM macro_users WHERE age >= $1
