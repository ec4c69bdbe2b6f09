//! The generated province: its administrative tree, and the households and persons of each
//! village as the sync projection would have written them (generated on demand from the seed).

use khaosat::survey::schema::VISIT_OUTCOMES;

use crate::rng::{split, Rng};
use crate::rows::{Household, Person};

/// The shape of the generated province (about the size of Thanh Hóa before the 2025 merger).
pub const PROVINCE: &str = "38";
pub const DISTRICTS: usize = 27;
pub const COMMUNES: usize = 500;
pub const VILLAGES: usize = 3_300;

/// Ages are drawn relative to this year, so a seed always gives the same rows; who counts as
/// 15+ follows the clock, as in the server (`year of today - 15`).
const REFERENCE_YEAR: i64 = 2025;
/// Households were created and visited during the 60 days from 2025-03-01 (UTC).
const SURVEY_START: i64 = 1_740_787_200;

const SURNAMES: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE_MALE: [&str; 6] = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Xuân"];
const MIDDLE_FEMALE: [&str; 5] = ["Thị", "Ngọc", "Thanh", "Thu", "Minh"];
const GIVEN: [&str; 26] = [
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Lan", "Linh",
    "Long", "Mai", "Nam", "Nga", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Tuấn",
    "Vy", "Yến",
];
/// Household sizes (members) and their shares: ~3.06 persons per household.
const MEMBERS: [(usize, f64); 6] = [
    (1, 0.12),
    (2, 0.25),
    (3, 0.28),
    (4, 0.20),
    (5, 0.10),
    (6, 0.05),
];

fn person_name(rng: &mut Rng, surname: &str, male: bool) -> String {
    let middle = if male {
        rng.pick(&MIDDLE_MALE)
    } else {
        rng.pick(&MIDDLE_FEMALE)
    };
    format!("{surname} {middle} {}", rng.pick(&GIVEN))
}

pub struct UnitSpec {
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub parent: Option<String>,
}

pub struct Village {
    pub code: String,
    pub name: String,
    pub district: String,
    pub commune: String,
    pub document_id: String,
    pub households: usize,
}

/// The administrative tree and how many households each village has; the rows themselves are
/// generated on demand, village by village, from a seed derived from the village's index.
pub struct Population {
    seed: u64,
    pub units: Vec<UnitSpec>,
    pub villages: Vec<Village>,
}

pub fn path_of(codes: &[&str]) -> String {
    format!("/{}/", codes.join("/"))
}

impl Population {
    pub fn generate(seed: u64, households: usize) -> Population {
        let mut rng = Rng::new(seed);
        let communes_per_district = split(&mut rng, COMMUNES, DISTRICTS, 1);
        let villages_per_commune = split(&mut rng, VILLAGES, COMMUNES, 1);
        let households_per_village = split(&mut rng, households, VILLAGES, 0);
        let mut units = vec![UnitSpec {
            code: PROVINCE.into(),
            name: "Tỉnh Thử Nghiệm".into(),
            level: "province",
            parent: None,
        }];
        let mut villages: Vec<Village> = Vec::with_capacity(VILLAGES);
        let mut commune_index = 0;
        for (d, &communes) in communes_per_district.iter().enumerate() {
            let district = format!("{}", 380 + d);
            units.push(UnitSpec {
                code: district.clone(),
                name: format!("Huyện Thử Nghiệm {:02}", d + 1),
                level: "district",
                parent: Some(PROVINCE.into()),
            });
            for c in 0..communes {
                let commune = format!("{district}{:02}", c + 1);
                units.push(UnitSpec {
                    code: commune.clone(),
                    name: format!("Xã Thử Nghiệm {commune}"),
                    level: "commune",
                    parent: Some(district.clone()),
                });
                for k in 0..villages_per_commune[commune_index] {
                    let code = format!("{commune}.{:02}", k + 1);
                    let name = format!("Thôn {}", k + 1);
                    units.push(UnitSpec {
                        code: code.clone(),
                        name: name.clone(),
                        level: "village",
                        parent: Some(commune.clone()),
                    });
                    villages.push(Village {
                        households: households_per_village[villages.len()],
                        code,
                        name,
                        district: district.clone(),
                        commune: commune.clone(),
                        // automerge-repo ids are Base58Check of 16 bytes; only the lock uses it here.
                        document_id: bs58::encode(rng.bytes16()).into_string(),
                    });
                }
                commune_index += 1;
            }
        }
        Population {
            seed,
            units,
            villages,
        }
    }

