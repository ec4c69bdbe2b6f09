-- The communes a reform split a former commune between (issue 17). Once every one of them has
-- declared an indicator, the former commune's own declaration of it no longer counts in the
-- totals above them (it covered the same people).
CREATE TABLE split_successors (
    former_commune TEXT NOT NULL REFERENCES units (code),
    successor      TEXT NOT NULL REFERENCES units (code),
    reform_id      INTEGER NOT NULL REFERENCES reforms (id),
    PRIMARY KEY (former_commune, successor)
);

-- Reforms applied before: the candidates of their split communes' villages (',' separated).
WITH RECURSIVE parts (former_commune, reform_id, head, rest) AS (
    SELECT DISTINCT former_commune, reform_id, '', candidates || ',' FROM village_placements
    UNION ALL
    SELECT former_commune, reform_id, substr(rest, 1, instr(rest, ',') - 1),
           substr(rest, instr(rest, ',') + 1)
    FROM parts WHERE rest <> ''
)
INSERT OR IGNORE INTO split_successors (former_commune, successor, reform_id)
SELECT former_commune, head, reform_id FROM parts WHERE head <> '';
