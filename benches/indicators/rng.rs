//! Deterministic generation: a seeded random stream and uneven splits of a total.

/// SplitMix64: tiny and fully specified, so a seed gives the same population on every machine
/// and with every version of the dependencies (`rand`'s `StdRng` does not promise that).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn bytes16(&mut self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next().to_le_bytes());
        b[8..].copy_from_slice(&self.next().to_le_bytes());
        b
    }

    /// A version-4 UUID, as the phones create household and person ids.
    pub fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.bytes16())
            .into_uuid()
            .to_string()
    }

    pub fn digits(&mut self, prefix: &str, n: usize) -> String {
        let mut s = String::with_capacity(prefix.len() + n);
        s.push_str(prefix);
        for _ in 0..n {
            s.push(char::from(b'0' + self.below(10) as u8));
        }
        s
    }

    /// A yes/no checklist answer: yes with probability `p`; 2% of questions are skipped (NULL).
    pub fn answer(&mut self, p: f64) -> Option<i64> {
        if self.chance(0.02) {
            None
        } else {
            Some(i64::from(self.chance(p.min(0.99))))
        }
    }

    /// An answer that only makes sense after a "yes" to `given` (a smartphone needs a phone).
    pub fn answer_if(&mut self, given: Option<i64>, p: f64) -> Option<i64> {
        match given {
            Some(1) => self.answer(p),
            Some(_) => Some(0),
            None => None,
        }
    }
}

/// Splits `total` into `parts` uneven shares (weights 0.4–1.6), each at least `min`, summing
/// exactly to `total`.
pub fn split(rng: &mut Rng, total: usize, parts: usize, min: usize) -> Vec<usize> {
    let weights: Vec<f64> = (0..parts).map(|_| 0.4 + 1.2 * rng.unit()).collect();
    let sum: f64 = weights.iter().sum();
    let spare = total.saturating_sub(min * parts) as f64;
    let (mut acc, mut given) = (0.0, 0usize);
    weights
        .iter()
        .map(|w| {
            acc += w;
            let upto = (spare * acc / sum).round() as usize;
            let share = min + upto - given;
            given = upto;
            share
        })
        .collect()
}