    pub fn first_district(&self) -> &str {
        &self.villages[0].district
    }

    pub fn first_commune(&self) -> &str {
        &self.villages[0].commune
    }

    /// (communes, villages, households) under a district or commune code.
    pub fn size_of(&self, code: &str) -> (usize, usize, usize) {
        let under = self
            .villages
            .iter()
            .filter(|v| v.district == code || v.commune == code);
        let mut communes: Vec<&str> = under.clone().map(|v| v.commune.as_str()).collect();
        communes.dedup();
        (
            communes.len(),
            under.clone().count(),
            under.map(|v| v.households).sum(),
        )
    }

    /// The projected rows of one village, as the sync projection would have written them.
    pub fn village_rows(&self, v: usize, updated_at: i64) -> (Vec<Household<'_>>, Vec<Person<'_>>) {
        let village = &self.villages[v];
        // Each village has its own stream, derived from the seed and its index.
        let mut rng =
            Rng::new(Rng::new(self.seed ^ (v as u64).wrapping_mul(0xD1B5_4A32_D192_ED03)).next());
        let enumerators: Vec<String> = (1..=4)
            .map(|k| format!("tv-{}-{k}", village.commune))
            .collect();
        let mut households: Vec<Household> = Vec::with_capacity(village.households);
        let mut persons = Vec::with_capacity(village.households * 4);
        for _ in 0..village.households {
            let id = rng.uuid();
            let surname = *rng.pick(&SURNAMES);
            let head_male = rng.chance(0.7);
            let head_name = person_name(&mut rng, surname, head_male);
            let created_at = SURVEY_START + rng.below(60 * 86_400) as i64;
            let by = rng.pick(&enumerators).clone();
            // 7% not visited yet; 4% visited without a survey (a quarter of those answered part
            // of it before "come back later"); the rest surveyed.
            let u = rng.unit();
            let (outcome, person_rate) = if u < 0.07 {
                (None, 0.0)
            } else if u < 0.11 {
                // Any outcome but the first, `surveyed`.
                let outcome = *rng.pick(&VISIT_OUTCOMES[1..]);
                let partial = outcome == "come_back_later" && rng.chance(0.25);
                (Some(outcome), if partial { 0.5 } else { 0.0 })
            } else {
                (Some("surveyed"), 0.93)
            };
            let answered = person_rate > 0.0;
            let mut flags = [None; 4];
            if answered {
                // Electricity and water paid without cash (water is not asked where there is
                // no tap water), a household business, and whether it takes QR payments.
                let no_tap_water = rng.chance(0.1);
                flags = [
                    rng.answer(0.62),
                    if no_tap_water { None } else { rng.answer(0.38) },
                    rng.answer(0.12),
                    None,
                ];
                flags[3] = rng.answer_if(flags[2], 0.55);
            }
            let visited_at = outcome.map(|_| created_at + rng.below(3 * 86_400) as i64);
            // 1% deleted, 0.5% marked as a duplicate of the previous household of the village.
            let deleted = rng.chance(0.01);
            let duplicate_of = match households.last() {
                Some(prev) if rng.chance(0.005) => Some(prev.id.clone()),
                _ => None,
            };
            let members = {
                let mut u = rng.unit();
                MEMBERS
                    .iter()
                    .find(|(_, p)| {
                        u -= p;
                        u < 0.0
                    })
                    .map_or(6, |(n, _)| *n)
            };
            for m in 0..members {
                // Children (not asked the checklist) come after the first two members.
                let child = m >= 2 && rng.chance(0.25);
                persons.push(person(
                    &mut rng,
                    village,
                    &id,
                    surname,
                    (m == 0).then(|| (head_name.clone(), head_male)),
                    child,
                    person_rate,
                    updated_at,
                ));
            }
            households.push(Household {
                address: format!("Số {}, {}", 1 + rng.below(300), village.name),
                phone: rng.chance(0.8).then(|| rng.digits("09", 8)),
                id,
                village,
                head_name,
                flags,
                deleted,
                duplicate_of,
                created_at,
                visited_by: outcome.map(|_| by.clone()),
                created_by: by,
                visit_outcome: outcome,
                visited_at,
                visits: if outcome.is_some() {
                    1 + rng.below(2) as i64
                } else {
                    0
                },
                updated_at,
            });
        }
        (households, persons)
    }
}

