-- The model's survey indicators become rules (issue 16): 6–11, 13–15 are conditions over the
-- survey's fields like any indicator a province adds, counted by the same code, and the counter
-- columns that held them go. Their rate keeps the pilot table's definition: among every eligible
-- record (the surveyed persons or households), not only those asked the numerator's question
-- (`rate_among = 'eligible'`; NULL is 'asked', the rule for indicators added as data).
ALTER TABLE indicators ADD COLUMN rate_among TEXT;

-- The surveyed persons (any checklist answer, the VNeID level included) are the population of
-- every person indicator but 13 (the smartphone owners); they are written once, for 6.
UPDATE indicators SET counts = 'persons', rate_among = 'eligible', counted_at = 0,
    numerator_when = '{"yes": "has_smartphone"}',
    denominator_when = '{"any": [{"answered": "vneid_level"}, {"answered": "has_cccd"}, {"answered": "has_phone"}, {"answered": "has_smartphone"}, {"answered": "own_sim"}, {"answered": "has_public_service_account"}, {"answered": "has_payment_account"}, {"answered": "has_e_signature"}, {"answered": "has_province_app"}, {"answered": "has_cyber_safety_app"}, {"answered": "trained_digital_skills"}, {"answered": "uses_digital_platform"}, {"answered": "used_online_service_eid"}]}'
  WHERE id = 6;
UPDATE indicators SET counts = 'persons', rate_among = 'eligible', counted_at = 0,
    numerator_when = '{"yes": "has_payment_account"}',
    denominator_when = (SELECT denominator_when FROM indicators WHERE id = 6)
  WHERE id = 7;
UPDATE indicators SET counts = 'persons', rate_among = 'eligible', counted_at = 0,
    numerator_when = '{"at_least": {"field": "vneid_level", "value": 1}}',
    denominator_when = (SELECT denominator_when FROM indicators WHERE id = 6)
  WHERE id = 8;
UPDATE indicators SET counts = 'persons', rate_among = 'eligible', counted_at = 0,
    numerator_when = '{"yes": "has_e_signature"}',
    denominator_when = (SELECT denominator_when FROM indicators WHERE id = 6)
  WHERE id = 9;
UPDATE indicators SET counts = 'persons', rate_among = 'eligible', counted_at = 0,
    numerator_when = '{"yes": "trained_digital_skills"}',
    denominator_when = (SELECT denominator_when FROM indicators WHERE id = 6)
  WHERE id = 10;
UPDATE indicators SET counts = 'persons', rate_among = 'eligible', counted_at = 0,
    numerator_when = '{"yes": "uses_digital_platform"}',
    denominator_when = (SELECT denominator_when FROM indicators WHERE id = 6)
  WHERE id = 11;
UPDATE indicators SET counts = 'persons', rate_among = 'eligible', counted_at = 0,
    numerator_when = '{"all": [{"yes": "has_smartphone"}, {"yes": "has_cyber_safety_app"}]}',
    denominator_when = '{"yes": "has_smartphone"}'
  WHERE id = 13;
UPDATE indicators SET counts = 'persons', rate_among = 'eligible', counted_at = 0,
    numerator_when = '{"yes": "used_online_service_eid"}',
    denominator_when = (SELECT denominator_when FROM indicators WHERE id = 6)
  WHERE id = 14;
UPDATE indicators SET counts = 'households', rate_among = 'eligible', counted_at = 0,
    numerator_when = '{"yes": "pays_electricity_cashless"}',
    denominator_when = '{"any": [{"equals": {"field": "visit_outcome", "value": "surveyed"}}, {"answered": "pays_electricity_cashless"}]}'
  WHERE id = 15;

-- Each village's counts per day: a day the counters or the rules have figures for holds both, as
-- they stood that day (each the latest on or before it), so "as of" stays one row per village.
CREATE TABLE merged_counts (village_code TEXT NOT NULL, day TEXT NOT NULL, counts TEXT NOT NULL);
INSERT INTO merged_counts (village_code, day, counts)
SELECT d.village_code, d.day, json_patch(
       COALESCE((SELECT c.counts FROM indicator_counts c WHERE c.village_code = d.village_code AND c.day <= d.day
                 ORDER BY c.day DESC LIMIT 1), '{}'),
       COALESCE((SELECT json_object('6', json_array(s.p_smartphone, s.p_surveyed, s.p_surveyed), '7', json_array(s.p_payment, s.p_surveyed, s.p_surveyed), '8', json_array(s.p_vneid, s.p_surveyed, s.p_surveyed), '9', json_array(s.p_esign, s.p_surveyed, s.p_surveyed), '10', json_array(s.p_trained, s.p_surveyed, s.p_surveyed), '11', json_array(s.p_platform, s.p_surveyed, s.p_surveyed), '13', json_array(s.p_smartphone_cyber, s.p_smartphone, s.p_smartphone), '14', json_array(s.p_online_eid, s.p_surveyed, s.p_surveyed), '15', json_array(s.h_elec_cashless, s.h_surveyed, s.h_surveyed)) FROM stats_snapshots s WHERE s.village_code = d.village_code AND s.day <= d.day
                 ORDER BY s.day DESC LIMIT 1), '{}'))
