-- The communes a reform split a former commune between (issue 17). Once every one of them has
-- declared an indicator, the former commune's own declaration of it no longer counts in the
-- totals above them (it covered the same people).
CREATE TABLE split_successors (
    former_commune TEXT NOT NULL REFERENCES units (code),
    successor      TEXT NOT NULL REFERENCES units (code),
    reform_id      BIGINT NOT NULL REFERENCES reforms (id),
    PRIMARY KEY (former_commune, successor)
);

-- Reforms applied before: the candidates of their split communes' villages (',' separated).
INSERT INTO split_successors (former_commune, successor, reform_id)
SELECT DISTINCT former_commune, unnest(string_to_array(candidates, ',')), reform_id
FROM village_placements
ON CONFLICT DO NOTHING;
