-- customer_clv: every customer of the summary (view ${summary}) with the BG/NBD scores of the
-- customer's (x, t_x, t_cal) (view ${scores}, one row per distinct triple) and the Gamma-Gamma expected
-- transaction value E[M | x, m] = p (gamma + x m) / (p x + q - 1), m the mean repeat value (a negative
-- mean, more returned than bought on repeat days, counts as 0; x = 0 gives the population mean
-- p gamma / (q - 1)). clv = discounted expected transactions over the horizon x expected value x margin.
-- Times are in the model's unit (:unit_days days each).
SELECT
  s.customer_id,
  s.x,
  s.t_x_days / :unit_days AS t_x,
  s.t_cal_days / :unit_days AS t_cal,
  s.mean_repeat_value,
  c.p_alive,
  c.expected_purchases,
  :p * (:gamma + s.x * greatest(coalesce(s.mean_repeat_value, 0D), 0D)) / (:p * s.x + :q - 1) AS expected_order_value,
  c.discounted_purchases * :p * (:gamma + s.x * greatest(coalesce(s.mean_repeat_value, 0D), 0D)) / (:p * s.x + :q - 1)
    * :margin AS clv,
  :model_version AS clv_model_version
FROM ${summary} s
JOIN ${scores} c ON c.x = s.x AND c.t_x_days = s.t_x_days AND c.t_cal_days = s.t_cal_days
