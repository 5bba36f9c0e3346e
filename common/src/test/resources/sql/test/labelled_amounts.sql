-- For SqlResourceTest: the rows of ${amounts} above :min with the label of their code from ${labels}.
SELECT a.id, a.amount, l.label
FROM ${amounts} a
LEFT JOIN ${labels} l ON l.code = a.code
WHERE a.amount > :min
