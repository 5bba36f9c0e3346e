-- The sums above a level that the high and mid tiers end at: the shares of ${total} (one row: total,
-- the sum of every positive level's level_sum, typed as Spark's sum of sums of sums of level_sum). In
-- SQL, so the products have the type and rounding Spark gives them (decimal shares: exact up to
-- Spark's decimal precision; double shares: doubles), as they had when the tiers were one query.
SELECT :high_share * total AS high_limit, (:high_share + :mid_share) * total AS mid_limit
FROM ${total}