FROM (SELECT village_code, day FROM stats_snapshots UNION SELECT village_code, day FROM indicator_counts) d;
DELETE FROM indicator_counts;
INSERT INTO indicator_counts (village_code, day, counts) SELECT village_code, day, counts FROM merged_counts;
DROP TABLE merged_counts;

-- Each village's counts now, as one row like a day's (a province's table reads one row per
-- village, not one per village and indicator): its latest day's. `asked` was never counted for
-- the model's indicators; it is the eligible count in the days above until the village's next
-- batch counts it (a rate among the eligible does not read it).
DROP TABLE indicator_current;
CREATE TABLE indicator_current (
    village_code TEXT PRIMARY KEY,
    counts       TEXT NOT NULL
);
INSERT INTO indicator_current (village_code, counts)
SELECT c.village_code, c.counts FROM indicator_counts c
WHERE c.day = (SELECT MAX(x.day) FROM indicator_counts x WHERE x.village_code = c.village_code);

-- The counters left are the survey's progress (households known and visited, persons known and
-- surveyed); the catalogue no longer names counters.
ALTER TABLE village_stats DROP COLUMN h_surveyed;
ALTER TABLE village_stats DROP COLUMN h_elec_cashless;
ALTER TABLE village_stats DROP COLUMN h_water_cashless;
ALTER TABLE village_stats DROP COLUMN h_business;
ALTER TABLE village_stats DROP COLUMN h_business_qr;
ALTER TABLE village_stats DROP COLUMN p_cccd;
ALTER TABLE village_stats DROP COLUMN p_vneid;
ALTER TABLE village_stats DROP COLUMN p_phone;
ALTER TABLE village_stats DROP COLUMN p_smartphone;
ALTER TABLE village_stats DROP COLUMN p_own_sim;
ALTER TABLE village_stats DROP COLUMN p_public_service;
ALTER TABLE village_stats DROP COLUMN p_payment;
ALTER TABLE village_stats DROP COLUMN p_esign;
ALTER TABLE village_stats DROP COLUMN p_province_app;
ALTER TABLE village_stats DROP COLUMN p_cyber_safety;
ALTER TABLE village_stats DROP COLUMN p_smartphone_cyber;
ALTER TABLE village_stats DROP COLUMN p_trained;
ALTER TABLE village_stats DROP COLUMN p_platform;
ALTER TABLE village_stats DROP COLUMN p_online_eid;
ALTER TABLE stats_snapshots DROP COLUMN h_surveyed;
ALTER TABLE stats_snapshots DROP COLUMN h_elec_cashless;
ALTER TABLE stats_snapshots DROP COLUMN h_water_cashless;
ALTER TABLE stats_snapshots DROP COLUMN h_business;
ALTER TABLE stats_snapshots DROP COLUMN h_business_qr;
ALTER TABLE stats_snapshots DROP COLUMN p_cccd;
ALTER TABLE stats_snapshots DROP COLUMN p_vneid;
ALTER TABLE stats_snapshots DROP COLUMN p_phone;
ALTER TABLE stats_snapshots DROP COLUMN p_smartphone;
ALTER TABLE stats_snapshots DROP COLUMN p_own_sim;
ALTER TABLE stats_snapshots DROP COLUMN p_public_service;
ALTER TABLE stats_snapshots DROP COLUMN p_payment;
ALTER TABLE stats_snapshots DROP COLUMN p_esign;
ALTER TABLE stats_snapshots DROP COLUMN p_province_app;
ALTER TABLE stats_snapshots DROP COLUMN p_cyber_safety;
ALTER TABLE stats_snapshots DROP COLUMN p_smartphone_cyber;
ALTER TABLE stats_snapshots DROP COLUMN p_trained;
ALTER TABLE stats_snapshots DROP COLUMN p_platform;
ALTER TABLE stats_snapshots DROP COLUMN p_online_eid;
ALTER TABLE indicators DROP COLUMN numerator;
ALTER TABLE indicators DROP COLUMN denominator;