/// One person of a household; `head` is the head's (name, male) for the first member.
#[allow(clippy::too_many_arguments)]
fn person<'p>(
    rng: &mut Rng,
    village: &'p Village,
    household: &str,
    surname: &str,
    head: Option<(String, bool)>,
    child: bool,
    answer_rate: f64,
    updated_at: i64,
) -> Person<'p> {
    let id = rng.uuid();
    let (full_name, male) = head.unwrap_or_else(|| {
        let male = rng.chance(0.5);
        (person_name(rng, surname, male), male)
    });
    // Adults skew young (the 15–40 band is the largest); children are 0–14.
    let age = if child {
        rng.below(15) as i64
    } else {
        15 + (75.0 * rng.unit().powf(1.4)) as i64
    };
    let birth_year = (!rng.chance(0.02)).then_some(REFERENCE_YEAR - age);
    let sex = match rng.unit() {
        u if u < 0.015 => None,
        u if u < 0.02 => Some("other"),
        _ if male => Some("male"),
        _ => Some("female"),
    };
    let cccd = (!child && rng.chance(0.92)).then(|| rng.digits("038", 9));
    // Children are not asked the checklist; adults of an answered household mostly are.
    let mut flags = [None; 12];
    let mut vneid_level = None;
    if !child && rng.chance(answer_rate) {
        // Older people have fewer digital services.
        let a = match age {
            ..=29 => 1.15,
            30..=44 => 1.05,
            45..=59 => 0.85,
            _ => 0.55,
        };
        flags[0] = rng.answer(0.96); // has_cccd
        vneid_level = if rng.chance(0.02) {
            None
        } else if rng.chance(0.82 * a) {
            Some(if rng.chance(0.7) { 2 } else { 1 })
        } else {
            Some(0)
        };
        flags[1] = rng.answer(0.80 + 0.12 * a); // has_phone
        flags[2] = rng.answer_if(flags[1], 0.82 * a); // has_smartphone
        flags[3] = rng.answer_if(flags[1], 0.9); // own_sim
        flags[4] = rng.answer(0.55 * a); // has_public_service_account
        flags[5] = rng.answer(0.72 * a); // has_payment_account
        flags[6] = rng.answer(0.18 * a); // has_e_signature
        flags[7] = rng.answer(0.4 * a); // has_province_app
        flags[8] = rng.answer_if(flags[2], 0.45 * a); // has_cyber_safety_app
        flags[9] = rng.answer(0.65); // trained_digital_skills
        flags[10] = rng.answer(0.5 * a); // uses_digital_platform

        // used_online_service_eid: needs a VNeID account.
        flags[11] = match vneid_level {
            Some(1..) => rng.answer(0.55 * a),
            Some(_) => Some(0),
            None => None,
        };
    }
    let phone = (flags[1] == Some(1) && rng.chance(0.8)).then(|| rng.digits("09", 8));
    Person {
        id,
        household_id: household.to_string(),
        village,
        full_name,
        birth_year,
        sex,
        cccd,
        phone,
        deleted: rng.chance(0.015),
        vneid_level,
        flags,
        updated_at,
    }
}
